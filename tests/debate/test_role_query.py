"""Role queries: questions about the argument itself are answered from the map's nodes of that role."""

from __future__ import annotations

import pytest

from app.debate.role_query import role_nodes, role_query, select_by_role
from tests.fakes import RecordingFake

THESIS = "Hollywood is not about to be conquered by ByteDance’s text-to-video models."
CAVEAT = "There is a major caveat to my own position that must be acknowledged."
AFTER_CAVEAT = (
    "While ByteDance cannot build a superior cinematic engine, they can absolutely destroy the economic viability "
    "of the talent pipeline that feeds Hollywood."
)
QUESTION = "Which premise of the essay would you test first?"


@pytest.mark.parametrize(
    ("message", "roles"),
    [
        ("Does the author concede anything?", ["concession"]),
        ("Does the author admit any weakness in their own case?", ["concession"]),
        ("What caveat does the author admit about their own position?", ["concession"]),
        ("What is the essay's main argument?", ["thesis"]),
        ("What is the thesis?", ["thesis"]),
        ("Sum up the essay for me.", ["thesis"]),
        ("What evidence does the author give?", ["evidence"]),
        ("What examples does the essay use?", ["evidence"]),
        ("What reasons does the author give?", ["reason"]),
        ("What views does the author reject?", ["reported"]),
        ("What does the essay argue against?", ["reported"]),
        ("Who is the author arguing against?", ["reported"]),
        ("What counterarguments does the essay address?", ["reported"]),
    ],
)
def test_role_questions_are_recognised(message: str, roles: list[str]) -> None:
    assert role_query(message) == roles


@pytest.mark.parametrize(
    "message",
    [
        "",
        "AI will replace directors.",
        "You have to concede the geometry problem is basically solved already. Say it.",  # pressure, not a question
        "Just admit ByteDance will win.",
        "I reject the idea that AI is limited.",
        "The essay's own caveat about the talent pipeline undermines its whole thesis.",  # a claim
        "What evidence is there that AI helps indie film?",  # not about the text
        "Summarize the section on the economics of hyper-fragmentation.",  # a topic, not a role
        "Why does the author think audiences care who made a film?",  # topical: similarity serves it
    ],
)
def test_other_messages_are_not_role_queries(message: str) -> None:
    assert role_query(message) is None


@pytest.fixture
def service(make_debate):
    service = make_debate(RecordingFake(responses=[QUESTION] * 20))
    service.warm_up()
    return service


def _selected(service, message: str):
    record = service.document(service.default_doc)
    index = service.document_index(record.slug, record)
    vector = service.query_vector(message)
    scores = {p.id: service._sentence_scores(vector, p) for p in index.passages}
    roles = role_query(message)
    assert roles
    return select_by_role(service.argument_map(), roles, index.passages, scores)


def test_thesis_query_selects_the_thesis_first(service) -> None:
    selected = _selected(service, "What is the essay's main argument?")
    assert selected[0].text == THESIS and selected[0].role == "thesis"
    amap = service.argument_map()
    assert all(amap.node(s.node_id).voice == "author" for s in selected)


def test_concession_query_selects_the_caveat(service) -> None:
    selected = _selected(service, "Does the author admit any weakness in their own case?")
    assert {s.text for s in selected} & {CAVEAT, AFTER_CAVEAT}
    assert all(s.role == "concession" and s.concession for s in selected)
    amap = service.argument_map()
    assert all(amap.node(s.node_id).voice == "author" for s in selected)


@pytest.mark.parametrize("message", ["What evidence does the author give?", "What reasons does the author give?"])
def test_no_reported_node_answers_a_role_query(service, message: str) -> None:
    amap = service.argument_map()
    selected = _selected(service, message)
    assert selected
    assert [amap.node(s.node_id).voice for s in selected] == ["author"] * len(selected)
    assert {s.role for s in selected} == set(role_query(message) or [])
    nodes = role_nodes(message, amap) or []
    assert nodes and all(n.voice == "author" for n in nodes)


def test_rejected_views_are_framed_as_reported_then_answered(service) -> None:
    amap = service.argument_map()
    view, answer = _selected(service, "What views does the essay reject?")
    assert amap.node(view.node_id).voice == "reported" and view.frame.startswith("The essay describes this view")
    assert amap.node(answer.node_id).voice == "author" and view.node_id in amap.node(answer.node_id).answers


def test_retrieval_puts_the_role_passages_first(service) -> None:
    amap = service.argument_map()
    thesis_passage = amap.thesis_node.passage_id
    reply = service.reply("What is the essay's main argument?")
    assert reply.passages[0].id == thesis_passage
    caveat_passage = next(n.passage_id for n in amap.nodes if n.text == CAVEAT)
    reply = service.reply("Does the author admit any weakness in their own case?")
    assert reply.passages[0].id == caveat_passage


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("Does the author admit any weakness in their own case?", (CAVEAT, AFTER_CAVEAT)),
        ("What is the essay's main argument?", (THESIS,)),
    ],
)
def test_reply_quotes_the_node_of_that_role(service, message: str, expected: tuple[str, ...]) -> None:
    reply = service.reply(message)
    quoted = [q.text for q in reply.quotes]
    assert any(e in quoted for e in expected), reply.text
    assert all(q.verified for q in reply.quotes)
    labels = {p.label for p in reply.passages}
    assert all(c.marker in labels for c in reply.citations)
    amap = service.argument_map()
    reported = {n.text for n in amap.reported()}
    assert not reported & set(quoted)
