"""The bot holds the opposite side for the whole round and never concedes (scripted fake models)."""

from __future__ import annotations

import pytest

from app.classroom.opponent import BotEvent, concedes, guarded_stream, hold_side
from app.debate.models import Quote, Reply, Sentence
from app.debate.prompts import mode_spec
from app.debate.service import ReplyEvent
from tests.fakes import RecordingFake

OPENING = "I agree with the author: a probability model cannot make the surprising choices great cinema needs."
REBUTTAL = "Entry-level jobs may shrink, but the author says audiences will retreat toward trusted human gatekeepers."
CLOSING = "So the essay stands: AI does not know what it feels like to fail, and audiences can tell."
HOLD_AGAINST = "I am not changing sides: I still argue against the essay's thesis."


def _play(classroom, side: str, turns: list[str]):
    attempt = classroom.start("Ada", side)
    for text in turns:
        attempt = classroom.take_turn(attempt.token, text)
    return attempt


def test_mode_is_fixed_for_every_round_scaffolded(make_classroom) -> None:
    fake = RecordingFake(responses=["Who trains new directors when the entry-level work is automated?"])
    attempt = _play(make_classroom(fake), "for", [OPENING, REBUTTAL, CLOSING])
    bot_turns = [t for t in attempt.round.turns if t.role == "bot"]
    assert [t.reply.mode for t in bot_turns] == ["devils-advocate"] * 3
    ask = mode_spec("devils-advocate").piece_ask
    assert len(fake.calls) == 3 and all(ask in call[0].content for call in fake.calls)
    assert all("I argue for the essay's thesis" in call[-1].content for call in fake.calls)
    assert [t.phase for t in bot_turns] == ["opening", "rebuttal", "closing"]


def test_student_against_gets_a_defender_with_the_round_history(make_classroom) -> None:
    fake = RecordingFake(responses=["The author says the bottleneck is curation, not tools."])
    classroom = make_classroom(fake, strategy="free", rounds=2)
    attempt = _play(classroom, "against", ["ByteDance will conquer Hollywood.", "Cheap tools change everything."])
    assert [t.reply.mode for t in attempt.round.turns if t.role == "bot"] == ["defend", "defend"]
    assert len(fake.calls) == 4  # two bot turns, then the model's opinion on each student turn
    system, *history, message = fake.calls[1]
    assert mode_spec("defend").instruction in system.content
    assert [m.content for m in history] == ["ByteDance will conquer Hollywood.", attempt.round.turns[1].text]
    assert message.content.startswith("Cheap tools change everything.")
    assert "I argue against the essay's thesis" in message.content


def test_a_conceding_bot_reply_never_reaches_the_transcript(make_classroom) -> None:
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
    assert bot_turns[0].reply.held_side == ["You're right, I concede."]
    assert (
        "The essay says the real bottleneck is curation." in bot_turns[0].text
    )  # its marker stands if P8 was retrieved


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


@pytest.mark.parametrize(
    ("sentence", "conceding"),
    [
        ("You're absolutely right.", True),
        ("OK, I agree.", True),
        ("Good point, I was wrong.", True),
        ("I'll change my mind.", True),
        ("The author writes “you're right to be afraid” [P1].", False),
        ("Since you agree, I'll take the other side.", False),
    ],
)
def test_concessions_are_recognised_but_the_essays_own_words_are_not(sentence: str, conceding: bool) -> None:
    assert concedes(sentence) == conceding


def test_a_reply_with_nothing_conceded_is_left_alone() -> None:
    reply = Reply(text="Nothing to drop here.", mode="defend", strategy="free")
    reply.sentences = [Sentence("Nothing to drop here.", "frame")]
    assert hold_side(reply, "for") == [] and reply.text == "Nothing to drop here."


# --- the phases' jobs (issue 15) ---------------------------------------------------------------------
FOR_TURNS = [
    "Hollywood will not be conquered by ByteDance's video models; the author is right about that.",
    "Entry-level jobs may shrink, but the author says audiences will retreat toward trusted human gatekeepers.",
    "So the essay stands: AI does not know what it feels like to fail, and audiences can tell.",
]
AGAINST_TURNS = [
    "ByteDance will conquer Hollywood because its tools make video cheap for everyone.",
    "Audiences already watch algorithmic feeds for hours, so they will not flee to human gatekeepers.",
    "In the end cheap tools win: studios cannot compete with millions of creators.",
]


def _bot_turns(classroom, side: str, turns: list[str]):
    return [t for t in _play(classroom, side, turns).round.turns if t.role == "bot"]


def _quotes(turn) -> list[Quote]:
    return turn.reply.verified_quotes


def test_opening_rebuttal_and_closing_do_different_jobs(make_classroom) -> None:
    opening, rebuttal, closing = _bot_turns(make_classroom(), "for", FOR_TURNS)
    assert len({opening.text, rebuttal.text, closing.text}) == 3
    assert opening.text.startswith("My side: against the essay's thesis.")
    assert rebuttal.text.startswith("You say ‘Entry-level jobs may shrink, but the author says audiences")
    assert closing.text.startswith("To sum up, I have argued against the essay's thesis")
    assert "You did not answer" in closing.text and "still stand" in closing.text
    assert not any("Since you agree" in t.text for t in (opening, rebuttal, closing))


def test_no_passage_is_quoted_twice_in_a_round(make_classroom) -> None:
    for side, turns in (("for", FOR_TURNS), ("against", AGAINST_TURNS)):
        quoted = [q.text for t in _bot_turns(make_classroom(), side, turns) for q in _quotes(t)]
        assert quoted and len(quoted) == len(set(quoted)), (side, quoted)


def test_against_the_thesis_the_bot_never_quotes_the_thesis(make_classroom) -> None:
    bot = _bot_turns(make_classroom(), "for", FOR_TURNS)
    roles = [q.role for t in bot for q in _quotes(t)]
    assert "thesis" not in roles and "concession" in roles  # the author's concession, turned against the thesis
    assert all(q.attributed == "reported" for t in bot for q in _quotes(t) if q.voice == "reported")


def test_for_the_thesis_the_bot_defends_with_the_authors_reasons(make_classroom) -> None:
    bot = _bot_turns(make_classroom(), "against", AGAINST_TURNS)
    assert bot[0].text.startswith("My side: for the essay's thesis.")
    quotes = [q for t in bot for q in _quotes(t)]
    assert all(q.voice == "author" or q.attributed == "reported" for q in quotes)
    assert sum(q.role in ("reason", "evidence", "claim", "thesis") for q in quotes) >= 3


def test_the_rebuttal_answers_the_node_the_student_engaged(make_classroom) -> None:
    classroom = make_classroom()
    rebuttal = _bot_turns(classroom, "for", FOR_TURNS)[1]
    alone = classroom.debate.reply(FOR_TURNS[1], mode="challenge")  # what the student's words engage on their own
    assert rebuttal.reply.target[0] == alone.target[0]
    amap = classroom.debate.argument_map()
    engaged = amap.get(alone.target[0])
    linked = {engaged.id, *engaged.supports, *engaged.answers, *(n.id for n in amap.supporters(engaged.id))}
    assert any(amap.at(q.start, q.end).id in linked for q in _quotes(rebuttal))


def test_the_closing_names_what_the_student_never_answered(make_classroom) -> None:
    opening, _, closing = _bot_turns(make_classroom(), "for", FOR_TURNS)
    first = opening.reply.citations[0].marker
    assert f"the author's own concession ({first})" in closing.text.split("\n\n")[0]


def test_a_thesis_quote_is_dropped_when_the_bot_argues_against_it() -> None:
    from app.classroom.framing import drop_thesis_quotes
    from app.debate.models import Citation

    reply = Reply(text="", mode="devils-advocate", strategy="scaffolded")
    reply.sentences = [
        Sentence("Start from this: “Hollywood is safe.” [P1]", "quote"),
        Sentence("And this: “X y z.” [P2]", "quote"),
    ]
    reply.text = "\n\n".join(s.text for s in reply.sentences)
    reply.quotes = [Quote("Hollywood is safe.", True, role="thesis"), Quote("X y z.", True, role="concession")]
    reply.citations = [Citation("P1", "p1", 0, 1), Citation("P2", "p2", 0, 1)]
    drop_thesis_quotes(reply)
    assert reply.text == "And this: “X y z.” [P2]" and [c.marker for c in reply.citations] == ["P2"]
    assert [q.role for q in reply.quotes] == ["concession"]
