"""Claim and Reasoning: the model's opinion when the backend is capable, a word-check heuristic otherwise.

These two criteria judge quality, which code cannot check against the text. With a capable backend
(the `free` strategy) the model grades them from `prompts/classroom/judge.md`; its scores are marked
"model opinion", and the student words it quotes are kept only if they really are in the turn. Otherwise
— or when the model fails or answers out of format — a heuristic scores them, marked "heuristic":

- Claim: a proposition about the essay's subject (three content words or more beyond any side statement,
  and close to an essay sentence — every map node is one) on the student's side (a side statement or a
  stance cue) — 3 when it opens the turn (after a bare side statement at most), 2 when later; 1 for a bare
  side statement ("I argue against the thesis."), an on-topic sentence with no position, or the other
  side; 0 when nothing is about the essay.
- Reasoning: a connective (because, therefore, this shows, for example…) in or next to a sentence that
  carries evidence is a link — 3 for two links, 2 for one, 1 for evidence or reasoning alone, 0 for neither.
"""

from __future__ import annotations

import json
import re
from typing import Any

from langchain_core.messages import HumanMessage

from app.classroom.evidence import EmbedMany, EssayIndex, TurnEvidence
from app.classroom.rounds import Side, opposite
from app.classroom.rubric import CRITERIA, CriterionScore, feedback, rubric, whole
from app.classroom.wording import rounds_text
from app.debate import prompts
from app.debate.retrieval import bm25_tokens
from app.debate.service import DebateService
from app.debate.textmatch import normalise

TOPIC_SIMILARITY = 0.3  # a sentence less similar than this to every essay sentence is not about the essay
STANCE = re.compile(
    r"\b(i (strongly |firmly )?(think|believe|argue|maintain|contend|claim|agree|disagree|hold)|"
    r"in my (view|opinion)|my (position|view|claim|case) is|i('m| am) (convinced|arguing|sure)|"
    r"(the )?(author|essay|writer|thesis) is (right|wrong|correct|mistaken|convincing|unconvincing)|"
    r"should|must|will never|will not|won't|cannot|can't)\b",
    re.IGNORECASE,
)
SIDE_CUES: dict[Side, re.Pattern[str]] = {
    "for": re.compile(
        r"\b(agree with the (author|essay|writer|thesis)|(the )?(author|essay|writer|thesis) is "
        r"(right|correct|convincing)|i support the (author|essay|thesis))\b",
        re.IGNORECASE,
    ),
    "against": re.compile(
        r"\b(disagree with the (author|essay|writer|thesis)|(the )?(author|essay|writer|thesis) is "
        r"(wrong|mistaken|unconvincing)|i reject the (author|essay|thesis)|(the )?(author|essay) "
        r"(overstates|underestimates|exaggerates|ignores))\b",
        re.IGNORECASE,
    ),
}
SIDE_ONLY: dict[Side, re.Pattern[str]] = {  # a bare side statement ("Opening: I argue against the thesis.")
    side: re.compile(
        rf"\b(i('m| am)? (argue|arguing|am|stand|speak|take the side)( here)? {side}|my (side|position) is {side}|"
        rf"i('m| am)? (arguing|here) {side})( the (essay'?s? |author'?s? )?(thesis|essay|author|position|motion))?\b",
        re.IGNORECASE,
    )
    for side in ("for", "against")
}
MIN_CLAIM_WORDS = 3  # content words a claim needs beyond its side statement
META_WORDS = frozenset({"essay", "author", "writer", "thesis", "text", "opening", "closing", "rebuttal", "side"})
CONNECTIVE = re.compile(
    r"\b(because|since|therefore|thus|hence|consequently|as a result|which means|this (shows|means|proves|"
    r"suggests|is why)|that is why|that's why|for (example|instance)|so that|if\b.{1,80}\bthen)\b|"
    r"(^|[,;]\s*)so\b",
    re.IGNORECASE,
)


# --- heuristics ------------------------------------------------------------------------------------
def heuristic_claim(sentences: list[str], side: Side, essay: EssayIndex, embed: EmbedMany) -> CriterionScore:
    """Claim 0–3: a position on the student's side that says something about the essay's subject."""
    result = CriterionScore("claim", 0, "heuristic")
    on_topic = _on_topic(sentences, essay, embed)
    content = _on_topic([strip_side(s) for s in sentences], essay, embed)
    propositions = [i for i, s in enumerate(sentences) if content[i] and len(content_words(s)) >= MIN_CLAIM_WORDS]
    sided = [i for i, s in enumerate(sentences) if SIDE_CUES[side].search(s) or SIDE_ONLY[side].search(s)]
    wrong = next((s for s in sentences if _other_side(s, side)), None)
    stated = {i for i in propositions if i in sided or STANCE.search(sentences[i])}
    claims = [i for i in propositions if stated & {i} or {i - 1, i + 1} & set(sided)]  # a side next to it counts
    if wrong is not None:
        result.score, words, key = 1, wrong, "wrong_side"
    elif claims:
        first = claims[0]
        opens = (first == 0 and first in stated) or (first == 1 and 0 in sided)  # "I argue against it. <point>."
        result.score, words, key = (3, sentences[first], "stated") if opens else (2, sentences[first], "late")
    elif sided or any(on_topic):
        result.score = 1
        words, key = (sentences[sided[0]], "side_only") if sided else (sentences[on_topic.index(True)], "implied")
    else:
        result.feedback.append(feedback("claim", "none"))
        return result
    result.feedback.append(feedback("claim", key, student=whole(words), side=_side(side)))
    result.student_words.append(words.strip())
    return result


def strip_side(sentence: str) -> str:
    """The sentence without its side statement ("I argue against the thesis", "the author is wrong")."""
    bare = sentence
    for pattern in (*SIDE_ONLY.values(), *SIDE_CUES.values(), STANCE):
        bare = pattern.sub(" ", bare)
    return " ".join(bare.split())


def content_words(sentence: str) -> list[str]:
    """Words that carry a proposition: not the side statement, stop words, or "essay"/"author"."""
    return [w for w in bm25_tokens(strip_side(sentence)) if w not in META_WORDS]


def _other_side(sentence: str, side: Side) -> bool:
    other = opposite(side)
    ours = SIDE_CUES[side].search(sentence) or SIDE_ONLY[side].search(sentence)
    return bool((SIDE_CUES[other].search(sentence) or SIDE_ONLY[other].search(sentence)) and not ours)


def heuristic_reasoning(sentences: list[str], evidence: TurnEvidence) -> CriterionScore:
    result = CriterionScore("reasoning", 0, "heuristic", passages=evidence.passages_used())
    backed = {i for i, s in enumerate(sentences) if _carries_evidence(s, evidence)}
    reasoned = [i for i, s in enumerate(sentences) if CONNECTIVE.search(s)]
    links = [i for i in reasoned if backed & {i - 1, i, i + 1}]
    if links:
        result.score = 3 if len(links) >= 2 else 2
        result.student_words = [sentences[i].strip() for i in links]
        result.feedback = [feedback("reasoning", "link", student=whole(sentences[i])) for i in links]
    elif reasoned:
        result.score, result.student_words = 1, [sentences[reasoned[0]].strip()]
        result.feedback.append(feedback("reasoning", "no_evidence", student=whole(sentences[reasoned[0]])))
    elif backed:
        result.score = 1
        result.feedback.append(feedback("reasoning", "no_link"))
    else:
        result.feedback.append(feedback("reasoning", "none"))
    return result


def _on_topic(sentences: list[str], essay: EssayIndex, embed: EmbedMany) -> list[bool]:
    if not sentences:
        return []
    return [bool((essay.vectors @ v).max() >= TOPIC_SIMILARITY) for v in embed(sentences)]


def _carries_evidence(sentence: str, evidence: TurnEvidence) -> bool:
    stripped = sentence.strip()
    return (
        any(q.text in sentence for q in evidence.verified_quotes)
        or any(p.student == stripped for p in evidence.paraphrases)
        or any(m.valid and m.sentence == stripped for m in evidence.markers)
    )


def _side(side: Side) -> str:
    return str(rounds_text("side_label")[side])


# --- the model's opinion ---------------------------------------------------------------------------
def model_opinion(
    service: DebateService, text: str, side: Side, phase: str, essay: EssayIndex, evidence: TurnEvidence
) -> dict[str, CriterionScore] | str:
    """Claim and Reasoning graded by the model, or the reason it could not be used."""
    used = {p.id for p in evidence.passages_used()}
    prompt = prompts.render(
        "classroom/judge.md",
        title=essay.record.title,
        side=_side(side),
        phase=phase,
        rubric=rubric()["criteria"],
        passages=[p for p in essay.passages if p.id in used],
        turn=text,
    )
    try:
        answer = service.complete([HumanMessage(prompt)]).text
    except Exception as exc:  # any backend failure (a BackendError, explained): the heuristic stands in, says why
        return f"the model did not answer ({type(exc.__cause__ or exc).__name__})"
    return _parse_opinion(answer, text, evidence)


def _parse_opinion(raw: str, turn: str, evidence: TurnEvidence) -> dict[str, CriterionScore] | str:
    found = re.search(r"\{.*\}", raw, re.DOTALL)
    try:
        data: Any = json.loads(found.group(0)) if found else None
    except json.JSONDecodeError:
        data = None
    if not isinstance(data, dict):
        return "the model's answer was not the JSON asked for"
    scores = {c: _criterion(c, data.get(c), turn, evidence) for c in CRITERIA if c in ("claim", "reasoning")}
    bad = [c for c, s in scores.items() if s is None]
    if bad:
        return f"the model's answer had no valid {' or '.join(bad)} score"
    return {c: s for c, s in scores.items() if s is not None}


def _criterion(name: str, data: Any, turn: str, evidence: TurnEvidence) -> CriterionScore | None:
    if not isinstance(data, dict) or not isinstance(data.get("score"), int) or not 0 <= data["score"] <= 3:
        return None
    result = CriterionScore(name, data["score"], "model opinion", passages=evidence.passages_used())
    result.feedback.append(str(data.get("feedback", "")).strip()[:400])
    words = str(data.get("quote", "")).strip().strip('“”"')
    if words and normalise(words) in normalise(turn):
        result.student_words.append(words)
    elif words:
        result.feedback.append("(The model quoted words that are not in your turn; they were dropped.)")
    return result
