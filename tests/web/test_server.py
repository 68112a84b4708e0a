"""`counterpoint serve`: safe defaults, auth parsing, default-essay ingest, queue and launch arguments."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import gradio as gr
import pytest
from click.testing import CliRunner

from app.cli import main
from app.debate.errors import CounterpointError
from app.settings import Settings
from app.web import server
from app.web.upload import browser_size_limit
from ingest.embedder import Embedder
from tests.fakes import fake_settings, make_debate_service


def test_parse_auth() -> None:
    assert server.parse_auth(None) is None
    assert server.parse_auth("teacher:s3:cret") == ("teacher", "s3:cret")
    for bad in ("nocolon", ":pw", "user:"):
        with pytest.raises(CounterpointError, match="user:password"):
            server.parse_auth(bad)


def test_defaults_bind_loopback_without_share(settings: Settings) -> None:
    options = server.server_options(settings)
    assert options["server_name"] == "127.0.0.1" and options["server_port"] == 7860
    assert options["share"] is False and options["ssr_mode"] is False and options["auth"] is None
    assert options["max_file_size"] == browser_size_limit(settings.max_upload_bytes)  # Gradio's pop-up says "2.0"


def test_auth_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COUNTERPOINT_AUTH", "class:room42")
    assert server.server_options(Settings())["auth"] == ("class", "room42")


def test_launch_ingests_the_default_essay_queues_and_launches(
    settings: Settings, embedder: Embedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = fake_settings(settings.data_dir, concurrency_limit=3, port=7999, auth="a:b")
    service = make_debate_service(settings, embedder)
    seen: dict[str, Any] = {}
    monkeypatch.setattr("app.wiring.make_service", lambda s: service)
    monkeypatch.setattr(gr.Blocks, "queue", lambda self, **kw: seen.update(queue=kw) or self)
    monkeypatch.setattr(gr.Blocks, "launch", lambda self, **kw: seen.update(launch=kw))
    server.launch(settings)
    assert service.document(service.default_doc) is not None
    assert seen["queue"] == {"default_concurrency_limit": 3}
    launch = seen["launch"]
    assert (launch["server_name"], launch["server_port"], launch["auth"]) == ("127.0.0.1", 7999, ("a", "b"))
    assert server.ensure_default_essay(service) is False  # already there: nothing to do


def test_cli_serve_reports_a_malformed_password_in_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COUNTERPOINT_AUTH", "no-colon")
    result = CliRunner().invoke(main, ["serve", "--port", "7998"])
    assert result.exit_code == 2
    assert "error: COUNTERPOINT_AUTH must look like user:password" in result.output


def test_cli_serve_on_a_full_disk_names_the_data_folder_and_the_fix_in_one_line(
    tmp_path: Path, embedder: Embedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    import chromadb
    from chromadb.errors import InternalError

    def full(*args: Any, **kwargs: Any) -> Any:  # what Chroma's Rust core raises when SQLite cannot write
        raise InternalError("error returned from database: (code: 13) database or disk is full")

    monkeypatch.setattr("app.wiring.make_embedder", lambda settings: embedder)
    monkeypatch.setattr(chromadb, "PersistentClient", full)
    data = tmp_path / "data"
    result = CliRunner().invoke(main, ["--data-dir", str(data), "serve", "--backend", "fake", "--port", "7997"])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "unexpected failure" not in lines[0] and "Traceback" not in result.output
    assert lines[0].startswith(f"error: the data folder {data / 'chroma'} is full")
    assert lines[0].endswith("free some space or set COUNTERPOINT_DATA_DIR")


def test_a_full_disk_anywhere_else_at_start_is_one_line_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import sqlite3

    def full(*args: Any, **kwargs: Any) -> Any:  # e.g. the classroom's SQLite file
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr("app.wiring.make_service", full)
    data = tmp_path / "data"
    result = CliRunner().invoke(main, ["--data-dir", str(data), "serve", "--port", "7996"])
    assert result.exit_code == 2
    assert result.output.strip() == (
        f"error: the data folder {data} is full (no space left on the disk): free some space or set "
        "COUNTERPOINT_DATA_DIR"
    )


def test_trusted_proxies_are_checked_at_start(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COUNTERPOINT_TRUSTED_PROXIES", "10.0.0.1, my-proxy")
    result = CliRunner().invoke(main, ["serve", "--port", "7995"])
    assert result.exit_code == 2
    assert "error: COUNTERPOINT_TRUSTED_PROXIES: 'my-proxy' is not an IP address" in result.output


def test_uploads_and_exports_stay_in_the_data_dir_and_are_cleaned(settings: Settings, embedder: Embedder) -> None:
    import os

    from app.web.app import CACHE_CLEANUP, create_app, launch_options

    settings = fake_settings(settings.data_dir)
    demo = create_app(make_debate_service(settings, embedder), settings)
    assert os.environ["GRADIO_TEMP_DIR"] == str((settings.data_dir / "gradio-cache").resolve())
    assert demo.delete_cache == CACHE_CLEANUP == (3600, 86400)
    assert launch_options(settings)["allowed_paths"] == [str((settings.data_dir / "exports").resolve())]
    assert os.environ["FORWARDED_ALLOW_IPS"] == ""  # uvicorn never rewrites the peer from headers
