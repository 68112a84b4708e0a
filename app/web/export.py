"""Export a debate as Markdown: every message, and under each reply its citations with passage text."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path
from typing import Any

from app.debate.models import LABEL_NAMES
from app.web.sessions import Debate, Turn


def debate_markdown(debate: Debate, titles: dict[str, str], backend: str) -> str:
    """The whole debate as a Markdown document (what the Export button downloads)."""
    title = titles.get(debate.doc, debate.doc)
    lines = [
        f"# Debate: {title}",
        "",
        f"Exported from Counterpoint · started {debate.created} · model: {backend}",
        "",
    ]
    for number, turn in enumerate(debate.turns, 1):
        lines += _turn(number, turn, titles)
    if not debate.turns:
        lines.append("_No messages yet._")
    return "\n".join(lines).rstrip() + "\n"


def _turn(number: int, turn: Turn, titles: dict[str, str]) -> list[str]:
    mode = turn.mode.replace("-", " ")
    lines = [f"## Turn {number} · {mode}", "", f"**You:** {turn.user}", "", f"**Counterpoint:** {turn.text}", ""]
    if turn.notice:
        lines += [f"> Note: {turn.notice}", ""]
    reply = turn.reply or {}
    lines += _citations(reply)
    lines += _warnings(reply)
    return lines


def _citations(reply: dict[str, Any]) -> list[str]:
    passages = {p["id"]: p for p in reply.get("passages", [])}
    unique = {(c["marker"], c["start"], c["end"]): c for c in reply.get("citations", [])}
    if not unique:
        return []
    lines = ["### Citations", ""]
    for c in unique.values():
        p = passages.get(c["passage_id"])
        if p is None:
            continue
        cited = p["text"][c["start"] - p["start"] : c["end"] - p["start"]] or p["text"]
        auto = " (auto-attributed)" if c.get("auto") else ""
        lines += [
            f"- **[{c['marker']}]** {p['section']}{auto} — characters {c['start']}–{c['end']}",
            f"  - Cited: “{_one_line(cited)}”",
            f"  - Passage: {_one_line(p['text'])}",
        ]
    return [*lines, ""]


def _warnings(reply: dict[str, Any]) -> list[str]:
    lines = [f"- ⚠ Quote not found in the essay: “{q['text']}”" for q in reply.get("quotes", {}).get("flagged", [])]
    lines += [
        f"- ! {LABEL_NAMES['unsupported']}: {s['text']}"
        for s in reply.get("sentences", [])
        if s["label"] == "unsupported"
    ]
    return [*lines, ""] if lines else []


def _one_line(text: str) -> str:
    return re.sub(r"\s*\n\s*", " ", text).strip()


def write_export(debate: Debate, markdown: str) -> Path:
    """Write the export where Gradio may serve it from (the temp dir), named for the download."""
    folder = Path(tempfile.gettempdir()) / "counterpoint-exports" / debate.id
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "counterpoint-debate.md"
    path.write_text(markdown, encoding="utf-8")
    return path
