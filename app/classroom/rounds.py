"""A practice round as a pure state machine: phases, turns, the word limit and the turn clock.

Phases run opening → rebuttal × (rounds − 2) → closing; in each phase the student speaks, then the bot.
Nothing here sleeps or reads a clock: every call takes `now` (seconds since the epoch), so tests inject
time and a round restored from the database carries on where it stopped.

Word limit: a longer turn is **cut** at the limit (never refused), with the number of words dropped kept
on the turn and shown in the transcript — a turn submitted because the clock ran out cannot be refused.

Clock: a student turn's deadline is `started_at + turn_seconds`. A turn submitted after it (allowing
`GRACE_S` for the network) is marked `expired` and kept as is; `expire()` submits the current draft when
the clock runs out. The clock keeps running while the student is away: a turn found overdue on resume is
submitted with the last saved draft.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields
from typing import Any, Literal, Self, cast

from app.classroom.errors import ClassroomError
from app.classroom.limits import MAX_ROUNDS, MAX_TURN_SECONDS, MAX_WORD_LIMIT, MIN_ROUNDS, MIN_WORD_LIMIT
from app.debate.models import Reply

Side = Literal["for", "against"]
SIDES: tuple[Side, ...] = ("for", "against")
Role = Literal["student", "bot"]
Status = Literal["student", "bot", "finished"]
GRACE_S = 2.0  # network and clock slack between a browser's timer and the server's
_WORD = re.compile(r"\S+")


def parse_side(value: str) -> Side:
    """`for` / `against`, case-insensitive; anything else is refused clearly."""
    key = (value or "").strip().lower()
    if key not in SIDES:
        raise ClassroomError(f"unknown side '{value}' (choose: for, against)")
    return cast(Side, key)


def opposite(side: Side) -> Side:
    return "against" if side == "for" else "for"


@dataclass(frozen=True)
class RoundFormat:
    """How many phases, how long a turn may be (words) and how long it may take (seconds, 0 = untimed)."""

    rounds: int = 3
    word_limit: int = 200
    turn_seconds: int = 0

    def __post_init__(self) -> None:
        if not MIN_ROUNDS <= self.rounds <= MAX_ROUNDS:
            raise ClassroomError(f"rounds must be {MIN_ROUNDS} to {MAX_ROUNDS} (opening, rebuttals, closing)")
        if not MIN_WORD_LIMIT <= self.word_limit <= MAX_WORD_LIMIT:
            raise ClassroomError(f"the word limit must be {MIN_WORD_LIMIT} to {MAX_WORD_LIMIT}")
        if not 0 <= self.turn_seconds <= MAX_TURN_SECONDS:
            raise ClassroomError(f"a turn may last 0 (no timer) to {MAX_TURN_SECONDS} seconds")

    def phases(self) -> list[str]:
        """`opening`, `rebuttal` (numbered when there are several), `closing`."""
        middle = self.rounds - 2
        rebuttals = ["rebuttal"] if middle == 1 else [f"rebuttal {i}" for i in range(1, middle + 1)]
        return ["opening", *rebuttals, "closing"]

    def to_json(self) -> dict[str, int]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RoundFormat:
        return cls(int(data["rounds"]), int(data["word_limit"]), int(data["turn_seconds"]))


@dataclass
class BotReply(Reply):
    """The stored form of a bot turn: the service's verified reply plus the sentences the side guard held
    back (`held_side`). Its JSON is the reply's JSON with `held_side` last."""

    held_side: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, reply: Reply, held: list[str]) -> BotReply:
        return cls(**{f.name: getattr(reply, f.name) for f in fields(Reply)}, held_side=list(held))

    def to_json(self) -> dict[str, Any]:
        return {**super().to_json(), "held_side": list(self.held_side)}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Self:
        reply = super().from_json(data)
        reply.held_side = list(data.get("held_side", []))
        return reply


@dataclass
class RoundTurn:
    """One turn as it happened. `reply` is the bot's verified reply (None for the student's turns);
    `expired` = the clock ran out."""

    phase: str
    role: Role
    text: str
    started_at: float
    submitted_at: float
    expired: bool = False
    truncated_words: int = 0
    reply: BotReply | None = None

    @property
    def seconds(self) -> float:
        return max(0.0, self.submitted_at - self.started_at)


def cut_to_limit(text: str, limit: int) -> tuple[str, int]:
    """The text up to its `limit`-th word (original spacing kept) and how many words were dropped."""
    found = list(_WORD.finditer(text.strip()))
    if len(found) <= limit:
        return text.strip(), 0
    return text.strip()[: found[limit - 1].end()], len(found) - limit


def word_count(text: str) -> int:
    return len(_WORD.findall(text))


@dataclass
class PracticeRound:
    """The state of one round: the student's side, the format, the turns so far and the turn clock."""

    side: Side
    format: RoundFormat
    doc: str
    thesis: str = ""
    turns: list[RoundTurn] = field(default_factory=list)
    turn_started_at: float | None = None

    # --- where the round stands ------------------------------------------------------------------
    @property
    def bot_side(self) -> Side:
        """The bot always holds the opposite side; it is derived, never stored, so it cannot drift."""
        return opposite(self.side)

    @property
    def status(self) -> Status:
        spoken = len(self.turns)
        if spoken >= 2 * self.format.rounds:
            return "finished"
        return "student" if spoken % 2 == 0 else "bot"

    @property
    def phase(self) -> str:
        """The current phase (the last one once finished)."""
        phases = self.format.phases()
        return phases[min(len(self.turns) // 2, len(phases) - 1)]

    def student_turns(self) -> list[RoundTurn]:
        return [t for t in self.turns if t.role == "student"]

    def previous_bot_turn(self, student_index: int) -> RoundTurn | None:
        """The bot turn the `student_index`-th student turn answers (None for the opening)."""
        at = 2 * student_index - 1
        return self.turns[at] if at > 0 else None

    def history(self) -> list[dict[str, str]]:
        """The round so far as chat history for the debate service."""
        return [{"role": "user" if t.role == "student" else "assistant", "content": t.text} for t in self.turns]

    # --- the clock -------------------------------------------------------------------------------
    def start_turn(self, now: float) -> None:
        """Start the student's clock (when the turn is shown to them)."""
        self._expect("student")
        if self.turn_started_at is None:
            self.turn_started_at = now

    @property
    def deadline(self) -> float | None:
        if not self.format.turn_seconds or self.turn_started_at is None or self.status != "student":
            return None
        return self.turn_started_at + self.format.turn_seconds

    def remaining(self, now: float) -> float | None:
        """Seconds left in the student's turn (never below 0); None when untimed."""
        deadline = self.deadline
        return None if deadline is None else max(0.0, deadline - now)

    def overdue(self, now: float) -> bool:
        deadline = self.deadline
        return deadline is not None and now > deadline + GRACE_S

    # --- turns -----------------------------------------------------------------------------------
    def submit(self, text: str, now: float) -> RoundTurn:
        """The student's turn, cut at the word limit; late turns are kept as is and marked expired."""
        self._expect("student")
        return self._add_student_turn(text, now, expired=self.overdue(now))

    def expire(self, draft: str, now: float) -> RoundTurn:
        """The clock ran out: submit the draft as is. Refused while time is left (or with no timer)."""
        self._expect("student")
        deadline = self.deadline
        if deadline is None or now < deadline - GRACE_S:
            raise ClassroomError("this turn still has time left; submit it instead")
        return self._add_student_turn(draft, min(now, deadline), expired=True)

    def add_bot_turn(self, text: str, reply: BotReply, started_at: float, now: float) -> RoundTurn:
        self._expect("bot")
        turn = RoundTurn(self.phase, "bot", text, started_at, now, reply=reply)
        self.turns.append(turn)
        self.turn_started_at = None
        if self.status == "student":
            self.start_turn(now)
        return turn

    def _add_student_turn(self, text: str, now: float, expired: bool) -> RoundTurn:
        kept, dropped = cut_to_limit(text or "", self.format.word_limit)
        started = self.turn_started_at if self.turn_started_at is not None else now
        turn = RoundTurn(self.phase, "student", kept, started, now, expired=expired, truncated_words=dropped)
        self.turns.append(turn)
        self.turn_started_at = None
        return turn

    def _expect(self, status: Status) -> None:
        if self.status != status:
            waiting = {"student": "the student's turn", "bot": "the bot's turn", "finished": "nothing (finished)"}
            raise ClassroomError(f"the round is waiting for {waiting[self.status]}, not {waiting[status]}")

    # --- persistence -----------------------------------------------------------------------------
    def state(self) -> dict[str, Any]:
        """Everything but the turns (those are stored one row each, as they happen)."""
        return {
            "side": self.side,
            "format": self.format.to_json(),
            "doc": self.doc,
            "thesis": self.thesis,
            "turn_started_at": self.turn_started_at,
        }

    @classmethod
    def restore(cls, state: dict[str, Any], turns: list[RoundTurn]) -> PracticeRound:
        return cls(
            side=parse_side(state["side"]),
            format=RoundFormat.from_json(state["format"]),
            doc=state["doc"],
            thesis=state.get("thesis", ""),
            turns=turns,
            turn_started_at=state.get("turn_started_at"),
        )
