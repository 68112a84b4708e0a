"""The web UI's own words, from `prompts/web.yaml` and `prompts/web-classroom.yaml` (kept with every other
user-facing text)."""

from __future__ import annotations

from functools import cache
from typing import Any

import yaml

from app.debate.errors import CounterpointError
from app.debate.prompts import PROMPTS_DIR

CLASSROOM_TEXTS = "web-classroom.yaml"


@cache
def _texts(name: str = "web.yaml") -> dict[str, Any]:
    path = PROMPTS_DIR / name
    if not path.is_file():
        raise CounterpointError(f"prompt file missing: prompts/{name}")
    return dict(yaml.safe_load(path.read_text(encoding="utf-8")))


def ui_text(key: str, **values: Any) -> str:
    """One UI string, formatted with `values` (a missing key or value is an error, not a blank)."""
    return str(_texts()[key]).format(**values)


def ui_list(key: str) -> list[str]:
    return [str(item) for item in _texts()[key]]


def class_text(key: str, **values: Any) -> str:
    """One string of the Classroom and Teacher tabs (`prompts/web-classroom.yaml`)."""
    return str(_texts(CLASSROOM_TEXTS)[key]).format(**values)
