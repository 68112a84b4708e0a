"""`counterpoint serve`: safe defaults, auth parsing, default-essay ingest, queue and launch arguments."""

from __future__ import annotations

from typing import Any

import gradio as gr
import pytest
from click.testing import CliRunner

from app.cli import main
from app.debate.errors import CounterpointError
from app.settings import Settings
from app.web import server
from ingest.embedder import Embedder
from tests.web.conftest import fake_settings, make_debate_service


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
    assert options["max_file_size"] == settings.max_upload_bytes


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
    assert service.store.document(service.default_doc) is not None
    assert seen["queue"] == {"default_concurrency_limit": 3}
    launch = seen["launch"]
    assert (launch["server_name"], launch["server_port"], launch["auth"]) == ("127.0.0.1", 7999, ("a", "b"))
    assert server.ensure_default_essay(service) is False  # already there: nothing to do


def test_cli_serve_reports_a_malformed_password_in_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COUNTERPOINT_AUTH", "no-colon")
    result = CliRunner().invoke(main, ["serve", "--port", "7998"])
    assert result.exit_code == 2
    assert "error: COUNTERPOINT_AUTH must look like user:password" in result.output
