"""The Argument view: the essay's argument map as a picture, beside the source view.

The thesis on top; under it the claims, each with the reasons and evidence that back it (`supports`
links), drawn as a tree of cards; then what the author concedes; then the views the essay reports in
order to reject them, set apart, each with the author's answers (`answers` links); then calls to
action and other points. Every node is a link to `#cp-span-<start>-<end>` (the node's exact span of the
source text) that the page script (assets/counterpoint.js) catches to highlight and scroll to that span
in the source view. A node the debate has cited or quoted is marked "cited". All text is HTML-escaped.
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape
from typing import Any

from app.debate.models import Reply
from argument.model import ArgumentMap, Node

SHORT = 150  # characters of a node's text shown on its card; the full sentence is in its title
ROLE_NAMES = {
    "thesis": "Thesis",
    "claim": "Claim",
    "reason": "Reason",
    "evidence": "Evidence",
    "concession": "Concession",
    "call_to_action": "Call to action",
    "context": "Context",
}
LEGEND = ("thesis", "claim", "reason", "evidence", "concession", "call_to_action")
REPORTED_NOTE = "the essay reports this view to reject it"
CONCESSIONS = ("cp-arg-concessions", "Concessions", "what the author grants")
CALLS = ("cp-arg-calls", "Calls to action", "what the essay asks of the reader")


def render_argument(amap: ArgumentMap, used: set[str]) -> str:
    """The whole view for one map; `used` holds the ids of the nodes the debate has cited or quoted."""
    shown: set[str] = set()
    thesis = amap.thesis_node
    if thesis is not None and thesis.voice == "author":
        shown.add(thesis.id)
        top = f'<ul class="cp-tree"><li>{_card(thesis, used)}{_branches(amap, thesis, used, shown)}</li></ul>'
    else:
        top = '<p class="cp-arg-none">No clear thesis found: the text may not argue for one position.</p>'
    claims = []
    for claim in amap.by_role("claim"):
        if claim.voice == "author" and claim.id not in shown:  # claims not linked to the thesis
            shown.add(claim.id)
            claims.append(f"<li>{_card(claim, used)}{_branches(amap, claim, used, shown)}</li>")
    if claims:
        top += f'<ul class="cp-tree cp-tree-loose">{"".join(claims)}</ul>'
    concessions = _section(CONCESSIONS, _fresh(amap.by_role("concession"), shown), used, shown)
    reported = _reported(amap, used, shown)
    calls = _section(CALLS, _fresh(amap.by_role("call_to_action"), shown), used, shown)
    parts = [
        _legend(amap, used),
        f'<section class="cp-arg-main" aria-label="Thesis, claims, reasons and evidence">{top}</section>',
        concessions,
        reported,
        calls,
        _others(amap, used, shown),
        _notices(amap.notices),
    ]
    return f'<div class="cp-argument" data-doc="{escape(amap.doc)}">{"".join(parts)}</div>'


def empty_argument(message: str) -> str:
    """The view when there is no map to show (no document, or a map that could not be read)."""
    return f'<div class="cp-argument cp-empty"><p>{escape(message)}</p></div>'


def used_nodes(amap: ArgumentMap, turns: Iterable[Any], doc: str) -> set[str]:
    """The nodes the debate's replies about `doc` cited or quoted (verified quotes): `ArgumentMap.at`
    of every cited and quoted span."""
    used: set[str] = set()
    for turn in turns:
        if getattr(turn, "doc", None) != doc or not turn.reply:
            continue
        for start, end in _spans(turn.reply):
            node = amap.at(start, end)
            if node is not None:
                used.add(node.id)
    return used


def debate_argument(service: Any, debate: Any) -> str:
    """The view for a debate: the map of its document, the nodes its replies used marked."""
    if service.document(debate.doc) is None:
        return empty_argument("No essay to map yet: ingest or upload one.")
    try:
        amap = service.argument_map(debate.doc)
    except Exception:
        return empty_argument("The argument map of this text could not be read.")
    if not amap.nodes:
        return empty_argument("No argument map for this text.")
    return render_argument(amap, used_nodes(amap, debate.turns, debate.doc))


def _spans(reply: Reply) -> list[tuple[int, int]]:
    spans = [(c.start, c.end) for c in reply.citations]
    return spans + [(q.start, q.end) for q in reply.verified_quotes if q.start is not None and q.end is not None]


def _fresh(nodes: list[Node], shown: set[str]) -> list[Node]:
    return [n for n in nodes if n.id not in shown]


def _branches(amap: ArgumentMap, node: Node, used: set[str], shown: set[str]) -> str:
    """The author's reasons and evidence under `node`, recursively, each node drawn once."""
    items = []
    for child in amap.supporters(node.id):
        if child.id in shown or child.voice != "author":
            continue
        shown.add(child.id)
        items.append(f"<li>{_card(child, used, _answers_note(amap, child))}{_branches(amap, child, used, shown)}</li>")
    return f'<ul class="cp-tree">{"".join(items)}</ul>' if items else ""


def _answers_note(amap: ArgumentMap, node: Node) -> str:
    views = [v for v in (amap.get(i) for i in node.answers) if v is not None]
    if not views:
        return ""
    quoted = "; ".join(f"“{_short(v.text, 60)}”" for v in views)
    return f'<span class="cp-node-answers">answers the reported view {escape(quoted)}</span>'


def _reported(amap: ArgumentMap, used: set[str], shown: set[str]) -> str:
    views = amap.reported()
    if not views:
        return ""
    pairs = []
    for view in views:
        shown.add(view.id)
        answers = amap.answered_by(view.id)
        shown.update(a.id for a in answers)
        replies = (
            "".join(f"<li>{_card(a, used)}</li>" for a in answers)
            if answers
            else '<li class="cp-arg-unanswered">no direct answer found</li>'
        )
        pairs.append(
            f'<div class="cp-arg-pair">{_card(view, used, label=f"Reported view · {REPORTED_NOTE}")}'
            f'<div class="cp-arg-answered"><span class="cp-arg-answered-by">answered by</span>'
            f'<ul class="cp-tree">{replies}</ul></div></div>'
        )
    return (
        '<section class="cp-arg-section cp-arg-reported" aria-label="Reported views">'
        f"{_heading('Reported views', 'views the essay describes in order to reject them')}{''.join(pairs)}</section>"
    )


def _section(kind: tuple[str, str, str], nodes: list[Node], used: set[str], shown: set[str]) -> str:
    if not nodes:
        return ""
    css, title, note = kind
    shown.update(n.id for n in nodes)
    cards = "".join(f"<li>{_card(n, used)}</li>" for n in nodes)
    return (
        f'<section class="cp-arg-section {css}" aria-label="{escape(title)}">{_heading(title, note)}'
        f'<ul class="cp-arg-list">{cards}</ul></section>'
    )


def _others(amap: ArgumentMap, used: set[str], shown: set[str]) -> str:
    loose = [n for n in amap.nodes if n.is_argument and n.id not in shown]
    if not loose:
        return ""
    shown.update(n.id for n in loose)
    cards = "".join(f"<li>{_card(n, used)}</li>" for n in loose)
    return (
        '<details class="cp-arg-section cp-arg-others"><summary>'
        f"Other points ({len(loose)})</summary>"
        f'<ul class="cp-arg-list">{cards}</ul></details>'
    )


def _card(node: Node, used: set[str], extra: str = "", label: str = "") -> str:
    """One node: a link to its span in the source view, its role, compact text, and a "cited" badge."""
    role = node.role if node.role in ROLE_NAMES else "context"
    classes = f"cp-node cp-role-{role}"
    if node.voice == "reported":
        classes += " cp-reported"
    if node.id in used:
        classes += " cp-used"
    name = label or ROLE_NAMES[role] + (" · reported view" if node.voice == "reported" else "")
    scheme = f'<span class="cp-node-scheme">{escape(node.scheme.replace("_", " "))}</span>' if node.scheme else ""
    badge = '<span class="cp-node-used" title="Cited or quoted in this debate">cited</span>' if node.id in used else ""
    return (
        f'<a class="{classes}" href="#cp-span-{node.start}-{node.end}" data-node="{escape(node.id)}" '
        f'data-start="{node.start}" data-end="{node.end}" title="{escape(node.text)}">'
        f'<span class="cp-node-head"><span class="cp-node-role">{escape(name)}</span>{scheme}{badge}</span>'
        f'<span class="cp-node-text">{escape(_short(node.text, SHORT))}</span>{extra}</a>'
    )


def _legend(amap: ArgumentMap, used: set[str]) -> str:
    keys = "".join(
        f'<span class="cp-key cp-role-{role}"><i aria-hidden="true"></i>{escape(ROLE_NAMES[role])}</span>'
        for role in LEGEND
    )
    keys += '<span class="cp-key cp-reported"><i aria-hidden="true"></i>Reported view</span>'
    cited = f'<span class="cp-arg-count">{len(used)} cited in this debate</span>' if used else ""
    return (
        f'<div class="cp-arg-legend" aria-label="Legend">{keys}{cited}</div>'
        '<p class="cp-arg-hint">Click a point to see it in the essay.</p>'
    )


def _heading(title: str, note: str) -> str:
    return f'<h3 class="cp-arg-title">{escape(title)} <span>{escape(note)}</span></h3>'


def _notices(notices: list[str]) -> str:
    if not notices:
        return ""
    return '<p class="cp-arg-notes">' + " · ".join(escape(n) for n in notices) + "</p>"


def _short(text: str, n: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"
