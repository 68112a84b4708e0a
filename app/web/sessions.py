"""Debates that survive a page reload, a server restart and a move to another app server.

Debates live in the state database (`app.state`: SQLite in the data dir, or PostgreSQL shared by several
app servers). The browser keeps only the debate id (in localStorage, via `gr.BrowserState`). A turn being
written lives in memory as `Debate.pending` until it is committed, or committed early by Stop.

Every write is one transaction checked against the debate's `revision`: when another server (or process)
wrote first, this one re-reads the debate and appends on top, so alternate turns answered by different
servers all land, in order. A cached debate is re-read when its stored revision moved on. Different
debates never wait for each other. `Debate.to_json()` is the JSON export format (and the file format of
earlier versions, imported by `app.state.importer`).
"""

from __future__ import annotations

import json
import os
import re
import secrets
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from app.debate.errors import CounterpointError
from app.debate.models import Citation, Reply
from app.state import StateStore, open_state
from app.state import debates as rows
from app.text_safety import clean_strings
from app.web.text import ui_text

SESSION_ID = re.compile(r"^[0-9a-f]{32}$")
CACHE_SIZE = 256
STALE_PENDING_S = 600.0  # a turn this old was abandoned (its page went away); a new one may start


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def is_session_id(value: object) -> bool:
    """Only ids we minted are used as file names (the browser could send anything)."""
    return isinstance(value, str) and bool(SESSION_ID.match(value))


@dataclass
class Turn:
    """One exchange: the user's message and the verified reply (None if stopped before it)."""

    user: str
    mode: str
    doc: str
    text: str
    reply: Reply | None = None
    stopped: bool = False
    at: str = field(default_factory=now)

    @property
    def citations(self) -> list[Citation]:
        return list(self.reply.citations) if self.reply else []

    @property
    def notice(self) -> str:
        return self.reply.notice if self.reply else ""

    def to_json(self) -> dict[str, Any]:
        """The stored form (a turn row, a turn of the export file): the reply as `Reply.to_json()`."""
        return {
            "user": self.user,
            "mode": self.mode,
            "doc": self.doc,
            "text": self.text,
            "reply": self.reply.to_json() if self.reply is not None else None,
            "stopped": self.stopped,
            "at": self.at,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Turn:
        """A stored turn, written by this version or an earlier one (`Reply.from_json` fills in newer keys)."""
        reply = data.get("reply")
        return cls(
            user=data["user"],
            mode=data["mode"],
            doc=data["doc"],
            text=data["text"],
            reply=Reply.from_json(reply) if reply is not None else None,
            stopped=data.get("stopped", False),
            at=data["at"] if "at" in data else now(),
        )


@dataclass
class Pending:
    """The turn being streamed; `text` grows as deltas arrive so Stop can keep what was shown."""

    token: str
    user: str
    mode: str
    doc: str
    replaces_last: bool
    text: str = ""
    started: float = field(default_factory=time.monotonic)


@dataclass
class Debate:
    """A debate about one document; `mode` is the mode last selected."""

    id: str
    doc: str
    mode: str
    turns: list[Turn] = field(default_factory=list)
    created: str = field(default_factory=now)
    updated: str = field(default_factory=now)
    pending: Pending | None = field(default=None, compare=False)
    revision: int = 0  # bumped by every write, so a server can tell that another one wrote
    lock: threading.RLock = field(default_factory=threading.RLock, compare=False, repr=False)

    def history(self, upto: int | None = None) -> list[dict[str, str]]:
        """Messages in the service's `{"role", "content"}` form."""
        out: list[dict[str, str]] = []
        for turn in self.turns[:upto]:
            out += [{"role": "user", "content": turn.user}, {"role": "assistant", "content": turn.text}]
        return out

    def last_reply(self) -> Reply | None:
        for turn in reversed(self.turns):
            if turn.reply is not None:
                return turn.reply
        return None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "doc": self.doc,
            "mode": self.mode,
            "turns": [clean_strings(t.to_json()) for t in self.turns],  # no control or bidi characters on disk
            "created": self.created,
            "updated": self.updated,
            "revision": self.revision,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Debate:
        turns = [Turn.from_json(clean_strings(t)) for t in data.get("turns", [])]  # nor from a file written before
        return cls(
            id=data["id"],
            doc=data["doc"],
            mode=data["mode"],
            turns=turns,
            created=data.get("created", now()),
            updated=data.get("updated", now()),
            revision=int(data.get("revision", 0)),
        )

    def to_row(self, turns: list[Turn] | None = None) -> rows.DebateRow:
        chosen = self.turns if turns is None else turns
        stored = [clean_strings(t.to_json()) for t in chosen]
        return rows.DebateRow(self.id, self.doc, self.mode, self.created, self.updated, self.revision, stored)

    def take(self, row: rows.DebateRow) -> None:
        """Become what is stored."""
        self.turns = [Turn.from_json(t) for t in row.turns]
        self.doc, self.mode, self.created, self.updated, self.revision = (
            row.doc,
            row.mode,
            row.created,
            row.updated,
            row.revision,
        )


class SessionStore:
    """Debates in the state database with a small in-memory cache; safe to share between request threads.

    `folder` is where debate JSON files are exported to (and where earlier versions kept them); `state`
    defaults to the SQLite database of the data dir above it."""

    MAX_CONFLICTS = 50  # re-read and retry at most this often when other servers keep writing first

    def __init__(self, folder: Path, state: StateStore | None = None) -> None:
        self.folder = folder
        self.state = state or open_state(folder.parent)
        self._cache: OrderedDict[str, Debate] = OrderedDict()
        self._lock = threading.RLock()

    # --- lookup ----------------------------------------------------------------------------------
    def new(self, doc: str, mode: str) -> Debate:
        debate = Debate(id=uuid.uuid4().hex, doc=doc, mode=mode)
        with self._lock:
            self._remember(debate)
        return debate

    def get(self, session_id: object) -> Debate | None:
        """The debate with this id, from memory or the database; None for unknown or malformed ids."""
        if not is_session_id(session_id):
            return None
        assert isinstance(session_id, str)
        with self._lock:
            debate = self._cache.get(session_id)
            if debate is not None:
                self._cache.move_to_end(session_id)
        if debate is None:
            debate = self._load(session_id)
            if debate is None:
                return None
            with self._lock:
                debate = self._cache.setdefault(session_id, debate)  # another thread may have loaded it too
                self._remember(debate)
            return debate
        with debate.lock:
            if debate.pending is None:
                self._refresh(debate)  # another server may have added turns
        return debate

    def path(self, session_id: str) -> Path:
        """Where `export()` writes this debate's JSON file."""
        return self.folder / f"{session_id}.json"

    def _load(self, session_id: str) -> Debate | None:
        row = self.state.read(lambda conn: rows.load(conn, session_id))
        if row is None:
            return None
        debate = Debate(id=row.id, doc=row.doc, mode=row.mode)
        debate.take(row)
        return debate

    def _refresh(self, debate: Debate) -> None:
        """Take the stored debate if its revision moved past the one this server last read or wrote."""
        stored = self.state.read(lambda conn: rows.revision(conn, debate.id))
        if stored is None or stored <= debate.revision:
            return
        row = self.state.read(lambda conn: rows.load(conn, debate.id))
        if row is not None:
            debate.take(row)

    def _remember(self, debate: Debate) -> None:
        self._cache[debate.id] = debate
        self._cache.move_to_end(debate.id)
        idle = [key for key, d in self._cache.items() if d.pending is None]
        for key in idle[: max(0, len(self._cache) - CACHE_SIZE)]:
            del self._cache[key]

    # --- writing ---------------------------------------------------------------------------------
    def save(self, debate: Debate) -> None:
        """Store the debate's mode and document (after a switch), keeping turns another server added."""
        with debate.lock:
            mode, doc = debate.mode, debate.doc
            self._write(debate, lambda turns: (turns, mode, doc))

    def begin(self, debate: Debate, user: str, mode: str, doc: str, replaces_last: bool = False) -> Pending:
        """Reserve the debate for one streamed turn; a second concurrent turn is refused."""
        with debate.lock:
            busy = debate.pending is not None and time.monotonic() - debate.pending.started < STALE_PENDING_S
            if busy:
                raise CounterpointError(ui_text("busy"))
            debate.pending = Pending(uuid.uuid4().hex, user, mode, doc, replaces_last)
            return debate.pending

    def commit(self, debate: Debate, pending: Pending, turn: Turn) -> bool:
        """Record the finished turn, unless Stop already recorded it; returns whether it was recorded."""
        with debate.lock:
            if debate.pending is None or debate.pending.token != pending.token:
                return False
            self._append(debate, pending, turn)
            return True

    def abandon(self, debate: Debate, pending: Pending) -> None:
        """Release the debate after a failed turn (nothing is recorded)."""
        with debate.lock:
            if debate.pending is not None and debate.pending.token == pending.token:
                debate.pending = None

    def stop(self, debate: Debate, marker: str) -> Turn | None:
        """Record whatever the pending turn had shown, marked as stopped."""
        with debate.lock:
            pending = debate.pending
            if pending is None:
                return None
            text = (pending.text.rstrip() + "\n\n" + marker).strip()
            turn = Turn(user=pending.user, mode=pending.mode, doc=pending.doc, text=text, stopped=True)
            self._append(debate, pending, turn)
            return turn

    def _append(self, debate: Debate, pending: Pending, turn: Turn) -> None:
        def change(turns: list[Turn]) -> tuple[list[Turn], str, str]:
            kept = turns[:-1] if pending.replaces_last and turns else turns
            return [*kept, turn], turn.mode, turn.doc

        self._write(debate, change, turn_key=pending.token)  # on failure memory stays as stored, still pending
        debate.pending = None

    def _write(self, debate: Debate, change: Change, turn_key: str | None = None) -> None:
        """Apply `change` to the stored debate in one transaction, re-reading and retrying when another
        writer got there first; the in-memory debate is updated only once the write is kept."""
        for _ in range(self.MAX_CONFLICTS):
            try:
                row = self.state.write(lambda conn: self._apply(conn, debate, change, turn_key))
            except rows.RevisionConflict:
                self._reread(debate)
                continue
            debate.take(row)
            return
        raise CounterpointError("this debate is being changed elsewhere; please try again")

    def _apply(self, conn: Any, debate: Debate, change: Change, turn_key: str | None) -> rows.DebateRow:
        if turn_key and rows.has_turn(conn, debate.id, turn_key):  # a retry of a write that was kept
            found = rows.load(conn, debate.id)
            assert found is not None
            return found
        turns, mode, doc = change(list(debate.turns))
        row = debate.to_row(turns)
        row.mode, row.doc, row.updated, row.revision = mode, doc, now(), debate.revision + 1
        rows.write_head(conn, row, debate.revision)
        first_changed = next((i for i, (a, b) in enumerate(zip(debate.turns, turns, strict=False)) if a != b), None)
        start = min(len(debate.turns), len(turns)) if first_changed is None else first_changed
        for seq in range(start, len(turns)):
            rows.put_turn(conn, debate.id, seq, row.turns[seq], turn_key if seq == len(turns) - 1 else None)
        return row

    def _reread(self, debate: Debate) -> None:
        row = self.state.read(lambda conn: rows.load(conn, debate.id))
        if row is not None:
            debate.take(row)

    # --- export ----------------------------------------------------------------------------------
    def export(self, debate: Debate, folder: Path | None = None) -> Path:
        """Write the debate as JSON (the export format; earlier versions' session file) and return the path."""
        target = (folder or self.folder) / f"{debate.id}.json"
        write_json_atomically(target, debate.to_json())
        return target

    def export_all(self, folder: Path) -> int:
        """Every stored debate as `folder/<id>.json`; returns how many were written."""
        written = 0
        for debate_id in sorted(self.state.read(rows.all_ids)):
            debate = self.get(debate_id)
            if debate is not None:
                self.export(debate, folder)
                written += 1
        return written

    def count(self) -> int:
        return self.state.read(rows.count)

    # --- a browser's list of debates -------------------------------------------------------------
    def summaries(self, ids: list[str]) -> list[DebateSummary]:
        """The stored debates among `ids` (one browser's), latest first; ids never minted are skipped."""
        wanted = [i for i in ids if is_session_id(i)]
        if not wanted:
            return []
        found = self.state.read(lambda conn: rows.summaries(conn, wanted))
        return [DebateSummary(*row) for row in found]

    def delete(self, debate_id: str) -> bool:
        """Delete a stored debate (not one being answered); returns whether one was deleted."""
        if not is_session_id(debate_id):
            return False
        with self._lock:
            cached = self._cache.get(debate_id)
            if cached is not None and cached.pending is not None:
                raise CounterpointError(ui_text("busy"))
            self._cache.pop(debate_id, None)
        return bool(self.state.write(lambda conn: rows.remove(conn, debate_id)))


@dataclass(frozen=True)
class DebateSummary:
    """One line of a browser's list of debates."""

    id: str
    doc: str
    updated: str
    turns: int


Change = Callable[[list[Turn]], tuple[list[Turn], str, str]]


def write_json_atomically(target: Path, data: dict[str, Any]) -> None:
    """Temp file, fsync, rename: a reader never sees half a file."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.stem}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        with open(tmp, "w", encoding="utf-8") as handle:
            handle.write(json.dumps(data, ensure_ascii=False, indent=1))
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except OSError:
        with suppress(OSError):
            tmp.unlink(missing_ok=True)
        raise


def browser_secret(folder: Path) -> str:
    """The key `gr.BrowserState` encrypts ids with, in a file of this folder (earlier versions; imported
    into the state database, where every app server finds the same key: `shared_browser_secret`)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / ".browser-secret"
    try:
        secret = path.read_text(encoding="utf-8").strip()
        if secret:
            return secret
    except OSError:
        pass
    secret = secrets.token_urlsafe(24)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(secret)
    return secret


def shared_browser_secret(sessions: SessionStore) -> str:
    """The browser-state key every app server shares (taken over from the data dir's file if it had one)."""
    return sessions.state.secret("browser", initial=_existing_file_secret(sessions.folder.parent))


def _existing_file_secret(folder: Path) -> str | None:
    try:
        return (folder / ".browser-secret").read_text(encoding="utf-8").strip() or None
    except OSError:
        return None
