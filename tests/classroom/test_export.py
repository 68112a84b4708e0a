"""A round exported as Markdown and JSON, with the scorecard, citations and the marks on every score."""

from __future__ import annotations

import json

import pytest

from app.classroom.errors import ClassroomError
from tests.fakes import RecordingFake

OPENING = "I agree with the author. “AI does not know what it feels like to fail.” So its films will feel hollow."
CLOSING = 'You ask about jobs, but the essay says "the barrier to entry for filmmaking has been technical for decades".'
BOT = "The essay admits “the real bottleneck is not production; it is curation and distribution” [P8]. So what?"
JUDGE = json.dumps(
    {
        "claim": {"score": 2, "feedback": "Clear enough.", "quote": "I agree with the author."},
        "reasoning": {"score": 1, "feedback": "Thin.", "quote": ""},
    }
)


@pytest.fixture
def finished(make_classroom):
    classroom = make_classroom(RecordingFake(responses=[BOT, BOT, JUDGE, JUDGE]), strategy="free", rounds=2)
    attempt = classroom.start("Ada", "for", thesis="Hollywood is safe from ByteDance.")
    with pytest.raises(ClassroomError, match="after the closing"):
        classroom.scorecard(attempt.token)
    for text in (OPENING, CLOSING):
        classroom.take_turn(attempt.token, text)
    return classroom, attempt.token


def test_markdown_has_transcript_citations_and_marked_scores(finished) -> None:
    classroom, token = finished
    md = classroom.export_markdown(token)
    assert "- Student: Ada — for the essay's thesis (the author is right)" in md
    assert "- Thesis: Hollywood is safe from ByteDance." in md
    assert "## Opening" in md and "## Closing" in md and f"> {OPENING}" in md
    assert '- [P8] Dismantling the "People Also Ask" Consensus (`' in md  # the bot's citation with its id
    assert "| opening | 2 (model opinion) | 2 | 1 (model opinion) | n/a |" in md
    assert "Not the essay's words: “the barrier to entry for filmmaking has been technical for decades”" in md
    assert "The barrier to entry for filmmaking hasn't been technical for over a decade." in md  # the real wording
    assert "Passages: P11 `" in md and token not in md


def test_json_has_every_turn_and_the_scorecard(finished) -> None:
    classroom, token = finished
    data = classroom.export_json(token)
    assert data["attempt"]["student"] == "Ada" and data["attempt"]["bot_side"] == "against"
    assert data["attempt"]["format"] == {"rounds": 2, "word_limit": 200, "turn_seconds": 0}
    bot = data["turns"][1]
    assert bot["role"] == "bot" and bot["citations"][0]["marker"] == "P8"
    assert bot["citations"][0]["text"].startswith("The real bottleneck is not production")
    card = data["scorecard"]
    closing = card["turns"][1]
    assert closing["evidence"]["misquotes"][0]["real_wording"].startswith("The barrier to entry")
    assert closing["criteria"]["evidence"]["score"] == 1 and closing["criteria"]["evidence"]["source"] == "text check"
    assert closing["criteria"]["claim"]["source"] == "model opinion"
    assert card["flags"]["misquotes"] == 1 and card["overall"]["rebuttal"] is not None
    assert token not in json.dumps(data)
    assert classroom.scorecard(token) == card  # stored once, read back unchanged
