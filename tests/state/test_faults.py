"""PostgreSQL going away mid-debate, and more requests than connections: retried or reported, never half-written."""

from __future__ import annotations

import threading

import pytest

from app.state import StateStore, StoreUnavailable
from app.web.sessions import SessionStore, Turn
from tests.postgres_server import PostgresServer
from tests.replies import make_reply


def _turn(user: str) -> Turn:
    return Turn(user, "challenge", "essay", f"reply to {user}", reply=make_reply(f"reply to {user}"))


def test_a_restart_mid_turn_is_retried_and_the_turn_lands_once(postgres: PostgresServer, tmp_path) -> None:
    store = SessionStore(tmp_path, StateStore(postgres.new_database(), retry_s=20.0))
    debate = store.new("essay", "challenge")
    pending = store.begin(debate, "before", "challenge", "essay")
    store.commit(debate, pending, _turn("before"))

    pending = store.begin(debate, "during", "challenge", "essay")  # the reply is streaming...
    postgres.restart()  # ...when the database restarts: every pooled connection is dead
    assert store.commit(debate, pending, _turn("during"))
    fresh = SessionStore(tmp_path, StateStore(store.state.url))
    assert [t.user for t in fresh.get(debate.id).turns] == ["before", "during"]  # type: ignore[union-attr]


def test_a_database_that_stays_down_is_reported_and_nothing_is_half_written(postgres: PostgresServer, tmp_path) -> None:
    store = SessionStore(tmp_path, StateStore(postgres.new_database(), retry_s=1.0))
    debate = store.new("essay", "challenge")
    pending = store.begin(debate, "first", "challenge", "essay")
    store.commit(debate, pending, _turn("first"))

    pending = store.begin(debate, "second", "challenge", "essay")
    postgres.stop()
    try:
        with pytest.raises(StoreUnavailable) as caught:
            store.commit(debate, pending, _turn("second"))
        assert isinstance(caught.value, OSError) and caught.value.strerror  # the page's "could not be saved"
        assert [t.user for t in debate.turns] == ["first"] and debate.pending is pending  # memory = database
    finally:
        postgres.start()
    assert store.commit(debate, pending, _turn("second"))  # the same turn, once the database is back
    fresh = SessionStore(tmp_path, StateStore(store.state.url))
    assert [t.user for t in fresh.get(debate.id).turns] == ["first", "second"]  # type: ignore[union-attr]


def test_more_writers_than_connections_wait_for_one(postgres: PostgresServer, tmp_path) -> None:
    state = StateStore(postgres.new_database(), pool_size=1, pool_timeout_s=30.0)
    stores = [SessionStore(tmp_path, state) for _ in range(12)]  # twelve request threads, one connection
    errors: list[BaseException] = []
    ids: list[str] = []

    def debate(store: SessionStore) -> None:
        try:
            d = store.new("essay", "challenge")
            for n in range(3):
                pending = store.begin(d, f"t{n}", "challenge", "essay")
                store.commit(d, pending, _turn(f"t{n}"))
            ids.append(d.id)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=debate, args=(s,)) for s in stores]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors and len(ids) == 12
    assert state.engine.pool.size() == 1 and stores[0].count() == 12
