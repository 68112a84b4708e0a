"""Shared fixtures: every test gets its own data dir; the real embedding model loads once per session."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.settings import DEFAULT_ESSAY, Settings, apply_offline_env

apply_offline_env()


@pytest.fixture(autouse=True)
def isolated_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point every data folder at tmp_path so tests never touch a user's data or each other's."""
    data_dir = tmp_path / "data"
    monkeypatch.setenv("COUNTERPOINT_DATA_DIR", str(data_dir))
    return data_dir


@pytest.fixture
def settings(isolated_data_dir: Path) -> Settings:
    return Settings(data_dir=isolated_data_dir)


@pytest.fixture(scope="session")
def embedder():
    """The real packaged all-MiniLM-L6-v2, loaded once."""
    from ingest.config import packaged_model_path
    from ingest.embedder import Embedder

    return Embedder(packaged_model_path())


@pytest.fixture
def store(settings: Settings, embedder):
    from app.wiring import open_store

    return open_store(settings, embedder)


@pytest.fixture(scope="session")
def essay():
    from ingest.loaders import load_document

    return load_document(DEFAULT_ESSAY)


@pytest.fixture
def ingested(store, embedder, settings, essay):
    """The default essay ingested into a fresh store."""
    from ingest.pipeline import ingest_documents

    ingest_documents([essay], store, embedder, settings.chunking)
    return store


@pytest.fixture
def make_debate(settings, embedder, ingested):
    """Build a DebateService over the ingested essay with a given chat model and strategy."""
    from tests.fakes import make_debate_service, on_fake_backend

    def build(chat_model, strategy: str = "scaffolded", **overrides):
        return make_debate_service(on_fake_backend(settings, strategy, **overrides), embedder, chat_model, ingested)

    return build
