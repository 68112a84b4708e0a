"""The shapes ingest produces: a loaded document and its citable passages."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Document:
    """A loaded text. `text` is the canonical source every offset points into (newlines normalised)."""

    slug: str
    title: str
    text: str
    content_hash: str
    source: str = ""
    encoding: str = "utf-8"
    format: str = "text"
    page_starts: tuple[int, ...] = ()  # offset in `text` where page i + 1 begins (PDF only)
    original: bytes = field(default=b"", repr=False, compare=False)  # the file as given, kept in the data dir
    original_name: str = ""


@dataclass
class Passage:
    """A citable span of a document: `text == document.text[start:end]`, verbatim.

    `sentences` are absolute (start, end) offsets of the passage's sentences in the document.
    `index_text` is what gets embedded (section title + text, or a linearised table).
    `pages` are the 1-based pages of the original it lies on (PDF only, else empty).
    `scores` is filled in by retrieval.
    """

    id: str
    doc: str
    section: str
    ordinal: int
    start: int
    end: int
    text: str
    kind: str = "prose"
    sentences: tuple[tuple[int, int], ...] = ()
    index_text: str = ""
    pages: tuple[int, ...] = ()
    scores: dict[str, float] = field(default_factory=dict)

    @property
    def label(self) -> str:
        """Short citation id shown to users and models, e.g. `P3` (1-based reading order)."""
        return f"P{self.ordinal + 1}"

    @property
    def page_label(self) -> str:
        """Where the passage is in a paged original: `p. 4`, `pp. 4–5`; empty for a text without pages."""
        if not self.pages:
            return ""
        first, last = self.pages[0], self.pages[-1]
        return f"p. {first}" if first == last else f"pp. {first}–{last}"

    def sentence_texts(self) -> list[str]:
        """The passage's sentences as text (sliced from the passage, so verbatim)."""
        return [self.text[s - self.start : e - self.start] for s, e in self.sentences]

    def to_json(self) -> dict[str, Any]:
        """The passage for JSON output (`passages --json`, replies); scores only when retrieval set them."""
        data: dict[str, Any] = {
            "id": self.id,
            "label": self.label,
            "doc": self.doc,
            "section": self.section,
            "ordinal": self.ordinal,
            "kind": self.kind,
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "sentences": [list(s) for s in self.sentences],
        }
        if self.pages:
            data["pages"] = list(self.pages)
            data["page_label"] = self.page_label
        if self.scores:
            data["scores"] = {k: round(v, 4) for k, v in self.scores.items()}
        return data
