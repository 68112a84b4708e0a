"""The reply object every face receives, whichever strategy or backend produced it."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, Literal, Self, cast

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

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Citation:
        return cls(data["marker"], data["passage_id"], data["start"], data["end"], data.get("auto", False))


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

    @classmethod
    def from_json(cls, data: Mapping[str, Any], verified: bool | None = None) -> Quote:
        """`verified` defaults to the stored flag (a reply's JSON keeps quotes in `verified`/`flagged` lists);
        role, voice and attributed came later and default to None."""
        return cls(
            text=data["text"],
            verified=bool(data.get("verified", False)) if verified is None else verified,
            start=data.get("start"),
            end=data.get("end"),
            passage_id=data.get("passage_id"),
            role=data.get("role"),
            voice=data.get("voice"),
            attributed=data.get("attributed"),
        )


@dataclass
class Sentence:
    """One reply sentence and what backs it."""

    text: str
    label: Label
    markers: list[str] = field(default_factory=list)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Sentence:
        return cls(data["text"], cast(Label, data["label"]), list(data.get("markers", [])))


@dataclass
class Timings:
    retrieval_s: float = 0.0
    first_text_s: float = 0.0
    ttft_s: float | None = None
    total_s: float = 0.0

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Timings:
        defaults = cls()
        return cls(
            retrieval_s=data.get("retrieval_s", defaults.retrieval_s),
            first_text_s=data.get("first_text_s", defaults.first_text_s),
            ttft_s=data.get("ttft_s", defaults.ttft_s),
            total_s=data.get("total_s", defaults.total_s),
        )


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

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Self:
        """The reply back from its JSON (`to_json`), as stored in debates and classroom rounds:
        `Reply.from_json(r.to_json()).to_json() == r.to_json()`. A reply stored by an earlier version loads
        too: keys added since (intent, user_stance, target, moves, user_quotes; a quote's role, voice and
        attributed; a passage's doc, ordinal, kind and sentences) take their defaults."""
        doc = data.get("doc", "")
        tokens = data.get("tokens") or {}
        return cls(
            text=data.get("reply", ""),
            mode=data.get("mode", ""),
            strategy=data.get("strategy", ""),
            doc=doc,
            citations=[Citation.from_json(c) for c in data.get("citations", [])],
            quotes=_quotes_from_json(data.get("quotes")),
            sentences=[Sentence.from_json(s) for s in data.get("sentences", [])],
            passages=[passage_from_json(p, doc) for p in data.get("passages", [])],
            removed_markers=list(data.get("removed_markers", [])),
            timings=Timings.from_json(data.get("timings") or {}),
            prompt_tokens=tokens.get("prompt", 0),
            completion_tokens=tokens.get("completion", 0),
            notice=data.get("notice", ""),
            model_text=data.get("model_text", ""),
            intent=data.get("intent", ""),
            user_stance=data.get("user_stance", "unclear"),
            target=list(data.get("target", [])),
            moves=list(data.get("moves", [])),
            user_quotes=[dict(q) for q in data.get("user_quotes", [])],
        )


def _quotes_from_json(quotes: Any) -> list[Quote]:
    """`{"verified": [...], "flagged": [...]}` (or a plain list, each quote with its flag)."""
    if isinstance(quotes, Mapping):
        verified = [Quote.from_json(q, verified=True) for q in quotes.get("verified", [])]
        return verified + [Quote.from_json(q, verified=False) for q in quotes.get("flagged", [])]
    return [Quote.from_json(q) for q in quotes or []]


_LABEL = re.compile(r"^P(\d+)$")


def passage_from_json(data: Mapping[str, Any], doc: str = "") -> Passage:
    """A passage back from `Passage.to_json()` (a reply's `passages`). Replies of the first versions stored
    only id, label, section, offsets, text and scores: the ordinal is read from the label (`P3` is 2) and the
    document is the reply's. What `to_json` leaves out (`index_text`) is not needed to show or check a reply."""
    if "ordinal" in data:
        ordinal = int(data["ordinal"])
    else:
        found = _LABEL.match(str(data.get("label", "")))
        ordinal = int(found.group(1)) - 1 if found else 0
    return Passage(
        id=data["id"],
        doc=data.get("doc", doc),
        section=data.get("section", ""),
        ordinal=ordinal,
        start=data["start"],
        end=data["end"],
        text=data["text"],
        kind=data.get("kind", "prose"),
        sentences=tuple((int(a), int(b)) for a, b in data.get("sentences", [])),
        pages=tuple(data.get("pages", [])),
        scores=dict(data.get("scores") or {}),
    )
