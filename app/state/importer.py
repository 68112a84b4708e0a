"""Bring earlier versions' files into the state database: `sessions/*.json` (one debate per file) and the
classroom's `classroom.sqlite3`. Runs on each first open in a process and from `counterpoint migrate`.

Idempotent: a debate, assignment or attempt already in the database is left alone, so running it again,
or on a second server, adds nothing twice. The files are only read (they stay as they were, readable JSON
and SQLite; nothing is lost if the database is later replaced).
"""

from __future__ import annotations

import json
import logging
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection

from app.state import classroom, debates
from app.state.store import StateStore

log = logging.getLogger(__name__)
LEGACY_CLASSROOM = "classroom.sqlite3"
Rows = list[dict[str, Any]]


@dataclass
class ImportReport:
    debates: int = 0
    assignments: int = 0
    attempts: int = 0
    skipped: int = 0  # unreadable files (left where they are)

    def summary(self) -> str:
        return (
            f"imported {self.debates} debate(s), {self.assignments} assignment(s), {self.attempts} "
            f"classroom attempt(s); {self.skipped} unreadable file(s) skipped"
        )


def import_data_dir(state: StateStore, data_dir: Path, legacy_classroom: Path | None = None) -> ImportReport:
    """Import what `data_dir` holds from earlier versions; nothing when it holds nothing."""
    report = ImportReport()
    import_sessions(state, Path(data_dir) / "sessions", report)
    import_classroom(state, legacy_classroom or Path(data_dir) / LEGACY_CLASSROOM, report)
    if report.debates or report.assignments or report.attempts:
        log.info("%s from %s", report.summary(), data_dir)
    return report


# --- debates ---------------------------------------------------------------------------------------
def import_sessions(state: StateStore, folder: Path, report: ImportReport) -> None:
    files = sorted(folder.glob("*.json")) if folder.is_dir() else []
    if not files:
        return
    known = state.read(debates.all_ids)
    for path in files:
        if path.stem in known:
            continue
        row = _read_debate(path)
        if row is None:
            report.skipped += 1
        elif state.write(lambda conn, row=row: debates.add_whole(conn, row)):  # type: ignore[misc]
            report.debates += 1


def _read_debate(path: Path) -> debates.DebateRow | None:
    from app.text_safety import clean_strings

    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        turns = [_turn_fields(clean_strings(t)) for t in data.get("turns", [])]
        revision = max(int(data.get("revision", 0)), 1)
        return debates.DebateRow(
            data["id"], data["doc"], data["mode"], data["created"], data["updated"], revision, turns
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _turn_fields(turn: dict[str, Any]) -> dict[str, Any]:
    keys = ("user", "mode", "doc", "text", "reply", "stopped", "at")
    missing = [k for k in ("user", "mode", "doc", "text", "at") if k not in turn]
    if missing:
        raise KeyError(missing[0])
    return {k: turn.get(k) for k in keys}


# --- classroom -------------------------------------------------------------------------------------
def import_classroom(state: StateStore, path: Path, report: ImportReport) -> None:
    if not path.is_file():
        return
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
            conn.row_factory = sqlite3.Row
            old = _read_classroom(conn)
    except sqlite3.Error as exc:
        log.warning("could not read %s (%s); left as it is", path, exc)
        report.skipped += 1
        return
    added = state.write(lambda conn: _add_classroom(conn, *old))
    report.assignments += added[0]
    report.attempts += added[1]


def _read_classroom(
    conn: sqlite3.Connection,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if not {"assignments", "attempts", "turns"} <= tables:
        return [], [], []
    assignments = [dict(r) for r in conn.execute("SELECT * FROM assignments")]
    attempts = [dict(r) for r in conn.execute("SELECT * FROM attempts ORDER BY id")]
    turns = [dict(r) for r in conn.execute("SELECT * FROM turns ORDER BY attempt_id, seq")]
    return assignments, attempts, turns


def _add_classroom(conn: Connection, assignments: Rows, attempts: Rows, turns: Rows) -> tuple[int, int]:
    """Insert what is missing (by join code, by attempt token); attempts get new ids, turns follow them."""
    codes, tokens = classroom.codes(conn), classroom.tokens(conn)
    new_assignments = [a for a in assignments if a["code"] not in codes]
    for a in new_assignments:
        classroom.add_assignment(conn, {k: a[k] for k in ("code", "doc", "side", "format", "thesis", "created_at")})
    new_ids: dict[int, int] = {}
    for a in attempts:
        if a["token"] in tokens:
            continue
        old_id = a.pop("id")
        new_ids[old_id] = classroom.add_attempt(conn, a)
    for t in turns:
        if t["attempt_id"] in new_ids:
            values = {**t, "attempt_id": new_ids[t["attempt_id"]], "expired": bool(t["expired"])}
            classroom.add_turn(conn, values)
    return len(new_assignments), len(new_ids)
