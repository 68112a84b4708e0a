"""The bot holds the opposite side for the whole round and never concedes (scripted fake models)."""

from __future__ import annotations

from app.classroom.opponent import BotEvent, concedes, guarded_stream, hold_side
from app.debate.models import Reply, Sentence
from app.debate.prompts import mode_spec
from app.debate.service import ReplyEvent
from tests.fakes import RecordingFake

OPENING = "I agree with the author: a probability model cannot make the surprising choices great cinema needs."
REBUTTAL = "Entry-level jobs may shrink, but the author says audiences will retreat toward trusted human gatekeepers."
CLOSING = "So the essay stands: AI does not know what it feels like to fail, and audiences can tell."
HOLD_AGAINST = "I am not changing sides: I still argue against the essay's thesis."


def _play(classroom, side: str, turns: list[str]):  # type: ignore[no-untyped-def]
    attempt = classroom.start("Ada", side)
    for text in turns:
        attempt = classroom.take_turn(attempt.token, text)
    return attempt


def test_mode_is_fixed_for_every_round_scaffolded(make_classroom) -> None:  # type: ignore[no-untyped-def]
    fake = RecordingFake(responses=["Who trains new directors when the entry-level work is automated?"])
    attempt = _play(make_classroom(fake), "for", [OPENING, REBUTTAL, CLOSING])
    bot_turns = [t for t in attempt.round.turns if t.role == "bot"]
    assert [t.reply["mode"] for t in bot_turns] == ["devils-advocate"] * 3  # type: ignore[index]
    ask = mode_spec("devils-advocate").piece_ask
    assert len(fake.calls) == 3 and all(ask in call[0].content for call in fake.calls)
    assert all("I argue for the essay's thesis" in call[-1].content for call in fake.calls)
    assert [t.phase for t in bot_turns] == ["opening", "rebuttal", "closing"]


def test_student_against_gets_a_defender_with_the_round_history(make_classroom) -> None:  # type: ignore[no-untyped-def]
    fake = RecordingFake(responses=["The author says the bottleneck is curation, not tools."])
    classroom = make_classroom(fake, strategy="free", rounds=2)
    attempt = _play(classroom, "against", ["ByteDance will conquer Hollywood.", "Cheap tools change everything."])
    assert [t.reply["mode"] for t in attempt.round.turns if t.role == "bot"] == ["defend", "defend"]  # type: ignore[index]
    assert len(fake.calls) == 4  # two bot turns, then the model's opinion on each student turn
    system, *history, message = fake.calls[1]
    assert mode_spec("defend").instruction in system.content
    assert [m.content for m in history] == ["ByteDance will conquer Hollywood.", attempt.round.turns[1].text]
    assert message.content.endswith("Cheap tools change everything.")
    assert "I argue against the essay's thesis" in message.content


def test_a_conceding_bot_reply_never_reaches_the_transcript(make_classroom) -> None:  # type: ignore[no-untyped-def]
    fake = RecordingFake(
        responses=[
            "You're right, I concede. The essay says the real bottleneck is curation [P8]. What else?",
            "Fair point, you have convinced me. Studios will survive [P9].",
        ]
    )
    classroom = make_classroom(fake, strategy="free", rounds=2)
    attempt = _play(classroom, "for", [OPENING, CLOSING])
    transcript = classroom.export_markdown(attempt.token)
    for phrase in ("You're right", "I concede", "Fair point", "convinced me"):
        assert phrase not in transcript
    bot_turns = [t for t in attempt.round.turns if t.role == "bot"]
    assert all(HOLD_AGAINST in t.text for t in bot_turns)
    assert bot_turns[0].reply["held_side"] == ["You're right, I concede."]  # type: ignore[index]
    assert "The essay says the real bottleneck is curation. [P8]" in bot_turns[0].text


def test_the_stream_holds_back_conceding_sentences() -> None:
    reply = Reply(text="", mode="defend", strategy="free")
    reply.sentences = [
        Sentence("I concede the point.", "unsupported"),
        Sentence("The essay disagrees [P2].", "supported"),
    ]
    reply.text = "I concede the point. The essay disagrees [P2]."
    events = [
        ReplyEvent("text", "I conc"),
        ReplyEvent("text", "ede the point. The essay "),
        ReplyEvent("text", "disagrees [P2]."),
    ]
    out = list(guarded_stream(iter([*events, ReplyEvent("reply", reply=reply)]), "for"))
    shown = "".join(e.text for e in out if e.reply is None)
    assert "concede" not in shown and "The essay disagrees [P2]." in shown
    final = out[-1]
    assert isinstance(final, BotEvent) and final.held == ["I concede the point."]
    assert final.reply is not None and final.reply.text.startswith("I am not changing sides")


def test_concessions_are_recognised_but_the_essays_own_words_are_not() -> None:
    for sentence in ("You're absolutely right.", "OK, I agree.", "Good point, I was wrong.", "I'll change my mind."):
        assert concedes(sentence), sentence
    assert not concedes("The author writes “you're right to be afraid” [P1].")
    assert not concedes("Since you agree, I'll take the other side.")
    reply = Reply(text="Nothing to drop here.", mode="defend", strategy="free")
    reply.sentences = [Sentence("Nothing to drop here.", "frame")]
    assert hold_side(reply, "for") == [] and reply.text == "Nothing to drop here."
