"""The debate room: every handler behind the page and the API, independent of Gradio components.

Handlers return `View`s (what to show); `app.py` maps them onto components. A field left as None means
"leave that part of the page as it is", which keeps streamed updates small.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from app.debate.errors import CounterpointError
from app.debate.prompts import DEFAULT_MODE, MODES, mode_spec, normalise_mode
from app.debate.service import DebateService
from app.text_safety import clean_text
from app.web import argument_view, chips, evidence, export, source
from app.web.sessions import Debate, DebateSummary, SessionStore
from app.web.status import Level, note_html, status_html
from app.web.text import ui_text
from app.web.turns import TurnUpdate, friendly_error, run_turn, stopped_checks, too_long
from app.web.upload import ingest_paste, ingest_upload
from argument.model import ArgumentMap
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
    examples: list[str] | None = None  # the empty chat's example claims, made for this document
    upload_note: str | None = None  # the line under the upload controls ("" clears it)
    composer_note: str | None = None  # the line under the message box ("" clears it)
    undo: str | None = None  # the debate New debate left (its Undo button shows); "" hides the button
    original: Path | None = None  # the document's original file, to download
    has_original: bool | None = None


MAX_REMEMBERED = 50  # debates a browser lists under "Your debates"


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
        named = [(self.doc_title(r), r.slug) for r in self.service.documents()]
        titles = [title for title, _ in named]
        return [(title if titles.count(title) == 1 else f"{title} ({slug})", slug) for title, slug in named]

    def titles(self) -> dict[str, str]:
        return {r.slug: self.doc_title(r) for r in self.service.documents()}

    def doc_title(self, record: DocumentRecord) -> str:
        """The title people see: a real one, never the first sentence (see `source.display_title`)."""

        def thesis() -> str | None:
            node = self.argument_map(record.slug)
            return node.thesis_node.text if node and node.thesis_node else None

        return source.display_title(record, thesis)

    def argument_map(self, slug: str) -> ArgumentMap | None:
        """The document's argument map, or None when it has none that can be read."""
        try:
            return self.service.argument_map(slug)
        except Exception:
            return None

    def passages(self, record: DocumentRecord) -> list[Passage]:
        """The version's passages, from the retriever's per-version cache (no second copy here)."""
        return self.service.document_index(record.slug, record).passages

    def usable_doc(self, doc: str | None) -> str:
        """`doc` if it is in the index, else the default essay, else any document."""
        if isinstance(doc, str) and doc and self.service.document(doc) is not None:
            return doc
        docs = [r.slug for r in self.service.documents()]
        default = self.service.default_doc
        return default if default in docs or not docs else docs[0]

    # --- views -------------------------------------------------------------------------------------
    def screen(self, debate: Debate, message: str = "", level: Level = "ok") -> View:
        """The whole page for a debate."""
        record = self.service.document(debate.doc)
        spans = source.cited_spans(debate.turns, debate.doc)
        passages = self.passages(record) if record else []
        amap = self.argument_map(debate.doc) if record else None
        path = self._export(debate) if debate.turns else None
        original = self.original(record)
        if record is None and not message:
            message, level = ui_text("source_empty"), "warn"
        title = self.doc_title(record) if record else ""
        return View(
            session_id=debate.id,
            chat=chips.chat_messages(debate),
            documents=self.document_choices(),
            doc=debate.doc,
            mode=debate.mode,
            mode_line=mode_line(debate.mode),
            evidence=self._evidence(debate, record, passages, amap),
            source=source.source_html(record, passages, spans, title, amap.thesis_node if amap else None),
            argument=argument_view.debate_argument(self.service, debate),
            status=self.status(debate, message, level),
            export=path,
            exportable=path is not None,
            answering=False,
            examples=chips.example_claims(amap, record.text if record else ""),
            upload_note="",
            composer_note="",
            undo="",
            original=original,
            has_original=original is not None,
        )

    def _evidence(
        self, debate: Debate, record: DocumentRecord | None, passages: list[Passage], amap: ArgumentMap | None
    ) -> str:
        """The latest reply's evidence; for a reply stopped before its checks, the checks of what streamed."""
        last = debate.turns[-1] if debate.turns else None
        if last is None or not last.stopped or last.reply is not None or record is None or last.doc != debate.doc:
            return evidence.evidence_html(debate.last_reply())
        return evidence.stopped_html(stopped_checks(last.text, record.text, passages, amap))

    def original(self, record: DocumentRecord | None) -> Path | None:
        """The document's original file (an upload, or a CLI ingest that kept it), copied where the page can
        serve it from (the exports folder); None when there is none."""
        kept = self.service.original_file(record) if record else None
        if kept is None or record is None:
            return None
        served = export.exports_folder(self.service.data_dir, f"original-{record.slug}") / kept.name
        if not served.is_file():
            shutil.copyfile(kept, served)
        return served

    def status(self, debate: Debate, message: str = "", level: Level = "ok") -> str:
        record = self.service.document(debate.doc)
        title = self.doc_title(record) if record else debate.doc
        return status_html(self.service.backend_description(), title, message, level)

    def _export(self, debate: Debate) -> Path:
        markdown = export.debate_markdown(debate, self.titles(), self.service.backend_description())
        return export.write_export(debate, markdown, self.service.data_dir)

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
        """A fresh debate; the one it leaves (if it had turns) can be brought back with Undo."""
        left = self.sessions.get(session_id)
        debate = self.sessions.new(self.usable_doc(doc), _mode(mode))
        kept = left is not None and bool(left.turns)
        view = self.screen(debate, ui_text("new_debate") if kept else "")
        return replace(view, undo=left.id if kept and left else "")

    def undo_new(self, previous: object, session_id: object) -> View:
        """Undo "New debate": back to the debate it left."""
        return self.open_debate(previous, session_id, ui_text("undo_new"))

    # --- this browser's debates --------------------------------------------------------------------
    def remember(self, session_id: object, known: object) -> list[str]:
        """The browser's list of its debate ids, the current one first (at most `MAX_REMEMBERED`)."""
        ids = [i for i in (known if isinstance(known, list) else []) if isinstance(i, str)]
        current = [session_id] if isinstance(session_id, str) and session_id else []
        return list(dict.fromkeys(current + ids))[:MAX_REMEMBERED]

    def debate_choices(self, known: object) -> list[tuple[str, str]]:
        """The stored debates among the browser's ids, latest first, as (title · date · turns, id)."""
        ids = [i for i in (known if isinstance(known, list) else []) if isinstance(i, str)]
        titles = self.titles()
        return [(self._summary_line(s, titles), s.id) for s in self.sessions.summaries(ids) if s.turns]

    @staticmethod
    def _summary_line(summary: DebateSummary, titles: dict[str, str]) -> str:
        date = summary.updated[:16].replace("T", " ")
        turns = f"{summary.turns} turn{'s' * (summary.turns != 1)}"
        return ui_text("debate_item", title=titles.get(summary.doc, summary.doc), date=date, turns=turns)

    def open_debate(self, debate_id: object, session_id: object, message: str = "") -> View:
        """Reopen one of the browser's debates (its document must still be in the index)."""
        found = self.sessions.get(debate_id)
        if found is None:
            current = self.debate(session_id)
            return View(status=self.status(current, ui_text("debate_gone"), "warn"))
        debate = self.debate(found.id)
        if debate is not found:  # its document left the index
            return self.screen(debate, ui_text("missing_doc", slug=found.doc, title=self._title(debate.doc)), "warn")
        return self.screen(debate, message or ui_text("debate_opened", title=self._title(debate.doc)))

    def delete_debate(self, debate_id: object, doc: str, mode: str, session_id: object) -> View:
        """Delete one of the browser's debates; deleting the open one starts a fresh debate."""
        found = self.sessions.get(debate_id)
        if found is None:
            return View()
        turns = f"{len(found.turns)} turn{'s' * (len(found.turns) != 1)}"
        try:
            self.sessions.delete(found.id)
        except CounterpointError as exc:
            return View(status=self.status(found, str(exc), "error"))
        current = self.sessions.get(session_id)
        if current is None or current.id == found.id:
            current = self.sessions.new(self.usable_doc(doc), _mode(mode))
        return self.screen(current, ui_text("debate_deleted", title=self._title(found.doc), turns=turns))

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
        refusal = too_long(message, self.service.max_message_chars)
        if refusal:  # refused whole, before anything runs: the message stays in the box to be shortened
            yield View(composer_note=note_html(refusal, "error"))
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
            return self._upload_failed(debate, exc)
        return self._uploaded(debate, record, mode)

    def _upload_failed(self, debate: Debate, exc: Exception) -> View:
        """Why an upload or paste failed, next to the control (and in the status line)."""
        error = friendly_error(exc)
        return View(status=self.status(debate, error, "error"), upload_note=note_html(error, "error"))

    def _uploaded(self, debate: Debate, record: DocumentRecord, mode: str) -> View:
        target = self.debate(debate.id, record.slug, mode)
        count = f"{record.passage_count} passage{'s' * (record.passage_count != 1)}"
        done = ui_text("upload_done", title=self.doc_title(record), passages=count)
        return replace(self.screen(target, done), upload_note=note_html(done, "ok"))

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
            return self._upload_failed(debate, exc)
        return self._uploaded(debate, record, mode)

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
                reply = update.turn.reply
                item.update(reply=reply.to_json() if reply is not None else None, notice=update.turn.notice)
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
        if doc and self.service.document(str(doc)) is None:
            known = ", ".join(f"'{r.slug}'" for r in self.service.documents()) or "none (ingest one first)"
            raise APIError(f"no document '{clean_text(str(doc))[:80]}' in the index; available: {known}")
        return str(message), mode, str(doc or ""), str(session_id or "")

    def api_documents(self) -> list[dict[str, Any]]:
        return [
            {"slug": r.slug, "title": r.title, "passages": r.passage_count, "sections": r.sections}
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
