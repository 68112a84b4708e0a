"""Build the Counterpoint page: `create_app(service, settings)` returns a `gr.Blocks` without serving it.

Chat with streamed replies and citation chips, evidence and source view, document picker with upload,
mode selector, status line, Stop / Retry / New debate / Export (layout in page.py, handlers in room.py);
then the Classroom tab (practice rounds: classroom_tab.py, practice.py) and the Teacher tab (behind the
teacher password: teacher_tab.py, teacher_desk.py). The documented API is `/chat` (streams), `/documents`
and `/transcript`; the page's own events, the classroom's and the teacher's included, are private. Look
and limits are launch arguments in Gradio 6: pass `**launch_options(settings)`.
"""

# No `from __future__ import annotations` here: gr.api() reads the endpoint functions' type hints.

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import gradio as gr

from app.classroom.service import ClassroomService
from app.debate.prompts import DEFAULT_MODE
from app.debate.service import DebateService
from app.settings import Settings
from app.web.classroom_tab import build_classroom_tab, round_key_state, wire_classroom
from app.web.clients import distrust_forwarded_headers, trusted_networks
from app.web.export import EXPORTS
from app.web.limits import BodySizeLimit, LoginThrottle
from app.web.page import Page, build_page, page_css
from app.web.practice import PracticeDesk
from app.web.room import APIError, DebateRoom, View
from app.web.sessions import SessionStore, shared_browser_secret
from app.web.teacher_desk import TeacherDesk
from app.web.teacher_tab import build_teacher_tab, wire_teacher
from app.web.upload import browser_size_limit
from app.wiring import make_classroom, open_state_store

CACHE_CLEANUP = (3600, 86400)  # Gradio's delete_cache: every hour, files older than a day
FOCUS_INPUT = "() => { document.querySelector('#cp-input textarea')?.focus(); }"


def theme() -> gr.themes.Base:
    """Soft indigo, with the fonts Gradio ships (nothing is fetched from the internet)."""
    return gr.themes.Soft(
        primary_hue="indigo",
        secondary_hue="amber",
        neutral_hue="slate",
        font=[gr.themes.LocalFont("IBM Plex Sans"), "ui-sans-serif", "system-ui", "sans-serif"],
        font_mono=[gr.themes.LocalFont("IBM Plex Mono"), "ui-monospace", "monospace"],
    )


def launch_options(settings: Settings) -> dict[str, Any]:
    """Everything `demo.launch()` needs besides host, port and auth: look, limits, safety.

    Client addresses are the socket peer unless it is a listed proxy (`distrust_forwarded_headers`,
    clients.py); the site login is throttled like the teacher password; exports are served from the data
    dir's `exports/` folder only (export.py)."""
    trusted = trusted_networks(settings.trusted_proxies)
    distrust_forwarded_headers()
    exports = settings.data_dir / EXPORTS
    middleware = [BodySizeLimit.middleware(settings.max_upload_bytes), LoginThrottle.middleware(trusted=trusted)]
    return {
        "theme": theme(),
        "css": page_css(),
        "share": False,
        "ssr_mode": False,
        "show_error": False,
        "max_file_size": browser_size_limit(settings.max_upload_bytes),
        "allowed_paths": [str(exports.resolve())],
        "app_kwargs": {"middleware": middleware},
    }


def use_data_dir_cache(settings: Settings) -> Path:
    """Gradio's upload and file cache in the data dir (`gradio-cache/`), not the system temp folder; set
    before any component exists (each reads it when created). `CACHE_CLEANUP` on the Blocks removes what
    it put there: every hour the files older than a day, and all of them when the server stops."""
    folder = (settings.data_dir / "gradio-cache").resolve()
    os.environ["GRADIO_TEMP_DIR"] = str(folder)
    return folder


def create_app(service: DebateService, settings: Settings, classroom: ClassroomService | None = None) -> gr.Blocks:
    """The whole page over one debate service; serve with `demo.queue(...).launch(**launch_options(...))`.

    `classroom` defaults to a ClassroomService over the same service and the same state database."""
    use_data_dir_cache(settings)
    state = open_state_store(settings)
    room = DebateRoom(service, SessionStore(settings.data_dir / "sessions", state))
    classroom = classroom or make_classroom(settings, service, state)
    trusted = trusted_networks(settings.trusted_proxies)
    practice, teaching = PracticeDesk(classroom, room), TeacherDesk(classroom, room, trusted_proxies=trusted)
    with gr.Blocks(title="Counterpoint", analytics_enabled=False, delete_cache=CACHE_CLEANUP) as demo:
        page = build_page(room, settings)
        round_key = round_key_state(shared_browser_secret(room.sessions))
        with page.tabs:
            student_tab = build_classroom_tab(practice, settings, round_key)
            teacher_tab = build_teacher_tab(teaching, settings)
        _wire(demo, room, page)
        wire_classroom(demo, practice, student_tab)
        if teacher_tab is not None:
            wire_teacher(teaching, teacher_tab)
        _api(room)
    return demo


def _streamed(views: Iterator[View]) -> Iterator[tuple[Any, ...]]:
    for view in views:
        yield Page.show(view)


def _wire(demo: gr.Blocks, room: DebateRoom, page: Page) -> None:
    """Connect the page's events to the room's handlers (all private: the API is `_api`)."""
    out = page.outputs()
    quiet: dict[str, Any] = {"api_visibility": "private", "show_progress": "hidden"}
    chat_queue: dict[str, Any] = {**quiet, "concurrency_limit": "default", "concurrency_id": "chat"}

    def load(sid: Any) -> tuple[Any, ...]:
        return Page.show(room.load(sid))

    def send(message: str, mode: str, doc: str, sid: Any) -> Iterator[tuple[Any, ...]]:
        yield from _streamed(room.send(message, mode, doc, sid))

    def example(evt: gr.SelectData, mode: str, doc: str, sid: Any) -> Iterator[tuple[Any, ...]]:
        yield from _streamed(room.send(str(evt.value.get("text", "")), mode, doc, sid))

    def retry(mode: str, doc: str, sid: Any) -> Iterator[tuple[Any, ...]]:
        yield from _streamed(room.retry(mode, doc, sid))

    def stop(sid: Any) -> tuple[Any, ...]:
        return Page.show(room.stop(sid))

    def new(doc: str, mode: str, sid: Any) -> tuple[Any, ...]:
        return Page.show(room.new_debate(doc, mode, sid))

    def switch_doc(doc: str, mode: str, sid: Any) -> tuple[Any, ...]:
        return Page.show(room.switch_doc(doc, mode, sid))

    def switch_mode(mode: str, sid: Any) -> tuple[Any, ...]:
        return Page.show(room.switch_mode(mode, sid))

    def upload(path: str | None, mode: str, sid: Any, progress: gr.Progress = gr.Progress()) -> tuple[Any, ...]:  # noqa: B008
        return Page.show(room.upload(path, mode, sid, progress))

    def paste(text: str, title: str, mode: str, sid: Any, progress: gr.Progress = gr.Progress()) -> tuple[Any, ...]:  # noqa: B008
        return Page.show(room.paste(text, title, mode, sid, progress))

    demo.load(load, [page.sid], out, **quiet)
    sending = gr.on(
        [page.message.submit, page.send.click], send, [page.message, page.mode, page.doc, page.sid], out, **chat_queue
    )
    picked = page.chat.example_select(example, [page.mode, page.doc, page.sid], out, **chat_queue)
    retrying = page.retry.click(retry, [page.mode, page.doc, page.sid], out, **chat_queue)
    for event in (sending, picked, retrying):
        event.then(None, js=FOCUS_INPUT, **quiet)
    page.stop.click(stop, [page.sid], out, cancels=[sending, picked, retrying], **quiet)
    renewed = gr.on([page.new.click, page.chat.clear], new, [page.doc, page.mode, page.sid], out, **quiet)
    renewed.then(None, js=FOCUS_INPUT, **quiet)
    page.doc.input(switch_doc, [page.doc, page.mode, page.sid], out, **quiet)
    page.mode.input(switch_mode, [page.mode, page.sid], out, **quiet)
    page.upload.upload(
        upload, [page.upload, page.mode, page.sid], out, api_visibility="private", show_progress="full",
        show_progress_on=[page.source], concurrency_limit=1, concurrency_id="upload",
    )  # fmt: skip
    page.paste.click(
        paste, [page.paste_text, page.paste_title, page.mode, page.sid], out, api_visibility="private",
        show_progress="full", show_progress_on=[page.source], concurrency_limit=1, concurrency_id="upload",
    )  # fmt: skip
    _wire_debates(demo, room, page)


def _wire_debates(demo: gr.Blocks, room: DebateRoom, page: Page) -> None:
    """The list of this browser's debates (to reopen or delete them) and Undo after New debate."""
    out = page.outputs()
    quiet: dict[str, Any] = {"api_visibility": "private", "show_progress": "hidden"}
    listing = [page.known, page.debates]

    def listed(sid: Any, known: Any) -> tuple[Any, Any]:
        ids = room.remember(sid, known)
        return ids, gr.update(choices=room.debate_choices(ids), value=None)

    def open_debate(chosen: Any, sid: Any) -> tuple[Any, ...]:
        return Page.show(room.open_debate(chosen, sid))

    def delete_debate(chosen: Any, doc: str, mode: str, sid: Any) -> tuple[Any, ...]:
        return Page.show(room.delete_debate(chosen, doc, mode, sid))

    def undo(previous: Any, sid: Any) -> tuple[Any, ...]:
        return Page.show(room.undo_new(previous, sid))

    demo.load(listed, [page.sid, page.known], listing, **quiet)
    gr.on([page.sid.change, page.debates_box.expand], listed, [page.sid, page.known], listing, **quiet)
    page.open_debate.click(open_debate, [page.debates, page.sid], out, **quiet)
    deleting = page.delete_debate.click(delete_debate, [page.debates, page.doc, page.mode, page.sid], out, **quiet)
    deleting.then(listed, [page.sid, page.known], listing, **quiet)
    page.undo.click(undo, [page.previous, page.sid], out, **quiet)


def _api(room: DebateRoom) -> None:
    """The documented API: `/chat` (streams), `/documents`, `/transcript`."""

    def chat(message: str, mode: str = DEFAULT_MODE, doc: str = "", session_id: str = "") -> Iterator[dict]:
        """One debate turn. Streams {"session_id", "text", "done": false}; the last item has "done": true,
        "reply" (the verified reply: citations, quotes, sentences, passages) and "notice"."""
        try:
            yield from room.api_chat(message, mode, doc, session_id)
        except APIError as exc:
            raise gr.Error(str(exc)) from exc

    def documents() -> list[dict]:
        """The documents that can be debated: slug, title, passages, sections."""
        return room.api_documents()

    def transcript(session_id: str) -> str:
        """A debate as Markdown (the same text as the page's Export button)."""
        try:
            return room.api_transcript(session_id)
        except APIError as exc:
            raise gr.Error(str(exc)) from exc

    gr.api(chat, api_name="chat", concurrency_limit="default", concurrency_id="chat")
    gr.api(documents, api_name="documents", concurrency_limit=None)
    gr.api(transcript, api_name="transcript", concurrency_limit=None)
