"""A practice round whose process is killed (SIGKILL) mid-round resumes with nothing lost."""

from __future__ import annotations

import os
import re
import select
import signal
import subprocess
import sys
import time

from app.classroom.store import ClassroomStore
from app.state import open_state

OPENING = "I agree with the author: “AI does not know what it feels like to fail.” So its films will feel hollow."
CLOSING = "So the essay stands: “the value of human curation skyrockets” when content is cheap."


def _read_until(proc: subprocess.Popen[bytes], pattern: str, seen: list[str], timeout: float = 180) -> str:
    """Read the child's output until `pattern` appears; return everything read so far."""
    assert proc.stdout is not None
    fd = proc.stdout.fileno()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready:
            chunk = os.read(fd, 4096)
            if not chunk:
                break  # the child closed its output
            seen.append(chunk.decode("utf-8", "replace"))
            if re.search(pattern, "".join(seen)):
                return "".join(seen)
    raise AssertionError(f"never saw {pattern!r}; output: {''.join(seen)[-2000:]}")


def _practice(settings, *args: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "COUNTERPOINT_DATA_DIR": str(settings.data_dir), "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(
        [sys.executable, "-m", "app.cli", "practice", "--backend", "fake", *args],
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


def test_a_round_killed_after_the_bots_reply_resumes_where_it_was(settings, ingested) -> None:
    proc = _practice(settings, "--side", "for", "--rounds", "2", "--seconds", "600", "--name", "Ada")
    seen: list[str] = []
    token = re.search(r"Your key \(to resume\): (\S+)", _read_until(proc, r"Your key \(to resume\): \S+\s", seen))
    assert token is not None
    assert proc.stdin is not None
    proc.stdin.write((OPENING + "\n").encode())
    proc.stdin.flush()
    _read_until(proc, r"-- closing --", seen)  # the bot has answered and the closing is being asked for
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)

    attempt = ClassroomStore(open_state(settings.data_dir)).load(token.group(1))
    assert [t.role for t in attempt.round.turns] == ["student", "bot"] and attempt.round.turns[0].text == OPENING
    assert attempt.round.phase == "closing" and attempt.round.turn_started_at is not None

    resumed = _practice(settings, "--resume", token.group(1))
    raw, _ = resumed.communicate((CLOSING + "\n").encode(), timeout=180)
    out = raw.decode("utf-8", "replace")
    assert resumed.returncode == 0, out
    assert "-- closing --" in out and "## Scorecard" in out
    finished = ClassroomStore(open_state(settings.data_dir)).load(token.group(1))
    assert [t.text for t in finished.round.turns if t.role == "student"] == [OPENING, CLOSING]
    assert finished.scorecard is not None
