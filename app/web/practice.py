"""The Classroom tab's handlers: a student's practice round, independent of Gradio components.

Every handler works on the round behind an attempt token (the student's only key, kept in the browser by
`gr.BrowserState`) through `ClassroomService`, which stores each turn in SQLite as it happens, so a
reload, a quit or a server restart continues the round. Handlers return `RoundView`s; a field left as
None leaves that part of the tab unchanged (streamed updates touch only the transcript).
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from app.classroom.errors import AccessDenied, ClassroomError
from app.classroom.rounds import RoundFormat, parse_side
from app.classroom.service import ClassroomService, normalise_code
from app.classroom.store import Attempt
from app.text_safety import clean_strings, clean_text
from app.web import classroom_html as html
from app.web.export import exports_folder
from app.web.room import DebateRoom
from app.web.source import source_html
from app.web.status import Level, status_html
from app.web.text import class_text
from app.web.turns import friendly_error

log = logging.getLogger("counterpoint.web")


@dataclass
class RoundView:
    """What a handler wants shown in the Classroom tab; None leaves that part unchanged."""

    token: str | None = None  # kept in the browser; "" forgets the round
    in_round: bool | None = None  # the round panel (True) or the join panel (False)
    header: str | None = None
    timer: str | None = None
    chat: list[dict[str, str]] | None = None
    draft: str | None = None
    can_write: bool | None = None  # the draft box and Submit take input
    finished: bool | None = None  # scorecard and downloads instead of the composer
    scorecard: str | None = None
    export_md: Path | None = None
    export_json: Path | None = None
    source: str | None = None
    status: str | None = None
    resume_key: str | None = None
    autosave: bool | None = None  # the draft-saving timer runs
    documents: list[tuple[str, str]] | None = None  # the essays free practice can use (uploads included)


class PracticeDesk:
    """Student handlers over one classroom service (and the debate room, for documents and passages)."""

    def __init__(self, classroom: ClassroomService, room: DebateRoom) -> None:
        self.classroom = classroom
        self.room = room

    # --- status and views ------------------------------------------------------------------------
    def status(self, message: str = "", level: Level = "ok", doc: str | None = None) -> str:
        title = self.room.titles().get(doc or self.room.service.default_doc, doc or "")
        return status_html(self.room.service.backend_description(), title, message or class_text("ready"), level)

    def lobby(self, message: str = "", level: Level = "ok", key: str | None = None) -> RoundView:
        """The join / practise / resume panel; the browser forgets its round."""
        return RoundView(
            token="",
            in_round=False,
            status=self.status(message, level),
            resume_key=key,
            autosave=False,
            chat=[],
            draft="",
            documents=self.room.document_choices(),
        )

    def screen(self, attempt: Attempt, message: str = "", level: Level = "ok") -> RoundView:
        """The whole round panel for an attempt, as stored."""
        round_ = attempt.round
        record = self.room.service.document(round_.doc)
        passages = self.room.passages(record) if record else []
        finished = round_.status == "finished"
        card = self.classroom.scorecard(attempt.token) if finished else None
        paths = self._exports(attempt) if finished else (None, None)
        student = round_.status == "student"
        return RoundView(
            token=attempt.token,
            in_round=True,
            header=html.round_header(attempt, record.title if record else round_.doc),
            timer=html.timer_html(round_, self.classroom.seconds_left(attempt)),
            chat=html.round_messages(round_),
            draft=attempt.draft if student else "",
            can_write=student,
            finished=finished,
            scorecard=html.scorecard_html(card) if finished else "",
            export_md=paths[0],
            export_json=paths[1],
            source=source_html(record, passages, html.round_spans(round_)),
            status=self.status(message or self._where(attempt), level, round_.doc),
            autosave=student,
        )

    def _where(self, attempt: Attempt) -> str:
        round_ = attempt.round
        if round_.status == "finished":
            return class_text("finished")
        if round_.status == "bot":
            return class_text("bot_turn", phase=round_.phase)
        fmt = round_.format
        if fmt.turn_seconds:
            return class_text("your_turn_timed", phase=round_.phase, words=fmt.word_limit, seconds=fmt.turn_seconds)
        return class_text("your_turn", phase=round_.phase, words=fmt.word_limit)

    def _exports(self, attempt: Attempt) -> tuple[Path, Path]:
        """The finished round as Markdown and JSON files (in a folder named for a hash, never the token)."""
        folder = exports_folder(self.room.service.data_dir, f"round-{_digest(attempt.token)}")
        name = f"counterpoint-round-{_slug(attempt.student_name)}"
        md, js = folder / f"{name}.md", folder / f"{name}.json"
        md.write_text(clean_text(self.classroom.export_markdown(attempt.token)), encoding="utf-8")
        data = clean_strings(self.classroom.export_json(attempt.token))
        js.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
        return md, js

    # --- joining -----------------------------------------------------------------------------------
    def preview(self, code: str) -> str:
        """What an assignment code opens (side, format, thesis), as the student types it."""
        key = normalise_code(code)
        if len(key) < 6:
            return ""
        found = self.classroom.store.assignment(key)
        if found is None:
            return _note(class_text("assignment_unknown", code=code.strip()), "warn")
        fmt = html.format_text(found.format)
        if found.side == "choice":
            text = class_text("assignment_choice", code=found.code, format=fmt)
        else:
            text = class_text("assignment_fixed", code=found.code, side=html.side_text(found.side), format=fmt)
        if found.thesis:
            text += " " + class_text("assignment_thesis", thesis=found.thesis)
        return _note(text, "ok")

    def join(self, code: str, name: str, side: str | None) -> RoundView:
        """Join a teacher's assignment by its code; the side is the assignment's unless it leaves the choice."""
        try:
            found = self.classroom.store.assignment(normalise_code(code))
            chosen = side if found is not None and found.side == "choice" else None
            attempt = self.classroom.join(code, name, chosen)
        except ClassroomError as exc:
            return RoundView(status=self.status(str(exc), "error"))
        except Exception as exc:
            return RoundView(status=self.status(friendly_error(exc), "error"))
        return self.screen(attempt, class_text("joined", code=attempt.assignment_code, phase=attempt.round.phase))

    def start(self, name: str, side: str, doc: str | None, rounds: float, words: float, seconds: float) -> RoundView:
        """Free practice: the student's own side and format."""
        try:
            fmt = RoundFormat(int(rounds), int(words), int(seconds or 0))
            attempt = self.classroom.start(name, parse_side(side or ""), doc=doc or None, fmt=fmt)
        except ClassroomError as exc:
            return RoundView(status=self.status(str(exc), "error"))
        except Exception as exc:
            return RoundView(status=self.status(friendly_error(exc), "error"))
        return self.screen(attempt, class_text("started", phase=attempt.round.phase))

    # --- coming back -------------------------------------------------------------------------------
    def load(self, token: object) -> Iterator[RoundView]:
        """Page load: continue the browser's round, if it has one (a turn the bot still owes is answered)."""
        if not isinstance(token, str) or not token:
            yield self.lobby()
            return
        yield from self._continue(token, forget_unknown=True)

    def resume(self, key: str) -> Iterator[RoundView]:
        """The "continue with a key" box."""
        yield from self._continue((key or "").strip(), forget_unknown=False)

    def _continue(self, token: str, forget_unknown: bool) -> Iterator[RoundView]:
        try:
            attempt = self.classroom.resume(token)
            if attempt.round.status != "bot":
                where = self._where(attempt)
                yield self.screen(attempt, f"{class_text('resumed')} {where}" if attempt.round.turns else where)
                return
        except AccessDenied:
            if forget_unknown:
                yield self.lobby()
            else:
                yield RoundView(status=self.status(class_text("gone"), "error"))
            return
        except Exception as exc:
            yield RoundView(status=self.status(friendly_error(exc), "error"))
            return
        yield from self._bot(attempt)  # a bot turn is owed (the page or the server went away mid-answer)

    # --- the student's turns -----------------------------------------------------------------------
    def submit(self, token: object, text: str) -> Iterator[RoundView]:
        if not (text or "").strip():
            yield RoundView(status=self.status(class_text("empty_turn"), "warn"))
            return
        yield from self._turn(token, text, expired=False)

    def expire(self, token: object, draft: str) -> Iterator[RoundView]:
        """The page's countdown reached zero: submit the draft as it is."""
        yield from self._turn(token, draft or "", expired=True)

    def _turn(self, token: object, text: str, expired: bool) -> Iterator[RoundView]:
        if not isinstance(token, str) or not token:
            yield self.lobby(class_text("gone"), "warn")
            return
        try:
            if expired and self.classroom.store.load(token).round.status != "student":
                yield RoundView()  # the turn was already submitted (Submit and the clock crossed): nothing to do
                return
            attempt = self.classroom.expire(token, text) if expired else self.classroom.submit(token, text)
        except AccessDenied:
            yield self.lobby(class_text("gone"), "warn")
            return
        except ClassroomError as exc:  # out of turn (another window), or the clock still has time
            yield from self._refresh(token, str(exc))
            return
        except Exception as exc:
            yield RoundView(status=self.status(friendly_error(exc), "error"))
            return
        note = class_text("expired", phase=attempt.round.turns[-1].phase) if expired else ""
        yield from self._bot(attempt, note)

    def _refresh(self, token: str, message: str) -> Iterator[RoundView]:
        try:
            yield self.screen(self.classroom.resume(token), message, "warn")
        except Exception as exc:
            yield RoundView(status=self.status(friendly_error(exc), "error"))

    def _bot(self, attempt: Attempt, note: str = "") -> Iterator[RoundView]:
        """Stream the bot's turn into the transcript, then show the stored round (the final, verified reply
        with its chips in place of the streamed text; the scorecard after the closing)."""
        round_ = attempt.round
        thinking = class_text("thinking")
        busy = self.status(note or class_text("bot_turn", phase=round_.phase), "busy", round_.doc)
        first = self.screen(attempt, note)
        first.chat, first.status, first.can_write, first.draft = (
            html.streaming_messages(round_, "", thinking), busy, False, "",
        )  # fmt: skip
        first.timer, first.autosave = html.timer_html(round_, None), False
        yield first
        partial = ""
        try:
            for event in self.classroom.bot_turn(attempt.token):
                if event.kind == "text" and event.text:
                    partial += event.text
                    yield RoundView(chat=html.streaming_messages(round_, partial, thinking))
        except ClassroomError as exc:  # e.g. the bot is already answering in another window
            yield from self._refresh(attempt.token, str(exc))
            return
        except Exception as exc:
            yield RoundView(chat=html.round_messages(round_), status=self.status(friendly_error(exc), "error"))
            return
        done = self.classroom.resume(attempt.token)
        message = f"{note} {self._where(done)}" if note and done.round.status != "finished" else ""
        yield self.screen(done, message, "warn" if message else "ok")

    def save_draft(self, token: object, draft: str) -> None:
        """Keep what is being typed (a restart or a timeout while away then submits it, not nothing)."""
        if not isinstance(token, str) or not token:
            return
        try:
            self.classroom.save_draft(token, draft or "")
        except ClassroomError:
            pass  # the round moved on (submitted in another window): nothing to keep
        except Exception as exc:  # never let a background save bother the student
            log.warning("could not save a draft: %s", exc)

    def quit(self, token: object, draft: str) -> RoundView:
        """Save and leave: the round stays on the server; its key goes into the resume box."""
        if not isinstance(token, str) or not token:
            return self.lobby()
        self.save_draft(token, draft)
        return self.lobby(class_text("quit", round_key=token), key=token)

    def new_round(self) -> RoundView:
        return self.lobby(class_text("new_round"))


def _note(text: str, level: str) -> str:
    return f'<p class="cp-cl-note cp-cl-{level}">{html.e(text)}</p>'


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()[:20]


def _slug(name: str) -> str:
    cleaned = "".join(ch if ch.isalnum() else "-" for ch in name.lower()).strip("-")
    return "-".join(part for part in cleaned.split("-") if part)[:30] or "student"
