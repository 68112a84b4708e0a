"""The embedding model's forward pass as one TorchScript call, so a busy server does not stall it.

Eager PyTorch runs a sentence-transformer layer by layer from Python: a few hundred small operations, each
releasing Python's GIL and taking it back. In `counterpoint serve` other threads (the web server, streaming
replies) hold the GIL in between, and every hand-back waits for them: on 2 cores under a class's load a
query that costs 50 ms of CPU took 100-600 ms to come back. Traced with `torch.jit.trace`, the same
transformer runs as one call into C++ that releases the GIL once, for the whole pass.

Used only where it is provably the same model: mean pooling (optionally normalised) over a transformer's
token embeddings, traced on a padded batch (so the attention-mask path is the one recorded), and checked
against the eager model on probe texts of mixed lengths before it is trusted. Anything else (another
pooling, extra layers, a trace that fails or differs) keeps the eager model.
"""

from __future__ import annotations

import logging
import warnings
from typing import Any

import numpy as np

log = logging.getLogger(__name__)

PROBES = [
    "A probe sentence, long enough to need padding in a batch with shorter ones, about films and studios.",
    "short",
    "Cheap tools flood the market; audiences retreat toward trusted gatekeepers.",
]
TOLERANCE = 1e-4  # largest difference from the eager model's normalised vectors (float32 noise is ~1e-7)


class TracedEncoder:
    """`__call__(texts) -> vectors` (float32, normalised), the same numbers as the eager model."""

    def __init__(self, model: Any, module: Any) -> None:
        self._model = model  # the SentenceTransformer: its tokenizer and sequence length
        self._module = module

    @classmethod
    def build(cls, model: Any) -> TracedEncoder | None:
        """A traced encoder for `model` (a SentenceTransformer), or None where it cannot be the same model."""
        modules = [type(m).__name__ for m in model]
        if modules not in (["Transformer", "Pooling"], ["Transformer", "Pooling", "Normalize"]):
            return None
        if model[1].get_config_dict().get("pooling_mode", "mean") != "mean":
            return None
        try:
            encoder = cls(model, _trace(model))
            same = _max_difference(encoder(PROBES), model.encode(PROBES, normalize_embeddings=True))
        except Exception as exc:  # an architecture the tracer cannot follow: eager is always right
            log.info("embedding model not traced (%s: %s); using it eagerly", type(exc).__name__, exc)
            return None
        if same > TOLERANCE:
            log.warning("traced embedding model differs from the eager one by %.2g; using it eagerly", same)
            return None
        return encoder

    def __call__(self, texts: list[str]) -> np.ndarray:
        import torch

        features = self._model.preprocess(texts)
        with torch.inference_mode():
            vectors = self._module(features["input_ids"], features["attention_mask"])
        return np.asarray(vectors.numpy(), dtype=np.float32)


def _trace(model: Any) -> Any:
    import torch

    transformer = model[0].auto_model

    class MeanPooled(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.transformer = transformer

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
            tokens = self.transformer(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(tokens.dtype)
            mean = (tokens * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(mean, dim=1)

    example = model.preprocess(PROBES[:2])  # two lengths: the recorded pass applies the padding mask
    with warnings.catch_warnings(), torch.inference_mode():
        warnings.simplefilter("ignore")  # the tracer's deprecation and "might be incorrect" warnings: checked below
        inputs = (example["input_ids"], example["attention_mask"])
        return torch.jit.trace(MeanPooled().eval(), inputs, check_trace=False)


def _max_difference(a: np.ndarray, b: Any) -> float:
    b = np.asarray(b, dtype=np.float32)
    return float(np.abs(a - b).max()) if a.shape == b.shape else float("inf")
