"""Build an argument map from the text alone: discourse cues, structure, position and sentence similarity.

Every sentence of the text becomes a node (headings and transitions as `context`), so the map covers the
whole text and each node slices back to its words. The steps, in order:
1. units: sentences with their line, kind (heading, list item, table row, prose), question and quote marks;
2. voice: `reported` for views the author describes in order to reject them ("The consensus insists…",
   "They assume…", a quoted question the author then dismantles), otherwise `author`;
3. role: concession, call to action, evidence, reason, claim or context, from cues and structure;
4. thesis: the author's central assertion (position, "It is wrong." before it, cues, similarity to the
   whole text), or none when the text does not argue (a recipe, a licence);
5. links: claims support the thesis, reasons and evidence support the nearest claim, and the author's
   rebuttals answer the reported views before them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from argument.cues import Cues, load_cues
from argument.model import ArgumentMap, Node
from argument.schemes import detect_scheme
from ingest.models import Passage
from ingest.sentences import split_sentences

Embed = Callable[[list[str]], Any]  # texts -> L2-normalised rows (a list of lists or an array)
MAPPER_VERSION = "1"  # bump when the rules below change; the cue file's hash is added to it

_LIST_ITEM = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+")
_HEADING_MARK = re.compile(r"^\s*#{1,6}\s+")
_SPEAKER = re.compile(r"^((?:[A-Z][\w.'’-]*|\d+)(?: (?:[A-Z][\w.'’-]*|\d+)){0,2}|\[[^\]]{1,24}\]):\s+(?=\S)")
_QUOTES_OPEN = "\"“‘'«"
_QUOTES_CLOSE = "\"”’'»"
_FIRST_PERSON = re.compile(r"^(i|my|in my|we|our)\b(?! are (told|assured|promised|warned))", re.IGNORECASE)
_ANAPHORIC = re.compile(r"^(it|this|that|they|these|those|he|she|such|so)\b", re.IGNORECASE)
_WORD = re.compile(r"[\w’']+")
REBUTTAL_WINDOW = 6  # sentences after a reported view in which the author's answer is looked for


@dataclass
class Unit:
    """A sentence (or heading, list item, table row) of the text, before it gets a role."""

    start: int
    end: int
    text: str
    line: int  # index of the source line: a paragraph, list item, table row or heading
    kind: str  # heading | list | table | prose
    question: bool
    quoted: bool
    passage_id: str | None

    @property
    def words(self) -> int:
        return len(_WORD.findall(self.text))


def map_version(version: str) -> str:
    """The version a stored map carries: the document version plus the mapper's and the cue file's."""
    return f"{version}:{MAPPER_VERSION}.{load_cues().digest}"


def build_map(
    doc: str,
    text: str,
    passages: Sequence[Passage] = (),
    embed: Embed | None = None,
    title: str = "",
    version: str = "",
) -> ArgumentMap:
    """The rule-based argument map of `text` (slug `doc`); `embed` sharpens the thesis and the links."""
    cues = load_cues()
    units = text_units(text, passages)
    amap = ArgumentMap(doc=doc, thesis=None, nodes=[], version=map_version(version))
    if not units:
        amap.notices.append("the text has no sentences, so there is no argument to map")
        return amap
    vectors = _vectors(units, embed)
    voices = [_voice(units, i, cues) for i in range(len(units))]
    roles = _roles(units, voices, cues)
    amap.nodes = [
        Node(id=f"n{i + 1}", role=roles[i], voice=voices[i], start=u.start, end=u.end, text=u.text,
             passage_id=u.passage_id)
        for i, u in enumerate(units)
    ]  # fmt: skip
    argumentative = _argumentative_share(units, cues)
    if argumentative < cues.thresholds.get("argumentative", 0.12):
        for node in amap.nodes:  # a recipe's figures and imperatives are not evidence or calls to action
            node.role, node.voice = "context", "author"
    thesis = _choose_thesis(units, amap.nodes, cues, vectors, title, argumentative)
    if thesis is not None:
        amap.nodes[thesis].role = "thesis"
        amap.thesis = amap.nodes[thesis].id
    _link(amap, units, cues, vectors)
    for node in amap.nodes:
        if node.voice == "author" and node.role in ("thesis", "claim", "reason", "evidence"):
            node.scheme = detect_scheme(node.text)
    amap.notices.extend(_notices(amap, argumentative, cues))
    return amap


# --- 1. units --------------------------------------------------------------------------------------
def text_units(text: str, passages: Sequence[Passage] = ()) -> list[Unit]:
    """The text's sentences with their structure; headings are told apart by the passages when given."""
    covered = [(p.start, p.end, p.id) for p in passages]
    units: list[Unit] = []
    offset = 0
    lines = text.split("\n")
    for number, line in enumerate(lines):
        kind = _line_kind(line, lines, number, offset, covered)
        first = True
        for start, end in split_sentences(line, offset):
            start = _skip_marks(text, start, end, kind, first)
            first = False
            piece = text[start:end]
            if not any(ch.isalnum() for ch in piece):
                continue
            units.append(
                Unit(
                    start, end, piece, number, kind, _is_question(piece), _is_quoted(piece), _passage_of(start, covered)
                )
            )
        offset += len(line) + 1
    return units


def _line_kind(line: str, lines: list[str], number: int, offset: int, covered: list[tuple[int, int, str]]) -> str:
    stripped = line.strip()
    if stripped.startswith("|"):
        return "table"
    if _HEADING_MARK.match(line):
        return "heading"
    if _LIST_ITEM.match(line):
        return "list"
    if covered:
        inside = any(s <= offset + len(line) - len(line.lstrip()) < e for s, e, _ in covered)
        return "prose" if inside or stripped.endswith((".", "!", "?", '"', "”")) else "heading"
    following = next((ln for ln in lines[number + 1 :] if ln.strip()), "")
    heading_like = (
        not stripped.endswith((".", "!", "?", ":", ";", ",", '"', "”", "’", ")"))
        and len(stripped.split()) <= 12
        and bool(following)
    )
    return "heading" if heading_like else "prose"


def _skip_marks(text: str, start: int, end: int, kind: str, first: bool) -> int:
    """Leave heading marks (`## `) and a speaker label (`Speaker A: `) out of the span."""
    piece = text[start:end]
    mark = _HEADING_MARK.match(piece) if kind == "heading" else None
    if mark is None and first and kind == "prose":
        mark = _SPEAKER.match(piece)
        if mark and len(_WORD.findall(piece[mark.end() :])) < 3:
            mark = None
    return start + mark.end() if mark else start


def _is_question(text: str) -> bool:
    return text.rstrip(_QUOTES_CLOSE + ")").endswith("?")


def _is_quoted(text: str) -> bool:
    return len(text) > 2 and text[0] in _QUOTES_OPEN and text.rstrip(".")[-1] in _QUOTES_CLOSE


def _passage_of(start: int, covered: list[tuple[int, int, str]]) -> str | None:
    return next((pid for s, e, pid in covered if s <= start < e), None)


def _vectors(units: list[Unit], embed: Embed | None) -> np.ndarray | None:
    if embed is None:
        return None
    return np.asarray(embed([u.text for u in units]), dtype=np.float32)


# --- 2. voice --------------------------------------------------------------------------------------
def _voice(units: list[Unit], i: int, cues: Cues) -> str:
    """`reported` when the author describes a view to knock it down; `author` otherwise."""
    unit = units[i]
    if unit.kind in ("heading", "table"):
        return "author"
    score = cues.score("reported", unit.text)
    if _FIRST_PERSON.match(unit.text):
        score -= 1.0  # "I assume…" is the author's own view
    if score >= cues.thresholds.get("reported", 1.0):
        return "reported"
    if unit.question and unit.words >= 5 and (unit.quoted or _dismissed_next(units, i, cues)):
        return "reported"  # a question the author sets up to dismantle ("Will AI … ?" — "This sounds noble, but…")
    return "author"


def _dismissed_next(units: list[Unit], i: int, cues: Cues) -> bool:
    after = units[i + 1] if i + 1 < len(units) else None
    return after is not None and after.line - units[i].line <= 1 and cues.hits("rejection", after.text)


# --- 3. roles --------------------------------------------------------------------------------------
def _roles(units: list[Unit], voices: list[str], cues: Cues) -> list[str]:
    roles: list[str] = []
    conceding_line = -1  # the first paragraph under a heading such as "What I concede"
    for i, unit in enumerate(units):
        if unit.kind == "heading" and cues.hits("concession_heading", unit.text):
            conceding_line = next((u.line for u in units[i + 1 :] if u.kind != "heading"), -1)
        announced = i > 0 and roles[-1] == "concession" and _announces(units[i - 1], cues)
        conceded = voices[i] == "author" and (announced or unit.line == conceding_line)
        role = _role(unit, voices[i], cues, conceded, _first_in_line(units, i))
        if role == "reason" and _punchline(units, i):
            role = "claim"
        roles.append(role)
    return roles


def _punchline(units: list[Unit], i: int) -> bool:
    """A short sentence that closes its paragraph ("It fails every single time.") states a claim."""
    unit = units[i]
    last = i + 1 == len(units) or units[i + 1].line != unit.line
    return last and unit.kind == "prose" and unit.words <= 10 and i > 0 and units[i - 1].line == unit.line


def _role(unit: Unit, voice: str, cues: Cues, after_announcement: bool, first_in_line: bool) -> str:
    text = unit.text
    if unit.kind == "heading":
        return "context"
    if unit.kind == "table":
        return "evidence" if any(c.islower() for c in text) or re.search(r"\d", text) else "context"
    if voice == "reported":
        return "claim"  # the opponent's position, whatever its inner structure
    if cues.hits("concession", text) or after_announcement:
        return "concession"
    if unit.question or unit.words <= 3:
        return "context"
    if cues.hits("call_to_action", text):
        return "call_to_action"
    if cues.hits("context", text):
        return "context"
    if cues.hits("evidence", text):
        return "evidence"
    if cues.hits("reason", text) or unit.kind == "list":
        return "reason"
    return "claim" if first_in_line else "reason"


def _announces(unit: Unit, cues: Cues) -> bool:
    return cues.hits("concession_announcement", unit.text)


def _first_in_line(units: list[Unit], i: int) -> bool:
    """The first assertion of its paragraph (skipping a short opener like "The reality?")."""
    j = i - 1
    while j >= 0 and units[j].line == units[i].line:
        if not (units[j].question or units[j].words <= 3):
            return False
        j -= 1
    return True


# --- 4. thesis -------------------------------------------------------------------------------------
def _argumentative_share(units: list[Unit], cues: Cues) -> float:
    prose = [u for u in units if u.kind in ("prose", "list")]
    if not prose:
        return 0.0
    procedural = sum(cues.hits("procedural", u.text) for u in prose) / len(prose)
    arguing = sum(
        any(cues.hits(c, u.text) for c in ("argumentative", "reported", "rejection", "concession", "thesis_cue"))
        for u in prose
    ) / len(prose)
    return 0.0 if procedural >= 0.3 else arguing


def _choose_thesis(
    units: list[Unit], nodes: list[Node], cues: Cues, vectors: np.ndarray | None, title: str, argumentative: float
) -> int | None:
    """The index of the thesis node, or None when the text does not argue for one clear claim."""
    if argumentative < cues.thresholds.get("argumentative", 0.12):
        return None
    candidates = [
        i
        for i, (u, n) in enumerate(zip(units, nodes, strict=True))
        if n.voice == "author" and n.role in ("claim", "reason") and u.kind == "prose"
        and not u.question and 5 <= u.words <= 60
    ]  # fmt: skip
    if not candidates:
        return None
    centrality = _centrality(vectors, [i for i, n in enumerate(nodes) if n.role != "context"])
    scores = {i: _thesis_score(i, units, nodes, cues, centrality) for i in candidates}
    return max(scores, key=lambda i: scores[i])


def _thesis_score(i: int, units: list[Unit], nodes: list[Node], cues: Cues, centrality: np.ndarray | None) -> float:
    unit, node = units[i], nodes[i]
    position = i / max(1, len(units) - 1)
    score = cues.score("thesis_cue", unit.text)
    score += max(0.0, 1.0 - position / 0.25) + (0.2 if position > 0.85 else 0.0)
    score += _after_rejection(units, nodes, i, cues)
    score -= 0.6 if _ANAPHORIC.match(unit.text) else 0.0  # "It builds clicks…" leans on the sentence before
    score += 0.3 if cues.hits("rejection", unit.text) else 0.0
    score -= 0.7 if node.role == "evidence" else 0.0
    score -= 0.5 if unit.words < 7 else 0.0
    if centrality is not None:
        score += 2.5 * float(centrality[i])
    return score


def _after_rejection(units: list[Unit], nodes: list[Node], i: int, cues: Cues) -> float:
    """Theses follow a dismissal ("It is also completely wrong.") or the view the author rejects."""
    for j in range(i - 1, max(-1, i - 3), -1):
        if cues.hits("rejection", units[j].text) and units[j].words <= 10 and nodes[j].voice == "author":
            return 1.0
        if nodes[j].voice == "reported":
            return 0.3
    return 0.0


def _centrality(vectors: np.ndarray | None, argument_rows: list[int]) -> np.ndarray | None:
    """Each sentence's similarity to the centre of the text's argument sentences."""
    if vectors is None or not argument_rows:
        return None
    centre = vectors[argument_rows].mean(axis=0)
    norm = float(np.linalg.norm(centre))
    return vectors @ (centre / norm) if norm else None


# --- 5. links --------------------------------------------------------------------------------------
def _link(amap: ArgumentMap, units: list[Unit], cues: Cues, vectors: np.ndarray | None) -> None:
    nodes = amap.nodes
    for i, node in enumerate(nodes):
        if node.voice == "reported":
            answer = _rebuttal(units, nodes, i, cues)
            if answer is not None:
                nodes[answer].answers.append(node.id)
                if nodes[answer].role == "reason":
                    nodes[answer].role = "claim"  # a rebuttal is a point the author makes
        elif node.role == "claim" and amap.thesis:
            node.supports.append(amap.thesis)
        elif node.role in ("reason", "evidence"):
            target = _backed_claim(units, nodes, i, vectors, amap.thesis)
            if target is not None:
                node.supports.append(nodes[target].id)


def _rebuttal(units: list[Unit], nodes: list[Node], i: int, cues: Cues) -> int | None:
    """The author's sentence that answers the reported view at `i`: a rejection cue first, else the next claim."""
    window = []
    for j in range(i + 1, min(len(nodes), i + 1 + REBUTTAL_WINDOW)):
        if units[j].kind == "heading":
            break
        if nodes[j].voice == "author" and nodes[j].role != "context":
            window.append(j)
    rejecting = [j for j in window if cues.hits("rejection", units[j].text)]
    if rejecting:
        return rejecting[0]
    return window[0] if window and window[0] - i <= 3 else None


def _backed_claim(
    units: list[Unit], nodes: list[Node], i: int, vectors: np.ndarray | None, thesis: str | None
) -> int | None:
    """The claim a reason or evidence backs: its paragraph's claim, else the closest claim of its section."""
    claims = ("thesis", "claim")
    for j in range(i - 1, -1, -1):
        if units[j].line != units[i].line and not (units[i].kind == "list" and units[j].kind == "list"):
            break
        if nodes[j].voice == "author" and nodes[j].role in claims:
            return j
    section = _section_before(units, nodes, i, claims)
    if units[i].kind == "list" and section:
        lead = next((j for j in reversed(section) if units[j].kind != "list"), None)
        if lead is not None and units[i].line - units[lead].line <= 2:
            return lead
    if section and vectors is not None:
        return max(section, key=lambda j: float(vectors[j] @ vectors[i]) + 0.02 * (j - i) / len(units))
    if section:
        return section[-1]
    return next((j for j, n in enumerate(nodes) if n.id == thesis), None)


def _section_before(units: list[Unit], nodes: list[Node], i: int, roles: tuple[str, ...]) -> list[int]:
    found = []
    for j in range(i - 1, -1, -1):
        if units[j].kind == "heading":
            break
        if nodes[j].voice == "author" and nodes[j].role in roles + ("reason",) * (units[i].kind == "list"):
            found.append(j)
    return found[::-1]


def _notices(amap: ArgumentMap, argumentative: float, cues: Cues) -> list[str]:
    """What the builder found and what it could not, in plain words."""
    if amap.thesis is None:
        why = (
            "it reads as instructions, a list or a notice rather than an argument"
            if argumentative < cues.thresholds.get("argumentative", 0.12)
            else "no sentence stands out as the author's main claim"
        )
        found = [f"no clear thesis: {why}"]
    else:
        found = []
    counts = {role: len(amap.by_role(role)) for role in ("claim", "reason", "evidence", "concession")}
    reported = len(amap.reported())
    found.append(
        f"found {counts['claim']} claims, {counts['reason']} reasons, {counts['evidence']} pieces of evidence, "
        f"{counts['concession']} concessions and {reported} reported views"
    )
    if not counts["concession"]:
        found.append("the author concedes nothing that the cues can find")
    return found
