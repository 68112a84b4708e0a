"""The scaffolded strategy's parts: pick the essay's own sentences, and filter the model's short piece.

A 135M model cannot be trusted to cite or to hold a side, so the system quotes the essay verbatim and
asks the model only for one narrow sentence, which must pass `filter_piece` to be shown at all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.debate.concession import OPENING_AGREEMENT
from app.debate.quoting import find_quotations
from app.debate.safety import INJECTION
from app.debate.textmatch import words
from ingest.models import Passage

REFUSAL = re.compile(
    r"\b(sorry|i can(no|')t|i'?m unable|as an ai|language model|i'?m not able|one sentence|"
    r"here is|here's|sure[,!])\b",
    re.IGNORECASE,
)
SOURCE_WORDS = re.compile(
    r"\b(study|studies|research(ers)?|survey|report(ed)?|according to|professor|university|institute|"
    r"percent|statistics|data shows?|scientists|experts?|journal)\b|%",
    re.IGNORECASE,
)
# The *author* conceding a point in the essay (not the bot conceding: that is `app.debate.concession`).
AUTHOR_CONCESSION = re.compile(
    r"\b(caveat|concede[sd]?|admittedly|to be fair|must be acknowledged|granted|can absolutely|"
    r"in fairness|it is true that)\b",
    re.IGNORECASE,
)
MIN_QUOTE_WORDS = 5


@dataclass
class Selected:
    """A sentence of a supplied passage chosen to quote."""

    passage: Passage
    start: int
    end: int
    score: float
    concession: bool = False  # the author conceding a point against their own thesis

    @property
    def text(self) -> str:
        return self.passage.text[self.start - self.passage.start : self.end - self.passage.start]


def select_sentences(
    scored: list[tuple[Passage, list[tuple[tuple[int, int], float]]]], n: int = 2, min_score: float = 0.2
) -> list[Selected]:
    """Sentences to quote: the best sentence of the top-ranked passage, then the best of the rest.

    `scored` holds passages in retrieval order, each with its sentences' (span, similarity to the claim).
    The fused retrieval rank leads because it weighs dense, keyword and sentence evidence together;
    at most one sentence per passage; fragments ("Why?") and table rules are skipped.
    """
    best: list[Selected] = []
    for passage, sentences in scored:
        usable = [(span, s) for span, s in sentences if _quotable(passage, span)]
        if usable:
            span, score = max(usable, key=lambda item: item[1])
            best.append(Selected(passage, span[0], span[1], score))
    if not best:
        return []
    lead = next((sel for sel in best if sel.score >= min_score), best[0])
    rest = sorted((sel for sel in best if sel is not lead and sel.score >= min_score), key=lambda sel: -sel.score)
    return [lead, *rest][:n]


def best_concession(scored: list[tuple[Passage, list[tuple[tuple[int, int], float]]]]) -> Selected | None:
    """The author's own concession closest to the claim, from passages that concede something."""
    conceding = [(p, sents) for p, sents in scored if AUTHOR_CONCESSION.search(p.text)]
    found = select_sentences(conceding, n=1, min_score=0.0)
    if not found:
        return None
    found[0].concession = True
    return found[0]


def _quotable(passage: Passage, span: tuple[int, int]) -> bool:
    """Whole sentences in the author's voice: not fragments, table rules or headers, or quoted questions."""
    text = passage.text[span[0] - passage.start : span[1] - passage.start]
    if INJECTION.covers(passage.text, span[0] - passage.start, span[1] - passage.start):  # planted: never quoted
        return False
    if text.lstrip().startswith("|"):  # a table row: a data row is evidence, a title or header row is not
        cells = text.replace("|", " ")
        letters = [c for c in cells if c.isalpha()]
        return len(cells.split()) >= MIN_QUOTE_WORDS and any(c.islower() for c in letters)
    return len(text.split()) >= MIN_QUOTE_WORDS and not text.startswith(("+", '"', "“"))


@dataclass
class FilterResult:
    kept: list[str]
    dropped: list[tuple[str, str]]  # (sentence, reason)


def filter_piece(
    sentences: list[str], user_message: str, passages: list[Passage], limit: int = 1, question: bool = False
) -> FilterResult:
    """Keep model sentences that add something from the text; drop echoes, flattery and inventions.

    With `question=True` (the mode asked for a question) only questions are kept.
    """
    evidence = " ".join(p.text for p in passages)
    evidence_words = set(words(evidence)) | set(words(user_message))
    user_words = set(words(user_message))
    kept: list[str] = []
    dropped: list[tuple[str, str]] = []
    for sentence in sentences:
        reason = _reject_reason(sentence, user_words, evidence, evidence_words)
        if not reason and question and not sentence.rstrip().endswith("?"):
            reason = "not a question"
        if reason:
            dropped.append((sentence, reason))
        elif len(kept) < limit:
            kept.append(sentence)
        else:
            dropped.append((sentence, "over the one-sentence limit"))
    return FilterResult(kept, dropped)


def _reject_reason(sentence: str, user_words: set[str], evidence: str, evidence_words: set[str]) -> str:
    sentence_words = words(sentence)
    if len(sentence_words) < 4:
        return "too short"
    if len(sentence_words) > 45:
        return "too long"
    if OPENING_AGREEMENT.search(sentence):
        return "agrees without evidence"
    if REFUSAL.search(sentence):
        return "refuses or talks about itself"
    if find_quotations(sentence, mixed_marks=True):
        return "quotes something (only the system quotes the essay)"
    if user_words and len(set(sentence_words) & user_words) / len(set(sentence_words)) >= 0.7:
        return "echoes the user"
    numbers = re.findall(r"\d[\d,.]*", sentence)
    if any(n.rstrip(".,") not in evidence for n in numbers):
        return "introduces a number not in the passages"
    source = SOURCE_WORDS.search(sentence)
    if source and source.group(0).lower() not in evidence.lower():
        return "introduces a source not in the passages"
    unknown = [n for n in _capitalised_words(sentence) if n.lower() not in evidence_words and n not in ("I", "AI")]
    if unknown:
        return f"introduces names not in the passages ({', '.join(unknown[:3])})"
    if "[" in sentence or "<" in sentence:
        return "contains markup"
    return ""


def _capitalised_words(sentence: str) -> list[str]:
    """Capitalised words that do not start a sentence or follow a colon: likely names."""
    names, starts = [], True
    for token in re.findall(r"[A-Za-z][\w'’-]*|[.!?:]", sentence):
        if token in ".!?:":
            starts = True
            continue
        if not starts and token[0].isupper():
            names.append(token)
        starts = False
    return names


_QUESTION_START = re.compile(
    r"^(what|why|how|which|where|when|who|whose|is|are|was|were|does|do|did|can|could|would|should|will|has|have|"
    r"if|isn't|doesn't|don't|aren't)\b",
    re.IGNORECASE,
)
_PLURAL_AFTER_IS = re.compile(r"^(is|was|does|has)\s+(\w+\s+){0,2}\w+s\s+(a|an|the)\b", re.IGNORECASE)
_ODD = re.compile(r"\b(opposite of|in terms of|what'?s the|the answer is)\b", re.IGNORECASE)


def well_formed_question(sentence: str, about: str) -> bool:
    """A question that reads well ("Is AI video tools a…?" does not) and is about the node it follows."""
    text = sentence.strip()
    if not text.endswith("?") or not _QUESTION_START.match(text) or _ODD.search(text):
        return False
    if _PLURAL_AFTER_IS.match(text) or not 6 <= len(text.split()) <= 30:
        return False
    content = {w for w in words(text) if len(w) > 3}
    return len(content & {w for w in words(about) if len(w) > 3}) >= 2
