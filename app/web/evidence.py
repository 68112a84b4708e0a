"""The evidence panel: what backs the latest reply (live or restored).

Cited passages come first and are marked; each shows its section, with the cited span highlighted.
Quotes are shown as found verbatim (with their role and voice in the argument map) or flagged, and each
sentence of the reply carries its grounding label, so a sentence "not from the essay" stands out. A reply
stopped before its checks gets them from what had streamed. All text is HTML-escaped.
"""

from __future__ import annotations

from html import escape

from app.debate.models import LABEL_NAMES, Citation, Quote, Reply, Sentence
from app.debate.moves import describe_moves
from app.web.argument_view import ROLE_NAMES
from app.web.chips import chip_href, chips_html
from app.web.text import ui_text
from ingest.models import Passage

LABEL_ICONS = {"quote": "❝", "supported": "✓", "auto": "↪", "unsupported": "!", "frame": "·"}


def evidence_html(reply: Reply | None) -> str:
    """The whole panel for one reply (or a friendly empty state)."""
    if not reply:
        return f'<div class="cp-evidence cp-empty"><p>{escape(ui_text("evidence_empty"))}</p></div>'
    parts = [
        _summary(reply),
        _sentences(reply.sentences, reply.citations),
        _verified(reply.verified_quotes),
        _flagged(reply.flagged_quotes),
        _passages(reply),
    ]
    return '<div class="cp-evidence">' + "".join(parts) + "</div>"


def stopped_html(checked: Reply) -> str:
    """The panel for a reply stopped before the service checked it: the checks run on what had streamed
    (`turns.stopped_checks`: its quotes looked up in the essay, its chips' passages), marked as such."""
    parts = [
        f'<div class="cp-ev-summary"><span class="cp-ev-title">{escape(ui_text("stopped_evidence"))}</span>'
        f'<span class="cp-badges">{_quote_badges(checked)}</span></div>',
        _verified(checked.verified_quotes),
        _flagged(checked.flagged_quotes),
        _passages(checked),
    ]
    return '<div class="cp-evidence cp-ev-stopped">' + "".join(parts) + "</div>"


def _quote_badges(reply: Reply) -> str:
    """What was checked, said plainly: a verified quote is word for word in the essay, nothing more."""
    verified, flagged = len(reply.verified_quotes), len(reply.flagged_quotes)
    badges = [f'<span class="cp-badge cp-b-ok">{escape(ui_text("quotes_verbatim", count=verified))}</span>']
    if flagged:
        badges.append(f'<span class="cp-badge cp-b-bad">{escape(ui_text("quote_not_found", count=flagged))}</span>')
    return "".join(badges)


def _summary(reply: Reply) -> str:
    unsupported = sum(1 for s in reply.sentences if s.label == "unsupported")
    badges = [_quote_badges(reply)]
    if unsupported:
        badges.append(f'<span class="cp-badge cp-b-warn">! {unsupported} not from the essay</span>')
    mode = escape(reply.mode.replace("-", " "))
    moves = reply.moves
    line = f'<span class="cp-ev-moves" title="the debate moves of this reply">{escape(describe_moves(moves))}</span>'
    return (
        f'<div class="cp-ev-summary"><span class="cp-ev-title">Latest reply · {mode}</span>'
        f'<span class="cp-badges">{"".join(badges)}</span>{line if moves else ""}</div>'
    )


def _sentences(sentences: list[Sentence], citations: list[Citation]) -> str:
    if not sentences:
        return ""
    items = []
    for s in sentences:
        label = s.label
        name = escape(LABEL_NAMES.get(label, label))
        icon = LABEL_ICONS.get(label, "·")
        items.append(
            f'<li class="cp-sent cp-lab-{escape(label)}"><span class="cp-lab" title="{name}">{icon} {name}</span>'
            f'<span class="cp-sent-text">{chips_html(s.text, citations)}</span></li>'
        )
    return '<details class="cp-ev-block" open><summary>Sentence by sentence</summary><ul class="cp-sents">' + (
        "".join(items) + "</ul></details>"
    )


def _verified(quotes: list[Quote]) -> str:
    """Each quote found verbatim, with what the argument map says it is: its role and whose view it is."""
    if not quotes:
        return ""
    items = "".join(f"<li>“{escape(q.text)}”{_quote_role(q)}</li>" for q in quotes)
    return (
        '<details class="cp-ev-block cp-verified" open><summary>Quoted verbatim: role in the essay</summary>'
        f'<ul class="cp-quotes">{items}</ul></details>'
    )


def _quote_role(quote: Quote) -> str:
    """` — reason, the author's own view` (and a warning when the reply presents a reported view as the
    author's); nothing when the quote is not a node of the map."""
    role, voice = quote.role, quote.voice
    if not role or voice not in ("author", "reported"):
        return ""
    name = ROLE_NAMES.get(role, role).lower()
    line = ui_text("quote_role", role=name, voice=ui_text(f"quote_voice_{voice}"))
    wrong = voice == "reported" and quote.attributed == "author"
    warning = f'<span class="cp-q-wrong">⚠ {escape(ui_text("quote_misattributed"))}</span>' if wrong else ""
    return f'<span class="cp-q-role cp-q-{voice}">{escape(line)}</span>{warning}'


def _flagged(quotes: list[Quote]) -> str:
    if not quotes:
        return ""
    items = "".join(f"<li>“{escape(q.text)}”</li>" for q in quotes)
    return f'<div class="cp-flagged"><strong>⚠ Quotes not found in the essay</strong><ul>{items}</ul></div>'


def _passages(reply: Reply) -> str:
    cited = {c.passage_id: c for c in reply.citations}
    passages = sorted(reply.passages, key=lambda p: p.id not in cited)  # stable: cited first
    cards = [_card(p, cited.get(p.id)) for p in passages]
    return (
        f'<div class="cp-ev-block"><div class="cp-ev-sub">Passages retrieved ({len(passages)})</div>'
        + "".join(cards)
        + "</div>"
    )


def _card(passage: Passage, citation: Citation | None) -> str:
    label = escape(passage.label)
    state = "cited" if citation else "retrieved"
    badge = (
        '<span class="cp-badge cp-b-ok">cited' + (" (auto)" if citation and citation.auto else "") + "</span>"
        if citation
        else '<span class="cp-badge cp-b-muted">retrieved, not cited</span>'
    )
    return (
        f'<article class="cp-card cp-{state}" data-passage="{label}">'
        f'<header><a class="cp-chip" href="{chip_href(passage.label, citation)}" '
        f'title="Show {label} in the essay">{label}</a>'
        f'<span class="cp-section">{escape(passage.section)}{_page(passage)}</span>{badge}</header>'
        f'<p class="cp-card-text">{_highlighted(passage, citation)}</p></article>'
    )


def _page(passage: Passage) -> str:
    """` · p. 4` for a passage of a paged original (PDF), else nothing."""
    label = passage.page_label
    return f' <span class="cp-page">· {escape(label)}</span>' if label else ""


def _highlighted(passage: Passage, citation: Citation | None) -> str:
    text = passage.text
    if not citation:
        return escape(text)
    start = max(0, citation.start - passage.start)
    end = min(len(text), citation.end - passage.start)
    if start >= end:
        return escape(text)
    return escape(text[:start]) + f"<mark>{escape(text[start:end])}</mark>" + escape(text[end:])
