"""The retrieval sweep runs without a chat model and prints one row per setting."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from app.cli import main
from app.settings import Settings
from app.wiring import make_service
from eval.dataset import load_dataset
from eval.session import eval_settings
from eval.tune import GRID, TUNE_METRICS, format_rows, tune
from tests.eval.conftest import FIVE_CASES, write_dataset


def test_tune_scores_each_setting_and_restores_the_config(tmp_path: Path, settings: Settings, ingested) -> None:
    dataset = write_dataset(tmp_path / "set", FIVE_CASES[:2])
    service = make_service(settings)
    before = service.retrieval
    grid = GRID[:2]
    rows = tune(service, load_dataset(dataset), ks=(2, 4), budget=800, grid=grid)
    assert [(r.name, r.k) for r in rows] == [(grid[0][0], 2), (grid[1][0], 2), (grid[0][0], 4), (grid[1][0], 4)]
    assert all(r.cases == 2 for r in rows)
    assert all(0.0 <= (r.scores["recall_at_k"] or 0.0) <= 1.0 for r in rows)
    assert rows[1].scores["recall_at_k"] == 1.0  # "$300M" is an exact term: bm25 finds it
    assert service.retrieval == before
    table = format_rows(rows, before)
    assert table.count("\n| ") == 1 + len(rows)  # header + rows
    assert all(name in table for name in TUNE_METRICS)


def test_tune_cli_prints_a_table(tmp_path: Path, settings: Settings) -> None:
    dataset = write_dataset(tmp_path / "set", [FIVE_CASES[1]])
    result = CliRunner().invoke(main, ["eval", "tune", str(dataset), "--k", "3"])
    assert result.exit_code == 0, result.output
    assert "| dense only | 3 |" in result.output
    assert eval_settings(settings).data_dir == settings.data_dir / "eval"
