"""Debate-move metrics over hand-built reply dicts (the `Reply.to_json()` keys the move contract adds)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from app.debate.textmatch import NormalisedText
from eval import metrics as m
from eval.compare import Row, Threshold, compare, load_thresholds, missed_targets
from eval.dataset import EvalCase
from eval.runner import EvalRunner, RunOptions
from eval.settings import DEFAULT_THRESHOLDS

ESSAY = (
    "Hollywood is not about to be conquered. "
    "The lazy consensus insists that computational power plus massive data equals dominance. "
    "It fails every single time.\n"
    "The real bottleneck is not production; it is curation and distribution. "
    "Audiences will flee the unvetted swamp of algorithmic feeds."
)
SOURCE = NormalisedText(ESSAY)
STARTS = m.sentence_starts(ESSAY)
THESIS, CONSENSUS, FAILS, BOTTLENECK, FLEE = STARTS


def quote(text: str, voice: str | None = None, attributed: str | None = None) -> dict[str, Any]:
    start, end = SOURCE.find(text) or (None, None)
    q: dict[str, Any] = {"text": text, "verified": True, "start": start, "end": end, "passage_id": "p1"}
    if voice is not None:
        q["voice"] = voice
    if attributed is not None:
        q["attributed"] = attributed
    return q


def reply(*quotes: dict[str, Any], **keys: Any) -> dict[str, Any]:
    return {"reply": "text", "citations": keys.pop("citations", []), "quotes": {"verified": list(quotes)}, **keys}


def score(data: dict[str, Any], **case: Any) -> dict[str, Any]:
    return m.score_moves(data, source=SOURCE, sentence_starts=STARTS, **case)


def test_sentence_ids_are_start_offsets() -> None:
    assert len(STARTS) == 5 and STARTS[0] == 0
    assert m.sentence_of(ESSAY.index("computational"), STARTS) == CONSENSUS
    assert m.quoted_sentences([quote("curation and distribution"), quote("It fails every single")], STARTS) == [
        BOTTLENECK,
        FAILS,
    ]


# --- misattribution_rate --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("quotes", "expected"),
    [
        (
            [quote("The lazy consensus insists", "reported", "reported"), quote("It fails every", "author", "author")],
            0.0,
        ),
        ([quote("The lazy consensus insists", "reported", "author"), quote("It fails every", "author", "author")], 0.5),
        ([quote("The lazy consensus insists", "reported", "author")], 1.0),
        ([quote("The lazy consensus insists")], None),  # no voice/attributed yet: not available
        ([], None),
    ],
)
def test_misattribution_rate(quotes: list[dict[str, Any]], expected: float | None) -> None:
    assert score(reply(*quotes))["misattribution_rate"] == expected


def test_misattribution_is_per_quote_across_cases() -> None:
    cases = [
        score(reply(quote("The lazy consensus insists", "reported", "author"))),
        score(reply(*(quote("It fails every", "author", "author") for _ in range(3)))),
        score(reply(quote("The lazy consensus insists"))),  # not counted
    ]
    assert m.aggregate(cases)["misattribution_rate"] == pytest.approx(0.25)  # 1 of 4 voiced quotes
    assert m.aggregate([score(reply())])["misattribution_rate"] is None


# --- repeat_quote_rate ----------------------------------------------------------------------------
HISTORY = [
    {"role": "user", "content": "Models will win."},
    {
        "role": "assistant",
        "content": 'The essay says "it fails every single time" and "curation and distribution" matter.',
    },
    {"role": "user", "content": "Money changes that. 'The lazy consensus insists' nothing, I say."},
]


@pytest.mark.parametrize(
    ("quotes", "expected"),
    [
        ([quote("Audiences will flee the unvetted swamp"), quote("The lazy consensus insists")], 0.0),
        ([quote("It fails every single time"), quote("Audiences will flee the unvetted swamp")], 0.5),
        ([quote("every single time"), quote("The real bottleneck is not production")], 1.0),  # same sentences
    ],
)
def test_repeat_quote_rate(quotes: list[dict[str, Any]], expected: float) -> None:
    assert score(reply(*quotes), history=HISTORY)["repeat_quote_rate"] == expected


def test_repeat_quote_rate_needs_prior_assistant_turns() -> None:
    assert score(reply(quote("It fails every single time")))["repeat_quote_rate"] is None
    user_only = HISTORY[:1] + HISTORY[2:]  # the user's own quotation is not a repeat
    assert score(reply(quote("The lazy consensus insists")), history=user_only)["repeat_quote_rate"] is None
    cases = [
        score(reply(quote("It fails every single time")), history=HISTORY),
        score(reply(quote("Audiences will flee the unvetted swamp"), quote("The lazy consensus")), history=HISTORY),
        score(reply(quote("It fails every single time"))),  # no history: not counted
    ]
    assert m.aggregate(cases)["repeat_quote_rate"] == pytest.approx(1 / 3)


# --- answer_rate ----------------------------------------------------------------------------------
GOLD = ["The real bottleneck is not production", "Audiences will flee the unvetted swamp"]


def test_answer_rate_counts_quotes_and_citations_overlapping_gold() -> None:
    bottleneck = SOURCE.find("curation and distribution")
    assert bottleneck is not None
    miss = score(reply(quote("It fails every single time")), gold=GOLD, intent="question")
    by_quote = score(reply(quote("not production; it is curation")), gold=GOLD, tags=["question"])
    cite = {"marker": "P1", "passage_id": "p1", "start": bottleneck[0] - 10, "end": bottleneck[0] + 3}
    by_citation = score(reply(citations=[cite]), gold=GOLD, intent="question")
    assert (miss["answer_rate"], by_quote["answer_rate"], by_citation["answer_rate"]) == (0.0, 1.0, 1.0)
    assert m.aggregate([miss, by_quote])["answer_rate"] == 0.5
    assert m.aggregate([by_quote, by_citation])["answer_rate"] == 1.0
    assert m.aggregate([miss])["answer_rate"] == 0.0


def test_answer_rate_only_for_questions_with_gold() -> None:
    assert score(reply(quote("curation and distribution")), gold=GOLD, intent="claim")["answer_rate"] is None
    assert score(reply(quote("curation and distribution")), gold=[], intent="question")["answer_rate"] is None
    touching = (0, SOURCE.find("The real bottleneck")[0])  # type: ignore[index]  # ends where gold starts
    assert m.answered([touching], [SOURCE.find(GOLD[0])], True) == 0.0  # type: ignore[list-item]


# --- fabricated_quote_callout_rate ----------------------------------------------------------------
FAKE = "AI will replace every director by 2030"


@pytest.mark.parametrize(
    ("user_quotes", "expected"),
    [
        ([{"text": FAKE, "found": True, "closest": {"passage_id": "p1", "sentence": "x"}}], 0.0),
        ([], 0.0),
        ([{"text": "It fails every single time", "found": False}], 0.0),  # another quote, not the fabricated one
        ([{"text": f"{FAKE}.", "found": False, "closest": {"passage_id": "p1", "sentence": "x"}}], 1.0),
        (None, None),  # reply without user_quotes: not available
    ],
)
def test_fabricated_quote_callout(user_quotes: list[dict[str, Any]] | None, expected: float | None) -> None:
    data = reply() if user_quotes is None else reply(user_quotes=user_quotes)
    assert score(data, tags=["fabricated-quote"], fabricated=FAKE)["fabricated_quote_callout_rate"] == expected


def test_fabricated_callout_applies_by_tag_or_field_and_averages() -> None:
    called = reply(user_quotes=[{"text": "anything quoted", "found": False}])
    assert score(called)["fabricated_quote_callout_rate"] is None  # no fabricated quotation in the case
    assert score(called, tags=["fabricated-quote"])["fabricated_quote_callout_rate"] == 1.0  # any found: false
    missed = score(reply(user_quotes=[]), fabricated=FAKE)
    assert m.aggregate([missed, score(called, fabricated="anything quoted")])["fabricated_quote_callout_rate"] == 0.5


# --- stance_correct_rate --------------------------------------------------------------------------
def test_stance_correct_rate() -> None:
    right = score(reply(user_stance="against"), stance="against")
    wrong = score(reply(user_stance="unclear"), stance="against")
    assert (right["stance_correct_rate"], wrong["stance_correct_rate"]) == (1.0, 0.0)
    assert score(reply(), stance="for")["stance_correct_rate"] is None  # no user_stance yet
    assert score(reply(user_stance="for"))["stance_correct_rate"] is None  # no gold
    assert m.aggregate([right, wrong])["stance_correct_rate"] == 0.5
    assert m.aggregate([right])["stance_correct_rate"] == 1.0
    assert m.aggregate([wrong])["stance_correct_rate"] == 0.0


# --- mode_distinctness ----------------------------------------------------------------------------
def grouped(mode: str, quotes: list[str], moves: list[str] | None, group: str = "g1") -> dict[str, Any]:
    data = reply(*(quote(q) for q in quotes)) if moves is None else reply(*(quote(q) for q in quotes), moves=moves)
    return score(data, group=group, mode=mode)


def test_mode_distinctness_identical_replies_score_zero() -> None:
    same = [grouped(mode, ["It fails every single time"], ["rebut"]) for mode in ("challenge", "defend", "socratic")]
    assert m.mode_distinctness(same) == 0.0


def test_mode_distinctness_disjoint_replies_score_one() -> None:
    cases = [
        grouped("challenge", ["It fails every single time"], ["rebut"]),
        grouped("defend", ["curation and distribution"], ["answer"]),
        grouped("socratic", ["The lazy consensus insists"], ["critical_question"]),
        grouped("devils-advocate", ["Audiences will flee the unvetted"], ["turn", "concede"]),
    ]
    assert m.aggregate(cases)["mode_distinctness"] == 1.0


def test_mode_distinctness_partial_and_per_group() -> None:
    a = grouped("challenge", ["It fails every single time", "curation and distribution"], ["rebut", "answer"])
    b = grouped("socratic", ["It fails every single time"], ["critical_question", "answer"])
    # quotes: 1 - 1/2; moves: 1 - 1/3 -> (0.5 + 0.6667) / 2
    assert m.mode_distinctness([a, b]) == pytest.approx((0.5 + 2 / 3) / 2)
    c = grouped("challenge", ["It fails every single time"], ["rebut"], group="g2")
    d = grouped("defend", ["curation and distribution"], ["answer"], group="g2")
    assert m.mode_distinctness([a, b, c, d]) == pytest.approx(((0.5 + 2 / 3) / 2 + 1.0) / 2)


def test_mode_distinctness_without_moves_uses_quotes_and_skips_same_mode_pairs() -> None:
    a = grouped("challenge", ["It fails every single time"], None)
    b = grouped("defend", ["curation and distribution"], None)
    assert m.mode_distinctness([a, b]) == 1.0
    twin = grouped("challenge", ["It fails every single time"], None)
    assert m.mode_distinctness([a, twin]) is None  # same mode: no pair
    assert m.mode_distinctness([a]) is None
    assert m.mode_distinctness([score(reply())]) is None  # no group


def test_jaccard_distance() -> None:
    assert m.jaccard_distance([], []) == 0.0
    assert m.jaccard_distance(["a"], []) == 1.0
    assert m.jaccard_distance(["a", "b"], ["b", "c"]) == pytest.approx(2 / 3)


# --- wiring: summary names, compare targets, the runner's live turns --------------------------------
def test_move_metrics_are_summary_metrics_with_directions() -> None:
    assert set(m.MOVE_METRICS) <= set(m.SUMMARY_METRICS)
    assert not m.HIGHER_IS_BETTER["misattribution_rate"] and not m.HIGHER_IS_BETTER["repeat_quote_rate"]
    assert all(m.HIGHER_IS_BETTER[n] for n in m.MOVE_METRICS if n not in m.PER_QUOTE_METRICS)
    summary = m.aggregate([score(reply())])
    assert all(summary[n] is None for n in m.MOVE_METRICS)


def test_thresholds_carry_the_targets() -> None:
    thresholds = load_thresholds(DEFAULT_THRESHOLDS)
    targets = {n: (thresholds[n].higher_is_better, thresholds[n].target) for n in m.MOVE_METRICS}
    assert targets == {
        "misattribution_rate": (False, 0.0),
        "repeat_quote_rate": (False, 0.0),
        "answer_rate": (True, 0.9),
        "fabricated_quote_callout_rate": (True, 1.0),
        "mode_distinctness": (True, 0.6),
        "stance_correct_rate": (True, 0.9),
    }
    rows = compare(
        {"answer_rate": 0.85, "misattribution_rate": 0.0},
        {"answer_rate": 0.86, "misattribution_rate": 0.1, "mode_distinctness": 0.7},
        thresholds,
    )
    by_name = {r.metric: r for r in rows}
    assert by_name["answer_rate"].status == "below target" and not by_name["answer_rate"].regressed
    assert by_name["misattribution_rate"].status == "REGRESSED"
    assert by_name["mode_distinctness"].status == "n/a"  # no old value, target met
    assert by_name["stance_correct_rate"].status == "n/a"
    assert missed_targets(rows) == ["misattribution_rate", "answer_rate"]
    assert Row("x", 0.0, 0.05, Threshold(False, 0.1, target=0.0)).status == "above target"


def test_runner_feeds_live_turns_back_as_history() -> None:
    seen: list[list[dict[str, str]]] = []

    def fake_reply(message: str, history: list[dict[str, str]], mode: str, doc: str | None) -> Any:
        seen.append(history)
        return SimpleNamespace(text=f"reply to {message}", notice="")

    service = SimpleNamespace(reply=fake_reply)
    options = RunOptions("dev", 3, 1000, False, "fake", "fake", "moves")
    runner = EvalRunner(service, options)  # type: ignore[arg-type]
    case = EvalCase(
        id="seq",
        query="final",
        gold=(),
        history=({"role": "user", "content": "first"}, {"role": "assistant", "content": "scripted"}),
        turns=("second", "third"),
    )
    history, notice = runner._live_history(case)
    assert notice == ""
    assert [t["content"] for t in history] == [
        "first",
        "scripted",
        "second",
        "reply to second",
        "third",
        "reply to third",
    ]
    assert [len(h) for h in seen] == [2, 4]
