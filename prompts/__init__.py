"""Counterpoint's prompt files, shipped as package data and read through `importlib.resources`.

Every reader names a file relative to this folder (`"modes/challenge.yaml"`), so the same call works in a
source checkout, an editable install and an installed wheel (`pip install .`, `pipx install`).
"""

from __future__ import annotations

from importlib.resources import files
from importlib.resources.abc import Traversable


def root() -> Traversable:
    """The folder holding every prompt file."""
    return files(__name__)


def path(name: str) -> Traversable:
    """`prompts/<name>`; `name` is slash-separated (`"argument/cues.yaml"`)."""
    here = root()
    for part in name.split("/"):
        if part:
            here = here.joinpath(part)
    return here


def read_text(name: str) -> str:
    """The text of `prompts/<name>` (UTF-8); a missing file raises FileNotFoundError."""
    return path(name).read_text(encoding="utf-8")
