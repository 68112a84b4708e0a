"""The status line: which model and essay are in use, and one friendly message when there is one."""

from __future__ import annotations

from html import escape
from typing import Literal

from app.web.text import ui_text

Level = Literal["ok", "busy", "warn", "error"]


def status_html(backend: str, title: str, message: str = "", level: Level = "ok") -> str:
    """`level` colours the dot: ok (ready), busy (answering), warn (a notice), error (something failed)."""
    text = message or ui_text("ready")
    return (
        f'<div class="cp-status cp-{level}" role="status" aria-live="polite">'
        f'<span class="cp-dot" aria-hidden="true"></span>'
        f'<span class="cp-status-msg">{escape(text)}</span>'
        f'<span class="cp-status-meta">{escape(ui_text("backend", backend=backend))} · '
        f"{escape(ui_text('document', title=title))}</span></div>"
    )
