"""The published rubric (`prompts/classroom/rubric.yaml`) and the scorecard's shapes.

A `CriterionScore` always says where it came from (`source`), which of the student's words it rests on,
and which passages are behind it, so every number on a scorecard can be checked against the text.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from app.classroom.evidence import PassageRef
from app.classroom.wording import load

CRITERIA = ("claim", "evidence", "reasoning", "rebuttal")
MAX_LEVEL = 3
Source = Literal["text check", "heuristic", "model opinion"]


def rubric() -> dict[str, Any]:
    return load("rubric.yaml")


def level_text(criterion: str, level: int) -> str:
    return str(rubric()["criteria"][criterion]["levels"][level])


def feedback(criterion: str, key: str, **values: Any) -> str:
    """A feedback line from `feedback.yaml`, filled in."""
    return str(load("feedback.yaml")[criterion][key]).format(**values)


def whole(text: str) -> str:
    """A student's sentence as written (whitespace tidied): feedback quotes whole sentences, never a cut."""
    return " ".join(text.split())


def short(text: str, limit: int = 160) -> str:
    """A student's or the essay's words, shortened for a feedback line (never reworded)."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


@dataclass
class CriterionScore:
    """One rubric criterion for one turn. `score` is None when the criterion does not apply (an opening's
    rebuttal)."""

    criterion: str
    score: int | None
    source: Source
    feedback: list[str] = field(default_factory=list)
    student_words: list[str] = field(default_factory=list)
    passages: list[PassageRef] = field(default_factory=list)

    @property
    def level(self) -> str:
        return "" if self.score is None else level_text(self.criterion, self.score)

    def to_json(self) -> dict[str, Any]:
        return {
            "criterion": self.criterion,
            "score": self.score,
            "max": MAX_LEVEL,
            "level": self.level,
            "source": self.source,
            "feedback": self.feedback,
            "student_words": self.student_words,
            "passages": [asdict(p) for p in self.passages],
        }
