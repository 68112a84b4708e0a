"""Marker parsing and repair, quote verification, sentence labels — with the real embedder."""

from __future__ import annotations

import pytest

from app.debate.citations import parse_markers, verify_citations, verify_quote
from app.debate.quoting import find_quotations
from app.debate.textmatch import NormalisedText


@pytest.fixture
def checker(make_debate):
    service = make_debate(chat_model=None)
    record = service.document(service.default_doc)
    passages = service.document_index(record.slug).passages
    return service, NormalisedText(record.text), passages


def test_parse_markers() -> None:
    assert parse_markers("P3, 4; p12") == ["P3", "P4", "P12"]


def test_real_quote_with_straight_apostrophe_matches_curly_source(checker) -> None:
    _, source, passages = checker
    quote = verify_quote(
        "ByteDance's entire monetization engine is built on the exact opposite principle", source, passages
    )
    assert quote.verified
    assert source.original[quote.start : quote.end].startswith("ByteDance’s entire")
    assert quote.passage_id is not None


def test_invented_quote_fails(checker) -> None:
    _, source, passages = checker
    assert not verify_quote("AI will replace every director by 2030", source, passages).verified


def test_quotations_found_only_when_three_words_or_more() -> None:
    text = 'He said "no way" and then "this is a real quotation here" again.'
    assert [text[s:e] for s, e in find_quotations(text)] == ["this is a real quotation here"]


def test_invalid_and_unsupporting_markers_are_removed(checker) -> None:
    service, source, passages = checker
    by_label = {p.label: p for p in passages}
    table = next(p for p in passages if p.kind == "table")
    text = (
        f"The author says the real bottleneck is curation and distribution. [P8] "
        f"Cats are wonderful pets [{table.label}]. Nothing here [P99]."
    )
    checked = verify_citations(text, passages, source, service._similarity)
    assert "P99" in checked.removed_markers
    assert table.label in checked.removed_markers  # cited, but the passage does not back the sentence
    assert checked.sentences[0].label == "supported"
    assert checked.sentences[0].markers == ["P8"]
    assert checked.citations[0].passage_id == by_label["P8"].id
    assert "[P99]" not in checked.text
    assert checked.sentences[1].label == "unsupported"


def test_unmarked_close_paraphrase_gets_auto_attribution(checker) -> None:
    service, source, passages = checker
    text = "The barrier to entry for making films has not been technical for over ten years."
    checked = verify_citations(text, passages, source, service._similarity)
    assert checked.sentences[0].label == "auto"
    assert checked.citations[0].auto
    assert checked.text.endswith(f"[{checked.citations[0].marker}]")


def test_fabricated_quote_is_flagged_in_the_text(checker) -> None:
    service, source, passages = checker
    text = 'The author writes "AI will replace all directors by 2030" [P2].'
    checked = verify_citations(text, passages, source, service._similarity)
    assert [q.verified for q in checked.quotes] == [False]
    assert "[not found in the essay]" in checked.text
    assert checked.sentences[0].label == "unsupported"


def test_verbatim_quote_sentence_is_labelled_quote(checker) -> None:
    service, source, passages = checker
    text = "The author is blunt: “The real bottleneck is not production; it is curation and distribution.” [P8]"
    checked = verify_citations(text, passages, source, service._similarity)
    assert checked.sentences[0].label == "quote"
    assert checked.quotes[0].verified
