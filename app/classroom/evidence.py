"""Evidence in a student's turn, checked against the essay by code — never by a language model.

- **Quotations** (three words or more in “curly” or "straight" double quotes) are looked up verbatim in
  the essay, with quotes, dashes, whitespace and case normalised; an ellipsis splits a quotation into parts
  that must each be found. A quotation that is not found is a **misquote**: the closest real sentence (by
  embedding similarity) is shown in its real wording.
- **Paraphrases**: a student sentence of five words or more without a quotation counts as using a passage
  when its closest essay sentence is at least `PARAPHRASE_SIMILARITY` similar *and* the two share
  distinctive words of the essay worth `PARAPHRASE_SHARED_IDF` (about two uncommon words). Measured on
  the default essay: 15 hand-written paraphrases and 15 on-topic claims that paraphrase nothing — 8/15
  paraphrases found, all at the right passage; 1/15 claims matched. Similarity alone at 0.6 found 9/15
  but also matched 4/15 claims (MiniLM rates "TikTok is fun to watch" 0.69 against "Quit trying to make
  movies that look like TikToks", and "ByteDance will take over Hollywood." 0.80 against a P16 sentence).
- **Markers** the student types (`[P8]`) count when the passage backs the sentence (the reply verifier's
  `SUPPORT_THRESHOLD`); otherwise they are flagged.
- **Misrepresentation**: see `misrepresentation.py`.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from app.classroom.misrepresentation import attributes_to_author, contradiction, strip_attribution
from app.debate.citations import MARKER, SUPPORT_THRESHOLD, parse_markers
from app.debate.quoting import find_quotations
from app.debate.retrieval import bm25_tokens
from app.debate.service import DebateService
from app.debate.textmatch import NormalisedText
from ingest.models import Passage
from ingest.sentences import split_sentences

PARAPHRASE_SIMILARITY = 0.6
PARAPHRASE_SHARED_IDF = 6.0
MISREPRESENTATION_SIMILARITY = 0.6  # an attributed sentence this close to an essay sentence is checked for a flip
MISQUOTE_CLOSE = 0.5  # a misquote whose closest sentence is less similar than this is probably invented
MIN_PARAPHRASE_WORDS = 5
EmbedMany = Callable[[list[str]], np.ndarray]  # texts -> normalised vectors, one row each
_ELLIPSIS = re.compile(r"\s*(?:\.\s?\.\s?\.|…|\[\.\.\.\])\s*")


@dataclass(frozen=True)
class PassageRef:
    """How a score points at the essay: the passage id, its citation label and its section."""

    id: str
    label: str
    section: str

    @classmethod
    def of(cls, passage: Passage) -> PassageRef:
        return cls(passage.id, passage.label, passage.section)


@dataclass
class QuoteCheck:
    """A quotation in the student's turn. Misquotes carry the closest real sentence and its similarity."""

    text: str
    verified: bool
    passage: PassageRef | None = None
    real_wording: str = ""
    similarity: float | None = None


@dataclass
class Paraphrase:
    student: str
    passage: PassageRef
    essay_sentence: str
    similarity: float
    shared_words: list[str]


@dataclass
class MarkerCheck:
    """A `[P#]` the student typed: valid when that passage backs the sentence it is in."""

    marker: str
    sentence: str
    valid: bool
    passage: PassageRef | None = None


@dataclass
class Misrepresentation:
    student: str
    passage: PassageRef
    essay_sentence: str
    similarity: float
    reason: str


@dataclass
class TurnEvidence:
    """Everything the text check found in one student turn."""

    quotes: list[QuoteCheck] = field(default_factory=list)
    paraphrases: list[Paraphrase] = field(default_factory=list)
    markers: list[MarkerCheck] = field(default_factory=list)
    misrepresentations: list[Misrepresentation] = field(default_factory=list)

    @property
    def verified_quotes(self) -> list[QuoteCheck]:
        return [q for q in self.quotes if q.verified]

    @property
    def misquotes(self) -> list[QuoteCheck]:
        return [q for q in self.quotes if not q.verified]

    @property
    def bad_markers(self) -> list[MarkerCheck]:
        return [m for m in self.markers if not m.valid]

    @property
    def problems(self) -> int:
        return len(self.misquotes) + len(self.misrepresentations) + len(self.bad_markers)

    def passages_used(self) -> list[PassageRef]:
        """Passages backed by a verified quote, a paraphrase or a valid marker, in order of use."""
        refs = [q.passage for q in self.verified_quotes if q.passage]
        refs += [p.passage for p in self.paraphrases] + [m.passage for m in self.markers if m.valid and m.passage]
        return list(dict.fromkeys(refs))


@dataclass
class EssaySentence:
    passage: Passage
    text: str
    paraphrasable: bool  # the author's own statement (not a quoted question, a table rule or a fragment)


class EssayIndex:
    """One document's sentences, their vectors and word weights, for checking student turns against it."""

    def __init__(self, service: DebateService, doc: str) -> None:
        index = service.document_index(doc)
        self.record = index.record
        self.passages = index.passages
        self.source: NormalisedText = service.source(index.record)
        self.sentences = [s for p in self.passages for s in _essay_sentences(p)]
        self.vectors = np.vstack([service.sentence_vectors(p) for p in self.passages])
        self.idf = _idf([bm25_tokens(s.text) for s in self.sentences])
        self.paraphrasable = np.array([s.paraphrasable for s in self.sentences])

    def nearest(self, vector: np.ndarray, paraphrasable_only: bool = False) -> tuple[int, float]:
        """Index and similarity of the essay sentence closest to `vector`."""
        sims = self.vectors @ vector
        if paraphrasable_only and self.paraphrasable.any():
            sims = np.where(self.paraphrasable, sims, -1.0)
        best = int(np.argmax(sims))
        return best, float(sims[best])

    def shared_words(self, text: str, at: int) -> tuple[list[str], float]:
        """Content words `text` shares with essay sentence `at`, and their summed IDF weight."""
        shared = sorted(set(bm25_tokens(text)) & set(bm25_tokens(self.sentences[at].text)))
        return shared, sum(self.idf.get(w, 0.0) for w in shared)

    def find(self, quotation: str) -> tuple[int, int] | None:
        """Where the quotation is in the essay (each part, if it has an ellipsis); None if any part is not."""
        parts = [p for p in _ELLIPSIS.split(quotation) if p.strip(" .,;:!?\"'")]
        spans = [self.source.find(p) for p in parts]
        if not spans or any(s is None for s in spans):
            return None
        found = [s for s in spans if s is not None]
        return found[0][0], found[-1][1]

    def passage_at(self, offset: int) -> Passage | None:
        return next((p for p in self.passages if p.start <= offset < p.end), None)


def _essay_sentences(passage: Passage) -> list[EssaySentence]:
    texts = passage.sentence_texts() or [passage.text]
    return [EssaySentence(passage, t, _paraphrasable(t)) for t in texts]


def _paraphrasable(text: str) -> bool:
    """The author's own statements: not questions the author quotes or asks, table rules or fragments."""
    stripped = text.strip()
    return len(stripped.split()) >= 4 and not stripped.startswith(("+", "|", '"', "“")) and "?" not in stripped


def _idf(documents: list[list[str]]) -> dict[str, float]:
    df = Counter(w for d in documents for w in set(d))
    n = len(documents)
    return {w: math.log((n + 1) / (c + 0.5)) for w, c in df.items()}


def student_sentences(text: str) -> list[str]:
    """The turn's sentences; a marker written after the full stop (`… decade. [P8]`) stays with its sentence."""
    spans: list[list[int]] = []
    for start, end in split_sentences(text):
        if spans and not MARKER.sub("", text[start:end]).strip():
            spans[-1][1] = end
        else:
            spans.append([start, end])
    return [text[s:e] for s, e in spans]


def check_turn(text: str, essay: EssayIndex, embed: EmbedMany) -> TurnEvidence:
    """Quotes, misquotes, paraphrases, markers and misrepresentations in one student turn."""
    sentences = student_sentences(text)
    evidence = TurnEvidence()
    quotations = [text[s:e] for s, e in find_quotations(text)]
    vectors = embed([_comparable(s) for s in sentences] + quotations)
    sentence_vectors, quote_vectors = vectors[: len(sentences)], vectors[len(sentences) :]
    evidence.quotes = [_check_quote(q, v, essay) for q, v in zip(quotations, quote_vectors, strict=True)]
    for sentence, vector in zip(sentences, sentence_vectors, strict=True):
        evidence.markers += _check_markers(sentence, vector, essay)
        has_quote = any(q.text in sentence for q in evidence.quotes)
        if not has_quote:
            _add_paraphrase(evidence, sentence, vector, essay)
        if attributes_to_author(sentence) and not _all_verified(sentence, evidence.quotes):
            _add_misrepresentation(evidence, sentence, vector, essay)
    return evidence


def _comparable(sentence: str) -> str:
    """The sentence as compared with the essay: no markers, no attribution cue."""
    return strip_attribution(MARKER.sub("", sentence).strip()) or sentence


def _check_quote(quotation: str, vector: np.ndarray, essay: EssayIndex) -> QuoteCheck:
    span = essay.find(quotation)
    if span is not None:
        owner = essay.passage_at(span[0])
        return QuoteCheck(quotation, True, PassageRef.of(owner) if owner else None)
    at, similarity = essay.nearest(vector)
    closest = essay.sentences[at]
    return QuoteCheck(quotation, False, PassageRef.of(closest.passage), closest.text, round(similarity, 3))


def _check_markers(sentence: str, vector: np.ndarray, essay: EssayIndex) -> list[MarkerCheck]:
    by_label = {p.label: p for p in essay.passages}
    checks = []
    for match in MARKER.finditer(sentence):
        for marker in parse_markers(match.group(1)):
            passage = by_label.get(marker)
            rows = [i for i, s in enumerate(essay.sentences) if passage is not None and s.passage.id == passage.id]
            backed = bool(rows) and float(np.max(essay.vectors[rows] @ vector)) >= SUPPORT_THRESHOLD
            ref = PassageRef.of(passage) if passage is not None else None
            checks.append(MarkerCheck(marker, sentence.strip(), backed, ref))
    return checks


def _add_paraphrase(evidence: TurnEvidence, sentence: str, vector: np.ndarray, essay: EssayIndex) -> None:
    if len(sentence.split()) < MIN_PARAPHRASE_WORDS:
        return
    at, similarity = essay.nearest(vector, paraphrasable_only=True)
    shared, weight = essay.shared_words(sentence, at)
    if similarity >= PARAPHRASE_SIMILARITY and weight >= PARAPHRASE_SHARED_IDF:
        target = essay.sentences[at]
        evidence.paraphrases.append(
            Paraphrase(sentence.strip(), PassageRef.of(target.passage), target.text, round(similarity, 3), shared)
        )


def _add_misrepresentation(evidence: TurnEvidence, sentence: str, vector: np.ndarray, essay: EssayIndex) -> None:
    at, similarity = essay.nearest(vector)
    if similarity < MISREPRESENTATION_SIMILARITY:
        return
    target = essay.sentences[at]
    reason = contradiction(_comparable(sentence), target.text)
    if reason:
        evidence.misrepresentations.append(
            Misrepresentation(
                sentence.strip(), PassageRef.of(target.passage), target.text, round(similarity, 3), reason
            )
        )
        evidence.paraphrases = [p for p in evidence.paraphrases if p.student != sentence.strip()]


def _all_verified(sentence: str, quotes: list[QuoteCheck]) -> bool:
    inside = [q for q in quotes if q.text in sentence]
    return bool(inside) and all(q.verified for q in inside)
