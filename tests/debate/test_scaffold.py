"""The filter on the tiny model's piece, and sentence selection."""

from __future__ import annotations

from app.debate.scaffold import Selected, filter_piece, select_sentences
from ingest.models import Passage
from ingest.sentences import split_sentences

PASSAGE = Passage(
    id="p",
    doc="d",
    section="S",
    ordinal=0,
    start=0,
    end=120,
    text='"Will AI tools help?" The barrier to entry for filmmaking hasn\'t been technical for over a decade. Why?',
)
PASSAGE.sentences = tuple(split_sentences(PASSAGE.text))
CLAIM = "AI video tools will let anyone make a blockbuster at home"


def _reason(sentence: str, question: bool = False) -> str:
    result = filter_piece([sentence], CLAIM, [PASSAGE], question=question)
    return result.dropped[0][1] if result.dropped else ""


def test_keeps_a_grounded_question() -> None:
    assert _reason("If the barrier was never technical, what would cheaper tools change?", question=True) == ""


def test_drops_echo_flattery_and_inventions() -> None:
    assert _reason("AI video tools will let anyone make a blockbuster at home.") == "echoes the user"
    assert _reason("You're absolutely right about the tools and the filmmaking.") == "agrees without evidence"
    assert "number" in _reason("Budgets fell by 73 percent in the last year for filmmaking.")
    assert "source" in _reason("A recent study shows filmmaking tools changed everything.")
    assert "names" in _reason("Steven Spielberg proved the barrier to filmmaking is gone.")
    assert "question" in _reason("The barrier to entry is a matter of taste for filmmaking.", question=True)
    assert "quotes" in _reason('The passage says "anyone can make films now" which is wrong.')
    assert "refuses" in _reason("I'm sorry, but I cannot provide an answer to this.")
    assert _reason("Question: What would cheaper filmmaking tools change?", question=True) == ""


def test_only_one_sentence_is_kept() -> None:
    good = "What would cheaper tools change if the barrier was never technical?"
    result = filter_piece([good, good], CLAIM, [PASSAGE], question=True)
    assert result.kept == [good]
    assert result.dropped[0][1] == "over the one-sentence limit"


def test_selection_skips_quoted_questions_and_fragments() -> None:
    quoted, middle, short = PASSAGE.sentences
    chosen = select_sentences([(PASSAGE, [(quoted, 0.9), (middle, 0.5), (short, 0.95)])])
    assert chosen == [Selected(PASSAGE, middle[0], middle[1], 0.5)]
    assert chosen[0].text.startswith("The barrier to entry")


def test_top_ranked_passage_leads_then_best_of_the_rest() -> None:
    other = Passage(
        id="o", doc="d", section="S", ordinal=1, start=0, end=40, text="Another long sentence about cinema here."
    )
    other.sentences = ((0, 40),)
    third = Passage(
        id="t", doc="d", section="S", ordinal=2, start=0, end=40, text="A third long sentence about films here."
    )
    third.sentences = ((0, 40),)
    _, middle, _ = PASSAGE.sentences
    chosen = select_sentences([(PASSAGE, [(middle, 0.3)]), (other, [((0, 40), 0.1)]), (third, [((0, 40), 0.6)])])
    assert [sel.passage.id for sel in chosen] == ["p", "t"]


def test_table_title_and_header_rows_are_never_quoted_but_data_rows_are() -> None:
    rows = [
        "| THE MONOCULTURE VS. THE SWARM |",
        "| HOLLYWOOD MODEL | BYTEDANCE MODEL |",
        "| $300M Production Budget | $0 Production Cost (User-Gen) |",
    ]
    text = "\n".join(rows)
    spans, start = [], 0
    for row in rows:
        spans.append((start, start + len(row)))
        start += len(row) + 1
    table = Passage(id="t", doc="d", section="S", ordinal=0, start=0, end=len(text), text=text, kind="table")
    table.sentences = tuple(spans)
    best_first = [(spans[0], 0.9), (spans[1], 0.8), (spans[2], 0.5)]  # the headers score highest
    selected = select_sentences([(table, best_first)])
    assert [s.text for s in selected] == [rows[2]]
