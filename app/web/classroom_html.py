"""HTML and chat messages for the Classroom and Teacher tabs: the round's header, timer and transcript, the
scorecard, and the teacher's tables.

Names, turns, theses and essay text are user input: everything is HTML-escaped here (and chat messages go
through `chips`, which escapes them too). Nothing rendered here contains an attempt token except
`round_header`, which shows the student their own key.
"""

from __future__ import annotations

import uuid
from html import escape
from typing import Any

from app.classroom.rounds import PracticeRound, RoundFormat, RoundTurn, word_count
from app.classroom.rubric import CRITERIA, rubric
from app.classroom.store import Assignment, Attempt
from app.classroom.wording import rounds_text
from app.web import chips
from app.web.source import CitedSpan
from app.web.text import class_text

SOURCE_TAGS = {"text check": ("cp-b-ok", "text check"), "heuristic": ("cp-b-muted", "heuristic")}
MODEL_TAG = ("cp-b-opinion", "model opinion")


def e(value: Any) -> str:
    """HTML-escape anything (None shows as nothing)."""
    return escape("" if value is None else str(value))


def side_text(side: str) -> str:
    return str(rounds_text("side_label")[side])


def criterion_name(criterion: str) -> str:
    return str(rubric()["criteria"][criterion]["name"])


def phase_name(phase: str) -> str:
    return phase[:1].upper() + phase[1:]


def format_text(fmt: RoundFormat) -> str:
    timer = class_text("timer_seconds", seconds=fmt.turn_seconds) if fmt.turn_seconds else class_text("timer_none")
    phases = ", ".join(fmt.phases())
    return class_text("format_line", phases=phases, words=fmt.word_limit, timer=timer)


def panel_title(title: str, note: str) -> str:
    return f'<div class="cp-panel-title"><h2>{e(title)}</h2><span>{e(note)}</span></div>'


# --- the round ---------------------------------------------------------------------------------------
def round_header(attempt: Attempt, title: str) -> str:
    """Who argues what, the format, where the round stands, and the student's key."""
    round_ = attempt.round
    where = {"student": "your turn", "bot": "Counterpoint's turn", "finished": "finished"}[round_.status]
    phase = "" if round_.status == "finished" else f"{phase_name(round_.phase)} · "
    assignment = f'<span class="cp-badge cp-b-muted">assignment {e(attempt.assignment_code)}</span>' * bool(
        attempt.assignment_code
    )
    thesis = f'<p class="cp-cl-thesis">{e(class_text("assignment_thesis", thesis=round_.thesis))}</p>' * bool(
        round_.thesis
    )
    return (
        '<div class="cp-cl-head">'
        f'<div class="cp-cl-who"><strong>{e(attempt.student_name)}</strong> argues '
        f'<span class="cp-cl-side">{e(side_text(round_.side))}</span>; Counterpoint argues '
        f'<span class="cp-cl-side cp-cl-bot">{e(side_text(round_.bot_side))}</span>.</div>'
        f'<div class="cp-cl-meta"><span class="cp-badge cp-b-phase">{e(phase)}{e(where)}</span>'
        f'<span class="cp-cl-doc">{e(title)}</span>{assignment}'
        f'<span class="cp-cl-format">{e(format_text(round_.format))}</span></div>'
        f"{thesis}"
        f'<details class="cp-cl-key"><summary>{e(class_text("key_note"))}</summary>'
        f'<code class="cp-cl-token" tabindex="0">{e(attempt.token)}</code></details>'
        "</div>"
    )


def timer_html(round_: PracticeRound, remaining: float | None) -> str:
    """The countdown (run by assets/classroom.js) and the word counter of the student's turn.

    `data-remaining` is the server's count when this was rendered; `data-stamp` changes on every render,
    so the page re-syncs its clock to the server's each time."""
    limit = round_.format.word_limit
    words = f'<span class="cp-cl-words" data-limit="{limit}">0 / {limit} words</span>'
    if round_.status != "student":
        return '<div class="cp-cl-timer" data-state="off"></div>'
    if remaining is None:
        clock = f'<span class="cp-cl-clock">{e(class_text("no_timer"))}</span>'
        return f'<div class="cp-cl-timer" data-state="untimed">{clock}{words}</div>'
    total = round_.format.turn_seconds
    clock = f'<span class="cp-cl-clock" role="timer" aria-label="Time left in your turn">{_mmss(remaining)}</span>'
    bar = f'<span class="cp-cl-bar"><span style="width:{100 * remaining / total:.1f}%"></span></span>'
    return (
        f'<div class="cp-cl-timer" data-state="running" data-remaining="{remaining:.2f}" data-total="{total}" '
        f'data-stamp="{uuid.uuid4().hex[:12]}">{clock}{bar}{words}</div>'
    )


def _mmss(seconds: float) -> str:
    whole = max(0, int(seconds + 0.999))
    return f"{whole // 60}:{whole % 60:02d}"


def turn_note(turn: RoundTurn) -> str:
    notes = [phase_name(turn.phase), f"{word_count(turn.text)} words" if turn.role == "student" else "Counterpoint"]
    if turn.expired:
        notes.append("⏱ time ran out — submitted as is")
    if turn.truncated_words:
        notes.append(f"✂ cut at the word limit ({turn.truncated_words} words dropped)")
    return " · ".join(notes)


def turn_message(turn: RoundTurn) -> dict[str, str]:
    """One chat bubble: the student's words escaped; the bot's reply with citation chips."""
    head = f"_{chips.escape(turn_note(turn))}_\n\n"
    if turn.role == "student":
        body = chips.escape(turn.text) if turn.text.strip() else "_(nothing)_"
        return {"role": "user", "content": head + body}
    reply = turn.reply
    body = chips.reply_markdown(turn.text, reply.citations if reply else [], reply.sentences if reply else None)
    if reply and reply.notice:
        body = f"> ⚠️ {chips.escape(reply.notice)}\n\n{body}"
    return {"role": "assistant", "content": head + body}


def round_messages(round_: PracticeRound) -> list[dict[str, str]]:
    return [turn_message(t) for t in round_.turns]


def streaming_messages(round_: PracticeRound, partial: str, placeholder: str) -> list[dict[str, str]]:
    """The transcript while the bot's reply streams in (placeholder until its first sentence)."""
    head = f"_{chips.escape(phase_name(round_.phase))} · Counterpoint_\n\n"
    shown = chips.reply_markdown(partial, []) if partial.strip() else f"_{chips.escape(placeholder)}_"
    return [*round_messages(round_), {"role": "assistant", "content": head + shown}]


def round_spans(round_: PracticeRound) -> list[CitedSpan]:
    """Every span the bot cited in this round (the latest bot turn's marked `latest`)."""
    replies = [t.reply for t in round_.turns if t.role == "bot" and t.reply]
    latest = {(c.start, c.end) for c in replies[-1].citations} if replies else set()
    spans: dict[tuple[int, int], CitedSpan] = {}
    for reply in replies:
        for c in reply.citations:
            key = (c.start, c.end)
            spans[key] = CitedSpan(c.marker, c.passage_id, c.start, c.end, key in latest)
    return sorted(spans.values(), key=lambda s: (s.start, s.end))


# --- the scorecard -----------------------------------------------------------------------------------
def scorecard_html(card: dict[str, Any] | None) -> str:
    """Scores per student turn and overall, flags, passages used (with ids) and each turn's findings."""
    if not card:
        return f'<div class="cp-score cp-empty"><p>{e(class_text("score_none"))}</p></div>'
    head = [f"<th>{e(criterion_name(c))}</th>" for c in CRITERIA]
    rows = []
    for turn in card["turns"]:
        cells = "".join(_score_cell(turn["criteria"][c]) for c in CRITERIA)
        rows.append(f"<tr><th scope='row'>{e(phase_name(turn['phase']))}</th>{cells}</tr>")
    overall = "".join(f"<td class='cp-sc-mean'>{_mean(card['overall'][c])}</td>" for c in CRITERIA)
    rows.append(f"<tr class='cp-sc-overall'><th scope='row'>Overall</th>{overall}</tr>")
    flags = card.get("flags", {})
    badges = [
        f'<span class="cp-badge cp-b-total">Total {e(card["total"])} / {e(card["out_of"])}</span>',
        _flag(flags.get("misquotes", 0), "misquote"),
        _flag(flags.get("misrepresentations", 0), "misrepresentation flag"),
        _flag(flags.get("expired_turns", 0), "turn out of time", warn=True),
    ]
    return (
        '<div class="cp-score">'
        f'<div class="cp-sc-top"><h3>{e(class_text("score_title"))}</h3>{"".join(badges)}</div>'
        f'<div class="cp-sc-wrap"><table class="cp-sc-table"><thead><tr><th>Turn</th>{"".join(head)}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>"
        f'<p class="cp-sc-legend">{e(class_text("score_legend"))}</p>'
        f"{_passages_used(card.get('passages_used', []))}"
        f"{''.join(_turn_details(t) for t in card['turns'])}"
        "</div>"
    )


def _score_cell(criterion: dict[str, Any]) -> str:
    if criterion["score"] is None:
        return "<td class='cp-sc-na'>n/a</td>"
    css, label = (
        MODEL_TAG
        if criterion["source"] == "model opinion"
        else SOURCE_TAGS.get(criterion["source"], ("cp-b-muted", criterion["source"]))
    )
    title = e(criterion.get("level", ""))
    return (
        f"<td title='{title}'><span class='cp-sc-num'>{e(criterion['score'])}</span>"
        f"<span class='cp-sc-max'>/{e(criterion['max'])}</span> <span class='cp-badge {css}'>{e(label)}</span></td>"
    )


def _mean(value: float | None) -> str:
    return "n/a" if value is None else e(value)


def _flag(count: int, what: str, warn: bool = False) -> str:
    if not count:
        return ""
    css = "cp-b-warn" if warn else "cp-b-bad"
    return f'<span class="cp-badge {css}">{count} {e(what)}{"s" * (count != 1)}</span>'


def passage_chip(ref: dict[str, Any]) -> str:
    """A passage as a chip (jumps to it in the source view) with its section and id."""
    label = e(ref.get("label", "?"))
    return (
        f'<span class="cp-psg-ref"><a class="cp-chip" href="#cp-goto-{label}">{label}</a> '
        f"{e(ref.get('section', ''))} <code>{e(ref.get('id', ''))}</code></span>"
    )


def _passages_used(refs: list[dict[str, Any]]) -> str:
    body = "".join(passage_chip(r) for r in refs) or "<span class='cp-muted'>none</span>"
    return f'<div class="cp-sc-used"><span class="cp-ev-sub">Passages you used</span>{body}</div>'


def _turn_details(turn: dict[str, Any]) -> str:
    ev = turn["evidence"]
    parts = [f"<li class='cp-sc-note'>{e(n)}</li>" for n in turn.get("notes", [])]
    for name in CRITERIA:
        c = turn["criteria"][name]
        score = "n/a" if c["score"] is None else f"{c['score']}/{c['max']}"
        tag = " · model opinion" if c["source"] == "model opinion" else f" · {c['source']}"
        lines = "".join(f"<li>{e(line)}</li>" for line in c["feedback"] if line)
        level = f" — {e(c['level'])}" if c.get("level") else ""
        parts.append(
            f"<li class='cp-sc-crit'><strong>{e(criterion_name(name))} {e(score)}</strong>"
            f"<span class='cp-muted'>{e(tag)}</span>{level}<ul>{lines}</ul></li>"
        )
    misquotes = "".join(
        f"<li class='cp-sc-misquote'>You wrote “{e(q['text'])}”"
        + (
            f" — the essay ({e((q.get('passage') or {}).get('label', '?'))}) really says: "
            f"<q class='cp-real'>{e(q['real_wording'])}</q>"
            if q.get("real_wording")
            else " — not found in the essay"
        )
        + "</li>"
        for q in ev.get("misquotes", [])
    )
    flags = "".join(
        f"<li class='cp-sc-misrep'>“{e(m['student'])}” — {e(m['reason'])}; {e(m['passage']['label'])} says "
        f"<q class='cp-real'>{e(m['essay_sentence'])}</q></li>"
        for m in ev.get("misrepresentations", [])
    )
    extra = ""
    if misquotes:
        extra += f"<div class='cp-flagged'><strong>Misquotes</strong><ul>{misquotes}</ul></div>"
    if flags:
        extra += f"<div class='cp-flagged'><strong>Misrepresentation flags</strong><ul>{flags}</ul></div>"
    used = "".join(passage_chip(p) for p in ev.get("passages_used", []))
    if used:
        extra += f"<div class='cp-sc-used'><span class='cp-ev-sub'>Passages used</span>{used}</div>"
    return (
        f"<details class='cp-sc-turn' open><summary>{e(phase_name(turn['phase']))} · {e(turn['words'])} words · "
        f"{e(turn['seconds'])} s</summary><blockquote class='cp-sc-text'>{e(turn['text']) or '(nothing)'}"
        f"</blockquote><ul class='cp-sc-list'>{''.join(parts)}</ul>{extra}</details>"
    )


# --- the teacher's view ------------------------------------------------------------------------------
def assignment_card(assignment: Assignment, title: str) -> str:
    side = "students choose" if assignment.side == "choice" else side_text(assignment.side)
    thesis = f"<p>{e(class_text('assignment_thesis', thesis=assignment.thesis))}</p>" * bool(assignment.thesis)
    return (
        '<div class="cp-assignment">'
        f'<div class="cp-code-line">Code <strong class="cp-code">{e(assignment.code)}</strong></div>'
        f"<p>{e(title)} · side: {e(side)} · {e(format_text(assignment.format))}</p>{thesis}</div>"
    )


# The attempts table scrolls sideways inside its own box (`contain: inline-size` stops the box growing with
# the table, which is what clipped it); long cells (passages, flags) wrap.
SCROLL_STYLE = "overflow-x:auto;max-width:100%;min-width:0;contain:inline-size"
TABLE_STYLE = "width:max-content;min-width:100%;overflow-wrap:anywhere"
WRAP = 'style="white-space:normal;max-width:16em"'


def attempts_html(rows: list[dict[str, Any]], code: str) -> str:
    """The attempts of one assignment: student, side, status, time, scores per criterion, passages, flags."""
    if not rows:
        return f'<div class="cp-empty"><p>{e(class_text("no_attempts", code=code))}</p></div>'
    head = "".join(f"<th>{e(criterion_name(c))}</th>" for c in CRITERIA)
    body = []
    for r in rows:
        scores = "".join(f"<td>{_mean(r['scores'][c])}</td>" for c in CRITERIA)
        used = " ".join(f'<a class="cp-chip" title="{e(p["section"])}">{e(p["label"])}</a>' for p in r["passages_used"])
        flags = ", ".join(
            f"{r[k]} {label}" for k, label in (("misquotes", "misquote(s)"), ("misrepresentations", "flag(s)"),
                                               ("expired_turns", "out of time")) if r[k]
        )  # fmt: skip
        body.append(
            f"<tr><td class='cp-student'>{e(r['student'])}</td><td>{e(r['side'])}</td><td>{e(r['status'])}</td>"
            f"{scores}<td>{_mean(r['total'])}</td><td>{e(r['minutes'])} min</td><td {WRAP}>{used}</td>"
            f"<td {WRAP}>{e(flags)}</td><td>{e(r['started_at'])}</td></tr>"
        )
    return (
        f'<div class="cp-sc-wrap cp-attempts-wrap" style="{SCROLL_STYLE}">'
        f'<table class="cp-sc-table cp-attempts" style="{TABLE_STYLE}"><thead><tr><th>Student</th><th>Side</th>'
        f"<th>Status</th>{head}<th>Total</th><th>Time</th><th>Passages used</th><th>Flags</th><th>Started</th>"
        f"</tr></thead><tbody>{''.join(body)}</tbody></table></div>"
    )


def summary_html(summary: dict[str, Any]) -> str:
    """The class summary: criterion means, most / least / never used passages and sections."""

    def refs(rows: list[dict[str, Any]]) -> str:
        return (
            "".join(
                f'<li><a class="cp-chip">{e(r["label"])}</a> {e(r["section"])} — {e(r["uses"])} use(s) by '
                f"{e(r['students'])} student(s)</li>"
                for r in rows
            )
            or "<li class='cp-muted'>none yet</li>"
        )

    means = " · ".join(f"{e(criterion_name(c))} {_mean(v)}" for c, v in summary["criteria"].items())
    never = ", ".join(e(label) for label in summary["never_used"]) or "none"
    sections = sorted(summary["sections"], key=lambda s: -int(s["uses"]))
    used = [s for s in sections if s["uses"]]

    def names(rows: list[dict[str, Any]]) -> str:
        return "; ".join(f"{e(s['section'])} ({e(s['uses'])})" for s in rows) or "none"

    all_sections = "".join(
        f"<li class='{'cp-never' if s['never_used'] else ''}'>{e(s['section'])} — {e(s['uses'])} use(s) · "
        f"{e(', '.join(s['passages']))}</li>"
        for s in sections
    )
    return (
        '<div class="cp-summary">'
        f"<p><strong>{e(summary['finished'])} of {e(summary['attempts'])} attempts finished.</strong> "
        f"Class means: {means}</p>"
        f"<div class='cp-sum-cols'><div><span class='cp-ev-sub'>Most used passages</span>"
        f"<ul>{refs(summary['most_used'])}</ul></div>"
        f"<div><span class='cp-ev-sub'>Least used passages</span><ul>{refs(summary['least_used'])}</ul></div></div>"
        f"<p><span class='cp-ev-sub'>Never used passages</span> {never}</p>"
        f"<p><span class='cp-ev-sub'>Most used sections</span> {names(used[:3])}</p>"
        f"<p><span class='cp-ev-sub'>Least used sections</span> {names(sections[::-1][:3])}</p>"
        f"<p class='cp-never'><span class='cp-ev-sub'>Never used sections</span> "
        f"{names([s for s in sections if s['never_used']])}</p>"
        f"<details><summary>Every section, most used first</summary><ul>{all_sections}</ul></details>"
        f"{argument_html(summary.get('argument', []))}"
        "</div>"
    )


def argument_html(parts: list[dict[str, Any]]) -> str:
    """The parts of the essay's argument (reasons, evidence, claims, the concession) the class engaged,
    and those nobody took up."""
    if not parts:
        return ""

    def items(rows: list[dict[str, Any]]) -> str:
        return (
            "".join(
                f'<li><span class="cp-badge cp-b-muted">{e(r["role"])}</span> <a class="cp-chip">{e(r["label"])}</a> '
                f"“{e(_words(r['text']))}” — {e(r['students'])} student(s)</li>"
                for r in rows
            )
            or "<li class='cp-muted'>none</li>"
        )

    engaged = sorted((r for r in parts if r["students"]), key=lambda r: -int(r["students"]))
    missed = [r for r in parts if not r["students"]]
    return (
        "<div class='cp-sum-argument'><span class='cp-ev-sub'>Parts of the argument the class engaged</span>"
        f"<ul>{items(engaged)}</ul><span class='cp-ev-sub'>Parts nobody engaged</span>"
        f"<ul class='cp-never'>{items(missed)}</ul></div>"
    )


def _words(text: str, limit: int = 18) -> str:
    words = text.split()
    return text if len(words) <= limit else " ".join(words[:limit]) + " …"


def transcript_html(data: dict[str, Any]) -> str:
    """One attempt in full (from `round_json`): every turn, the bot's citations, then the scorecard."""
    who = data["attempt"]
    turns = []
    for t in data["turns"]:
        name = who["student"] if t["role"] == "student" else "Counterpoint"
        notes = [f"{t['seconds']} s"]
        if t["expired"]:
            notes.append("time ran out — submitted as is")
        if t["truncated_words"]:
            notes.append(f"cut at the word limit ({t['truncated_words']} words dropped)")
        cites = "".join(
            f"<li><a class='cp-chip'>{e(c['marker'])}</a> {e(c['section'])} <code>{e(c['passage_id'])}</code>: "
            f"“{e(' '.join(c['text'].split()))}”</li>"
            for c in t.get("citations", [])
        )
        flagged = "".join(f"<li>⚠ not found in the essay: “{e(q)}”</li>" for q in t.get("flagged_quotes", []))
        extra = f"<ul class='cp-tr-cites'>{cites}{flagged}</ul>" if cites or flagged else ""
        turns.append(
            f"<div class='cp-tr-turn cp-tr-{e(t['role'])}'><div class='cp-tr-who'><strong>{e(name)}</strong> · "
            f"{e(phase_name(t['phase']))} · {e('; '.join(notes))}</div>"
            f"<div class='cp-tr-text'>{e(t['text']) or '(nothing)'}</div>{extra}</div>"
        )
    head = (
        f"<p><strong>{e(who['student'])}</strong> argued {e(side_text(who['side']))} · {e(who['status'])} · "
        f"started {e(who['started_at'])}</p>"
    )
    return f'<div class="cp-transcript">{head}{"".join(turns)}{scorecard_html(data.get("scorecard"))}</div>'
