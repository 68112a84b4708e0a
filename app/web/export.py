"""Export a debate as Markdown: every message, and under each reply its citations with passage text.

Every download (a debate, a practice round, a teacher's CSV and JSON) is written under the data dir's
`exports/` folder, never the system temp folder, and files there older than `EXPORT_MAX_AGE_S` are
removed (checked at most every `SWEEP_EVERY_S`). Gradio serves the copy it makes in its own cache, which
is in the data dir too and is cleaned by `delete_cache` (see app.py).
"""

from __future__ import annotations

import re
import shutil
import threading
import time
from contextlib import suppress
from pathlib import Path

from app.debate.models import LABEL_NAMES, Reply
from app.debate.moves import describe_moves
from app.text_safety import clean_text
from app.web.sessions import Debate, Turn

EXPORTS = "exports"
EXPORT_MAX_AGE_S = 24 * 3600.0
SWEEP_EVERY_S = 3600.0
_swept: dict[Path, float] = {}
_sweep_lock = threading.Lock()


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
    return clean_text("\n".join(lines).rstrip() + "\n")  # no control or bidi characters, whatever is stored


def _turn(number: int, turn: Turn, titles: dict[str, str]) -> list[str]:
    mode = turn.mode.replace("-", " ")
    lines = [f"## Turn {number} · {mode}", "", f"**You:** {turn.user}", "", f"**Counterpoint:** {turn.text}", ""]
    if turn.notice:
        lines += [f"> Note: {turn.notice}", ""]
    if turn.reply is None:
        return lines
    if turn.reply.moves:
        lines += [f"*Moves: {describe_moves(turn.reply.moves)}*", ""]
    lines += _citations(turn.reply)
    lines += _warnings(turn.reply)
    return lines


def _citations(reply: Reply) -> list[str]:
    passages = {p.id: p for p in reply.passages}
    unique = {(c.marker, c.start, c.end): c for c in reply.citations}
    if not unique:
        return []
    lines = ["### Citations", ""]
    for c in unique.values():
        p = passages.get(c.passage_id)
        if p is None:
            continue
        cited = p.text[c.start - p.start : c.end - p.start] or p.text
        auto = " (auto-attributed)" if c.auto else ""
        lines += [
            f"- **[{c.marker}]** {p.section}{auto} — characters {c.start}–{c.end}",
            f"  - Cited: “{_one_line(cited)}”",
            f"  - Passage: {_one_line(p.text)}",
        ]
    return [*lines, ""]


def _warnings(reply: Reply) -> list[str]:
    lines = [f"- ⚠ Quote not found in the essay: “{q.text}”" for q in reply.flagged_quotes]
    lines += [f"- ! {LABEL_NAMES['unsupported']}: {s.text}" for s in reply.sentences if s.label == "unsupported"]
    return [*lines, ""] if lines else []


def _one_line(text: str) -> str:
    return re.sub(r"\s*\n\s*", " ", text).strip()


def exports_folder(data_dir: Path, name: str) -> Path:
    """`data_dir/exports/<name>`, created; old exports are swept first (at most every `SWEEP_EVERY_S`)."""
    root = data_dir / EXPORTS
    sweep_exports(root)
    folder = root / name
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def sweep_exports(root: Path, max_age_s: float = EXPORT_MAX_AGE_S, force: bool = False) -> int:
    """Remove export folders untouched for `max_age_s`; returns how many went."""
    now = time.time()
    with _sweep_lock:
        if not force and now - _swept.get(root, 0.0) < SWEEP_EVERY_S:
            return 0
        _swept[root] = now
    removed = 0
    with suppress(OSError):
        for folder in root.iterdir():
            with suppress(OSError):
                touched = max([folder.stat().st_mtime, *(f.stat().st_mtime for f in folder.glob("*"))])
                if now - touched > max_age_s:
                    shutil.rmtree(folder) if folder.is_dir() else folder.unlink()
                    removed += 1
    return removed


def write_export(debate: Debate, markdown: str, data_dir: Path) -> Path:
    """Write the export under the data dir (Gradio copies it into its cache to serve it). A page render
    whose transcript has not changed since the last one writes nothing."""
    path = exports_folder(data_dir, debate.id) / "counterpoint-debate.md"
    with suppress(OSError):
        if path.read_text(encoding="utf-8") == markdown:
            return path
    path.write_text(markdown, encoding="utf-8")
    return path
