"""Every store test runs on both engines: a SQLite file in tmp_path and a real PostgreSQL server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.state import StateStore, sqlite_url
from tests.postgres_server import PostgresServer


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """One PostgreSQL server for the whole test session (each test gets its own database)."""
    if not PostgresServer.available():
        pytest.fail("PostgreSQL is not installed: run `make postgres` (Debian's postgresql package)")
    server = PostgresServer().start()
    yield server
    server.cleanup()


@pytest.fixture(params=["sqlite", "postgresql"])
def state_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return sqlite_url(tmp_path / "counterpoint.sqlite3")
    server: PostgresServer = request.getfixturevalue("postgres")
    return server.new_database()


@pytest.fixture
def state(state_url: str) -> Iterator[StateStore]:
    store = StateStore(state_url, retry_s=15.0)
    yield store
    store.dispose()
