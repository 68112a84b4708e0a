"""Assignments, attempts and turns in SQLite (stdlib `sqlite3`) in the data dir.

Every student and bot turn is written the moment it happens, together with the round's state, in one
transaction, so a server that stops mid-round loses nothing and `load(token)` continues the round. The
schema grows by numbered migrations (`MIGRATIONS`, applied in order, tracked in `PRAGMA user_version`).
WAL lets the teacher's page read while students write; `busy_timeout` makes writers wait, not fail.
Attempts are found only by their unguessable token (`secrets.token_urlsafe`); ids never leave the store
except in the teacher's exports.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.classroom.errors import AccessDenied, ClassroomError
from app.classroom.rounds import PracticeRound, RoundFormat, RoundTurn

BUSY_TIMEOUT_MS = 5000
TOKEN_BYTES = 24
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (  # 1: the schema
        """CREATE TABLE assignments (
            code TEXT PRIMARY KEY,
            doc TEXT NOT NULL,
            side TEXT NOT NULL CHECK (side IN ('for', 'against', 'choice')),
            format TEXT NOT NULL,
            thesis TEXT NOT NULL DEFAULT '',
            created_at REAL NOT NULL)""",
        """CREATE TABLE attempts (
            id INTEGER PRIMARY KEY,
            token TEXT NOT NULL UNIQUE,
            assignment_code TEXT REFERENCES assignments(code),
            student_name TEXT NOT NULL,
            side TEXT NOT NULL CHECK (side IN ('for', 'against')),
            state TEXT NOT NULL,
            draft TEXT NOT NULL DEFAULT '',
            scorecard TEXT,
            started_at REAL NOT NULL,
            finished_at REAL)""",
        """CREATE TABLE turns (
            attempt_id INTEGER NOT NULL REFERENCES attempts(id) ON DELETE CASCADE,
            seq INTEGER NOT NULL,
            phase TEXT NOT NULL,
            role TEXT NOT NULL CHECK (role IN ('student', 'bot')),
            text TEXT NOT NULL,
            reply TEXT,
            started_at REAL NOT NULL,
            submitted_at REAL NOT NULL,
            expired INTEGER NOT NULL DEFAULT 0,
            truncated_words INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (attempt_id, seq))""",
    ),
    (  # 2: the teacher's listing reads attempts by assignment, oldest first
        "CREATE INDEX attempts_by_assignment ON attempts (assignment_code, started_at)",
    ),
)


@dataclass(frozen=True)
class Assignment:
    """What a teacher set: the text, the side (`for`, `against` or `choice`), the format and a join code."""

    code: str
    doc: str
    side: str
    format: RoundFormat
    thesis: str
    created_at: float


@dataclass
class Attempt:
    """One student's round. `token` is the student's only key to it."""

    id: int
    token: str
    assignment_code: str | None
    student_name: str
    round: PracticeRound
    draft: str
    scorecard: dict[str, Any] | None
    started_at: float
    finished_at: float | None


class ClassroomStore:
    """The classroom's SQLite database; one short connection per operation, so threads never share one."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with closing(self._connect()) as conn:
            conn.execute("PRAGMA journal_mode=WAL")
            migrate(conn)

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        conn.row_factory = sqlite3.Row
        conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA foreign_keys=ON")
        return conn

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, taken at once (BEGIN IMMEDIATE) so concurrent writers queue."""
        with closing(self._connect()) as conn:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    def _read(self, sql: str, args: tuple[Any, ...] = ()) -> list[sqlite3.Row]:
        with closing(self._connect()) as conn:
            return list(conn.execute(sql, args))

    # --- assignments -----------------------------------------------------------------------------
    def add_assignment(self, assignment: Assignment) -> bool:
        """Store a new assignment; False if its code is taken."""
        try:
            with self._write() as conn:
                conn.execute(
                    "INSERT INTO assignments (code, doc, side, format, thesis, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                    (
                        assignment.code,
                        assignment.doc,
                        assignment.side,
                        json.dumps(assignment.format.to_json()),
                        assignment.thesis,
                        assignment.created_at,
                    ),
                )
        except sqlite3.IntegrityError:
            return False
        return True

    def assignment(self, code: str) -> Assignment | None:
        rows = self._read("SELECT * FROM assignments WHERE code = ?", (code,))
        return _assignment(rows[0]) if rows else None

    def assignments(self) -> list[Assignment]:
        return [_assignment(r) for r in self._read("SELECT * FROM assignments ORDER BY created_at")]

    # --- attempts --------------------------------------------------------------------------------
    def add_attempt(self, round_: PracticeRound, student_name: str, code: str | None, now: float) -> Attempt:
        token = secrets.token_urlsafe(TOKEN_BYTES)
        with self._write() as conn:
            cursor = conn.execute(
                "INSERT INTO attempts (token, assignment_code, student_name, side, state, started_at) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (token, code, student_name, round_.side, json.dumps(round_.state()), now),
            )
        return Attempt(int(cursor.lastrowid or 0), token, code, student_name, round_, "", None, now, None)

    def load(self, token: str) -> Attempt:
        """The attempt behind a token; an unknown or malformed token is refused the same way."""
        rows = self._read("SELECT * FROM attempts WHERE token = ?", (str(token),)) if token else []
        if not rows:
            raise AccessDenied("no practice round with that key")
        return self._attempt(rows[0])

    def attempts_for(self, code: str) -> list[Attempt]:
        rows = self._read("SELECT * FROM attempts WHERE assignment_code = ? ORDER BY started_at, id", (code,))
        return [self._attempt(r) for r in rows]

    def _attempt(self, row: sqlite3.Row) -> Attempt:
        turns = [_turn(t) for t in self._read("SELECT * FROM turns WHERE attempt_id = ? ORDER BY seq", (row["id"],))]
        round_ = PracticeRound.restore(json.loads(row["state"]), turns)
        scorecard = json.loads(row["scorecard"]) if row["scorecard"] else None
        return Attempt(
            row["id"],
            row["token"],
            row["assignment_code"],
            row["student_name"],
            round_,
            row["draft"],
            scorecard,
            row["started_at"],
            row["finished_at"],
        )

    # --- writes as the round goes ----------------------------------------------------------------
    def add_turn(self, attempt: Attempt, turn: RoundTurn) -> None:
        """Write the round's newest turn and its state together; a turn already written is refused."""
        seq = len(attempt.round.turns) - 1
        try:
            with self._write() as conn:
                conn.execute(
                    "INSERT INTO turns (attempt_id, seq, phase, role, text, reply, started_at, submitted_at, "
                    "expired, truncated_words) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        attempt.id,
                        seq,
                        turn.phase,
                        turn.role,
                        turn.text,
                        json.dumps(turn.reply) if turn.reply else None,
                        turn.started_at,
                        turn.submitted_at,
                        int(turn.expired),
                        turn.truncated_words,
                    ),
                )
                conn.execute(
                    "UPDATE attempts SET state = ?, draft = '' WHERE id = ?",
                    (json.dumps(attempt.round.state()), attempt.id),
                )
        except sqlite3.IntegrityError as exc:
            raise ClassroomError("this turn was already submitted (is the round open in another window?)") from exc

    def save_state(self, attempt: Attempt) -> None:
        with self._write() as conn:
            conn.execute("UPDATE attempts SET state = ? WHERE id = ?", (json.dumps(attempt.round.state()), attempt.id))

    def save_draft(self, attempt: Attempt, draft: str) -> None:
        with self._write() as conn:
            conn.execute("UPDATE attempts SET draft = ? WHERE id = ?", (draft, attempt.id))

    def finish(self, attempt: Attempt, scorecard: dict[str, Any], now: float) -> None:
        with self._write() as conn:
            conn.execute(
                "UPDATE attempts SET scorecard = ?, finished_at = ? WHERE id = ?",
                (json.dumps(scorecard), now, attempt.id),
            )


def migrate(conn: sqlite3.Connection) -> int:
    """Bring the schema up to date, one migration per transaction; returns the resulting version."""
    for version, statements in enumerate(MIGRATIONS, start=1):
        conn.execute("BEGIN IMMEDIATE")
        current = int(conn.execute("PRAGMA user_version").fetchone()[0])
        if current > len(MIGRATIONS):
            conn.execute("ROLLBACK")
            raise ClassroomError(f"the classroom database is from a newer Counterpoint (schema {current})")
        if current >= version:
            conn.execute("COMMIT")
            continue
        try:
            for statement in statements:
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {version}")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def schema_version(path: Path) -> int:
    with closing(sqlite3.connect(path)) as conn:
        return int(conn.execute("PRAGMA user_version").fetchone()[0])


def _assignment(row: sqlite3.Row) -> Assignment:
    fmt = RoundFormat.from_json(json.loads(row["format"]))
    return Assignment(row["code"], row["doc"], row["side"], fmt, row["thesis"], row["created_at"])


def _turn(row: sqlite3.Row) -> RoundTurn:
    return RoundTurn(
        phase=row["phase"],
        role=row["role"],
        text=row["text"],
        started_at=row["started_at"],
        submitted_at=row["submitted_at"],
        expired=bool(row["expired"]),
        truncated_words=row["truncated_words"],
        reply=json.loads(row["reply"]) if row["reply"] else None,
    )
