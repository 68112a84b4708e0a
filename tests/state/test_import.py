"""Earlier versions' files (sessions/*.json, classroom.sqlite3) come into the database once, nothing lost."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from pathlib import Path

from click.testing import CliRunner

from app.classroom.rounds import PracticeRound, RoundFormat
from app.classroom.store import ClassroomStore
from app.state import StateStore
from app.state.importer import import_data_dir
from app.web.sessions import SessionStore

# The classroom file as versions before the state database wrote it (schema 2, `PRAGMA user_version`).
LEGACY_CLASSROOM = (
    "CREATE TABLE assignments (code TEXT PRIMARY KEY, doc TEXT NOT NULL, side TEXT NOT NULL, format TEXT NOT NULL, "
    "thesis TEXT NOT NULL DEFAULT '', created_at REAL NOT NULL)",
    "CREATE TABLE attempts (id INTEGER PRIMARY KEY, token TEXT NOT NULL UNIQUE, assignment_code TEXT, "
    "student_name TEXT NOT NULL, side TEXT NOT NULL, state TEXT NOT NULL, draft TEXT NOT NULL DEFAULT '', "
    "scorecard TEXT, started_at REAL NOT NULL, finished_at REAL)",
    "CREATE TABLE turns (attempt_id INTEGER NOT NULL, seq INTEGER NOT NULL, phase TEXT NOT NULL, role TEXT NOT NULL, "
    "text TEXT NOT NULL, reply TEXT, started_at REAL NOT NULL, submitted_at REAL NOT NULL, "
    "expired INTEGER NOT NULL DEFAULT 0, truncated_words INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (attempt_id, seq))",
    "PRAGMA user_version = 2",
)
STATE = PracticeRound("for", RoundFormat(), "essay").state()


def _old_data_dir(root: Path) -> Path:
    sessions = root / "sessions"
    sessions.mkdir(parents=True)
    turn = {"user": "AI wins", "mode": "challenge", "doc": "essay", "text": "Does it?", "reply": {"citations": []}}
    debate = {"id": "a" * 32, "doc": "essay", "mode": "challenge", "created": "2025-01-01T00:00:00+00:00"}
    debate |= {"updated": "2025-01-01T00:01:00+00:00", "revision": 3, "turns": [{**turn, "at": "2025-01-01"}]}
    (sessions / f"{'a' * 32}.json").write_text(json.dumps(debate))
    (sessions / f"{'b' * 32}.json").write_text("{not json")
    with closing(sqlite3.connect(root / "classroom.sqlite3", isolation_level=None)) as conn:
        for statement in LEGACY_CLASSROOM:
            conn.execute(statement)
        conn.execute("INSERT INTO assignments VALUES ('ABC234', 'essay', 'for', '{}', '', 1.0)")
        conn.execute(
            "INSERT INTO attempts VALUES (7, 'tok-ada', 'ABC234', 'Ada', 'for', ?, 'my draft', NULL, 2.0, NULL)",
            (json.dumps(STATE),),
        )
        conn.execute("INSERT INTO turns VALUES (7, 0, 'opening', 'student', 'My opening.', NULL, 2.0, 3.0, 0, 0)")
    return root


def test_old_files_are_imported_once_and_left_readable(state: StateStore, tmp_path: Path) -> None:
    root = _old_data_dir(tmp_path / "old")
    report = import_data_dir(state, root)
    assert (report.debates, report.assignments, report.attempts, report.skipped) == (1, 1, 1, 1)
    again = import_data_dir(state, root)  # a second start, or a second server over the same files
    assert (again.debates, again.assignments, again.attempts) == (0, 0, 0)

    debate = SessionStore(root / "sessions", state).get("a" * 32)
    assert debate is not None and debate.revision == 3 and debate.history()[0]["content"] == "AI wins"
    attempt = ClassroomStore(state).load("tok-ada")
    assert attempt.student_name == "Ada" and attempt.draft == "my draft"
    assert [t.text for t in attempt.round.turns] == ["My opening."]
    assert json.loads((root / "sessions" / f"{'a' * 32}.json").read_text())["revision"] == 3  # untouched


def test_counterpoint_migrate_imports_and_exports(tmp_path: Path) -> None:
    from app.cli import main

    root = _old_data_dir(tmp_path / "old")
    result = CliRunner().invoke(main, ["--data-dir", str(root), "migrate", "--export-sessions", str(tmp_path / "x")])
    assert result.exit_code == 0, result.output
    assert "imported 1 debate(s), 1 assignment(s), 1 classroom attempt(s)" in result.output
    exported = json.loads((tmp_path / "x" / f"{'a' * 32}.json").read_text())
    assert exported["turns"][0]["text"] == "Does it?" and exported["revision"] == 3
    rerun = CliRunner().invoke(main, ["--data-dir", str(root), "migrate"])
    assert "nothing new to import" in rerun.output and "1 debate(s) stored" in rerun.output
