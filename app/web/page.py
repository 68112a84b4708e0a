"""The page's components and their layout: chat on the left, evidence and source on the right.

`Page.show(view)` turns a room `View` into output values in `Page.outputs()` order, skipping what a
handler left as None (so streamed updates only touch the chat).
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Any

import gradio as gr

from app.debate.prompts import DEFAULT_MODE
from app.settings import Settings
from app.web.room import DebateRoom, View, mode_choices, mode_line
from app.web.sessions import shared_browser_secret
from app.web.text import ui_list, ui_text
from app.web.updates import changes, keep

ASSETS = Path(__file__).with_name("assets")
STORAGE_KEY = "counterpoint-session"
DEBATES_KEY = "counterpoint-debates"  # the ids of this browser's debates, for "Your debates"


def page_script() -> str:
    """Chip clicks → source view, Esc → Stop (assets/counterpoint.js)."""
    return (ASSETS / "counterpoint.js").read_text(encoding="utf-8")


def page_css() -> str:
    """The page's style sheets: the debate room's, then the Classroom and Teacher tabs'."""
    return "\n".join((ASSETS / name).read_text(encoding="utf-8") for name in ("counterpoint.css", "classroom.css"))


@dataclass
class Page:
    """Every component a handler reads or writes."""

    sid: Any
    status: Any
    doc: Any
    upload: Any
    mode: Any
    mode_line: Any
    chat: Any
    message: Any
    send: Any
    stop: Any
    retry: Any
    new: Any
    export: Any
    evidence: Any
    source: Any
    argument: Any = None  # the Argument view, a tab beside the source (argument_view.py)
    paste_title: Any = None  # the "Paste text" box: a title, the text, and its button
    paste_text: Any = None
    paste: Any = None
    tabs: Any = None  # the page's gr.Tabs: re-enter it (`with page.tabs:`) to add tabs after "Debate"
    upload_note: Any = None  # a line under the upload controls: why an upload failed, or what it added
    composer_note: Any = None  # a line under the message box: why a message was not sent
    undo: Any = None  # "Undo new debate", shown right after New debate
    previous: Any = None  # gr.State: the debate New debate left
    original: Any = None  # the document's original file, to download
    known: Any = None  # gr.BrowserState: this browser's debate ids
    debates: Any = None  # "Your debates": the picker, Open and Delete
    open_debate: Any = None
    delete_debate: Any = None
    debates_box: Any = None

    def outputs(self) -> list[Any]:
        return [
            self.sid, self.chat, self.doc, self.mode, self.mode_line, self.evidence, self.source,
            self.status, self.export, self.message, self.send, self.stop, self.argument,
            self.upload_note, self.composer_note, self.undo, self.previous, self.original,
        ]  # fmt: skip

    @staticmethod
    def show(view: View) -> tuple[Any, ...]:
        """A View as output values, in `outputs()` order."""
        return (
            keep(view.session_id),
            _chat_update(view),
            changes(choices=view.documents, value=view.doc),
            keep(view.mode),
            keep(view.mode_line),
            keep(view.evidence),
            keep(view.source),
            keep(view.status),
            _export_update(view),
            keep(view.message),
            keep(view.answering, lambda busy: gr.update(visible=not busy)),
            keep(view.answering, lambda busy: gr.update(visible=busy)),
            keep(view.argument),
            keep(view.upload_note),
            keep(view.composer_note),
            keep(view.undo, lambda left: gr.update(visible=bool(left))),
            keep(view.undo),
            _original_update(view),
        )


def _chat_update(view: View) -> Any:
    """The chat messages, and the example claims for the document when the view has them."""
    if view.examples is None:
        return keep(view.chat)
    examples = [{"text": text} for text in view.examples]
    return gr.update(examples=examples) if view.chat is None else gr.update(value=view.chat, examples=examples)


def _original_update(view: View) -> Any:
    if view.has_original is None:
        return gr.skip()
    return gr.update(value=str(view.original) if view.original else None, visible=view.has_original)


def _export_update(view: View) -> Any:
    if view.exportable is None:
        return gr.skip()
    return gr.update(value=str(view.export) if view.export else None, interactive=view.exportable)


def build_page(room: DebateRoom, settings: Settings) -> Page:
    """Create the components inside the current `gr.Blocks`: the header, then the tabs, "Debate" first."""
    secret = shared_browser_secret(room.sessions)
    sid = gr.BrowserState(None, storage_key=STORAGE_KEY, secret=secret)
    known = gr.BrowserState([], storage_key=DEBATES_KEY, secret=secret)
    with gr.Row(elem_id="cp-header", equal_height=True):
        gr.HTML(_brand(), scale=3, min_width=300)
        status = gr.HTML(elem_id="cp-status-line", scale=4, min_width=300)
    with (
        gr.Tabs(elem_id="cp-tabs") as tabs,
        gr.Tab("Debate", id="debate", elem_id="cp-debate"),
        gr.Row(elem_id="cp-main", equal_height=False),
    ):
        with gr.Column(scale=3, min_width=340, elem_id="cp-chat-col"):
            chat_parts = _chat_column(room, settings)
        with gr.Column(scale=2, min_width=320, elem_id="cp-side"):
            gr.HTML(_panel_title("Evidence", "what backs the latest reply"))
            evidence = gr.HTML(elem_id="cp-evidence")
            with gr.Tabs(elem_id="cp-side-tabs", selected="source"):
                with gr.Tab("Source", id="source", elem_id="cp-tab-source", render_children=True):
                    gr.HTML(_panel_title("Source", "the essay, cited passages highlighted"))
                    source = gr.HTML(elem_id="cp-source", js_on_load=page_script())
                with gr.Tab("Argument", id="argument", elem_id="cp-tab-argument", render_children=True):
                    gr.HTML(_panel_title("Argument", "thesis, claims, reasons; click one to see it in the essay"))
                    argument = gr.HTML(elem_id="cp-argument")
    return Page(
        sid=sid, known=known, status=status, evidence=evidence, source=source, argument=argument, tabs=tabs,
        **chat_parts,
    )  # fmt: skip


def _chat_column(room: DebateRoom, settings: Settings) -> dict[str, Any]:
    with gr.Row(elem_id="cp-controls", equal_height=True):
        doc = gr.Dropdown(
            choices=room.document_choices(), value=room.usable_doc(room.service.default_doc), label="Essay",
            show_label=False, container=False, scale=4, min_width=180, elem_id="cp-doc",
        )  # fmt: skip
        upload = gr.UploadButton(
            "⇪ Upload", file_types=[".txt", ".md", ".pdf", ".docx", ".html", ".htm"], size="md", scale=1,
            min_width=120, elem_id="cp-upload",
        )  # fmt: skip
    with gr.Accordion("Paste text", open=False, elem_id="cp-paste-box"):
        paste_title = gr.Textbox(label="Title", max_lines=1, max_length=120, elem_id="cp-paste-title")
        paste_text = gr.Textbox(
            label="Text", lines=6, max_length=settings.max_upload_bytes, elem_id="cp-paste-text",
            placeholder="Paste an article or essay copied from a browser, an e-mail or a document",
        )  # fmt: skip
        paste = gr.Button("Add pasted text", size="sm", elem_id="cp-paste")
    upload_note = gr.HTML(elem_id="cp-upload-note")
    with gr.Accordion("Your debates", open=False, elem_id="cp-debates") as debates_box:
        debates = gr.Dropdown(
            choices=[], label="Debates saved from this browser (latest first)", info=ui_text("debates_none"),
            elem_id="cp-debate-pick",
        )  # fmt: skip
        with gr.Row():
            open_debate = gr.Button("Open", size="sm", elem_id="cp-debate-open")
            delete_debate = gr.Button("Delete", size="sm", variant="stop", elem_id="cp-debate-delete")
    mode = gr.Radio(
        choices=mode_choices(), value=DEFAULT_MODE, label="Mode", show_label=False, container=False,
        elem_id="cp-mode",
    )  # fmt: skip
    mode_info = gr.Markdown(mode_line(DEFAULT_MODE), elem_id="cp-mode-line")
    chat = gr.Chatbot(
        elem_id="cp-chat", show_label=False, height="calc(100vh - 420px)", min_height=320, buttons=["copy"],
        feedback_options=None, sanitize_html=True, allow_tags=False, layout="bubble",
        placeholder=ui_text("chat_placeholder"), examples=[{"text": t} for t in ui_list("examples_generic")],
    )  # fmt: skip
    with gr.Column(elem_id="cp-dock"):  # kept in reach at the bottom of the screen (counterpoint.css)
        dock = _dock(settings)
    return {
        "doc": doc, "upload": upload, "paste_title": paste_title, "paste_text": paste_text, "paste": paste,
        "upload_note": upload_note, "debates": debates, "open_debate": open_debate, "delete_debate": delete_debate,
        "debates_box": debates_box, "mode": mode, "mode_line": mode_info, "chat": chat, **dock,
    }  # fmt: skip


def _dock(settings: Settings) -> dict[str, Any]:
    """The message box with its counter, then the actions: Retry, New debate (and its Undo), Export, the
    original file. No `max_length` on the box: the browser would cut a long paste without a word; the
    counter (assets/counterpoint.js) shows the length and the room refuses a message over the limit."""
    with gr.Row(elem_id="cp-composer", equal_height=True):
        message = gr.Textbox(
            placeholder=ui_text("input_placeholder"), show_label=False, lines=1, max_lines=6, autofocus=True,
            scale=5, elem_id="cp-input",
        )  # fmt: skip
        send = gr.Button("Send", variant="primary", scale=0, elem_id="cp-send")
        stop = gr.Button("Stop", variant="stop", scale=0, visible=False, elem_id="cp-stop")
    with gr.Row(elem_id="cp-composer-foot"):
        composer_note = gr.HTML(elem_id="cp-composer-note")
        gr.HTML(_counter(settings.max_message_chars), elem_id="cp-counter-box")
    with gr.Row(elem_id="cp-actions"):
        retry = gr.Button("↻ Retry", size="sm", min_width=96, elem_id="cp-retry")
        new = gr.Button("+ New debate", size="sm", min_width=110, elem_id="cp-new")
        undo = gr.Button("↶ Undo new debate", size="sm", min_width=110, visible=False, elem_id="cp-undo")
        export = gr.DownloadButton("⤓ Export .md", size="sm", min_width=104, interactive=False, elem_id="cp-export")
        original = gr.DownloadButton(
            ui_text("original_download"), size="sm", min_width=104, visible=False, elem_id="cp-original"
        )
    return {
        "message": message, "send": send, "stop": stop, "composer_note": composer_note, "retry": retry,
        "new": new, "undo": undo, "previous": gr.State(""), "export": export, "original": original,
    }  # fmt: skip


def _counter(limit: int) -> str:
    """The message box's live length counter; the page script updates it as one types."""
    text = escape(ui_text("counter", count=0, limit=limit))
    return f'<span id="cp-counter" data-limit="{limit}" aria-live="polite">{text}</span>'


def _brand() -> str:
    return (
        '<div class="cp-brand"><span class="cp-logo" aria-hidden="true">C·</span><div>'
        f"<h1>{escape(ui_text('title'))}</h1><p>{escape(ui_text('tagline'))}</p></div></div>"
    )


def _panel_title(title: str, note: str) -> str:
    return f'<div class="cp-panel-title"><h2>{escape(title)}</h2><span>{escape(note)}</span></div>'
