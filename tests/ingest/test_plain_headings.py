"""Plain-text layouts people really paste: headings with a blank line after, underlined, numbered, ALL CAPS."""

from __future__ import annotations

from ingest.chunking import chunk_document
from ingest.config import ChunkingConfig
from ingest.loaders import document_from_bytes
from ingest.models import Passage

BODY = (
    "This paragraph carries an argument of its own, long enough that it stands as a passage by itself "
    "and never needs a neighbour to reach the minimum size that chunking asks of a passage in a section."
)


def _chunk(text: str) -> list[Passage]:
    doc = document_from_bytes(text.encode(), "essay.txt")
    return chunk_document(doc, ChunkingConfig(), lambda s: len(s.split()))


def _no_heading_glued(passages: list[Passage], headings: list[str]) -> None:
    for p in passages:
        for heading in headings:
            assert heading not in p.text, f"{heading!r} glued onto {p.label}"


def test_headings_followed_by_a_blank_line() -> None:
    text = f"Why Cities Need Trees\n\nShade\n\n{BODY}\n\nThe Cost Of Shade\n\n{BODY} Costs too.\n"
    passages = _chunk(text)
    assert [p.section for p in passages] == ["Shade", "The Cost Of Shade"]
    _no_heading_glued(passages, ["Shade\n", "The Cost Of Shade"])


def test_underlined_numbered_and_all_caps_headings() -> None:
    text = (
        f"Trees\n=====\n\n{BODY}\n\nA Second Look\n-------------\n\n{BODY} Again.\n\n"
        f"2.1 The Basics\n\n{BODY} Third.\n\nTHE COST OF SHADE\n\n{BODY} Fourth.\n"
    )
    passages = _chunk(text)
    assert [p.section for p in passages] == ["Trees", "A Second Look", "2.1 The Basics", "THE COST OF SHADE"]
    assert all("===" not in p.text and "---" not in p.text for p in passages)
    _no_heading_glued(passages, ["A Second Look", "The Basics", "THE COST"])


def test_hard_wrapped_paragraphs_and_numbered_lists_stay_whole() -> None:
    wrapped = "\n".join(BODY[i : i + 60] for i in range(0, len(BODY), 60))
    text = f"Reasons\n\n{wrapped}\n\nIn short:\n1. shade cools streets.\n2. roots hold soil.\n"
    passages = _chunk(text)
    assert passages[0].section == "Reasons"
    assert passages[0].text == wrapped
    assert passages[-1].kind == "list" and "1. shade" in passages[-1].text


def test_a_short_last_line_of_a_paragraph_is_not_a_heading() -> None:
    text = f"Reasons\n\n{BODY} It was said in\nNew York City\n\n{BODY}\n"
    passages = _chunk(text)
    assert {p.section for p in passages} == {"Reasons"}
