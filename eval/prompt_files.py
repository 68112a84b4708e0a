"""The eval suite's own prompts (the baseline's and the judge's), one file each in `eval/prompts/`."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, StrictUndefined

from app.debate.errors import CounterpointError

PROMPTS_DIR = Path(__file__).resolve().parent / "prompts"
_env = Environment(undefined=StrictUndefined, keep_trailing_newline=False, autoescape=False)


def render(name: str, **variables: Any) -> str:
    """Render `eval/prompts/<name>`; a missing variable is an error, as for the app's prompts."""
    return _env.from_string(_read(name)).render(**variables).strip()


@cache
def _read(name: str) -> str:
    path = PROMPTS_DIR / name
    if not path.is_file():
        raise CounterpointError(f"prompt file missing: eval/prompts/{name}")
    return path.read_text(encoding="utf-8")
