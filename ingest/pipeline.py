"""Ingest documents end to end: validate all inputs, chunk, embed, write, publish, prune."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from argument.mapper import build_map, map_version
from ingest.chunking import chunk_document
from ingest.config import ChunkingConfig
from ingest.embedder import Embedder
from ingest.errors import IngestError
from ingest.loaders import DEFAULT_MAX_BYTES, find_documents, load_document
from ingest.models import Document
from ingest.originals import keep_original
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
    if doc.page_starts or doc.original_name:  # a PDF's pages, a kept original: part of what is published
        key += f"|{doc.page_starts}|{doc.original_name}"
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
    originals: Path | None = None,
) -> IngestReport:
    """Ingest loaded documents; unchanged ones cost one lookup and write nothing.

    No document silently replaces another: slugs are settled first (`assign_slugs`), so a name clash with
    a different text gets its own slug, and the same text given twice is stored once. `report.documents`
    counts the documents actually stored by this call. With `originals` (a folder), each file as given is kept
    there for download.
    """
    started = time.perf_counter()
    report = IngestReport()
    if reset:
        store.reset()
    docs, report.notes = assign_slugs(docs, store)
    for doc in docs:
        record, changed = ingest_document(doc, store, embedder, chunking, progress, originals)
        report.records.append(record)
        report.unchanged += not changed
        report.documents += 1
        report.passages += record.passage_count
        report.sections += record.sections
        if doc.encoding != "utf-8":
            report.notes.append(f"{doc.source}: not UTF-8, decoded as {doc.encoding}")
    report.seconds = time.perf_counter() - started
    return report


def assign_slugs(docs: list[Document], store: PassageStore) -> tuple[list[Document], list[str]]:
    """Give each document a slug that replaces nothing it should not; returns the documents to ingest and notes.

    A slug is free for a document when neither this call nor the store holds it, or when what holds it
    is the same source (an ordinary update, even with changed text) or the very same text. Otherwise the
    document moves to `<slug>-2`, `<slug>-3`, ... with a note. An input whose text another input of this
    call already brings under the same slug is a duplicate: it is dropped, with a note.
    """
    claimed: dict[str, Document] = {}  # slug -> the document of this call that holds it
    out: list[Document] = []
    notes: list[str] = []
    for doc in docs:
        slug, duplicate = _free_slug(doc, claimed, store)
        if duplicate:
            notes.append(f"{doc.source}: same text as {claimed[slug].source}; stored once, as '{slug}'")
            continue
        if slug != doc.slug:
            holder = claimed.get(doc.slug) or store.document(doc.slug)
            holder_source = holder.source if holder is not None else "another document"
            notes.append(
                f"{doc.source}: the slug '{doc.slug}' is taken by {holder_source} (a different text); "
                f"stored as '{slug}'"
            )
            doc = dataclasses.replace(doc, slug=slug)
        claimed[slug] = doc
        out.append(doc)
    return out, notes


def _free_slug(doc: Document, claimed: dict[str, Document], store: PassageStore) -> tuple[str, bool]:
    """The first of `slug`, `slug-2`, ... this document may use, and whether this call already brings it there."""
    for n in range(1, 10_000):
        slug = doc.slug if n == 1 else f"{doc.slug}-{n}"
        mine = claimed.get(slug)
        if mine is not None:
            if mine.content_hash == doc.content_hash:
                return slug, True
            continue
        held = store.document(slug)
        if held is None or _same_source(held.source, doc.source) or held.text == doc.text:
            return slug, False
    raise IngestError(f"{doc.source}: no free slug for '{doc.slug}'")  # pragma: no cover


def _same_source(a: str, b: str) -> bool:
    """Same file: equal as written, or the same path once resolved (`essay.txt` vs `/work/essay.txt`)."""
    if a == b:
        return True
    if not a or not b or a.startswith("upload:") or b.startswith("upload:"):
        return False
    try:
        return Path(a).resolve() == Path(b).resolve()
    except OSError:  # pragma: no cover (unresolvable path)
        return False


def ingest_document(
    doc: Document,
    store: PassageStore,
    embedder: Embedder,
    chunking: ChunkingConfig,
    progress: Progress | None = None,
    originals: Path | None = None,
) -> tuple[DocumentRecord, bool]:
    """Ingest one document atomically: new rows, then the published-version flip, then cleanup.

    Returns the published record and whether anything was written.
    """
    version = document_version(doc, chunking, embedder.model_id)
    kept = originals is not None and bool(doc.original)
    current = store.document(doc.slug)
    if current is not None and current.version == version:
        if kept and originals is not None and not current.original:  # indexed before originals were kept
            keep_original(originals, doc.slug, doc.original_name, doc.original)
            current = dataclasses.replace(current, original=doc.original_name)
            store.publish(current)
        ensure_map(current, store)  # one lookup when the map is there
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
    amap = build_map(doc.slug, doc.text, passages, title=doc.title, version=version)
    store.write_map(doc.slug, amap.version, json.dumps(amap.to_json()))
    record = DocumentRecord(
        slug=doc.slug,
        title=doc.title,
        version=version,
        text=doc.text,
        source=doc.source,
        passage_count=len(passages),
        sections=len({p.section for p in passages}),
        format=doc.format,
        page_starts=doc.page_starts,
        original=doc.original_name if kept else "",
    )
    if kept and originals is not None:
        keep_original(originals, doc.slug, doc.original_name, doc.original)
    store.publish(record)
    store.prune(doc.slug, version)
    store.prune_maps(doc.slug, amap.version)
    return record, True


def ensure_map(record: DocumentRecord, store: PassageStore) -> bool:
    """Build the argument map of a published version that lacks one (older index, changed cue rules).

    The rule-based map needs no model (cues, structure, position), so it costs milliseconds.

    Costs one lookup when the map is there; returns whether it wrote one.
    """
    version = map_version(record.version)
    if store.read_map(record.slug, version) is not None:
        return False
    passages = store.passages_of(record.slug)
    amap = build_map(record.slug, record.text, passages, title=record.title, version=record.version)
    store.write_map(record.slug, version, json.dumps(amap.to_json()))
    store.prune_maps(record.slug, version)
    return True
