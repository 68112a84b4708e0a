"""The Classroom tab: a student joins an assignment (or practises alone), argues a timed round against the
bot, and gets a scorecard with Markdown / JSON downloads. Layout and wiring here; handlers in practice.py.

The round's key lives in the browser (`gr.BrowserState`, encrypted), so a reload continues the round; the
round itself lives in SQLite (ClassroomService), so a server restart does too. Every event is private
(`api_visibility="private"`): the classroom has no public API.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gradio as gr

from app.classroom.limits import MAX_ROUNDS, MAX_TURN_SECONDS, MAX_WORD_LIMIT, MIN_ROUNDS, MIN_WORD_LIMIT
from app.settings import Settings
from app.web.classroom_html import panel_title
from app.web.practice import PracticeDesk, RoundView
from app.web.text import class_text
from app.web.updates import changes, keep

ASSETS = Path(__file__).with_name("assets")
STORAGE_KEY = "counterpoint-classroom"
DRAFT_SAVE_S = 5.0  # how often the draft being typed is saved on the server


def classroom_script() -> str:
    """The turn clock, word counter and Ctrl+Enter (assets/classroom.js)."""
    return (ASSETS / "classroom.js").read_text(encoding="utf-8")


# Scrolls the round panel so the composer's bottom (Submit) is on screen; the header with the thesis stays
# above it on a laptop screen (checked in tests/web/test_classroom_browser.py at 1366×768).
SHOW_COMPOSER = "() => { document.querySelector('#cp-cl-composer')?.scrollIntoView({block: 'end'}); }"


def side_choices() -> list[tuple[str, str]]:
    return [(class_text("side_for"), "for"), (class_text("side_against"), "against")]


@dataclass
class ClassroomTab:
    """Every component a classroom handler reads or writes."""

    token: Any
    status: Any
    lobby: Any
    round: Any
    header: Any
    timer: Any
    chat: Any
    composer: Any
    draft: Any
    submit: Any
    quit: Any
    expire: Any
    finished: Any
    scorecard: Any
    export_md: Any
    export_json: Any
    new_round: Any
    source: Any
    name: Any
    side: Any
    code: Any
    preview: Any
    join: Any
    doc: Any
    rounds: Any
    words: Any
    seconds: Any
    start: Any
    resume_key: Any
    resume: Any
    autosave: Any

    def outputs(self) -> list[Any]:
        return [
            self.token, self.lobby, self.round, self.header, self.timer, self.chat, self.draft, self.submit,
            self.quit, self.composer, self.finished, self.scorecard, self.export_md, self.export_json, self.source,
            self.status, self.resume_key, self.autosave, self.doc,
        ]  # fmt: skip

    @staticmethod
    def show(view: RoundView) -> tuple[Any, ...]:
        """A RoundView as output values, in `outputs()` order (None fields are skipped)."""
        return (
            keep(view.token),
            keep(view.in_round, lambda on: gr.update(visible=not on)),
            keep(view.in_round, lambda on: gr.update(visible=on)),
            keep(view.header),
            keep(view.timer),
            keep(view.chat),
            changes(value=view.draft, interactive=view.can_write),
            keep(view.can_write, lambda on: gr.update(interactive=on)),
            keep(view.can_write, lambda on: gr.update(interactive=on)),
            keep(view.finished, lambda done: gr.update(visible=not done)),
            keep(view.finished, lambda done: gr.update(visible=done)),
            keep(view.scorecard),
            _download(view, view.export_md),
            _download(view, view.export_json),
            keep(view.source),
            keep(view.status),
            keep(view.resume_key),
            keep(view.autosave, lambda on: gr.update(active=on)),
            keep(view.documents, lambda docs: gr.update(choices=docs)),
        )


def _download(view: RoundView, path: Path | None) -> Any:
    if view.finished is None:
        return gr.skip()
    return gr.update(value=str(path) if path else None, interactive=path is not None)


def round_key_state(secret: str) -> Any:
    """The browser's round key (encrypted in localStorage). Create it outside the tabs: a tab's components
    are mounted only once it is opened, and the page load must read the key whatever tab is showing."""
    return gr.BrowserState("", storage_key=STORAGE_KEY, secret=secret)


def build_classroom_tab(desk: PracticeDesk, settings: Settings, token: Any) -> ClassroomTab:
    """The tab, inside the current `gr.Tabs`; `token` is `round_key_state(...)`."""
    defaults = settings.classroom
    with gr.Tab(class_text("tab_classroom"), id="classroom", elem_id="cp-classroom"):
        status = gr.HTML(desk.status(), elem_id="cp-cl-status")
        with gr.Column(elem_id="cp-cl-lobby") as lobby:
            gr.Markdown(class_text("intro"), elem_id="cp-cl-intro")
            with gr.Row(equal_height=True):
                name = gr.Textbox(
                    label=class_text("name_label"), max_length=40, scale=2, min_width=220, elem_id="cp-cl-name"
                )
                side = gr.Radio(
                    side_choices(), value="for", label=class_text("side_label"), scale=3, min_width=260,
                    elem_id="cp-cl-side",
                )  # fmt: skip
            with gr.Row(equal_height=False, elem_id="cp-cl-ways"):
                with gr.Column(min_width=260, elem_classes=["cp-cl-card"], elem_id="cp-cl-join-card"):
                    gr.HTML(panel_title(class_text("join_title"), class_text("join_note")))
                    code = gr.Textbox(
                        label=class_text("code_label"), placeholder="e.g. K7QM2X", max_length=12, elem_id="cp-cl-code"
                    )
                    preview = gr.HTML(elem_id="cp-cl-preview")
                    join = gr.Button("Join", variant="primary", elem_id="cp-cl-join")
                with gr.Column(min_width=260, elem_classes=["cp-cl-card"], elem_id="cp-cl-practice-card"):
                    gr.HTML(panel_title(class_text("practice_title"), class_text("practice_note")))
                    doc = gr.Dropdown(
                        desk.room.document_choices(), value=desk.room.usable_doc(desk.room.service.default_doc),
                        label="Essay", elem_id="cp-cl-doc",
                    )  # fmt: skip
                    rounds = gr.Slider(MIN_ROUNDS, MAX_ROUNDS, value=defaults.rounds, step=1,
                                       label="Rounds (opening … closing)", elem_id="cp-cl-rounds")  # fmt: skip
                    words = gr.Slider(MIN_WORD_LIMIT, MAX_WORD_LIMIT, value=defaults.word_limit, step=10,
                                      label="Word limit a turn", elem_id="cp-cl-words-limit")  # fmt: skip
                    seconds = gr.Number(
                        value=defaults.turn_seconds, minimum=0, maximum=MAX_TURN_SECONDS, precision=0,
                        label="Seconds a turn (0 = no timer)", elem_id="cp-cl-seconds",
                    )  # fmt: skip
                    start = gr.Button("Start practice", variant="secondary", elem_id="cp-cl-start")
                with gr.Column(min_width=260, elem_classes=["cp-cl-card"], elem_id="cp-cl-resume-card"):
                    gr.HTML(panel_title(class_text("resume_title"), class_text("resume_note")))
                    resume_key = gr.Textbox(label=class_text("key_label"), max_length=64, elem_id="cp-cl-key")
                    resume = gr.Button("Continue", elem_id="cp-cl-resume")
        with gr.Row(visible=False, equal_height=False, elem_id="cp-cl-round") as round_panel:
            with gr.Column(scale=3, min_width=340, elem_id="cp-cl-main"):
                header = gr.HTML(elem_id="cp-cl-header")
                chat = gr.Chatbot(
                    elem_id="cp-cl-chat", show_label=False, height="calc(100vh - 520px)", min_height=300,
                    buttons=["copy"], feedback_options=None, sanitize_html=True, allow_tags=False, layout="bubble",
                    placeholder=class_text("chat_placeholder"),
                )  # fmt: skip
                with gr.Column(elem_id="cp-cl-composer") as composer:
                    timer = gr.HTML(elem_id="cp-cl-timer", js_on_load=classroom_script())
                    draft = gr.Textbox(
                        placeholder=class_text("draft_placeholder"), show_label=False, lines=4, max_lines=12,
                        max_length=8000, elem_id="cp-cl-draft",
                    )  # fmt: skip
                    with gr.Row(elem_id="cp-cl-actions"):
                        submit = gr.Button("Submit turn", variant="primary", elem_id="cp-cl-submit")
                        quit_ = gr.Button("Save and leave", size="md", elem_id="cp-cl-quit")
                    expire = gr.Button("Time is up", visible="hidden", elem_id="cp-cl-expire")
                with gr.Column(visible=False, elem_id="cp-cl-finished") as finished:
                    scorecard = gr.HTML(elem_id="cp-cl-scorecard")
                    with gr.Row(elem_id="cp-cl-downloads"):
                        export_md = gr.DownloadButton("⤓ Round .md", size="sm", interactive=False, elem_id="cp-cl-md")
                        export_json = gr.DownloadButton(
                            "⤓ Round .json", size="sm", interactive=False, elem_id="cp-cl-json"
                        )
                        new_round = gr.Button("+ New round", size="sm", elem_id="cp-cl-new")
            with gr.Column(scale=2, min_width=320, elem_id="cp-cl-side-col"):
                gr.HTML(panel_title("Source", "passages Counterpoint cited highlighted"))
                source = gr.HTML(elem_id="cp-cl-source")
        autosave = gr.Timer(DRAFT_SAVE_S, active=False)
    return ClassroomTab(
        token=token, status=status, lobby=lobby, round=round_panel, header=header, timer=timer, chat=chat,
        composer=composer, draft=draft, submit=submit, quit=quit_, expire=expire, finished=finished,
        scorecard=scorecard, export_md=export_md, export_json=export_json, new_round=new_round, source=source,
        name=name, side=side, code=code, preview=preview, join=join, doc=doc, rounds=rounds, words=words,
        seconds=seconds, start=start, resume_key=resume_key, resume=resume, autosave=autosave,
    )  # fmt: skip


def _shown(views: Iterator[RoundView]) -> Iterator[tuple[Any, ...]]:
    for view in views:
        yield ClassroomTab.show(view)


def wire_classroom(demo: gr.Blocks, desk: PracticeDesk, tab: ClassroomTab) -> None:
    """Connect the tab's events (all private) to the desk's handlers."""
    out = tab.outputs()
    quiet: dict[str, Any] = {"api_visibility": "private", "show_progress": "hidden"}
    light: dict[str, Any] = {**quiet, "concurrency_limit": None}
    bot: dict[str, Any] = {**quiet, "concurrency_limit": "default", "concurrency_id": "chat"}

    def classroom_load(token: Any) -> Iterator[tuple[Any, ...]]:
        yield from _shown(desk.load(token))

    def classroom_preview(code: str) -> str:
        return desk.preview(code)

    def classroom_join(code: str, name: str, side: str) -> tuple[Any, ...]:
        return ClassroomTab.show(desk.join(code, name, side))

    def classroom_start(name: str, side: str, doc: str, rounds: float, words: float, seconds: float) -> tuple[Any, ...]:
        return ClassroomTab.show(desk.start(name, side, doc, rounds, words, seconds))

    def classroom_resume(key: str) -> Iterator[tuple[Any, ...]]:
        yield from _shown(desk.resume(key))

    def classroom_submit(token: Any, text: str) -> Iterator[tuple[Any, ...]]:
        yield from _shown(desk.submit(token, text))

    def classroom_expire(token: Any, draft: str) -> Iterator[tuple[Any, ...]]:
        yield from _shown(desk.expire(token, draft))

    def classroom_save_draft(token: Any, draft: str) -> None:
        desk.save_draft(token, draft)

    def classroom_quit_round(token: Any, draft: str) -> tuple[Any, ...]:
        return ClassroomTab.show(desk.quit(token, draft))

    def classroom_new_round() -> tuple[Any, ...]:
        return ClassroomTab.show(desk.new_round())

    # The load runs outside the chat queue: it only streams when a bot turn is owed after a restart (rare),
    # and the embedded backend serialises generations itself.
    demo.load(classroom_load, [tab.token], out, **light)
    tab.code.change(classroom_preview, [tab.code], [tab.preview], trigger_mode="always_last", **light)
    opened = [
        tab.join.click(classroom_join, [tab.code, tab.name, tab.side], out, **light),
        tab.start.click(
            classroom_start, [tab.name, tab.side, tab.doc, tab.rounds, tab.words, tab.seconds], out, **light
        ),
        gr.on([tab.resume.click, tab.resume_key.submit], classroom_resume, [tab.resume_key], out, **bot),
    ]
    for event in opened:  # the clock starts now: the draft box and Submit must be on screen, not below it
        event.then(None, js=SHOW_COMPOSER)
    tab.submit.click(classroom_submit, [tab.token, tab.draft], out, **bot)
    tab.expire.click(classroom_expire, [tab.token, tab.draft], out, **bot)
    tab.quit.click(classroom_quit_round, [tab.token, tab.draft], out, **light)
    tab.new_round.click(classroom_new_round, None, out, **light)
    tab.autosave.tick(classroom_save_draft, [tab.token, tab.draft], None, trigger_mode="always_last", **light)
    tab.draft.blur(classroom_save_draft, [tab.token, tab.draft], None, trigger_mode="always_last", **light)
