"""Build the long-lived objects (embedder, store, service) from Settings, in one place."""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.settings import Settings, apply_offline_env
from ingest.embedder import Embedder
from ingest.store import PassageStore, connect

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from app.debate.service import DebateService
    from app.state import StateStore


def make_embedder(settings: Settings) -> Embedder:
    apply_offline_env()
    return Embedder(settings.model_path())


def open_store(settings: Settings, embedder: Embedder) -> PassageStore:
    return PassageStore(connect(settings.chroma_config()), embedder.model_id)


def make_service(settings: Settings, chat_model: BaseChatModel | None = None) -> DebateService:
    """The debate service over the configured store and backend (or a given chat model, e.g. a fake)."""
    from app.debate.service import DebateService

    embedder = make_embedder(settings)
    return DebateService(settings, open_store(settings, embedder), embedder, chat_model=chat_model)


def open_state_store(settings: Settings) -> StateStore:
    """Debates and classrooms: PostgreSQL when `database_url` is set, else SQLite in the data dir."""
    from app.state import open_state

    return open_state(
        settings.data_dir,
        settings.database_url,
        pool_size=settings.database_pool_size,
        pool_timeout_s=settings.database_pool_timeout_s,
        legacy_classroom=settings.classroom.database(settings.data_dir),
    )
