"""Add a user's upload (.txt, .md, .pdf, .docx, .html) or pasted text to the index with the CLI's ingest.

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
from ingest.store import DocumentRecord

Progress = Callable[[str, int, int], None]


def megabytes(size: int) -> str:
    """`2` for 2,000,000 bytes, `2.05` for 2,050,000: the one way sizes are written (as in the README)."""
    return f"{size / 1e6:.2f}".rstrip("0").rstrip(".")


def browser_size_limit(max_bytes: int) -> int:
    """The `max_file_size` to give Gradio so that its pop-up names the same number as our messages: it
    divides by 1024², we by 10⁶. Files between the two limits reach `read_upload`, which refuses them."""
    return round(max_bytes / 1e6 * 1024 * 1024)


def read_upload(path: Path, max_bytes: int, name: str | None = None) -> Document:
    """Validate and decode an uploaded file; bad input raises one friendly line (IngestError or ours)."""
    name = name or path.name
    if path.suffix.lower() not in SUPPORTED_SUFFIXES:
        raise CounterpointError(ui_text("upload_type", name=name))
    size = path.stat().st_size
    if size > max_bytes:
        raise CounterpointError(ui_text("upload_size", name=name, size=megabytes(size), limit=megabytes(max_bytes)))
    doc = document_from_bytes(path.read_bytes(), name=name, source=f"upload:{name}")
    return dataclasses.replace(doc, slug=f"{doc.slug[:48]}-{doc.content_hash[:6]}")


def ingest_upload(service: DebateService, path: Path, progress: Progress | None = None) -> DocumentRecord:
    """Ingest the upload into the service's store (the file itself kept for download); returns the record."""
    return _ingest(service, read_upload(path, service.max_upload_bytes), progress)


def read_paste(text: str, title: str, max_bytes: int) -> Document:
    """Pasted text as a document named by its title; the same limits and checks as an uploaded .txt."""
    title = " ".join(title.split())[:120]
    if not text.strip():
        raise CounterpointError(ui_text("paste_empty"))
    raw = text.encode("utf-8")
    if len(raw) > max_bytes:
        raise CounterpointError(ui_text("paste_size", size=megabytes(len(raw)), limit=megabytes(max_bytes)))
    name = f"{title or 'Pasted text'}.txt"
    doc = document_from_bytes(raw, name=name, source=f"upload:{name}")
    doc = dataclasses.replace(doc, title=title or doc.title)
    return dataclasses.replace(doc, slug=f"{doc.slug[:48]}-{doc.content_hash[:6]}")


def ingest_paste(service: DebateService, text: str, title: str, progress: Progress | None = None) -> DocumentRecord:
    """Ingest pasted text like an uploaded .txt file; returns the published record."""
    return _ingest(service, read_paste(text, title, service.max_upload_bytes), progress)


def _ingest(service: DebateService, doc: Document, progress: Progress | None) -> DocumentRecord:
    return service.ingest([doc], progress, keep_originals=True).records[0]
