"""The map as an indented outline: thesis → claims → reasons and evidence; concessions; reported views."""

from __future__ import annotations

import textwrap

from argument.model import ArgumentMap, Node

WIDTH = 110


def outline(amap: ArgumentMap) -> str:
    """Plain text for `counterpoint map`: every argument node once, under what it supports."""
    lines: list[str] = [f"Argument map of '{amap.doc}' (built by {amap.builder})"]
    shown: set[str] = set()
    thesis = amap.thesis_node
    if thesis is None:
        lines.append("Thesis: none found")
    else:
        lines.append(_line(0, "Thesis", thesis))
        shown.add(thesis.id)
        lines += _supporters(amap, thesis, 1, shown)
    for claim in amap.by_role("claim"):
        if claim.voice == "author" and claim.id not in shown:
            lines.append(_line(1, "Claim", claim))
            shown.add(claim.id)
            lines += _supporters(amap, claim, 2, shown)
    lines += _section("Concessions (the author grants)", amap.by_role("concession"), shown)
    lines += _reported(amap, shown)
    lines += _section("Calls to action", amap.by_role("call_to_action"), shown)
    loose = [n for n in amap.nodes if n.is_argument and n.id not in shown]
    lines += _section("Other points", loose, shown)
    lines += ["", *[f"note: {n}" for n in amap.notices]]
    return "\n".join(lines)


def _supporters(amap: ArgumentMap, node: Node, depth: int, shown: set[str]) -> list[str]:
    lines: list[str] = []
    for child in amap.supporters(node.id):
        if child.id in shown or child.voice != "author":
            continue
        shown.add(child.id)
        lines.append(_line(depth, child.role.replace("_", " ").capitalize(), child))
        lines += [_answer_line(depth + 1, amap, r) for r in child.answers]
        lines += _supporters(amap, child, depth + 1, shown)
    return lines


def _reported(amap: ArgumentMap, shown: set[str]) -> list[str]:
    views = amap.reported()
    if not views:
        return []
    lines = ["", "Reported views (the essay describes these to reject them):"]
    for view in views:
        shown.add(view.id)
        lines.append(_line(1, "Reported", view))
        for answer in amap.answered_by(view.id):
            lines.append(_line(2, "Answered by", answer))
        if not amap.answered_by(view.id):
            lines.append("    (no direct answer found)")
    return lines


def _section(title: str, nodes: list[Node], shown: set[str]) -> list[str]:
    nodes = [n for n in nodes if n.id not in shown]
    if not nodes:
        return []
    shown.update(n.id for n in nodes)
    return ["", f"{title}:", *[_line(1, n.role.replace("_", " ").capitalize(), n) for n in nodes]]


def _answer_line(depth: int, amap: ArgumentMap, reported_id: str) -> str:
    view = amap.get(reported_id)
    return "  " * depth + f"(answers reported view [{reported_id}]: {_short(view.text if view else '', 70)})"


def _line(depth: int, label: str, node: Node) -> str:
    scheme = f" · {node.scheme}" if node.scheme else ""
    head = "  " * depth + f"{label} [{node.id}{scheme}] "
    body = textwrap.fill(node.text, WIDTH, initial_indent=head, subsequent_indent="  " * depth + "    ")
    return body


def _short(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"
