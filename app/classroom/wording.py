"""The classroom's prompt files (`prompts/classroom/*`), loaded by name through the one prompt loader."""

from __future__ import annotations

from typing import Any

from app.debate import prompts


def load(name: str) -> dict[str, Any]:
    """`prompts/classroom/<name>` (YAML) as a dict; a missing file is a clear error."""
    return prompts.load_yaml(f"classroom/{name}")


def rounds_text(key: str) -> Any:
    """A piece of round wording from `rounds.yaml`."""
    return load("rounds.yaml")[key]
