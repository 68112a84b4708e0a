"""PDF with a text layer -> paragraphs, headings and list items, with the offset where each page starts.

pypdf gives each page's text line by line in content order, wrapped as printed. Running headers and
footers (a line at the top or bottom of most pages, page numbers included) are dropped; a word broken
with a hyphen at a line end is joined; wrapped lines are joined into paragraphs, which end where a line
closes a sentence well short of the full width. Short title-like lines (numbered or in title case)
become headings. Tables and figures are read as plain lines: their layout is lost.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from dataclasses import dataclass, field

from ingest.chunking import is_heading_line
from ingest.errors import CorruptFileError, EncryptedFileError, NoTextLayerError
from ingest.formats import Extracted

_PAGE_NUMBER = re.compile(
    r"^(?:page\s+)?[-–—(\[]?\s*(?:\d{1,4}|[ivxlc]{1,6})\s*[-–—)\]]?(?:\s+(?:of|/)\s+\d{1,4})?$", re.I
)
_BULLET = re.compile(r"^(?:[•◦▪‣●○■□\-*–]|\d{1,2}[.)])\s+")
_SENTENCE_END = tuple('.!?:;"”’)')
_RUNNING_WORDS = 12  # a running header or footer is a short line
_EDGE = 2  # lines at the top and at the bottom of a page that may be a running header or footer
MIN_CHARS_PER_PAGE = 16  # less text than this per page on average: a scan without a text layer


def extract_pdf(raw: bytes, name: str) -> Extracted:
    """The PDF's text as paragraphs, with page starts; one clear IngestError for scans, passwords, damage."""
    reader = _open(raw, name)
    try:
        pages = [_lines(page.extract_text() or "") for page in reader.pages]
    except Exception as exc:  # pypdf raises many types on broken content streams
        raise CorruptFileError(f"{name}: the PDF is damaged and its text cannot be read ({_why(exc)})") from exc
    if sum(len("".join(lines)) for lines in pages) < MIN_CHARS_PER_PAGE * max(1, len(pages)):
        raise NoTextLayerError(
            f"{name}: this PDF has no text layer (a scan?): run OCR on it first, or paste its text instead"
        )
    kept = _drop_running_lines(pages)
    text, starts = _assemble(kept)
    return Extracted(
        text=text, title=_metadata_title(reader) or _header_title(pages, kept), page_starts=starts, format="pdf"
    )


def _header_title(pages: list[list[str]], kept: list[list[str]]) -> str:
    """A running header on the first page is usually the document's title."""
    if not pages or not pages[0] or (kept[0] and kept[0][0] == pages[0][0]) or _PAGE_NUMBER.match(pages[0][0]):
        return ""
    return pages[0][0]


def _open(raw: bytes, name: str):  # type: ignore[no-untyped-def]
    import pypdf

    try:
        reader = pypdf.PdfReader(io.BytesIO(raw))
        encrypted = reader.is_encrypted
    except Exception as exc:
        raise CorruptFileError(f"{name}: not a readable PDF (damaged, truncated or not a PDF: {_why(exc)})") from exc
    if encrypted and not _unlock(reader):
        raise EncryptedFileError(f"{name}: the PDF is password-protected: save a copy without the password first")
    return reader


def _unlock(reader) -> bool:  # type: ignore[no-untyped-def]
    """Open a PDF encrypted with an empty user password (readable by anyone); False when a password is needed."""
    try:
        return bool(reader.decrypt(""))
    except Exception:  # pypdf's DependencyError for AES without `cryptography`, or a broken encryption dict
        return False


def _why(exc: Exception) -> str:
    return str(exc).splitlines()[0][:80] if str(exc) else type(exc).__name__


def _lines(page_text: str) -> list[str]:
    return [" ".join(line.split()) for line in page_text.splitlines() if line.strip()]


def _metadata_title(reader) -> str:  # type: ignore[no-untyped-def]
    try:
        title = (reader.metadata or {}).get("/Title")
    except Exception:  # a damaged info dictionary is no reason to refuse the text
        return ""
    title = " ".join(str(title or "").split())
    return "" if title.lower().startswith(("untitled", "microsoft word")) else title


def _drop_running_lines(pages: list[list[str]]) -> list[list[str]]:
    """Drop page numbers and lines repeated at the top or bottom of most pages (headers, footers)."""
    counts = Counter(key for lines in pages for key in {_running_key(line) for line in _edges(lines)})
    needed = max(2, (len(pages) + 1) // 2)
    repeated = {key for key, n in counts.items() if n >= needed}
    out = []
    for lines in pages:
        edge = set(range(min(_EDGE, len(lines)))) | set(range(max(0, len(lines) - _EDGE), len(lines)))
        out.append(
            [
                line
                for i, line in enumerate(lines)
                if not (i in edge and (_running_key(line) in repeated or _PAGE_NUMBER.match(line)))
            ]
        )
    return out


def _edges(lines: list[str]) -> list[str]:
    """The lines that may be a header or footer: at the top or bottom, and short (body lines run full width)."""
    return [line for line in lines[:_EDGE] + lines[-_EDGE:] if len(line.split()) <= _RUNNING_WORDS]


def _running_key(line: str) -> str:
    """Header/footer lines differ only in their page number: compare them with digits masked."""
    return re.sub(r"\d+", "#", line.lower())


@dataclass
class _Text:
    """The text being assembled, and the offset where each page's first kept line landed."""

    pieces: list[str] = field(default_factory=list)
    length: int = 0
    starts: list[int] = field(default_factory=list)
    last_kind: str = ""  # heading | list | paragraph

    def add(self, separator: str, line: str) -> None:
        self.pieces.append(separator)
        self.pieces.append(line)
        self.length += len(separator) + len(line)


def _assemble(pages: list[list[str]]) -> tuple[str, tuple[int, ...]]:
    """Join lines into paragraphs, list items and headings; returns the text and the page starts."""
    lengths = sorted(len(line) for lines in pages for line in lines)
    width = lengths[int(len(lengths) * 0.9)] if lengths else 80
    out = _Text()
    prev = ""
    for lines in pages:
        out.starts.append(out.length)
        for i, line in enumerate(lines):
            kind = _kind(line, prev, width)
            first = not out.pieces
            separator = "" if first else _separator(out, prev, line, kind, width)
            if separator == "" and not first:
                out.pieces[-1] = out.pieces[-1][:-1]  # a hyphen at the line end joins a broken word
                out.length -= 1
            if i == 0:
                out.starts[-1] = out.length + len(separator)
            out.add(separator, line)
            out.last_kind = kind if first or separator not in ("", " ") else out.last_kind
            prev = line
    out.starts[0] = 0
    return "".join(out.pieces) + "\n", tuple(out.starts)


def _kind(line: str, prev: str, width: int) -> str:
    if _BULLET.match(line):
        return "list"
    if is_heading_line(line) and (not prev or prev.endswith(_SENTENCE_END) or len(prev) < 0.8 * width):
        return "heading"
    return "paragraph"


def _separator(out: _Text, prev: str, line: str, kind: str, width: int) -> str:
    """'' (hyphenated word), ' ' (wrapped line), '\\n' (next list item) or '\\n\\n' (a new block)."""
    if kind == "list":
        return "\n" if out.last_kind == "list" else "\n\n"
    if kind == "heading" or out.last_kind == "heading":
        return "\n\n"
    if prev.endswith(_SENTENCE_END) and len(prev) < 0.8 * width:
        return "\n\n"
    if re.search(r"[^\W\d_]-$", prev) and line[:1].islower():
        return ""
    return " "
