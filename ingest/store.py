"""Chroma storage for passages, with atomic per-document versions.

Two collections per embedding model:
- `passages-<model>`: one row per passage *version* (row id `<version>:<passage id>`), holding the
  verbatim text, the embedding of its index text, and its offsets as metadata;
- `documents-<model>`: one row per document naming its *published* version, with its full text;
- `maps-<model>`: one row per document version's argument map (JSON), written before the version is
  published, so a reader who sees a version finds its map.

Replacing a document writes the new version's rows first, then flips the document row (a single
upsert), then deletes the old rows. Readers only see rows of the published version, so an interrupted
ingest leaves either the old passages or the new ones — never a mix — and the next ingest cleans up.
"""

from __future__ import annotations

import errno
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import chromadb
import numpy as np
from chromadb.config import Settings as ChromaSettings

from ingest.config import StoreConfig
from ingest.errors import IngestError
from ingest.models import Passage

_BATCH = 1000


@dataclass(frozen=True)
class DocumentRecord:
    """A published document: what the index can cite from."""

    slug: str
    title: str
    version: str
    text: str
    source: str
    passage_count: int  # stored as the `passages` metadata key
    sections: int
    format: str = "text"
    page_starts: tuple[int, ...] = ()
    original: str = ""  # file name of the kept original (see ingest.originals), "" when none

    def page_at(self, offset: int) -> int | None:
        """The 1-based page an offset of `text` lies on; None for a text without pages."""
        from ingest.formats import pages_of

        pages = pages_of(self.page_starts, offset, offset + 1)
        return pages[0] if pages else None


def connect(config: StoreConfig) -> Any:
    """A Chroma client for the configured mode, telemetry off."""
    settings = ChromaSettings(anonymized_telemetry=False, allow_reset=True)
    if config.mode == "server":
        try:
            return chromadb.HttpClient(host=config.host, port=config.port, settings=settings)
        except Exception as exc:  # chromadb raises bare Exception/ValueError when the server is down
            raise IngestError(f"cannot reach the Chroma server at {config.host}:{config.port} ({exc})") from exc
    ensure_writable(config.path)
    try:
        return chromadb.PersistentClient(path=str(config.path), settings=settings)
    except Exception as exc:  # Chroma's Rust core raises InternalError("... database or disk is full")
        if is_disk_full(exc):
            raise IngestError(disk_full_message(config.path)) from exc
        raise


DISK_FULL = ("disk is full", "no space left", "disk full", "quota exceeded")


def is_disk_full(exc: BaseException) -> bool:
    """Whether `exc` (or what caused it) says the disk is full: ENOSPC/EDQUOT, or SQLite's and Chroma's words."""
    seen: BaseException | None = exc
    for _ in range(8):
        if seen is None:
            return False
        if isinstance(seen, OSError) and seen.errno in (errno.ENOSPC, errno.EDQUOT):
            return True
        if any(words in str(seen).lower() for words in DISK_FULL):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def disk_full_message(folder: Path) -> str:
    return f"the data folder {folder} is full (no space left on the disk): free some space or set COUNTERPOINT_DATA_DIR"


def ensure_writable(folder: Path) -> None:
    """Fail at start, in one line, when the data folder cannot be created or written (read-only, full).

    A byte is written and synced: creating an empty file can still succeed on a full disk."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".write-check-") as probe:
            probe.write(b"x")
            probe.flush()
            os.fsync(probe.fileno())
    except OSError as exc:
        if is_disk_full(exc):
            raise IngestError(f"{disk_full_message(folder)} ({exc.strerror or exc})") from exc
        raise IngestError(f"the data folder {folder} is not writable ({exc.strerror or exc})") from exc


class PassageStore:
    """Passages and documents of one embedding model in Chroma."""

    def __init__(self, client: Any, model_id: str) -> None:
        self.client = client
        self.model_id = model_id
        self._open()

    def _open(self) -> None:
        meta = {"hnsw:space": "cosine", "embedding_model": self.model_id}
        self.passages = self.client.get_or_create_collection(
            f"passages-{self.model_id}", metadata=meta, embedding_function=None
        )
        self.documents = self.client.get_or_create_collection(
            f"documents-{self.model_id}", metadata={"embedding_model": self.model_id}, embedding_function=None
        )
        self.maps = self.client.get_or_create_collection(
            f"maps-{self.model_id}", metadata={"embedding_model": self.model_id}, embedding_function=None
        )

    # --- documents -------------------------------------------------------------------------------
    def document(self, slug: str) -> DocumentRecord | None:
        got = self.documents.get(ids=[slug], include=["documents", "metadatas"])
        if not got["ids"]:
            return None
        return _record(slug, got["documents"][0], got["metadatas"][0])

    def list_documents(self) -> list[DocumentRecord]:
        got = self.documents.get(include=["documents", "metadatas"])
        records = [_record(i, d, m) for i, d, m in zip(got["ids"], got["documents"], got["metadatas"], strict=True)]
        return sorted(records, key=lambda r: r.slug)

    def publish(self, record: DocumentRecord) -> None:
        """Make `record.version` the document's visible version (one atomic upsert)."""
        meta = {
            "title": record.title,
            "version": record.version,
            "source": record.source,
            "passages": record.passage_count,
            "sections": record.sections,
            "format": record.format,
            "page_starts": json.dumps(record.page_starts),
            "original": record.original,
        }
        self.documents.upsert(ids=[record.slug], documents=[record.text], metadatas=[meta], embeddings=[[1.0]])

    # --- passages --------------------------------------------------------------------------------
    def write_passages(self, version: str, passages: list[Passage], embeddings: list[list[float]]) -> None:
        """Write one version's passages (invisible to readers until `publish`)."""
        for i in range(0, len(passages), _BATCH):
            chunk = passages[i : i + _BATCH]
            self.passages.upsert(
                ids=[f"{version}:{p.id}" for p in chunk],
                documents=[p.text for p in chunk],
                embeddings=embeddings[i : i + _BATCH],
                metadatas=[_passage_meta(p, version) for p in chunk],
            )

    def prune(self, slug: str, keep_version: str | None) -> None:
        """Delete rows of `slug` that are not the kept version (leftovers of replaced or broken ingests)."""
        where: dict[str, Any] = {"doc": slug}
        if keep_version is not None:
            where = {"$and": [{"doc": slug}, {"version": {"$ne": keep_version}}]}
        self.passages.delete(where=where)

    def passages_of(self, slug: str | None = None) -> list[Passage]:
        """Published passages, in document and reading order."""
        if slug is not None:
            record = self.document(slug)
            records = [record] if record is not None else []
        else:
            records = self.list_documents()
        return [p for record in records for p in self._published(record, ["documents", "metadatas"])[0]]

    def passages_with_vectors(self, record: DocumentRecord) -> tuple[list[Passage], np.ndarray]:
        """One published version's passages in reading order, with their stored embeddings (rows)."""
        passages, embeddings = self._published(record, ["documents", "metadatas", "embeddings"])
        return passages, np.asarray(embeddings, dtype=np.float32).reshape(len(passages), -1)

    def _published(self, record: DocumentRecord, include: list[str]) -> tuple[list[Passage], list[Any]]:
        """A version's passages in reading order, and their embeddings when `include` asks for them."""
        got = self.passages.get(where=_visible(record), include=include)
        embeddings = got.get("embeddings")
        if embeddings is None:
            embeddings = [None] * len(got["ids"])
        rows = sorted(
            zip(got["documents"], got["metadatas"], embeddings, strict=True), key=lambda row: int(row[1]["ordinal"])
        )
        return [_passage(d, m) for d, m, _ in rows], [e for _, _, e in rows]

    def query(self, embedding: list[float], record: DocumentRecord, n: int) -> list[tuple[Passage, float]]:
        """Nearest published passages of one document: (passage, cosine distance), closest first."""
        got = self.passages.query(
            query_embeddings=[embedding],
            n_results=max(1, min(n, record.passage_count)),
            where=_visible(record),
            include=["documents", "metadatas", "distances"],
        )
        rows = zip(got["documents"][0], got["metadatas"][0], got["distances"][0], strict=True)
        return [(_passage(d, m), float(dist)) for d, m, dist in rows]

    # --- argument maps ---------------------------------------------------------------------------
    def write_map(self, slug: str, map_version: str, data: str) -> None:
        """Store one version's argument map (JSON text); invisible until that version is published."""
        meta = {"doc": slug, "version": map_version}
        self.maps.upsert(ids=[f"{slug}@{map_version}"], documents=[data], metadatas=[meta], embeddings=[[1.0]])

    def read_map(self, slug: str, map_version: str) -> str | None:
        got = self.maps.get(ids=[f"{slug}@{map_version}"], include=["documents"])
        return got["documents"][0] if got["ids"] else None

    def prune_maps(self, slug: str, keep_version: str) -> None:
        """Delete the maps of `slug` other than the kept one (old versions, old mapper rules)."""
        self.maps.delete(where={"$and": [{"doc": slug}, {"version": {"$ne": keep_version}}]})

    def reset(self) -> None:
        """Drop this model's collections and start empty."""
        for name in (self.passages.name, self.documents.name, self.maps.name):
            self.client.delete_collection(name)
        self._open()


def _visible(record: DocumentRecord) -> dict[str, Any]:
    return {"$and": [{"doc": record.slug}, {"version": record.version}]}


def _passage_meta(p: Passage, version: str) -> dict[str, Any]:
    return {
        "passage_id": p.id,
        "doc": p.doc,
        "version": version,
        "section": p.section,
        "ordinal": p.ordinal,
        "start": p.start,
        "end": p.end,
        "kind": p.kind,
        "sentences": json.dumps(p.sentences),
        "index_text": p.index_text,
        "page_first": p.pages[0] if p.pages else 0,  # Chroma metadata is scalar: pages as first/last (0: none)
        "page_last": p.pages[-1] if p.pages else 0,
    }


def _passage(text: str, meta: dict[str, Any]) -> Passage:
    return Passage(
        id=meta["passage_id"],
        doc=meta["doc"],
        section=meta["section"],
        ordinal=int(meta["ordinal"]),
        start=int(meta["start"]),
        end=int(meta["end"]),
        text=text,
        kind=meta["kind"],
        sentences=tuple(tuple(s) for s in json.loads(meta["sentences"])),
        index_text=meta["index_text"],
        pages=_pages(meta),
    )


def _pages(meta: dict[str, Any]) -> tuple[int, ...]:
    first, last = int(meta.get("page_first") or 0), int(meta.get("page_last") or 0)
    return tuple(range(first, last + 1)) if first else ()


def _record(slug: str, text: str, meta: dict[str, Any]) -> DocumentRecord:
    return DocumentRecord(
        slug=slug,
        title=meta["title"],
        version=meta["version"],
        text=text,
        source=meta.get("source", ""),
        passage_count=int(meta["passages"]),
        sections=int(meta["sections"]),
        format=meta.get("format", "text"),
        page_starts=tuple(json.loads(meta.get("page_starts") or "[]")),
        original=meta.get("original", ""),
    )
