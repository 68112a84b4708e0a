"""The bot's side of a practice round: a fixed mode, the round framing, and a guard that it never concedes.

The bot argues the opposite of the student: `defend` when the student is against the essay's thesis,
`devils-advocate` when the student is for it. The mode is derived from the student's side on every turn,
so it cannot drift. The scaffolded strategy's filter already drops model sentences that *open* with
agreement; the guard here also catches concessions anywhere in a sentence ("I concede", "you've convinced
me", "I was wrong", "fair point") from any strategy, outside quotation marks (the essay's own words are
never dropped), and replaces them with a line that holds the side — in the stream and in the stored reply.
What counts as conceding is `app.debate.concession.concedes`, the rule the eval's stance metric scores.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from app.classroom.framing import lead_line, shape_reply
from app.classroom.rounds import BotReply, PracticeRound, Side
from app.classroom.wording import rounds_text
from app.debate.concession import concedes
from app.debate.models import Reply, Sentence
from app.debate.service import DebateService, ReplyEvent
from ingest.sentences import split_sentences

BOT_MODE: dict[Side, str] = {"for": "devils-advocate", "against": "defend"}  # keyed by the STUDENT's side


@dataclass
class BotEvent(ReplyEvent):
    """A `ReplyEvent` of the bot's turn; on the final event, `held` lists the sentences the guard replaced."""

    held: list[str] = field(default_factory=list)


def bot_mode(student_side: Side) -> str:
    return BOT_MODE[student_side]


def bot_message(round_: PracticeRound, text: str, limit: int = 4000) -> str:
    """What the debate service receives for a student turn: the student's words, then their side (so the
    service reads the side even from a turn that does not state it). The words come first: the service
    reads the student's point from the first sentence, and cuts to its message limit from the end."""
    frame = rounds_text("message_frame")[round_.side]
    body = text.strip() or rounds_text("silent_turn")
    return f"{body[: max(0, limit - len(frame) - 2)]}\n\n{frame}"


def hold_side(reply: Reply, bot_side: Side) -> list[str]:
    """Replace conceding sentences of `reply` (in place) with one line that holds the side; returns them."""
    dropped = [s for s in reply.sentences if concedes(s.text)]
    if not dropped:
        return []
    hold = Sentence(rounds_text("hold_side")[bot_side], "frame")
    later = {id(s) for s in dropped[1:]}
    reply.sentences = [hold if s is dropped[0] else s for s in reply.sentences if id(s) not in later]
    text = reply.text.replace(dropped[0].text, hold.text, 1)
    for sentence in dropped[1:]:
        text = text.replace(sentence.text, "", 1)
    if any(concedes(s) for s in _sentences(text)):  # a concession not found verbatim: rebuild from sentences
        text = "\n\n".join(s.text for s in reply.sentences)
    reply.text = re.sub(r"[ \t]{2,}", " ", text).strip()
    reply.citations = [c for c in reply.citations if f"[{c.marker}]" in reply.text]
    return [s.text for s in dropped]


def guarded_stream(events: Iterator[ReplyEvent], bot_side: Side) -> Iterator[BotEvent]:
    """Pass text on whole sentences at a time, never one that concedes; the final reply is guarded too."""
    buffer = ""
    for event in events:
        if event.kind == "text":
            buffer += event.text
            ready, buffer = _complete_sentences(buffer)
            yield from _safe_text(ready)
        elif event.reply is not None:
            yield from _safe_text(buffer)
            held = hold_side(event.reply, bot_side)
            yield BotEvent("reply", reply=event.reply, held=held)


def stored_reply(reply: Reply, held: list[str]) -> BotReply:
    """The stored form of a bot turn: the service's reply plus what the side guard dropped."""
    return BotReply.of(reply, held)


def _complete_sentences(buffer: str) -> tuple[str, str]:
    """Split the buffer into complete sentences (ready) and the unfinished tail."""
    spans = split_sentences(buffer)
    if len(spans) < 2:
        return "", buffer
    cut = spans[-1][0]
    return buffer[:cut], buffer[cut:]


def _safe_text(text: str) -> Iterator[BotEvent]:
    kept = text
    for start, end in reversed(split_sentences(text)):
        if concedes(text[start:end]):
            kept = kept[:start] + kept[end:]
    if kept.strip():
        yield BotEvent("text", kept)


def _sentences(text: str) -> list[str]:
    return [text[s:e] for s, e in split_sentences(text)]


def stream_bot_turn(service: DebateService, round_: PracticeRound) -> Iterator[BotEvent]:
    """The bot's turn for the round's latest student turn: the phase's lead line first, then the service's
    moves through the side guard, shaped to the phase (`framing.py`). The round's earlier turns are the
    history, so nothing the bot quoted before is quoted again. A scaffolded reply is built in an instant and
    shown once shaped; a model's reply streams as it comes."""
    student = round_.turns[-1]
    message = bot_message(round_, student.text, service.max_message_chars)
    history = round_.history()[:-1]
    lead = lead_line(round_, student.text, service.embed)
    if lead:
        yield BotEvent("text", lead + "\n\n")
    events = service.stream(message, history, bot_mode(round_.side), round_.doc, stance=round_.side)
    for event in guarded_stream(events, round_.bot_side):
        if event.reply is None:
            if service.strategy == "free":
                yield event
            continue
        shape_reply(event.reply, round_, lead)
        if service.strategy != "free":
            yield BotEvent("text", event.reply.text.removeprefix(lead).lstrip("\n"))
        yield event
