"""Choose a reply's debate moves from the reading of the message, the mode and the argument map.

A plan is a list of `Step`s: each is one move (names are contracts: answer, rebut, concede,
expose_assumption, critical_question, turn, correct_misquote, redirect; plus support), usually quoting
one map node with a frame from `prompts/moves.yaml`. The service renders the steps into a verified reply.

Rules every mode keeps: a `reported` node is only ever quoted as a view the essay rejects; a sentence
already quoted in this debate is not quoted again; a misquote is named before anything else.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

from app.debate import prompts
from app.debate.reading import Reading, cue
from argument.critique import CriticalQuestion, critique
from argument.model import ArgumentMap, Node

Similarity = Callable[[Node], float]  # how close a node is to the user's message


@dataclass
class Step:
    """One line of the reply: a move, its frame, and the node it quotes (or a question it asks)."""

    move: str
    frame: str
    node: Node | None = None
    question: str = ""
    attributed: str = "author"  # how the quote is presented: as the author's view, or as a reported one


@dataclass
class Context:
    """What planning looks at."""

    reading: Reading
    mode: str
    amap: ArgumentMap
    used: set[str]  # node ids already quoted in this debate
    similarity: Similarity
    claim: str  # the user's point, shortened, in their words
    role_nodes: list[Node] | None = None  # nodes of the role a question asks about (thesis, concession…)


@cache
def _moves_file() -> dict[str, Any]:
    return prompts.load_yaml("moves.yaml")


def frame(name: str, mode: str = "") -> str:
    """A move's frame from prompts/moves.yaml; the rebuttal frame is the mode's own (prompts/modes/)."""
    if name == "rebut":
        return prompts.mode_spec(mode or "challenge").frame_first
    if name == "agree":
        return prompts.mode_spec(mode or "challenge").frame_agree
    if name == "turn" and prompts.mode_spec(mode or "challenge").frame_concession:
        return prompts.mode_spec(mode).frame_concession
    value = _moves_file()["frames"][name]
    return (
        str(value.get(mode) or value.get("challenge") or next(iter(value.values())))
        if isinstance(value, dict)
        else str(value)
    )


def describe_moves(moves: list[str]) -> str:
    """`["rebut", "expose_assumption"]` -> "rebuttal · assumption exposed" (each move once, in order)."""
    names = _moves_file()["names"]
    return " · ".join(str(names.get(m, m.replace("_", " "))) for m in dict.fromkeys(moves))


def plan(ctx: Context) -> list[Step]:
    """The moves of one reply, in order."""
    reading = ctx.reading
    steps: list[Step] = []
    if reading.intent == "misquote":
        steps += _correct_misquote(ctx)
        if steps:
            return [*steps, Step("correct_misquote", "", question=frame("misquote_question"))]
    if reading.intent == "off_topic":
        return steps + _redirect(ctx)
    if not _argued(ctx.amap):  # no argument was mapped (a short or plain text): quote what is closest
        return steps + _closest(ctx)
    if reading.intent == "question":
        answered = _answer(ctx)
        steps += answered + _after_answer(ctx, answered)
    elif reading.intent == "pushback":
        steps += _escalate(ctx)
    else:
        steps += _mode_move(ctx)
    return _dedupe(steps)


# --- the modes --------------------------------------------------------------------------------------
def _mode_move(ctx: Context) -> list[Step]:
    stance = ctx.reading.user_stance
    if ctx.reading.intent == "agreement" and stance == "unclear":
        stance = "for"
    steps = _mode_steps(ctx, stance)
    if ctx.reading.intent == "agreement" and steps and steps[0].node is not None and steps[0].move != "turn":
        steps[0].frame = frame("agree", ctx.mode)  # "Agreeing is the easy part…"
    return steps


def _mode_steps(ctx: Context, stance: str) -> list[Step]:
    if ctx.mode == "defend":
        return _defend(ctx, stance)
    if ctx.mode == "socratic":
        return _socratic(ctx, stance)
    if ctx.mode == "devils-advocate":
        return _rebut(ctx, 2) + _expose(ctx) if stance == "against" else _turn(ctx) + _unanswered(ctx)
    # challenge: the user against the thesis is rebutted; the user for it sees the essay's weakest link
    if stance == "for":
        return _critical_question(ctx) + _turn(ctx)
    return _rebut(ctx, 1) + _expose(ctx)


def _defend(ctx: Context, stance: str) -> list[Step]:
    conceded = _matching_concession(ctx)
    if stance == "for":
        return [Step("support", frame("support", "defend"), n) for n in _strongest(ctx, 2)]
    return _rebut(ctx, 2) + conceded  # the defence leads; the author's own concession is granted after


def _socratic(ctx: Context, stance: str) -> list[Step]:
    """Questions only, each anchored in a quoted premise."""
    templates = _moves_file()["socratic"]
    if stance == "against" and ctx.claim:
        nodes = _rebuttals(ctx)[:1]
        return [Step("expose_assumption", frame("rebut", "socratic"), n, templates["against"].format(claim=ctx.claim))
                for n in nodes]  # fmt: skip
    node = _target_node(ctx, author_only=True)
    if node is None:
        return []
    question = _node_question(ctx, node) or templates["for"]
    return [Step("critical_question", frame("rebut", "socratic"), node, question)]


def _after_answer(ctx: Context, answered: list[Step]) -> list[Step]:
    """A question's answer comes first; then the mode's own move."""
    if ctx.mode == "devils-advocate":
        return _turn(ctx)
    if ctx.mode == "defend":  # what backs the answer, in the author's words (not whatever is near the question)
        backing = [s for step in answered if step.node for s in ctx.amap.supporters(step.node.id)]
        return [Step("support", frame("rebut_more"), n) for n in _fresh(ctx, backing)[:1]]
    if ctx.role_nodes:  # a question about the argument as a whole: its strongest critical question
        best = next((q for q in _questions(ctx.amap) if q.target not in ctx.used), None)
        if best is not None:
            return [Step("critical_question", frame("question_then"), question=best.text)]
    return _critical_question(ctx)


# --- the moves ----------------------------------------------------------------------------------------
def _answer(ctx: Context) -> list[Step]:
    if ctx.role_nodes is not None:
        return _answer_by_role(ctx, ctx.role_nodes)
    if ctx.reading.asks_directive:  # "what does the author tell X to do?": the calls to action answer it
        nodes = _ranked(ctx, lambda n: n.role == "call_to_action") + _ranked(ctx, lambda n: n.role != "call_to_action")
    else:
        nodes = _ranked(ctx, lambda n: n.role != "call_to_action")
    nodes = [n for n in nodes if n.id not in ctx.used]
    nodes = _with_correction(ctx, nodes[:1]) + nodes[1:]
    return [_quote_step("answer", n, frame("answer_about")) for n in _fresh(ctx, nodes)[:2]]


def _with_correction(ctx: Context, nodes: list[Node]) -> list[Node]:
    """A denial followed by its correction ("X does not want A. Instead, it wants B.") is answered with both."""
    if not nodes or not cue("negation", nodes[0].text):
        return nodes
    correction = next((n for n in ctx.amap.following(nodes[0].id) if cue("correction", n.text)), None)
    return [nodes[0], correction] if correction is not None and correction.id not in ctx.used else nodes


def _answer_by_role(ctx: Context, nodes: list[Node]) -> list[Step]:
    role = nodes[0].role if nodes else ""
    names = {"thesis": "answer_thesis", "concession": "answer_concession", "evidence": "answer_evidence",
             "reason": "answer_reason", "claim": "answer_reason"}  # fmt: skip
    fresh = [n for n in nodes if n.id not in ctx.used] or nodes
    if role == "concession":  # what is conceded before the sentence that only announces it
        fresh = sorted(fresh, key=_announcement_only)
    if any(n.voice == "reported" for n in fresh):
        return [Step("answer", frame("answer_reported"), n, attributed="reported") for n in fresh[:2]]
    return [Step("answer", frame(names.get(role, "answer_default")), n) for n in fresh[:2]]


def _rebut(ctx: Context, n: int) -> list[Step]:
    nodes = _rebuttals(ctx)[:n]
    if not nodes:
        return [Step("rebut", frame("nothing_more"))]
    mode_frame = frame("rebut", ctx.mode)
    return [Step("rebut", mode_frame if i == 0 else frame("rebut_more"), node) for i, node in enumerate(nodes)]


def _rebuttals(ctx: Context) -> list[Node]:
    """The author's sentences that answer the user's point: never the reported view itself."""
    amap = ctx.amap
    target = _target_node(ctx)
    found: list[Node] = []
    if target is not None and target.voice == "reported":
        found += amap.answered_by(target.id)
        for answer in list(found):
            found += sorted(amap.supporters(answer.id), key=lambda n: -ctx.similarity(n))
    elif target is not None and target.role not in ("concession", "context"):
        found.append(target)
        found += sorted(amap.supporters(target.id), key=lambda n: -ctx.similarity(n))
    found += _ranked(ctx, lambda n: n.voice == "author" and n.role in ("thesis", "claim", "reason", "evidence"))
    return _fresh(ctx, found)


def _expose(ctx: Context) -> list[Step]:
    """The premise the user's own claim needs, asked about in their words."""
    templates = _moves_file()["user_claim_questions"]
    if not ctx.claim:
        return []
    return [Step("expose_assumption", "", question=templates[_claim_shape(ctx.claim)].format(claim=ctx.claim))]


def _critical_question(ctx: Context) -> list[Step]:
    """The essay's weakest link near the user's point: a scheme question on the targeted reason."""
    node = _target_node(ctx, author_only=True)
    if node is None:
        return []
    question = _node_question(ctx, node)
    if not question:
        return []
    return [Step("critical_question", frame("question_then"), node if node.id not in ctx.used else None, question)]


def _turn(ctx: Context) -> list[Step]:
    """The author's own concession, used against the thesis."""
    concessions = _fresh(ctx, sorted(ctx.amap.by_role("concession"), key=lambda n: -ctx.similarity(n)))
    content = [n for n in concessions if not _announcement_only(n)]  # "There is a caveat…" alone says nothing
    return [Step("turn", frame("turn", ctx.mode), content[0])] if content else []


def _unanswered(ctx: Context) -> list[Step]:
    views = [v for v in ctx.amap.reported() if not ctx.amap.answered_by(v.id)]
    views = _fresh(ctx, sorted(views, key=lambda n: -ctx.similarity(n)))
    if not views:
        return _critical_question(ctx)
    return [Step("critical_question", frame("unanswered_reported"), views[0], attributed="reported")]


def _matching_concession(ctx: Context) -> list[Step]:
    """In defend mode the bot concedes only what the author concedes, and only when the user raised it."""
    concessions = [
        n
        for n in ctx.amap.by_role("concession")
        if ctx.similarity(n) >= 0.5 and n.id not in ctx.used and not _announcement_only(n)
    ]
    return [Step("concede", frame("concede"), concessions[0])] if concessions else []


def _correct_misquote(ctx: Context) -> list[Step]:
    reading = ctx.reading
    if reading.misrepresents:
        view = ctx.amap.get(reading.misrepresents)
        steps = [Step("correct_misquote", frame("misquote_reported"), view, attributed="reported")]
        answers = ctx.amap.answered_by(view.id) if view else []
        if answers:
            steps.append(Step("correct_misquote", frame("misquote_reported_answer"), answers[0]))
        return steps
    for quote in reading.user_quotes:
        if not quote.found:
            closest = ctx.amap.get(quote.node)
            return [Step("correct_misquote", frame("misquote_not_found"), closest,
                         attributed="reported" if closest and closest.voice == "reported" else "author")]  # fmt: skip
    return []


def _closest(ctx: Context) -> list[Step]:
    """A text without a mapped argument: its sentences closest to the message, under the mode's frame."""
    nodes = [n for n in _ranked(ctx, lambda n: bool(n.passage_id)) if n.id not in ctx.used][:2]
    return [Step("answer", frame("rebut", ctx.mode) if i == 0 else frame("rebut_more"), n) for i, n in enumerate(nodes)]


def _redirect(ctx: Context) -> list[Step]:
    thesis = ctx.amap.thesis_node or next(iter(_strongest(ctx, 1)), None)
    return [Step("redirect", frame("redirect"), thesis)]


def _escalate(ctx: Context) -> list[Step]:
    """Pushback: the next reason or evidence not yet used, or an honest 'nothing more'."""
    nodes = _rebuttals(ctx)
    if not nodes:
        return [Step("rebut", frame("nothing_more")), *_critical_question(ctx)]
    return [Step("rebut", frame("rebut_next"), nodes[0]), *_critical_question(ctx)]


# --- helpers ------------------------------------------------------------------------------------------
def _quote_step(move: str, node: Node, author_frame: str) -> Step:
    if node.voice == "reported":
        return Step(move, frame("answer_reported"), node, attributed="reported")
    return Step(move, author_frame, node)


def _target_node(ctx: Context, author_only: bool = False) -> Node | None:
    for node_id in ctx.reading.target:
        node = ctx.amap.get(node_id)
        if node is None:
            continue
        if author_only and node.voice == "reported":
            answers = ctx.amap.answered_by(node.id)
            node = answers[0] if answers else None
        if node is not None and node.role != "context":
            return node
    if author_only:
        return next(
            iter(_ranked(ctx, lambda n: n.voice == "author" and n.role in ("reason", "evidence", "claim"))), None
        )
    return None


def _strongest(ctx: Context, n: int) -> list[Node]:
    """The essay's strongest reasons and evidence near the user's point."""
    found = _ranked(ctx, lambda node: node.voice == "author" and node.role in ("reason", "evidence", "claim"))
    return _fresh(ctx, found)[:n]


def _ranked(ctx: Context, keep: Callable[[Node], bool]) -> list[Node]:
    return sorted((n for n in ctx.amap.nodes if keep(n)), key=lambda n: -ctx.similarity(n))


def _fresh(ctx: Context, nodes: list[Node]) -> list[Node]:
    seen: set[str] = set()
    out = []
    for node in nodes:
        if node.id in seen or node.id in ctx.used or node.role == "context":
            continue
        seen.add(node.id)
        out.append(node)
    return out


def _argued(amap: ArgumentMap) -> bool:
    return any(n.is_argument for n in amap.nodes)


def _announcement_only(node: Node) -> bool:
    return (
        bool(re.search(r"\b(caveat|must be acknowledged|to be fair)\b", node.text, re.IGNORECASE))
        and len(node.text.split()) < 16
    )


def _dedupe(steps: list[Step]) -> list[Step]:
    """No node quoted twice in one reply."""
    seen: set[str] = set()
    out = []
    for step in steps:
        if step.node is not None:
            if step.node.id in seen:
                step.node = None
                if not step.question:
                    continue
            else:
                seen.add(step.node.id)
        out.append(step)
    return out


def _claim_shape(claim: str) -> str:
    text = claim.lower()
    if re.search(r"\b(will|going to|soon|eventually|one day|in the future|by 20\d\d)\b", text):
        return "prediction"
    if re.search(r"\b(all|every|always|never|no one|nobody|everyone|any)\b", text):
        return "generalisation"
    if re.search(r"\b(better|worse|more|less|than)\b", text):
        return "comparison"
    if re.search(r"\b(should|must|ought|need to|have to)\b", text):
        return "value"
    return "default"


def _node_question(ctx: Context, node: Node) -> str:
    """A scheme-keyed critical question about one node of the essay (argument/critique.py when it has one)."""
    for question in _questions(ctx.amap):
        if question.target == node.id:
            return question.text
    templates = _moves_file()["node_questions"]
    supported = next((ctx.amap.get(t) for t in node.supports), None) or ctx.amap.thesis_node
    if node.role == "concession":
        return str(templates["concession"].format(span=_short(node.text)))
    if supported is None or supported.id == node.id:
        return ""
    return str(templates["default"].format(span=_short(node.text), claim=_short(supported.text)))


def _questions(amap: ArgumentMap) -> list[CriticalQuestion]:
    """The map's critical questions (argument/critique.py), computed once per map version."""
    key = (amap.doc, amap.version)
    if key not in _QUESTIONS:
        _QUESTIONS[key] = critique(amap, n=40)
    return _QUESTIONS[key]


_QUESTIONS: dict[tuple[str, str], list[CriticalQuestion]] = {}


def _short(text: str, words: int = 24) -> str:
    """A verbatim prefix cut at a word (so a quotation of it is still the essay's exact words)."""
    parts = text.rstrip(".").split()
    return " ".join(parts) if len(parts) <= words else " ".join(parts[:words]).rstrip(",;:—-")


def shorten_claim(message: str, words: int = 14) -> str:
    """The user's point in their own words: the first assertive sentence, cut at a word boundary."""
    sentences = [s for s in re.split(r"(?<=[.!?])\s+", message.strip()) if s]
    claims = [s for s in sentences if not s.rstrip().endswith("?")] or sentences or [message]
    text = re.sub(r"^(i think|i believe|honestly|well|but|so|no|yes)[,]?\s+", "", claims[0].strip(), flags=re.I)
    text = text.replace("“", "'").replace("”", "'").replace('"', "'")
    return _short(text, words)
