"""The Teacher tab: unlock with the teacher password, create assignments (the code to give students), see
each assignment's attempts, transcripts and class summary, and download them as CSV and JSON. Layout and
wiring here; handlers (and the server-side password check) in teacher_desk.py.

With no teacher password configured the tab only says teacher features are off and has no events at all.
The unlocked session is a `gr.State` (server-side, per browser tab, expires after `UNLOCK_TTL_S`); the page
is built with no teacher data in it, and every event is private.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import gradio as gr

from app.classroom.limits import MAX_ROUNDS, MAX_TURN_SECONDS, MAX_WORD_LIMIT, MIN_ROUNDS, MIN_WORD_LIMIT
from app.settings import Settings
from app.web.classroom_html import panel_title
from app.web.clients import request_client
from app.web.teacher_desk import DeskView, TeacherDesk
from app.web.text import class_text
from app.web.updates import keep

UNLOCK_TTL_S = 8 * 3600  # a school day; the tab locks itself after that


@dataclass
class TeacherTab:
    """Every component a teacher handler reads or writes."""

    session: Any
    status: Any
    lock_panel: Any
    password: Any
    unlock: Any
    desk_panel: Any
    lock: Any
    doc: Any
    side: Any
    rounds: Any
    words: Any
    seconds: Any
    thesis: Any
    create: Any
    created: Any
    assignment: Any
    refresh: Any
    csv: Any
    json: Any
    attempts: Any
    summary: Any
    pick: Any
    transcript: Any

    def outputs(self) -> list[Any]:
        return [
            self.status, self.lock_panel, self.desk_panel, self.password, self.created, self.assignment,
            self.attempts, self.summary, self.pick, self.transcript, self.csv, self.json, self.doc,
        ]  # fmt: skip

    @staticmethod
    def show(view: DeskView) -> tuple[Any, ...]:
        return (
            keep(view.status),
            keep(view.unlocked, lambda on: gr.update(visible=not on)),
            keep(view.unlocked, lambda on: gr.update(visible=on)),
            keep(view.password),
            keep(view.created),
            _assignment_update(view),
            keep(view.attempts),
            keep(view.summary),
            keep(view.transcripts, lambda picks: gr.update(choices=picks, value=None)),
            keep(view.transcript),
            _download(view, view.csv),
            _download(view, view.json),
            keep(view.documents, lambda docs: gr.update(choices=docs)),
        )


def _assignment_update(view: DeskView) -> Any:
    if view.assignments is not None:
        return gr.update(choices=view.assignments, value=view.selected)
    return gr.skip() if view.selected is None else gr.update(value=view.selected)


def _download(view: DeskView, path: Any) -> Any:
    if view.unlocked is False:
        return gr.update(value=None, interactive=False)
    return gr.skip() if path is None else gr.update(value=str(path), interactive=True)


def build_teacher_tab(desk: TeacherDesk, settings: Settings) -> TeacherTab | None:
    """The tab inside the current `gr.Tabs`; None (a notice only) when teacher features are off."""
    with gr.Tab(class_text("tab_teacher"), id="teacher", elem_id="cp-teacher"):
        if not desk.enabled:
            gr.Markdown(class_text("teacher_off"), elem_id="cp-teacher-off")
            return None
        session = gr.State(None, time_to_live=UNLOCK_TTL_S)
        status = gr.HTML(desk.status(class_text("teacher_intro")), elem_id="cp-t-status")
        with gr.Row(equal_height=True, elem_id="cp-t-lock") as lock_panel:
            password = gr.Textbox(
                label=class_text("password_label"), type="password", max_length=200, scale=3, min_width=240,
                elem_id="cp-t-password",
            )  # fmt: skip
            unlock = gr.Button("Unlock", variant="primary", scale=1, min_width=120, elem_id="cp-t-unlock")
        with gr.Column(visible=False, elem_id="cp-t-desk") as desk_panel:
            lock = gr.Button("Lock the teacher view", size="sm", elem_id="cp-t-lockbtn")
            with gr.Row(equal_height=False):
                with gr.Column(scale=2, min_width=300, elem_classes=["cp-cl-card"], elem_id="cp-t-new"):
                    gr.HTML(panel_title("New assignment", "students join with its code"))
                    gr.Markdown(class_text("own_text"), elem_classes=["cp-muted"])
                    doc = gr.Dropdown(
                        desk.room.document_choices(), value=desk.room.usable_doc(desk.room.service.default_doc),
                        label="Essay", elem_id="cp-t-doc",
                    )  # fmt: skip
                    side = gr.Radio(
                        [("Students choose", "choice"), (class_text("side_for"), "for"),
                         (class_text("side_against"), "against")],
                        value="choice", label="Side", elem_id="cp-t-side",
                    )  # fmt: skip
                    defaults = settings.classroom
                    rounds = gr.Slider(MIN_ROUNDS, MAX_ROUNDS, value=defaults.rounds, step=1, label="Rounds",
                                       elem_id="cp-t-rounds")  # fmt: skip
                    words = gr.Slider(MIN_WORD_LIMIT, MAX_WORD_LIMIT, value=defaults.word_limit, step=10,
                                      label="Word limit", elem_id="cp-t-words")  # fmt: skip
                    seconds = gr.Number(
                        value=defaults.turn_seconds, minimum=0, maximum=MAX_TURN_SECONDS, precision=0,
                        label="Seconds a turn (0 = no timer)", elem_id="cp-t-seconds",
                    )  # fmt: skip
                    thesis = gr.Textbox(label="Thesis shown to students (optional)", max_length=300,
                                        elem_id="cp-t-thesis")  # fmt: skip
                    create = gr.Button("Create assignment", variant="primary", elem_id="cp-t-create")
                    created = gr.HTML(elem_id="cp-t-created")
                with gr.Column(scale=5, min_width=340, elem_id="cp-t-view"):
                    with gr.Row(equal_height=True):
                        assignment = gr.Dropdown(
                            [], value=None, label="Assignment", scale=4, min_width=220, elem_id="cp-t-assignment"
                        )
                        refresh = gr.Button("↻ Refresh", size="md", scale=1, min_width=110, elem_id="cp-t-refresh")
                    with gr.Row(elem_id="cp-t-downloads"):
                        csv = gr.DownloadButton("⤓ Attempts .csv", size="sm", interactive=False, elem_id="cp-t-csv")
                        json = gr.DownloadButton("⤓ Everything .json", size="sm", interactive=False,
                                                 elem_id="cp-t-json")  # fmt: skip
                    gr.HTML(panel_title("Attempts", "scores per criterion, 0–3"))
                    attempts = gr.HTML(elem_id="cp-t-attempts")
                    gr.HTML(panel_title("Class summary", "which parts of the essay the class used"))
                    summary = gr.HTML(elem_id="cp-t-summary")
                    gr.HTML(panel_title("Transcript", "one attempt with its citations and scorecard"))
                    pick = gr.Dropdown([], value=None, label="Attempt", elem_id="cp-t-pick")
                    transcript = gr.HTML(elem_id="cp-t-transcript")
    return TeacherTab(
        session=session, status=status, lock_panel=lock_panel, password=password, unlock=unlock,
        desk_panel=desk_panel, lock=lock, doc=doc, side=side, rounds=rounds, words=words, seconds=seconds,
        thesis=thesis, create=create, created=created, assignment=assignment, refresh=refresh, csv=csv, json=json,
        attempts=attempts, summary=summary, pick=pick, transcript=transcript,
    )  # fmt: skip


def wire_teacher(desk: TeacherDesk, tab: TeacherTab) -> None:
    """Connect the tab's events (all private); each handler checks the session on the server."""
    out = tab.outputs()
    quiet: dict[str, Any] = {"api_visibility": "private", "show_progress": "hidden", "concurrency_limit": None}

    def teacher_unlock(password: str, request: gr.Request) -> tuple[Any, ...]:
        session, view = desk.unlock(password, request_client(request, desk.trusted_proxies))
        return (session, *TeacherTab.show(view))

    def teacher_lock() -> tuple[Any, ...]:
        session, view = desk.lock()
        return (session, *TeacherTab.show(view))

    def teacher_create(
        session: Any, doc: str, side: str, rounds: float, words: float, seconds: float, thesis: str
    ) -> tuple[Any, ...]:
        return TeacherTab.show(desk.create(session, doc, side, rounds, words, seconds, thesis))

    def teacher_show(session: Any, code: str | None) -> tuple[Any, ...]:
        return TeacherTab.show(desk.show(session, code))

    def teacher_transcript(session: Any, code: str | None, attempt: Any) -> tuple[Any, ...]:
        return TeacherTab.show(desk.transcript(session, code, attempt))

    gr.on([tab.unlock.click, tab.password.submit], teacher_unlock, [tab.password], [tab.session, *out], **quiet)
    tab.lock.click(teacher_lock, None, [tab.session, *out], **quiet)
    tab.create.click(
        teacher_create, [tab.session, tab.doc, tab.side, tab.rounds, tab.words, tab.seconds, tab.thesis], out, **quiet
    )
    gr.on([tab.assignment.input, tab.refresh.click], teacher_show, [tab.session, tab.assignment], out, **quiet)
    tab.pick.input(teacher_transcript, [tab.session, tab.assignment, tab.pick], out, **quiet)
