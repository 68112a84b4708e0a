"""Two `counterpoint serve` processes with different data dirs, one PostgreSQL and one Chroma server:
one debate and one classroom round, their turns answered alternately by both. No disk is shared."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from gradio_client import Client

from app.classroom.store import ClassroomStore
from app.state import StateStore
from bench.load_bench import _Server
from tests.chroma_server import ChromaServer
from tests.postgres_server import PostgresServer
from tests.web.classroom_support import queue_call
from tests.web.server_support import debate_across

CLAIMS = ["AI will replace directors.", "Cheap tools change everything.", "Audiences want spectacle."]
OPENING = "The essay is right: “the value of human curation skyrockets” when content is cheap, so taste wins."
CLOSING = "So the essay stands: audiences still want films that mean something, which curation protects."


@pytest.fixture
def two_servers(postgres: PostgresServer, tmp_path: Path):
    chroma = ChromaServer(tmp_path / "chroma").start()
    url = postgres.new_database()
    env = {
        "COUNTERPOINT_LLM__BACKEND": "fake",
        "COUNTERPOINT_DATABASE_URL": url,
        "COUNTERPOINT_CHROMA__MODE": "server",
        "COUNTERPOINT_CHROMA__PORT": str(chroma.port),
        "COUNTERPOINT_CLASSROOM__ROUNDS": "2",
    }
    try:  # the first server ingests the essay into Chroma; the second, started after it, finds it there
        with _Server(tmp_path / "a", env) as first, _Server(tmp_path / "b", env) as second:
            yield first.url, second.url, url
    finally:
        chroma.stop()


def _index(url: str, name: str) -> int:
    config = Client(url, verbose=False).config
    return next(int(d["id"]) for d in config["dependencies"] if d.get("api_name") == name)


def _round_call(url: str, name: str, data: list[Any]) -> Any:
    """One classroom event through Gradio's queue, as the page sends it; returns the browser-state key."""
    messages = queue_call(url, _index(url, name), data, timeout=120)
    done = [m for m in messages if m.get("msg") == "process_completed"]
    assert done and done[-1]["success"], messages[-3:]
    return done[-1]["output"]["data"][0]


def test_one_debate_and_one_classroom_round_across_two_servers(two_servers, tmp_path: Path) -> None:
    first, second, database = two_servers
    debate_across(first, second, CLAIMS)

    # the round's key is encrypted with the browser-state secret: the second server can read the first's
    key = _round_call(first, "classroom_start", ["Ada", "for", "bytedance-hollywood", 2, 120, 0])
    key = _round_call(second, "classroom_submit", [key, OPENING]) or key  # the bot answers on the second
    _round_call(first, "classroom_submit", [key, CLOSING])
    state = StateStore(database)
    [attempt] = [a for a in _all_attempts(state) if a.student_name == "Ada"]
    student = [t.text for t in attempt.round.turns if t.role == "student"]
    assert student == [OPENING, CLOSING] and attempt.round.status == "finished" and attempt.scorecard
    assert not (tmp_path / "a" / "counterpoint.sqlite3").exists() and not (tmp_path / "b" / "sessions").exists()
    state.dispose()


def _all_attempts(state: StateStore) -> list[Any]:
    from sqlalchemy import select

    from app.state.schema import attempts

    tokens = state.read(lambda conn: list(conn.execute(select(attempts.c.token)).scalars()))
    store = ClassroomStore(state)
    return [store.load(t) for t in tokens]
