"""`counterpoint critique`: files read directly (many in one process), or an ingested document's stored map."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from app.cli import main
from app.settings import DEFAULT_ESSAY

KEYS = {"text", "scheme", "target", "start", "end", "passage_id"}
TURN = (
    "Speaker 2: I disagree with my opponent. If we ban cars from the centre, shops will close within a year. "
    "Either we keep the roads open or we lose the high street.\n"
)
RECIPE = "Preheat the oven to 180C. Mix 200g flour with 2 eggs. Bake for 25 minutes. Serve warm.\n"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def files(tmp_path: Path) -> list[Path]:
    made = {"turn.txt": TURN, "recipe.txt": RECIPE, "empty.txt": ""}
    for name, text in made.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    (tmp_path / "blob.txt").write_bytes(b"\x00\x01\x02binary\x00")
    return [DEFAULT_ESSAY, *(tmp_path / n for n in made), tmp_path / "blob.txt", tmp_path / "missing.txt"]


def test_json_one_object_per_line_for_several_files(runner: CliRunner, files: list[Path]) -> None:
    result = runner.invoke(main, ["critique", "--json", *map(str, files)])
    assert result.exit_code == 0, result.output
    lines = result.stdout.strip().split("\n")
    assert len(lines) == len(files)
    records = {Path(r["file"]).name: r for r in map(json.loads, lines)}
    essay = records[DEFAULT_ESSAY.name]
    assert essay["doc"] == "bytedance-hollywood" and len(essay["questions"]) == 3
    text = DEFAULT_ESSAY.read_text(encoding="utf-8")
    for q in essay["questions"]:
        assert set(q) == KEYS and text[q["start"] : q["end"]]
    assert "concession" in {q["scheme"] for q in essay["questions"]}
    turn = records["turn.txt"]
    assert turn["questions"] and all(q["start"] >= TURN.index(": ") + 2 for q in turn["questions"])
    for name in ("recipe.txt", "empty.txt"):
        assert records[name]["questions"] == [] and records[name]["notice"]
    for name in ("blob.txt", "missing.txt"):
        assert records[name]["questions"] == [] and records[name]["error"]
        assert "Traceback" not in records[name]["error"]


def test_plain_output_numbers_questions_with_scheme_and_span(runner: CliRunner, files: list[Path]) -> None:
    result = runner.invoke(main, ["critique", "--n", "2", str(files[0]), str(files[-1])])
    assert result.exit_code == 0, result.output
    assert "1. [expert_opinion · n16, chars" in result.output
    assert "2. [" in result.output and "3. [" not in result.output
    assert "missing.txt: error:" in result.output


def test_doc_uses_the_ingested_default_essay(runner: CliRunner, ingested) -> None:
    result = runner.invoke(main, ["critique", "--doc", "bytedance-hollywood", "--json"])
    assert result.exit_code == 0, result.output
    record = json.loads(result.stdout)
    assert record["doc"] == "bytedance-hollywood"
    schemes = [q["scheme"] for q in record["questions"]]
    assert len(schemes) == 3 and "concession" in schemes and "expert_opinion" in schemes
    assert all(q["passage_id"] for q in record["questions"])  # the stored map knows each span's passage
    missing = runner.invoke(main, ["critique", "--doc", "nope"])
    assert missing.exit_code != 0 and "no document 'nope'" in missing.output


def test_files_and_doc_together_is_an_error(runner: CliRunner) -> None:
    result = runner.invoke(main, ["critique", "--doc", "x", str(DEFAULT_ESSAY)])
    assert result.exit_code != 0 and "not both" in result.output
