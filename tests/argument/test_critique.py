"""Critical questions: in the text's own words, the concession among them, short texts, no argument."""

from __future__ import annotations

import re

import pytest

from argument.critique import WORK_NAMES, CriticalQuestion, critique, critique_text
from argument.mapper import build_map
from argument.schemes import load_scheme, scheme_names

_WORD = re.compile(r"[A-Za-z][\w’'-]*")
GENERIC = ("what evidence supports this", "is this true", "is there evidence")


def _words(text: str) -> set[str]:
    return {w.lower().strip("'’-") for w in _WORD.findall(text)}


def _template_words() -> set[str]:
    words = set(WORK_NAMES)
    for name in (*scheme_names(), "concession", "reported"):
        for template in load_scheme(name).questions:
            words |= _words(re.sub(r"\{\w+\}", " ", template.text))
    return words


def assert_grounded(question: CriticalQuestion, text: str) -> None:
    """Every word of a question is the template's own or the text's: it brings in nothing else."""
    foreign = _words(question.text) - _template_words() - _words(text)
    assert not foreign, f"{question.text!r} brings in {foreign}"
    assert not any(g in question.text.lower() for g in GENERIC)
    quoted = re.findall(r"'([^']{4,}?)'(?=[\s:,?—])", question.text)
    assert quoted, f"{question.text!r} quotes nothing"
    assert all(q.rstrip("…") in text for q in quoted)


@pytest.fixture(scope="module")
def essay_questions(essay) -> list[CriticalQuestion]:
    return critique(build_map(essay.slug, essay.text), n=5, text=essay.text)


def test_default_essay_questions_name_the_words_they_question(essay, essay_questions) -> None:
    assert len(essay_questions) == 5
    for q in essay_questions:
        assert_grounded(q, essay.text)
        assert essay.text[q.start : q.end]  # the span it questions
    spans = [(q.start, q.end) for q in essay_questions]
    assert len(set(spans)) == len(spans)
    assert len({q.scheme for q in essay_questions}) >= 4  # diverse


def test_expert_question_on_the_decade_of_data(essay, essay_questions) -> None:
    expert = next(q for q in essay_questions if q.scheme == "expert_opinion")
    assert "a decade of 'looking at the backend data of digital media distribution'" in expert.text
    assert "'It fails every single time'" in expert.text
    assert essay.text[expert.start : expert.end].startswith("I have spent a decade")


def test_concession_is_among_the_top_three(essay) -> None:
    top = critique(build_map(essay.slug, essay.text), n=3, text=essay.text)
    concession = next(q for q in top if q.scheme == "concession")
    assert concession.text.startswith("The essay itself grants that '")
    assert "does the thesis 'Hollywood is not about to be conquered" in concession.text
    assert top[0].scheme != "concession" or len(top) == 1


def test_unanswered_reported_view_is_a_weakness() -> None:
    text = (
        "Cities should back the four-day week for council staff. "
        "As a manager of fifteen years, I have seen tired teams make costly mistakes. "
        "Critics argue that a four-day week would ruin small firms."
    )
    found = critique_text(text, "week", n=4)
    reported = [q for q in found.questions if q.scheme == "reported"]
    assert reported and reported[0].text.startswith("The text reports 'Critics argue")


SPEECH = (
    "Thank you, Madam Speaker. This house should ban homework in primary schools. Children who spend their "
    "evenings on worksheets lose the time they need for play and sleep. As a teacher of twenty years, I have "
    "seen tired pupils fail every single test. Homework does not build discipline; it builds resentment."
)
TURNS = [
    "Speaker 2: I disagree with my opponent. If we ban cars from the centre, shops will close within a year. "
    "Either we keep the roads open or we lose the high street.",
    "PM: Our opponents claim that nuclear power is too dangerous. That is simply wrong. Nuclear plants cause "
    "fewer deaths per unit of energy than any other source, so we must build more of them.",
]


def test_debate_speech_paragraph_gets_questions_on_its_spans() -> None:
    found = critique_text(SPEECH, "speech")
    assert found.questions
    for q in found.questions:
        assert_grounded(q, SPEECH)
        assert SPEECH[q.start : q.end] in SPEECH and q.end - q.start > 10
    expert = next(q for q in found.questions if q.scheme == "expert_opinion")
    assert "a teacher" in expert.text and "twenty years" in expert.text


@pytest.mark.parametrize("turn", TURNS)
def test_transcript_turn_with_a_speaker_label(turn: str) -> None:
    found = critique_text(turn, "turn")
    assert found.questions, found.notice
    label_end = turn.index(": ") + 2
    for q in found.questions:
        assert_grounded(q, turn)
        assert q.start >= label_end  # the label is not part of the questioned span


@pytest.mark.parametrize(
    "text",
    [
        "Preheat the oven to 180C. Mix 200g flour with 2 eggs. Bake for 25 minutes. Serve warm.",
        "Permission is hereby granted, free of charge, to any person obtaining a copy of this software. "
        "THE SOFTWARE IS PROVIDED AS IS, WITHOUT WARRANTY OF ANY KIND.",
        "",
        "   \n\n ",
    ],
)
def test_no_argument_no_questions_but_a_notice(text: str) -> None:
    found = critique_text(text, "x")
    assert found.questions == []
    assert found.notice


def test_labelled_texts_all_grounded() -> None:
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "eval" / "datasets" / "argument"
    for path in [root / "car-free-centres.md", root / "primary-homework.txt"]:
        text = path.read_text(encoding="utf-8")
        found = critique_text(text, path.stem, n=4)
        assert any(q.scheme == "concession" for q in found.questions[:3])
        for q in found.questions:
            assert_grounded(q, text)
    lighthouse = critique_text((root / "harbour-lighthouse.txt").read_text(encoding="utf-8"), "lighthouse")
    assert lighthouse.questions == [] and lighthouse.notice
