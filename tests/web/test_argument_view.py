"""The Argument view's HTML (app/web/argument_view.py): order, sections, links, escaping, cited marks."""

from __future__ import annotations

import re
from types import SimpleNamespace

from app.web.argument_view import REPORTED_NOTE, SHORT, debate_argument, render_argument, used_nodes
from argument.model import ArgumentMap, Node
from tests.replies import cite, make_reply, quote

SOURCE = (
    "Critics say the sky is falling. "  # n1 reported, 0-31
    "It is not. "  # n2 thesis, 32-43
    "Cheap tools exist. "  # n3 claim, 44-63
    "Prices fell by half in 2024. "  # n4 evidence, 64-93
    "Some studios did close. "  # n5 concession
    "They are wrong about demand. "  # n6 reason answering n1
    "Go <script>alert(1)</script> now. "  # n7 call to action with markup
)


def _node(node_id: str, text: str, role: str, voice: str = "author", **links: list[str]) -> Node:
    start = SOURCE.index(text)
    return Node(node_id, role, voice, start, start + len(text), text, "p1", **links)


def _map() -> ArgumentMap:
    nodes = [
        _node("n1", "Critics say the sky is falling.", "claim", "reported"),
        _node("n2", "It is not.", "thesis"),
        _node("n3", "Cheap tools exist.", "claim", supports=["n2"]),
        _node("n4", "Prices fell by half in 2024.", "evidence", supports=["n3"]),
        _node("n5", "Some studios did close.", "concession"),
        _node("n6", "They are wrong about demand.", "reason", supports=["n3"], answers=["n1"]),
        _node("n7", "Go <script>alert(1)</script> now.", "call_to_action"),
    ]
    return ArgumentMap(doc="toy", thesis="n2", nodes=nodes, notices=["found 1 claim"])


def _order(html: str) -> list[str]:
    return re.findall(r'data-node="(n\d+)"', html)


def test_thesis_comes_first_then_its_claims_and_their_support() -> None:
    html = render_argument(_map(), set())
    order = _order(html)
    assert order[0] == "n2"
    assert order.index("n3") < order.index("n4") and order.index("n3") < order.index("n6")
    assert 'class="cp-node cp-role-thesis"' in html
    # the claim's reasons and evidence are nested under it (a tree, not a table)
    main = html.split('class="cp-arg-section')[0]
    claim = main.index('data-node="n3"')
    assert main.index("<ul", claim) < main.index('data-node="n4"')
    assert "<table" not in html


def test_reported_views_stand_apart_with_the_answers_to_them() -> None:
    html = render_argument(_map(), set())
    main, rest = html.split('<section class="cp-arg-section cp-arg-reported"', 1)
    assert 'data-node="n1"' not in main  # the reported view is not part of the author's tree
    reported = rest.split("</section>", 1)[0]
    assert REPORTED_NOTE in reported
    assert 'class="cp-node cp-role-claim cp-reported"' in reported
    answered = reported.split('data-node="n1"', 1)[1]
    assert "answered by" in answered and 'data-node="n6"' in answered
    assert "answers the reported view" in main  # the rebuttal in the tree says what it answers


def test_concessions_and_calls_to_action_have_their_own_sections() -> None:
    html = render_argument(_map(), set())
    concessions = html.split('cp-arg-concessions"', 1)[1].split("</section>", 1)[0]
    assert 'data-node="n5"' in concessions and "Concessions" in concessions
    assert 'data-node="n7"' in html.split('cp-arg-calls"', 1)[1]
    assert html.count('data-node="n5"') == 1


def test_every_node_links_to_its_exact_span() -> None:
    amap = _map()
    html = render_argument(amap, set())
    for node in amap.nodes:
        assert f'href="#cp-span-{node.start}-{node.end}"' in html
        assert f'data-start="{node.start}" data-end="{node.end}"' in html
        assert SOURCE[node.start : node.end] == node.text


def test_node_text_is_escaped() -> None:
    html = render_argument(_map(), set())
    assert "<script>" not in html
    assert "Go &lt;script&gt;alert(1)&lt;/script&gt; now." in html
    assert 'title="Go &lt;script&gt;alert(1)&lt;/script&gt; now."' in html


def test_quotes_in_a_title_cannot_break_out_of_the_attribute() -> None:
    amap = ArgumentMap(doc="q", thesis="n1", nodes=[Node("n1", "thesis", "author", 0, 16, 'A "quoted" <b>x', None)])
    html = render_argument(amap, set())
    assert 'title="A &quot;quoted&quot; &lt;b&gt;x"' in html and "<b>" not in html


def test_long_text_is_truncated_with_the_full_sentence_in_the_title() -> None:
    text = "Long " * 80
    node = Node("n1", "thesis", "author", 0, len(text), text, None)
    html = render_argument(ArgumentMap(doc="long", thesis="n1", nodes=[node]), set())
    shown = re.search(r'<span class="cp-node-text">([^<]*)</span>', html)
    assert shown and len(shown.group(1)) <= SHORT and shown.group(1).endswith("…")
    assert f'title="{text}"' in html


def test_used_nodes_are_marked_cited() -> None:
    html = render_argument(_map(), {"n4", "n1"})
    cards = {node: css for css, node in re.findall(r'<a class="([^"]*)" href="[^"]*" data-node="(n\d+)"', html)}
    assert "cp-used" in cards["n4"] and "cp-used" in cards["n1"]
    assert "cp-used" not in cards["n2"]
    assert html.count(">cited</span>") == 2
    assert "2 cited in this debate" in html
    assert ">cited</span>" not in render_argument(_map(), set())


def test_used_nodes_come_from_citations_and_verified_quotes_of_this_document() -> None:
    amap = _map()
    n4, n6, n5 = amap.node("n4"), amap.node("n6"), amap.node("n5")
    reply = make_reply(
        citations=[cite("P1", "p1", n4.start, n4.end - 3)],
        quotes=[quote("x", start=n6.start + 2, end=n6.end), quote("y", verified=False)],
    )
    other = make_reply(citations=[cite("P1", "p1", n5.start, n5.end)])
    turns = [
        SimpleNamespace(doc="toy", reply=reply),
        SimpleNamespace(doc="other", reply=other),
        SimpleNamespace(doc="toy", reply=None),
    ]
    assert used_nodes(amap, turns, "toy") == {"n4", "n6"}


def test_a_map_without_a_thesis_says_so() -> None:
    amap = _map()
    amap.thesis = None
    amap.nodes = [n for n in amap.nodes if n.role != "thesis"]
    html = render_argument(amap, set())
    assert "No clear thesis found" in html
    assert 'data-node="n3"' in html  # the claims are still drawn


class _Service:
    def __init__(self, amap: ArgumentMap | None, error: bool = False) -> None:
        self.amap, self.error = amap, error

    def document(self, doc: str) -> object | None:
        return None if self.amap is None and not self.error else object()

    def argument_map(self, doc: str) -> ArgumentMap:
        if self.error or self.amap is None:
            raise ValueError("unreadable")
        return self.amap


def test_the_room_view_follows_the_debate_and_degrades_gently() -> None:
    amap = _map()
    n3 = amap.node("n3")
    turn = SimpleNamespace(doc="toy", reply=make_reply(citations=[cite("P3", "p3", n3.start, n3.end)]))
    html = debate_argument(_Service(amap), SimpleNamespace(doc="toy", turns=[turn]))
    assert 'data-node="n3"' in html and html.count(">cited</span>") == 1
    assert "No essay to map" in debate_argument(_Service(None), SimpleNamespace(doc="gone", turns=[]))
    assert "could not be read" in debate_argument(_Service(None, error=True), SimpleNamespace(doc="x", turns=[]))
    empty = ArgumentMap(doc="toy", thesis=None, nodes=[])
    assert "No argument map" in debate_argument(_Service(empty), SimpleNamespace(doc="toy", turns=[]))
