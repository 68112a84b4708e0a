"""Read text, Markdown, PDF, Word and web-page files into Documents, refusing bad input with one clear line."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from pathlib import Path

from ingest.errors import IngestError
from ingest.formats import BINARY_SUFFIXES, extractor
from ingest.models import Document

TEXT_SUFFIXES = (".txt", ".md", ".markdown")
SUPPORTED_SUFFIXES = TEXT_SUFFIXES + BINARY_SUFFIXES
SUPPORTED_NAMES = ".txt, .md, .pdf, .docx, .html"
DEFAULT_MAX_BYTES = 2_000_000
FALLBACK_ENCODINGS = ("cp1252", "latin-1")


def slugify(name: str) -> str:
    """`My Essay (v2).txt` -> `my-essay-v2`; `Café` -> `cafe`; `论文` -> `doc-<8 hex>`.

    ASCII names map as they always did. Accented Latin letters are transliterated (NFKD, marks dropped).
    Letters with no ASCII form (CJK, Cyrillic, ...) would vanish, so two such names could share a slug: a
    short hash of the whole name keeps them apart (`doc-<hash>` when nothing is left, else `<slug>-<hash>`).
    """
    decomposed = unicodedata.normalize("NFKD", name)
    slug = re.sub(r"[^a-z0-9]+", "-", decomposed.encode("ascii", "ignore").decode().lower()).strip("-")[:60]
    lost = any(ord(c) > 127 and c.isalnum() and not unicodedata.combining(c) for c in decomposed)
    if slug and not lost:
        return slug
    digest = hashlib.sha256(name.encode("utf-8")).hexdigest()[:8]
    return f"{slug.strip('-')[:48]}-{digest}" if slug.strip("-") else f"doc-{digest}"


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
                raise IngestError(f"{path}: no supported files ({SUPPORTED_NAMES}) in this directory")
            found.extend(files)
        else:
            found.append(path)
    return found


def load_document(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> Document:
    """Load one file. Text is decoded with newlines normalised to `\\n`, nothing else changed; other formats are
    extracted to text (see `ingest.formats`)."""
    if path.suffix.lower() not in SUPPORTED_SUFFIXES:
        raise IngestError(f"{path}: unsupported file type '{path.suffix or 'none'}' (use {SUPPORTED_NAMES})")
    size = path.stat().st_size
    if size > max_bytes:
        raise IngestError(f"{path}: {size / 1e6:.1f} MB is over the {max_bytes / 1e6:.1f} MB limit")
    raw = path.read_bytes()
    return document_from_bytes(raw, name=path.name, source=str(path))


def document_from_bytes(raw: bytes, name: str, source: str = "") -> Document:
    """Decode (or extract) and validate raw bytes (also used for uploads); the format follows the name's suffix."""
    extract = extractor(Path(name).suffix)
    if extract is not None:
        return _extracted_document(raw, name, source, extract)
    utf16 = _decode_utf16(raw)
    if utf16 is not None:
        text, encoding = utf16
    elif _looks_binary(raw):
        raise IngestError(f"{name}: looks like a binary file, not text")
    else:
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
        original=raw,
        original_name=Path(name).name,
    )


def _extracted_document(raw: bytes, name: str, source: str, extract) -> Document:  # type: ignore[no-untyped-def]
    """A PDF, Word or HTML file: its extracted text is the document (what offsets and the source view use)."""
    extracted = extract(raw, name)
    if not extracted.text.strip():
        raise IngestError(f"{name}: no text found in this {extracted.format.upper()} file")
    stem = Path(name).stem
    return Document(
        slug=slugify(stem),
        title=extracted.title or _title(extracted.text, stem),
        text=extracted.text,
        content_hash=content_hash(extracted.text),
        source=source or name,
        format=extracted.format,
        page_starts=extracted.page_starts,
        original=raw,
        original_name=Path(name).name,
    )


def _looks_binary(raw: bytes) -> bool:
    head = raw[:8192]
    if b"\x00" in head:
        return True
    control = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13))
    return bool(head) and control / len(head) > 0.05


def _decode_utf16(raw: bytes) -> tuple[str, str] | None:
    """UTF-16 text, told by its byte-order mark or, without one, by its NUL bytes; None when it is not.

    Without a BOM, text that is mostly Latin script has a NUL high byte in almost every code unit: NULs
    at nearly every odd position (little-endian) or every even one (big-endian), and almost none at the
    other. Binary data with NULs lacks that pattern. Either way the decoded text must look like text.
    """
    if raw.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        return None  # a UTF-32 mark, not UTF-16
    if raw.startswith(b"\xff\xfe"):
        encoding, body = "utf-16-le", raw[2:]
    elif raw.startswith(b"\xfe\xff"):
        encoding, body = "utf-16-be", raw[2:]
    else:
        head = raw[:4096]
        units = len(head) // 2
        if units < 2:
            return None
        even_nul = head[0 : 2 * units : 2].count(0) / units
        odd_nul = head[1 : 2 * units : 2].count(0) / units
        if odd_nul >= 0.6 and even_nul <= 0.02:
            encoding, body = "utf-16-le", raw
        elif even_nul >= 0.6 and odd_nul <= 0.02:
            encoding, body = "utf-16-be", raw
        else:
            return None
    try:
        text = body.decode(encoding)
    except UnicodeDecodeError:
        return None
    head_text = text[:4096]
    control = sum(1 for c in head_text if ord(c) < 32 and c not in "\t\n\f\r")
    if "\x00" in head_text or (head_text and control / len(head_text) > 0.05):
        return None
    return text, encoding


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
