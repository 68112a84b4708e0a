"""The reply object every face receives, whichever strategy or backend produced it."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from ingest.models import Passage

Label = Literal["quote", "supported", "auto", "unsupported", "frame"]
LABEL_NAMES: dict[str, str] = {
    "quote": "verbatim quote",
    "supported": "supported paraphrase",
    "auto": "auto-attributed",
    "unsupported": "not from the essay",
    "frame": "Counterpoint's framing",
}


@dataclass
class Citation:
    """A marker in the reply (`P3`) pointing at a supplied passage; `start`/`end` are the cited span."""

    marker: str
    passage_id: str
    start: int
    end: int
    auto: bool = False


@dataclass
class Quote:
    """A quotation in the reply, checked against the source text."""

    text: str
    verified: bool
    start: int | None = None
    end: int | None = None
    passage_id: str | None = None
    role: str | None = None  # the argument-map role of the quoted sentence (thesis, reason, concession…)
    voice: str | None = None  # author, or reported (a view the essay describes in order to reject it)
    attributed: str | None = None  # how the reply presents it: as the author's view, or as a reported one


@dataclass
class Sentence:
    """One reply sentence and what backs it."""

    text: str
    label: Label
    markers: list[str] = field(default_factory=list)


@dataclass
class Timings:
    retrieval_s: float = 0.0
    first_text_s: float = 0.0
    ttft_s: float | None = None
    total_s: float = 0.0


@dataclass
class Reply:
    """A debate turn: the text plus everything needed to check it."""

    text: str
    mode: str
    strategy: str
    doc: str = ""
    citations: list[Citation] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)
    sentences: list[Sentence] = field(default_factory=list)
    passages: list[Passage] = field(default_factory=list)
    removed_markers: list[str] = field(default_factory=list)
    timings: Timings = field(default_factory=Timings)
    prompt_tokens: int = 0
    completion_tokens: int = 0
    notice: str = ""
    model_text: str = ""
    intent: str = ""  # what the message does: claim, question, agreement, pushback, misquote, off_topic…
    user_stance: str = "unclear"  # the user's side toward the thesis: for, against, unclear
    target: list[str] = field(default_factory=list)  # the map nodes the message engages
    moves: list[str] = field(default_factory=list)  # the debate moves of this reply, in order
    user_quotes: list[dict[str, Any]] = field(default_factory=list)  # quotations in the message, checked

    @property
    def verified_quotes(self) -> list[Quote]:
        return [q for q in self.quotes if q.verified]

    @property
    def flagged_quotes(self) -> list[Quote]:
        return [q for q in self.quotes if not q.verified]

    def cited_passage_ids(self) -> list[str]:
        return list(dict.fromkeys(c.passage_id for c in self.citations))

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (the `ask --json` and eval format)."""
        return {
            "reply": self.text,
            "mode": self.mode,
            "strategy": self.strategy,
            "doc": self.doc,
            "citations": [asdict(c) for c in self.citations],
            "quotes": {
                "verified": [asdict(q) for q in self.verified_quotes],
                "flagged": [asdict(q) for q in self.flagged_quotes],
            },
            "sentences": [asdict(s) for s in self.sentences],
            "passages": [p.to_json() for p in self.passages],
            "removed_markers": self.removed_markers,
            "timings": asdict(self.timings),
            "tokens": {"prompt": self.prompt_tokens, "completion": self.completion_tokens},
            "notice": self.notice,
            "model_text": self.model_text,
            "intent": self.intent,
            "user_stance": self.user_stance,
            "target": list(self.target),
            "moves": list(self.moves),
            "user_quotes": list(self.user_quotes),
        }
