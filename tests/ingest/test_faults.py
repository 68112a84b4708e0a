"""Faults that must lose nothing: a killed ingest, an unwritable data folder, a stopped Chroma server."""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from app.cli import main
from app.debate.errors import CounterpointError
from app.debate.service import DebateService
from app.wiring import open_store
from ingest.errors import IngestError
from ingest.pipeline import ingest_documents
from ingest.store import ensure_writable
from tests.chroma_server import ChromaServer
from tests.fakes import RecordingFake


def _big_text(marker: str) -> str:
    paragraph = f"{marker} paragraph number {{i}} argues that films need friction, budgets and risk to matter."
    return "\n".join(paragraph.format(i=i) + " It has a second sentence too." * 3 for i in range(600))


def test_killed_ingest_leaves_a_consistent_index(tmp_path: Path, settings, embedder) -> None:
    doc = tmp_path / "long.txt"
    doc.write_text(_big_text("First"))
    CliRunner().invoke(main, ["ingest", "--quiet", str(doc)])
    store = open_store(settings, embedder)
    before = store.document("long")
    assert before is not None

    doc.write_text(_big_text("Second"))
    env = {**os.environ, "COUNTERPOINT_DATA_DIR": str(settings.data_dir)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "ingest", str(doc)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    _wait_for_progress(proc)
    proc.send_signal(signal.SIGKILL)
    proc.wait()

    store = open_store(settings, embedder)
    after = store.document("long")
    visible = store.passages_of("long")
    assert after is not None and after.version == before.version  # the old version is still the published one
    assert len(visible) == before.passage_count and all(p.text.startswith("First") for p in visible)

    result = CliRunner().invoke(main, ["ingest", "--quiet", str(doc)])  # a re-run completes and cleans up
    assert result.exit_code == 0, result.output
    store = open_store(settings, embedder)
    final = store.document("long")
    assert final is not None and final.version != before.version
    assert store.passages.count() == final.passage_count
    assert all(p.text.startswith("Second") for p in store.passages_of("long"))


def _wait_for_progress(proc: subprocess.Popen[bytes]) -> None:
    """Wait until the child is embedding (its progress bar has moved), then return."""
    assert proc.stderr is not None
    deadline = time.monotonic() + 120
    seen = b""
    while time.monotonic() < deadline:
        seen += os.read(proc.stderr.fileno(), 256)
        if b"passage" in seen and b" 0/" not in seen[-40:]:
            return
    pytest.fail("ingest never started embedding")


def test_unwritable_data_folder_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(IngestError, match="is not writable"):
        ensure_writable(blocker / "data")

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(tempfile, "NamedTemporaryFile", full)
    with pytest.raises(IngestError, match="No space left on device"):
        ensure_writable(tmp_path / "data")
    result = CliRunner().invoke(main, ["--data-dir", str(tmp_path / "data"), "ingest", "--quiet"])
    assert result.exit_code == 2
    assert result.output.startswith("error: the data folder") and "Traceback" not in result.output


def test_stopped_chroma_server_gives_a_message_then_recovers(tmp_path: Path, settings, embedder, essay) -> None:
    server = ChromaServer(tmp_path / "server").start()
    chroma = settings.chroma.model_copy(update={"mode": "server", "port": server.port})
    configured = settings.model_copy(update={"chroma": chroma})
    store = open_store(configured, embedder)
    ingest_documents([essay], store, embedder, configured.chunking)
    service = DebateService(configured, store, embedder, chat_model=RecordingFake(responses=["Why?"]))
    service.strategy = "scaffolded"
    assert service.reply("Studios are doomed.").citations
    server.stop()
    try:
        with pytest.raises(CounterpointError, match="not reachable"):
            service.reply("Studios are doomed.")
    finally:
        server.start()
    assert service.reply("Studios are doomed.").citations  # the same service recovers
    server.stop()
