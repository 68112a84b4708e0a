"""The scorecard: each student turn scored on the rubric, and the round overall.

Evidence and Rebuttal are checked against the text by code and never depend on a model; Claim and
Reasoning are the model's opinion on a capable backend, a labelled heuristic otherwise (`opinion.py`).
"""

from __future__ import annotations

import re
import threading
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from app.classroom.evidence import MISQUOTE_CLOSE, EssayIndex, PassageRef, TurnEvidence, check_turn, student_sentences
from app.classroom.misrepresentation import flag_reported_views
from app.classroom.opinion import heuristic_claim, heuristic_reasoning, model_opinion
from app.classroom.rebuttal import score_rebuttal
from app.classroom.rounds import PracticeRound, RoundTurn, Side, word_count
from app.classroom.rubric import CRITERIA, MAX_LEVEL, CriterionScore, feedback, short, whole
from app.debate.models import Reply
from app.debate.service import DebateService

EMBED_CACHE = 2048


@dataclass
class TurnScore:
    """One student turn on the rubric, with the text check's findings."""

    phase: str
    text: str
    words: int
    seconds: float
    expired: bool
    truncated_words: int
    criteria: dict[str, CriterionScore]
    evidence: TurnEvidence
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        ev = self.evidence
        return {
            "phase": self.phase,
            "text": self.text,
            "words": self.words,
            "seconds": round(self.seconds, 1),
            "expired": self.expired,
            "truncated_words": self.truncated_words,
            "criteria": {c: s.to_json() for c, s in self.criteria.items()},
            "evidence": {
                "passages_used": [asdict(p) for p in ev.passages_used()],
                "verified_quotes": [asdict(q) for q in ev.verified_quotes],
                "misquotes": [asdict(q) for q in ev.misquotes],
                "paraphrases": [asdict(p) for p in ev.paraphrases],
                "markers": [asdict(m) for m in ev.markers],
                "misrepresentations": [asdict(m) for m in ev.misrepresentations],
            },
            "notes": self.notes,
        }


@dataclass
class Scorecard:
    """Every student turn's scores, the means per criterion and the passages the student used."""

    turns: list[TurnScore]

    def overall(self) -> dict[str, float | None]:
        """Mean level per criterion over the turns where it applies (one decimal)."""
        means: dict[str, float | None] = {}
        for criterion in CRITERIA:
            scores = [t.criteria[criterion].score for t in self.turns if t.criteria[criterion].score is not None]
            means[criterion] = round(sum(s for s in scores if s is not None) / len(scores), 1) if scores else None
        return means

    def total(self) -> float:
        return round(sum(v for v in self.overall().values() if v is not None), 1)

    def passages_used(self) -> list[PassageRef]:
        return list(dict.fromkeys(p for t in self.turns for p in t.evidence.passages_used()))

    def to_json(self) -> dict[str, Any]:
        return {
            "overall": self.overall(),
            "total": self.total(),
            "out_of": MAX_LEVEL * len(CRITERIA),
            "passages_used": [asdict(p) for p in self.passages_used()],
            "flags": {
                "misquotes": sum(len(t.evidence.misquotes) for t in self.turns),
                "misrepresentations": sum(len(t.evidence.misrepresentations) for t in self.turns),
                "expired_turns": sum(t.expired for t in self.turns),
            },
            "turns": [t.to_json() for t in self.turns],
        }


class Scorer:
    """Scores student turns against one service's documents; caches each document's sentence index."""

    def __init__(self, service: DebateService) -> None:
        self.service = service
        self._essays: dict[tuple[str, str], EssayIndex] = {}
        self._vectors: dict[str, np.ndarray] = {}
        self._lock = threading.Lock()  # the web scores rounds from several threads

    def essay(self, doc: str) -> EssayIndex:
        record = self.service.document_index(doc).record
        key = (doc, record.version)
        with self._lock:
            if key not in self._essays:
                self._essays[key] = EssayIndex(self.service, doc)
            return self._essays[key]

    def embed(self, texts: list[str]) -> np.ndarray:
        """Normalised vectors, one row per text; each text is embedded once per scorer."""
        if not texts:
            return np.zeros((0, self.essay_dimension()))
        with self._lock:
            known = {t: self._vectors[t] for t in texts if t in self._vectors}
        missing = list(dict.fromkeys(t for t in texts if t not in known))
        if missing:
            known.update(zip(missing, self.service.embed(missing), strict=True))
            with self._lock:
                if len(self._vectors) > EMBED_CACHE:
                    self._vectors.clear()
                self._vectors.update((t, known[t]) for t in missing)
        return np.vstack([known[t] for t in texts])

    def essay_dimension(self) -> int:
        return int(next(iter(self._essays.values())).vectors.shape[1]) if self._essays else 384

    def score_turn(
        self,
        text: str,
        side: Side,
        doc: str,
        previous_bot: Reply | None,
        phase: str = "",
        opinion: bool = False,
        cut: bool = False,
    ) -> TurnScore:
        """One student turn: the text check (evidence, rebuttal) and claim/reasoning. A turn `cut` by the
        clock or the word limit loses its unfinished last sentence: feedback quotes whole sentences only."""
        essay = self.essay(doc)
        sentences = whole_sentences(student_sentences(text), cut)
        evidence = check_turn(text, essay, self.embed)
        flag_reported_views(evidence, sentences, self.service.argument_map(doc), essay, self.embed)  # uses the map
        criteria = {
            "evidence": score_evidence(evidence),
            "rebuttal": score_rebuttal(sentences, evidence, previous_bot, self.embed),
        }
        criteria |= self._claim_and_reasoning(text, sentences, side, phase, essay, evidence, opinion)
        ordered = {c: criteria[c] for c in CRITERIA}
        return TurnScore(phase, text, word_count(text), 0.0, False, 0, ordered, evidence)

    def score_round(self, round_: PracticeRound, opinion: bool | None = None) -> Scorecard:
        """The scorecard of a round; `opinion` defaults to asking the model when the backend is capable."""
        use_model = self.service.strategy == "free" if opinion is None else opinion
        turns = []
        for i, turn in enumerate(round_.student_turns()):
            previous = round_.previous_bot_turn(i)
            reply = previous.reply if previous else None
            cut = turn.expired or turn.truncated_words > 0
            scored = self.score_turn(turn.text, round_.side, round_.doc, reply, turn.phase, use_model, cut)
            turns.append(_with_turn_facts(scored, turn))
        return Scorecard(turns)

    def _claim_and_reasoning(
        self,
        text: str,
        sentences: list[str],
        side: Side,
        phase: str,
        essay: EssayIndex,
        evidence: TurnEvidence,
        opinion: bool,
    ) -> dict[str, CriterionScore]:
        fallback_note = ""
        if opinion and text.strip():
            graded = model_opinion(self.service, text, side, phase, essay, evidence)
            if isinstance(graded, dict):
                return graded
            fallback_note = f"Model opinion unavailable ({graded}); heuristic used."
        claim = heuristic_claim(sentences, side, essay, self.embed)
        reasoning = heuristic_reasoning(sentences, evidence)
        if fallback_note:
            claim.feedback.append(fallback_note)
            reasoning.feedback.append(fallback_note)
        return {"claim": claim, "reasoning": reasoning}


def whole_sentences(sentences: list[str], cut: bool) -> list[str]:
    """The sentences, less an unfinished last one when the turn was cut (no closing . ! ? or quote mark)."""
    if cut and sentences and not re.search(r"[.!?…][”\"’')\]]*\s*$", sentences[-1]):
        return sentences[:-1]
    return sentences


def score_evidence(evidence: TurnEvidence) -> CriterionScore:
    """Evidence 0–3 from what the text check found (see `prompts/classroom/rubric.yaml`)."""
    result = CriterionScore("evidence", evidence_level(evidence), "text check")
    for q in evidence.quotes:
        result.student_words.append(q.text)
        result.feedback.append(_quote_feedback(q))
    for p in evidence.paraphrases:
        result.student_words.append(p.student)
        result.feedback.append(
            feedback(
                "evidence", "paraphrase", student=whole(p.student), label=p.passage.label, essay=short(p.essay_sentence)
            )
        )
    for mark in evidence.markers:
        key = "marker_ok" if mark.valid else "marker_bad"
        result.feedback.append(feedback("evidence", key, marker=mark.marker, sentence=whole(mark.sentence)))
    for m in evidence.misrepresentations:
        result.student_words.append(m.student)
        result.feedback.append(
            feedback(
                "evidence",
                "misrepresentation",
                student=whole(m.student),
                reason=m.reason,
                label=m.passage.label,
                essay=short(m.essay_sentence),
            )
        )
    if not result.feedback:
        result.feedback.append(feedback("evidence", "none"))
    flagged = [q.passage for q in evidence.misquotes if q.passage] + [m.passage for m in evidence.misrepresentations]
    result.passages = list(dict.fromkeys(evidence.passages_used() + flagged))
    return result


def evidence_level(evidence: TurnEvidence) -> int:
    used, quoted = evidence.passages_used(), bool(evidence.verified_quotes)
    if not used:
        return 1 if evidence.problems else 0
    if len(used) >= 2 and quoted:
        return 2 if evidence.problems else 3
    return 2 if quoted or len(used) >= 2 else 1


def _quote_feedback(q: Any) -> str:
    label = q.passage.label if q.passage else "?"
    if q.verified:
        return feedback("evidence", "verified", label=label, quote=short(q.text))
    if q.similarity is not None and q.similarity < MISQUOTE_CLOSE:
        return feedback("evidence", "invented", quote=short(q.text), label=label)
    return feedback("evidence", "misquote", quote=short(q.text), label=label, real=short(q.real_wording, 300))


def _with_turn_facts(scored: TurnScore, turn: RoundTurn) -> TurnScore:
    scored.seconds, scored.expired, scored.truncated_words = turn.seconds, turn.expired, turn.truncated_words
    if turn.expired:
        scored.notes.append("Time ran out; the turn was submitted as it was.")
    if turn.truncated_words:
        scored.notes.append(f"Cut at the word limit: {turn.truncated_words} word(s) dropped.")
    return scored
