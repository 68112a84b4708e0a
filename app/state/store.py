"""`StateStore`: one engine (SQLite file or PostgreSQL server), transactions, retries, shared secrets.

SQLite is the default, one file in the data dir (WAL, writers queue on `BEGIN IMMEDIATE`). PostgreSQL is
used when a URL is given (`COUNTERPOINT_DATABASE_URL`); then several app servers on several machines
share everything through it. Connections come from a pool: when every connection is busy a request waits
for one (up to `pool_timeout_s`) instead of failing. A write that loses its PostgreSQL connection (the
server restarted) is rolled back by the server and retried whole, for up to `retry_s`; after that the
caller gets `StoreUnavailable`, an `OSError`, so the pages show their "could not be saved" notice.
"""

from __future__ import annotations

import errno
import logging
import secrets
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, create_engine, event, select
from sqlalchemy.exc import DBAPIError, IntegrityError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from app.state import schema

log = logging.getLogger(__name__)
T = TypeVar("T")
SQLITE_FILE = "counterpoint.sqlite3"
BUSY_TIMEOUT_MS = 5000


class StoreUnavailable(OSError):
    """The database did not answer (or refused the write); nothing of the failed write was kept."""

    def __init__(self, reason: str) -> None:
        super().__init__(errno.EIO, reason)


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{Path(path).resolve()}"


def engine_url(url: str) -> str:
    """`postgresql://…` means psycopg 3 here (SQLAlchemy would otherwise look for psycopg2)."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


class StateStore:
    """The database behind debates and classrooms; safe to share between threads."""

    def __init__(self, url: str, pool_size: int = 8, pool_timeout_s: float = 30.0, retry_s: float = 10.0) -> None:
        self.url = engine_url(url)
        self.retry_s = retry_s
        self.engine = _make_engine(self.url, pool_size, pool_timeout_s)
        self.write(schema.upgrade)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def describe(self) -> str:
        """The URL without its password, for logs and the CLI."""
        return self.engine.url.render_as_string(hide_password=True)

    # --- transactions ----------------------------------------------------------------------------
    def read(self, fn: Callable[[Connection], T]) -> T:
        """Run `fn` in a read transaction."""
        return self._run(fn, immediate=False)

    def write(self, fn: Callable[[Connection], T]) -> T:
        """Run `fn` in one write transaction: all of it is kept or none of it."""
        return self._run(fn, immediate=True)

    def _run(self, fn: Callable[[Connection], T], immediate: bool) -> T:
        deadline = time.monotonic() + self.retry_s
        pause = 0.1
        while True:
            try:
                with self.engine.connect() as conn:
                    conn = conn.execution_options(sqlite_immediate=immediate)
                    with conn.begin():
                        return fn(conn)
            except IntegrityError:
                raise  # the caller's business (a code taken, a turn already written)
            except PoolTimeout as exc:
                raise StoreUnavailable("every database connection stayed busy") from exc
            except (OperationalError, InterfaceError) as exc:
                if not self._lost_connection(exc) or time.monotonic() + pause > deadline:
                    raise StoreUnavailable(_reason(exc)) from exc
                log.warning("database connection lost (%s); retrying", _reason(exc))
                time.sleep(pause)
                pause = min(pause * 2, 1.0)

    def _lost_connection(self, exc: DBAPIError) -> bool:
        """A PostgreSQL server that went away (restart, failover) is worth waiting for; SQLite is local."""
        return self.dialect == "postgresql" or exc.connection_invalidated

    # --- shared values ---------------------------------------------------------------------------
    def secret(self, name: str, initial: str | None = None) -> str:
        """A value every app server shares (e.g. the browser-state key), made once by whoever asks first."""
        key = f"secret:{name}"

        def get_or_make(conn: Connection) -> str:
            found = conn.execute(select(schema.meta.c.value).where(schema.meta.c.key == key)).scalar()
            if found:
                return str(found)
            value = initial or secrets.token_urlsafe(24)
            conn.execute(schema.meta.insert().values(key=key, value=value))
            return value

        try:
            return self.write(get_or_make)
        except IntegrityError:  # another server made it at the same moment: take theirs
            return self.write(get_or_make)

    def schema_version(self) -> int:
        return self.read(schema.schema_version)

    def dispose(self) -> None:
        self.engine.dispose()


def _make_engine(url: str, pool_size: int, pool_timeout_s: float) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, pool_size=pool_size, max_overflow=pool_size, pool_timeout=pool_timeout_s)
        _sqlite_transactions(engine)
        return engine
    return create_engine(
        url,
        pool_size=pool_size,
        max_overflow=0,  # the pool is the limit: more requests wait their turn (pool_timeout_s)
        pool_timeout=pool_timeout_s,
        pool_pre_ping=True,  # a connection from before a server restart is replaced, not used
        connect_args={"connect_timeout": 5},
    )


def _sqlite_transactions(engine: Engine) -> None:
    """Take transactions into our hands (pysqlite's own BEGIN is late and deferred): writers BEGIN
    IMMEDIATE so they queue on the busy timeout instead of failing on a lock upgrade."""

    @event.listens_for(engine, "connect")
    def _connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None
        for pragma in (f"busy_timeout={BUSY_TIMEOUT_MS}", "foreign_keys=ON", "journal_mode=WAL"):
            dbapi_conn.execute(f"PRAGMA {pragma}")

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        immediate = conn.get_execution_options().get("sqlite_immediate")
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def _reason(exc: DBAPIError) -> str:
    text = str(exc.orig) if exc.orig is not None else str(exc)
    return text.strip().splitlines()[0][:200] if text.strip() else type(exc).__name__


def state_url(data_dir: Path, url: str | None = None) -> str:
    """The configured URL, or the SQLite file in the data dir."""
    return engine_url(url) if url else sqlite_url(Path(data_dir) / SQLITE_FILE)


_OPEN: dict[str, StateStore] = {}
_IMPORTED: set[tuple[str, str]] = set()
_OPEN_LOCK = threading.Lock()


def open_state(
    data_dir: Path,
    url: str | None = None,
    *,
    pool_size: int = 8,
    pool_timeout_s: float = 30.0,
    legacy_classroom: Path | None = None,
) -> StateStore:
    """The process's store for this URL (default: SQLite in `data_dir`), data from older versions in
    `data_dir` imported the first time this process opens it (see `app.state.importer`)."""
    from app.state.importer import import_data_dir

    data_dir = Path(data_dir)
    resolved = state_url(data_dir, url)
    with _OPEN_LOCK:
        store = _OPEN.get(resolved)
        if store is None:
            if not url:
                data_dir.mkdir(parents=True, exist_ok=True)
            store = _OPEN[resolved] = StateStore(resolved, pool_size=pool_size, pool_timeout_s=pool_timeout_s)
        if (resolved, str(data_dir.resolve())) not in _IMPORTED:
            import_data_dir(store, data_dir, legacy_classroom)
            _IMPORTED.add((resolved, str(data_dir.resolve())))
    return store


def close_all() -> None:
    """Forget every open store (tests that restart a server, or delete a data dir)."""
    with _OPEN_LOCK:
        for store in _OPEN.values():
            store.dispose()
        _OPEN.clear()
        _IMPORTED.clear()
