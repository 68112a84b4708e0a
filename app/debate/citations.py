"""Citations and quotations, verified in code.

The model (or the scaffold) may write `[P3]` markers and quotations; this module decides what stands:
markers must name a supplied passage that actually backs the sentence, quotations must be in the source
text, and every sentence gets an honest label. What a quotation is: `app.debate.quoting.find_quotations`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from app.debate.models import Citation, Label, Quote, Sentence
from app.debate.quoting import find_quotations
from app.debate.textmatch import NormalisedText
from ingest.models import Passage
from ingest.sentences import split_sentences

_IDS = r"(?:P\s?\d+|\d+)(?:\s*[,;]\s*(?:P\s?\d+|\d+))*"
MARKER = re.compile(rf"\s?[\[【]\s*({_IDS})\s*[\]】]", re.IGNORECASE)
MARKER_AFTER_STOP = re.compile(rf"([.!?])\s*((?:[\[【]\s*{_IDS}\s*[\]】]\s*)+)", re.IGNORECASE)

AUTO_THRESHOLD = 0.6  # a sentence this close to a passage sentence gets an "auto" attribution
SUPPORT_THRESHOLD = 0.3  # a cited passage must be at least this close to the sentence citing it

SentenceSimilarity = Callable[[str, Passage], tuple[tuple[int, int], float]]


@dataclass
class CheckedText:
    """Model-written text after verification."""

    text: str
    citations: list[Citation]
    quotes: list[Quote]
    sentences: list[Sentence]
    removed_markers: list[str]


def parse_markers(raw: str) -> list[str]:
    """`P3, 4` -> [`P3`, `P4`]."""
    return [f"P{re.sub(r'[^0-9]', '', part)}" for part in re.split(r"[,;]", raw) if part.strip()]


def verify_quote(quote: str, source: NormalisedText, passages: list[Passage]) -> Quote:
    """Is the quotation in the source (normalised quotes, dashes, whitespace, case)? Where?"""
    span = source.find(quote)
    if span is None:
        return Quote(text=quote, verified=False)
    owner = next((p for p in passages if p.start <= span[0] < p.end), None)
    return Quote(text=quote, verified=True, start=span[0], end=span[1], passage_id=owner.id if owner else None)


def verify_citations(
    text: str, passages: list[Passage], source: NormalisedText, similarity: SentenceSimilarity
) -> CheckedText:
    """Validate markers and quotes in model-written text and label each sentence."""
    by_label = {p.label: p for p in passages}
    out_sentences: list[Sentence] = []
    citations: list[Citation] = []
    quotes: list[Quote] = []
    removed: list[str] = []
    pieces: list[str] = []
    text = MARKER_AFTER_STOP.sub(lambda m: f" {m.group(2).strip()}{m.group(1)} ", text)  # "a. [P3]" -> "a [P3]."
    for start, end in split_sentences(text):
        sentence = _strip_trailing_markers_space(text[start:end])
        wanted = [m for match in MARKER.finditer(sentence) for m in parse_markers(match.group(1))]
        bare = MARKER.sub("", sentence).strip()
        if not bare:
            continue
        kept: list[str] = []
        for marker in dict.fromkeys(wanted):
            passage = by_label.get(marker)
            if passage is None:
                removed.append(marker)
                continue
            span, score = similarity(bare, passage)
            if score < SUPPORT_THRESHOLD:
                removed.append(marker)
                continue
            kept.append(marker)
            citations.append(Citation(marker, passage.id, span[0], span[1]))
        sentence_quotes = [verify_quote(bare[s:e], source, passages) for s, e in find_quotations(bare)]
        quotes.extend(sentence_quotes)
        bare = _flag_unverified(bare, sentence_quotes)
        label, auto = _label(bare, kept, sentence_quotes, passages, similarity)
        if auto is not None:
            citations.append(auto)
            kept = [auto.marker]
        pieces.append(bare + "".join(f" [{m}]" for m in kept))
        out_sentences.append(Sentence(pieces[-1], label, kept))
    return CheckedText(" ".join(pieces), citations, quotes, out_sentences, removed)


def _label(
    sentence: str, kept: list[str], quotes: list[Quote], passages: list[Passage], similarity: SentenceSimilarity
) -> tuple[Label, Citation | None]:
    if quotes and all(q.verified for q in quotes):
        return "quote", None
    if kept and not quotes:
        return "supported", None
    if quotes:  # a flagged quotation taints the sentence, whatever it cites
        return "unsupported", None
    best: tuple[float, Passage, tuple[int, int]] | None = None
    for passage in passages:
        span, score = similarity(sentence, passage)
        if best is None or score > best[0]:
            best = (score, passage, span)
    if best is not None and best[0] >= AUTO_THRESHOLD:
        score, passage, span = best
        return "auto", Citation(passage.label, passage.id, span[0], span[1], auto=True)
    return "unsupported", None


def _flag_unverified(sentence: str, quotes: list[Quote]) -> str:
    """Mark each unverified quotation right after its closing quote mark, so it never passes as genuine."""
    for quote in quotes:
        if not quote.verified:
            pattern = re.compile(re.escape(quote.text) + r"([\"”])")
            sentence = pattern.sub(lambda m: m.group(0) + " [not found in the essay]", sentence, count=1)
    return sentence


def _strip_trailing_markers_space(sentence: str) -> str:
    return re.sub(r"\s+", " ", sentence).strip()
