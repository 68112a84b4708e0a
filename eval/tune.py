"""Retrieval-only sweeps over fusion weights and k, without calling the chat model.

For each setting it reports the retrieval metrics and `quoted_gold_rate`: how often a passage of the
sentences the scaffold would quote (at most two, chosen by `select_sentences`) contains gold — what
`gold_citation_rate` measures for the scaffolded strategy, before the model adds anything.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from app.debate.scaffold import select_sentences
from app.settings import RetrievalSettings
from eval import metrics as m
from eval.dataset import EvalCase

if TYPE_CHECKING:
    from app.debate.service import DebateService

TUNE_METRICS = ("recall_at_k", "mrr", "ndcg_at_k", "recall_at_budget", "quoted_gold_rate")
# (name, overrides of RetrievalSettings): the comparisons the defaults are chosen from.
GRID: tuple[tuple[str, dict[str, float]], ...] = (
    ("dense only", {"bm25_weight": 0.0, "sentence_weight": 0.0}),
    ("dense + bm25 (1:1)", {"bm25_weight": 1.0, "sentence_weight": 0.0}),
    ("dense + sentence (1:1)", {"bm25_weight": 0.0, "sentence_weight": 1.0}),
    ("all, bm25 0.25", {"bm25_weight": 0.25, "sentence_weight": 1.0}),
    ("all, bm25 0.5", {"bm25_weight": 0.5, "sentence_weight": 1.0}),
    ("all, bm25 1.0", {"bm25_weight": 1.0, "sentence_weight": 1.0}),
    ("sentence + bm25 0.5, no dense", {"dense_weight": 0.0, "bm25_weight": 0.5, "sentence_weight": 1.0}),
)


@dataclass
class TuneRow:
    name: str
    k: int
    scores: dict[str, float | None]
    cases: int
    ms_per_query: float


def tune(
    service: DebateService,
    cases: list[EvalCase],
    ks: tuple[int, ...] = (4,),
    budget: int = 1500,
    grid: tuple[tuple[str, dict[str, float]], ...] = GRID,
    on_step: Callable[[], None] | None = None,
) -> list[TuneRow]:
    """Score every (setting, k) on the cases that have gold and a message; the retrieval settings are restored."""
    usable = [_Prepared.of(service, c) for c in cases if c.gold and c.query.strip()]
    original = service.retrieval
    rows = []
    try:
        for k in ks:
            for name, overrides in grid:
                service.retrieval = original.model_copy(update={**overrides, "k": k})
                rows.append(_score(service, usable, name, k, budget, on_step))
    finally:
        service.retrieval = original
    return rows


@dataclass
class _Prepared:
    """A case with what does not depend on the weights: its query vector and relevant-passage count."""

    case: EvalCase
    doc: str
    turns: list[str]
    vector: np.ndarray
    relevant_total: int

    @classmethod
    def of(cls, service: DebateService, case: EvalCase) -> _Prepared:
        doc = case.doc or service.default_doc
        turns = [h["content"] for h in case.history if h["role"] == "user"]
        vector = service.query_vector(case.query, turns)
        relevant = sum(m.contains_gold(p.text, case.gold) for p in service.document_index(doc).passages)
        return cls(case, doc, turns, vector, relevant)


def _score(
    service: DebateService,
    cases: list[_Prepared],
    name: str,
    k: int,
    budget: int,
    on_step: Callable[[], None] | None,
) -> TuneRow:
    per_case: list[dict[str, Any]] = []
    started = time.perf_counter()
    for prepared in cases:
        case = prepared.case
        passages = service.retrieve(case.query, prepared.doc, prepared.turns, k=k, vector=prepared.vector)
        texts = [p.text for p in passages]
        per_case.append(
            {
                "recall_at_k": m.recall_at_k(texts, case.gold, k),
                "mrr": m.mrr(texts, case.gold),
                "ndcg_at_k": m.ndcg_at_k(texts, case.gold, k, prepared.relevant_total),
                "recall_at_budget": m.recall_at_budget(texts, case.gold, budget),
                "quoted_gold_rate": _quoted_gold(service, passages, prepared.vector, case.gold),
            }
        )
        if on_step:
            on_step()
    elapsed = time.perf_counter() - started
    scores = {name_: m.mean(c[name_] for c in per_case) for name_ in TUNE_METRICS}
    return TuneRow(name, k, scores, len(cases), 1000 * elapsed / max(1, len(cases)))


def _quoted_gold(service: DebateService, passages: list[Any], vector: np.ndarray, gold: tuple[str, ...]) -> float:
    scored = []
    for p in passages:
        sims = map(float, service.sentence_vectors(p) @ vector)
        scored.append((p, list(zip(p.sentences or ((p.start, p.end),), sims, strict=False))))
    selected = select_sentences(scored)
    return 1.0 if any(m.contains_gold(s.passage.text, gold) for s in selected) else 0.0


def format_rows(rows: list[TuneRow], defaults: RetrievalSettings) -> str:
    """A markdown table, one row per setting."""
    lines = [
        f"Retrieval sweep (defaults: dense {defaults.dense_weight}, bm25 {defaults.bm25_weight}, "
        f"sentence {defaults.sentence_weight}, k {defaults.k}; {rows[0].cases if rows else 0} cases with gold)",
        "",
        "| setting | k | " + " | ".join(TUNE_METRICS) + " | ms/query |",
        "|---|---|" + "---|" * (len(TUNE_METRICS) + 1),
    ]
    for row in rows:
        values = " | ".join(_fmt(row.scores[name]) for name in TUNE_METRICS)
        lines.append(f"| {row.name} | {row.k} | {values} | {row.ms_per_query:.0f} |")
    return "\n".join(lines)


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"
