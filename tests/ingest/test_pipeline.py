"""Ingest into real Chroma with the real embedding model: idempotent, atomic, side by side."""

from __future__ import annotations

import pytest

from ingest.loaders import document_from_bytes
from ingest.pipeline import ingest_document, ingest_documents


class CountingEmbedder:
    """Wraps the real embedder and counts texts embedded."""

    def __init__(self, inner) -> None:  # type: ignore[no-untyped-def]
        self.inner = inner
        self.model_id = inner.model_id
        self.count_tokens = inner.count_tokens
        self.embedded = 0

    def encode(self, texts, on_batch=None):  # type: ignore[no-untyped-def]
        self.embedded += len(texts)
        return self.inner.encode(texts, on_batch=on_batch)


def test_ingest_stores_verbatim_passages(ingested, essay) -> None:  # type: ignore[no-untyped-def]
    stored = ingested.passages_of(essay.slug)
    assert len(stored) > 15
    assert [p.ordinal for p in stored] == list(range(len(stored)))
    record = ingested.document(essay.slug)
    assert record is not None and record.text == essay.text
    for p in stored:
        assert essay.text[p.start : p.end] == p.text


def test_dense_query_finds_the_table(ingested, embedder, essay) -> None:  # type: ignore[no-untyped-def]
    record = ingested.document(essay.slug)
    hits = ingested.query(embedder.embed_query("the monoculture versus the swarm of micro-niches"), record, 3)
    assert any(p.kind == "table" for p, _ in hits)
    assert all(0 <= d <= 2 for _, d in hits)


def test_reingest_of_unchanged_document_writes_nothing(ingested, embedder, settings, essay) -> None:  # type: ignore[no-untyped-def]
    counting = CountingEmbedder(embedder)
    rows_before = ingested.passages.count()
    report = ingest_documents([essay], ingested, counting, settings.chunking)  # type: ignore[arg-type]
    assert report.unchanged == 1
    assert counting.embedded == 0
    assert ingested.passages.count() == rows_before


def test_changed_document_replaces_passages(ingested, embedder, settings, essay) -> None:  # type: ignore[no-untyped-def]
    edited = document_from_bytes(essay.text.replace("ghost story", "phantom tale").encode(), essay.slug + ".txt")
    record, changed = ingest_document(edited, ingested, embedder, settings.chunking)
    assert changed
    stored = ingested.passages_of(essay.slug)
    assert any("phantom tale" in p.text for p in stored)
    assert not any("ghost story" in p.text for p in stored)
    assert ingested.passages.count() == record.passages  # old version's rows are gone


def test_interrupted_replacement_leaves_old_version_intact(ingested, embedder, settings, essay) -> None:  # type: ignore[no-untyped-def]
    before = [(p.id, p.text) for p in ingested.passages_of(essay.slug)]
    edited = document_from_bytes(essay.text.replace("ghost story", "phantom tale").encode(), essay.slug + ".txt")

    def crash(record):  # type: ignore[no-untyped-def]
        raise KeyboardInterrupt("killed before the flip")

    original_publish = ingested.publish
    ingested.publish = crash
    with pytest.raises(KeyboardInterrupt):
        ingest_document(edited, ingested, embedder, settings.chunking)
    ingested.publish = original_publish
    assert [(p.id, p.text) for p in ingested.passages_of(essay.slug)] == before  # no mix of old and new
    record, changed = ingest_document(edited, ingested, embedder, settings.chunking)
    assert changed and ingested.passages.count() == record.passages  # leftovers cleaned up


def test_documents_live_side_by_side_and_reset(ingested, embedder, settings, essay) -> None:  # type: ignore[no-untyped-def]
    other = document_from_bytes(b"# Other\n\nA second text about cats and their opinions on cinema.", "other.md")
    ingest_documents([other], ingested, embedder, settings.chunking)
    assert [r.slug for r in ingested.list_documents()] == [essay.slug, "other"]
    assert ingested.passages_of("other")[0].text.startswith("A second text")
    ingest_documents([other], ingested, embedder, settings.chunking, reset=True)
    assert [r.slug for r in ingested.list_documents()] == ["other"]
