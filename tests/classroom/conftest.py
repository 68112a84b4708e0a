"""Classroom fixtures: the default essay ingested once per session, and classrooms over it with a fake model
and an injected clock (tests never sleep)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from app.settings import Settings
from tests.fakes import RecordingFake

PASSWORD = "correct horse"
PIECE = "But who trains the next generation of directors if the entry-level work disappears?"


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self, now: float = 1_700_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture(scope="session")
def essay_index(tmp_path_factory: pytest.TempPathFactory, embedder, essay):
    """The default essay in its own Chroma, ingested once for all classroom tests."""
    from app.wiring import open_store
    from ingest.pipeline import ingest_documents

    settings = Settings(data_dir=tmp_path_factory.mktemp("classroom-index"))
    store = open_store(settings, embedder)
    ingest_documents([essay], store, embedder, settings.chunking)
    return settings, store


@pytest.fixture(scope="session")
def shared_retriever(essay_index, embedder):
    """One retriever (and its sentence-vector cache) for every debate service the tests build."""
    from app.debate.retrieval import HybridRetriever

    settings, store = essay_index
    return HybridRetriever(store, embedder, settings.retrieval)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def make_debate_service(essay_index, embedder, shared_retriever):
    from app.debate.service import DebateService

    def build(chat_model: Any = None, strategy: str = "scaffolded") -> DebateService:
        settings, store = essay_index
        llm = settings.llm.model_copy(update={"backend": "fake", "strategy": strategy})
        model = chat_model if chat_model is not None else RecordingFake(responses=[PIECE])
        service = DebateService(settings.model_copy(update={"llm": llm}), store, embedder, chat_model=model)
        service._retriever = shared_retriever  # one sentence-vector cache for the session
        return service

    return build


@pytest.fixture
def make_classroom(make_debate_service, tmp_path: Path, clock: FakeClock) -> Callable[..., Any]:
    """A ClassroomService with a fake model, the fake clock and its database in tmp_path."""
    from app.classroom.service import ClassroomService
    from app.settings import ClassroomSettings

    def build(chat_model: Any = None, strategy: str = "scaffolded", db_dir: Path | None = None, **settings: Any):
        options = {"teacher_password": PASSWORD, **settings}
        debate = make_debate_service(chat_model, strategy)
        return ClassroomService(debate, ClassroomSettings(**options), db_dir or tmp_path / "data", clock=clock)

    return build


@pytest.fixture
def scorer(make_debate_service):
    from app.classroom.scoring import Scorer

    return Scorer(make_debate_service())


@pytest.fixture
def passages(essay_index) -> dict[str, Any]:
    """The essay's passages by label (P1, P2, ...)."""
    _, store = essay_index
    return {p.label: p for p in store.passages_of("bytedance-hollywood")}
