"""Dataset loading: the shipped dev set is valid, and a bad line gets an error naming it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.debate.errors import CounterpointError
from app.debate.textmatch import NormalisedText
from app.settings import DEFAULT_ESSAY
from eval.dataset import DatasetError, load_dataset, parse_line

DEV = Path(__file__).resolve().parents[2] / "eval" / "datasets" / "dev.jsonl"


def test_dev_set_loads_with_defaults_and_valid_gold() -> None:
    cases = load_dataset(DEV)
    assert len(cases) >= 152  # others append cases too
    assert len({c.id for c in cases}) == len(cases)
    assert {c.mode for c in cases} == {"challenge", "defend", "socratic", "devils-advocate"}
    sources: dict[str | None, NormalisedText] = {
        None: NormalisedText(DEFAULT_ESSAY.read_text(encoding="utf-8")),
        **{doc.stem: NormalisedText(doc.read_text("utf-8")) for doc in (DEV.parent / "docs").glob("*.txt")},
    }
    assert "hollywood-injected" in sources
    missing = [(c.id, g) for c in cases for g in c.gold if sources[c.doc].find(g) is None]
    assert missing == []
    push = next(c for c in cases if c.id == "push-01")
    assert push.history and push.history[0]["role"] == "user"
    assert push.extra == {}
    assert next(c for c in cases if c.id == "para-01").extra == {"note": "section: intro"}


def test_minimal_case_gets_defaults() -> None:
    case = parse_line('{"id": "a", "query": "", "gold": []}', 1)
    assert (case.mode, case.forbid, case.history, case.tags, case.doc) == ("challenge", (), (), (), None)
    assert parse_line('{"id": "b", "query": "q", "gold": [], "mode": "Devil\'s Advocate"}').mode == "devils-advocate"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("{not json", "not valid JSON"),
        ("[1, 2]", "expected a JSON object"),
        ('{"query": "q", "gold": []}', "'id' must be a non-empty string"),
        ('{"id": "x", "gold": []}', "'query' must be a string"),
        ('{"id": "x", "query": "q"}', "'gold' is required"),
        ('{"id": "x", "query": "q", "gold": "one string"}', "'gold' must be a list of strings"),
        ('{"id": "x", "query": "q", "gold": [""]}', "'gold' has an empty string"),
        ('{"id": "x", "query": "q", "gold": [], "mode": "shouting"}', "unknown mode 'shouting'"),
        ('{"id": "x", "query": "q", "gold": [], "history": [{"role": "bot", "content": "hi"}]}', "history turn 1"),
        ('{"id": "x", "query": "q", "gold": [], "tags": "a"}', "'tags' must be a list"),
        ('{"id": "x", "query": "q", "gold": [], "doc": 3}', "'doc' must be a document slug"),
        ('{"id": "x", "query": "q", "gold": [], "intent": "rant"}', "unknown intent 'rant'"),
        ('{"id": "x", "query": "q", "gold": [], "stance": "pro"}', "unknown stance 'pro' (choose one of: for, against"),
        ('{"id": "x", "query": "q", "gold": [], "group": ""}', "'group' must be a non-empty string"),
        ('{"id": "x", "query": "q", "gold": [], "group": 7}', "'group' must be a non-empty string"),
        ('{"id": "x", "query": "q", "gold": [], "fabricated": " "}', "'fabricated' must be a non-empty string"),
        ('{"id": "x", "query": "q", "gold": [], "turns": "hi"}', "'turns' must be a list of strings"),
        ('{"id": "x", "query": "q", "gold": [], "turns": [""]}', "'turns' has an empty string"),
    ],
)
def test_bad_line_errors_name_the_line(tmp_path: Path, line: str, expected: str) -> None:
    path = tmp_path / "set.jsonl"
    path.write_text('{"id": "ok", "query": "q", "gold": []}\n\n' + line + "\n", encoding="utf-8")
    with pytest.raises(DatasetError) as info:
        load_dataset(path)
    assert "line 3" in str(info.value)
    assert expected in str(info.value)


def test_duplicate_ids_and_empty_files(tmp_path: Path) -> None:
    path = tmp_path / "dup.jsonl"
    row = json.dumps({"id": "same", "query": "q", "gold": []})
    path.write_text(f"{row}\n{row}\n", encoding="utf-8")
    with pytest.raises(DatasetError, match="line 2: duplicate id 'same' \\(first on line 1\\)"):
        load_dataset(path)
    (tmp_path / "empty.jsonl").write_text("\n", encoding="utf-8")
    with pytest.raises(DatasetError, match="no cases"):
        load_dataset(tmp_path / "empty.jsonl")
    with pytest.raises(DatasetError, match="no such dataset"):
        load_dataset(tmp_path / "missing.jsonl")


def test_select_cases_by_tag_then_limit() -> None:
    from eval.session import select_cases

    cases = load_dataset(DEV)
    pushback = select_cases(cases, ("pushback",))
    assert [c.id for c in pushback][:10] == [f"push-0{i}" for i in range(1, 7)] + [f"mv-seq-0{i}" for i in range(1, 5)]
    assert len(select_cases(cases, ("injection", "off-topic"), limit=12)) == 12
    assert len(select_cases(cases)) == len(cases)
    with pytest.raises(CounterpointError, match="no case has any of the tags: nope"):
        select_cases(cases, ("nope",))


def test_move_fields_parse_and_default_to_none() -> None:
    line = json.dumps(
        {
            "id": "m",
            "query": "q",
            "gold": [],
            "intent": "misquote",
            "stance": "against",
            "group": "g1",
            "fabricated": "AI will replace every director by 2030",
            "turns": ["first", "second"],
        }
    )
    case = parse_line(line, 4)
    assert (case.intent, case.stance, case.group, case.turns) == ("misquote", "against", "g1", ("first", "second"))
    assert case.fabricated == "AI will replace every director by 2030"
    assert case.extra == {}
    plain = parse_line('{"id": "a", "query": "", "gold": []}', 1)
    assert (plain.intent, plain.stance, plain.group, plain.fabricated, plain.turns) == (None, None, None, None, ())


def test_dev_set_move_cases() -> None:
    """The debate-move cases (ids `mv-`): gold stance/intent where the metrics need them, full mode groups."""
    cases = [c for c in load_dataset(DEV) if c.id.startswith("mv-")]
    assert len(cases) >= 40
    questions = [c for c in cases if c.intent == "question"]
    assert len(questions) >= 10 and all(c.gold and "question" in c.tags for c in questions)
    groups: dict[str, set[str]] = {}
    for c in cases:
        if c.group:
            groups.setdefault(c.group, set()).add(c.mode)
    assert groups and all(modes == {"challenge", "defend", "socratic", "devils-advocate"} for modes in groups.values())
    source = NormalisedText(DEFAULT_ESSAY.read_text(encoding="utf-8"))
    fabricated = [c for c in cases if "fabricated-quote" in c.tags]
    assert fabricated and all(c.fabricated and source.find(c.fabricated) is None for c in fabricated)
    assert all(len(c.turns) >= 2 and c.stance for c in cases if "sequence" in c.tags)
    assert {c.stance for c in cases if "reported-view" in c.tags} == {"against"}
    assert {c.stance for c in cases if "devils-advocate-sides" in c.tags} == {"for", "against"}
    assert {c.stance for c in cases if "agreement" in c.tags} == {"for"}
