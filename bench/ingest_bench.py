"""Ingest speed: pipeline passages/s against raw SentenceTransformer.encode of the same texts; PDF extraction
pages/s and its share of a PDF's whole ingest (Debian's shared-mime-info spec, 17 pages)."""

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
from ingest.loaders import document_from_bytes, load_document
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
        extraction = _pdf_extraction(store, embedder, settings, repeats)

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
        **extraction,
    }


SAMPLE_PDF = Path("/usr/share/doc/shared-mime-info/shared-mime-info-spec.pdf")  # `make real-docs`


def _pdf_extraction(store: Any, embedder: Embedder, settings: Settings, repeats: int) -> dict[str, Any]:
    """Pages/s of PDF text extraction, and extraction's share of the PDF's ingest (extract + chunk + embed + store)."""
    if not SAMPLE_PDF.exists():
        return {}
    raw = SAMPLE_PDF.read_bytes()
    runs = []
    for _ in range(repeats):
        t = time.perf_counter()
        doc = document_from_bytes(raw, SAMPLE_PDF.name)
        runs.append(time.perf_counter() - t)
    extract_s = statistics.median(runs)
    ingest_s = ingest_documents([doc], store, embedder, settings.chunking).seconds
    pages = len(doc.page_starts)
    return {
        "pdf_pages": pages,
        "pdf_extract_s": round(extract_s, 3),
        "pdf_pages_per_s": round(pages / extract_s, 1),
        "pdf_extraction_share": round(extract_s / (extract_s + ingest_s), 3),
    }
