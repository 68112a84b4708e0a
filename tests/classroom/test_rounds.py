"""The round state machine: phases, turn order, the word limit, the clock (injected, never slept on)."""

from __future__ import annotations

import pytest

from app.classroom.errors import ClassroomError
from app.classroom.rounds import GRACE_S, PracticeRound, RoundFormat, cut_to_limit, parse_side
from tests.replies import bot_reply

T0 = 1_700_000_000.0


def _round(**fmt: int) -> PracticeRound:
    round_ = PracticeRound("for", RoundFormat(**fmt), "bytedance-hollywood")
    round_.start_turn(T0)
    return round_


def _bot(round_: PracticeRound, now: float) -> None:
    round_.add_bot_turn("bot says", bot_reply("bot says"), now, now)


def test_phases_run_opening_rebuttals_closing() -> None:
    assert RoundFormat(rounds=2).phases() == ["opening", "closing"]
    assert RoundFormat(rounds=3).phases() == ["opening", "rebuttal", "closing"]
    assert RoundFormat(rounds=4).phases() == ["opening", "rebuttal 1", "rebuttal 2", "closing"]


def test_student_then_bot_in_every_phase_until_finished() -> None:
    round_ = _round(rounds=3)
    seen = []
    while round_.status != "finished":
        seen.append((round_.phase, round_.status))
        if round_.status == "student":
            round_.submit("my point", T0)
        else:
            _bot(round_, T0)
    assert seen == [
        ("opening", "student"), ("opening", "bot"), ("rebuttal", "student"), ("rebuttal", "bot"),
        ("closing", "student"), ("closing", "bot"),
    ]  # fmt: skip
    assert [t.role for t in round_.turns] == ["student", "bot"] * 3
    assert round_.history()[0] == {"role": "user", "content": "my point"}
    assert round_.history()[1]["role"] == "assistant"


def test_out_of_turn_calls_are_refused() -> None:
    round_ = _round()
    with pytest.raises(ClassroomError, match="waiting for the student's turn"):
        _bot(round_, T0)
    round_.submit("point", T0)
    with pytest.raises(ClassroomError, match="waiting for the bot's turn"):
        round_.submit("again", T0)


def test_the_bot_always_holds_the_opposite_side() -> None:
    assert PracticeRound("for", RoundFormat(), "d").bot_side == "against"
    assert PracticeRound("against", RoundFormat(), "d").bot_side == "for"
    assert parse_side(" AGAINST ") == "against"
    with pytest.raises(ClassroomError, match="unknown side"):
        parse_side("both")


def test_word_limit_cuts_and_counts_what_was_dropped() -> None:
    assert cut_to_limit("one  two\nthree four", 3) == ("one  two\nthree", 1)
    assert cut_to_limit("  short turn ", 20) == ("short turn", 0)
    round_ = _round(word_limit=20)
    turn = round_.submit(" ".join(f"w{i}" for i in range(25)), T0)
    assert turn.text.split()[-1] == "w19" and turn.truncated_words == 5


def test_format_limits_are_checked() -> None:
    for bad in ({"rounds": 1}, {"rounds": 8}, {"word_limit": 5}, {"word_limit": 5000}, {"turn_seconds": -1}):
        with pytest.raises(ClassroomError):
            RoundFormat(**bad)


def test_timer_counts_down_and_a_late_turn_is_kept_but_marked_expired() -> None:
    round_ = _round(turn_seconds=60)
    assert round_.remaining(T0 + 15) == 45
    assert round_.remaining(T0 + 90) == 0
    on_time = round_.submit("in time", T0 + 60 + GRACE_S)
    assert not on_time.expired and on_time.seconds == 60 + GRACE_S
    _bot(round_, T0 + 70)
    assert round_.remaining(T0 + 70) == 60  # the next turn's clock starts when the bot has answered
    late = round_.submit("too late", T0 + 70 + 61 + GRACE_S)
    assert late.expired and late.text == "too late"


def test_expire_submits_the_draft_as_is_only_when_time_is_up() -> None:
    round_ = _round(turn_seconds=30)
    with pytest.raises(ClassroomError, match="still has time"):
        round_.expire("half a thought", T0 + 10)
    turn = round_.expire("half a thought", T0 + 31)
    assert turn.expired and turn.text == "half a thought"
    assert turn.submitted_at == T0 + 30  # stamped at the deadline, not when the server noticed
    assert round_.status == "bot"


def test_untimed_rounds_never_expire() -> None:
    round_ = _round()
    assert round_.remaining(T0 + 10_000) is None and not round_.overdue(T0 + 10_000)
    with pytest.raises(ClassroomError):
        round_.expire("draft", T0 + 10_000)


def test_state_round_trips_for_storage() -> None:
    round_ = _round(rounds=4, word_limit=50, turn_seconds=90)
    round_.thesis = "Hollywood is safe."
    round_.submit("a", T0 + 5)
    restored = PracticeRound.restore(round_.state(), list(round_.turns))
    assert restored == round_
    assert restored.status == "bot" and restored.format.turn_seconds == 90
