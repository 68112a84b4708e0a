"""Read `.txt` and `.md` files into Documents, refusing bad input with one clear line."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from ingest.errors import IngestError
from ingest.models import Document

SUPPORTED_SUFFIXES = (".txt", ".md", ".markdown")
DEFAULT_MAX_BYTES = 2_000_000
FALLBACK_ENCODINGS = ("cp1252", "latin-1")


def slugify(name: str) -> str:
    """`My Essay (v2).txt` -> `my-essay-v2`."""
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return slug[:60] or "document"


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def find_documents(paths: list[Path]) -> list[Path]:
    """Expand folders into their supported files; refuse missing paths and folders with nothing to read."""
    found: list[Path] = []
    for path in paths:
        if not path.exists():
            raise IngestError(f"{path}: no such file or directory")
        if path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES)
            if not files:
                raise IngestError(f"{path}: no supported files (.txt, .md) in this directory")
            found.extend(files)
        else:
            found.append(path)
    return found


def load_document(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> Document:
    """Load one file. The text is decoded, newlines normalised to `\\n`, and nothing else changed."""
    if path.suffix.lower() not in SUPPORTED_SUFFIXES:
        raise IngestError(f"{path}: unsupported file type '{path.suffix or 'none'}' (use .txt or .md)")
    size = path.stat().st_size
    if size > max_bytes:
        raise IngestError(f"{path}: {size / 1e6:.1f} MB is over the {max_bytes / 1e6:.1f} MB limit")
    raw = path.read_bytes()
    return document_from_bytes(raw, name=path.name, source=str(path))


def document_from_bytes(raw: bytes, name: str, source: str = "") -> Document:
    """Decode and validate raw bytes (also used for uploads)."""
    if _looks_binary(raw):
        raise IngestError(f"{name}: looks like a binary file, not text")
    text, encoding = _decode(raw, name)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise IngestError(f"{name}: the file is empty (nothing but whitespace)")
    stem = Path(name).stem
    return Document(
        slug=slugify(stem),
        title=_title(text, stem),
        text=text,
        content_hash=content_hash(text),
        source=source or name,
        encoding=encoding,
    )


def _looks_binary(raw: bytes) -> bool:
    head = raw[:8192]
    if b"\x00" in head:
        return True
    control = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13))
    return bool(head) and control / len(head) > 0.05


def _decode(raw: bytes, name: str) -> tuple[str, str]:
    try:
        return raw.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    for encoding in FALLBACK_ENCODINGS:
        try:
            return raw.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise IngestError(
        f"{name}: not valid UTF-8 and no fallback encoding fits"
    )  # pragma: no cover (latin-1 decodes all)


def _title(text: str, stem: str) -> str:
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        if line.startswith("#"):
            return line.lstrip("#").strip()
        if len(line.split()) <= 14:
            return line
        break
    return stem.replace("-", " ").replace("_", " ").strip().title()
