"""Ingest documents end to end: validate all inputs, chunk, embed, write, publish, prune."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ingest.chunking import chunk_document
from ingest.config import ChunkingConfig
from ingest.embedder import Embedder
from ingest.loaders import DEFAULT_MAX_BYTES, find_documents, load_document
from ingest.models import Document
from ingest.store import DocumentRecord, PassageStore

Progress = Callable[[str, int, int], None]  # (document slug, texts done, texts total)


@dataclass
class IngestReport:
    """What an ingest did, for the CLI summary and benchmarks."""

    documents: int = 0
    unchanged: int = 0
    passages: int = 0
    sections: int = 0
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)
    records: list[DocumentRecord] = field(default_factory=list)


def document_version(doc: Document, chunking: ChunkingConfig, model_id: str) -> str:
    """Same text, chunking and model -> same version; anything else re-ingests."""
    key = f"{doc.content_hash}|{chunking.model_dump_json()}|{model_id}"
    return hashlib.sha256(key.encode()).hexdigest()[:12]


def load_all(paths: list[Path], max_bytes: int = DEFAULT_MAX_BYTES) -> list[Document]:
    """Load every input before writing anything, so one bad file leaves the index untouched."""
    return [load_document(p, max_bytes) for p in find_documents(paths)]


def ingest_documents(
    docs: list[Document],
    store: PassageStore,
    embedder: Embedder,
    chunking: ChunkingConfig,
    reset: bool = False,
    progress: Progress | None = None,
) -> IngestReport:
    """Ingest loaded documents; unchanged ones cost one lookup and write nothing."""
    started = time.perf_counter()
    report = IngestReport()
    if reset:
        store.reset()
    for doc in docs:
        record, changed = ingest_document(doc, store, embedder, chunking, progress)
        report.records.append(record)
        report.unchanged += not changed
        report.documents += 1
        report.passages += record.passages
        report.sections += record.sections
        if doc.encoding != "utf-8":
            report.notes.append(f"{doc.source}: not UTF-8, decoded as {doc.encoding}")
    report.seconds = time.perf_counter() - started
    return report


def ingest_document(
    doc: Document,
    store: PassageStore,
    embedder: Embedder,
    chunking: ChunkingConfig,
    progress: Progress | None = None,
) -> tuple[DocumentRecord, bool]:
    """Ingest one document atomically: new rows, then the published-version flip, then cleanup.

    Returns the published record and whether anything was written.
    """
    version = document_version(doc, chunking, embedder.model_id)
    current = store.document(doc.slug)
    if current is not None and current.version == version:
        return current, False
    passages = chunk_document(doc, chunking, embedder.count_tokens)
    done = 0

    def on_batch(n: int) -> None:
        nonlocal done
        done += n
        if progress:
            progress(doc.slug, done, len(passages))

    embeddings = embedder.encode([p.index_text for p in passages], on_batch=on_batch)
    store.write_passages(version, passages, embeddings)
    record = DocumentRecord(
        slug=doc.slug,
        title=doc.title,
        version=version,
        text=doc.text,
        source=doc.source,
        passages=len(passages),
        sections=len({p.section for p in passages}),
    )
    store.publish(record)
    store.prune(doc.slug, version)
    return record, True
