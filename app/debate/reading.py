"""Read a user's message against the argument map: what they are doing, which side they take, what they target.

Deterministic (cue patterns from `prompts/reading.yaml`, the map, embedding similarity to map nodes), so the
embedded default needs no model for it. Agreeing with a view the essay *reports* is being against the
thesis: similarity alone would get that backwards, so the voice of the closest node decides.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import numpy as np

from app.debate import prompts
from app.debate.quoting import find_quotations
from app.debate.retrieval import bm25_tokens
from app.debate.safety import INJECTION
from app.debate.textmatch import NormalisedText
from app.settings import RetrievalSettings
from argument.model import ArgumentMap, Node
from ingest.models import Passage

STANCE_MIN_SIMILARITY = 0.35  # below this the message engages no node clearly enough to take a side
STANCE_WINDOW = 0.1  # nodes this close to the best match also vote on the stance
MISREPRESENTATION_WINDOW = 0.06  # a reported view this close to the best one may be the one attributed
MISREPRESENTATION_SIMILARITY = 0.45  # an attributed view this close to a reported node puts it in the author's mouth
OFF_TOPIC_SIMILARITY = 0.2  # the best node is this far from the message: it is not about the essay
# Added to a node's similarity when it shares all of the message's content words (IDF-weighted): a setting
# (`RetrievalSettings.node_lexical_weight`, with `question_lexical_weight` for questions); this is its default.
LEXICAL_WEIGHT = RetrievalSettings().node_lexical_weight
ARGUMENT_ROLES = ("thesis", "claim", "reason", "evidence", "concession", "call_to_action")


@dataclass
class UserQuote:
    """A quotation in the user's message and whether the essay contains it."""

    text: str
    found: bool
    passage_id: str | None = None
    sentence: str = ""  # the closest real sentence of the essay
    node: str | None = None  # the map node of that sentence
    reported: bool = False  # found, but it is a view the essay reports in order to reject it

    def to_json(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "found": self.found,
            "closest": {"passage_id": self.passage_id, "sentence": self.sentence},
        }


@dataclass
class Reading:
    """What the message does (`intent`), its side (`user_stance`), and the map nodes it engages (`target`)."""

    intent: str
    user_stance: str
    target: list[str] = field(default_factory=list)
    user_quotes: list[UserQuote] = field(default_factory=list)
    misrepresents: str | None = None  # a reported node the user attributes to the author
    foreign: bool = False  # not in the essay's language
    also_claims: bool = False  # a question that also asserts something (answer, then the move)
    asks_directive: bool = False  # a question about what the author urges someone to do


@cache
def _cues() -> dict[str, re.Pattern[str]]:
    return {k: re.compile(v, re.IGNORECASE) for k, v in prompts.load_yaml("reading.yaml").items()}


def cue(name: str, text: str) -> bool:
    return bool(_cues()[name].search(text))


class NodeIndex:
    """The argument nodes of one map with their sentence vectors, for similarity look-ups.

    A node's score is its embedding similarity to the message plus `LEXICAL_WEIGHT` times the share of the
    message's content words (weighted by rarity in the map) it contains: MiniLM alone often ranks a
    sentence that sounds like the question above the one that answers it ("which films subsidize…").
    """

    def __init__(self, amap: ArgumentMap, vectors: np.ndarray) -> None:
        self.map = amap
        argued = [n for n in amap.nodes if n.role in ARGUMENT_ROLES or n.voice == "reported"]
        self.nodes = argued or list(amap.nodes)  # a text without an argument is still quotable
        self.vectors = vectors
        self._words = [set(bm25_tokens(n.text)) for n in self.nodes]
        counts: dict[str, int] = {}
        for found in self._words:
            for word in found:
                counts[word] = counts.get(word, 0) + 1
        self._idf = {w: math.log(1 + len(self.nodes) / c) for w, c in counts.items()}
        self._unseen_idf = math.log(1 + len(self.nodes))

    def overlap(self, message: str) -> np.ndarray:
        """Per node, the IDF-weighted share of the message's content words it contains (0–1)."""
        wanted = set(bm25_tokens(_cues()["filler"].sub(" ", message)))
        weights = {w: self._idf.get(w, self._unseen_idf) for w in wanted}
        total = sum(weights.values())
        if not total:
            return np.zeros(len(self.nodes), dtype=np.float32)
        return np.asarray([sum(weights[w] for w in wanted & found) / total for found in self._words])

    def scores(self, vector: np.ndarray, message: str = "", weight: float = LEXICAL_WEIGHT) -> np.ndarray | None:
        """Every node's score against the message (None when the index has no vectors)."""
        if not self.nodes or len(self.vectors) != len(self.nodes):
            return None
        dense = self.vectors @ vector
        return dense + weight * self.overlap(message) if message else dense

    def ranked(
        self, vector: np.ndarray, message: str = "", keep: Any = None, weight: float = LEXICAL_WEIGHT
    ) -> list[tuple[Node, float]]:
        scores = self.scores(vector, message, weight)
        if scores is None:
            return []
        pairs = [(n, float(s)) for n, s in zip(self.nodes, scores, strict=True) if keep is None or keep(n)]
        return sorted(pairs, key=lambda pair: -pair[1])

    def similarities(self, vector: np.ndarray, message: str = "", weight: float = LEXICAL_WEIGHT) -> dict[str, float]:
        """Every indexed node's score, by node id (one matrix product)."""
        scores = self.scores(vector, message, weight)
        return {} if scores is None else {n.id: float(s) for n, s in zip(self.nodes, scores, strict=True)}


def read_message(
    message: str,
    history: list[dict[str, str]],
    index: NodeIndex,
    vector: np.ndarray,
    source: NormalisedText,
    passages: list[Passage],
    embed: Any,
    tuning: RetrievalSettings | None = None,
) -> Reading:
    """Classify one message; `vector` is its embedding, `embed(text)` embeds a piece of it; `tuning` gives the
    node ranking's lexical weight (the settings' default without it)."""
    weight = tuning.node_lexical_weight if tuning is not None else LEXICAL_WEIGHT
    ranked = index.ranked(vector, message, weight=weight)
    target = [n.id for n, s in ranked[:2] if s >= STANCE_MIN_SIMILARITY][:2] or [n.id for n, _ in ranked[:1]]
    reading = Reading(intent="claim", user_stance="unclear", target=target)
    reading.foreign = _foreign(message)
    reading.user_quotes = [_check_quote(q, source, passages, index.map) for q in _quotations(message)]
    reading.misrepresents = _misrepresentation(message, reading.user_quotes, index, embed)
    dense = index.scores(vector)  # off-topic is judged on meaning alone: a shared word is not a topic
    nearest = float(dense.max()) if dense is not None and dense.size else None
    reading.intent = _intent(message, history, reading, nearest)
    reading.user_stance = _stance(message, reading, ranked)
    if reading.misrepresents:
        reading.target = [reading.misrepresents, *[t for t in reading.target if t != reading.misrepresents]][:2]
    reading.also_claims = reading.intent == "question" and _asserts_too(message)
    reading.asks_directive = reading.intent == "question" and cue("directive", message)
    return reading


def _intent(message: str, history: list[dict[str, str]], reading: Reading, nearest: float | None) -> str:
    if INJECTION.search(message):
        return "injection"
    if any(not q.found for q in reading.user_quotes) or reading.misrepresents:
        return "misquote"
    far = nearest is None or nearest < OFF_TOPIC_SIMILARITY  # nothing in the essay is close to it
    if far and not cue("about_text", message):  # a far message that names the essay may still ask about it
        return "off_topic"
    if _is_question(message) and not (cue("agreement", message) and cue("tag_question", message)):
        return "question"
    if cue("pushback", message) and any(h.get("role") == "assistant" for h in history):
        return "pushback"
    if cue("agreement", message):
        return "agreement"
    return "off_topic" if far else "claim"


def _is_question(message: str) -> bool:
    last = re.split(r"(?<=[.!?])\s+", message.strip())[-1]
    return last.rstrip().endswith("?") or bool(_cues()["question_start"].match(message) and "?" in message)


def _asserts_too(message: str) -> bool:
    sentences = [s for s in re.split(r"(?<=[.!?])\s+", message.strip()) if s]
    return len(sentences) > 1 and any(not s.rstrip().endswith("?") and len(s.split()) >= 4 for s in sentences)


def _stance(message: str, reading: Reading, ranked: list[tuple[Node, float]]) -> str:
    """For or against the thesis: explicit words first, then a vote of the closest nodes.

    Each close node votes by its voice and polarity: saying what a reported view says (or what a
    concession grants) is against the thesis; saying what the author asserts is for it; contradicting
    either flips the vote. Votes are weighted by similarity.
    """
    if reading.misrepresents:
        return "unclear"
    if cue("disagreement", message):
        return "against"
    if cue("agreement_with_author", message):
        return "for"
    if reading.intent == "question" and not reading.also_claims:
        return "unclear"
    if reading.intent == "pushback":
        return "against"  # insisting against the bot's side, which argues from the essay
    engaged = [(n, s) for n, s in ranked if n.role != "call_to_action"]
    if not engaged or engaged[0][1] < STANCE_MIN_SIMILARITY:
        return "unclear"
    negated = _negated(message)
    votes = {"for": 0.0, "against": 0.0}
    for node, score in engaged:
        if score < max(STANCE_MIN_SIMILARITY, engaged[0][1] - STANCE_WINDOW):
            break
        opposing = node.voice == "reported" or node.role == "concession"
        agrees_with_node = negated == _negated(node.text)
        votes["for" if agrees_with_node != opposing else "against"] += score
    return max(votes, key=lambda side: votes[side])


def _negated(text: str) -> bool:
    """Does the sentence's main clause deny or dismiss? ("While X cannot A, they can B" asserts B.)"""
    return cue("negation", _cues()["subordinate"].sub("", text, count=1))


def _quotations(message: str) -> list[str]:
    """Quotations of three words or more: double or curly quotes, or single quotes around a phrase."""
    spans = find_quotations(message, single_quotes=True)
    return [message[s:e].strip(" .,;:") for s, e in spans if len(message[s:e].split()) >= 3]


def _check_quote(quote: str, source: NormalisedText, passages: list[Passage], amap: ArgumentMap) -> UserQuote:
    span = source.find(quote)
    if span is not None:
        node = amap.at(*span)
        passage = next((p for p in passages if p.start <= span[0] < p.end), None)
        return UserQuote(
            quote,
            True,
            passage.id if passage else None,
            node.text if node else quote,
            node.id if node else None,
            bool(node and node.voice == "reported"),
        )
    closest = _closest_by_words(quote, amap)
    return UserQuote(quote, False, closest.passage_id if closest else None, closest.text if closest else "",
                     closest.id if closest else None)  # fmt: skip


def _closest_by_words(quote: str, amap: ArgumentMap) -> Node | None:
    """The node sharing most words with a quotation the essay does not contain."""
    wanted = set(re.findall(r"[a-z0-9’']+", quote.lower()))
    best, overlap = None, 0.0
    for node in amap.nodes:
        if node.role == "context" and node.voice == "author":
            continue
        have = set(re.findall(r"[a-z0-9’']+", node.text.lower()))
        score = len(wanted & have) / (len(wanted) or 1)
        if score > overlap:
            best, overlap = node, score
    return best


def _misrepresentation(message: str, quotes: list[UserQuote], index: NodeIndex, embed: Any) -> str | None:
    """A reported view the user puts in the author's mouth ("The author says AI will replace directors")."""
    match = _cues()["attribution"].search(message)
    if match is None:
        return None
    for quote in quotes:
        if quote.found and quote.reported and quote.node:
            return quote.node
    attributed = message[match.end() :].strip(" ,:;\"“”'")
    if len(attributed.split()) < 3:
        return None
    ranked = index.ranked(np.asarray(embed(attributed)))
    reported = [(n, s) for n, s in ranked if n.voice == "reported"]
    author = [s for n, s in ranked if n.voice == "author"]
    if not reported or reported[0][1] < MISREPRESENTATION_SIMILARITY:
        return None
    if author and reported[0][1] < author[0] - MISREPRESENTATION_WINDOW:
        return None  # the author says something closer to it themselves
    close = [n for n, s in reported if s >= reported[0][1] - MISREPRESENTATION_WINDOW]
    node = max(close, key=lambda n: _shared_words(attributed, n.text))
    same_polarity = cue("negation", attributed) == cue("negation", node.text)
    return node.id if same_polarity else None


def _shared_words(a: str, b: str) -> int:
    def content(text: str) -> set[str]:
        return {w for w in re.findall(r"[a-z’']+", text.lower()) if len(w) > 3}

    return len(content(a) & content(b))


def _foreign(message: str) -> bool:
    """A message with (almost) no English words and some words of another language."""
    tokens = re.findall(r"\w+", message.lower())
    if len(tokens) < 3:
        return False
    english = sum(bool(_cues()["english"].fullmatch(t)) for t in tokens)
    foreign = sum(bool(_cues()["foreign"].fullmatch(t)) for t in tokens)
    non_ascii = any(ord(ch) > 0x24F for ch in message)  # scripts beyond Latin
    return english / len(tokens) < 0.15 and (foreign >= 2 or non_ascii)
