"""The traced forward pass is the packaged model, number for number, and anything else stays eager."""

from __future__ import annotations

import logging

import numpy as np
import pytest

from ingest import traced
from ingest.embedder import Embedder
from ingest.traced import TracedEncoder

TEXTS = [
    "AI will replace film directors within ten years.",
    "",
    "ok",
    "Hollywood's moat is distribution, not cameras — “gatekeepers” still decide what audiences see. " * 30,  # truncated
    "Schöne neue Welt: 生成 video, $300M budgets, 10,000,000 clips.",
]


def test_the_packaged_model_runs_traced(embedder: Embedder) -> None:
    assert embedder._traced is not None


@pytest.mark.parametrize("batch", [TEXTS, TEXTS[:1], TEXTS[3:4], TEXTS[1:3]])
def test_traced_vectors_are_the_eager_models(embedder: Embedder, batch: list[str]) -> None:
    encoder = embedder._traced
    assert encoder is not None
    eager = embedder.model.encode(batch, normalize_embeddings=True)
    got = encoder(batch)
    assert got.shape == eager.shape == (len(batch), 384)
    assert np.abs(got - eager).max() < 1e-5
    assert np.allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-5)


def test_a_text_alone_and_in_a_padded_batch_embed_the_same(embedder: Embedder) -> None:
    together = embedder.encode(TEXTS)
    for text, vector in zip(TEXTS, together, strict=True):
        assert np.allclose(embedder.encode([text])[0], vector, atol=1e-5)


def test_another_pipeline_is_not_traced() -> None:
    class Transformer: ...

    class Pooling: ...

    class Dense: ...

    assert TracedEncoder.build([Transformer(), Pooling(), Dense()]) is None


def test_a_trace_that_differs_from_the_model_is_refused(
    embedder: Embedder, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    import torch

    def constant(model: object) -> object:
        return lambda ids, mask: torch.nn.functional.normalize(torch.ones(ids.shape[0], 384), dim=1)

    monkeypatch.setattr(traced, "_trace", constant)
    with caplog.at_level(logging.WARNING, logger="ingest.traced"):
        assert TracedEncoder.build(embedder.model) is None
    assert "differs from the eager one" in caplog.text


def test_a_model_the_tracer_cannot_follow_stays_eager(embedder: Embedder, monkeypatch: pytest.MonkeyPatch) -> None:
    def fails(model: object) -> object:
        raise RuntimeError("unsupported operator")

    monkeypatch.setattr(traced, "_trace", fails)
    assert TracedEncoder.build(embedder.model) is None
    eager = Embedder(embedder.model_path)
    eager.__dict__["model"] = embedder.model  # share the loaded weights; the trace fails for this one
    assert eager._traced is None
    assert np.allclose(eager.encode(TEXTS[:2]), embedder.encode(TEXTS[:2]), atol=1e-5)
