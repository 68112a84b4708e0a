"""Turn PDF, Word and web-page files into plain text with headings, lists and tables in the form chunking reads.

Each format has its own module returning an `Extracted`: the text every offset will point into (what the
source view shows), the title the file itself gives, and, for paged formats, where each page starts.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Extracted:
    """Text extracted from a file. `page_starts[i]` is the offset where page i + 1 begins (paged formats only)."""

    text: str
    title: str = ""
    page_starts: tuple[int, ...] = ()
    format: str = "text"


def pages_of(page_starts: tuple[int, ...], start: int, end: int) -> tuple[int, ...]:
    """The 1-based pages a span `[start, end)` lies on; () for a text without pages."""
    if not page_starts:
        return ()
    first = max(1, bisect_right(page_starts, start))
    last = max(first, bisect_right(page_starts, max(start, end - 1)))
    return tuple(range(first, last + 1))


def extractor(suffix: str) -> Callable[[bytes, str], Extracted] | None:
    """The extractor for a file suffix (`.pdf`, `.docx`, `.html`, `.htm`), or None for plain text."""
    suffix = suffix.lower()
    if suffix == ".pdf":
        from ingest.formats.pdf import extract_pdf

        return extract_pdf
    if suffix == ".docx":
        from ingest.formats.docx import extract_docx

        return extract_docx
    if suffix in (".html", ".htm"):
        from ingest.formats.html import extract_html

        return extract_html
    return None


BINARY_SUFFIXES = (".pdf", ".docx", ".html", ".htm")
