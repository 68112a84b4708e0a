"""Eval datasets: JSONL, one case per line, validated up front so a typo fails before a long run.

Fields (exactly these names): `id`, `query`, `mode` (default `challenge`), `gold`, `forbid`, `history`,
`tags`, and `doc` (slug of the document to debate); optional gold for the debate-move metrics: `intent`
(what the user's message is), `stance` (the user's stance on the thesis), `group` (cases that put the same
claim in different modes), `fabricated` (the fabricated quotation in the message) and `turns` (earlier
user messages the runner sends first, feeding each reply back as history). Unknown fields are ignored, so
cases can carry notes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.debate.errors import CounterpointError
from app.debate.prompts import MODES, normalise_mode

ROLES = ("user", "assistant")
INTENTS = ("claim", "question", "agreement", "pushback", "misquote", "off_topic", "injection", "empty")
STANCES = ("for", "against", "unclear")


class DatasetError(CounterpointError):
    """A dataset line that cannot be used; the message names the file and line."""


@dataclass(frozen=True)
class EvalCase:
    """One eval case: a user message, the essay strings that answer it, and what the reply must not say."""

    id: str
    query: str
    gold: tuple[str, ...]
    mode: str = "challenge"
    forbid: tuple[str, ...] = ()
    history: tuple[dict[str, str], ...] = ()
    tags: tuple[str, ...] = ()
    doc: str | None = None
    intent: str | None = None
    stance: str | None = None
    group: str | None = None
    fabricated: str | None = None
    turns: tuple[str, ...] = ()
    line: int = 0
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    def history_list(self) -> list[dict[str, str]]:
        return [dict(turn) for turn in self.history]


def load_dataset(path: Path) -> list[EvalCase]:
    """Every case of a JSONL file, in order. Blank lines are skipped; any bad line raises DatasetError."""
    path = Path(path)
    if not path.is_file():
        raise DatasetError(f"{path}: no such dataset file")
    cases: list[EvalCase] = []
    seen: dict[str, int] = {}
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not raw.strip():
            continue
        case = parse_line(raw, number)
        if case.id in seen:
            raise DatasetError(f"{path.name} line {number}: duplicate id '{case.id}' (first on line {seen[case.id]})")
        seen[case.id] = number
        cases.append(case)
    if not cases:
        raise DatasetError(f"{path}: the dataset has no cases")
    return cases


def parse_line(raw: str, number: int = 0) -> EvalCase:
    """One JSONL line as an EvalCase; errors say `line N: ...`."""
    try:
        obj = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise DatasetError(f"line {number}: not valid JSON ({exc.msg} at column {exc.colno})") from exc
    if not isinstance(obj, dict):
        raise DatasetError(f"line {number}: expected a JSON object, got {type(obj).__name__}")
    try:
        return _case(obj, number)
    except _Invalid as exc:
        raise DatasetError(f"line {number}: {exc}") from None


class _Invalid(ValueError):
    pass


def _case(obj: dict[str, Any], number: int) -> EvalCase:
    case_id = obj.get("id")
    if not isinstance(case_id, str) or not case_id.strip():
        raise _Invalid("'id' must be a non-empty string")
    where = f"case '{case_id}'"
    if not isinstance(obj.get("query"), str):
        raise _Invalid(f"{where}: 'query' must be a string (it may be empty)")
    if "gold" not in obj:
        raise _Invalid(f"{where}: 'gold' is required (use [] when no passage is relevant)")
    doc = obj.get("doc")
    if doc is not None and (not isinstance(doc, str) or not doc.strip()):
        raise _Invalid(f"{where}: 'doc' must be a document slug")
    known = {"id", "query", "mode", "gold", "forbid", "history", "tags", "doc", *MOVE_FIELDS}
    return EvalCase(
        id=case_id,
        query=obj["query"],
        gold=tuple(_strings(obj["gold"], "gold", where, allow_blank=False)),
        mode=_mode(obj.get("mode"), where),
        forbid=tuple(_strings(obj.get("forbid", []), "forbid", where, allow_blank=False)),
        history=tuple(_history(obj.get("history", []), where)),
        tags=tuple(_strings(obj.get("tags", []), "tags", where, allow_blank=False)),
        doc=doc,
        intent=_choice(obj.get("intent"), "intent", INTENTS, where),
        stance=_choice(obj.get("stance"), "stance", STANCES, where),
        group=_text(obj.get("group"), "group", where),
        fabricated=_text(obj.get("fabricated"), "fabricated", where),
        turns=tuple(_strings(obj.get("turns", []), "turns", where, allow_blank=False)),
        line=number,
        extra={k: v for k, v in obj.items() if k not in known},
    )


MOVE_FIELDS = ("intent", "stance", "group", "fabricated", "turns")


def _choice(value: Any, name: str, choices: tuple[str, ...], where: str) -> str | None:
    if value is None:
        return None
    if value not in choices:
        raise _Invalid(f"{where}: unknown {name} {value!r} (choose one of: {', '.join(choices)})")
    return str(value)


def _text(value: Any, name: str, where: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise _Invalid(f"{where}: '{name}' must be a non-empty string")
    return value


def _strings(value: Any, name: str, where: str, allow_blank: bool) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _Invalid(f"{where}: '{name}' must be a list of strings")
    if not allow_blank and any(not v.strip() for v in value):
        raise _Invalid(f"{where}: '{name}' has an empty string")
    return list(value)


def _mode(value: Any, where: str) -> str:
    if value is None:
        return "challenge"
    if not isinstance(value, str):
        raise _Invalid(f"{where}: 'mode' must be a string")
    try:
        return normalise_mode(value)
    except CounterpointError:
        raise _Invalid(f"{where}: unknown mode '{value}' (choose one of: {', '.join(MODES)})") from None


def _history(value: Any, where: str) -> list[dict[str, str]]:
    if not isinstance(value, list):
        raise _Invalid(f"{where}: 'history' must be a list of {{role, content}} objects")
    turns = []
    for i, turn in enumerate(value, start=1):
        if not isinstance(turn, dict) or turn.get("role") not in ROLES or not isinstance(turn.get("content"), str):
            raise _Invalid(f'{where}: history turn {i} must be {{"role": "user"|"assistant", "content": str}}')
        turns.append({"role": turn["role"], "content": turn["content"]})
    return turns
