"""The status line: which model and essay are in use, and one friendly message when there is one.

Students see what kind of model answers ("offline model", or the endpoint's model name); the technical
description (the model file, the endpoint's address) is in a details line for whoever runs the server.
"""

from __future__ import annotations

from html import escape
from typing import Literal

from app.web.text import ui_text

Level = Literal["ok", "busy", "warn", "error"]


def model_name(backend: str) -> tuple[str, str]:
    """(what students see, the details) for a backend description such as `embedded · smollm2.gguf` or
    `openai · gpt-4o-mini at http://…` (app.debate.backends.describe)."""
    kind, _, details = backend.partition(" · ")
    if kind == "embedded":
        return ui_text("offline_model"), details
    if kind == "openai":
        return details.split(" at ", 1)[0], details
    return backend, ""


def status_html(backend: str, title: str, message: str = "", level: Level = "ok") -> str:
    """`level` colours the dot: ok (ready), busy (answering), warn (a notice), error (something failed)."""
    text = message or ui_text("ready")
    name, details = model_name(backend)
    more = (
        f'<details class="cp-status-details"><summary>details</summary>'
        f"{escape(ui_text('model_details', details=details))}</details>"
        if details
        else ""
    )
    return (
        f'<div class="cp-status cp-{level}" role="status" aria-live="polite">'
        f'<span class="cp-dot" aria-hidden="true"></span>'
        f'<span class="cp-status-msg">{escape(text)}</span>'
        f'<span class="cp-status-meta">{escape(ui_text("backend", backend=name))} · '
        f"{escape(ui_text('document', title=title))}{more}</span></div>"
    )


def note_html(message: str, level: Level = "ok") -> str:
    """A one-line note beside the control it is about (an upload, the message box)."""
    role = "alert" if level == "error" else "status"
    return f'<p class="cp-note cp-note-{level}" role="{role}">{escape(message)}</p>' if message else ""
