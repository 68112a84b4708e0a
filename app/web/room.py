"""The debate room: every handler behind the page and the API, independent of Gradio components.

Handlers return `View`s (what to show); `app.py` maps them onto components. A field left as None means
"leave that part of the page as it is", which keeps streamed updates small.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.debate.errors import CounterpointError
from app.debate.prompts import DEFAULT_MODE, MODES, mode_spec, normalise_mode
from app.debate.service import DebateService
from app.text_safety import clean_text
from app.web import argument_view, chips, evidence, export, source
from app.web.sessions import Debate, SessionStore
from app.web.status import Level, status_html
from app.web.text import ui_text
from app.web.turns import TurnUpdate, friendly_error, run_turn
from app.web.upload import ingest_paste, ingest_upload
from ingest.models import Passage
from ingest.store import DocumentRecord

MODE_NAMES = {
    "challenge": "Challenge",
    "defend": "Defend",
    "socratic": "Socratic",
    "devils-advocate": "Devil's advocate",
}


@dataclass
class View:
    """What a handler wants shown; None leaves that part of the page unchanged."""

    session_id: str | None = None
    chat: list[dict[str, str]] | None = None
    documents: list[tuple[str, str]] | None = None
    doc: str | None = None
    mode: str | None = None
    mode_line: str | None = None
    evidence: str | None = None
    source: str | None = None
    argument: str | None = None  # the Argument view beside the source (argument_view.py)
    status: str | None = None
    export: Path | None = None
    exportable: bool | None = None
    message: str | None = None
    answering: bool | None = None


def mode_line(mode: str) -> str:
    spec = mode_spec(mode)
    return f"**{MODE_NAMES[spec.name]}** — {chips.escape(spec.description)}"


def mode_choices() -> list[tuple[str, str]]:
    return [(MODE_NAMES[m], m) for m in MODES]


class DebateRoom:
    """Handlers over one service and one session store."""

    def __init__(self, service: DebateService, sessions: SessionStore) -> None:
        self.service = service
        self.sessions = sessions

    # --- documents ---------------------------------------------------------------------------------
    def document_choices(self) -> list[tuple[str, str]]:
        records = self.service.documents()
        titles = [r.title for r in records]
        return [(r.title if titles.count(r.title) == 1 else f"{r.title} ({r.slug})", r.slug) for r in records]

    def titles(self) -> dict[str, str]:
        return {r.slug: r.title for r in self.service.documents()}

    def passages(self, record: DocumentRecord) -> list[Passage]:
        """The version's passages, from the retriever's per-version cache (no second copy here)."""
        return self.service.retriever.index(record.slug, record).passages

    def usable_doc(self, doc: str | None) -> str:
        """`doc` if it is in the index, else the default essay, else any document."""
        if isinstance(doc, str) and doc and self.service.store.document(doc) is not None:
            return doc
        docs = [r.slug for r in self.service.documents()]
        default = self.service.default_doc
        return default if default in docs or not docs else docs[0]

    # --- views -------------------------------------------------------------------------------------
    def screen(self, debate: Debate, message: str = "", level: Level = "ok") -> View:
        """The whole page for a debate."""
        record = self.service.store.document(debate.doc)
        spans = source.cited_spans(debate.turns, debate.doc)
        passages = self.passages(record) if record else []
        path = self._export(debate) if debate.turns else None
        if record is None and not message:
            message, level = ui_text("source_empty"), "warn"
        return View(
            session_id=debate.id,
            chat=chips.chat_messages(debate),
            documents=self.document_choices(),
            doc=debate.doc,
            mode=debate.mode,
            mode_line=mode_line(debate.mode),
            evidence=evidence.evidence_html(debate.last_reply()),
            source=source.source_html(record, passages, spans),
            argument=argument_view.debate_argument(self.service, debate),
            status=self.status(debate, message, level),
            export=path,
            exportable=path is not None,
            answering=False,
        )

    def status(self, debate: Debate, message: str = "", level: Level = "ok") -> str:
        record = self.service.store.document(debate.doc)
        title = record.title if record else debate.doc
        return status_html(self.service.backend_description(), title, message, level)

    def _export(self, debate: Debate) -> Path:
        markdown = export.debate_markdown(debate, self.titles(), self.service.backend_description())
        return export.write_export(debate, markdown, self.service.settings.data_dir)

    # --- session lifecycle -------------------------------------------------------------------------
    def debate(self, session_id: object, doc: str | None = None, mode: str | None = None) -> Debate:
        """The browser's debate, or a new one; a debate about another document is not continued."""
        found = self.sessions.get(session_id)
        wanted = self.usable_doc(doc or (found.doc if found else None))
        if found is None or (found.doc != wanted and found.turns):
            return self.sessions.new(wanted, _mode(mode or (found.mode if found else None)))
        found.doc = wanted
        if mode:
            found.mode = _mode(mode)
        return found

    def load(self, session_id: object) -> View:
        """Page load: restore the browser's debate (or start one)."""
        found = self.sessions.get(session_id)
        debate = self.debate(session_id)
        if found is not None and found is not debate:
            return self.screen(debate, ui_text("missing_doc", slug=found.doc, title=self._title(debate.doc)), "warn")
        return self.screen(debate)

    def new_debate(self, doc: str, mode: str, session_id: object) -> View:
        debate = self.sessions.new(self.usable_doc(doc), _mode(mode))
        return self.screen(debate, ui_text("new_debate"))

    def switch_doc(self, doc: str, mode: str, session_id: object) -> View:
        before = self.sessions.get(session_id)
        debate = self.debate(session_id, doc, mode)
        moved = before is not None and before is not debate
        return self.screen(debate, ui_text("switched_doc", title=self._title(debate.doc)) if moved else "")

    def switch_mode(self, mode: str, session_id: object) -> View:
        debate = self.sessions.get(session_id)
        if debate is not None and debate.pending is None:
            debate.mode = _mode(mode)
            if debate.turns:
                self.sessions.save(debate)
        return View(mode_line=mode_line(_mode(mode)))

    def _title(self, slug: str) -> str:
        return self.titles().get(slug, slug)

    # --- turns -------------------------------------------------------------------------------------
    def send(self, message: str, mode: str, doc: str, session_id: object) -> Iterator[View]:
        """Send: stream the reply into the chat, then refresh evidence, source, status and export."""
        if not isinstance(message, str) or not message.strip():  # nothing, or not text (a script calling)
            yield View()
            return
        debate = self.debate(session_id, doc if isinstance(doc, str) else None, mode if isinstance(mode, str) else None)
        yield from self._stream(debate, message, retry=False)

    def retry(self, mode: str, doc: str, session_id: object) -> Iterator[View]:
        """Retry: answer the last claim again (in the currently selected mode), replacing the last reply."""
        debate = self.debate(session_id, doc, mode)
        message = debate.turns[-1].user if debate.turns else ""
        yield from self._stream(debate, message, retry=True)

    def _stream(self, debate: Debate, message: str, retry: bool) -> Iterator[View]:
        thinking = ui_text("thinking")
        if message:
            first = chips.streaming_messages(debate, message, "", thinking, replacing=retry)
            yield View(
                session_id=debate.id,
                chat=first,
                message="",
                status=self.status(debate, ui_text("answering"), "busy"),
                answering=True,
            )
        for update in run_turn(self.service, self.sessions, debate, message, debate.mode, debate.doc, retry):
            if update.error:
                yield self._failed(debate, message if not retry else "", update)
            elif update.done:
                notice = update.turn.notice if update.turn else ""
                yield self.screen(debate, notice, "warn" if notice else "ok")
            else:
                yield View(chat=chips.streaming_messages(debate, message, update.partial, thinking, replacing=retry))

    def _failed(self, debate: Debate, message: str, update: TurnUpdate) -> View:
        """The turn was not recorded: show the debate as it was, the claim back in the box, and why."""
        return View(
            chat=chips.chat_messages(debate),
            message=message or None,
            status=self.status(debate, update.error, "error"),
            answering=False,
        )

    def stop(self, session_id: object) -> View:
        """Stop: keep what was shown of the reply, marked as stopped."""
        debate = self.sessions.get(session_id)
        if debate is None:
            return View(answering=False)
        self.sessions.stop(debate, ui_text("stopped"))
        return self.screen(debate, ui_text("stopped_status"))

    # --- uploads -----------------------------------------------------------------------------------
    def upload(
        self, path: str | None, mode: str, session_id: object, progress: Callable[..., Any] | None = None
    ) -> View:
        """Ingest an uploaded file (.txt, .md, .pdf, .docx, .html) and switch the debate to it."""
        debate = self.sessions.get(session_id) or self.debate(session_id, None, mode)
        if not path:
            return View()
        name = Path(path).name

        def report(slug: str, done: int, total: int) -> None:
            if progress is not None:
                progress((done, total), desc=ui_text("upload_progress", name=name), unit="passages")

        try:
            record = ingest_upload(self.service, Path(path), report)
        except Exception as exc:
            return View(status=self.status(debate, friendly_error(exc), "error"))
        target = self.debate(debate.id, record.slug, mode)
        count = f"{record.passages} passage{'s' * (record.passages != 1)}"
        done = ui_text("upload_done", title=record.title, passages=count)
        return self.screen(target, done)

    def paste(
        self, text: str, title: str, mode: str, session_id: object, progress: Callable[..., Any] | None = None
    ) -> View:
        """Ingest pasted text (with its title) and switch the debate to it."""
        debate = self.sessions.get(session_id) or self.debate(session_id, None, mode)
        name = title or "Pasted text"

        def report(slug: str, done: int, total: int) -> None:
            if progress is not None:
                progress((done, total), desc=ui_text("upload_progress", name=name), unit="passages")

        try:
            record = ingest_paste(self.service, text or "", title or "", report)
        except Exception as exc:
            return View(status=self.status(debate, friendly_error(exc), "error"))
        target = self.debate(debate.id, record.slug, mode)
        count = f"{record.passages} passage{'s' * (record.passages != 1)}"
        return self.screen(target, ui_text("upload_done", title=record.title, passages=count))

    # --- API ---------------------------------------------------------------------------------------
    def api_chat(self, message: object, mode: object, doc: object, session_id: object) -> Iterator[dict[str, Any]]:
        """`/chat`: stream {"session_id", "text", "done"}; the last item adds "reply" and "notice".

        Checked before anything runs: every argument must be text, the mode and the document must exist
        (an unknown one is refused, naming the ones there are, never silently replaced by the default)."""
        message, mode, doc, session_id = self._api_arguments(message, mode, doc, session_id)
        debate = self.debate(session_id, doc or None, mode)
        for update in run_turn(self.service, self.sessions, debate, message, debate.mode, debate.doc):
            if update.error:
                raise APIError(update.error)
            item: dict[str, Any] = {"session_id": debate.id, "text": update.partial, "done": update.done}
            if update.done and update.turn is not None:
                item.update(reply=update.turn.reply, notice=update.turn.notice)
            yield item

    def _api_arguments(self, message: object, mode: object, doc: object, session_id: object) -> tuple[str, ...]:
        named = {"message": message, "mode": mode, "doc": doc, "session_id": session_id}
        for name, value in named.items():
            if value is not None and not isinstance(value, str):
                raise APIError(f"'{name}' must be text (a JSON string), not {_json_type(value)}")
        if message is None:
            raise APIError("'message' is missing: send the claim to debate as text")
        try:
            mode = normalise_mode(str(mode or DEFAULT_MODE))
        except CounterpointError as exc:
            raise APIError(str(exc)) from exc
        if doc and self.service.store.document(str(doc)) is None:
            known = ", ".join(f"'{r.slug}'" for r in self.service.documents()) or "none (ingest one first)"
            raise APIError(f"no document '{clean_text(str(doc))[:80]}' in the index; available: {known}")
        return str(message), mode, str(doc or ""), str(session_id or "")

    def api_documents(self) -> list[dict[str, Any]]:
        return [
            {"slug": r.slug, "title": r.title, "passages": r.passages, "sections": r.sections}
            for r in self.service.documents()
        ]

    def api_transcript(self, session_id: str) -> str:
        debate = self.sessions.get(session_id)
        if debate is None:
            raise APIError(f"no debate with id '{session_id}'")
        return export.debate_markdown(debate, self.titles(), self.service.backend_description())


class APIError(Exception):
    """Raised to API callers as a `gr.Error` (see app.py)."""


def _json_type(value: object) -> str:
    names = {bool: "a boolean", int: "a number", float: "a number", dict: "an object", list: "a list"}
    return next((name for kind, name in names.items() if isinstance(value, kind)), type(value).__name__)


def _mode(mode: str | None) -> str:
    try:
        return normalise_mode(mode)
    except Exception:
        return DEFAULT_MODE
