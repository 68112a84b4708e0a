"""Classroom rows: assignments, attempts and their turns, as plain mappings (`app.classroom.store` makes
them into rounds). Each function runs on a connection inside the caller's transaction."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, RowMapping, insert, select, update

from app.state.schema import assignments, attempts, round_turns

Row = RowMapping


def add_assignment(conn: Connection, values: dict[str, Any]) -> None:
    conn.execute(insert(assignments).values(**values))


def assignment(conn: Connection, code: str) -> Row | None:
    return conn.execute(select(assignments).where(assignments.c.code == code)).mappings().first()


def all_assignments(conn: Connection) -> list[Row]:
    return list(conn.execute(select(assignments).order_by(assignments.c.created_at)).mappings())


def add_attempt(conn: Connection, values: dict[str, Any]) -> int:
    return int(conn.execute(insert(attempts).values(**values).returning(attempts.c.id)).scalar_one())


def attempt_by_token(conn: Connection, token: str) -> Row | None:
    return conn.execute(select(attempts).where(attempts.c.token == token)).mappings().first()


def attempts_for(conn: Connection, code: str) -> list[Row]:
    query = select(attempts).where(attempts.c.assignment_code == code).order_by(attempts.c.started_at, attempts.c.id)
    return list(conn.execute(query).mappings())


def turns_of(conn: Connection, attempt_ids: list[int]) -> dict[int, list[Row]]:
    """Every turn of these attempts, in order, in one query."""
    found: dict[int, list[Row]] = {i: [] for i in attempt_ids}
    if not attempt_ids:
        return found
    query = select(round_turns).where(round_turns.c.attempt_id.in_(attempt_ids)).order_by(round_turns.c.seq)
    for row in conn.execute(query).mappings():
        found[row["attempt_id"]].append(row)
    return found


def add_turn(conn: Connection, values: dict[str, Any]) -> None:
    conn.execute(insert(round_turns).values(**values))


def update_attempt(conn: Connection, attempt_id: int, **values: Any) -> None:
    conn.execute(update(attempts).where(attempts.c.id == attempt_id).values(**values))


def tokens(conn: Connection) -> set[str]:
    return set(conn.execute(select(attempts.c.token)).scalars())


def codes(conn: Connection) -> set[str]:
    return set(conn.execute(select(assignments.c.code)).scalars())
