"""Claim and Reasoning: the model's opinion on a capable backend (marked), the heuristic otherwise."""

from __future__ import annotations

import json

import pytest

from app.classroom.rounds import PracticeRound, RoundFormat
from app.classroom.scoring import Scorer
from tests.fakes import FailingFake, RecordingFake
from tests.replies import bot_reply

DOC = "bytedance-hollywood"
TURN = "I agree with the author. “AI does not know what it feels like to fail.” So its films will feel hollow."


def _judge(claim: int, reasoning: int, quote: str = "I agree with the author.") -> str:
    return "Here you go:\n" + json.dumps(
        {
            "claim": {"score": claim, "feedback": "A clear position.", "quote": quote},
            "reasoning": {"score": reasoning, "feedback": "One link.", "quote": "So its films will feel hollow."},
        }
    )


def test_capable_backend_gives_a_marked_model_opinion(make_debate_service) -> None:
    fake = RecordingFake(responses=[_judge(3, 2)])
    scored = Scorer(make_debate_service(fake, "free")).score_turn(TURN, "for", DOC, None, "opening", opinion=True)
    claim, reasoning = scored.criteria["claim"], scored.criteria["reasoning"]
    assert (claim.score, claim.source, claim.student_words) == (3, "model opinion", ["I agree with the author."])
    assert (reasoning.score, reasoning.feedback) == (2, ["One link."])
    assert [p.label for p in claim.passages] == ["P11"]
    prompt = fake.calls[0][-1].content
    assert f"<turn>\n{TURN}\n</turn>" in prompt and "Opens with a clear, accurate position" in prompt
    assert '<passage marker="[P11]">' in prompt
    assert scored.criteria["evidence"].source == "text check" and scored.criteria["evidence"].score == 2


def test_words_the_model_invents_are_not_put_in_the_students_mouth(make_debate_service) -> None:
    fake = RecordingFake(responses=[_judge(1, 1, quote="AI will win everything")])
    scored = Scorer(make_debate_service(fake, "free")).score_turn(TURN, "for", DOC, None, "opening", opinion=True)
    claim = scored.criteria["claim"]
    assert claim.student_words == [] and "not in your turn" in claim.feedback[-1]


@pytest.mark.parametrize(
    ("fake", "why"),
    [
        (RecordingFake(responses=["I think it's a 3 overall!"]), "not the JSON asked for"),
        (RecordingFake(responses=['{"claim": {"score": 7}, "reasoning": {"score": 1}}']), "no valid claim score"),
        (FailingFake(responses=["x"]), "did not answer (ConnectionError)"),
    ],
    ids=["not-json", "bad-score", "backend-down"],
)
def test_unusable_or_failing_model_falls_back_to_the_heuristic(make_debate_service, fake, why: str) -> None:
    scored = Scorer(make_debate_service(fake, "free")).score_turn(TURN, "for", DOC, None, "opening", opinion=True)
    for name in ("claim", "reasoning"):
        criterion = scored.criteria[name]
        assert criterion.source == "heuristic" and why in criterion.feedback[-1], name
    assert scored.criteria["evidence"].score == 2  # the text check never depends on the model


def test_the_model_is_asked_only_when_the_backend_is_capable(make_debate_service) -> None:
    round_ = PracticeRound("for", RoundFormat(rounds=2), DOC)
    round_.start_turn(0.0)
    round_.submit(TURN, 10.0)
    round_.add_bot_turn("The essay says otherwise.", bot_reply("The essay says otherwise."), 10.0, 20.0)
    round_.submit("Still, “AI does not know what it feels like to fail.”", 30.0)
    small = RecordingFake(responses=[_judge(3, 3)])
    card = Scorer(make_debate_service(small, "scaffolded")).score_round(round_)
    assert small.calls == [] and card.turns[0].criteria["claim"].source == "heuristic"
    capable = RecordingFake(responses=[_judge(3, 3)])
    card = Scorer(make_debate_service(capable, "free")).score_round(round_)
    assert len(capable.calls) == 2 and card.turns[1].criteria["claim"].source == "model opinion"
    assert card.to_json()["overall"]["claim"] == 3.0


def test_heuristic_claim_and_reasoning_levels(scorer) -> None:
    def levels(text: str, side: str = "for") -> tuple[int | None, int | None]:
        scored = scorer.score_turn(text, side, DOC, None, "opening")
        return scored.criteria["claim"].score, scored.criteria["reasoning"].score

    assert levels(TURN) == (3, 2)
    assert levels("What a lovely day for a picnic.") == (0, 0)
    assert levels("Cinema needs people. I think the author is right.") == (2, 0)
    assert levels("The author is wrong about everything.") == (1, 0)  # argues the other side
    assert levels("The author is wrong about everything.", side="against")[0] == 1  # a side, but no point
    assert levels("The author is wrong: cheap video tools will flood Hollywood.", side="against")[0] == 3
