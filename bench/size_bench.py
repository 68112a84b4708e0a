"""Size: a synthetic corpus of many documents (1,000 docs ≈ 50,000 passages by default).

Paragraphs are three short sentences (~40 tokens) and this corpus is chunked with `min_words=20` so
each paragraph is one passage: encoding is compute-bound (~4,600 tokens/s on 2 cores), and 50,000
essay-length passages (~120 tokens) would alone take longer than all of `make bench` may (15 minutes).
Retrieval latency depends on the number of vectors, not their length. `size_tokens_per_passage` and
`size_ingest_tokens_per_s` say what was measured; the ingest suite gives throughput on the real essay.

Reports ingest throughput through the real pipeline and retrieval p95 at that size against a raw Chroma
query (query encode + the same filtered collection query) in the same run. Each queried document's index
is warmed first, as a running server would have it; the first turn on a cold document also embeds its
sentences once (reported separately as `size_cold_doc_ms`).
"""

from __future__ import annotations

import random
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from app.debate.retrieval import HybridRetriever
from app.settings import Settings
from app.wiring import make_embedder, open_store
from ingest.loaders import document_from_bytes
from ingest.pipeline import ingest_documents

SUBJECTS = [
    "studios",
    "audiences",
    "algorithms",
    "directors",
    "editors",
    "platforms",
    "critics",
    "festivals",
    "budgets",
    "writers",
    "actors",
    "investors",
    "feeds",
    "theatres",
    "unions",
    "cinematographers",
]
VERBS = ["reshape", "undermine", "protect", "ignore", "fund", "imitate", "reward", "starve", "curate", "measure"]
OBJECTS = [
    "shared experiences",
    "risky stories",
    "entry-level work",
    "attention spans",
    "creative friction",
    "the talent pipeline",
    "long-form narrative",
    "local crews",
    "cultural anchors",
    "independent film",
]
CLAUSES = [
    "because the economics demand it",
    "even when nobody asks them to",
    "whatever the data says",
    "in ways the trade press misses",
    "long before anyone notices",
    "unless habits change",
]


def synthetic_document(index: int, paragraphs: int, rng: random.Random, per_paragraph: int = 3) -> str:
    lines = [f"Synthetic Essay {index}: On Media and Machines"]
    for p in range(paragraphs):
        if p % 10 == 0:
            lines.append(f"Part {p // 10 + 1} Of The Argument About {rng.choice(OBJECTS).title()}")
        sentences = [
            f"{rng.choice(SUBJECTS).capitalize()} {rng.choice(VERBS)} {rng.choice(OBJECTS)} {rng.choice(CLAUSES)}."
            for _ in range(per_paragraph)
        ]
        lines.append(" ".join(sentences))
    return "\n".join(lines)


def run(settings: Settings, documents: int = 1000, paragraphs: int = 50, queries: int = 60) -> dict[str, Any]:
    rng = random.Random(7)
    docs = [
        document_from_bytes(synthetic_document(i, paragraphs, rng).encode(), f"synthetic-{i:04d}.txt")
        for i in range(documents)
    ]
    with tempfile.TemporaryDirectory() as tmp:
        chunking = settings.chunking.model_copy(update={"min_words": 20})
        settings = settings.model_copy(update={"data_dir": Path(tmp), "chunking": chunking})
        embedder = make_embedder(settings)
        store = open_store(settings, embedder)
        embedder.load()  # the model and its traced pass, before timing
        report = ingest_documents(docs, store, embedder, settings.chunking)
        sample = store.passages.get(limit=500, include=["documents"])["documents"] or []
        tokens_per_passage = statistics.mean(embedder.count_tokens(t) for t in sample)
        figures = {
            "size_documents": documents,
            "size_passages": report.passages,
            "size_tokens_per_passage": round(tokens_per_passage, 1),
            "size_ingest_tokens_per_s": round(report.passages * tokens_per_passage / report.seconds),
            "size_ingest_s": round(report.seconds, 1),
            "size_ingest_passages_per_s": round(report.passages / report.seconds, 1),
        }
        figures.update(_retrieval(settings, store, embedder, [d.slug for d in docs], queries, rng))
    return figures


def _retrieval(
    settings: Settings, store: Any, embedder: Any, slugs: list[str], queries: int, rng: random.Random
) -> dict[str, Any]:
    retriever = HybridRetriever(store, embedder, settings.retrieval)
    asks = [
        (rng.choice(slugs), f"Do {rng.choice(SUBJECTS)} really {rng.choice(VERBS)} {rng.choice(OBJECTS)}?")
        for _ in range(queries)
    ]
    cold = []
    for slug in dict.fromkeys(slug for slug, _ in asks):
        t = time.perf_counter()
        retriever.warm_up(slug)
        cold.append(time.perf_counter() - t)
    ours, raw = [], []
    for _ in range(3):
        for slug, question in asks:
            t = time.perf_counter()
            retriever.retrieve(question, slug)
            ours.append(time.perf_counter() - t)
            record = store.document(slug)
            t = time.perf_counter()
            store.query(embedder.embed_query(question), record, settings.retrieval.k)  # one filtered Chroma query
            raw.append(time.perf_counter() - t)
    p95 = lambda xs: sorted(xs)[max(0, round(0.95 * len(xs)) - 1)]  # noqa: E731
    return {
        "size_retrieval_p50_ms": round(statistics.median(ours) * 1000, 2),
        "size_retrieval_p95_ms": round(p95(ours) * 1000, 2),
        "size_raw_retrieval_p95_ms": round(p95(raw) * 1000, 2),
        "size_retrieval_ratio": round(p95(ours) / p95(raw), 3),
        "size_cold_doc_ms": round(statistics.median(cold) * 1000, 1),
    }
