"""Hybrid retrieval: dense + BM25 + best-sentence (max-sim), fused by weighted RRF.

A debate is about one document, so each document's passages and their stored embeddings are read from
Chroma once per published version and searched exactly in memory (a few dozen rows); Chroma stays the
store of record, shared by every process in server mode.

Dense search finds passages that *mean* the same; BM25 catches exact terms ("$300M", "DaVinci");
scoring a passage by its best-matching sentence stops a long passage's one relevant sentence from being
averaged away. Weights are settings, chosen with the eval dev set.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np
from rank_bm25 import BM25Okapi

from app.debate.errors import CounterpointError
from app.debate.textmatch import words
from app.settings import RetrievalSettings
from ingest.embedder import Embedder
from ingest.models import Passage
from ingest.store import DocumentRecord, PassageStore

_STOP_WORDS = """
a an the and or but if of to in on at by for with from as is are was were be been being it its this that
these those there their they them he she his her we our you your i me my not no do does did so than then
what which who whom how why when where will would can could should may might must about into over just
more most very also only own such too up out
"""
_STOP = set(_STOP_WORDS.split())
MAX_CACHED_DOCS = 128  # per-document indexes kept in memory (~50 KB of vectors per 30-passage essay)


def bm25_tokens(text: str) -> list[str]:
    """Lower-cased content words, light suffix stripping; figures like `$300m` and `10,000,000` kept whole."""
    tokens = []
    for word in words(re.sub(r"(?<=\d),(?=\d)", "", text)):
        if word in _STOP or len(word) < 2:
            continue
        word = word.removesuffix("'s")
        for suffix in ("ing", "ed", "s"):
            if len(word) > len(suffix) + 3 and word.endswith(suffix):
                word = word[: -len(suffix)]
                break
        tokens.append(word)
    return tokens


@dataclass
class _DocIndex:
    """Per-document caches, valid for one published version."""

    record: DocumentRecord
    passages: list[Passage]
    vectors: np.ndarray  # the passages' stored embeddings, one row each, in `passages` order
    bm25: BM25Okapi
    sentence_vectors: dict[str, np.ndarray]
    position: dict[str, int] = field(default_factory=dict)  # passage id -> index in `passages`

    def __post_init__(self) -> None:
        self.position = {p.id: i for i, p in enumerate(self.passages)}

    def passage(self, passage_id: str) -> Passage:
        return self.passages[self.position[passage_id]]


class HybridRetriever:
    """Retrieves passages of one document for a debate turn."""

    def __init__(self, store: PassageStore, embedder: Embedder, config: RetrievalSettings) -> None:
        self.store = store
        self.embedder = embedder
        self.config = config
        self._indexes: OrderedDict[str, _DocIndex] = OrderedDict()
        self._lock = threading.Lock()

    # --- public ----------------------------------------------------------------------------------
    def query_vector(self, message: str, history: list[str] | None = None) -> np.ndarray:
        """Embed the message, leaning towards recent user turns so "admit it" still finds the topic."""
        recent = (
            [h for h in (history or [])[-self.config.history_turns :] if h.strip()] if self.config.history_turns else []
        )
        vectors = np.asarray(self.embedder.embed_queries([message, " ".join(recent)] if recent else [message]))
        vector = vectors[0]
        if recent:
            # A short message ("Just admit it.") carries little topic: let the conversation lead.
            weight = 1.5 if len(bm25_tokens(message)) < 5 else 0.5
            vector = vector + weight * vectors[1]
        return vector / (np.linalg.norm(vector) or 1.0)

    def retrieve(
        self,
        message: str,
        doc: str,
        history: list[str] | None = None,
        k: int | None = None,
        vector: np.ndarray | None = None,
        record: DocumentRecord | None = None,
        first: Sequence[str] = (),
    ) -> list[Passage]:
        """The k best passages for the message (plus recent history), each with its scores.

        `record`: the document's record when the caller has just read it (saves a store round trip).
        `first`: passage ids that lead whatever the fusion says (a role query's thesis or concessions).
        """
        index = self.index(doc, record)
        k = k or self.config.k
        vector = self.query_vector(message, history) if vector is None else vector
        n = self.config.candidates
        # Dense: exact cosine over this document's vectors (normalised at ingest), loaded from Chroma once
        # per version. A debate is always about one document, so this beats an ANN query over the whole
        # corpus filtered down to it: exact, and ~0.1 ms instead of ~60 ms at 50,000 passages.
        sims = index.vectors @ vector.astype(np.float32)
        top = np.argsort(-sims)[:n]
        dense_rank = [index.passages[i].id for i in top]
        dense_score = {index.passages[i].id: float(sims[i]) for i in top}
        recent = (history or [])[-self.config.history_turns :] if self.config.history_turns else []
        bm25_scores = index.bm25.get_scores(bm25_tokens(" ".join([*recent, message])))
        bm25_rank = [index.passages[i].id for i in np.argsort(-bm25_scores)[:n] if bm25_scores[i] > 0]
        candidates = [index.passage(i) for i in dict.fromkeys(dense_rank + bm25_rank)]
        sentence_score = {p.id: self.best_sentence(vector, p)[1] for p in candidates}
        sentence_rank = sorted(sentence_score, key=lambda i: -sentence_score[i])
        fused: dict[str, float] = {}
        for ranking, weight in (
            (dense_rank, self.config.dense_weight),
            (bm25_rank, self.config.bm25_weight),
            (sentence_rank, self.config.sentence_weight),
        ):
            for rank, pid in enumerate(ranking):
                fused[pid] = fused.get(pid, 0.0) + weight / (self.config.rrf_k + rank + 1)
        ranked = sorted(fused, key=lambda i: -fused[i])
        pinned = [pid for pid in first if pid in index.position]
        if pinned:
            ranked = [*pinned, *[pid for pid in ranked if pid not in pinned]]
            for pid in pinned:
                fused.setdefault(pid, 0.0)
                sentence_score.setdefault(pid, self.best_sentence(vector, index.passage(pid))[1])
        chosen = _drop_near_duplicates([index.passage(i) for i in ranked], k)
        return [
            replace(
                p,
                scores={
                    "rrf": fused[p.id],
                    "dense": dense_score.get(p.id, 0.0),
                    "bm25": float(bm25_scores[index.position[p.id]]),
                    "sentence": sentence_score[p.id],
                },
            )
            for p in chosen
        ]

    def best_sentence(self, vector: np.ndarray, passage: Passage) -> tuple[tuple[int, int], float]:
        """The passage sentence closest to `vector`, and its cosine similarity."""
        sims = self.sentence_vectors(passage) @ vector
        best = int(np.argmax(sims))
        return passage.sentences[best], float(sims[best])

    def sentence_vectors(self, passage: Passage) -> np.ndarray:
        """Embeddings of a passage's sentences, computed once and cached."""
        index = self._indexes.get(passage.doc) or self.index(passage.doc)  # no store round trip per passage
        cached = index.sentence_vectors.get(passage.id)
        if cached is None:
            texts = passage.sentence_texts() or [passage.text]
            cached = np.asarray(self.embedder.encode(texts))
            index.sentence_vectors[passage.id] = cached
        return cached

    def warm_up(self, doc: str) -> None:
        """Embed every sentence of a document now, so the first turn does not pay for it."""
        index = self.index(doc)
        missing = [p for p in index.passages if p.id not in index.sentence_vectors]
        texts = [t for p in missing for t in (p.sentence_texts() or [p.text])]
        vectors = iter(self.embedder.encode(texts)) if texts else iter(())
        for p in missing:
            index.sentence_vectors[p.id] = np.asarray([next(vectors) for _ in (p.sentence_texts() or [p.text])])

    def index(self, doc: str, record: DocumentRecord | None = None) -> _DocIndex:
        """The document's cached index, rebuilt when a new version is published."""
        record = record if record is not None and record.slug == doc else self.store.document(doc)
        if record is None:
            raise CounterpointError(f"no document '{doc}' in the index (run: counterpoint ingest)")
        with self._lock:
            cached = self._indexes.get(doc)
            if cached is None or cached.record.version != record.version:
                passages, vectors = self.store.passages_with_vectors(record)
                bm25 = BM25Okapi([bm25_tokens(p.index_text) or ["_"] for p in passages])
                cached = _DocIndex(record, passages, vectors, bm25, {})
                self._indexes[doc] = cached
                while len(self._indexes) > MAX_CACHED_DOCS:  # least recently used goes first
                    self._indexes.popitem(last=False)
            self._indexes.move_to_end(doc)
            return cached


def _drop_near_duplicates(passages: list[Passage], k: int) -> list[Passage]:
    """Keep the first k passages whose word sets overlap less than 80% with one already kept."""
    kept: list[Passage] = []
    kept_words: list[set[str]] = []
    for p in passages:
        ws = set(words(p.text))
        if any(len(ws & other) / max(1, min(len(ws), len(other))) > 0.8 for other in kept_words):
            continue
        kept.append(p)
        kept_words.append(ws)
        if len(kept) == k:
            break
    return kept
