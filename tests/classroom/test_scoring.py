"""Rubric scoring on hand-made student turns with known use of the essay, against the real embedder."""

from __future__ import annotations

import pytest

from app.classroom.evidence import Paraphrase, PassageRef, QuoteCheck, TurnEvidence
from app.classroom.misrepresentation import contradiction
from app.classroom.scoring import evidence_level
from tests.replies import make_reply, sentence

DOC = "bytedance-hollywood"
REAL_P8 = "The barrier to entry for filmmaking hasn't been technical for over a decade."


def _score(scorer, text: str, side: str = "for", previous=None):
    return scorer.score_turn(text, side, DOC, previous, "opening")


def test_correct_quotes_verify_whatever_the_apostrophes(scorer, passages) -> None:
    curly = "The author writes “the barrier to entry for filmmaking hasn’t been technical for over a decade.”"
    straight = 'The essay says "The barrier to entry for filmmaking hasn\'t been technical for over a decade."'
    for text in (curly, straight):
        scored = _score(scorer, text)
        [quote] = scored.evidence.quotes
        assert quote.verified and quote.passage is not None and quote.passage.id == passages["P8"].id
        assert scored.evidence.passages_used() == [PassageRef.of(passages["P8"])]
        evidence = scored.criteria["evidence"]
        assert evidence.score == 2 and evidence.source == "text check"
        assert quote.text in evidence.student_words
        assert [p.label for p in evidence.passages] == ["P8"]


def test_two_passages_quoted_exactly_score_three(scorer) -> None:
    text = (
        "The author is right. “The barrier to entry for filmmaking hasn't been technical for over a decade.” "
        "That is why “the value of human curation skyrockets” when tools get cheap."
    )
    scored = _score(scorer, text)
    assert [p.label for p in scored.evidence.passages_used()] == ["P8", "P9"]
    assert scored.criteria["evidence"].score == 3
    assert scored.criteria["reasoning"].score >= 2  # "That is why" links evidence to the claim


def test_misquote_is_flagged_with_the_real_wording(scorer, passages) -> None:
    scored = _score(
        scorer, 'As the essay puts it, "the barrier to entry for filmmaking has been technical for decades".'
    )
    [quote] = scored.evidence.quotes
    assert not quote.verified
    assert quote.real_wording == REAL_P8 and quote.passage == PassageRef.of(passages["P8"])
    evidence = scored.criteria["evidence"]
    assert evidence.score == 1  # a reference to the essay, but not its words
    assert any(REAL_P8 in line and "Not the essay's words" in line for line in evidence.feedback)
    assert "P8" in [p.label for p in evidence.passages]


def test_invented_quote_is_flagged_as_not_in_the_essay(scorer) -> None:
    scored = _score(scorer, 'The author says "pineapples are the future of opera houses" and I agree.')
    [quote] = scored.evidence.quotes
    assert not quote.verified and quote.similarity is not None and quote.similarity < 0.5
    assert any("Not found in the essay" in line for line in scored.criteria["evidence"].feedback)


def test_no_evidence_scores_zero(scorer) -> None:
    scored = _score(scorer, "I think movies are great and people will always love going to the cinema with friends.")
    assert scored.evidence.passages_used() == [] and scored.evidence.quotes == []
    evidence = scored.criteria["evidence"]
    assert evidence.score == 0
    assert evidence.feedback == ["No quotation, paraphrase or citation of the essay was found in this turn."]


@pytest.mark.parametrize(
    ("sentence", "label"),
    [
        ("Without friction you get endless sludge that nobody remembers.", "P7"),
        ("Tech companies wasted huge sums trying to get short-form creators to make long series.", "P5"),
        ("Audiences will go back to festivals and trusted human curators.", "P9"),
    ],
)
def test_paraphrase_is_matched_to_its_passage(scorer, sentence, label) -> None:
    scored = _score(scorer, sentence)
    [paraphrase] = scored.evidence.paraphrases
    assert paraphrase.passage.label == label and paraphrase.student == sentence
    assert scored.criteria["evidence"].score == 1  # one paraphrase: evidence, loosely
    assert sentence in scored.criteria["evidence"].student_words


def test_on_topic_claims_are_not_taken_for_paraphrases(scorer) -> None:
    claims = (
        "TikTok is fun to watch.",
        "AI will replace many jobs in the film industry.",
        "ByteDance will take over Hollywood.",
    )
    for claim in claims:
        assert _score(scorer, claim).evidence.paraphrases == [], claim


def test_paraphrase_after_a_mid_sentence_attribution(scorer) -> None:
    text = "You say jobs will vanish, but the author says audiences will retreat toward trusted human gatekeepers."
    assert [p.passage.label for p in _score(scorer, text).evidence.paraphrases] == ["P9"]


def test_misrepresentation_is_flagged_with_the_passage(scorer, passages) -> None:
    scored = _score(scorer, "The author says the barrier to entry for filmmaking is still technical.")
    [flag] = scored.evidence.misrepresentations
    assert flag.passage == PassageRef.of(passages["P8"]) and flag.essay_sentence == REAL_P8
    assert "negates 'technical'" in flag.reason
    assert scored.evidence.paraphrases == []  # a distortion is not counted as using the passage
    assert any("Check “The author says" in line for line in scored.criteria["evidence"].feedback)


def test_disagreeing_in_your_own_voice_is_not_misrepresentation(scorer) -> None:
    scored = _score(scorer, "The barrier to entry for filmmaking is still technical.", side="against")
    assert scored.evidence.misrepresentations == []
    faithful = _score(scorer, "The author says the barrier to entry for filmmaking has not been technical for years.")
    assert faithful.evidence.misrepresentations == []


def test_contradiction_heuristic_cases() -> None:
    assert "negates 'technical'" in contradiction("the barrier is technical", REAL_P8)
    assert "your sentence negates" in contradiction("AI doesn't know grief.", "AI knows grief well.")
    assert "skyrocket" in contradiction("the value of curation will fall", "the value of human curation skyrockets")
    assert contradiction("the bottleneck is curation", "The real bottleneck is not production; it is curation.") == ""


def test_ellipsis_quotes_and_markers(scorer) -> None:
    scored = _score(scorer, "The essay says “The barrier to entry for filmmaking … for over a decade.” [P8]")
    assert scored.evidence.quotes[0].verified
    assert [(m.marker, m.valid) for m in scored.evidence.markers] == [("P8", True)]
    wrong = _score(scorer, "Cheap phones mean anyone can shoot a film [P19].")
    assert [(m.marker, m.valid) for m in wrong.evidence.markers] == [("P19", False)]
    assert any("does not back" in line for line in wrong.criteria["evidence"].feedback)


def test_evidence_levels_follow_the_rubric() -> None:
    p1, p2 = PassageRef("a", "P1", "S"), PassageRef("b", "P2", "S")
    good, bad = QuoteCheck("x y z", True, p1), QuoteCheck("x y w", False, p1, "x y z", 0.9)
    para = Paraphrase("s", p2, "t", 0.7, ["w"])
    assert evidence_level(TurnEvidence()) == 0
    assert evidence_level(TurnEvidence(quotes=[bad])) == 1
    assert evidence_level(TurnEvidence(paraphrases=[para])) == 1
    assert evidence_level(TurnEvidence(quotes=[good])) == 2
    assert evidence_level(TurnEvidence(quotes=[good], paraphrases=[para])) == 3
    assert evidence_level(TurnEvidence(quotes=[good, bad], paraphrases=[para])) == 2


def test_every_score_cites_the_students_words(scorer) -> None:
    text = "I agree with the author. “AI does not know what it feels like to fail.” So its films will feel empty."
    scored = _score(scorer, text)
    for name in ("claim", "evidence", "reasoning"):
        criterion = scored.criteria[name]
        assert criterion.student_words and all(w in text for w in criterion.student_words), name
    assert scored.criteria["claim"].source == "heuristic"
    assert [p.label for p in scored.criteria["reasoning"].passages] == ["P11"]


def test_an_empty_turn_scores_zero_everywhere(scorer) -> None:
    previous = make_reply(sentences=[sentence("Who trains the next directors?", "frame")])
    scored = scorer.score_turn("", "for", DOC, previous, "closing")
    assert {name: c.score for name, c in scored.criteria.items()} == {
        "claim": 0, "evidence": 0, "reasoning": 0, "rebuttal": 0,
    }  # fmt: skip
