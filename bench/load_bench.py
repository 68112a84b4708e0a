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
Also: `serve_rss_mb`, the resident memory of `counterpoint serve` with the embedded model after a short
load on it. Loopback only; bounded counts and time.
"""

from __future__ import annotations

import json
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


def run(settings: Any, students: int = 30, turns: int = 3) -> dict[str, Any]:
    with StubProcess(STUB_REPLY, first_token_delay_s=0.4, token_delay_s=0.03) as stub, \
            tempfile.TemporaryDirectory() as tmp:  # fmt: skip
        raw_s = _raw_turn_seconds(stub.base_url)
        env = {
            "COUNTERPOINT_LLM__BACKEND": "openai",
            "COUNTERPOINT_LLM__BASE_URL": stub.base_url,
            "COUNTERPOINT_LLM__MODEL": "stub",
            "COUNTERPOINT_CONCURRENCY_LIMIT": str(students),
        }
        with _Server(Path(tmp), env) as server:
            _students(server.url, 2, 1, pattern="burst")  # warm up: first-request costs are not load
            burst = _students(server.url, students, turns, pattern="burst")
            lesson = _students(server.url, students, turns, pattern="class")
            stored = _stored_turns(Path(tmp) / "sessions", burst.sessions + lesson.sessions)
    figures: dict[str, Any] = {
        "load_students": students,
        "load_turns": students * turns,
        "load_stub_turn_s": round(raw_s, 3),
    }
    for prefix, run_ in (("load", lesson), ("load_burst", burst)):
        overheads = [max(0.0, w - raw_s) * 1000 for w in run_.walls]
        figures[f"{prefix}_p50_overhead_ms"] = round(statistics.median(overheads), 1) if overheads else None
        figures[f"{prefix}_p95_overhead_ms"] = round(_p95(overheads), 1) if overheads else None
        figures[f"{prefix}_errors"] = run_.errors
        inside = [max(0.0, t - raw_s) * 1000 for t in run_.service]  # without HTTP, queue and session write
        figures[f"{prefix}_service_p95_overhead_ms"] = round(_p95(inside), 1) if inside else None
    figures["load_lost_transcripts"] = 2 * students * turns - stored
    figures["serve_rss_mb"] = _embedded_rss_mb()
    return figures


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


def _students(url: str, students: int, turns: int, pattern: str) -> _Run:
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
                result = clients[i].predict(claim, "challenge", "", session, api_name="/chat")
                wall = time.perf_counter() - t
                session = result["session_id"]
                with lock:
                    run.walls.append(wall)
                    run.service.append(float(result["reply"]["timings"]["total_s"]))
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
    return run


def _stored_turns(folder: Path, sessions: list[str]) -> int:
    total = 0
    for session in sessions:
        path = folder / f"{session}.json"
        if session and path.exists():
            total += sum(1 for t in json.loads(path.read_text())["turns"] if t.get("reply"))
    return total


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
