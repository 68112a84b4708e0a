"""The web UI's own words, from `prompts/web.yaml` and `prompts/web-classroom.yaml` (kept with every other
user-facing text)."""

from __future__ import annotations

from typing import Any

from app.debate.prompts import load_yaml

CLASSROOM_TEXTS = "web-classroom.yaml"


def _texts(name: str = "web.yaml") -> dict[str, Any]:
    return load_yaml(name)


def ui_text(key: str, **values: Any) -> str:
    """One UI string, formatted with `values` (a missing key or value is an error, not a blank)."""
    return str(_texts()[key]).format(**values)


def ui_list(key: str) -> list[str]:
    return [str(item) for item in _texts()[key]]


def class_text(key: str, **values: Any) -> str:
    """One string of the Classroom and Teacher tabs (`prompts/web-classroom.yaml`)."""
    return str(_texts(CLASSROOM_TEXTS)[key]).format(**values)
