"""Critical questions that challenge a text: Walton's questions for each argument scheme, in the text's words.

A question is only emitted when every slot of its template is filled from the text itself (the targeted
sentence, the claim it supports, a neighbouring sentence): there is no generic fallback, so a question
always names the words it questions and brings in nothing the text does not contain. Two weaknesses come
from the map directly: the author's own concession (always among the top questions) and a reported view
the text never answers.

Ranking, best first: a reason or evidence that backs the thesis (or a claim that backs it) outranks a
loose sentence; a template with more concrete slots outranks one with fewer; schemes and the claims
questioned are kept diverse, and no two questions target the same span.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from argument.cues import load_cues as load_map_cues
from argument.mapper import Embed, build_map
from argument.model import ArgumentMap, Node
from argument.schemes import Scheme, load_scheme, parallel_pair, ranked_schemes, scheme_names

WORK_NAMES = ("essay", "text")  # what the questions call the source ("The essay itself grants …")
LONG_TEXT_WORDS = 300  # at or above this a text is called an essay
QUOTE_WORDS = 16  # longer spans are quoted up to here, then "…"
_WORD = re.compile(r"[\w’'-]+")
_PRONOUN = re.compile(r"^(it|this|that|they|these|those|he|she|we|you|such)$", re.IGNORECASE)
_VERB = re.compile(
    r"\s(?:is|are|was|were|has|have|had|does|do|did|will|would|can|cannot|can't|could|should|must|may|might|"
    r"isn't|aren't|doesn't|don't|won't|simply|just|only|relies|builds|creates|wants|operates)\b"
)
ARGUING = ("thesis", "claim", "reason", "evidence")
ARGUING_SHARE = 0.3  # share of a short text's sentences with a scheme for it to argue when the mapper saw none
SCHEME_PRIORITY = 0.1  # per place in the cue file's order: a position to know is pressed before a value word
CONCESSION_RANK = 2  # the author's own concession is never ranked below third
SLOT_WORDS = 14  # longest slot value quoted in full
_NEGATION = re.compile(r"\b(not|no|none|never|nothing|n't|neither|nor)\b", re.IGNORECASE)


@dataclass
class CriticalQuestion:
    """A question that could undermine one span of the text (`start:end`, node `target`)."""

    text: str
    scheme: str
    target: str
    start: int
    end: int
    passage_id: str | None = None
    score: float = field(default=0.0, compare=False, repr=False)
    about: str = field(default="", compare=False, repr=False)  # the node whose claim it questions (diversity)

    def to_json(self) -> dict[str, Any]:
        """The `counterpoint critique --json` contract for one question."""
        return {
            "text": self.text,
            "scheme": self.scheme,
            "target": self.target,
            "start": self.start,
            "end": self.end,
            "passage_id": self.passage_id,
        }


@dataclass
class Critique:
    """The questions for one text, and why there are none when there are none."""

    doc: str
    questions: list[CriticalQuestion]
    notice: str | None
    amap: ArgumentMap


def critique_text(text: str, name: str, embed: Embed | None = None, n: int = 3) -> Critique:
    """Map a raw text (no ingest, no passages) and question it: an essay, a speech paragraph, a transcript turn."""
    if not text.strip():
        empty = ArgumentMap(doc=name, thesis=None, nodes=[])
        return Critique(name, [], "the text is empty, so there is no argument to question", empty)
    return critique_map(build_map(name, text, embed=embed), n=n, text=text)


def critique_map(amap: ArgumentMap, n: int = 3, text: str | None = None) -> Critique:
    """The questions for a built (or stored) map, with a notice when there are none or no thesis."""
    argued = _argued(amap)
    questions = critique(argued, n=n, text=text)
    return Critique(amap.doc, questions, _notice(amap, argued, questions), argued)


def critique(amap: ArgumentMap, n: int = 3, text: str | None = None) -> list[CriticalQuestion]:
    """The `n` best critical questions for the map, best first (`text`, when given, tells paragraphs apart)."""
    amap = _argued(amap)
    anchor = _anchor(amap)
    if anchor is None or n <= 0:
        return []
    work = WORK_NAMES[0] if _words(amap) >= LONG_TEXT_WORDS else WORK_NAMES[1]
    candidates = _scheme_questions(amap, anchor, text)
    concession = _concession_question(amap, anchor, work)
    candidates += _reported_questions(amap, work)
    return _select(candidates, concession, n)


# --- what the text argues ------------------------------------------------------------------------------
def _argued(amap: ArgumentMap) -> ArgumentMap:
    """The map as is, or, when the mapper found no argument in a short text that does argue (a transcript
    turn: "If we ban cars, shops will close."), a copy whose scheme-bearing sentences are its claim and reasons."""
    if any(n.is_argument for n in amap.nodes):
        return amap
    cues = load_map_cues()
    prose = [n for n in amap.nodes if len(_WORD.findall(n.text)) >= 5 and not n.text.rstrip().endswith("?")]
    if not prose or sum(cues.hits("procedural", n.text) for n in prose) / len(prose) >= 0.3:
        return amap
    arguing = [n for n in prose if ranked_schemes(n.text)]
    if not arguing or len(arguing) / len(prose) < ARGUING_SHARE:
        return amap  # a description with one "leads to" does not argue
    promoted = copy.deepcopy(amap)
    ids = {n.id for n in arguing}
    head = None
    for node in promoted.nodes:
        if node.id in ids:
            node.role = "claim" if head is None else "reason"
            node.supports = [head] if head else []
            head = head or node.id
    return promoted


def _anchor(amap: ArgumentMap) -> Node | None:
    """The thesis, else the author's strongest claim (most supporters, earliest), else the first reason."""
    if amap.thesis_node is not None:
        return amap.thesis_node
    for roles in (("claim",), ("reason", "evidence")):
        nodes = [n for n in amap.nodes if n.voice == "author" and n.role in roles]
        if nodes:
            return max(nodes, key=lambda n: (len(amap.supporters(n.id)), -amap.nodes.index(n)))
    return None


def _notice(original: ArgumentMap, argued: ArgumentMap, questions: list[CriticalQuestion]) -> str | None:
    if not argued.nodes:
        return "the text has no sentences, so there is no argument to question"
    if not any(n.is_argument for n in argued.nodes):
        why = next((m.removeprefix("no clear thesis: ") for m in original.notices if m.startswith("no clear")), "")
        return f"no argument to question: {why or 'the text makes no claim'}"
    if not questions:
        return "the text argues, but no sentence gives concrete words for a critical question"
    if original.thesis is None:
        return "no clear thesis: the questions target the strongest claim"
    return None


def _words(amap: ArgumentMap) -> int:
    return sum(len(_WORD.findall(n.text)) for n in amap.nodes)


# --- candidates ------------------------------------------------------------------------------------
def _scheme_questions(amap: ArgumentMap, anchor: Node, text: str | None) -> list[CriticalQuestion]:
    found: list[CriticalQuestion] = []
    nodes = amap.nodes
    for i, node in enumerate(nodes):
        if node.voice != "author" or node.role not in ARGUING or node.text.rstrip().endswith("?"):
            continue
        conclusion = _conclusion(amap, i, anchor, text)
        common = _common_slots(amap, i, conclusion, text)
        schemes = ranked_schemes(node.text)
        order = scheme_names()
        pair = _pair(amap, i, text)
        if pair is not None and all(s != "alternatives" for s, _ in schemes):
            schemes.append(("alternatives", 1.5))
        for name, strength in schemes[:3]:
            scheme = load_scheme(name)
            slots = {**common, **{k: clip(v, SLOT_WORDS) for k, v in scheme.slots(node.text).items()}}
            if name == "analogy" and not _literal_tenor(node.text, slots):
                continue  # "None of these places is a theme park" denies the figure, it does not argue by it
            if name == "alternatives" and pair is not None and "option_a" not in slots:
                slots["option_a"], slots["option_b"] = pair
            if name == "generalisation":
                slots.update(_examples(amap, i, conclusion, text))
            question = _instantiate(scheme, slots)
            if question is None:
                continue
            position, filled, words = question
            score = (
                _importance(amap, node, anchor) + 0.4 * min(3, filled) - 0.2 * position + 0.2 * min(3.0, strength)
                + SCHEME_PRIORITY * (len(order) - order.index(name))
            )  # fmt: skip
            found.append(
                CriticalQuestion(words, name, node.id, node.start, node.end, node.passage_id, score,
                                 conclusion.id if conclusion else node.id)
            )  # fmt: skip
    return found


def _literal_tenor(sentence: str, slots: dict[str, str]) -> bool:
    """Keep the subject as what the figure describes only when the figure is its predicate ("They are
    building a … theme park"), not an object further on ("Audiences will flee the … swamp") or denied."""
    vehicle = slots.get("vehicle", "").rstrip("…")
    at = sentence.find(vehicle) if vehicle else -1
    before = sentence[:at] if at >= 0 else sentence
    if _NEGATION.search(before):
        return False
    if at < 0 or len(_WORD.findall(before)) > 5:
        slots.pop("tenor", None)
    return True


def _instantiate(scheme: Scheme, slots: dict[str, str]) -> tuple[int, int, str] | None:
    """The first template whose slots are all filled: (its position, how many concrete slots, the question)."""
    for position, template in enumerate(scheme.questions):
        words = template.fill(slots)
        if words is not None:
            concrete = sum(1 for s in template.slots if s not in ("quote", "claim"))
            return position, concrete, words
    return None


def _importance(amap: ArgumentMap, node: Node, anchor: Node) -> float:
    """How much the thesis (or the anchor claim) leans on this node."""
    score = {"evidence": 1.0, "reason": 1.0, "claim": 0.6, "thesis": 0.8}.get(node.role, 0.0)
    if node.id == anchor.id:
        return score + 1.0
    if anchor.id in node.supports:
        return score + 1.5
    backed = [amap.get(s) for s in node.supports]
    if any(b is not None and anchor.id in b.supports for b in backed):
        return score + 1.0
    return score


def _conclusion(amap: ArgumentMap, i: int, anchor: Node, text: str | None) -> Node | None:
    """The claim a node backs: its map link, or the claim that closes its paragraph when the map could only
    link it to the thesis ("I have spent a decade …" backs "It fails every single time.")."""
    node = amap.nodes[i]
    target = amap.get(node.supports[0]) if node.supports else None
    if node.role in ("reason", "evidence") and (target is None or target.id == anchor.id):
        for later in amap.nodes[i + 1 :]:
            if not _same_paragraph(amap.nodes[i], later, text):
                break
            if later.voice == "author" and later.role == "claim":
                return later
    if target is None and node.role in ("claim", "thesis"):
        return node
    return target


def _same_paragraph(a: Node, b: Node, text: str | None) -> bool:
    lo, hi = (a, b) if a.start <= b.start else (b, a)
    if text is not None:
        return "\n" not in text[lo.end : hi.start]
    return a.passage_id == b.passage_id and hi.start - lo.end <= 1


def _common_slots(amap: ArgumentMap, i: int, conclusion: Node | None, text: str | None) -> dict[str, str]:
    node = amap.nodes[i]
    slots = {"quote": clip(node.text)}
    if conclusion is not None and conclusion.id != node.id:
        slots["claim"] = clip(conclusion.text)
    elif conclusion is not None:
        slots["claim"] = slots["quote"]
    tenor = _subject(amap, i, text)
    if tenor:
        slots["tenor"] = tenor
    return slots


def _subject(amap: ArgumentMap, i: int, text: str | None) -> str | None:
    """The sentence's subject (the words before its verb), resolving a pronoun to the previous sentence's."""
    for j in range(i, max(-1, i - 3), -1):
        node = amap.nodes[j]
        if j < i and not _same_paragraph(node, amap.nodes[i], text):
            break
        match = _VERB.search(node.text)
        if match is None:
            continue
        subject = node.text[: match.start()].strip()
        if not subject or len(_WORD.findall(subject)) > 5 or "," in subject:
            continue
        if _PRONOUN.match(subject):
            continue
        return subject
    return None


def _examples(amap: ArgumentMap, i: int, conclusion: Node | None, text: str | None) -> dict[str, str]:
    """The examples the text gives for a generalisation: evidence and reasons before it in its paragraph,
    or the sentences that back it."""
    node = amap.nodes[i]
    before = []
    for earlier in reversed(amap.nodes[:i]):
        if not _same_paragraph(earlier, node, text):
            break
        if earlier.voice == "author" and earlier.role in ("evidence", "reason"):
            before.append(earlier)
    cases = before[::-1] or [n for n in amap.supporters(node.id) if n.voice == "author"]
    if not cases:
        return {}
    return {"examples": str(len(cases)), "example": clip(cases[-1].text, 12)}


def _pair(amap: ArgumentMap, i: int, text: str | None) -> tuple[str, str] | None:
    """The contrast this sentence makes with the parallel sentence beside it, if any (this one's phrase first)."""
    node = amap.nodes[i]
    for j in (i - 1, i + 1):
        if 0 <= j < len(amap.nodes) and _same_paragraph(node, amap.nodes[j], text):
            other = amap.nodes[j]
            if other.voice != "author" or other.role == "context":
                continue
            first, second = (other, node) if j < i else (node, other)
            pair = parallel_pair(first.text, second.text) or _across(first.text, second.text)
            if pair is not None:
                return (pair[1], pair[0]) if j < i else pair
    return None


def _across(first: str, second: str) -> tuple[str, str] | None:
    """A contrast made across two sentences ("… is not a neutral default. It is a choice …")."""
    slots = load_scheme("alternatives").slots(f"{first} {second}")
    a, b = slots.get("option_a", ""), slots.get("option_b", "")
    if a and b and a in first and b in second:
        return clip(a, SLOT_WORDS), clip(b, SLOT_WORDS)
    return None


def _concession_question(amap: ArgumentMap, anchor: Node, work: str) -> CriticalQuestion | None:
    """The author's own concession against the thesis (the sentence after a bare announcement of one)."""
    cues = load_map_cues()
    conceded = [n for n in amap.by_role("concession") if n.voice == "author"]
    substantive = [n for n in conceded if not cues.hits("concession_announcement", n.text)] or conceded
    if not substantive:
        return None
    node = max(substantive, key=lambda n: _concession_weight(amap, n))
    words = (
        load_scheme("concession")
        .questions[0]
        .fill({"work": work, "concession": clip(node.text, 24), "thesis": clip(anchor.text, 20)})
    )
    if words is None:
        return None
    return CriticalQuestion(words, "concession", node.id, node.start, node.end, node.passage_id, 3.0, anchor.id)


def _concession_weight(amap: ArgumentMap, node: Node) -> tuple[bool, bool, bool, int]:
    """Prefer the concession an announcement introduces ("There is a major caveat …"), then one that grants
    a point outright rather than answering a reported question, then a full sentence, then the earliest."""
    i = amap.nodes.index(node)
    announced = i > 0 and load_map_cues().hits("concession_announcement", amap.nodes[i - 1].text)
    return announced, not node.answers, len(_WORD.findall(node.text)) >= 8, -i


def _reported_questions(amap: ArgumentMap, work: str) -> list[CriticalQuestion]:
    template = load_scheme("reported").questions[0]
    found = []
    for node in amap.reported():
        if amap.answered_by(node.id):
            continue
        words = template.fill({"work": work, "reported": clip(node.text, 20)})
        if words is not None:
            found.append(
                CriticalQuestion(words, "reported", node.id, node.start, node.end, node.passage_id, 1.8, node.id)
            )
    return found


# --- selection -------------------------------------------------------------------------------------
def _select(candidates: list[CriticalQuestion], concession: CriticalQuestion | None, n: int) -> list[CriticalQuestion]:
    """Greedy: the best remaining question, less a penalty for a scheme or a questioned claim already used;
    never two on overlapping spans; the concession always in."""
    chosen: list[CriticalQuestion] = [concession] if concession is not None else []
    pool = sorted(candidates, key=lambda q: -q.score)
    while len(chosen) < n and pool:
        best = max(pool, key=lambda q: _adjusted(q, chosen))
        pool.remove(best)
        if any(_overlap(best, c) for c in chosen) or any(best.text == c.text for c in chosen):
            continue
        chosen.append(best)
    ranked = sorted(chosen, key=lambda q: -_adjusted(q, [c for c in chosen if c is not q]))
    if concession is not None and ranked.index(concession) > CONCESSION_RANK:
        ranked.remove(concession)
        ranked.insert(CONCESSION_RANK, concession)
    return ranked


def _adjusted(q: CriticalQuestion, chosen: Sequence[CriticalQuestion]) -> float:
    same_scheme = sum(c.scheme == q.scheme for c in chosen)
    same_claim = sum(c.about == q.about for c in chosen)
    return q.score - 1.2 * same_scheme - 0.6 * same_claim


def _overlap(a: CriticalQuestion, b: CriticalQuestion) -> bool:
    return a.start < b.end and b.start < a.end


def clip(text: str, words: int = QUOTE_WORDS) -> str:
    """An exact prefix of `text` of at most `words` words (then "…"), without its closing punctuation."""
    text = text.strip()
    found = list(_WORD.finditer(text))
    if len(found) > words:
        return text[: found[words - 1].end()].rstrip(" ,;:—-") + "…"
    return text.rstrip(" .!?;:,").strip("\"“”'‘’").strip() or text
