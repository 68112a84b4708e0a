"""Storage: the state database, turns written as they happen, resuming after a restart, token-only access.
(The store on both engines, schema versions and the import of old files: tests/state/.)"""

from __future__ import annotations

import sqlite3
from contextlib import closing

import pytest

from app.classroom.errors import AccessDenied, ClassroomError

OPENING = "I agree with the author: “AI does not know what it feels like to fail.” So its films will feel hollow."


def test_the_classroom_lives_in_the_data_dirs_state_database(make_classroom, tmp_path) -> None:
    classroom = make_classroom()
    classroom.start("Ada", "for")
    with closing(sqlite3.connect(tmp_path / "data" / "counterpoint.sqlite3")) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'index')")}
        assert conn.execute("SELECT student_name FROM attempts").fetchall() == [("Ada",)]
    assert {"assignments", "attempts", "round_turns", "attempts_by_assignment"} <= tables
    assert not (tmp_path / "data" / "classroom.sqlite3").exists()  # the old file is only read, never made


def test_a_restart_mid_round_loses_nothing_and_the_round_resumes(make_classroom, tmp_path, clock) -> None:
    first = make_classroom(rounds=2, turn_seconds=120)
    attempt = first.take_turn(first.start("Ada", "for").token, OPENING)
    clock.advance(20)
    first.save_draft(attempt.token, "Half of my closing")
    del first  # the server stops: nothing was kept in memory that is not in the database

    second = make_classroom(rounds=2, turn_seconds=120)  # a new process over the same database
    resumed = second.resume(attempt.token)
    assert [t.role for t in resumed.round.turns] == ["student", "bot"]
    assert resumed.round.turns[0].text == OPENING and resumed.round.turns[1].reply.citations
    assert resumed.round.phase == "closing" and resumed.draft == "Half of my closing"
    assert second.seconds_left(resumed) == 100  # the clock kept its deadline through the restart
    finished = second.take_turn(attempt.token, "So the essay stands: audiences want human intent.")
    assert finished.round.status == "finished" and finished.scorecard is not None
    assert second.scorecard(attempt.token)["turns"][0]["text"] == OPENING


def test_a_turn_that_ran_out_while_away_is_submitted_with_its_draft(make_classroom, clock) -> None:
    classroom = make_classroom(rounds=2, turn_seconds=60)
    attempt = classroom.start("Ada", "against")
    classroom.save_draft(attempt.token, "Cheap tools change who gets to")
    clock.advance(3600)
    resumed = classroom.resume(attempt.token)
    [turn] = resumed.round.turns
    assert turn.expired and turn.text == "Cheap tools change who gets to"
    assert resumed.round.status == "bot"  # the bot answers on the next bot_turn


def test_the_timer_expires_a_turn_via_the_service(make_classroom, clock) -> None:
    classroom = make_classroom(rounds=2, turn_seconds=45)
    token = classroom.start("Ada", "for").token
    with pytest.raises(ClassroomError, match="still has time"):
        classroom.expire(token, "not yet")
    clock.advance(45)
    attempt = classroom.expire(token, "The author is right because")
    assert attempt.round.turns[0].expired and attempt.round.turns[0].text == "The author is right because"
    events = list(classroom.bot_turn(token))
    assert events[-1].reply is not None and events[-1].reply.mode == "devils-advocate"
    after = classroom.resume(token)
    assert after.round.phase == "closing" and classroom.seconds_left(after) == 45


def test_attempts_are_reached_only_by_their_token(make_classroom) -> None:
    classroom = make_classroom()
    ada, bob = classroom.start("Ada", "for"), classroom.start("Bob", "against")
    assert ada.token != bob.token and len(ada.token) >= 32
    assert classroom.resume(bob.token).student_name == "Bob"
    for guess in ("", "1", str(ada.id), ada.token[:-1], "' OR 1=1 --"):
        with pytest.raises(AccessDenied):
            classroom.resume(guess)
    classroom.submit(ada.token, "First point.")
    with pytest.raises(ClassroomError, match="waiting for the bot"):
        classroom.submit(ada.token, "Same turn again.")


def test_names_and_documents_are_checked(make_classroom) -> None:
    classroom = make_classroom()
    with pytest.raises(ClassroomError, match="display name"):
        classroom.start(" \n ", "for")
    with pytest.raises(ClassroomError, match="No essay is loaded"):
        classroom.start("Ada", "for", doc="no-such-essay")
    assert classroom.start("A\x00da   Lovelace" + "x" * 80, "for").student_name.startswith("A da Lovelace")
