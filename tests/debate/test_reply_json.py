"""`Reply.from_json`: the stored reply read back exactly, and replies stored by earlier versions still load."""

from __future__ import annotations

import json

from app.classroom.rounds import BotReply
from app.debate.models import Citation, Quote, Reply, Sentence, Timings
from ingest.models import Passage
from tests.replies import FIRST_VERSION

PASSAGE = Passage(
    id="essay-3",
    doc="essay",
    section="Why <it> fails",
    ordinal=2,
    start=120,
    end=180,
    text="The barrier to entry for filmmaking hasn't been technical. Audiences",
    sentences=((120, 170), (170, 180)),
    pages=(4, 5),
    scores={"dense": 0.81234567, "lexical": 0.5},
)


def full_reply() -> Reply:
    """Every field set, none at its default."""
    return Reply(
        text="You say tools win. “The barrier to entry for filmmaking hasn't been technical.” [P3] Why?",
        mode="challenge",
        strategy="scaffolded",
        doc="essay",
        citations=[Citation("P3", "essay-3", 120, 170), Citation("P3", "essay-3", 170, 180, auto=True)],
        quotes=[
            Quote("invented words", False),
            Quote("The barrier to entry", True, 120, 140, "essay-3", "reason", "author", "author"),
        ],
        sentences=[Sentence("You say tools win.", "frame"), Sentence("“The barrier…” [P3]", "quote", ["P3"])],
        passages=[
            PASSAGE,
            Passage(id="essay-1", doc="essay", section="Intro", ordinal=0, start=0, end=5, text="Intro"),
        ],
        removed_markers=["P9"],
        timings=Timings(retrieval_s=0.1, first_text_s=0.2, ttft_s=0.15, total_s=1.5),
        prompt_tokens=812,
        completion_tokens=64,
        notice="The message was cut.",
        model_text="raw model text [P3]",
        intent="claim",
        user_stance="against",
        target=["n3", "n4"],
        moves=["rebut", "critical_question"],
        user_quotes=[{"text": "tools win", "verified": False, "closest": {"passage_id": "essay-3", "sentence": "x"}}],
    )


def test_a_fully_populated_reply_round_trips_exactly() -> None:
    reply = full_reply()
    data = reply.to_json()
    back = Reply.from_json(json.loads(json.dumps(data)))
    assert back.to_json() == data
    assert json.dumps(back.to_json()) == json.dumps(data)  # the same keys in the same order
    assert back.citations == reply.citations and back.sentences == reply.sentences
    assert back.verified_quotes == reply.verified_quotes and back.flagged_quotes == reply.flagged_quotes
    assert back.passages[0].label == "P3" and back.passages[0].page_label == "pp. 4–5"
    assert back.timings == reply.timings and (back.prompt_tokens, back.completion_tokens) == (812, 64)


def test_a_classroom_bot_reply_keeps_what_the_side_guard_held() -> None:
    stored = BotReply.of(full_reply(), ["I concede."])
    data = stored.to_json()
    assert data == {**full_reply().to_json(), "held_side": ["I concede."]} and list(data)[-1] == "held_side"
    back = BotReply.from_json(json.loads(json.dumps(data)))
    assert isinstance(back, BotReply) and back.held_side == ["I concede."] and back.to_json() == data
    assert BotReply.from_json(full_reply().to_json()).held_side == []  # stored before the guard kept them


def test_a_reply_stored_by_the_first_version_loads_with_the_newer_keys_at_their_defaults() -> None:
    reply = Reply.from_json(FIRST_VERSION)
    assert (reply.text, reply.mode, reply.strategy, reply.doc) == (FIRST_VERSION["reply"], "defend", "free", "essay")
    assert (reply.intent, reply.user_stance, reply.target, reply.moves, reply.user_quotes) == (
        "",
        "unclear",
        [],
        [],
        [],
    )
    assert [q.text for q in reply.verified_quotes] == ["Audiences"] and reply.verified_quotes[0].role is None
    assert [q.text for q in reply.flagged_quotes] == ["made up"]
    passage = reply.passages[0]
    assert (passage.label, passage.ordinal, passage.doc, passage.kind, passage.sentences) == (
        "P3",
        2,
        "essay",
        "prose",
        (),
    )
    data = reply.to_json()  # what it had is kept as it was; what came later is added at its default
    kept = [k for k in FIRST_VERSION if k not in ("quotes", "passages")]
    assert {k: data[k] for k in kept} == {k: FIRST_VERSION[k] for k in kept}
    assert data["quotes"]["verified"] == [
        {**FIRST_VERSION["quotes"]["verified"][0], **dict.fromkeys(("role", "voice", "attributed"))}
    ]
    assert data["passages"][0] == {**FIRST_VERSION["passages"][0], **data["passages"][0]}
    assert Reply.from_json(data).to_json() == data  # from then on it round-trips


def test_a_bare_stored_reply_loads() -> None:
    reply = Reply.from_json({"citations": []})
    assert (reply.text, reply.citations, reply.quotes, reply.timings) == ("", [], [], Timings())
