"""The jobs of the bot's opening, rebuttal and closing, given to the debate service's reply.

The service plans the moves (its mode fixed by the student's side, the round's earlier bot turns passed
as history so no sentence is quoted twice in a round). This module gives each phase its own job, with
wording from `prompts/classroom/rounds.yaml`: the opening states the bot's side and its main point; the
rebuttal answers the student's point, named in their words; the closing sums up which of the bot's
points the student never answered. A bot arguing against the thesis never quotes the thesis as if it
were evidence: such a line is dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.classroom.evidence import EmbedMany, student_sentences
from app.classroom.rebuttal import BotPoint, answered_points
from app.classroom.rounds import PracticeRound, Side
from app.classroom.wording import rounds_text
from app.debate.models import Reply, Sentence
from app.debate.moves import shorten_claim


@dataclass
class RoundPoint:
    """A passage the bot quoted earlier in the round: what it is (role, voice), where, and its words."""

    label: str
    role: str
    voice: str
    text: str

    def name(self, bot_side: Side) -> str:
        """How the closing names the point; the author's own case, quoted by a bot against it, was questioned."""
        names = rounds_text("point_names")
        key = "reported" if self.voice == "reported" else self.role
        if bot_side == "against" and key in ("thesis", "claim", "reason", "evidence"):
            key = "questioned"
        return str(names.get(key, names["default"])).format(label=self.label)


def phase_kind(phase: str) -> str:
    """`opening`, `rebuttal` (for "rebuttal 2" too) or `closing`."""
    return phase.split()[0] if phase else "opening"


def lead_line(round_: PracticeRound, student_text: str, embed: EmbedMany) -> str:
    """The bot's first line(s) for the round's current phase."""
    leads = rounds_text("phase_lead")
    kind = phase_kind(round_.phase)
    if kind == "opening":
        return str(leads["opening"][round_.bot_side])
    if kind == "rebuttal":
        claim = student_point(student_text)
        return str(leads["rebuttal"]).format(claim=claim) if claim else ""
    side = str(rounds_text("side_label")[round_.bot_side])
    return " ".join([str(leads["closing"]).format(side=side), closing_summary(round_, embed)])


def student_point(text: str, words: int = 24) -> str:
    """The student's point in their words: the first assertive sentence, with "…" where it is cut."""
    claim = shorten_claim(text, words).rstrip(".!") if text.strip() else ""
    return claim + "…" if len(claim.split()) >= words else claim


def closing_summary(round_: PracticeRound, embed: EmbedMany) -> str:
    """Which of the bot's earlier points the student's later turns answered, and which still stand."""
    made, answered = points_and_answers(round_, embed)
    if not made:
        return ""
    open_points = [p for p in made if p.text not in answered]
    if open_points:
        those = "they" if len(open_points) > 1 else "it"
        return str(rounds_text("closing_unanswered")).format(points=_listed(open_points, round_.bot_side), those=those)
    return str(rounds_text("closing_answered")).format(points=_listed(made, round_.bot_side))


def points_and_answers(round_: PracticeRound, embed: EmbedMany) -> tuple[list[RoundPoint], set[str]]:
    """The essay sentences the bot quoted so far (in order, each once) and those a *later* student turn
    took up: a sentence of it close to the point (the rebuttal criterion's test), or the point's passage cited."""
    made: dict[str, RoundPoint] = {}
    answered: set[str] = set()
    for turn in round_.turns:
        if turn.role == "bot" and turn.reply:
            for point in _quoted_points(turn.reply):
                made.setdefault(point.text, point)
        elif turn.role == "student" and made:
            points = list(made.values())
            found = answered_points(student_sentences(turn.text), [BotPoint(p.text, p.label) for p in points], embed)
            answered |= {point.text for point, _ in found} | {p.text for p in points if _cites(turn.text, p.label)}
    return list(made.values()), answered


def shape_reply(reply: Reply, round_: PracticeRound, lead: str) -> None:
    """Give the reply its phase's job (in place): the lead first, the phase's frame on the first quote."""
    if round_.bot_side == "against":
        drop_thesis_quotes(reply)
    _reframe_first_quote(reply, phase_kind(round_.phase))
    if lead:
        reply.sentences.insert(0, Sentence(lead, "frame"))
        reply.text = f"{lead}\n\n{reply.text}" if reply.text else lead


def drop_thesis_quotes(reply: Reply) -> None:
    """Arguing against the thesis, the thesis is never offered as evidence: drop lines quoting it."""
    thesis = [q.text for q in reply.quotes if q.verified and q.role == "thesis"]
    if not thesis:
        return
    dropped = [s for s in reply.sentences if s.label == "quote" and any(t in s.text for t in thesis)]
    reply.sentences = [s for s in reply.sentences if s not in dropped]
    for sentence in dropped:
        reply.text = reply.text.replace(sentence.text, "", 1)
    reply.text = "\n\n".join(part.strip() for part in reply.text.split("\n\n") if part.strip())
    reply.quotes = [q for q in reply.quotes if q.text not in thesis]
    reply.citations = [c for c in reply.citations if f"[{c.marker}]" in reply.text]


def _reframe_first_quote(reply: Reply, kind: str) -> None:
    """The mode's frame on the first quoted line ("Since you agree…") becomes the phase's own."""
    first = next((s for s in reply.sentences if s.label == "quote" and "“" in s.text), None)
    if first is None or first.text.startswith("“"):
        return
    frames = rounds_text("phase_quote_frame")[kind]
    move = reply.moves[0] if reply.moves else ""
    frame = str(frames.get(move, frames["default"]))
    text = f"{frame} {first.text[first.text.index('“') :]}"
    reply.text = reply.text.replace(first.text, text, 1)
    first.text = text


def _quoted_points(reply: Reply) -> list[RoundPoint]:
    labels = {c.passage_id: c.marker for c in reply.citations}
    return [
        RoundPoint(labels.get(q.passage_id or "", "?"), q.role or "", q.voice or "", q.text)
        for q in reply.verified_quotes
        if q.passage_id in labels
    ]


def _cites(text: str, label: str) -> bool:
    return re.search(rf"\b{re.escape(label)}\b", text) is not None


def _listed(points: list[RoundPoint], bot_side: Side) -> str:
    names = list(dict.fromkeys(p.name(bot_side) for p in points))
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


__all__ = ["RoundPoint", "Side", "closing_summary", "lead_line", "phase_kind", "points_and_answers", "shape_reply"]
