"""One debate turn for the web: stream the service's reply into a debate and record it.

Shared by the page's Send/Retry handlers and the `/chat` API endpoint, so both store transcripts the
same way. Errors never escape as tracebacks: messages of `CounterpointError`/`IngestError` are shown
as they are, anything else becomes one friendly line (and a log entry with the traceback).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace

from app.debate.citations import verify_quote
from app.debate.errors import CounterpointError
from app.debate.models import Quote, Reply
from app.debate.quoting import find_quotations
from app.debate.service import DebateService
from app.debate.textmatch import NormalisedText
from app.text_safety import clean_strings, clean_text
from app.web.chips import MARKER
from app.web.sessions import Debate, SessionStore, Turn
from app.web.text import ui_text
from argument.model import ArgumentMap
from ingest.errors import IngestError
from ingest.models import Passage

log = logging.getLogger("counterpoint.web")

# Tokens arriving closer together than this are sent together: a reader sees no difference at 10 updates
# a second, and every update costs the server and each client a message (30 students x 60 tokens adds up).
STREAM_INTERVAL_S = 0.1
TRUNCATED_NOTE = " … [message cut here: it was {length:,} characters, over the {limit:,}-character limit]"


@dataclass
class TurnUpdate:
    """`partial`: reply text so far; `turn`: set once the finished turn is recorded; `error`: friendly line."""

    partial: str = ""
    turn: Turn | None = None
    error: str = ""
    done: bool = False


def friendly_error(exc: BaseException) -> str:
    """A line fit for the status bar, whatever went wrong."""
    if isinstance(exc, CounterpointError | IngestError):
        return str(exc)
    log.error("unexpected failure in the web UI", exc_info=exc)
    return ui_text("unexpected", kind=type(exc).__name__)


def stored_message(message: str, limit: int) -> str:
    """What a debate keeps of a message: all of it, or (over the limit, refused) its start and a note."""
    if len(message.strip()) <= limit:  # measured as the service measures it
        return message
    return message[:limit] + TRUNCATED_NOTE.format(length=len(message), limit=limit)


def run_turn(
    service: DebateService,
    sessions: SessionStore,
    debate: Debate,
    message: str,
    mode: str,
    doc: str,
    retry: bool = False,
) -> Iterator[TurnUpdate]:
    """Yield the reply as it grows, then the recorded turn (or an error, recording nothing).

    The message is cleaned here, where the page and the API meet (no control or bidi characters); one
    over the length limit is refused by the service and kept only up to the limit, with a note."""
    message = clean_text(message)
    if retry:
        if not debate.turns:
            yield TurnUpdate(error=ui_text("nothing_to_retry"), done=True)
            return
        message, history = debate.turns[-1].user, debate.history(-1)
    else:
        history = debate.history()
    kept = stored_message(message, service.max_message_chars)
    try:
        pending = sessions.begin(debate, kept, mode, doc, replaces_last=retry)
    except CounterpointError as exc:
        yield TurnUpdate(error=str(exc), done=True)
        return
    final = None
    sent_at = 0.0  # the first text goes out at once
    try:
        for event in service.stream(message, history, mode, doc):
            if event.kind == "text":
                pending.text += clean_text(event.text)
                if time.monotonic() - sent_at >= STREAM_INTERVAL_S:
                    sent_at = time.monotonic()
                    yield TurnUpdate(partial=pending.text)
            elif event.reply is not None:
                final = event.reply
        if final is None:  # pragma: no cover - the service always ends with a reply
            raise CounterpointError("the debate service ended without a reply")
    except Exception as exc:
        sessions.abandon(debate, pending)
        yield TurnUpdate(partial=pending.text, error=friendly_error(exc), done=True)
        return
    except GeneratorExit:
        sessions.abandon(debate, pending)  # the page went away mid-turn; Stop may already have recorded it
        raise
    reply = Reply.from_json(clean_strings(final.to_json()))  # what is stored: no control or bidi characters
    turn = Turn(user=kept, mode=final.mode, doc=final.doc or doc, text=clean_text(final.text), reply=reply)
    try:
        recorded = sessions.commit(debate, pending, turn)
    except OSError as exc:  # the disk filled up or went read-only mid-debate: show the reply, say so
        sessions.abandon(debate, pending)
        log.error("could not save debate %s", debate.id, exc_info=exc)
        yield TurnUpdate(partial=final.text, error=ui_text("not_saved", reason=exc.strerror or exc), done=True)
        return
    yield TurnUpdate(partial=final.text, turn=turn if recorded else None, done=True)


def too_long(message: str, limit: int) -> str:
    """The refusal for a message over the limit (measured as the service measures it), else ""."""
    length = len(message.strip())
    if length <= limit:
        return ""
    return ui_text("message_too_long", length=length, limit=limit, over=length - limit)


def stopped_checks(text: str, source: str, passages: list[Passage], amap: ArgumentMap | None) -> Reply:
    """The checks a stopped reply did not get, run on what had streamed: each quotation looked up verbatim in
    the essay (with its role and voice in the map), and the passages its chips name (for the evidence panel).
    A reply of the streamed text with those quotes and passages and no citations (nothing was attributed)."""
    normalised = NormalisedText(source)
    quotes = [verify_quote(text[a:b], normalised, passages) for a, b in find_quotations(text)]
    quotes = [_with_role(q, amap) if q.verified else q for q in quotes]
    by_label = {p.label: p for p in passages}
    named = [by_label[m] for m in dict.fromkeys(MARKER.findall(text)) if m in by_label]
    return Reply(text=text, mode="", strategy="", quotes=quotes, passages=named)


def _with_role(quote: Quote, amap: ArgumentMap | None) -> Quote:
    if amap is None or quote.start is None or quote.end is None:
        return quote
    node = amap.at(quote.start, quote.end)
    return replace(quote, role=node.role, voice=node.voice) if node is not None else quote
