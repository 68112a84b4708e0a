"""Debates that survive a page reload and a server restart: one JSON file per debate.

Files live under `settings.data_dir / "sessions"` and are written atomically (temp file, fsync,
rename). The browser keeps only the debate id (in localStorage, via `gr.BrowserState`). A turn being
written lives in memory as `Debate.pending` until it is committed, or committed early by Stop.

Several server processes may share one data dir: a turn is appended under an exclusive `flock` on the
debate's lock file, on top of whatever another process wrote meanwhile (the file's `revision` says so),
and a cached debate is re-read when its file changed. Different debates never wait for each other.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import secrets
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from app.debate.errors import CounterpointError
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
    """One exchange: the user's message and the reply (`Reply.to_json()`; None if stopped before it)."""

    user: str
    mode: str
    doc: str
    text: str
    reply: dict[str, Any] | None = None
    stopped: bool = False
    at: str = field(default_factory=now)

    @property
    def citations(self) -> list[dict[str, Any]]:
        return list(self.reply["citations"]) if self.reply else []

    @property
    def notice(self) -> str:
        return str(self.reply.get("notice", "")) if self.reply else ""


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
    revision: int = 0  # bumped by every write, so a process can tell that another one wrote
    lock: threading.RLock = field(default_factory=threading.RLock, compare=False, repr=False)
    seen_mtime_ns: int = field(default=0, compare=False, repr=False)  # the file as this process last saw it

    def history(self, upto: int | None = None) -> list[dict[str, str]]:
        """Messages in the service's `{"role", "content"}` form."""
        out: list[dict[str, str]] = []
        for turn in self.turns[:upto]:
            out += [{"role": "user", "content": turn.user}, {"role": "assistant", "content": turn.text}]
        return out

    def last_reply(self) -> dict[str, Any] | None:
        for turn in reversed(self.turns):
            if turn.reply is not None:
                return turn.reply
        return None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "doc": self.doc,
            "mode": self.mode,
            "turns": [clean_strings(asdict(t)) for t in self.turns],  # no control or bidi characters on disk
            "created": self.created,
            "updated": self.updated,
            "revision": self.revision,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Debate:
        turns = [Turn(**clean_strings(t)) for t in data.get("turns", [])]  # nor from a file written before
        return cls(
            id=data["id"],
            doc=data["doc"],
            mode=data["mode"],
            turns=turns,
            created=data.get("created", now()),
            updated=data.get("updated", now()),
            revision=int(data.get("revision", 0)),
        )


class SessionStore:
    """Debates on disk with a small in-memory cache; safe to share between request threads."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.folder.mkdir(parents=True, exist_ok=True)
        self._cache: OrderedDict[str, Debate] = OrderedDict()
        self._lock = threading.RLock()

    # --- lookup ----------------------------------------------------------------------------------
    def new(self, doc: str, mode: str) -> Debate:
        debate = Debate(id=uuid.uuid4().hex, doc=doc, mode=mode)
        with self._lock:
            self._remember(debate)
        return debate

    def get(self, session_id: object) -> Debate | None:
        """The debate with this id, from memory or disk; None for unknown or malformed ids."""
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
        with debate.lock:
            if debate.pending is None:
                self._refresh(debate)  # another process may have added turns
        return debate

    def path(self, session_id: str) -> Path:
        return self.folder / f"{session_id}.json"

    def _load(self, session_id: str) -> Debate | None:
        path = self.path(session_id)
        try:
            mtime = path.stat().st_mtime_ns
            debate = Debate.from_json(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError, KeyError, TypeError):
            return None
        debate.seen_mtime_ns = mtime
        return debate

    def _refresh(self, debate: Debate) -> None:
        """Take the turns on disk if the file changed since this process last read or wrote it."""
        try:
            mtime = self.path(debate.id).stat().st_mtime_ns
        except OSError:
            return
        if mtime == debate.seen_mtime_ns:
            return
        disk = self._load(debate.id)
        if disk is not None and disk.revision >= debate.revision:
            debate.turns, debate.mode, debate.doc = disk.turns, disk.mode, disk.doc
            debate.revision, debate.updated, debate.seen_mtime_ns = disk.revision, disk.updated, disk.seen_mtime_ns

    def _remember(self, debate: Debate) -> None:
        self._cache[debate.id] = debate
        self._cache.move_to_end(debate.id)
        idle = [key for key, d in self._cache.items() if d.pending is None]
        for key in idle[: max(0, len(self._cache) - CACHE_SIZE)]:
            del self._cache[key]

    # --- writing ---------------------------------------------------------------------------------
    @contextmanager
    def _exclusive(self, debate: Debate) -> Iterator[None]:
        """This debate's lock: its in-memory lock, then its lock file (other processes)."""
        with debate.lock:
            fd = os.open(self.folder / f".{debate.id}.lock", os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
                yield
            finally:
                os.close(fd)  # releases the flock

    def save(self, debate: Debate) -> None:
        """Write the debate (its mode, after a switch) atomically, keeping turns another process added."""
        with self._exclusive(debate):
            mode, doc = debate.mode, debate.doc
            self._refresh(debate)
            debate.mode, debate.doc = mode, doc
            self._write(debate)

    def _write(self, debate: Debate) -> None:
        debate.updated = now()
        debate.revision += 1
        payload = json.dumps(debate.to_json(), ensure_ascii=False, indent=1)
        target = self.path(debate.id)
        tmp = target.with_name(f".{debate.id}.{uuid.uuid4().hex[:8]}.tmp")
        try:
            with open(tmp, "w", encoding="utf-8") as handle:
                handle.write(payload)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, target)
        except OSError:
            with suppress(OSError):
                tmp.unlink(missing_ok=True)
            raise
        debate.seen_mtime_ns = target.stat().st_mtime_ns

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
        with self._exclusive(debate):
            self._refresh(debate)  # on top of turns another process recorded meanwhile
            before = (list(debate.turns), debate.mode, debate.doc, debate.revision)
            if pending.replaces_last and debate.turns:
                debate.turns.pop()
            debate.turns.append(turn)
            debate.mode, debate.doc = turn.mode, turn.doc
            try:
                self._write(debate)
            except OSError:  # disk full or read-only: memory stays as the disk is, the turn stays pending
                debate.turns, debate.mode, debate.doc, debate.revision = before
                raise
            debate.pending = None

    def count(self) -> int:
        return sum(1 for _ in self.folder.glob("*.json"))


def browser_secret(folder: Path) -> str:
    """The key `gr.BrowserState` encrypts the session id with; kept on disk so restarts keep sessions."""
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
