"""Several app processes over one data dir: no session turn and no classroom write is lost.

Real OS processes (multiprocessing, spawn) hammer the same debate and the same classroom in the data dir's
SQLite state database; then two real `counterpoint serve` processes take turns answering one debate through
the HTTP API. (Servers without a shared disk: tests/state/test_two_servers.py.)
"""

from __future__ import annotations

import multiprocessing
import time
from pathlib import Path

from app.classroom.rounds import PracticeRound, RoundFormat
from app.classroom.store import Assignment, ClassroomStore
from app.state import StateStore, open_state, state_url
from app.web.sessions import SessionStore, Turn
from tests.web.server_support import debate_across

PROCESSES = 4
EACH = 8


def _append_turns(folder: str, debate_id: str, worker: int) -> None:
    store = SessionStore(Path(folder))  # a fresh process: its own cache, its own locks
    for n in range(EACH):
        debate = store.get(debate_id)
        assert debate is not None
        pending = store.begin(debate, f"w{worker}-{n}", "challenge", "essay")
        assert store.commit(debate, pending, Turn(f"w{worker}-{n}", "challenge", "essay", f"reply {worker}-{n}"))


def _add_attempts(folder: str, worker: int) -> None:
    store = ClassroomStore(open_state(Path(folder)))
    for n in range(EACH):
        round_ = PracticeRound("for", RoundFormat(), "essay")
        attempt = store.add_attempt(round_, f"s{worker}-{n}", "ABC234", time.time())
        store.save_draft(attempt, f"draft {worker}-{n}")


def _run_all(target, *args) -> None:
    spawn = multiprocessing.get_context("spawn")
    workers = [spawn.Process(target=target, args=(*args, w)) for w in range(PROCESSES)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=120)
    assert [w.exitcode for w in workers] == [0] * PROCESSES


def test_processes_appending_to_one_debate_lose_no_turn(tmp_path: Path) -> None:
    store = SessionStore(tmp_path)
    debate = store.new("essay", "challenge")
    pending = store.begin(debate, "opening", "challenge", "essay")
    store.commit(debate, pending, Turn("opening", "challenge", "essay", "r"))

    _run_all(_append_turns, str(tmp_path), debate.id)

    saved = SessionStore(tmp_path, StateStore(state_url(tmp_path.parent))).get(debate.id)  # nothing cached
    assert saved is not None
    users = [t.user for t in saved.turns]
    assert users[0] == "opening" and len(users) == 1 + PROCESSES * EACH == len(set(users))
    for w in range(PROCESSES):  # each process's turns kept their order
        mine = [u for u in users if u.startswith(f"w{w}-")]
        assert mine == [f"w{w}-{n}" for n in range(EACH)]
    assert saved.revision == len(users)
    reread = store.get(debate.id)  # this process's cached copy catches up with the file
    assert reread is not None and len(reread.turns) == len(users)


def test_processes_writing_the_classroom_database_lose_nothing(tmp_path: Path) -> None:
    store = ClassroomStore(open_state(tmp_path))
    assert store.add_assignment(Assignment("ABC234", "essay", "for", RoundFormat(), "", time.time()))

    _run_all(_add_attempts, str(tmp_path))

    attempts = store.attempts_for("ABC234")
    assert len(attempts) == PROCESSES * EACH
    assert {a.student_name: a.draft for a in attempts} == {
        f"s{w}-{n}": f"draft {w}-{n}" for w in range(PROCESSES) for n in range(EACH)
    }


def test_two_servers_share_one_debate(tmp_path: Path) -> None:
    from bench.load_bench import _Server

    env = {"COUNTERPOINT_LLM__BACKEND": "fake"}
    # the first server ingests the essay; the second, started after it, finds it
    with _Server(tmp_path, env) as first, _Server(tmp_path, env) as second:
        claims = ["AI will replace directors.", "Cheap tools change everything.", "Audiences want spectacle."]
        debate_across(first.url, second.url, claims)
