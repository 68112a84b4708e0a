"""A reported view attributed to the author is a misrepresentation, shown with the author's answer to it."""

from __future__ import annotations

import pytest

from app.classroom.misrepresentation import REPORTED_SIMILARITY, reported_view_flags

DOC = "bytedance-hollywood"

MISATTRIBUTED = [
    "The author says AI will replace directors.",
    "The essay argues that ByteDance will automate the silver screen.",
    "According to the essay, computational power plus massive data means creative dominance.",
    "The author thinks AI video tools will democratize filmmaking for independent creators.",
    "The author believes that ten thousand AI clips prove the studio model is finished.",
]
FAITHFUL = [
    "The author says AI will not replace directors.",
    "The author says the idea that AI will replace directors is wrong.",
    "The author says critics think AI will replace directors.",
    "The author argues that audiences will retreat toward trusted human gatekeepers.",
    "The author says the real bottleneck is curation and distribution.",
    "The writer argues ByteDance wants hyper-fragmentation, not one big hit.",
    "AI will replace directors.",  # the student's own view: debating, not misrepresenting
]


@pytest.mark.parametrize("sentence", MISATTRIBUTED)
def test_reported_view_given_to_the_author_is_flagged(scorer, sentence: str) -> None:
    amap = scorer.service.argument_map(DOC)
    scored = scorer.score_turn(sentence, "against", DOC, None, "opening")
    [flag] = [m for m in scored.evidence.misrepresentations if m.student == sentence]
    assert "reports this view in order to reject it" in flag.reason
    shown = next(n for n in amap.nodes if n.text == flag.essay_sentence)
    assert shown.voice == "author" and shown.answers, "the author's sentence that answers the view"
    assert any(amap.node(r).voice == "reported" and amap.node(r).text in flag.reason for r in shown.answers)
    assert flag.similarity >= REPORTED_SIMILARITY
    assert any("Check “" in line for line in scored.criteria["evidence"].feedback)


@pytest.mark.parametrize("sentence", FAITHFUL)
def test_faithful_or_own_voice_sentences_are_not_flagged(scorer, sentence: str) -> None:
    amap = scorer.service.argument_map(DOC)
    assert reported_view_flags([sentence], amap, scorer.embed) == []
    scored = scorer.score_turn(sentence, "against", DOC, None, "opening")
    assert not [m for m in scored.evidence.misrepresentations if "reports this view" in m.reason]


def test_the_author_says_ai_will_replace_directors_points_at_the_rebuttal(scorer) -> None:
    amap = scorer.service.argument_map(DOC)
    [(student, view, answer, similarity)] = reported_view_flags(
        ["I disagree with the essay.", "The author says AI will replace directors."], amap, scorer.embed
    )
    assert student == "The author says AI will replace directors."
    assert view.voice == "reported" and answer is not None and view.id in answer.answers
    assert similarity >= REPORTED_SIMILARITY


def test_scorecard_counts_the_flag(scorer) -> None:
    scored = scorer.score_turn(MISATTRIBUTED[0], "against", DOC, None, "opening")
    assert scored.to_json()["evidence"]["misrepresentations"]
    assert scored.criteria["evidence"].score <= 1  # a distortion is not evidence
