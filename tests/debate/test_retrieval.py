"""Hybrid retrieval on the real essay, real Chroma, real embeddings."""

from __future__ import annotations

import pytest

from app.debate.errors import CounterpointError
from app.debate.retrieval import HybridRetriever, bm25_tokens


@pytest.fixture
def retriever(ingested, embedder, settings):
    return HybridRetriever(ingested, embedder, settings.retrieval)


def test_bm25_tokens_keep_figures_whole() -> None:
    assert bm25_tokens("A $300M budget vs 10,000,000 niches") == ["$300m", "budget", "vs", "10000000", "niche"]


def test_exact_figure_finds_the_table(retriever) -> None:
    top = retriever.retrieve("$300M", "bytedance-hollywood")
    assert top[0].kind == "table"
    assert top[0].scores["bm25"] > 0


def test_paraphrase_finds_the_talent_pipeline(retriever) -> None:
    top = retriever.retrieve(
        "Where will young film crews learn their craft if ads get automated?", "bytedance-hollywood"
    )
    assert any("talent pipeline" in p.text or "farm system" in p.text for p in top[:2])
    assert len(top) == 4
    assert [p.scores["rrf"] for p in top] == sorted((p.scores["rrf"] for p in top), reverse=True)


def test_history_carries_the_topic(retriever) -> None:
    history = ["Entry-level commercial work like car dealership ads is where young directors learn."]
    top = retriever.retrieve("Just admit it.", "bytedance-hollywood", history=history)
    assert "low-tier" in top[0].text


def test_no_near_duplicates_and_k_respected(retriever) -> None:
    top = retriever.retrieve("algorithm", "bytedance-hollywood", k=6)
    assert len({p.id for p in top}) == len(top) == 6


def test_unknown_document(retriever) -> None:
    with pytest.raises(CounterpointError, match="no document 'nope'"):
        retriever.retrieve("x", "nope")
