"""A practice round as Markdown (to read or hand in) and JSON (to keep or process), with its scorecard.

Neither contains the attempt token: it is the student's key and exported files get shared.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from app.classroom.rubric import CRITERIA, rubric
from app.classroom.wording import rounds_text

if TYPE_CHECKING:
    from app.classroom.rounds import RoundTurn
    from app.classroom.store import Attempt
    from app.debate.models import Reply

BOT_NAME = "Counterpoint"


def iso(when: float | None) -> str:
    return datetime.fromtimestamp(when, UTC).isoformat(timespec="seconds") if when else ""


def round_json(attempt: Attempt, scorecard: dict[str, Any] | None) -> dict[str, Any]:
    """Everything about the round: who, which side and format, every turn with its citations, the scores."""
    round_ = attempt.round
    return {
        "attempt": {
            "id": attempt.id,
            "student": attempt.student_name,
            "assignment": attempt.assignment_code,
            "doc": round_.doc,
            "thesis": round_.thesis,
            "side": round_.side,
            "bot_side": round_.bot_side,
            "format": round_.format.to_json(),
            "status": round_.status,
            "started_at": iso(attempt.started_at),
            "finished_at": iso(attempt.finished_at),
        },
        "turns": [turn_json(t) for t in round_.turns],
        "scorecard": scorecard,
    }


def turn_json(turn: RoundTurn) -> dict[str, Any]:
    data: dict[str, Any] = {
        "phase": turn.phase,
        "role": turn.role,
        "text": turn.text,
        "started_at": iso(turn.started_at),
        "submitted_at": iso(turn.submitted_at),
        "seconds": round(turn.seconds, 1),
        "expired": turn.expired,
        "truncated_words": turn.truncated_words,
    }
    if turn.reply is not None:
        data["citations"] = bot_citations(turn.reply)
        data["flagged_quotes"] = [q.text for q in turn.reply.flagged_quotes]
        data["held_side"] = list(turn.reply.held_side)
    return data


def bot_citations(reply: Reply) -> list[dict[str, Any]]:
    """Each citation marker of a bot reply with its passage id, section and the cited words."""
    passages = {p.id: p for p in reply.passages}
    out = []
    for c in {c.marker: c for c in reply.citations}.values():
        p = passages.get(c.passage_id)
        span = p.text[c.start - p.start : c.end - p.start] if p else ""
        out.append({"marker": c.marker, "passage_id": c.passage_id, "section": p.section if p else "", "text": span})
    return out


def round_markdown(attempt: Attempt, scorecard: dict[str, Any] | None) -> str:
    lines = _header(attempt)
    for i, turn in enumerate(attempt.round.turns):
        if i % 2 == 0:
            lines += ["", f"## {turn.phase.capitalize()}"]
        lines += _turn_lines(turn, attempt.student_name)
    if scorecard is not None:
        lines += scorecard_markdown(scorecard)
    return "\n".join(lines).rstrip() + "\n"


def _header(attempt: Attempt) -> list[str]:
    round_, fmt = attempt.round, attempt.round.format
    labels = rounds_text("side_label")
    timer = f"{fmt.turn_seconds} s a turn" if fmt.turn_seconds else "no timer"
    lines = [
        f"# Practice round on “{round_.doc}”",
        "",
        f"- Student: {attempt.student_name} — {labels[round_.side]}",
        f"- {BOT_NAME}: {labels[round_.bot_side]}",
        f"- Format: {', '.join(fmt.phases())}; up to {fmt.word_limit} words a turn; {timer}",
        f"- Started: {iso(attempt.started_at)}"
        + (f"; finished: {iso(attempt.finished_at)}" if attempt.finished_at else ""),
    ]
    if attempt.assignment_code:
        lines.append(f"- Assignment: {attempt.assignment_code}")
    if round_.thesis:
        lines.append(f"- Thesis: {round_.thesis}")
    return lines


def _turn_lines(turn: RoundTurn, student: str) -> list[str]:
    who = student if turn.role == "student" else BOT_NAME
    notes = [f"{len(turn.text.split())} words", f"{turn.seconds:.0f} s"]
    if turn.expired:
        notes.append("time ran out — submitted as is")
    if turn.truncated_words:
        notes.append(f"cut at the word limit ({turn.truncated_words} words dropped)")
    lines = ["", f"**{who}** ({'; '.join(notes)}):", ""]
    lines += [f"> {line}" if line else ">" for line in (turn.text or "(nothing)").splitlines()]
    for c in bot_citations(turn.reply) if turn.reply else []:
        lines.append(f"- [{c['marker']}] {c['section']} (`{c['passage_id']}`): “{' '.join(c['text'].split())}”")
    return lines


def scorecard_markdown(card: dict[str, Any]) -> list[str]:
    names = {c: rubric()["criteria"][c]["name"] for c in CRITERIA}
    lines = ["", "## Scorecard", "", "| Turn | " + " | ".join(names[c] for c in CRITERIA) + " |"]
    lines.append("|---" * (len(CRITERIA) + 1) + "|")
    for turn in card["turns"]:
        cells = [_cell(turn["criteria"][c]) for c in CRITERIA]
        lines.append(f"| {turn['phase']} | " + " | ".join(cells) + " |")
    overall = card["overall"]
    lines.append("| **overall** | " + " | ".join(_mean(overall[c]) for c in CRITERIA) + " |")
    lines += ["", f"Total: {card['total']} / {card['out_of']} (mean level per criterion, summed)."]
    used = ", ".join(f"{p['label']} ({p['section']})" for p in card["passages_used"]) or "none"
    lines += [f"Passages used: {used}.", ""]
    for turn in card["turns"]:
        lines += _turn_details(turn)
    lines += ["", f"Rubric: {rubric()['title']} — see prompts/classroom/rubric.yaml."]
    return lines


def _cell(criterion: dict[str, Any]) -> str:
    if criterion["score"] is None:
        return "n/a"
    mark = {"model opinion": " (model opinion)", "heuristic": " (heuristic)"}.get(criterion["source"], "")
    return f"{criterion['score']}{mark}"


def _mean(value: float | None) -> str:
    return "n/a" if value is None else f"{value}"


def _turn_details(turn: dict[str, Any]) -> list[str]:
    lines = ["", f"### {turn['phase'].capitalize()}", ""]
    lines += [f"- _{note}_" for note in turn["notes"]]
    for name in CRITERIA:
        c = turn["criteria"][name]
        score = "n/a" if c["score"] is None else f"{c['score']}/{c['max']}"
        lines.append(f"- **{name.capitalize()} {score}** ({c['source']}){': ' + c['level'] if c['level'] else ''}")
        lines += [f"  - {line}" for line in c["feedback"] if line]
        refs = ", ".join(f"{p['label']} `{p['id']}`" for p in c["passages"])
        if refs:
            lines.append(f"  - Passages: {refs}")
    return lines
