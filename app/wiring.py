"""The composition root: build the long-lived objects (embedder, store, debate service, classroom, state
database) from Settings, in one place. Faces receive what is built here; the core never sees `Settings`
beyond what `DebateSettings` names."""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.settings import Settings, apply_offline_env
from ingest.embedder import Embedder
from ingest.store import PassageStore, connect

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from app.classroom.service import ClassroomService
    from app.debate.service import DebateService
    from app.state import StateStore


def make_embedder(settings: Settings) -> Embedder:
    apply_offline_env()
    return Embedder(settings.model_path(), threads=settings.embedding_threads or 0)


def open_store(settings: Settings, embedder: Embedder) -> PassageStore:
    return PassageStore(connect(settings.chroma_config()), embedder.model_id)


def make_service(
    settings: Settings,
    chat_model: BaseChatModel | None = None,
    embedder: Embedder | None = None,
    store: PassageStore | None = None,
) -> DebateService:
    """The debate service over the configured store and backend (or a given chat model, e.g. a fake; a
    given embedder and store, for a caller that also uses them directly: the eval baseline, benchmarks)."""
    from app.debate.service import DebateService

    embedder = embedder or make_embedder(settings)
    store = store or open_store(settings, embedder)
    return DebateService(settings, store, embedder, chat_model=chat_model)


def make_classroom(
    settings: Settings, service: DebateService | None = None, state: StateStore | None = None
) -> ClassroomService:
    """Practice rounds over a debate service (the configured one by default) and the state database."""
    from app.classroom.service import ClassroomService

    return ClassroomService(
        service or make_service(settings),
        settings.classroom,
        settings.data_dir,
        state=state or open_state_store(settings),
    )


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
