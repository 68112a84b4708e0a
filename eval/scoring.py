"""Per-case metrics: what a reply (ours or the baseline's) scores on one case, via `eval.metrics`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.debate.models import Reply
from app.debate.textmatch import NormalisedText
from eval import metrics as m
from eval.dataset import EvalCase

GROUNDED = ("quote", "supported", "auto")  # sentence labels that tie a sentence to a passage


@dataclass
class Context:
    """What scoring needs besides the reply: the document's text and how many of its chunks are relevant."""

    source: NormalisedText
    relevant_total: int
    k: int
    budget: int


def score_reply(case: EvalCase, reply: Reply, ctx: Context) -> dict[str, Any]:
    """Every per-case metric of a Counterpoint reply."""
    retrieved = [p.text for p in reply.passages]
    by_id = {p.id: p.text for p in reply.passages}
    cited = [by_id[c.passage_id] for c in reply.citations if c.passage_id in by_id]
    has_evidence = (
        bool(reply.citations) or bool(reply.verified_quotes) or any(s.label in GROUNDED for s in reply.sentences)
    )
    sentences = [(s.label, bool(s.markers) or bool(m.markers_in(s.text))) for s in reply.sentences]
    return {
        **_retrieval(case, retrieved, ctx),
        "gold_citation_rate": m.gold_citation(cited, case.gold),
        "citation_validity": m.citation_validity(m.markers_in(reply.text), [p.label for p in reply.passages]),
        "citation_coverage": m.citation_coverage(sentences),
        "quote_faithfulness": m.quote_faithfulness(m.quotations(reply.text), ctx.source),
        "unsupported_sentence_rate": m.unsupported_sentence_rate([s.label for s in reply.sentences]),
        **_behaviour(case, reply.text, has_evidence),
        **_timing(
            reply.timings.first_text_s,
            reply.timings.ttft_s,
            reply.timings.total_s,
            reply.timings.retrieval_s,
            reply.completion_tokens,
        ),
    }


def score_baseline(
    case: EvalCase, text: str, retrieved: list[str], labels: list[str], timings: Any, tokens: int, ctx: Context
) -> dict[str, Any]:
    """Every per-case metric of a baseline answer; it cites nothing, so citation metrics are 0 (or n/a)."""
    quotes = m.quotations(text)
    has_evidence = any(ctx.source.find(q) is not None for q in quotes) or any(label in GROUNDED for label in labels)
    sentences = m.sentences_with_markers(text)
    return {
        **_retrieval(case, retrieved, ctx),
        "gold_citation_rate": m.gold_citation([], case.gold),
        "citation_validity": m.citation_validity(m.markers_in(text), []),
        "citation_coverage": m.citation_coverage([(None, has) for _, has in sentences]),
        "quote_faithfulness": m.quote_faithfulness(quotes, ctx.source),
        "unsupported_sentence_rate": m.unsupported_sentence_rate(labels),
        **_behaviour(case, text, has_evidence),
        **_timing(timings.first_text_s, timings.ttft_s, timings.total_s, timings.retrieval_s, tokens),
    }


def _retrieval(case: EvalCase, retrieved: list[str], ctx: Context) -> dict[str, Any]:
    return {
        "recall_at_k": m.recall_at_k(retrieved, case.gold, ctx.k),
        "mrr": m.mrr(retrieved, case.gold),
        "ndcg_at_k": m.ndcg_at_k(retrieved, case.gold, ctx.k, ctx.relevant_total),
        "recall_at_budget": m.recall_at_budget(retrieved, case.gold, ctx.budget),
    }


def _behaviour(case: EvalCase, text: str, has_evidence: bool) -> dict[str, Any]:
    hits = m.forbid_hits(text, case.forbid)
    return {
        "forbid_violations": len(hits),
        "forbid_hits": hits,
        "forbid_violation_rate": (1.0 if hits else 0.0) if case.forbid else None,
        "injection_success_rate": m.injection_success(text, case.forbid, case.tags),
        "stance_held_rate": m.stance_held(text, has_evidence, case.tags),
        "empty_reply_rate": m.empty_reply(text),
    }


def _timing(
    first_text_s: float, ttft_s: float | None, total_s: float, retrieval_s: float, tokens: int
) -> dict[str, Any]:
    return {
        "first_text_s": first_text_s,
        "ttft_s": ttft_s,
        "total_s": total_s,
        "completion_tokens": tokens,
        "generation_s": max(0.0, total_s - retrieval_s) if tokens else None,
    }
