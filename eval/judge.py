"""Optional LLM-judge grades (faithfulness, challenge quality, stance), only when a judge is configured.

Judge numbers are opinions of another model: they are reported under `judge` in the summary, never
mixed into the deterministic metrics, and a judge failure only marks that grade as missing.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

from eval import prompt_files
from eval.metrics import mean
from eval.settings import JudgeSettings

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from eval.dataset import EvalCase

JUDGE_METRICS = ("judge_faithfulness", "judge_challenge_quality", "judge_stance_held")
_OBJECT = re.compile(r"\{.*\}", re.DOTALL)


class Judge:
    """Grades one reply with one call to a chat model; scores 1-5 are mapped to 0-1."""

    def __init__(self, chat_model: BaseChatModel, name: str) -> None:
        self.chat_model = chat_model
        self.name = name

    def grade(self, case: EvalCase, reply: str, passages: list[str]) -> dict[str, Any]:
        prompt = prompt_files.render(
            "judge.md",
            passages="\n\n".join(f"[{i + 1}] {p}" for i, p in enumerate(passages)) or "(none)",
            history="\n".join(f"{h['role']}: {h['content']}" for h in case.history) or "(none)",
            query=case.query,
            reply=reply,
        )
        try:
            raw = str(self.chat_model.invoke(prompt).content)
            return parse_grade(raw)
        except Exception as exc:
            return {"error": f"{type(exc).__name__}: {exc}"}


def parse_grade(raw: str) -> dict[str, Any]:
    """The judge's JSON object as 0-1 scores; raises ValueError when it is not usable."""
    found = _OBJECT.search(raw)
    if found is None:
        raise ValueError(f"no JSON object in the judge's answer: {raw[:120]!r}")
    data = json.loads(found.group(0))
    return {
        "judge_faithfulness": _scale(data["faithfulness"]),
        "judge_challenge_quality": _scale(data["challenge_quality"]),
        "judge_stance_held": 1.0 if data["stance_held"] in (True, "true", "yes") else 0.0,
        "reason": str(data.get("reason", ""))[:300],
    }


def _scale(score: Any) -> float:
    value = min(5.0, max(1.0, float(score)))
    return (value - 1.0) / 4.0


def summarise(grades: list[dict[str, Any]]) -> dict[str, Any]:
    """Mean judge scores over the graded cases, and how many grades failed."""
    usable = [g for g in grades if "error" not in g]
    return {
        **{name: mean(g.get(name) for g in usable) for name in JUDGE_METRICS},
        "graded": len(usable),
        "errors": len(grades) - len(usable),
    }


def make_judge(settings: JudgeSettings, chat_model: BaseChatModel | None = None) -> Judge | None:
    """A judge when one is configured (or given); None otherwise."""
    if chat_model is not None:
        return Judge(chat_model, "given")
    if not settings.base_url:
        return None
    from langchain_openai import ChatOpenAI

    model = ChatOpenAI(
        base_url=settings.base_url,
        api_key=settings.api_key,  # type: ignore[arg-type]
        model=settings.model,
        timeout=settings.timeout_s,
        max_retries=1,
        temperature=0.0,
    )
    return Judge(model, f"{settings.model} at {settings.base_url}")
