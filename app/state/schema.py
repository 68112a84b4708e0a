"""The tables, and the numbered steps that build them (`STEPS`, tracked in `meta.schema_version`).

SQLAlchemy core describes each table once for both engines. A database made by a newer Counterpoint is
refused rather than written with an older idea of its shape.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    select,
    text,
)

metadata = MetaData()

meta = Table(
    "meta",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

debates = Table(
    "debates",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("doc", Text, nullable=False),
    Column("mode", String(32), nullable=False),
    Column("created", String(40), nullable=False),
    Column("updated", String(40), nullable=False),
    Column("revision", Integer, nullable=False),  # bumped by every write: the optimistic check
)

debate_turns = Table(
    "debate_turns",
    metadata,
    Column("debate_id", String(32), ForeignKey("debates.id", ondelete="CASCADE"), primary_key=True),
    Column("seq", Integer, primary_key=True),
    Column("turn_key", String(32)),  # the pending turn's token: a retried write never adds it twice
    Column("user_text", Text, nullable=False),
    Column("mode", String(32), nullable=False),
    Column("doc", Text, nullable=False),
    Column("text", Text, nullable=False),
    Column("reply", Text),  # Reply.to_json() as JSON; NULL when stopped before the reply
    Column("stopped", Boolean, nullable=False, default=False),
    Column("at", String(40), nullable=False),
    UniqueConstraint("debate_id", "turn_key"),
)

assignments = Table(
    "assignments",
    metadata,
    Column("code", String(16), primary_key=True),
    Column("doc", Text, nullable=False),
    Column("side", String(8), nullable=False),
    Column("format", Text, nullable=False),
    Column("thesis", Text, nullable=False, default=""),
    Column("created_at", Float, nullable=False),
)

attempts = Table(
    "attempts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("token", String(64), nullable=False, unique=True),
    Column("assignment_code", String(16), ForeignKey("assignments.code")),
    Column("student_name", Text, nullable=False),
    Column("side", String(8), nullable=False),
    Column("state", Text, nullable=False),
    Column("draft", Text, nullable=False, default=""),
    Column("scorecard", Text),
    Column("started_at", Float, nullable=False),
    Column("finished_at", Float),
    Index("attempts_by_assignment", "assignment_code", "started_at"),
)

round_turns = Table(
    "round_turns",
    metadata,
    Column("attempt_id", Integer, ForeignKey("attempts.id", ondelete="CASCADE"), primary_key=True),
    Column("seq", Integer, primary_key=True),
    Column("phase", String(16), nullable=False),
    Column("role", String(8), nullable=False),
    Column("text", Text, nullable=False),
    Column("reply", Text),
    Column("started_at", Float, nullable=False),
    Column("submitted_at", Float, nullable=False),
    Column("expired", Boolean, nullable=False, default=False),
    Column("truncated_words", Integer, nullable=False, default=0),
)


def _create_v1(conn: Connection) -> None:
    metadata.create_all(conn, checkfirst=True)


STEPS: tuple[Callable[[Connection], None], ...] = (_create_v1,)
VERSION = len(STEPS)


class NewerSchema(RuntimeError):
    """The database was made by a newer Counterpoint."""


def schema_version(conn: Connection) -> int:
    if not conn.dialect.has_table(conn, "meta"):
        return 0
    found = conn.execute(select(meta.c.value).where(meta.c.key == "schema_version")).scalar()
    return int(found or 0)


def upgrade(conn: Connection) -> int:
    """Apply the missing steps inside the caller's transaction; returns the resulting version."""
    if conn.dialect.name == "postgresql":  # two servers starting at once: one builds, the other waits
        conn.execute(text("SELECT pg_advisory_xact_lock(1702017)"))
    current = schema_version(conn)
    if current > VERSION:
        raise NewerSchema(f"the database is from a newer Counterpoint (schema {current}, this one knows {VERSION})")
    for step in STEPS[current:]:
        step(conn)
    if current < VERSION:
        conn.execute(meta.delete().where(meta.c.key == "schema_version"))
        conn.execute(meta.insert().values(key="schema_version", value=str(VERSION)))
    return VERSION
