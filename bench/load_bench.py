"""Load: 30 simulated students, 3-turn debates each, through the HTTP API (gradio_client), against a stub
OpenAI-compatible server on 127.0.0.1 (its own process) that streams a fixed reply with a realistic delay.

Overhead per turn = the turn's wall time through Counterpoint minus the stub's own time for the same
streamed reply (median of direct calls in the same run), so the figures measure Counterpoint itself.
It includes the measuring client: gradio_client polls its message queue every 50 ms, so 0-50 ms of each
turn is the client's. `*_service_p95_overhead_ms` is the debate service's own share (the reply's
`timings.total_s` minus the stub's time: retrieval, prompt, verification; no HTTP, queue or disk).

Two arrival patterns, both with all 30 students in the room at once:
- class (`load_*`): students join over `RAMP_S` seconds and think `THINK_S` between turns (real students
  type for half a minute; a few seconds is the pessimistic end), so turns overlap as they do in a lesson;
- burst (`load_burst_*`): every student sends at the same instant, three times, no thinking: a stress
  figure for the worst case, where 30 turns queue for 2 cores.
Each student words its claims a little differently, so no cache can serve one student's turn from another's.

Absolute milliseconds swing several-fold between runs on a shared 2-core machine, so the same run also
drives a baseline (`bench.baseline_app`: a bare Gradio ChatInterface streaming the same stub) through the
same client pattern, and `load_overhead_ratio_{class,burst}_{sqlite,postgresql}` is our p95 turn time
over the baseline's. The two take turns (a burst each, then `CLASS_ROUNDS` class runs each, alternating),
so a neighbour's busy minute lands on both, and each p95 is over the pooled turns of its runs (one class
run's p95 is its 5th-worst turn of 90: a single stall moves it). Counterpoint runs twice: its state in
SQLite (the default), and in a real PostgreSQL server (`tests.postgres_server`, when the binaries are
installed).
Also: `serve_rss_mb`, the resident memory of `counterpoint serve` with the embedded model after a short
load on it. Loopback only; bounded counts and time.
"""

from __future__ import annotations

import atexit
import os
import random
import ssl
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from bench.stub_openai import StubProcess
from tests.chroma_server import free_port

STUB_REPLY = (
    "The essay says the real bottleneck is curation and distribution [P8]. Cheap tools flood the market "
    "with noise, and audiences retreat toward trusted gatekeepers [P9]. What would cheaper tools change?"
)
CLAIMS = [
    "AI will replace film directors{}.",
    "But cheap tools mean anyone can compete now{}.",
    "Just admit that ByteDance will win in the end{}.",
]
ASIDES = ["", " within ten years", ", honestly", " in my view", " sooner than people think", ", I am sure"]
RAMP_S = 10.0
THINK_S = (2.0, 5.0)
CLASS_ROUNDS = 3  # class runs per server, each next to one of the baseline's


def run(settings: Any, students: int = 30, turns: int = 3, rss: bool = True) -> dict[str, Any]:
    with StubProcess(STUB_REPLY, first_token_delay_s=0.4, token_delay_s=0.03) as stub:
        raw_s = _raw_turn_seconds(stub.base_url)
        env = {
            "COUNTERPOINT_LLM__BACKEND": "openai",
            "COUNTERPOINT_LLM__BASE_URL": stub.base_url,
            "COUNTERPOINT_LLM__MODEL": "stub",
            "COUNTERPOINT_CONCURRENCY_LIMIT": str(students),
        }
        ours: dict[str, tuple[_Run, _Run]] = {}
        theirs: dict[str, tuple[_Run, _Run]] = {}
        lost = 0
        with _Baseline(stub.base_url, students) as baseline:
            _students(baseline.url, 2, 1, "burst", _baseline_turn)  # first-request costs are not load
            for engine, url in _engines():
                with tempfile.TemporaryDirectory() as tmp:
                    engine_env = {**env, **({"COUNTERPOINT_DATABASE_URL": url} if url else {})}
                    with _Server(Path(tmp), engine_env) as server:
                        ours[engine], theirs[engine] = _alternating(server.url, baseline.url, students, turns)
                    sessions = ours[engine][0].sessions + ours[engine][1].sessions
                    expected = (CLASS_ROUNDS + 1) * students * turns
                    lost += expected - _stored_turns(Path(tmp), url, sessions)
    lesson, burst = ours["sqlite"]
    base_lesson = _Run.pooled([theirs[engine][0] for engine in theirs])
    base_burst = _Run.pooled([theirs[engine][1] for engine in theirs])
    figures: dict[str, Any] = {
        "load_students": students,
        "load_turns": students * turns,
        "load_class_rounds": CLASS_ROUNDS,
        "load_stub_turn_s": round(raw_s, 3),
        "load_baseline_p95_ms": round(_p95(base_lesson.walls) * 1000, 1),
        "load_burst_baseline_p95_ms": round(_p95(base_burst.walls) * 1000, 1),
    }
    for engine, (engine_lesson, engine_burst) in ours.items():
        base = theirs[engine]
        for pattern, mine, bare in (("class", engine_lesson, base[0]), ("burst", engine_burst, base[1])):
            ratio = _p95(mine.walls) / _p95(bare.walls) if mine.walls and bare.walls else None
            figures[f"load_overhead_ratio_{pattern}_{engine}"] = round(ratio, 3) if ratio else None
            figures[f"load_{pattern}_{engine}_errors"] = mine.errors
    for prefix, run_ in (("load", lesson), ("load_burst", burst)):
        overheads = [max(0.0, w - raw_s) * 1000 for w in run_.walls]
        figures[f"{prefix}_p50_overhead_ms"] = round(statistics.median(overheads), 1) if overheads else None
        figures[f"{prefix}_p95_overhead_ms"] = round(_p95(overheads), 1) if overheads else None
        figures[f"{prefix}_errors"] = run_.errors
        inside = [max(0.0, t - raw_s) * 1000 for t in run_.service]  # without HTTP, queue and session write
        figures[f"{prefix}_service_p95_overhead_ms"] = round(_p95(inside), 1) if inside else None
    figures["load_lost_transcripts"] = lost
    if rss:
        figures["serve_rss_mb"] = _embedded_rss_mb()
    return figures


def _engines() -> list[tuple[str, str | None]]:
    """SQLite always; PostgreSQL when a server can be started here (its URL; the server stops at exit)."""
    from tests.postgres_server import PostgresServer

    found: list[tuple[str, str | None]] = [("sqlite", None)]
    if PostgresServer.available():
        server = PostgresServer().start()
        atexit.register(server.cleanup)
        found.append(("postgresql", server.new_database()))
    return found


def _alternating(url: str, baseline_url: str, students: int, turns: int) -> tuple[tuple[_Run, _Run], tuple[_Run, _Run]]:
    """((class, burst) on our server, (class, burst) on the baseline), the two taking turns: one burst
    each, then `CLASS_ROUNDS` class runs each, so whatever else the machine does meanwhile hits both."""
    _students(url, 2, 1, "burst")  # first-request costs are not load
    bare_burst = _students(baseline_url, students, turns, "burst", _baseline_turn)
    burst = _students(url, students, turns, "burst")
    lessons: list[_Run] = []
    bare_lessons: list[_Run] = []
    for _ in range(CLASS_ROUNDS):
        bare_lessons.append(_students(baseline_url, students, turns, "class", _baseline_turn))
        lessons.append(_students(url, students, turns, "class"))
    return (_Run.pooled(lessons), burst), (_Run.pooled(bare_lessons), bare_burst)


def _p95(values: list[float]) -> float:
    return sorted(values)[max(0, round(0.95 * len(values)) - 1)]


def _raw_turn_seconds(base_url: str, repeats: int = 5) -> float:
    """The stub's own time for one streamed reply, read to the end."""
    body = {"model": "stub", "stream": True, "messages": [{"role": "user", "content": "hi"}]}
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        with httpx.stream("POST", f"{base_url}/chat/completions", json=body, timeout=30) as response:
            for _line in response.iter_lines():
                pass
        times.append(time.perf_counter() - t)
    return statistics.median(times)


@dataclass
class _Run:
    walls: list[float] = field(default_factory=list)
    service: list[float] = field(default_factory=list)  # the debate service's own total per turn
    sessions: list[str] = field(default_factory=list)
    errors: int = 0

    @classmethod
    def pooled(cls, runs: list[_Run]) -> _Run:
        """Several runs' turns as one sample (a p95 over all of them)."""
        return cls(
            walls=[w for r in runs for w in r.walls],
            service=[t for r in runs for t in r.service],
            sessions=[i for r in runs for i in r.sessions],
            errors=sum(r.errors for r in runs),
        )


Call = Callable[[Any, str, str], tuple[str, float | None]]  # (client, claim, session) -> (session, service s)


def _counterpoint_turn(client: Any, claim: str, session: str) -> tuple[str, float | None]:
    result = client.predict(claim, "challenge", "", session, api_name="/chat")
    return str(result["session_id"]), float(result["reply"]["timings"]["total_s"])


def _baseline_turn(client: Any, claim: str, session: str) -> tuple[str, float | None]:
    client.predict(claim, api_name="/chat")
    return "", None


def _students(url: str, students: int, turns: int, pattern: str, call: Call = _counterpoint_turn) -> _Run:
    """`students` threads, each a debate of `turns` turns; `pattern` is "burst" or "class" (see above)."""
    from gradio_client import Client

    # gradio_client opens a fresh httpx client per request; with the default it builds a CA store each
    # time (~15 ms of CPU), which would be charged to Counterpoint. One shared context, still verifying.
    tls = ssl.create_default_context()
    run = _Run()
    lock = threading.Lock()
    clients = [Client(url, verbose=False, ssl_verify=tls) for _ in range(students)]  # type: ignore[arg-type]
    rng = random.Random(7)
    plans = [
        (rng.uniform(0, RAMP_S), [rng.uniform(*THINK_S) for _ in range(turns)], rng.sample(ASIDES, 3))
        for _ in range(students)
    ]
    start = time.perf_counter()

    def student(i: int) -> None:
        join_at, thinks, asides = plans[i]
        session = ""
        try:
            if pattern == "class":
                time.sleep(max(0.0, start + join_at - time.perf_counter()))
            for turn in range(turns):
                if pattern == "class" and turn:
                    time.sleep(thinks[turn])
                claim = CLAIMS[turn % len(CLAIMS)].format(asides[turn % len(asides)])
                t = time.perf_counter()
                session, service_s = call(clients[i], claim, session)
                wall = time.perf_counter() - t
                with lock:
                    run.walls.append(wall)
                    if service_s is not None:
                        run.service.append(service_s)
        except Exception:
            with lock:
                run.errors += 1
        with lock:
            run.sessions.append(session)

    threads = [threading.Thread(target=student, args=(i,)) for i in range(students)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    # Each client holds a heartbeat stream open: a class is 30 open pages, not 30 more per run. Closed
    # together, since each waits up to a second for its heartbeat thread.
    with ThreadPoolExecutor(len(clients)) as pool:
        list(pool.map(lambda client: client.close(), clients))
    return run


def _stored_turns(data_dir: Path, url: str | None, sessions: list[str]) -> int:
    """Answered turns the server's state database holds for these debates."""
    from app.state import StateStore, state_url
    from app.web.sessions import SessionStore

    state = StateStore(state_url(data_dir, url))
    store = SessionStore(data_dir / "sessions", state)
    total = 0
    for session in sessions:
        debate = store.get(session)
        total += sum(1 for t in debate.turns if t.reply) if debate else 0
    state.dispose()
    return total


class _Baseline:
    """`bench.baseline_app` in a subprocess on a free loopback port."""

    def __init__(self, stub_url: str, concurrency: int) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.cmd = [sys.executable, "-m", "bench.baseline_app", str(self.port), stub_url, str(concurrency)]
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> _Baseline:
        self.process = subprocess.Popen(self.cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _wait_for(self.url, self.process)
        return self

    def __exit__(self, *exc: object) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=30)


def _wait_for(url: str, process: subprocess.Popen[bytes], seconds: float = 180) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and process.poll() is None:
        try:
            urllib.request.urlopen(url + "config", timeout=2)
            return
        except OSError:
            time.sleep(0.5)
    process.terminate()
    raise RuntimeError(f"{url} did not start")


class _Server:
    """`counterpoint serve` in a subprocess on a free loopback port."""

    def __init__(self, data_dir: Path, env: dict[str, str]) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.env = {**os.environ, **env, "COUNTERPOINT_DATA_DIR": str(data_dir)}
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> _Server:
        cmd = [sys.executable, "-m", "app.cli", "serve", "--host", "127.0.0.1", "--port", str(self.port)]
        self.process = subprocess.Popen(cmd, env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.url + "config", timeout=2)
                return self
            except OSError:
                time.sleep(0.5)
        self.__exit__()
        raise RuntimeError("counterpoint serve did not start")

    def rss_mb(self) -> float:
        assert self.process is not None
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        kb = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:"))
        return round(kb / 1024, 1)

    def __exit__(self, *exc: object) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=30)


def _embedded_rss_mb(turns: int = 5) -> float:
    """RSS of `counterpoint serve` with the embedded model after a few concurrent turns on it."""
    with tempfile.TemporaryDirectory() as tmp, _Server(Path(tmp), {"COUNTERPOINT_LLM__BACKEND": "embedded"}) as server:
        _students(server.url, turns, 1, pattern="burst")
        return server.rss_mb()
