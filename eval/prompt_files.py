"""The eval suite's own prompts (the baseline's and the judge's), one file each in `eval/prompts/`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from app.debate.prompts import render_file

PROMPTS_DIR = Path(__file__).resolve().parent / "prompts"


def render(name: str, **variables: Any) -> str:
    """Render `eval/prompts/<name>`; a missing variable is an error, as for the app's prompts."""
    return render_file(PROMPTS_DIR, name, **variables)
