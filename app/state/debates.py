"""Debate rows: load one, and write one change (a turn, a mode switch) under an optimistic revision check.

A write names the revision it was computed from. `UPDATE … WHERE revision = :seen` matching no row means
another server wrote first: `RevisionConflict`, and the caller re-reads and tries again on top. Turns carry
the pending turn's token (`turn_key`), so a write retried after a lost acknowledgement is not doubled.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, delete, exists, func, insert, select, update

from app.state.schema import debate_turns, debates


class RevisionConflict(Exception):
    """Another writer changed the debate since it was read."""


@dataclass
class DebateRow:
    """A debate as stored: its head and its turns (dicts in `Turn`'s field names)."""

    id: str
    doc: str
    mode: str
    created: str
    updated: str
    revision: int
    turns: list[dict[str, Any]]


def revision(conn: Connection, debate_id: str) -> int | None:
    return conn.execute(select(debates.c.revision).where(debates.c.id == debate_id)).scalar()


def load(conn: Connection, debate_id: str) -> DebateRow | None:
    head = conn.execute(select(debates).where(debates.c.id == debate_id)).mappings().first()
    if head is None:
        return None
    rows = conn.execute(
        select(debate_turns).where(debate_turns.c.debate_id == debate_id).order_by(debate_turns.c.seq)
    ).mappings()
    turns = [_turn(r) for r in rows]
    return DebateRow(head["id"], head["doc"], head["mode"], head["created"], head["updated"], head["revision"], turns)


def has_turn(conn: Connection, debate_id: str, turn_key: str) -> bool:
    query = select(exists().where(debate_turns.c.debate_id == debate_id, debate_turns.c.turn_key == turn_key))
    return bool(conn.execute(query).scalar())


def write_head(conn: Connection, row: DebateRow, seen: int) -> None:
    """Store the head at `row.revision` if the stored one is still `seen` (0: not stored yet)."""
    values = {"doc": row.doc, "mode": row.mode, "updated": row.updated, "revision": row.revision}
    if seen == 0:
        if revision(conn, row.id) is not None:
            raise RevisionConflict(row.id)
        conn.execute(insert(debates).values(id=row.id, created=row.created, **values))
        return
    done = conn.execute(update(debates).where(debates.c.id == row.id, debates.c.revision == seen).values(**values))
    if done.rowcount != 1:
        raise RevisionConflict(row.id)


def put_turn(conn: Connection, debate_id: str, seq: int, turn: dict[str, Any], turn_key: str | None) -> None:
    """Write the turn at position `seq`, replacing whatever was there (a retried last turn)."""
    conn.execute(delete(debate_turns).where(debate_turns.c.debate_id == debate_id, debate_turns.c.seq >= seq))
    conn.execute(insert(debate_turns).values(debate_id=debate_id, seq=seq, turn_key=turn_key, **_columns(turn)))


def add_whole(conn: Connection, row: DebateRow) -> bool:
    """Insert a whole debate (an import); False when one with its id is already stored."""
    if revision(conn, row.id) is not None:
        return False
    write_head(conn, row, 0)
    for seq, turn in enumerate(row.turns):
        conn.execute(insert(debate_turns).values(debate_id=row.id, seq=seq, turn_key=None, **_columns(turn)))
    return True


def summaries(conn: Connection, ids: list[str]) -> list[tuple[str, str, str, int]]:
    """(id, doc, updated, number of turns) of the stored debates among `ids`, latest first."""
    turns = func.count(debate_turns.c.seq)
    query = (
        select(debates.c.id, debates.c.doc, debates.c.updated, turns)
        .outerjoin(debate_turns, debate_turns.c.debate_id == debates.c.id)
        .where(debates.c.id.in_(ids))
        .group_by(debates.c.id, debates.c.doc, debates.c.updated)
        .order_by(debates.c.updated.desc())
    )
    return [(r[0], r[1], r[2], int(r[3])) for r in conn.execute(query)]


def remove(conn: Connection, debate_id: str) -> bool:
    """Delete a debate and its turns; False when none was stored under that id."""
    conn.execute(delete(debate_turns).where(debate_turns.c.debate_id == debate_id))
    return bool(conn.execute(delete(debates).where(debates.c.id == debate_id)).rowcount == 1)


def all_ids(conn: Connection) -> set[str]:
    return set(conn.execute(select(debates.c.id)).scalars())


def count(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(debates)).scalar() or 0)


def _columns(turn: dict[str, Any]) -> dict[str, Any]:
    reply = turn.get("reply")
    return {
        "user_text": turn["user"],
        "mode": turn["mode"],
        "doc": turn["doc"],
        "text": turn["text"],
        "reply": json.dumps(reply, ensure_ascii=False) if reply is not None else None,
        "stopped": bool(turn.get("stopped", False)),
        "at": turn["at"],
    }


def _turn(row: Any) -> dict[str, Any]:
    return {
        "user": row["user_text"],
        "mode": row["mode"],
        "doc": row["doc"],
        "text": row["text"],
        "reply": json.loads(row["reply"]) if row["reply"] is not None else None,
        "stopped": bool(row["stopped"]),
        "at": row["at"],
    }
