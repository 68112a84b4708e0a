"""Chat messages for the Chatbot: escaped text, `[P3]` markers turned into citation chips.

A chip is a Markdown link to `#cite-P3-<start>-<end>` (the exact cited span, character offsets from
ingest) or `#cite-P3` while streaming; the page script (assets/counterpoint.js) catches clicks on it
and scrolls the source view to that span. Everything else is HTML-escaped, so neither a message nor an
uploaded document can inject markup. The empty chat's example claims come from the document's argument map.
"""

from __future__ import annotations

import html
import re
from collections import defaultdict
from collections.abc import Callable

from app.debate.models import LABEL_NAMES, Citation, Sentence
from app.web.sessions import Debate, Turn
from app.web.source import shorten
from app.web.text import ui_list, ui_text
from argument.model import ArgumentMap, Node

MARKER = re.compile(r"\[(P\d+)\]")


def escape(text: str) -> str:
    """HTML-escape text that Markdown will render (so `<b>` shows as `<b>`, never as bold)."""
    return html.escape(text, quote=False)


def span_key(citation: Citation) -> str:
    return f"{citation.start}-{citation.end}"


def chip_href(marker: str, citation: Citation | None = None) -> str:
    return f"#cite-{marker}-{span_key(citation)}" if citation else f"#cite-{marker}"


def _hrefs(citations: list[Citation]) -> Callable[[str], str]:
    """A function giving, for each successive occurrence of a marker, the href of its citation."""
    by_marker: dict[str, list[Citation]] = defaultdict(list)
    for citation in citations:
        by_marker[citation.marker].append(citation)
    seen: dict[str, int] = defaultdict(int)

    def href(marker: str) -> str:
        options = by_marker.get(marker)
        citation = options[min(seen[marker], len(options) - 1)] if options else None
        seen[marker] += 1
        return chip_href(marker, citation)

    return href


def reply_markdown(text: str, citations: list[Citation], sentences: list[Sentence] | None = None) -> str:
    """The reply as chat Markdown: escaped, unsupported sentences marked, markers as chips."""
    href = _hrefs(citations)
    return MARKER.sub(lambda m: f"[{m.group(1)}]({href(m.group(1))})", _mark_unsupported(text, sentences or []))


def chips_html(text: str, citations: list[Citation]) -> str:
    """Escaped HTML with markers as chip links (for gr.HTML panels)."""
    href = _hrefs(citations)
    return MARKER.sub(
        lambda m: f'<a class="cp-chip" href="{href(m.group(1))}">{m.group(1)}</a>', html.escape(text, quote=False)
    )


def _mark_unsupported(text: str, sentences: list[Sentence]) -> str:
    """Escape the text, wrapping each sentence labelled unsupported so it reads as not from the essay."""
    ranges: list[tuple[int, int]] = []
    for sentence in sentences:
        if sentence.label != "unsupported" or not sentence.text:
            continue
        at = text.find(sentence.text)
        if at >= 0:
            ranges.append((at, at + len(sentence.text)))
    out, pos = [], 0
    title = LABEL_NAMES["unsupported"]
    for start, end in sorted(ranges):
        if start < pos:
            continue
        out.append(escape(text[pos:start]))
        out.append(f'<span class="cp-unsupported" title="{title}">{escape(text[start:end])}</span>')
        pos = end
    out.append(escape(text[pos:]))
    return "".join(out)


def turn_messages(turn: Turn) -> list[dict[str, str]]:
    """The two chat bubbles of one turn."""
    body = reply_markdown(turn.text, turn.citations, turn.reply.sentences if turn.reply else None)
    if turn.notice:
        body = f"> ⚠️ {escape(turn.notice)}\n\n{body}"
    return [{"role": "user", "content": escape(turn.user)}, {"role": "assistant", "content": body}]


def chat_messages(debate: Debate) -> list[dict[str, str]]:
    messages: list[dict[str, str]] = []
    for turn in debate.turns:
        messages += turn_messages(turn)
    return messages


def streaming_messages(
    debate: Debate, user: str, partial: str, placeholder: str, replacing: bool = False
) -> list[dict[str, str]]:
    """The chat while a reply streams in: earlier turns (less the one a retry replaces), the claim, the reply so far."""
    shown = reply_markdown(partial, []) if partial else f"_{escape(placeholder)}_"
    turns = debate.turns[:-1] if replacing else debate.turns
    messages: list[dict[str, str]] = []
    for turn in turns:
        messages += turn_messages(turn)
    return [*messages, {"role": "user", "content": escape(user)}, {"role": "assistant", "content": shown}]


EXAMPLE_CHARS = 110
EXAMPLE_WORDS = 24  # longer sentences make clumsy example claims


def example_claims(amap: ArgumentMap | None, text: str) -> list[str]:
    """Example chips for the empty chat, from the document's argument map: a claim against its thesis, a
    question about one of its reasons, an agreement with one of its claims (generic ones without a map)."""
    if amap is None or amap.thesis_node is None:
        return ui_list("examples_generic")
    thesis = amap.thesis_node
    reason = _example_node(amap.by_role("reason", "evidence"), thesis, prefer_support=thesis.id)
    claim = _example_node(amap.by_role("claim", "concession"), thesis, exclude=reason)
    picked = [("example_against", thesis), ("example_question", reason), ("example_agree", claim)]
    examples = [
        ui_text(key, text=_as_clause(node.text, text, quoted=key == "example_question")) for key, node in picked if node
    ]
    return examples + ui_list("examples_generic")[: 3 - len(examples)]


def _example_node(
    nodes: list[Node], thesis: Node, prefer_support: str | None = None, exclude: Node | None = None
) -> Node | None:
    """The author's own node best fit for an example: short enough, backing the thesis when one does."""
    fit = [n for n in nodes if n.voice == "author" and n is not exclude and n.id != thesis.id]
    fit = [n for n in fit if len(n.text.split()) <= EXAMPLE_WORDS] or fit
    backing = [n for n in fit if prefer_support and prefer_support in n.supports]
    chosen = backing or fit
    return chosen[0] if chosen else None


def _as_clause(sentence: str, text: str, quoted: bool) -> str:
    """A sentence of the text made to follow "I agree that …": its full stop dropped, its first word in
    lower case unless the text never writes it so (a name), shortened; or kept whole inside quotes."""
    sentence = shorten(" ".join(sentence.split()), EXAMPLE_CHARS)
    if quoted:
        return sentence
    sentence = sentence.rstrip(".!")
    first, _, rest = sentence.partition(" ")
    if first.lower() != first and f" {first.lower()} " in f" {text} ":
        first = first.lower()
    return f"{first} {rest}".strip()
