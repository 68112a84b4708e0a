"""Role queries: questions about the essay's argument itself, answered from its argument map.

"Does the author concede anything?", "What is the main argument?", "What evidence does the author give?",
"What reasons…?", "What views does the essay reject?" ask for a *kind* of sentence, which similarity to
the question finds poorly (the thesis is rarely the sentence closest to "what is the main argument"). The
cue patterns live in `prompts/argument/role-queries.yaml`; `role_query(message)` names the roles asked
for, and `select_by_role` picks the sentences to quote: the map's nodes of those roles, in the author's
voice, ranked by similarity to the message (the thesis first, by definition). Only the "views the essay
rejects" query quotes `reported` nodes, each framed as reported and followed by the author's answer.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from app.debate.prompts import load_yaml
from app.debate.scaffold import Selected, _quotable
from argument.model import ArgumentMap, Node
from ingest.models import Passage

QUERY_FILE = "argument/role-queries.yaml"
REPORTED = "reported"  # not a role but a voice: the views the essay describes in order to reject them
ROLE_SCORE = 1.0  # a role selection's score: chosen for what it is, so never "off topic"
SentenceScores = Sequence[tuple[tuple[int, int], float]]  # a passage's sentences: (span, similarity)


@dataclass(frozen=True)
class RoleQuery:
    name: str
    roles: tuple[str, ...]
    patterns: tuple[re.Pattern[str], ...]
    unless: tuple[re.Pattern[str], ...]
    frames: tuple[str, str]

    def matches(self, message: str) -> bool:
        return any(p.search(message) for p in self.patterns) and not any(u.search(message) for u in self.unless)


@dataclass
class RoleSelected(Selected):
    """A sentence chosen because of its role in the argument map, with the frame to quote it under."""

    role: str = ""
    node_id: str = ""
    frame: str = ""
    similarity: float = 0.0  # to the message (the ranking within a role); `score` is ROLE_SCORE


@cache
def _asks() -> re.Pattern[str]:
    return re.compile(load_yaml(QUERY_FILE)["asks"], re.IGNORECASE)


@cache
def role_queries() -> tuple[RoleQuery, ...]:
    data: dict[str, Any] = load_yaml(QUERY_FILE)
    subject = data["subject"]

    def compiled(patterns: list[str]) -> tuple[re.Pattern[str], ...]:
        return tuple(re.compile(p.replace("{subject}", subject), re.IGNORECASE) for p in patterns)

    return tuple(
        RoleQuery(
            q["name"], tuple(q["roles"]), compiled(q["patterns"]), compiled(q.get("unless", [])), tuple(q["frames"])
        )  # type: ignore[arg-type]
        for q in data["queries"]
    )


def role_query(message: str) -> list[str] | None:
    """The roles a message asks about (`reported` for the views the essay rejects), or None."""
    text = " ".join((message or "").split())[:600]
    if not text or not _asks().search(text):  # "The essay's own caveat undermines its thesis." is a claim
        return None
    roles = [r for q in role_queries() if q.matches(text) for r in q.roles]
    return list(dict.fromkeys(roles)) or None


def select_by_role(
    amap: ArgumentMap,
    roles: Sequence[str],
    passages: Sequence[Passage],
    scores: Mapping[str, SentenceScores],
    n: int = 2,
) -> list[RoleSelected]:
    """Up to `n` sentences to quote for a role query, from the map's nodes of those roles.

    `passages`: the document's passages (a node is quoted from the passage that holds it); `scores`:
    passage id -> its sentences' similarity to the message, ranking the nodes within a role. Each role
    asked for gets its best node first; then the rest, round robin. Never a `reported` node, except for
    the `reported` query, where each view comes with the author's answer to it.
    """
    by_id = {p.id: p for p in passages}
    frames = {r: q.frames for q in role_queries() for r in q.roles}
    ranked = {role: _ranked(amap, role, by_id, scores) for role in roles}
    chosen: list[RoleSelected] = []
    seen: set[str] = set()
    for depth in range(n):
        for role in roles:
            for node, passage, similarity in ranked[role][depth : depth + 1]:
                group = [(node, passage, similarity, role)]
                if role == REPORTED:
                    group += _answers(amap, node, by_id, scores)
                for member, where, sim, kind in group:
                    if member.id in seen or len(chosen) >= n:
                        continue
                    seen.add(member.id)
                    frame = _frame(frames, role, kind, first=not chosen)
                    chosen.append(
                        RoleSelected(where, member.start, member.end, ROLE_SCORE, kind == "concession", kind,
                                     member.id, frame, sim)
                    )  # fmt: skip
    return chosen


def _ranked(
    amap: ArgumentMap, role: str, by_id: Mapping[str, Passage], scores: Mapping[str, SentenceScores]
) -> list[tuple[Node, Passage, float]]:
    if role == REPORTED:
        nodes = amap.reported()
    elif role == "thesis":
        nodes = [amap.thesis_node] if amap.thesis_node and amap.thesis_node.voice == "author" else []
    else:
        nodes = [n for n in amap.by_role(role) if n.voice == "author"]
    found = [(node, passage, _similarity(node, scores)) for node in nodes if (passage := _holder(node, by_id))]
    if role == "thesis" and found:  # then the claims that back it, closest to the message first
        claims = [n for n in amap.supporters(found[0][0].id) if n.voice == "author" and n.role == "claim"]
        backing = [(c, p, _similarity(c, scores)) for c in claims if (p := _holder(c, by_id))]
        return found[:1] + sorted(backing, key=lambda item: -item[2])
    return sorted(found, key=lambda item: -item[2])


def _answers(
    amap: ArgumentMap, view: Node, by_id: Mapping[str, Passage], scores: Mapping[str, SentenceScores]
) -> list[tuple[Node, Passage, float, str]]:
    """The author's answer to a reported view (the first one that can be quoted)."""
    for answer in amap.answered_by(view.id):
        passage = _holder(answer, by_id)
        if answer.voice == "author" and passage is not None:
            return [(answer, passage, _similarity(answer, scores), "answer")]
    return []


def _frame(frames: Mapping[str, tuple[str, str]], role: str, kind: str, first: bool) -> str:
    first_frame, more = frames.get(role, ("", ""))
    if role == REPORTED:
        return more if kind == "answer" else first_frame
    return first_frame if first else more


def _holder(node: Node, by_id: Mapping[str, Passage]) -> Passage | None:
    """The passage that holds the node verbatim, if its sentence can be quoted."""
    passage = by_id.get(node.passage_id or "")
    if passage is None or not (passage.start <= node.start < node.end <= passage.end):
        return None
    if passage.text[node.start - passage.start : node.end - passage.start] != node.text:
        return None
    return passage if _quotable(passage, (node.start, node.end)) else None


def _similarity(node: Node, scores: Mapping[str, SentenceScores]) -> float:
    """The similarity of the passage sentence that overlaps the node most."""
    best, overlap = 0.0, 0
    for (start, end), score in scores.get(node.passage_id or "", ()):
        shared = min(end, node.end) - max(start, node.start)
        if shared > overlap:
            best, overlap = score, shared
    return best


def role_passage_ids(
    amap: ArgumentMap, roles: Sequence[str], passages: Sequence[Passage], scores: Mapping[str, SentenceScores]
) -> list[str]:
    """The passages that hold the nodes a role query will quote, best first: retrieval puts them first."""
    return list(dict.fromkeys(s.passage.id for s in select_by_role(amap, roles, passages, scores)))


def role_nodes(message: str, amap: ArgumentMap, similarity: Callable[[Node], float] | None = None) -> list[Node] | None:
    """For a role query, the map's nodes of the roles asked for, best first (None when it is not one).

    The thesis leads; otherwise the closest to the message by `similarity`. Author's voice only, except
    for the "views the essay rejects" query, which gets the reported views.
    """
    roles = role_query(message)
    if not roles:
        return None
    rank = similarity or (lambda node: 0.0)
    found: list[Node] = []
    for role in roles:
        if role == "thesis":
            found += [amap.thesis_node] if amap.thesis_node is not None else []
        elif role == REPORTED:
            found += sorted(amap.reported(), key=lambda n: -rank(n))
        else:
            found += sorted((n for n in amap.by_role(role) if n.voice == "author"), key=lambda n: -rank(n))
    return list({n.id: n for n in found}.values()) or None
