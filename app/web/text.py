"""The web UI's own words, from `prompts/web.yaml` (kept with every other user-facing text)."""

from __future__ import annotations

from functools import cache
from typing import Any

import yaml

from app.debate.errors import CounterpointError
from app.debate.prompts import PROMPTS_DIR


@cache
def _texts() -> dict[str, Any]:
    path = PROMPTS_DIR / "web.yaml"
    if not path.is_file():
        raise CounterpointError("prompt file missing: prompts/web.yaml")
    return dict(yaml.safe_load(path.read_text(encoding="utf-8")))


def ui_text(key: str, **values: Any) -> str:
    """One UI string, formatted with `values` (a missing key or value is an error, not a blank)."""
    return str(_texts()[key]).format(**values)


def ui_list(key: str) -> list[str]:
    return [str(item) for item in _texts()[key]]
