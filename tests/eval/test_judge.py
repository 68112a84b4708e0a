"""The optional judge: off unless configured, parsed strictly, reported apart from the metrics."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from langchain_core.language_models.fake_chat_models import FakeListChatModel

from app.settings import Settings
from eval.judge import Judge, make_judge, parse_grade, summarise
from eval.metrics import SUMMARY_METRICS
from eval.session import RunRequest, run_eval
from eval.settings import EvalSettings, JudgeSettings
from tests.eval.conftest import FIVE_CASES, write_dataset

GRADE = '{"faithfulness": 5, "challenge_quality": 3, "stance_held": true, "reason": "cites the text"}'


def test_judge_is_off_unless_configured(monkeypatch: pytest.MonkeyPatch) -> None:
    assert make_judge(JudgeSettings()) is None
    monkeypatch.setenv("COUNTERPOINT_EVAL__JUDGE__BASE_URL", "http://127.0.0.1:9/v1")
    monkeypatch.setenv("COUNTERPOINT_EVAL__JUDGE__MODEL", "judge-model")
    judge = make_judge(EvalSettings().judge)
    assert judge is not None and judge.name == "judge-model at http://127.0.0.1:9/v1"


def test_parse_grade() -> None:
    grade = parse_grade("Sure! " + GRADE + " done")
    assert grade["judge_faithfulness"] == 1.0
    assert grade["judge_challenge_quality"] == 0.5
    assert grade["judge_stance_held"] == 1.0
    assert parse_grade('{"faithfulness": 9, "challenge_quality": 0, "stance_held": false}')["judge_faithfulness"] == 1.0
    with pytest.raises(ValueError, match="no JSON object"):
        parse_grade("I think it is fine.")
    with pytest.raises(KeyError):
        parse_grade('{"faithfulness": 3}')


def test_a_bad_answer_is_a_missing_grade_not_a_crash() -> None:
    from eval.dataset import parse_line

    case = parse_line(json.dumps(FIVE_CASES[0]), 1)
    judge = Judge(FakeListChatModel(responses=["no idea"]), "fake")
    grade = judge.grade(case, "reply", ["passage"])
    assert "error" in grade
    assert summarise([grade, parse_grade(GRADE)]) == {
        "judge_faithfulness": 1.0,
        "judge_challenge_quality": 0.5,
        "judge_stance_held": 1.0,
        "graded": 1,
        "errors": 1,
    }


def test_judge_grades_are_reported_apart(tmp_path: Path, settings: Settings) -> None:
    dataset = write_dataset(tmp_path / "set", FIVE_CASES[:2])
    result = run_eval(
        settings,
        RunRequest(dataset, backend="fake", out=tmp_path / "run"),
        judge_model=FakeListChatModel(responses=[GRADE]),
    )
    summary = result.summary
    assert summary["judge"]["ours"]["graded"] == 2
    assert summary["judge"]["ours"]["judge_faithfulness"] == 1.0
    assert not any(key.startswith("judge_") for key in summary)  # never mixed into the deterministic numbers
    assert set(SUMMARY_METRICS) <= set(summary)
    assert "## LLM judge" in (tmp_path / "run" / "report.md").read_text()
