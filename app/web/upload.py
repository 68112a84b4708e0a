"""Add a user's .txt/.md upload to the index with the same ingest the CLI uses.

An uploaded document's slug carries a short content hash, so an upload never replaces another
document (the default essay included) even when file names collide; the same text uploaded twice is
the same document and costs one lookup.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

from app.debate.errors import CounterpointError
from app.debate.service import DebateService
from app.web.text import ui_text
from ingest.loaders import SUPPORTED_SUFFIXES, document_from_bytes
from ingest.models import Document
from ingest.pipeline import ingest_documents
from ingest.store import DocumentRecord

Progress = Callable[[str, int, int], None]


def read_upload(path: Path, max_bytes: int, name: str | None = None) -> Document:
    """Validate and decode an uploaded file; bad input raises one friendly line (IngestError or ours)."""
    name = name or path.name
    if path.suffix.lower() not in SUPPORTED_SUFFIXES:
        raise CounterpointError(ui_text("upload_type", name=name))
    size = path.stat().st_size
    if size > max_bytes:
        raise CounterpointError(ui_text("upload_size", name=name, size=size / 1e6, limit=max_bytes / 1e6))
    doc = document_from_bytes(path.read_bytes(), name=name, source=f"upload:{name}")
    return dataclasses.replace(doc, slug=f"{doc.slug[:48]}-{doc.content_hash[:6]}")


def ingest_upload(service: DebateService, path: Path, progress: Progress | None = None) -> DocumentRecord:
    """Ingest the upload into the service's store; returns the published record."""
    settings = service.settings
    doc = read_upload(path, settings.max_upload_bytes)
    report = ingest_documents([doc], service.store, service.embedder, settings.chunking, progress=progress)
    return report.records[0]
