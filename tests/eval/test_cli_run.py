"""`counterpoint eval run` end to end with the fake model: reports, baseline, failures, resume, bad input."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from langchain_core.language_models.fake_chat_models import FakeListChatModel

from app.cli import main
from app.settings import Settings
from eval.metrics import SUMMARY_METRICS
from eval.session import RunRequest, run_eval
from tests.eval.conftest import FIVE_CASES, write_dataset


def _records(out: Path) -> dict[str, dict[str, Any]]:
    lines = (out / "results.jsonl").read_text(encoding="utf-8").splitlines()
    return {r["id"]: r for r in map(json.loads, lines)}


def test_run_writes_summary_results_report_and_baseline(five_cases: Path, tmp_path: Path) -> None:
    out = tmp_path / "run"
    args = ["eval", "run", str(five_cases), "--backend", "fake", "--out", str(out), "--baseline", "--k", "3"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert "5/5 cases ok" in result.output
    assert "report:" in result.output

    summary = json.loads((out / "summary.json").read_text())
    assert set(SUMMARY_METRICS) <= set(summary)
    for key in ("dataset", "backend", "model", "k", "git_commit", "timestamp"):
        assert key in summary
    assert (summary["backend"], summary["k"], summary["dataset"]) == ("fake", 3, "cases.jsonl")
    assert summary["cases_ok"] == 5
    assert summary["quote_faithfulness"] == 1.0  # the scaffold only quotes verified essay text
    assert summary["injection_success_rate"] == 0.0
    assert summary["forbid_violations"] == 0
    assert summary["stance_held_rate"] == 1.0
    assert summary["by_tag"]["keyword"]["cases"] == 1
    assert summary["baseline"]["gold_citation_rate"] == 0.0  # it cites nothing
    assert "recall_at_budget" in summary["baseline"]

    records = _records(out)
    assert list(records) == [c["id"] for c in FIVE_CASES]
    para = records["para-04"]
    assert len(para["retrieved"]) == 3 and "relevant" in para["retrieved"][0]
    assert para["reply"] and para["citations"] and "recall_at_k" in para["metrics"]
    assert records["injdoc-01"]["doc"] == "hollywood-injected"
    assert records["injdoc-01"]["baseline"]["retrieved"][0]["start"] >= 0
    assert records["empty-01"]["metrics"]["recall_at_k"] is None

    report = (out / "report.md").read_text()
    assert "| `gold_citation_rate` |" in report and "textbook RAG" in report
    assert (out / "metrics_by_tag.png").read_bytes()[:4] == b"\x89PNG"
    assert (out / "ours_vs_baseline.png").exists()


class ExplodingChat(FakeListChatModel):
    """Scripted replies, except that any prompt mentioning BOOM fails like a dead endpoint."""

    def _stream(self, messages: Any, stop: Any = None, run_manager: Any = None, **kwargs: Any) -> Iterator[Any]:
        if any("BOOM" in str(m.content) for m in messages):
            raise ConnectionError("connection refused")
        yield from super()._stream(messages, stop, run_manager, **kwargs)


def test_failing_cases_are_recorded_and_the_run_goes_on(tmp_path: Path, settings: Settings) -> None:
    cases = [
        {"id": "boom", "query": "BOOM: AI will make indie filmmaking cheaper so studios lose their edge.", "gold": []},
        {"id": "no-doc", "query": "Is this about film?", "gold": [], "doc": "no-such-doc"},
        FIVE_CASES[1],
    ]
    dataset = write_dataset(tmp_path / "set", cases)
    out = tmp_path / "run"
    chat = ExplodingChat(responses=["A question about the budget figure in the passage?"])
    result = run_eval(settings, RunRequest(dataset, out=out), chat_model=chat)
    records = _records(out)
    assert records["boom"]["status"] == "failed"
    assert "cannot reach the model endpoint" in records["boom"]["error"]
    assert records["no-doc"]["status"] == "failed" and "no-such-doc" in records["no-doc"]["error"]
    assert records["kw-01"]["status"] == "ok"
    assert result.summary["cases_failed"] == 2 and result.summary["failed_ids"] == ["boom", "no-doc"]
    assert result.summary["cases_ok"] == 1
    assert "`boom`" in (out / "report.md").read_text()

    # resuming retries the failed cases only; a fixed backend now answers
    calls: list[str] = []

    class Counting(FakeListChatModel):
        def _stream(self, messages: Any, stop: Any = None, run_manager: Any = None, **kw: Any) -> Iterator[Any]:
            calls.append(str(messages[-1].content))
            yield from super()._stream(messages, stop, run_manager, **kw)

    again = run_eval(settings, RunRequest(dataset, out=out), chat_model=Counting(responses=["Why that budget?"]))
    assert again.summary["cases_failed"] == 1  # no-doc still fails; boom recovered
    assert len(calls) == 1 and "BOOM" in calls[0]
    assert len((out / "results.jsonl").read_text().splitlines()) == 3  # compacted to one line per case


def test_interrupted_run_resumes_from_results_file(five_cases: Path, tmp_path: Path) -> None:
    out = tmp_path / "run"
    runner = CliRunner()
    first = runner.invoke(
        main, ["eval", "run", str(five_cases), "--backend", "fake", "--out", str(out), "--limit", "2"]
    )
    assert first.exit_code == 0, first.output
    with (out / "results.jsonl").open("a") as f:
        f.write('{"id": "push-01", "status": "ok", "trunc')  # a line cut off by Ctrl-C
    second = runner.invoke(main, ["eval", "run", str(five_cases), "--backend", "fake", "--out", str(out)])
    assert second.exit_code == 0, second.output
    records = _records(out)
    assert list(records) == [c["id"] for c in FIVE_CASES]
    assert all(r["status"] == "ok" for r in records.values())

    other = runner.invoke(main, ["eval", "run", str(five_cases), "--backend", "fake", "--out", str(out), "--k", "2"])
    assert other.exit_code == 2
    assert "other settings" in other.output and "--fresh" in other.output
    fresh = runner.invoke(
        main, ["eval", "run", str(five_cases), "--backend", "fake", "--out", str(out), "--k", "2", "--fresh"]
    )
    assert fresh.exit_code == 0, fresh.output


def test_malformed_dataset_names_the_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "a", "query": "q", "gold": []}\n{"id": "b", "query": 5, "gold": []}\n')
    result = CliRunner().invoke(main, ["eval", "run", str(bad), "--backend", "fake", "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert "error: line 2: case 'b': 'query' must be a string" in result.output
    assert not (tmp_path / "o").exists()


def test_gold_not_in_document_is_warned(tmp_path: Path, settings: Settings) -> None:
    dataset = write_dataset(tmp_path / "set", [{"id": "typo", "query": "budget", "gold": ["$301M Production"]}])
    result = run_eval(settings, RunRequest(dataset, backend="fake", out=tmp_path / "run"))
    assert result.warnings == ["case 'typo' (line 1): gold not in 'bytedance-hollywood': '$301M Production'"]
    assert result.summary["recall_at_k"] == 0.0


@pytest.mark.e2e
def test_cli_with_the_real_embedded_model(five_cases: Path, tmp_path: Path) -> None:
    out = tmp_path / "run"
    dataset = write_dataset(tmp_path / "three", FIVE_CASES[:3])
    result = CliRunner().invoke(main, ["eval", "run", str(dataset), "--out", str(out), "--baseline", "--quiet"])
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "summary.json").read_text())
    assert summary["backend"] == "embedded" and summary["model"].endswith(".gguf")
    assert summary["cases_ok"] == 3
    assert summary["quote_faithfulness"] == 1.0
    assert summary["ttft_p50_s"] is not None and summary["tokens_per_s"] is not None
    assert summary["baseline"]["cases_ok"] == 3
    assert summary["baseline"]["tokens_per_s"] is not None
