"""Debate moves on a small essay of another subject: read the message, choose the move, quote from the map.

The real embedding model and Chroma; the chat model is a fake (the scaffolded reply never needs its words).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from app.debate.reading import NodeIndex
from app.debate.service import DebateService
from app.settings import Settings
from argument.mapper import build_map
from tests.fakes import RecordingFake

ESSAY = """# Why the four-day week deserves a trial

Critics claim that a shorter week will wreck productivity and leave customers waiting.

That fear is misplaced. A four-day week makes teams more productive, not less, because rested people make \
fewer mistakes than tired ones. In the Iceland trials, output stayed the same or rose in most workplaces while \
weekly hours fell. Staff also took fewer sick days.

Most managers do not want longer meetings or more hours at the desk. Instead, they want fewer hours wasted on \
reports that nobody reads.

Admittedly, hospitals and schools cannot simply close on Fridays. They would need rotas and more staff to make \
it work.

Employers should run a six-month pilot and publish the results.
"""
DOC = "four-day-week"
REPORTED = "Critics claim that a shorter week will wreck productivity and leave customers waiting."
MODES = ("challenge", "defend", "socratic", "devils-advocate")


@pytest.fixture
def debate(tmp_path: Path, settings: Settings, embedder, store) -> DebateService:
    from ingest.loaders import load_document
    from ingest.pipeline import ingest_documents

    path = tmp_path / f"{DOC}.md"
    path.write_text(ESSAY, encoding="utf-8")
    ingest_documents([load_document(path)], store, embedder, settings.chunking)
    llm = settings.llm.model_copy(update={"backend": "fake", "strategy": "scaffolded"})
    fake = RecordingFake(responses=["Is that so?"] * 50)
    return DebateService(settings.model_copy(update={"llm": llm}), store, embedder, chat_model=fake)


def _quoted(reply) -> list[str]:
    return [q.text for q in reply.quotes if q.verified]


def test_a_question_is_answered_first_and_a_denial_with_its_correction(debate: DebateService) -> None:
    reply = debate.reply("What do most managers want?", [], "challenge", DOC)
    assert reply.intent == "question"
    assert reply.moves[0] == "answer"
    quoted = _quoted(reply)
    # "do not want A. Instead, they want B": B is the answer, so it is quoted next to the denial
    assert quoted[:2] == [
        "Most managers do not want longer meetings or more hours at the desk.",
        "Instead, they want fewer hours wasted on reports that nobody reads.",
    ]


def test_agreeing_with_a_reported_view_is_against_the_thesis_and_is_rebutted(debate: DebateService) -> None:
    reply = debate.reply("A shorter week will wreck productivity and leave customers waiting.", [], "challenge", DOC)
    assert reply.user_stance == "against"
    assert reply.moves[0] == "rebut"
    assert REPORTED not in _quoted(reply)  # the rebuttal is the author's answer, never the view itself
    assert "That fear is misplaced." in _quoted(reply)


@pytest.mark.parametrize("mode", MODES)
def test_a_reported_view_is_only_ever_quoted_as_reported(debate: DebateService, mode: str) -> None:
    reported = 0
    for message in ("Do the critics have a point about customers?", "Which views does the essay reject?"):
        reply = debate.reply(message, [], mode, DOC)
        for quote in reply.quotes:
            if quote.voice == "reported":
                reported += 1
                assert quote.attributed == "reported", (mode, message, reply.text)
    assert reported, "the rejected view was asked about: it should be quoted, as reported"


def test_a_fabricated_quotation_is_named_before_anything_else(debate: DebateService) -> None:
    reply = debate.reply('The author says "four-day weeks double profits overnight".', [], "defend", DOC)
    assert reply.intent == "misquote"
    assert reply.moves[0] == "correct_misquote"
    (quote,) = reply.user_quotes
    assert quote["found"] is False and quote["text"] == "four-day weeks double profits overnight"
    assert quote["closest"]["sentence"] in ESSAY


def test_pushback_escalates_without_repeating_a_quote(debate: DebateService) -> None:
    history: list[dict[str, str]] = []
    seen: list[str] = []
    for message in (
        "A shorter week will wreck productivity.",
        "Just admit it, productivity will fall.",
        "You keep dodging: productivity will fall.",
    ):
        reply = debate.reply(message, history, "devils-advocate", DOC)
        assert not set(_quoted(reply)) & set(seen), reply.text
        seen += _quoted(reply)
        history += [{"role": "user", "content": message}, {"role": "assistant", "content": reply.text}]
    assert reply.intent == "pushback" and reply.user_stance == "against"


def test_the_four_modes_make_different_moves_on_the_same_claim(debate: DebateService) -> None:
    claim = "Rested staff make fewer mistakes, so the shorter week pays for itself."
    replies = {mode: debate.reply(claim, [], mode, DOC) for mode in MODES}
    assert len({tuple(r.moves) for r in replies.values()}) >= 3, {m: r.moves for m, r in replies.items()}
    socratic = replies["socratic"]
    assert any(s.label == "frame" for s in socratic.sentences)
    assert all(s.text.rstrip().endswith("?") for s in socratic.sentences if s.label == "frame"), socratic.text


def test_a_question_about_what_the_author_urges_is_answered_by_the_call(debate: DebateService) -> None:
    reply = debate.reply("What does the author tell employers to do?", [], "challenge", DOC)
    assert reply.intent == "question"
    assert _quoted(reply)[0] == "Employers should run a six-month pilot and publish the results."


def test_a_message_in_another_language_gets_one_line_first(debate: DebateService) -> None:
    reply = debate.reply("¿Por qué el autor cree que la semana de cuatro días es mejor?", [], "challenge", DOC)
    first = reply.text.split("\n\n")[0]
    assert "English" in first and "“" not in first
    assert _quoted(reply), reply.text  # then the reply itself, quoted from the essay


def test_word_overlap_ranks_the_sentence_that_shares_the_questions_terms() -> None:
    amap = build_map(DOC, ESSAY)
    index = NodeIndex(amap, np.zeros((len(amap.nodes), 4), dtype=np.float32))
    index.vectors = np.zeros((len(index.nodes), 4), dtype=np.float32)  # no meaning at all: words alone decide
    scores = index.scores(np.zeros(4, dtype=np.float32), "What does the essay say about the Iceland trials?")
    assert scores is not None
    best = index.nodes[int(np.argmax(scores))]
    assert best.text.startswith("In the Iceland trials")
    assert index.overlap("the essay says what the author thinks").max() == 0.0  # words about the text only


def test_a_stated_side_overrides_the_reading(debate: DebateService) -> None:
    """A classroom student for the thesis who writes "I disagree with you" is still for it (the bot's side
    follows the student's, not the words' cue)."""
    message = "I disagree with you: rested staff really do make fewer mistakes."
    assert debate.reply(message, [], "devils-advocate", DOC).user_stance == "against"
    stated = debate.reply(message, [], "devils-advocate", DOC, stance="for")
    assert stated.user_stance == "for"
    assert "turn" in stated.moves or "critical_question" in stated.moves  # argued against the thesis
