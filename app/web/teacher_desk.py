"""The Teacher tab's handlers, independent of Gradio components.

Unlocking checks the password (`Teacher(...)` refuses a wrong one) and returns a `TeacherSession`, which
the page keeps in a per-session `gr.State`: on the server, never sent to the browser. Every other handler
takes that session and checks it again (`_teacher`): it must be a session this desk unlocked, and its
password must still be the configured one. A browser that never entered the password has no session, so
calling a teacher event directly (the queue API, by function index) gets the locked view and no data.
"""

from __future__ import annotations

import json
import logging
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.classroom.errors import AccessDenied, ClassroomError
from app.classroom.rounds import RoundFormat
from app.classroom.service import ClassroomService
from app.classroom.store import Assignment
from app.classroom.teacher import PasswordThrottle, Teacher, check_teacher_password
from app.text_safety import clean_strings
from app.web import classroom_html as html
from app.web.clients import Network
from app.web.export import exports_folder
from app.web.room import DebateRoom
from app.web.status import Level, status_html
from app.web.text import class_text
from app.web.turns import friendly_error

log = logging.getLogger("counterpoint.web")


@dataclass
class TeacherSession:
    """An unlocked teacher: lives only in the server's per-session state. `folder` holds its downloads
    (under the data dir's exports, named with a fresh random token)."""

    teacher: Teacher
    password: str = field(repr=False)
    folder: Path | None = None


@dataclass
class DeskView:
    """What a teacher handler wants shown; None leaves that part unchanged."""

    unlocked: bool | None = None
    status: str | None = None
    created: str | None = None
    assignments: list[tuple[str, str]] | None = None
    selected: str | None = None
    attempts: str | None = None
    summary: str | None = None
    transcripts: list[tuple[str, int]] | None = None
    transcript: str | None = None
    csv: Path | None = None
    json: Path | None = None
    password: str | None = None  # clears the password box after an attempt
    documents: list[tuple[str, str]] | None = None  # the essays an assignment can use (uploads included)


class TeacherDesk:
    """Teacher handlers over one classroom service."""

    def __init__(
        self,
        classroom: ClassroomService,
        room: DebateRoom,
        throttle: PasswordThrottle | None = None,
        trusted_proxies: Sequence[Network] = (),
    ) -> None:
        self.classroom = classroom
        self.room = room
        self.throttle = throttle or PasswordThrottle()
        self.trusted_proxies = tuple(trusted_proxies)  # whose X-Forwarded-For names the client (clients.py)

    @property
    def enabled(self) -> bool:
        password = self.classroom.settings.teacher_password
        return bool(password and password.get_secret_value())

    def status(self, message: str, level: Level = "ok") -> str:
        title = self.room.titles().get(self.room.service.default_doc, "")
        return status_html(self.room.service.backend_description(), title, message, level)

    # --- the lock ----------------------------------------------------------------------------------
    def unlock(self, password: str, client: str = "local") -> tuple[TeacherSession | None, DeskView]:
        """Check the password on the server; a session to keep in `gr.State`, or a friendly refusal.

        `client` (the caller's address, from `clients.request_client`) is what the guessing throttle counts
        by, with the account as a whole (see `PasswordThrottle`).
        """
        wait = self.throttle.wait_s(client)
        if wait > 0:
            return None, self.locked(class_text("too_many_tries", seconds=max(1, round(wait))), "error")
        try:
            teacher = Teacher(self.classroom, password)
        except AccessDenied:
            if self.enabled:
                self.throttle.record(client, ok=False)
            key = "wrong_password" if self.enabled else "teacher_disabled"
            return None, self.locked(class_text(key), "error")
        self.throttle.record(client, ok=True)
        session = TeacherSession(teacher, password or "")
        view = self.overview(session, class_text("unlocked"))
        view.unlocked, view.password = True, ""
        return session, view

    def locked(self, message: str = "", level: Level = "ok") -> DeskView:
        """The locked tab: every teacher panel hidden and emptied."""
        return DeskView(
            unlocked=False, status=self.status(message or class_text("locked"), level), created="",
            assignments=[], selected=None, attempts="", summary="", transcripts=[], transcript="", password="",
        )  # fmt: skip

    def lock(self) -> tuple[None, DeskView]:
        return None, self.locked()

    def _teacher(self, session: object) -> TeacherSession:
        """The server-side check behind every teacher action."""
        if not isinstance(session, TeacherSession) or session.teacher.classroom is not self.classroom:
            raise AccessDenied("locked")
        check_teacher_password(self.classroom.settings, session.password)
        return session

    # --- assignments -------------------------------------------------------------------------------
    def choices(self, teacher: Teacher) -> list[tuple[str, str]]:
        titles = self.room.titles()
        out = []
        for a in reversed(teacher.assignments()):
            side = "choice" if a.side == "choice" else a.side
            out.append((f"{a.code} · {titles.get(a.doc, a.doc)} · {side}", a.code))
        return out

    def overview(self, session: object, message: str = "") -> DeskView:
        try:
            teacher = self._teacher(session).teacher
        except AccessDenied:
            return self.locked()
        choices = self.choices(teacher)
        note = message or (class_text("pick_assignment") if choices else class_text("no_assignments"))
        return DeskView(status=self.status(note), assignments=choices, documents=self.room.document_choices())

    def create(
        self, session: object, doc: str, side: str, rounds: float, words: float, seconds: float, thesis: str
    ) -> DeskView:
        """A new assignment; shows its code and opens its (empty) attempts list."""
        try:
            teacher = self._teacher(session).teacher
            fmt = RoundFormat(int(rounds), int(words), int(seconds or 0))
            assignment = teacher.create_assignment(doc=doc or None, side=side or "choice", fmt=fmt, thesis=thesis)
        except AccessDenied:
            return self.locked()
        except ClassroomError as exc:
            return DeskView(status=self.status(str(exc), "error"))
        except Exception as exc:
            return DeskView(status=self.status(friendly_error(exc), "error"))
        view = self.show(session, assignment.code)
        view.created = html.assignment_card(assignment, self._title(assignment))
        view.assignments, view.selected = self.choices(teacher), assignment.code
        view.status = self.status(class_text("created", code=assignment.code))
        return view

    def _title(self, assignment: Assignment) -> str:
        return self.room.titles().get(assignment.doc, assignment.doc)

    # --- attempts ----------------------------------------------------------------------------------
    def show(self, session: object, code: str | None) -> DeskView:
        """An assignment's attempts, the class summary, the transcript picker and fresh CSV / JSON files
        (and the lists of assignments and essays, refreshed)."""
        try:
            held = self._teacher(session)
        except AccessDenied:
            return self.locked()
        view = self.overview(held)
        if not code:
            view.attempts, view.summary, view.transcripts, view.transcript = "", "", [], ""
            return view
        view.selected = code
        teacher = held.teacher
        try:
            rows = teacher.attempts(code)
            summary = teacher.summary(code)
            csv_path, json_path = self._downloads(held, code)
        except ClassroomError as exc:
            view.status = self.status(str(exc), "error")
            return view
        except Exception as exc:
            view.status = self.status(friendly_error(exc), "error")
            return view
        count = f"{len(rows)} attempt{'s' * (len(rows) != 1)}"
        view.status = self.status(class_text("refreshed", attempts=count, code=code))
        view.attempts, view.summary = html.attempts_html(rows, code), html.summary_html(summary)
        view.transcripts = [(f"{r['student']} ({r['side']}) · {r['status']}", int(r["attempt"])) for r in rows]
        view.transcript, view.csv, view.json = "", csv_path, json_path
        return view

    def transcript(self, session: object, code: str | None, attempt_id: Any) -> DeskView:
        try:
            teacher = self._teacher(session).teacher
        except AccessDenied:
            return self.locked()
        if not code or attempt_id in (None, ""):
            return DeskView(transcript="")
        try:
            data = teacher.transcript(code, int(attempt_id))
        except (ClassroomError, ValueError) as exc:
            return DeskView(status=self.status(str(exc), "error"), transcript="")
        return DeskView(transcript=html.transcript_html(data))

    def _downloads(self, held: TeacherSession, code: str) -> tuple[Path, Path]:
        """The assignment as CSV and JSON, written to this teacher session's own temporary folder."""
        data_dir = self.room.service.data_dir
        held.folder = exports_folder(data_dir, held.folder.name if held.folder else f"teacher-{secrets.token_hex(16)}")
        csv_path = held.folder / f"counterpoint-{code}-attempts.csv"
        json_path = held.folder / f"counterpoint-{code}.json"
        csv_path.write_text(held.teacher.export_csv(code), encoding="utf-8-sig")  # BOM: spreadsheets read UTF-8
        data = clean_strings(held.teacher.export_json(code))
        json_path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
        return csv_path, json_path
