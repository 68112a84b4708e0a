"""The state store on both engines: schema, debates under concurrent writers, classroom rows, secrets."""

from __future__ import annotations

import threading
import time

import pytest

from app.classroom.errors import AccessDenied, ClassroomError
from app.classroom.rounds import PracticeRound, RoundFormat, RoundTurn
from app.classroom.store import Assignment, ClassroomStore
from app.state import StateStore, schema
from app.web.sessions import SessionStore, Turn
from tests.replies import make_reply


def _turn(user: str, text: str = "reply", mode: str = "challenge") -> Turn:
    return Turn(user, mode, "essay", text, reply=make_reply(text, mode, doc="essay"))


def _say(store: SessionStore, debate_id: str, user: str) -> None:
    debate = store.get(debate_id)
    assert debate is not None
    pending = store.begin(debate, user, "challenge", "essay")
    assert store.commit(debate, pending, _turn(user, f"reply to {user}"))


def test_the_schema_is_built_once_and_a_newer_one_refused(state: StateStore, state_url: str) -> None:
    assert state.schema_version() == schema.VERSION
    again = StateStore(state_url)  # a second server starting on the same database
    assert again.schema_version() == schema.VERSION
    state.write(lambda conn: conn.execute(schema.meta.update().values(value="99")))
    with pytest.raises(schema.NewerSchema, match="newer Counterpoint"):
        StateStore(state_url)
    again.dispose()


def test_a_debate_survives_a_restart_with_its_retry_and_mode(state: StateStore, state_url: str, tmp_path) -> None:
    store = SessionStore(tmp_path / "sessions", state)
    debate = store.new("essay", "socratic")
    for user in ("first", "second"):
        _say(store, debate.id, user)
    pending = store.begin(debate, "second", "defend", "essay", replaces_last=True)
    assert store.commit(debate, pending, _turn("second", "again", mode="defend"))

    reopened = SessionStore(tmp_path / "sessions", StateStore(state_url)).get(debate.id)  # a new server
    assert reopened is not None and reopened == debate
    assert [t.text for t in reopened.turns] == ["reply to first", "again"] and reopened.mode == "defend"
    assert reopened.turns[0].reply == make_reply("reply to first", doc="essay") and reopened.revision == 3


def test_stop_keeps_what_was_shown_and_the_late_commit_is_dropped(state: StateStore, tmp_path) -> None:
    store = SessionStore(tmp_path, state)
    debate = store.new("essay", "challenge")
    pending = store.begin(debate, "claim", "challenge", "essay")
    pending.text = "The essay says"
    stopped = store.stop(debate, "(stopped)")
    assert stopped is not None and not store.commit(debate, pending, _turn("claim", "full"))
    fresh = SessionStore(tmp_path, state)
    assert [t.text for t in fresh.get(debate.id).turns] == ["The essay says\n\n(stopped)"]  # type: ignore[union-attr]


def test_two_servers_answering_alternate_turns_both_land_in_order(state: StateStore, state_url: str, tmp_path) -> None:
    first = SessionStore(tmp_path / "a", state)
    second = SessionStore(tmp_path / "b", StateStore(state_url))  # its own cache and connections
    debate = first.new("essay", "challenge")
    _say(first, debate.id, "t0")
    for n in range(1, 7):
        _say(first if n % 2 == 0 else second, debate.id, f"t{n}")
    for store in (first, second):
        seen = store.get(debate.id)
        assert seen is not None and [t.user for t in seen.turns] == [f"t{n}" for n in range(7)]
        assert seen.revision == 7


def test_a_stale_copy_writes_on_top_instead_of_over(state: StateStore, state_url: str, tmp_path) -> None:
    first, second = SessionStore(tmp_path, state), SessionStore(tmp_path, StateStore(state_url))
    debate = first.new("essay", "challenge")
    _say(first, debate.id, "opening")
    stale = second.get(debate.id)
    assert stale is not None
    pending = second.begin(stale, "from b", "challenge", "essay")  # b's copy stops refreshing while pending
    _say(first, debate.id, "from a")  # meanwhile a writes
    assert second.commit(stale, pending, _turn("from b"))  # revision conflict: b re-reads, appends on top
    assert [t.user for t in stale.turns] == ["opening", "from a", "from b"]
    assert [t.user for t in first.get(debate.id).turns] == ["opening", "from a", "from b"]  # type: ignore[union-attr]


def test_many_writers_on_one_debate_lose_nothing(state: StateStore, state_url: str, tmp_path) -> None:
    stores = [SessionStore(tmp_path, state)] + [SessionStore(tmp_path, StateStore(state_url)) for _ in range(3)]
    debate = stores[0].new("essay", "challenge")
    _say(stores[0], debate.id, "opening")
    errors: list[BaseException] = []

    def writer(w: int) -> None:
        try:
            for n in range(6):
                _say(stores[w], debate.id, f"w{w}-{n}")
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(len(stores))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors
    users = [t.user for t in SessionStore(tmp_path, state).get(debate.id).turns]  # type: ignore[union-attr]
    assert len(users) == 1 + 4 * 6 == len(set(users))
    for w in range(4):
        assert [u for u in users if u.startswith(f"w{w}-")] == [f"w{w}-{n}" for n in range(6)]


def test_the_browser_secret_is_one_for_every_server(state: StateStore, state_url: str) -> None:
    other = StateStore(state_url)
    assert state.secret("browser") == other.secret("browser") == state.secret("browser")
    assert len(state.secret("browser")) >= 32
    assert other.secret("kept", initial="from-the-old-file") == "from-the-old-file"
    other.dispose()


def test_classroom_rows_round_trip(state: StateStore) -> None:
    store = ClassroomStore(state)
    assignment = Assignment("ABC234", "essay", "choice", RoundFormat(), "a thesis", 1.0)
    assert store.add_assignment(assignment) and not store.add_assignment(assignment)  # the code is taken
    assert store.assignment("ABC234") == assignment and store.assignments() == [assignment]

    round_ = PracticeRound("for", RoundFormat(), "essay")
    attempt = store.add_attempt(round_, "Ada", "ABC234", 10.0)
    store.save_draft(attempt, "half a thought")
    assert store.load(attempt.token).draft == "half a thought"
    turn = RoundTurn("opening", "student", "My opening.", 10.0, 20.0, expired=True, truncated_words=3)
    attempt.round.turns.append(turn)
    store.add_turn(attempt, turn)
    with pytest.raises(ClassroomError, match="already submitted"):
        store.add_turn(attempt, turn)
    store.finish(attempt, {"total": 7}, 30.0)

    loaded = store.load(attempt.token)
    assert loaded.round.turns == [turn] and loaded.draft == "" and loaded.scorecard == {"total": 7}
    assert loaded.finished_at == 30.0 and [a.student_name for a in store.attempts_for("ABC234")] == ["Ada"]
    for guess in ("", "nope", "' OR 1=1 --"):
        with pytest.raises(AccessDenied, match="no practice round"):
            store.load(guess)


def test_classroom_writers_from_many_threads_queue_and_all_land(state: StateStore) -> None:
    store = ClassroomStore(state)
    store.add_assignment(Assignment("ABC234", "essay", "for", RoundFormat(), "", time.time()))

    def student(w: int) -> None:
        for n in range(5):
            attempt = store.add_attempt(PracticeRound("for", RoundFormat(), "essay"), f"s{w}-{n}", "ABC234", 1.0)
            store.save_draft(attempt, f"draft {w}-{n}")

    threads = [threading.Thread(target=student, args=(w,)) for w in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    drafts = {a.student_name: a.draft for a in store.attempts_for("ABC234")}
    assert drafts == {f"s{w}-{n}": f"draft {w}-{n}" for w in range(6) for n in range(5)}
