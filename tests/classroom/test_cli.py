"""`counterpoint practice` and `counterpoint classroom ...` end to end with CliRunner and the fake model."""

from __future__ import annotations

import csv
import json
import re

import click
import pytest
from click.testing import CliRunner

import app.classroom.cli as classroom_cli
from app.classroom.cli import classroom_group, practice_command
from app.cli import main
from tests.classroom.conftest import PASSWORD

OPENING = "I agree with the author. “AI does not know what it feels like to fail.” So its films will feel hollow."
CLOSING = "You say the pipeline dries up, but “the value of human curation skyrockets” when content is cheap."


@pytest.fixture
def cli(make_classroom, monkeypatch):
    """The real top-level group with the classroom commands registered, over one test classroom."""
    classroom = make_classroom()
    monkeypatch.setattr(classroom_cli, "build_classroom", lambda settings, backend=None: classroom)
    commands = {**main.commands, "practice": practice_command, "classroom": classroom_group}
    return click.Group("counterpoint", callback=main.callback, params=main.params, commands=commands)


def test_practice_round_end_to_end(cli, tmp_path) -> None:
    out = tmp_path / "round.md"
    args = ["practice", "--side", "for", "--rounds", "2", "--seconds", "90", "--name", "Ada", "--export", str(out)]
    result = CliRunner().invoke(cli, args, input=f"{OPENING}\n{CLOSING}\n")
    assert result.exit_code == 0, result.output
    assert "You argue for the essay's thesis (the author is right); Counterpoint argues against" in result.output
    assert "-- opening -- up to 200 words; 90 s left" in result.output
    assert "bot> My side: against the essay's thesis." in result.output
    assert "## Scorecard" in result.output and "| opening | 3 (heuristic) | 2 | 2 (heuristic) | n/a |" in result.output
    written = out.read_text(encoding="utf-8")
    assert written.startswith("# Practice round on “bytedance-hollywood”") and "Exact quotation from P11" in written


def test_quit_and_resume_with_the_key(cli, tmp_path) -> None:
    runner = CliRunner()
    first = runner.invoke(cli, ["practice", "--side", "against", "--rounds", "2", "--name", "Bob"], input="/quit\n")
    assert first.exit_code == 0, first.output
    token = re.search(r"--resume (\S+)", first.output).group(1)  # type: ignore[union-attr]
    second = runner.invoke(cli, ["practice", "--resume", token], input="Studios are doomed.\n/quit\n")
    assert "You argue against the essay's thesis" in second.output and "bot> " in second.output
    out = tmp_path / "round.json"
    third = runner.invoke(cli, ["practice", "--resume", token, "--export", str(out)], input="Still doomed.\n")
    assert third.exit_code == 0, third.output
    data = json.loads(out.read_text(encoding="utf-8"))
    assert [t["role"] for t in data["turns"]] == ["student", "bot", "student", "bot"]
    assert data["attempt"]["side"] == "against" and data["scorecard"]["out_of"] == 12
    assert token not in out.read_text(encoding="utf-8")
    bad = runner.invoke(cli, ["practice", "--resume", "not-a-key"])
    assert bad.exit_code == 2 and "error: no practice round with that key" in bad.output


def test_teacher_commands_and_a_class_joining_by_code(cli, tmp_path) -> None:
    runner = CliRunner()
    refused = runner.invoke(cli, ["classroom", "create", "--password", "guess"])
    assert refused.exit_code == 2 and "error: wrong teacher password" in refused.output
    created = runner.invoke(cli, ["classroom", "create", "--side", "for", "--rounds", "2"], input=f"{PASSWORD}\n")
    assert created.exit_code == 0, created.output
    code = re.search(r"Assignment (\w{6})", created.output).group(1)  # type: ignore[union-attr]
    joined = runner.invoke(cli, ["practice", "--code", code, "--name", "Ada"], input=f"{OPENING}\n{CLOSING}\n")
    assert joined.exit_code == 0 and "## Scorecard" in joined.output
    csv_path, json_path = tmp_path / "class.csv", tmp_path / "class.json"
    args = ["classroom", "attempts", code, "--password", PASSWORD, "--csv", str(csv_path), "--json", str(json_path)]
    listed = runner.invoke(cli, args)
    assert listed.exit_code == 0, listed.output
    assert "Ada (for) finished" in listed.output and "evidence=2.0" in listed.output
    assert "Most used passages: P9 (1), P11 (1)" in listed.output
    [row] = list(csv.DictReader(csv_path.open(encoding="utf-8")))
    assert row["student"] == "Ada" and row["passages_used"] == "P11 P9"
    assert json.loads(json_path.read_text(encoding="utf-8"))["assignment"]["code"] == code
    assignments = runner.invoke(cli, ["classroom", "assignments", "--password", PASSWORD])
    assert f"{code}  bytedance-hollywood  side=for" in assignments.output and "1 attempt(s)" in assignments.output
