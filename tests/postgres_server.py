"""Start and stop a real PostgreSQL server on 127.0.0.1 for tests (Debian's `postgresql` package).

`initdb` into a fresh temp folder, `pg_ctl start` on a free port with its socket in that folder, stopped
(and the folder removed) after. PostgreSQL refuses to run as root, so as root the server runs as `nobody`
(the folder is handed to it). `PostgresServer.available()` says whether the binaries are installed
(`make postgres` installs them).
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path

import psycopg

from tests.chroma_server import free_port

BIN_DIRS = [Path("/usr/lib/postgresql") / v / "bin" for v in ("17", "16", "15", "14")]


def pg_bin(name: str) -> str | None:
    for folder in BIN_DIRS:
        if (folder / name).exists():
            return str(folder / name)
    return shutil.which(name)


class PostgresServer:
    """A throwaway cluster; `url(db)` for SQLAlchemy, `new_database()` for one test's own database."""

    USER = "counterpoint"

    def __init__(self) -> None:
        self.port = free_port()
        self.root = Path(tempfile.mkdtemp(prefix="cp-pg-"))  # not under pytest's tmp: `nobody` must enter it
        self.data = self.root / "data"
        self.log = self.root / "server.log"
        self.run_as: list[str] = []
        if os.geteuid() == 0:
            os.chown(self.root, pwd.getpwnam("nobody").pw_uid, -1)
            self.run_as = ["runuser", "-u", "nobody", "--"]

    @staticmethod
    def available() -> bool:
        return pg_bin("initdb") is not None and pg_bin("pg_ctl") is not None

    def _run(self, *args: str) -> None:
        subprocess.run([*self.run_as, *args], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def start(self) -> PostgresServer:
        if not self.data.exists():
            initdb = pg_bin("initdb")
            assert initdb, "PostgreSQL is not installed (make postgres)"
            self._run(initdb, "-D", str(self.data), "-A", "trust", "-U", self.USER, "-E", "UTF8", "--no-sync")
        self._pg_ctl("start", "-w", "-l", str(self.log), "-o", self._options())
        return self

    def _options(self) -> str:
        return f"-h 127.0.0.1 -p {self.port} -k {self.root} -F -c max_connections=200"

    def _pg_ctl(self, *args: str) -> None:
        pg_ctl = pg_bin("pg_ctl")
        assert pg_ctl
        self._run(pg_ctl, "-D", str(self.data), *args)

    def restart(self) -> None:
        """Stop at once (every connection is cut, as in a crash or failover) and start again."""
        self._pg_ctl("restart", "-w", "-m", "immediate", "-l", str(self.log), "-o", self._options())

    def stop(self) -> None:
        if self.data.exists():
            self._pg_ctl("stop", "-w", "-m", "immediate")

    def cleanup(self) -> None:
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{self.USER}@127.0.0.1:{self.port}/{database}"

    def new_database(self) -> str:
        """A fresh empty database; returns its URL."""
        name = "t" + uuid.uuid4().hex[:12]
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)
