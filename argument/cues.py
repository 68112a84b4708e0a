"""Discourse cues from `prompts/argument/cues.yaml`: weighted patterns scored per sentence."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import cache
from importlib.resources.abc import Traversable

import yaml

import prompts

CUES_FILE = prompts.path("argument/cues.yaml")


@dataclass(frozen=True)
class Cue:
    pattern: re.Pattern[str]
    weight: float


@dataclass(frozen=True)
class Cues:
    """Every category's patterns, the thresholds that decide, and the file's hash (part of a map's version)."""

    categories: dict[str, tuple[Cue, ...]]
    thresholds: dict[str, float]
    digest: str

    def score(self, category: str, text: str) -> float:
        """The summed weight of the category's patterns that match `text`."""
        return sum(c.weight for c in self.categories.get(category, ()) if c.pattern.search(text))

    def hits(self, category: str, text: str) -> bool:
        """Whether `text` reaches the category's threshold."""
        return self.score(category, text) >= self.thresholds.get(category, 1.0)


@cache
def load_cues(path: Traversable = CUES_FILE) -> Cues:
    raw = path.read_bytes()
    data = yaml.safe_load(raw)
    thresholds = {k: float(v) for k, v in data.pop("thresholds", {}).items()}
    categories = {
        name: tuple(Cue(_compile(item), float(item["weight"])) for item in items) for name, items in data.items()
    }
    return Cues(categories, thresholds, hashlib.sha256(raw).hexdigest()[:8])


def _compile(item: dict[str, object]) -> re.Pattern[str]:
    return re.compile(str(item["pattern"]), 0 if item.get("case") else re.IGNORECASE)
