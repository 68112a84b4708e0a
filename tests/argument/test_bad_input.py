"""Bad input never breaks the mapper: empty, one sentence, a recipe, a licence, a list, a very long text."""

from __future__ import annotations

import pytest

from app.settings import DEFAULT_ESSAY
from argument.mapper import build_map
from argument.model import ArgumentMap, validate

RECIPE = """Lemon Drizzle Cake

Ingredients
- 225g unsalted butter, softened
- 225g caster sugar
- 4 eggs
- 225g self-raising flour
- 1 lemon, zested

Method
1. Heat the oven to 180C and line a loaf tin with baking paper.
2. Beat the butter and sugar together until pale and creamy.
3. Add the eggs one at a time, mixing well after each.
4. Fold in the flour and lemon zest, then pour into the tin.
5. Bake for 45 minutes until a skewer comes out clean.
Mix the juice of the lemon with 85g of icing sugar and pour over the warm cake.
"""

LICENCE = """MIT License

Copyright (c) 2024 Example Authors

Permission is hereby granted, free of charge, to any person obtaining a copy of this software and associated
documentation files (the "Software"), to deal in the Software without restriction, including without limitation
the rights to use, copy, modify, merge, publish, distribute, sublicense, and/or sell copies of the Software.

The above copyright notice and this permission notice shall be included in all copies or substantial portions of
the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING BUT NOT LIMITED TO
THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT.
"""

LIST_ONLY = """- apples
- bread
- milk
- two tins of tomatoes
- washing-up liquid
* batteries (AA)
"""

CASES = {
    "empty": "",
    "whitespace": "   \n\n\t \n",
    "one sentence": "Cities should ban cars from their centres.",
    "punctuation": "... !!! ??? --- ***",
    "recipe": RECIPE,
    "licence": LICENCE,
    "list only": LIST_ONLY,
}


def _checked(amap: ArgumentMap, text: str) -> ArgumentMap:
    validate(amap, text)
    assert amap.notices, "every map says what it found"
    assert amap.to_json()["nodes"] == [n.to_json() for n in amap.nodes]
    assert ArgumentMap.from_json(amap.to_json()).to_json() == amap.to_json()
    return amap


@pytest.mark.parametrize("name", list(CASES))
def test_bad_input_gives_a_map_with_notices(name: str, embedder) -> None:
    text = CASES[name]
    for embed in (None, embedder.encode):
        _checked(build_map("bad", text, embed=embed), text)


@pytest.mark.parametrize("name", ["empty", "whitespace", "punctuation"])
def test_nothing_to_map(name: str) -> None:
    amap = _checked(build_map("bad", CASES[name]), CASES[name])
    assert amap.nodes == [] and amap.thesis is None
    assert amap.notices == ["the text has no sentences, so there is no argument to map"]


@pytest.mark.parametrize("name", ["recipe", "licence", "list only"])
def test_texts_that_do_not_argue_have_no_thesis(name: str, embedder) -> None:
    amap = _checked(build_map("bad", CASES[name], embed=embedder.encode), CASES[name])
    assert amap.thesis is None
    assert any(n.startswith("no clear thesis") for n in amap.notices)
    assert amap.reported() == []


def test_recipe_steps_are_not_calls_to_action(embedder) -> None:
    amap = build_map("recipe", RECIPE, embed=embedder.encode)
    assert amap.by_role("call_to_action", "evidence", "concession") == []


def test_one_sentence(embedder) -> None:
    text = CASES["one sentence"]
    amap = _checked(build_map("one", text, embed=embedder.encode), text)
    assert [n.text for n in amap.nodes] == [text]


def test_very_long_text() -> None:
    """The default essay twenty times over (~180 KB, 1,800 sentences): still a valid map, one thesis at most.

    Without the embedder (embedding 1,800 sentences would dominate the test; the embed path is covered above)."""
    essay = DEFAULT_ESSAY.read_text(encoding="utf-8")
    text = "\n\n".join([essay] * 20)
    amap = _checked(build_map("long", text), text)
    assert len(amap.nodes) >= 20 * 90
    assert len(amap.by_role("thesis")) <= 1
    assert len(amap.reported()) >= 20 * 7
