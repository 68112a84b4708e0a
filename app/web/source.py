"""The source view: the full essay, every passage cited so far highlighted, plus a coverage meter.

Offsets come from ingest, so a highlight is exactly `text[start:end]`. Each highlighted run carries the
spans it belongs to (`data-spans="7189-7335 ..."`) so a chip can find its own span even when cited
spans overlap. Above the text: the document's title and its thesis (from the argument map). Text is
HTML-escaped; headings (lines equal to a section title) are styled as such. The text is the extracted
text (for a PDF, Word file or web page), and a passage of a PDF is labelled with its page.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from html import escape
from itertools import pairwise
from typing import Any

from argument.model import Node
from ingest.models import Passage
from ingest.store import DocumentRecord


@dataclass(frozen=True)
class CitedSpan:
    """A span of the source cited in this debate; `latest` when the latest reply cited it."""

    marker: str
    passage_id: str
    start: int
    end: int
    latest: bool = False

    @property
    def key(self) -> str:
        return f"{self.start}-{self.end}"


def cited_spans(turns: Iterable[Any], doc: str) -> list[CitedSpan]:
    """Every distinct span cited in the debate's turns about `doc`."""
    turns = [t for t in turns if t.doc == doc]
    latest_keys = {(c.start, c.end) for c in (turns[-1].citations if turns else [])}
    spans: dict[tuple[int, int], CitedSpan] = {}
    for turn in turns:
        for c in turn.citations:
            key = (c.start, c.end)
            spans[key] = CitedSpan(c.marker, c.passage_id, c.start, c.end, key in latest_keys)
    return sorted(spans.values(), key=lambda s: (s.start, s.end))


SENTENCE_END = (".", "!", "?", "…")
TITLE_CHARS = 80


def display_title(record: DocumentRecord, thesis: Callable[[], str | None]) -> str:
    """A title fit for the picker: the document's own (a heading, a file's title) when it has one; when
    ingest fell back to the first sentence, the text's first Markdown heading, else its thesis, shortened."""
    if not record.title.rstrip().endswith(SENTENCE_END):
        return record.title
    heading = next((line.lstrip("#").strip() for line in record.text.splitlines() if line.startswith("#")), "")
    return heading or shorten(thesis() or record.title, TITLE_CHARS).rstrip(".")


def shorten(text: str, limit: int) -> str:
    """`text` whole when it fits, else cut at the last word boundary before `limit`, with an ellipsis."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(",;:—-") + "…"


def thesis_html(thesis: Node | None) -> str:
    """The essay's thesis (from its argument map), a link that opens its sentence in the text."""
    if thesis is None:
        return ""
    return (
        f'<a class="cp-thesis" href="#cp-span-{thesis.start}-{thesis.end}" title="Show the thesis in the essay">'
        f'<span class="cp-thesis-label">Thesis</span><span class="cp-thesis-text">{escape(thesis.text)}</span></a>'
    )


def source_html(
    record: DocumentRecord | None,
    passages: list[Passage],
    spans: list[CitedSpan],
    title: str = "",
    thesis: Node | None = None,
) -> str:
    """Title and thesis, coverage meter, then the essay text with cited spans highlighted."""
    if record is None:
        return '<div class="cp-source cp-empty"></div>'
    return (
        f'<div class="cp-source"><div class="cp-source-head">'
        f'<span class="cp-doc-title">{escape(title or record.title)}</span>{thesis_html(thesis)}'
        f"{coverage_html(passages, spans)}</div>"
        f'<div class="cp-source-text" tabindex="0" aria-label="Essay text">{_body(record.text, passages, spans)}</div>'
        "</div>"
    )


def coverage_html(passages: list[Passage], spans: list[CitedSpan]) -> str:
    """How many of the essay's sections the debate has cited, with one pill per section."""
    first_of: dict[str, str] = {}
    for p in passages:
        first_of.setdefault(p.section, p.label)
    by_id = {p.id: p.section for p in passages}
    touched = {by_id[s.passage_id] for s in spans if s.passage_id in by_id}
    total = len(first_of) or 1
    share = round(100 * len(touched) / total)
    pills = "".join(
        f'<a class="cp-sec{" cp-touched" if section in touched else ""}" href="#cp-goto-{label}">{escape(section)}</a>'
        for section, label in first_of.items()
    )
    return (
        f'<div class="cp-coverage"><div class="cp-cov-head"><span>Sections the debate has touched</span>'
        f'<strong class="cp-cov-count">{len(touched)} of {len(first_of)}</strong></div>'
        f'<div class="cp-bar" role="progressbar" aria-label="Essay coverage" aria-valuemin="0" aria-valuemax="100" '
        f'aria-valuenow="{share}"><span style="width:{share}%"></span></div>'
        f'<details class="cp-secs"><summary>Sections</summary>{pills}</details></div>'
    )


def _body(text: str, passages: list[Passage], spans: list[CitedSpan]) -> str:
    passages = sorted(passages, key=lambda p: p.start)
    sections = {p.section.strip() for p in passages}
    edges = [(p.start, p.end) for p in passages] + [(s.start, s.end) for s in spans]
    cuts = {0, len(text)} | {max(0, min(at, len(text))) for edge in edges for at in edge}
    bounds = sorted(cuts)
    starts = [p.start for p in passages]
    out: list[str] = []
    for a, b in pairwise(bounds):
        passage = _passage_at(passages, starts, a)
        if passage is not None and a == passage.start:
            out.append(
                f'<span class="cp-psg" id="cp-src-{escape(passage.label)}" data-passage="{escape(passage.label)}">'
                f'<span class="cp-plabel" aria-hidden="true">{escape(_label(passage))}</span>'
            )
        chunk = text[a:b]
        out.append(_run(chunk, [s for s in spans if s.start <= a and s.end >= b]) if passage else _gap(chunk, sections))
        if passage is not None and b == passage.end:
            out.append("</span>")
    return "".join(out)


def _label(passage: Passage) -> str:
    """`P3`, or `P3 · p. 4` when the original has pages (a PDF)."""
    return f"{passage.label} · {passage.page_label}" if passage.page_label else passage.label


def _passage_at(passages: list[Passage], starts: list[int], pos: int) -> Passage | None:
    i = bisect_right(starts, pos) - 1
    if i >= 0 and passages[i].start <= pos < passages[i].end:
        return passages[i]
    return None


def _run(chunk: str, covering: list[CitedSpan]) -> str:
    if not covering:
        return escape(chunk)
    keys = " ".join(s.key for s in covering)
    markers = ", ".join(dict.fromkeys(s.marker for s in covering))
    latest = " cp-latest" if any(s.latest for s in covering) else ""
    return (
        f'<mark class="cp-cited{latest}" data-spans="{keys}" title="Cited as {escape(markers)}">{escape(chunk)}</mark>'
    )


def _gap(chunk: str, sections: set[str]) -> str:
    """Text outside passages: headings get their own style, the rest is shown as is."""
    out = []
    for line in chunk.splitlines(keepends=True):
        body = line.rstrip("\n")
        if body.strip() and body.strip() in sections:
            out.append(f'<span class="cp-heading">{escape(body)}</span>' + line[len(body) :])
        else:
            out.append(escape(line))
    return "".join(out)
