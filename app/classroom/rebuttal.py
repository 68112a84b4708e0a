"""Rebuttal: does the student's turn take up the points the bot made in its previous turn?

The bot's points are the map nodes its previous reply used: each quotation it made from the essay (with its
passage), its questions about them, and a model sentence that cites a passage; framing lines and
unsupported sentences are not points, so credit needs engagement with what the bot took from the essay.
A point is **answered** when one of the student's sentences is at least `REBUTTAL_SIMILARITY` similar to
it, and the passage the bot cited counts as a point answered when the student's own evidence uses it.
Words that address the bot ("you say", "my opponent") without matching a point earn level 1 at most.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from app.classroom.evidence import EmbedMany, PassageRef, TurnEvidence
from app.classroom.rubric import CriterionScore, feedback, short, whole
from app.debate.citations import MARKER
from app.debate.models import Reply, Sentence
from app.debate.quoting import find_quotations

REBUTTAL_SIMILARITY = 0.5  # measured: 4 answers scored 0.62–0.69 against their point; 5 non-answers ≤ 0.48
MIN_POINT_WORDS = 4
REPLY_CUES = re.compile(
    r"\b(you (say|said|claim|argue|quote|cite|mention|suggest|ask)|my opponent|counterpoint|the bot|"
    r"your (point|argument|claim|quote|quotation|question|passage|evidence))\b",
    re.IGNORECASE,
)


@dataclass
class BotPoint:
    text: str
    marker: str = ""


def bot_points(reply: Reply) -> list[BotPoint]:
    """The points of a bot reply: its quotations and its own sentences."""
    points: list[BotPoint] = []
    for sentence in reply.sentences:
        text, markers = sentence.text, sentence.markers or [""]
        if sentence.label == "quote":
            points += [BotPoint(text[s:e], markers[0]) for s, e in find_quotations(text)]
        elif _about_a_node(sentence):
            points.append(BotPoint(MARKER.sub("", text).strip(), markers[0]))
    return [p for p in points if len(p.text.split()) >= MIN_POINT_WORDS]


def _about_a_node(sentence: Sentence) -> bool:
    """A question the bot asked about what it quoted, or a model sentence that cites a passage; the
    bot's framing ("My side: …", "You say …") and unsupported sentences are not points to answer."""
    text, label = sentence.text, sentence.label
    return (
        text.rstrip().endswith("?") if label == "frame" else label in ("supported", "auto") and bool(sentence.markers)
    )


def cited_passages(reply: Reply) -> set[str]:
    return set(reply.cited_passage_ids())


def score_rebuttal(
    sentences: list[str], evidence: TurnEvidence, previous: Reply | None, embed: EmbedMany
) -> CriterionScore:
    """Level 0–3 from the bot points answered, the bot's passages taken on, and the turn's own evidence."""
    result = CriterionScore("rebuttal", None, "text check")
    if previous is None:
        result.feedback.append(feedback("rebuttal", "not_applicable"))
        return result
    answered = answered_points(sentences, bot_points(previous), embed)
    taken = [p for p in evidence.passages_used() if p.id in cited_passages(previous)]
    for point, student in answered:
        result.feedback.append(feedback("rebuttal", "engaged", point=short(point.text), student=whole(student)))
        result.student_words.append(student)
    result.feedback += [feedback("rebuttal", "passage", label=p.label) for p in taken]
    result.passages = list(dict.fromkeys(taken + evidence.passages_used()))
    result.score = _level(len(answered) + len(taken), bool(evidence.passages_used()), sentences, result)
    return result


def answered_points(sentences: list[str], points: list[BotPoint], embed: EmbedMany) -> list[tuple[BotPoint, str]]:
    """Each bot point with the student sentence closest to it, when close enough."""
    if not sentences or not points:
        return []
    sims = embed([p.text for p in points]) @ embed(sentences).T
    found = []
    for i, point in enumerate(points):
        j = int(np.argmax(sims[i]))
        if sims[i, j] >= REBUTTAL_SIMILARITY:
            found.append((point, sentences[j].strip()))
    return found


def _level(answered: int, has_evidence: bool, sentences: list[str], result: CriterionScore) -> int:
    if answered == 0:
        cue = next((s for s in sentences if REPLY_CUES.search(s)), None)
        result.feedback.append(
            feedback("rebuttal", "cue_only", student=whole(cue)) if cue else feedback("rebuttal", "none")
        )
        if cue:
            result.student_words.append(cue.strip())
        return 1 if cue else 0
    if not has_evidence:
        result.feedback.append(feedback("rebuttal", "no_evidence"))
        return 1
    return 2 if answered == 1 else 3


__all__ = ["BotPoint", "PassageRef", "answered_points", "bot_points", "score_rebuttal"]
