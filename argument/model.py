"""The shapes of an argument map: nodes are exact spans of the source, links point at nodes."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Role = Literal["thesis", "claim", "reason", "evidence", "concession", "call_to_action", "context"]
Voice = Literal["author", "reported"]
ROLES: tuple[str, ...] = ("thesis", "claim", "reason", "evidence", "concession", "call_to_action", "context")
VOICES: tuple[str, ...] = ("author", "reported")


@dataclass
class Node:
    """One span of the source with its role in the argument: `text == source[start:end]`, verbatim."""

    id: str
    role: str
    voice: str
    start: int
    end: int
    text: str
    passage_id: str | None = None
    supports: list[str] = field(default_factory=list)  # reason/evidence -> the claim it backs
    answers: list[str] = field(default_factory=list)  # the author's rebuttal -> the reported view it rejects
    scheme: str | None = None  # the argument scheme of an author's reason (see argument/schemes.py)

    @property
    def is_argument(self) -> bool:
        """Part of the argument proper (not framing, headings or transitions)."""
        return self.role != "context"

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class ArgumentMap:
    """The argument of one document version. `thesis` is a node id, or None when the text has no clear one."""

    doc: str
    thesis: str | None
    nodes: list[Node]
    builder: str = "rules"  # "rules" (cue-based, no model) or "llm" (proposed by a model, then validated)
    version: str = ""  # the document version this map was built from
    notices: list[str] = field(default_factory=list)  # what the builder could and could not find

    def node(self, node_id: str) -> Node:
        return self._by_id()[node_id]

    def get(self, node_id: str | None) -> Node | None:
        return self._by_id().get(node_id) if node_id else None

    def _by_id(self) -> dict[str, Node]:
        return {n.id: n for n in self.nodes}

    @property
    def thesis_node(self) -> Node | None:
        return self.get(self.thesis)

    def by_role(self, *roles: str) -> list[Node]:
        return [n for n in self.nodes if n.role in roles]

    def reported(self) -> list[Node]:
        return [n for n in self.nodes if n.voice == "reported"]

    def answered_by(self, node_id: str) -> list[Node]:
        """The author's nodes that rebut a reported view."""
        return [n for n in self.nodes if node_id in n.answers]

    def supporters(self, node_id: str) -> list[Node]:
        """The reasons and evidence that back a node."""
        return [n for n in self.nodes if node_id in n.supports]

    def following(self, node_id: str, n: int = 2) -> list[Node]:
        """Up to `n` nodes right after this one in the text, within its passage."""
        ordered = sorted(self.nodes, key=lambda node: node.start)
        at = next((i for i, node in enumerate(ordered) if node.id == node_id), None)
        if at is None:
            return []
        return [node for node in ordered[at + 1 : at + 1 + n] if node.passage_id == ordered[at].passage_id]

    def at(self, start: int, end: int) -> Node | None:
        """The node covering most of the span `start:end` (e.g. a quoted sentence), if any."""
        best, overlap = None, 0
        for node in self.nodes:
            shared = min(end, node.end) - max(start, node.start)
            if shared > overlap:
                best, overlap = node, shared
        return best

    def to_json(self) -> dict[str, Any]:
        """The `counterpoint map --json` contract: doc, thesis, nodes (+ builder, version, notices)."""
        return {
            "doc": self.doc,
            "thesis": self.thesis,
            "nodes": [n.to_json() for n in self.nodes],
            "builder": self.builder,
            "version": self.version,
            "notices": list(self.notices),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ArgumentMap:
        nodes = [Node(**{k: v for k, v in n.items() if k in _NODE_FIELDS}) for n in data.get("nodes", [])]
        return cls(
            doc=data["doc"],
            thesis=data.get("thesis"),
            nodes=nodes,
            builder=data.get("builder", "rules"),
            version=data.get("version", ""),
            notices=list(data.get("notices", [])),
        )


_NODE_FIELDS = set(Node.__dataclass_fields__)


class MapError(ValueError):
    """A proposed map breaks a rule (a node that is not a span, a link to nothing, two theses…)."""


def validate(amap: ArgumentMap, source: str) -> None:
    """A map is never invented: every node slices back to its text, links point at nodes, one thesis at most."""
    ids = {n.id for n in amap.nodes}
    if len(ids) != len(amap.nodes):
        raise MapError("duplicate node ids")
    for n in amap.nodes:
        if not (0 <= n.start < n.end <= len(source)) or source[n.start : n.end] != n.text:
            raise MapError(f"node {n.id} is not an exact span of the source")
        if n.role not in ROLES or n.voice not in VOICES:
            raise MapError(f"node {n.id} has an unknown role or voice ({n.role}, {n.voice})")
        missing = [t for t in (*n.supports, *n.answers) if t not in ids or t == n.id]
        if missing:
            raise MapError(f"node {n.id} links to nodes that do not exist: {', '.join(missing)}")
    theses = [n.id for n in amap.nodes if n.role == "thesis"]
    if len(theses) > 1 or (amap.thesis is not None and theses != [amap.thesis]):
        raise MapError("a map has exactly one thesis node, named by its `thesis` field (or none)")
