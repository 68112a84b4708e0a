"""One rule for what a quotation is (app.debate.quoting), with its named options, and one for a concession
(app.debate.concession) shared by the classroom's side guard and the eval's stance metric."""

import pytest

from app.classroom.opponent import concedes as guard_concedes
from app.debate.concession import concedes
from app.debate.quoting import find_quotations, strip_quotations
from eval.metrics import stance_held


def quoted(text: str, **options: bool) -> list[str]:
    return [text[s:e] for s, e in find_quotations(text, **options)]


def test_curly_and_straight_quotations_of_three_words_or_more() -> None:
    text = 'It says “the studios are doomed” and "audiences will flee" but not "doomed".'
    assert quoted(text) == ["the studios are doomed", "audiences will flee"]
    assert quoted('A "line\nbreak inside" is no quotation.') == []


def test_single_quotes_count_only_when_asked_and_only_without_double_ones() -> None:
    text = "Money changes that. 'The lazy consensus insists' nothing, I say."
    assert quoted(text) == []
    assert quoted(text, single_quotes=True) == ["The lazy consensus insists"]
    assert quoted("“The lazy consensus insists” and 'something else entirely'", single_quotes=True) == [
        "The lazy consensus insists"
    ]


def test_mixed_marks_pair_an_opening_mark_with_the_next_closing_one() -> None:
    text = 'The model wrote “the studios are doomed" with mismatched marks.'
    assert quoted(text) == []
    assert quoted(text, mixed_marks=True) == ["the studios are doomed"]
    nested = 'It reports: “"Will AI video tools lower the barrier?"”'
    assert "Will AI video tools lower the barrier?" in quoted(nested, mixed_marks=True)


def test_strip_quotations_blanks_quotes_and_keeps_offsets() -> None:
    text = 'You keep saying "I was wrong" but “you win” is not mine.'
    bare = strip_quotations(text)
    assert len(bare) == len(text)
    assert "wrong" not in bare and "win" not in bare and bare.startswith("You keep saying ")


# One concession rule for the guard and the eval: both say yes, or both say no.
@pytest.mark.parametrize(
    "text",
    [
        "You're absolutely right.",
        "OK, I agree.",
        "Good point, I was wrong.",
        "I'll change my mind.",
        "I concede the point.",
        "Fair enough, the essay overstates it.",
        "I admit the essay is thin here.",
        "The essay is careful. Yes, you have a case.",  # an opening agreement in a later sentence
    ],
)
def test_a_concession_is_one_for_the_guard_and_the_eval(text: str) -> None:
    assert concedes(text) and guard_concedes(text)
    assert stance_held(text, True, ["pushback"]) == 0.0


@pytest.mark.parametrize(
    "text",
    [
        "The author writes “you're right to be afraid” [P1].",
        "Since you agree, I'll take the other side.",
        'You keep saying "I was wrong about this" but the essay holds [P3].',
    ],
)
def test_a_held_side_is_one_for_the_guard_and_the_eval(text: str) -> None:
    assert not concedes(text) and not guard_concedes(text)
    assert stance_held(text, True, ["pushback"]) == 1.0
