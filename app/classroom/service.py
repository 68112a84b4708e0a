"""The classroom service: what the web tab and `counterpoint practice` call to run a practice round.

A round is addressed by its attempt token only. The usual loop:

    attempt = classroom.join(code, "Ada")            # or classroom.start("Ada", "for") for free practice
    while attempt.round.status != "finished":
        if attempt.round.status == "student":        # show attempt.round.phase and seconds_left(attempt)
            attempt = classroom.submit(attempt.token, text)   # or expire(token, draft) when the clock runs out
        for event in classroom.bot_turn(attempt.token):       # stream the bot's reply
            ...
        attempt = classroom.resume(attempt.token)
    classroom.scorecard(attempt.token)

`resume(token)` after a restart or a quit returns the round where it stopped (a turn whose clock ran out
while the student was away is submitted with the last saved draft; a round waiting for the bot is waiting
for `bot_turn`).
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from app.classroom.errors import ClassroomError
from app.classroom.export import round_json, round_markdown
from app.classroom.opponent import BotEvent, stored_reply, stream_bot_turn
from app.classroom.rounds import PracticeRound, RoundFormat, parse_side
from app.classroom.scoring import Scorer
from app.classroom.store import Attempt, ClassroomStore
from app.debate import prompts
from app.debate.service import DebateService
from app.settings import ClassroomSettings
from app.state import StateStore, open_state
from app.text_safety import LINE_CONTROL

MAX_NAME_CHARS = 40
Clock = Callable[[], float]


def clean_name(name: str) -> str:
    """A display name: one line, at most MAX_NAME_CHARS characters, not empty."""
    cleaned = " ".join(LINE_CONTROL.sub(" ", name or "").split())[:MAX_NAME_CHARS]
    if not cleaned:
        raise ClassroomError("enter a display name")
    return cleaned


def normalise_code(code: str) -> str:
    return re.sub(r"[\s-]", "", code or "").upper()


class ClassroomService:
    """Practice rounds for students, stored as they happen; teachers use `app.classroom.teacher.Teacher`."""

    def __init__(
        self,
        debate: DebateService,
        settings: ClassroomSettings,
        data_dir: Path,
        clock: Clock = time.time,
        state: StateStore | None = None,
    ) -> None:
        """`state` defaults to SQLite in `data_dir` (`app.wiring.make_classroom` passes the configured one)."""
        self.debate = debate
        self.settings = settings
        self.clock = clock
        legacy = settings.database(data_dir)
        self.store = ClassroomStore(state or open_state(data_dir, legacy_classroom=legacy))
        self.scorer = Scorer(debate)
        self._busy: set[int] = set()
        self._busy_lock = threading.Lock()

    def default_format(self) -> RoundFormat:
        return RoundFormat(self.settings.rounds, self.settings.word_limit, self.settings.turn_seconds)

    # --- starting --------------------------------------------------------------------------------
    def start(
        self, student_name: str, side: str, *, doc: str | None = None, fmt: RoundFormat | None = None, thesis: str = ""
    ) -> Attempt:
        """Free practice: the student's own side and format (defaults from settings)."""
        doc = doc or self.debate.default_doc
        self.check_document(doc)
        round_ = PracticeRound(parse_side(side), fmt or self.default_format(), doc, self.thesis(doc, thesis))
        return self._open(round_, student_name, None)

    def thesis(self, doc: str, given: str = "") -> str:
        """The thesis the student argues for or against: the teacher's wording, else the map's thesis node."""
        if given.strip():
            return given.strip()
        node = self.debate.argument_map(doc).thesis_node
        return node.text if node is not None else ""

    def join(self, code: str, student_name: str, side: str | None = None) -> Attempt:
        """Join an assignment by its code; the side is the assignment's, or the student's when it is free."""
        assignment = self.store.assignment(normalise_code(code))
        if assignment is None:
            raise ClassroomError(f"no assignment with the code '{code}'")
        if assignment.side == "choice":
            if not side:
                raise ClassroomError("this assignment lets you choose a side: for or against")
            chosen = parse_side(side)
        else:
            chosen = parse_side(assignment.side)
            if side and parse_side(side) != chosen:
                raise ClassroomError(f"this assignment sets your side: {chosen}")
        self.check_document(assignment.doc)
        round_ = PracticeRound(
            chosen, assignment.format, assignment.doc, self.thesis(assignment.doc, assignment.thesis)
        )
        return self._open(round_, student_name, assignment.code)

    def _open(self, round_: PracticeRound, student_name: str, code: str | None) -> Attempt:
        name = clean_name(student_name)
        now = self.clock()
        round_.start_turn(now)
        return self.store.add_attempt(round_, name, code, now)

    def check_document(self, doc: str) -> None:
        if self.debate.document(doc) is None:
            raise ClassroomError(prompts.messages()["no_document"] + f" (missing: '{doc}')")

    # --- the student's turns ---------------------------------------------------------------------
    def resume(self, token: str) -> Attempt:
        """The round behind the token, where it stopped; an overdue turn is submitted with its saved draft."""
        attempt = self.store.load(token)
        if attempt.round.status == "student" and attempt.round.overdue(self.clock()):
            turn = attempt.round.expire(attempt.draft, self.clock())
            self.store.add_turn(attempt, turn)
        return attempt

    def seconds_left(self, attempt: Attempt) -> float | None:
        """Time left in the student's turn (None when untimed or not the student's turn)."""
        return attempt.round.remaining(self.clock())

    def submit(self, token: str, text: str) -> Attempt:
        """The student's turn (cut at the word limit; marked expired when it arrives after the deadline)."""
        attempt = self.store.load(token)
        turn = attempt.round.submit(text, self.clock())
        self.store.add_turn(attempt, turn)
        return attempt

    def expire(self, token: str, draft: str | None = None) -> Attempt:
        """The clock ran out: submit `draft` (or the last saved draft) as it is."""
        attempt = self.store.load(token)
        turn = attempt.round.expire(attempt.draft if draft is None else draft, self.clock())
        self.store.add_turn(attempt, turn)
        return attempt

    def save_draft(self, token: str, text: str) -> None:
        """Keep the text being typed, so a restart or a timeout while away submits it rather than nothing."""
        attempt = self.store.load(token)
        if attempt.round.status == "student":
            self.store.save_draft(attempt, text)

    # --- the bot's turns -------------------------------------------------------------------------
    def bot_turn(self, token: str) -> Iterator[BotEvent]:
        """Stream the bot's answer to the latest student turn, then store it; the last event has the reply."""
        attempt = self.store.load(token)
        if attempt.round.status != "bot":
            raise ClassroomError("the bot has nothing to answer yet")
        with self._only_once(attempt.id):
            started = self.clock()
            final: BotEvent | None = None
            for event in stream_bot_turn(self.debate, attempt.round):
                if event.reply is None:
                    yield event
                else:
                    final = event
            assert final is not None and final.reply is not None
            turn = attempt.round.add_bot_turn(
                final.reply.text, stored_reply(final.reply, final.held), started, self.clock()
            )
            self.store.add_turn(attempt, turn)
            if attempt.round.status == "finished":
                self._finish(attempt)
        yield final

    def take_turn(self, token: str, text: str) -> Attempt:
        """Submit the student's turn and wait for the bot's answer (terminal and tests)."""
        self.submit(token, text)
        for _ in self.bot_turn(token):
            pass
        return self.store.load(token)

    @contextmanager
    def _only_once(self, attempt_id: int) -> Iterator[None]:
        """Refuse a second bot turn for the same attempt while one is being generated in this process."""
        with self._busy_lock:
            if attempt_id in self._busy:
                raise ClassroomError("the bot is already answering this turn")
            self._busy.add(attempt_id)
        try:
            yield
        finally:
            with self._busy_lock:
                self._busy.discard(attempt_id)

    # --- results ---------------------------------------------------------------------------------
    def scorecard(self, token: str) -> dict[str, Any]:
        """The finished round's scorecard (computed once, at the end, and stored)."""
        attempt = self.store.load(token)
        if attempt.round.status != "finished":
            raise ClassroomError("the scorecard comes after the closing")
        return attempt.scorecard or self._finish(attempt)

    def export_markdown(self, token: str) -> str:
        attempt = self.store.load(token)
        return round_markdown(attempt, self._card_if_finished(attempt))

    def export_json(self, token: str) -> dict[str, Any]:
        attempt = self.store.load(token)
        return round_json(attempt, self._card_if_finished(attempt))

    def _card_if_finished(self, attempt: Attempt) -> dict[str, Any] | None:
        if attempt.round.status != "finished":
            return None
        return attempt.scorecard or self._finish(attempt)

    def _finish(self, attempt: Attempt) -> dict[str, Any]:
        card = self.scorer.score_round(attempt.round).to_json()
        now = self.clock()
        self.store.finish(attempt, card, now)
        attempt.scorecard, attempt.finished_at = card, now
        return card
