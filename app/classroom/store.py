"""Assignments, attempts and turns in the state database (`app.state`: SQLite or PostgreSQL).

Every student and bot turn is written the moment it happens, together with the round's state, in one
transaction, so a server that stops mid-round loses nothing and `load(token)` continues the round, on
this app server or another one over the same database. Writers queue rather than fail (SQLite's busy
timeout, PostgreSQL's connection pool). Attempts are found only by their unguessable token
(`secrets.token_urlsafe`); ids never leave the store except in the teacher's exports.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import IntegrityError

from app.classroom.errors import AccessDenied, ClassroomError
from app.classroom.rounds import BotReply, PracticeRound, RoundFormat, RoundTurn
from app.state import StateStore
from app.state import classroom as rows

TOKEN_BYTES = 24


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
    """The classroom's tables in the state database; one short transaction per operation."""

    def __init__(self, state: StateStore) -> None:
        self.state = state

    # --- assignments -----------------------------------------------------------------------------
    def add_assignment(self, assignment: Assignment) -> bool:
        """Store a new assignment; False if its code is taken."""
        values = {
            "code": assignment.code,
            "doc": assignment.doc,
            "side": assignment.side,
            "format": json.dumps(assignment.format.to_json()),
            "thesis": assignment.thesis,
            "created_at": assignment.created_at,
        }
        try:
            self.state.write(lambda conn: rows.add_assignment(conn, values))
        except IntegrityError:
            return False
        return True

    def assignment(self, code: str) -> Assignment | None:
        row = self.state.read(lambda conn: rows.assignment(conn, code))
        return _assignment(row) if row else None

    def assignments(self) -> list[Assignment]:
        return [_assignment(r) for r in self.state.read(rows.all_assignments)]

    # --- attempts --------------------------------------------------------------------------------
    def add_attempt(self, round_: PracticeRound, student_name: str, code: str | None, now: float) -> Attempt:
        token = secrets.token_urlsafe(TOKEN_BYTES)
        values = {
            "token": token,
            "assignment_code": code,
            "student_name": student_name,
            "side": round_.side,
            "state": json.dumps(round_.state()),
            "started_at": now,
        }
        attempt_id = self.state.write(lambda conn: rows.add_attempt(conn, values))
        return Attempt(attempt_id, token, code, student_name, round_, "", None, now, None)

    def load(self, token: str) -> Attempt:
        """The attempt behind a token; an unknown or malformed token is refused the same way."""
        found = self.state.read(lambda conn: _with_turns(conn, [rows.attempt_by_token(conn, str(token))]))
        if not token or not found:
            raise AccessDenied("no practice round with that key")
        return found[0]

    def attempts_for(self, code: str) -> list[Attempt]:
        return self.state.read(lambda conn: _with_turns(conn, rows.attempts_for(conn, code)))

    # --- writes as the round goes ----------------------------------------------------------------
    def add_turn(self, attempt: Attempt, turn: RoundTurn) -> None:
        """Write the round's newest turn and its state together; a turn already written is refused."""
        values = {
            "attempt_id": attempt.id,
            "seq": len(attempt.round.turns) - 1,
            "phase": turn.phase,
            "role": turn.role,
            "text": turn.text,
            "reply": json.dumps(turn.reply.to_json()) if turn.reply else None,
            "started_at": turn.started_at,
            "submitted_at": turn.submitted_at,
            "expired": bool(turn.expired),
            "truncated_words": turn.truncated_words,
        }
        state = json.dumps(attempt.round.state())

        def write(conn: Any) -> None:
            rows.add_turn(conn, values)
            rows.update_attempt(conn, attempt.id, state=state, draft="")

        try:
            self.state.write(write)
        except IntegrityError as exc:
            raise ClassroomError("this turn was already submitted (is the round open in another window?)") from exc

    def save_draft(self, attempt: Attempt, draft: str) -> None:
        self.state.write(lambda conn: rows.update_attempt(conn, attempt.id, draft=draft))

    def finish(self, attempt: Attempt, scorecard: dict[str, Any], now: float) -> None:
        card = json.dumps(scorecard)
        self.state.write(lambda conn: rows.update_attempt(conn, attempt.id, scorecard=card, finished_at=now))


def _with_turns(conn: Any, found: Sequence[rows.Row | None]) -> list[Attempt]:
    heads = [row for row in found if row is not None]
    turns = rows.turns_of(conn, [row["id"] for row in heads])
    return [_attempt(row, turns[row["id"]]) for row in heads]


def _attempt(row: rows.Row, turn_rows: list[rows.Row]) -> Attempt:
    round_ = PracticeRound.restore(json.loads(row["state"]), [_turn(t) for t in turn_rows])
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


def _assignment(row: rows.Row) -> Assignment:
    fmt = RoundFormat.from_json(json.loads(row["format"]))
    return Assignment(row["code"], row["doc"], row["side"], fmt, row["thesis"], row["created_at"])


def _turn(row: rows.Row) -> RoundTurn:
    return RoundTurn(
        phase=row["phase"],
        role=row["role"],
        text=row["text"],
        started_at=row["started_at"],
        submitted_at=row["submitted_at"],
        expired=bool(row["expired"]),
        truncated_words=row["truncated_words"],
        reply=BotReply.from_json(json.loads(row["reply"])) if row["reply"] else None,
    )
