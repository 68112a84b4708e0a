"""The one place tests get fakes and services from.

Scripted chat models (LangChain fakes, plus recording and failing variants), settings on the fake
backend, and debate services built over a store. tests/conftest.py's fixtures and tests/web/conftest.py's
served apps are built from these.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from langchain_core.language_models.fake_chat_models import FakeListChatModel
from langchain_core.messages import BaseMessage
from langchain_core.outputs import ChatGenerationChunk
from pydantic import Field

from app.debate.service import DebateService
from app.settings import Settings
from ingest.embedder import Embedder
from ingest.store import PassageStore


class RecordingFake(FakeListChatModel):
    """Replies from `responses` in turn and keeps every prompt it was sent."""

    calls: list[list[BaseMessage]] = Field(default_factory=list)

    def _stream(self, messages: list[BaseMessage], *args: Any, **kwargs: Any) -> Iterator[ChatGenerationChunk]:
        self.calls.append(messages)
        yield from super()._stream(messages, *args, **kwargs)


class FailingFake(FakeListChatModel):
    """Raises `error` on every call, like a backend that is down."""

    error: Exception = ConnectionError("Connection refused")

    def _stream(self, *args: Any, **kwargs: Any) -> Iterator[ChatGenerationChunk]:
        raise self.error
        yield  # pragma: no cover


class ScriptedModel(FakeListChatModel):
    """Scripted replies; set `failing = True` mid-test to make it behave like an unreachable endpoint."""

    failing: bool = False

    def _stream(self, *args: Any, **kwargs: Any) -> Iterator[ChatGenerationChunk]:
        if self.failing:
            raise ConnectionError("connection refused")
        yield from super()._stream(*args, **kwargs)

    def _call(self, *args: Any, **kwargs: Any) -> str:
        if self.failing:
            raise ConnectionError("connection refused")
        return super()._call(*args, **kwargs)


def on_fake_backend(settings: Settings, strategy: str | None = None, **updates: Any) -> Settings:
    """The settings with the fake chat backend (and `strategy`, when given) and any other fields updated."""
    llm = settings.llm.model_copy(update={"backend": "fake", **({"strategy": strategy} if strategy else {})})
    return settings.model_copy(update={"llm": llm, **updates})


def fake_settings(data_dir: Path, **updates: Any) -> Settings:
    """Settings for a data dir, on the fake backend."""
    return on_fake_backend(Settings(data_dir=data_dir), **updates)


def make_debate_service(
    settings: Settings, embedder: Embedder, model: Any = None, store: PassageStore | None = None
) -> DebateService:
    """Like app.wiring.make_service (model None: the configured backend), reusing the session's embedder;
    over `store`, or the settings' own store when none is given."""
    from app.wiring import open_store

    store = store if store is not None else open_store(settings, embedder)
    return DebateService(settings, store, embedder, chat_model=model)


def ready_debate_service(settings: Settings, embedder: Embedder, model: Any = None) -> DebateService:
    """A debate service with the default essay ingested and its sentences embedded, as a server has it."""
    service = make_debate_service(settings, embedder, model)
    ingest_default(service)
    service.warm_up()
    return service


def ingest_default(service: DebateService) -> None:
    """Ingest the default essay the way a starting server does."""
    from app.web.server import ensure_default_essay

    ensure_default_essay(service)
