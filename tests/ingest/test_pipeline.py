"""Ingest into real Chroma with the real embedding model: idempotent, atomic, side by side."""

from __future__ import annotations

import pytest

from ingest.loaders import document_from_bytes
from ingest.pipeline import ingest_document, ingest_documents, load_all


class CountingEmbedder:
    """Wraps the real embedder and counts texts embedded."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self.model_id = inner.model_id
        self.count_tokens = inner.count_tokens
        self.embedded = 0

    def encode(self, texts, on_batch=None):
        self.embedded += len(texts)
        return self.inner.encode(texts, on_batch=on_batch)


def test_ingest_stores_verbatim_passages(ingested, essay) -> None:
    stored = ingested.passages_of(essay.slug)
    assert len(stored) > 15
    assert [p.ordinal for p in stored] == list(range(len(stored)))
    record = ingested.document(essay.slug)
    assert record is not None and record.text == essay.text
    for p in stored:
        assert essay.text[p.start : p.end] == p.text


def test_dense_query_finds_the_table(ingested, embedder, essay) -> None:
    record = ingested.document(essay.slug)
    hits = ingested.query(embedder.embed_query("the monoculture versus the swarm of micro-niches"), record, 3)
    assert any(p.kind == "table" for p, _ in hits)
    assert all(0 <= d <= 2 for _, d in hits)


def test_reingest_of_unchanged_document_writes_nothing(ingested, embedder, settings, essay) -> None:
    counting = CountingEmbedder(embedder)
    rows_before = ingested.passages.count()
    report = ingest_documents([essay], ingested, counting, settings.chunking)  # type: ignore[arg-type]
    assert report.unchanged == 1
    assert counting.embedded == 0
    assert ingested.passages.count() == rows_before


def test_changed_document_replaces_passages(ingested, embedder, settings, essay) -> None:
    edited = document_from_bytes(essay.text.replace("ghost story", "phantom tale").encode(), essay.slug + ".txt")
    record, changed = ingest_document(edited, ingested, embedder, settings.chunking)
    assert changed
    stored = ingested.passages_of(essay.slug)
    assert any("phantom tale" in p.text for p in stored)
    assert not any("ghost story" in p.text for p in stored)
    assert ingested.passages.count() == record.passage_count  # old version's rows are gone


def test_interrupted_replacement_leaves_old_version_intact(ingested, embedder, settings, essay) -> None:
    before = [(p.id, p.text) for p in ingested.passages_of(essay.slug)]
    edited = document_from_bytes(essay.text.replace("ghost story", "phantom tale").encode(), essay.slug + ".txt")

    def crash(record):
        raise KeyboardInterrupt("killed before the flip")

    original_publish = ingested.publish
    ingested.publish = crash
    with pytest.raises(KeyboardInterrupt):
        ingest_document(edited, ingested, embedder, settings.chunking)
    ingested.publish = original_publish
    assert [(p.id, p.text) for p in ingested.passages_of(essay.slug)] == before  # no mix of old and new
    record, changed = ingest_document(edited, ingested, embedder, settings.chunking)
    assert changed and ingested.passages.count() == record.passage_count  # leftovers cleaned up


def test_documents_live_side_by_side_and_reset(ingested, embedder, settings, essay) -> None:
    other = document_from_bytes(b"# Other\n\nA second text about cats and their opinions on cinema.", "other.md")
    ingest_documents([other], ingested, embedder, settings.chunking)
    assert [r.slug for r in ingested.list_documents()] == [essay.slug, "other"]
    assert ingested.passages_of("other")[0].text.startswith("A second text")
    ingest_documents([other], ingested, embedder, settings.chunking, reset=True)
    assert [r.slug for r in ingested.list_documents()] == ["other"]


def _doc(text: str, source: str, name: str = "essay.txt"):
    return document_from_bytes(text.encode(), name, source=source)


ESSAY_A = "# Gardens\n\nA garden is an argument about patience, made with soil and time and water."
ESSAY_B = "# Rivers\n\nA river is an argument about persistence, made with rain and stone and gravity."


def test_same_name_different_text_in_one_call_gets_its_own_slug(store, embedder, settings) -> None:
    first, second = _doc(ESSAY_A, "d1/essay.txt"), _doc(ESSAY_B, "d2/essay.txt")
    assert first.slug == second.slug == "essay"
    report = ingest_documents([first, second], store, embedder, settings.chunking)
    assert report.documents == 2
    assert {r.slug: r.text for r in store.list_documents()} == {"essay": ESSAY_A, "essay-2": ESSAY_B}
    assert any("d2/essay.txt" in n and "stored as 'essay-2'" in n for n in report.notes), report.notes
    assert ingest_documents([first, second], store, embedder, settings.chunking).unchanged == 2  # stable


def test_same_text_twice_is_stored_once(store, embedder, settings) -> None:
    report = ingest_documents(
        [_doc(ESSAY_A, "d1/essay.txt"), _doc(ESSAY_A, "d2/essay.txt")], store, embedder, settings.chunking
    )
    assert report.documents == 1 and len(report.records) == 1
    assert [r.slug for r in store.list_documents()] == ["essay"]
    assert any("same text as d1/essay.txt" in n for n in report.notes), report.notes


def test_a_later_ingest_never_replaces_another_source(store, embedder, settings) -> None:
    ingest_documents([_doc(ESSAY_A, "d1/essay.txt")], store, embedder, settings.chunking)
    report = ingest_documents([_doc(ESSAY_B, "d2/essay.txt")], store, embedder, settings.chunking)
    assert [r.slug for r in report.records] == ["essay-2"]
    assert "taken by d1/essay.txt" in report.notes[0]
    assert {r.slug: (r.source, r.text) for r in store.list_documents()} == {
        "essay": ("d1/essay.txt", ESSAY_A),
        "essay-2": ("d2/essay.txt", ESSAY_B),
    }
    again = ingest_documents([_doc(ESSAY_B, "d2/essay.txt")], store, embedder, settings.chunking)
    assert (again.unchanged, [r.slug for r in again.records]) == (1, ["essay-2"])  # found where it went


def test_same_source_with_changed_text_is_an_update(store, embedder, settings) -> None:
    ingest_documents([_doc(ESSAY_A, "d1/essay.txt")], store, embedder, settings.chunking)
    edited = ESSAY_A.replace("patience", "waiting")
    report = ingest_documents([_doc(edited, "d1/essay.txt")], store, embedder, settings.chunking)
    assert (report.documents, report.unchanged, report.notes) == (1, 0, [])
    assert [(r.slug, r.text) for r in store.list_documents()] == [("essay", edited)]
    assert all("patience" not in p.text for p in store.passages_of("essay"))


def test_same_text_from_another_path_is_unchanged(store, embedder, settings) -> None:
    ingest_documents([_doc(ESSAY_A, "d1/essay.txt")], store, embedder, settings.chunking)
    report = ingest_documents([_doc(ESSAY_A, "copy/essay.txt")], store, embedder, settings.chunking)
    assert (report.unchanged, [r.slug for r in store.list_documents()]) == (1, ["essay"])


def test_non_ascii_names_no_longer_share_a_slug(store, embedder, settings, tmp_path) -> None:
    (tmp_path / "论文.txt").write_text(ESSAY_A, encoding="utf-8")
    (tmp_path / "随笔.txt").write_text(ESSAY_B, encoding="utf-8")
    report = ingest_documents(load_all([tmp_path]), store, embedder, settings.chunking)
    assert report.documents == 2 and report.notes == []
    assert sorted(r.text for r in store.list_documents()) == [ESSAY_A, ESSAY_B]
