"""Load: 30 simulated students, 3-turn debates each, through the HTTP API (gradio_client), against a stub
OpenAI-compatible server on 127.0.0.1 that streams a fixed reply with a realistic delay.

Overhead per turn = the turn's wall time through Counterpoint minus the stub's own time for the same
streamed reply (median of direct calls in the same run), so the figures measure Counterpoint itself.
Also: `serve_rss_mb`, the resident memory of `counterpoint serve` with the embedded model after a short
load on it. Loopback only; bounded counts and time.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

import httpx

from bench.stub_openai import StubOpenAI
from tests.chroma_server import free_port

STUB_REPLY = (
    "The essay says the real bottleneck is curation and distribution [P8]. Cheap tools flood the market "
    "with noise, and audiences retreat toward trusted gatekeepers [P9]. What would cheaper tools change?"
)
CLAIMS = [
    "AI will replace film directors.",
    "But cheap tools mean anyone can compete now.",
    "Just admit that ByteDance will win in the end.",
]


def run(settings: Any, students: int = 30, turns: int = 3) -> dict[str, Any]:
    with StubOpenAI(STUB_REPLY, first_token_delay_s=0.4, token_delay_s=0.03) as stub, \
            tempfile.TemporaryDirectory() as tmp:  # fmt: skip
        raw_s = _raw_turn_seconds(stub.base_url)
        env = {
            "COUNTERPOINT_LLM__BACKEND": "openai",
            "COUNTERPOINT_LLM__BASE_URL": stub.base_url,
            "COUNTERPOINT_LLM__MODEL": "stub",
            "COUNTERPOINT_CONCURRENCY_LIMIT": str(students),
        }
        with _Server(Path(tmp), env) as server:
            walls, errors, sessions = _students(server.url, students, turns)
            stored = _stored_turns(Path(tmp) / "sessions", sessions)
    overheads = [max(0.0, w - raw_s) * 1000 for w in walls]
    figures = {
        "load_students": students,
        "load_turns": students * turns,
        "load_stub_turn_s": round(raw_s, 3),
        "load_p50_overhead_ms": round(statistics.median(overheads), 1) if overheads else None,
        "load_p95_overhead_ms": round(_p95(overheads), 1) if overheads else None,
        "load_errors": errors,
        "load_lost_transcripts": students * turns - stored,
    }
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


def _students(url: str, students: int, turns: int) -> tuple[list[float], int, list[str]]:
    from gradio_client import Client

    walls: list[float] = []
    sessions: list[str] = []
    errors = 0
    lock = threading.Lock()

    def student(i: int) -> None:
        nonlocal errors
        session = ""
        try:
            client = Client(url, verbose=False)
            for turn in range(turns):
                t = time.perf_counter()
                result = client.predict(CLAIMS[turn % len(CLAIMS)], "challenge", "", session, api_name="/chat")
                wall = time.perf_counter() - t
                session = result["session_id"]
                with lock:
                    walls.append(wall)
        except Exception:
            with lock:
                errors += 1
        with lock:
            sessions.append(session)

    threads = [threading.Thread(target=student, args=(i,)) for i in range(students)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    return walls, errors, sessions


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
        _students(server.url, turns, 1)
        return server.rss_mb()
