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


def test_k_is_respected(retriever) -> None:
    assert len(retriever.retrieve("algorithm", "bytedance-hollywood", k=6)) == 6
    assert len(retriever.retrieve("algorithm", "bytedance-hollywood", k=2)) == 2


LIGHTHOUSE = (
    "The lighthouse keeper climbed the spiral stairs every evening at dusk to light the great lamp, trim the "
    "wick, polish the brass lens and write the weather into a leather logbook, because every ship passing the "
    "rocky headland depended on that steady beam to steer clear of the hidden reef below the cliffs."
)
OTHER_TOPICS = [
    "Sourdough bread needs a lively starter, a long cold proof in the refrigerator and a very hot oven. Bakers "
    "score the loaf with a razor so steam can escape, and they judge the crumb by its open, glossy holes and "
    "the crackle of the crust as it cools on a wire rack overnight.",
    "A volcano erupts when pressure from dissolved gases in the magma exceeds the strength of the rock above "
    "it. Geologists watch swelling ground, small earthquakes and sulphur dioxide readings to warn the towns on "
    "its slopes days before ash columns rise and pyroclastic flows race down the valleys.",
    "Opening theory in chess gives a player a map of the first dozen moves, but strong players care more about "
    "the plans behind them: which pawn breaks are coming, which bishop is bad, and whether the king is safer "
    "castled short or long once the centre opens up in the middlegame.",
    "Municipal budgets balance property taxes, state grants and fees against the cost of schools, roads and "
    "pensions. When a council borrows with bonds it must publish audited accounts, and rating agencies read "
    "them closely before deciding how much interest the city will pay on its debt.",
]


@pytest.fixture
def echoes(ingested, embedder, settings) -> str:
    """A document with the same paragraph three times, two copies with a word or two changed."""
    from ingest.loaders import document_from_bytes
    from ingest.pipeline import ingest_documents

    copies = [
        LIGHTHOUSE,
        LIGHTHOUSE.replace("every evening at dusk", "every night at sunset"),
        LIGHTHOUSE.replace("leather logbook", "canvas notebook").replace("steady", "bright"),
    ]
    paragraphs = [copies[0], OTHER_TOPICS[0], copies[1], OTHER_TOPICS[1], copies[2], *OTHER_TOPICS[2:]]
    doc = document_from_bytes("\n\n".join(["Echoes", *paragraphs]).encode(), name="echoes.txt")
    [record] = ingest_documents([doc], ingested, embedder, settings.chunking).records
    assert record.passage_count == len(paragraphs)  # each paragraph its own passage: the copies all reach retrieval
    return record.slug


def test_near_duplicate_passages_are_kept_once(retriever, echoes: str) -> None:
    assert sum("lighthouse keeper" in p.text for p in retriever.index(echoes).passages) == 3
    top = retriever.retrieve("What did the lighthouse keeper do with the lamp every evening?", echoes, k=4)
    assert "lighthouse keeper" in top[0].text
    assert sum("lighthouse keeper" in p.text for p in top) == 1, [p.text[:40] for p in top]
    assert len(top) == 4  # the dropped copies make room for the next passages, k is still met


def test_unknown_document(retriever) -> None:
    with pytest.raises(CounterpointError, match="no document 'nope'"):
        retriever.retrieve("x", "nope")
