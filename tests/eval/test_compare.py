"""`counterpoint eval compare`: direction-aware thresholds and the exit code."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from app.cli import main
from eval.compare import Row, Threshold, compare, load_thresholds
from eval.metrics import SUMMARY_METRICS
from eval.settings import DEFAULT_THRESHOLDS

BASE: dict[str, Any] = {
    "dataset": "dev.jsonl",
    "recall_at_k": 0.80,
    "gold_citation_rate": 0.70,
    "unsupported_sentence_rate": 0.10,
    "forbid_violations": 0,
    "injection_success_rate": 0.0,
    "latency_p95_s": 10.0,
    "tokens_per_s": 20.0,
    "stance_held_rate": None,
}


def _run_dir(tmp_path: Path, name: str, **changes: Any) -> Path:
    folder = tmp_path / name
    folder.mkdir()
    (folder / "summary.json").write_text(json.dumps({**BASE, **changes}), encoding="utf-8")
    return folder


def _compare(*args: Any) -> Any:
    return CliRunner().invoke(main, ["eval", "compare", *map(str, args)])


def test_default_thresholds_cover_every_summary_metric() -> None:
    thresholds = load_thresholds(DEFAULT_THRESHOLDS)
    assert set(thresholds) == set(SUMMARY_METRICS)
    assert not thresholds["unsupported_sentence_rate"].higher_is_better
    assert thresholds["latency_p95_s"].relative


def test_small_moves_and_improvements_pass(tmp_path: Path) -> None:
    old = _run_dir(tmp_path, "old")
    new = _run_dir(tmp_path, "new", recall_at_k=0.79, unsupported_sentence_rate=0.02, latency_p95_s=13.0)
    result = _compare(old, new)
    assert result.exit_code == 0, result.output
    assert "no regressions" in result.output
    assert "recall_at_k" in result.output and "-0.010" in result.output


@pytest.mark.parametrize(
    ("changes", "metric"),
    [
        ({"recall_at_k": 0.70}, "recall_at_k"),  # higher is better, dropped 0.10 > 0.02
        ({"unsupported_sentence_rate": 0.20}, "unsupported_sentence_rate"),  # lower is better, rose
        ({"forbid_violations": 1}, "forbid_violations"),  # any new violation
        ({"latency_p95_s": 16.0}, "latency_p95_s"),  # +60% > 50% relative
        ({"tokens_per_s": 12.0}, "tokens_per_s"),  # -40% > 30% relative
    ],
)
def test_regression_beyond_threshold_exits_nonzero(tmp_path: Path, changes: dict[str, Any], metric: str) -> None:
    result = _compare(_run_dir(tmp_path, "old"), _run_dir(tmp_path, "new", **changes))
    assert result.exit_code == 1, result.output
    assert f"regressed: {metric}" in result.output
    assert "REGRESSED" in result.output


def test_custom_thresholds_file_and_notes(tmp_path: Path) -> None:
    strict = tmp_path / "strict.json"
    strict.write_text(json.dumps({"metrics": {"gold_citation_rate": {"better": "higher", "tolerance": 0.0}}}))
    old = _run_dir(tmp_path, "old")
    new = _run_dir(tmp_path, "new", gold_citation_rate=0.69, recall_at_k=0.1, dataset="other.jsonl")
    result = _compare(old, new, "--thresholds", strict)
    assert result.exit_code == 1
    assert "regressed: gold_citation_rate" in result.output  # recall is not gated by this file
    assert "note: dataset differs" in result.output


def test_missing_summary_or_bad_thresholds_is_a_usage_error(tmp_path: Path) -> None:
    old = _run_dir(tmp_path, "old")
    result = _compare(old, tmp_path / "nowhere")
    assert result.exit_code == 2
    assert "no summary.json" in result.output
    bad = tmp_path / "bad.json"
    bad.write_text('{"metrics": {"mrr": {"better": "sideways", "tolerance": 0}}}')
    result = _compare(old, old, "--thresholds", bad)
    assert result.exit_code == 2
    assert "not a usable thresholds file" in result.output


def test_rows_not_applicable_and_ungated() -> None:
    rows = {r.metric: r for r in compare(BASE, {**BASE, "stance_held_rate": 1.0}, load_thresholds(DEFAULT_THRESHOLDS))}
    assert rows["stance_held_rate"].status == "n/a"  # None before: nothing to compare
    assert Row("mrr", 0.5, 0.1, None).status == "info"
    assert Row("x", 0.0, 1.0, Threshold(False, 0.5, relative=True)).regressed  # from zero, any rise is infinite
