"""Replies for tests, built from the real types: a test never writes a reply dict by hand, so it cannot drift
from what `Reply.to_json()` produces (use `.to_json()` where a stored dict is really needed). The one dict
here is `FIRST_VERSION`: a reply as an earlier version stored it, which today's types no longer write."""

from __future__ import annotations

from typing import Any

from app.classroom.rounds import BotReply
from app.debate.models import Citation, Label, Quote, Reply, Sentence


def make_reply(text: str = "", mode: str = "challenge", strategy: str = "scaffold", **fields: Any) -> Reply:
    """A reply with only the fields a test cares about (`citations=[cite(...)]`, `quotes=[...]`…)."""
    return Reply(text=text, mode=mode, strategy=strategy, **fields)


def bot_reply(text: str = "", held_side: list[str] | None = None, **fields: Any) -> BotReply:
    """A classroom bot turn's reply (a reply plus what the side guard held back)."""
    return BotReply.of(make_reply(text, **fields), held_side or [])


def cite(marker: str, passage_id: str, start: int, end: int, auto: bool = False) -> Citation:
    return Citation(marker, passage_id, start, end, auto)


def quote(text: str, verified: bool = True, **fields: Any) -> Quote:
    return Quote(text=text, verified=verified, **fields)


def sentence(text: str, label: Label, *markers: str) -> Sentence:
    return Sentence(text, label, list(markers))


# A reply as the first version stored it (before intent, stance, target, moves and user quotes; before a
# quote's role, voice and attribution; before a passage carried its doc, ordinal, kind and sentences).
FIRST_VERSION: dict[str, Any] = {
    "reply": "The essay disagrees: “Audiences” [P3]",
    "mode": "defend",
    "strategy": "free",
    "doc": "essay",
    "citations": [{"marker": "P3", "passage_id": "essay-3", "start": 170, "end": 180, "auto": False}],
    "quotes": {
        "verified": [{"text": "Audiences", "verified": True, "start": 170, "end": 180, "passage_id": "essay-3"}],
        "flagged": [{"text": "made up", "verified": False, "start": None, "end": None, "passage_id": None}],
    },
    "sentences": [{"text": "The essay disagrees: “Audiences” [P3]", "label": "quote", "markers": ["P3"]}],
    "passages": [
        {
            "id": "essay-3",
            "label": "P3",
            "section": "Why",
            "start": 120,
            "end": 180,
            "text": "The barrier to entry for filmmaking hasn't been technical. Audiences",
            "scores": {"dense": 0.5},
        }
    ],
    "removed_markers": [],
    "timings": {"retrieval_s": 0.1, "first_text_s": 0.2, "ttft_s": None, "total_s": 0.3},
    "tokens": {"prompt": 10, "completion": 5},
    "notice": "",
    "model_text": "The essay disagrees [P3]",
}
