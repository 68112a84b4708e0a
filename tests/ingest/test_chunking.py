"""Chunk boundaries on the real essay, counted with the real tokenizer."""

from __future__ import annotations

import re

import pytest

from ingest.chunking import chunk_document, linearise_table
from ingest.config import ChunkingConfig
from ingest.loaders import document_from_bytes
from ingest.sentences import split_sentences

EXPECTED_SECTIONS = [
    "Introduction",
    "The Illusion of Scale: Why Volumetric Content Fails",
    'Dismantling the "People Also Ask" Consensus',
    "The Economics of Hyper-Fragmentation",
    "The Hidden Cost of the Algorithmic Feed",
    "Stop Romanticizing the Tech Pivot",
]


@pytest.fixture(scope="module")
def passages(essay, embedder):
    return chunk_document(essay, ChunkingConfig(), embedder.count_tokens)


def test_headings_become_sections(passages) -> None:
    sections = list(dict.fromkeys(p.section for p in passages))
    assert sections == EXPECTED_SECTIONS
    assert not any(p.text.startswith(s) for p in passages for s in EXPECTED_SECTIONS[1:])


def test_offsets_slice_back_to_verbatim_text(essay, passages) -> None:
    for p in passages:
        assert essay.text[p.start : p.end] == p.text
        for start, end in p.sentences:
            assert p.start <= start < end <= p.end
    assert any("’" in p.text for p in passages), "curly apostrophes are kept"


def test_passages_cover_every_non_heading_line(essay, passages) -> None:
    covered = "".join(essay.text[p.start : p.end] for p in passages)
    for line in essay.text.splitlines():
        if line.strip() and line.strip() not in EXPECTED_SECTIONS:
            assert line.strip() in covered


def test_no_passage_is_cut_mid_sentence(passages) -> None:
    for p in passages:
        if p.kind == "table":
            assert p.text.rstrip().endswith("+")
            continue
        assert re.search(r"[.!?][\"”’)]?$", p.text), p.text[-60:]
        assert p.text[0].isupper() or p.text[0] in '-"“', p.text[:40]


def test_table_stays_whole_and_is_linearised(passages) -> None:
    tables = [p for p in passages if p.kind == "table"]
    assert len(tables) == 1
    table = tables[0]
    assert "THE MONOCULTURE VS. THE SWARM" in table.text
    assert "Low Margin, High Volume Ads" in table.text
    assert table.text.count("+----") == 3
    assert "HOLLYWOOD MODEL: 1 Massive Cultural Anchor; $300M Production Budget" in table.index_text
    assert "BYTEDANCE MODEL: 10,000,000 Micro-Niches" in table.index_text
    assert "|" not in table.index_text


def test_bullet_list_keeps_its_lead_in(passages) -> None:
    lists = [p for p in passages if p.kind == "list"]
    first = lists[0]
    assert first.text.startswith("Why? Because generative AI operates on statistical probability")
    for item in ("- The Probability Trap", "- The Context Collapse", "- The Friction Deficit"):
        assert item in first.text


def test_every_passage_fits_the_embedding_window(passages, embedder) -> None:
    for p in passages:
        assert embedder.count_tokens(p.index_text) + 2 <= 256


def test_sizes_stay_in_range(passages) -> None:
    words = [len(p.text.split()) for p in passages]
    assert max(words) <= 150
    assert sum(w >= 40 for w in words) / len(words) >= 0.8  # short tails after lists are the exception


def test_ids_are_stable_and_local(essay, embedder) -> None:
    first = chunk_document(essay, ChunkingConfig(), embedder.count_tokens)
    again = chunk_document(essay, ChunkingConfig(), embedder.count_tokens)
    assert [p.id for p in first] == [p.id for p in again]
    assert len({p.id for p in first}) == len(first)
    edited_text = essay.text.replace("Trade publications love this narrative.", "Trade papers love this story.")
    edited = chunk_document(
        document_from_bytes(edited_text.encode(), essay.slug + ".txt"), ChunkingConfig(), embedder.count_tokens
    )
    changed = {p.id for p in first} ^ {p.id for p in edited}
    assert len(changed) == 2  # only the edited passage's old and new ids differ


def test_markdown_headings_and_long_paragraphs(embedder) -> None:
    sentence = "This sentence has exactly nine words in it now. "
    md = f"# Title\n\nIntro line here that is short.\n\n## Part Two\n\n{sentence * 40}\n"
    doc = document_from_bytes(md.encode(), "t.md")
    passages = chunk_document(doc, ChunkingConfig(), embedder.count_tokens)
    assert {p.section for p in passages} == {"Title", "Part Two"}
    long = [p for p in passages if p.section == "Part Two"]
    assert len(long) >= 3
    for p in long:
        assert p.text.endswith("now.")
        assert len(p.text.split()) <= 150


def test_sentence_splitter_respects_abbreviations_and_quotes() -> None:
    text = 'He said "stop." Then vs. them it ended. Why? Because.'
    spans = split_sentences(text)
    assert [text[s:e] for s, e in spans] == ['He said "stop."', "Then vs. them it ended.", "Why?", "Because."]


def test_linearise_keeps_lead_in() -> None:
    table = "Intro:\n+--+\n| T |\n+--+\n| A | B |\n| 1 | 2 |\n+--+"
    assert linearise_table(table) == "Intro: T. A: 1. B: 2."


LIMIT = ChunkingConfig().max_tokens


def _markdown_table(rows: int) -> str:
    body = "".join(f"| {i} | Person {i} | City {i % 17} | {i * 0.37:.2f} |\n" for i in range(rows))
    header = "| id | name | city | score |\n|---|:---|---:|---|\n"
    return f"# Scores\n\nEvery score we have:\n\n{header}{body}\nThe end of it.\n"


def _assert_split_table(doc, passages, embedder, row_lines: list[str], header_bits: list[str]) -> None:
    tables = [p for p in passages if p.kind == "table"]
    assert len(tables) > 10
    for p in passages:
        assert doc.text[p.start : p.end] == p.text
        assert embedder.count_tokens(p.index_text) + 2 <= LIMIT, (p.label, embedder.count_tokens(p.index_text))
    for p in tables:
        assert all(bit in p.index_text for bit in header_bits), p.index_text[:200]
        assert "|" not in p.index_text
    for p in tables[1:]:
        assert p.text.startswith("|")  # a later piece begins at a row, and its text is rows only
    covered = [line for p in tables for line in p.text.splitlines()]
    assert [line for line in covered if line in row_lines] == row_lines  # every row once, in order


def test_big_markdown_table_splits_by_rows_and_repeats_the_header(embedder) -> None:
    doc = document_from_bytes(_markdown_table(3000).encode(), "scores.md")
    passages = chunk_document(doc, ChunkingConfig(), embedder.count_tokens)
    rows = [line for line in doc.text.splitlines() if re.match(r"\| \d+ \|", line)]
    assert len(rows) == 3000
    _assert_split_table(doc, passages, embedder, rows, ["id: ", "name: ", "city: ", "score: "])
    tables = [p for p in passages if p.kind == "table"]
    assert tables[0].text.startswith("Every score we have:\n\n| id | name | city | score |\n|---|")
    assert all(p.index_text.startswith("Scores\nid: ") for p in tables[1:])
    assert "---" not in " ".join(p.index_text for p in tables)  # the |---| separator is not a cell
    assert passages[-1].text == "The end of it."


def test_big_ascii_table_splits_by_rows_and_repeats_title_and_header(embedder) -> None:
    rule = "+" + "-" * 50 + "+"
    rows = [f"| Region {i} | Q{i % 4 + 1} | {i * 1000:,} dollars |" for i in range(1500)]
    table = "\n".join([rule, "| QUARTERLY REVENUE |", rule, "| Region | Quarter | Revenue |", rule, *rows, rule])
    doc = document_from_bytes(f"# Revenue Report\n\n{table}\n".encode(), "revenue.txt")
    passages = chunk_document(doc, ChunkingConfig(), embedder.count_tokens)
    _assert_split_table(doc, passages, embedder, rows, ["QUARTERLY REVENUE.", "Region: ", "Quarter: ", "Revenue: "])
    assert passages[-1].text.endswith(rule)


def test_grid_table_keeps_rows_with_their_rules(embedder) -> None:
    rule = "+----------+----------+"
    lines = ["| key | value |", "+==========+==========+"]
    for i in range(400):
        lines += [f"| key {i} | value number {i} |", rule]
    doc = document_from_bytes(("\n".join([rule, *lines]) + "\n").encode(), "grid.txt")
    passages = chunk_document(doc, ChunkingConfig(), embedder.count_tokens)
    assert len(passages) > 3
    for p in passages:
        assert p.text.rstrip().endswith("+")  # a piece ends at a rule, never between a row and its rule
        assert embedder.count_tokens(p.index_text) + 2 <= LIMIT
    assert all("key: " in p.index_text and "value: " in p.index_text for p in passages)


def test_table_row_over_the_window_splits_between_words(embedder) -> None:
    cell = " ".join(f"word{i}" for i in range(600))
    doc = document_from_bytes(f"| a | b |\n|---|---|\n| x | {cell} |\n| y | short |\n".encode(), "wide.md")
    passages = chunk_document(doc, ChunkingConfig(), embedder.count_tokens)
    assert len(passages) >= 3
    for p in passages:
        assert doc.text[p.start : p.end] == p.text
        assert embedder.count_tokens(p.index_text) + 2 <= LIMIT
    assert "word599" in "".join(p.text for p in passages)


def test_linearise_skips_markdown_separator_rows() -> None:
    assert linearise_table("| a | b |\n|---|:--:|\n| 1 | 2 |\n| 3 | 4 |") == "a: 1; 3. b: 2; 4."
