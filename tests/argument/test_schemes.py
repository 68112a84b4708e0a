"""Scheme detection on the issue's example sentences, and slots that are exact words of the sentence."""

from __future__ import annotations

import pytest

from argument.schemes import detect_scheme, load_scheme, parallel_pair, scheme_names

EXAMPLES = [
    ("I have spent a decade looking at the backend data of digital media distribution.", "expert_opinion"),
    ("As a teacher of twenty years, I have seen tired pupils give up.", "expert_opinion"),
    ("It fails every single time.", "generalisation"),
    ("Audiences will flee the unvetted swamp of algorithmic feeds.", "cause_effect"),
    ("When the cost of content creation drops to zero, the value of human curation skyrockets.", "cause_effect"),
    (
        "They are building a hyper-optimized digital theme park designed to capture transient micro-attention.",
        "analogy",
    ),
    ("They simply create a nuclear winter of noise.", "analogy"),
    ("They are in the dopamine-delivery business. You are in the myth-making business.", "alternatives"),
    ("Either we keep the roads open or we lose the high street.", "alternatives"),
    ("By wiping out the entry-level commercial market, tech platforms are destroying the farm system.", "consequences"),
    ("This house should ban homework in primary schools.", "values"),
    ("What matters is whether children still love reading.", "values"),
]


@pytest.mark.parametrize(("sentence", "scheme"), EXAMPLES)
def test_detects_the_scheme_of_the_issue_examples(sentence: str, scheme: str) -> None:
    assert detect_scheme(sentence) == scheme


@pytest.mark.parametrize(
    "sentence", ["Preheat the oven to 180C.", "Permission is hereby granted, free of charge, to any person.", ""]
)
def test_no_scheme_in_instructions_or_boilerplate(sentence: str) -> None:
    assert detect_scheme(sentence) is None


@pytest.mark.parametrize("name", [*scheme_names(), "concession", "reported"])
def test_every_scheme_has_a_file_with_questions_and_slots(name: str) -> None:
    scheme = load_scheme(name)
    assert scheme.name == name and scheme.description and scheme.questions
    assert all(t.slots for t in scheme.questions)  # no template without a slot from the text: none is generic


def test_slots_are_exact_words_of_the_sentence() -> None:
    sentence = "I have spent a decade looking at the backend data of digital media distribution."
    slots = load_scheme("expert_opinion").slots(sentence)
    assert slots["span"] == "a decade"
    assert slots["field"] == "looking at the backend data of digital media distribution"
    cause = load_scheme("cause_effect").slots(
        "When the cost of content creation drops to zero, the value of human curation skyrockets."
    )
    assert cause == {
        "cause": "the cost of content creation drops to zero",
        "effect": "the value of human curation skyrockets",
    }


def test_parallel_sentences_contrast_one_phrase() -> None:
    pair = parallel_pair("They are in the dopamine-delivery business.", "You are in the myth-making business.")
    assert pair == ("dopamine-delivery business", "myth-making business")
    assert parallel_pair("The sky is blue today.", "Prices rose sharply in March.") is None
