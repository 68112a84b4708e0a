"""Concurrent query embeddings share forward passes, give the same vectors, and fail together."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from ingest.embedder import Embedder

CLAIMS = [f"Claim number {i}: AI video will {verb} Hollywood." for i, verb in enumerate(["end", "help", "flood"] * 6)]


def _concurrently(fn, items):
    results: dict[int, object] = {}
    barrier = threading.Barrier(len(items))

    def work(i: int) -> None:
        barrier.wait()
        try:
            results[i] = fn(items[i])
        except Exception as exc:  # the test inspects it
            results[i] = exc

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(items))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a waiter hung"
    return [results[i] for i in range(len(items))]


def test_concurrent_queries_are_batched_and_match_one_at_a_time(embedder: Embedder) -> None:
    alone = [np.asarray(embedder.embed_query(c)) for c in CLAIMS]
    calls: list[int] = []
    encode = embedder._queries._encode

    def counting(texts: list[str]) -> list[list[float]]:
        calls.append(len(texts))
        return encode(texts)

    embedder._queries._encode = counting
    try:
        together = _concurrently(embedder.embed_query, CLAIMS)
    finally:
        embedder._queries._encode = encode
    assert sum(calls) == len(CLAIMS) and len(calls) < len(CLAIMS)  # fewer forward passes than queries
    for mine, reference in zip(together, alone, strict=True):
        assert np.allclose(mine, reference, atol=1e-5)  # padding in a batch changes nothing


def test_a_failed_batch_reaches_every_waiter(embedder: Embedder) -> None:
    broken = Embedder(embedder.model_path)

    def fail(texts: list[str]) -> list[list[float]]:
        raise RuntimeError("model gone")

    broken._queries._encode = fail
    outcomes = _concurrently(broken.embed_query, CLAIMS[:8])
    assert all(isinstance(o, RuntimeError) for o in outcomes)
    broken._queries._encode = embedder._queries._encode  # and the next call works again
    assert len(broken.embed_query("still alive")) == 384


@pytest.mark.parametrize("texts", [[], ["one"], ["a", "b", "c"]])
def test_embed_queries_keeps_order_and_count(embedder: Embedder, texts: list[str]) -> None:
    vectors = embedder.embed_queries(texts)
    assert len(vectors) == len(texts)
    for text, vector in zip(texts, vectors, strict=True):
        assert np.allclose(vector, embedder.embed_query(text), atol=1e-5)
