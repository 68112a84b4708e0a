"""Ingest speed: pipeline passages/s against raw SentenceTransformer.encode of the same texts."""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from app.settings import Settings
from app.wiring import open_store
from ingest.chunking import chunk_document
from ingest.embedder import Embedder
from ingest.loaders import load_document
from ingest.pipeline import ingest_documents


def run(settings: Settings, repeats: int = 5) -> dict[str, Any]:
    doc = load_document(settings.default_essay)
    with tempfile.TemporaryDirectory() as tmp:
        settings = settings.model_copy(update={"data_dir": Path(tmp)})
        started = time.perf_counter()
        embedder = Embedder(settings.model_path())
        store = open_store(settings, embedder)
        cold = ingest_documents([doc], store, embedder, settings.chunking)
        cold_s = time.perf_counter() - started

        texts = [p.index_text for p in chunk_document(doc, settings.chunking, embedder.count_tokens)]
        warm_runs, raw_runs = [], []
        for _ in range(repeats):
            warm_runs.append(ingest_documents([doc], store, embedder, settings.chunking, reset=True).seconds)
            t = time.perf_counter()
            embedder.model.encode(texts, batch_size=embedder.batch_size, normalize_embeddings=True)
            raw_runs.append(time.perf_counter() - t)
        reingest = [ingest_documents([doc], store, embedder, settings.chunking).seconds for _ in range(repeats)]

    warm_s, raw_s = statistics.median(warm_runs), statistics.median(raw_runs)
    return {
        "ingest_passages": cold.passages,
        "ingest_cold_s": round(cold_s, 3),
        "ingest_warm_s": round(warm_s, 3),
        "ingest_passages_per_s": round(cold.passages / warm_s, 1),
        "raw_encode_passages_per_s": round(len(texts) / raw_s, 1),
        "ingest_throughput_ratio": round(raw_s / warm_s, 3),
        "reingest_s": round(statistics.median(reingest), 4),
        "reingest_fraction": round(statistics.median(reingest) / warm_s, 4),
    }
