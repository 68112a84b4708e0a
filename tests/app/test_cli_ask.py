"""`counterpoint ask` with the fake backend, and its errors."""

from __future__ import annotations

import json

from click.testing import CliRunner

from app.cli import main


def test_ask_prints_reply_and_footnotes() -> None:
    runner = CliRunner()
    runner.invoke(main, ["ingest", "--quiet"])
    result = runner.invoke(main, ["ask", "Studios are finished.", "--backend", "fake"])
    assert result.exit_code == 0, result.output
    assert "The essay pushes back on this: “" in result.output
    assert "  [P" in result.output  # footnotes with the cited passages


def test_ask_errors_are_one_line() -> None:
    runner = CliRunner()
    missing = runner.invoke(main, ["ask", "hello", "--backend", "fake"])  # nothing ingested yet
    assert missing.exit_code == 2 and "No essay is loaded" in missing.output
    runner.invoke(main, ["ingest", "--quiet"])
    bad_mode = runner.invoke(main, ["ask", "hello", "--mode", "flatter", "--backend", "fake"])
    assert bad_mode.exit_code == 2 and "unknown mode" in bad_mode.output
    empty = runner.invoke(main, ["ask", "", "--json", "--backend", "fake"])
    assert json.loads(empty.stdout)["strategy"] == "none"


def test_chat_session_in_the_terminal() -> None:
    runner = CliRunner()
    runner.invoke(main, ["ingest", "--quiet"])
    result = runner.invoke(main, ["chat", "--backend", "fake"], input="Studios are finished.\n/quit\n")
    assert result.exit_code == 0, result.output
    assert "Debating 'bytedance-hollywood' in challenge mode" in result.output
    assert "bot> The essay pushes back on this:" in result.output
