"""Load prompt files from `prompts/` by name and render them strictly (a missing variable is an error).

The files are package data of the `prompts` package, read through `importlib.resources`, so an installed
wheel finds them as a source checkout does.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import yaml
from jinja2 import Environment, StrictUndefined, Template

import prompts as prompt_files
from app.debate.errors import CounterpointError

ROOT = Path(__file__).resolve().parents[2]  # the checkout (site-packages when installed): read_file names from here
MODES = ("challenge", "defend", "socratic", "devils-advocate")
DEFAULT_MODE = "challenge"

_env = Environment(undefined=StrictUndefined, keep_trailing_newline=False, autoescape=False)


@dataclass(frozen=True)
class ModeSpec:
    """A debate mode as written in `prompts/modes/<name>.yaml`."""

    name: str
    description: str
    instruction: str
    frame_first: str
    frame_more: str
    frame_agree: str
    piece_ask: str
    questions: tuple[str, ...]
    frame_concession: str = ""  # used by modes that turn the author's own concessions against the thesis


def render(name: str, **variables: Any) -> str:
    """Render `prompts/<name>` with Jinja2; raises on any undefined variable."""
    return _compiled(_read(name)).render(**variables).strip()


def render_file(folder: Path, name: str, **variables: Any) -> str:
    """Render `<folder>/<name>` strictly (the eval suite keeps its own prompts in `eval/prompts/`)."""
    return _compiled(read_file(folder, name)).render(**variables).strip()


@cache
def _read(name: str) -> str:
    """`prompts/<name>` from the `prompts` package (slash-separated name); a missing one is a clear error."""
    file = prompt_files.path(name)
    if not file.is_file():
        raise CounterpointError(f"prompt file missing: prompts/{name}")
    return file.read_text(encoding="utf-8")


@cache
def read_file(folder: Path, name: str) -> str:
    """A prompt file's text; a missing one is named relative to the project root."""
    path = folder / name
    if not path.is_file():
        shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
        raise CounterpointError(f"prompt file missing: {shown}")
    return path.read_text(encoding="utf-8")


def render_string(template: str, **variables: Any) -> str:
    """Render a template string from a prompt file (strict, like `render`)."""
    return _compiled(template).render(**variables).strip()


@lru_cache(maxsize=256)
def _compiled(template: str) -> Template:
    """Compiling costs ~1 ms a template; every turn renders several."""
    return _env.from_string(template)


@cache
def load_yaml(name: str) -> dict[str, Any]:
    """A YAML prompt file, parsed."""
    return dict(yaml.safe_load(_read(name)))


@cache
def messages() -> dict[str, str]:
    """Fixed user-facing replies (`prompts/messages.yaml`)."""
    return dict(yaml.safe_load(_read("messages.yaml")))


def normalise_mode(mode: str | None) -> str:
    """Accept `devil's advocate`, `Devils_Advocate`, etc.; refuse unknown modes clearly."""
    key = (mode or DEFAULT_MODE).strip().lower().replace("'", "").replace("_", "-").replace(" ", "-")
    if key not in MODES:
        raise CounterpointError(f"unknown mode '{mode}' (choose one of: {', '.join(MODES)})")
    return key


@cache
def mode_spec(mode: str) -> ModeSpec:
    data = yaml.safe_load(_read(f"modes/{normalise_mode(mode)}.yaml"))
    data["questions"] = tuple(data["questions"])
    return ModeSpec(**data)
