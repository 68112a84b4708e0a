"""Each rubric criterion at each level 0–3, on hand-written turns (issue 15): what `rubric.yaml` publishes
as `decided` is what the scorer does. Real embedder, no model (the heuristic and the text check)."""

from __future__ import annotations

from typing import Any

import pytest

from app.classroom.rubric import CRITERIA, rubric
from app.debate.models import Reply
from tests.replies import cite, make_reply, sentence

DOC = "bytedance-hollywood"
P8 = "“The barrier to entry for filmmaking hasn't been technical for over a decade.”"
P9 = "“the value of human curation skyrockets”"
BOT_SENTENCES = [  # a bot turn quoting P8 and asking about it
    sentence(f"The essay answers you itself: {P8} [P8]", "quote", "P8"),
    sentence("If the barrier to entry is not technical, why would cheaper tools change who gets hired?", "frame"),
]

CLAIM = [
    (0, "Pineapples make excellent pizza toppings in Naples."),
    (1, "Opening: I argue against the thesis."),
    (2, "Video is everywhere now. People watch clips all day. I believe ByteDance's tools will conquer Hollywood."),
    (3, "I argue against the thesis. ByteDance's cheap video tools will conquer Hollywood within ten years."),
]
EVIDENCE = [
    (0, "I think studios will be fine in the end."),
    (1, 'The author says "pineapples are the future of opera houses" and I agree.'),
    (2, f"The author is right: {P8}"),
    (3, f"The author is right. {P8} That is why {P9} when tools get cheap."),
]
REASONING = [
    (0, "Hollywood is safe."),
    (1, "Hollywood is safe because studios are rich."),
    (2, f"The author is right, because {P8}"),
    (3, f"The author is right, because {P8} That is why {P9} when tools get cheap."),
]
REBUTTAL = [
    (0, "Hollywood has always adapted to new technology and it will adapt again."),
    (1, "You say that, but I still think ByteDance wins."),
    (2, f"Cheaper tools do change who gets hired, and {P9} only for a few studios."),
    (3, f"You quote {P8} [P8], but the barrier to entry was never only technical; cheap tools lower the cost."),
]


def _bot_turn(passages: dict[str, Any]) -> Reply:
    return make_reply(citations=[cite("P8", passages["P8"].id, 0, 1)], sentences=BOT_SENTENCES)


@pytest.mark.parametrize(("criterion", "level", "text"), [
    *[("claim", lvl, t) for lvl, t in CLAIM],
    *[("evidence", lvl, t) for lvl, t in EVIDENCE],
    *[("reasoning", lvl, t) for lvl, t in REASONING],
    *[("rebuttal", lvl, t) for lvl, t in REBUTTAL],
])  # fmt: skip
def test_each_criterion_at_each_level(scorer, passages, criterion: str, level: int, text: str) -> None:
    previous = _bot_turn(passages) if criterion == "rebuttal" else None
    scored = scorer.score_turn(text, "against" if criterion == "claim" else "for", DOC, previous, "rebuttal")
    result = scored.criteria[criterion]
    assert result.score == level, (text, result.feedback)


def test_the_rubric_publishes_how_each_score_is_decided() -> None:
    criteria = rubric()["criteria"]
    for criterion in CRITERIA:
        decided = criteria[criterion]["decided"]
        assert sorted(decided) == [0, 1, 2, 3] and all(len(str(decided[n])) > 30 for n in decided)


def test_a_bare_side_statement_is_not_a_claim(scorer) -> None:
    claim = scorer.score_turn("Opening: I argue against the thesis.", "against", DOC, None, "opening").criteria["claim"]
    assert claim.score == 1 and "names your side, not your point" in claim.feedback[0]


def test_feedback_never_quotes_a_sentence_cut_by_the_timer(scorer) -> None:
    text = "ByteDance's cheap tools will flood Hollywood with content. Hollywood without new talent is"
    scored = scorer.score_turn(text, "against", DOC, None, "closing", cut=True)
    lines = [line for c in scored.criteria.values() for line in [*c.feedback, *c.student_words]]
    assert lines and not any("without new talent is" in line for line in lines)
    uncut = scorer.score_turn("Hollywood is " + "very " * 60 + "safe.", "for", DOC, None, "closing")
    assert not any("…" in w for c in uncut.criteria.values() for w in c.student_words + c.feedback)
