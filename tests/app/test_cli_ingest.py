"""`counterpoint ingest` and `counterpoint passages` end to end with click's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from app.cli import main
from app.settings import DEFAULT_ESSAY


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_ingest_default_then_list_json(runner: CliRunner) -> None:
    result = runner.invoke(main, ["ingest", "--quiet"])
    assert result.exit_code == 0, result.output
    assert "ingested 1 document(s) (0 unchanged)" in result.output
    again = runner.invoke(main, ["ingest", "--quiet"])
    assert "(1 unchanged)" in again.output

    listed = runner.invoke(main, ["passages", "--json"])
    assert listed.exit_code == 0
    rows = json.loads(listed.stdout)
    source = DEFAULT_ESSAY.read_text(encoding="utf-8")
    assert {"id", "doc", "section", "start", "end", "text"} <= set(rows[0])
    assert all(source[r["start"] : r["end"]] == r["text"] for r in rows)
    assert {r["doc"] for r in rows} == {"bytedance-hollywood"}


def test_passages_text_listing_and_unknown_doc(runner: CliRunner) -> None:
    runner.invoke(main, ["ingest", "--quiet"])
    listed = runner.invoke(main, ["passages", "--doc", "bytedance-hollywood"])
    assert "[P1] bytedance-hollywood · Introduction" in listed.output
    missing = runner.invoke(main, ["passages", "--doc", "nope"])
    assert missing.exit_code == 2
    assert "no document 'nope'" in missing.output


def _bad_inputs(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    empty_dir = tmp_path / "emptydir"
    empty_dir.mkdir()
    (tmp_path / "blank.txt").write_text("  \n ")
    (tmp_path / "bin.txt").write_bytes(b"\x00\x01\x02" * 100)
    (tmp_path / "big.txt").write_text("word " * 1_100_000)
    return {
        "missing": (tmp_path / "missing.txt", "no such file"),
        "empty dir": (empty_dir, "no supported files"),
        "blank": (tmp_path / "blank.txt", "empty"),
        "binary": (tmp_path / "bin.txt", "binary"),
        "5 MB": (tmp_path / "big.txt", "over the"),
    }


def test_bad_input_is_one_line_and_index_untouched(runner: CliRunner, tmp_path: Path) -> None:
    runner.invoke(main, ["ingest", "--quiet"])
    before = runner.invoke(main, ["passages", "--json"]).stdout
    for name, (path, message) in _bad_inputs(tmp_path).items():
        result = runner.invoke(main, ["ingest", "--quiet", str(DEFAULT_ESSAY), str(path)])
        assert result.exit_code == 2, name
        assert message in result.output, name
        assert "Traceback" not in result.output
        assert len(result.output.strip().splitlines()) == 1, result.output
    assert runner.invoke(main, ["passages", "--json"]).stdout == before


def test_non_utf8_note(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "old.txt"
    path.write_bytes("Un caf\u00e9 tr\u00e8s cher, dit l'auteur, et la salle reste vide.".encode("latin-1"))
    result = runner.invoke(main, ["ingest", "--quiet", str(path)])
    assert result.exit_code == 0
    assert "decoded as cp1252" in result.output


def test_same_file_name_in_two_folders_keeps_both(runner: CliRunner, tmp_path: Path) -> None:
    for folder, text in (("d1", "A garden is an argument about patience."), ("d2", "A river argues for persistence.")):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "essay.txt").write_text(text, encoding="utf-8")
    result = runner.invoke(main, ["ingest", "--quiet", str(tmp_path / "d1/essay.txt"), str(tmp_path / "d2/essay.txt")])
    assert result.exit_code == 0, result.output
    assert "ingested 2 document(s)" in result.output
    assert "stored as 'essay-2'" in result.output
    rows = json.loads(runner.invoke(main, ["passages", "--json"]).stdout)
    assert {r["doc"]: r["text"] for r in rows} == {
        "essay": "A garden is an argument about patience.",
        "essay-2": "A river argues for persistence.",
    }


def test_the_same_text_twice_counts_once(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "论文.txt"
    path.write_text("One text, given twice on the command line.", encoding="utf-8")
    result = runner.invoke(main, ["ingest", "--quiet", str(path), str(path)])
    assert result.exit_code == 0, result.output
    assert "ingested 1 document(s)" in result.output
    assert "same text as" in result.output


def test_utf16_note(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "notepad.txt"
    path.write_bytes("A text saved by an old editor, in UTF-16 with a byte-order mark.".encode("utf-16"))
    result = runner.invoke(main, ["ingest", "--quiet", str(path)])
    assert result.exit_code == 0, result.output
    assert "decoded as utf-16-le" in result.output
