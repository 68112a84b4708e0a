"""Renderers: chips, evidence, source view, status and export — escaped, exact, complete."""

from __future__ import annotations

import json
import os
from html import unescape
from pathlib import Path
from typing import Any

from app.debate.models import Reply
from app.web import chips, evidence, export, source
from app.web.sessions import Debate, Turn
from app.web.status import status_html
from ingest.models import Passage
from ingest.store import DocumentRecord
from tests.replies import cite, make_reply, quote, sentence

TEXT = "Title line\nFirst claim here. Second <b>bold</b> claim.\nA Heading\nThird part of the text."
P1 = Passage(id="a1", doc="d", section="Intro", ordinal=0, start=11, end=54, text=TEXT[11:54])
P2 = Passage(id="b2", doc="d", section="A Heading", ordinal=1, start=65, end=len(TEXT), text=TEXT[65:])


def _reply(**overrides: Any) -> Reply:
    fields: dict[str, Any] = {
        "citations": [cite("P1", "a1", 11, 28)],
        "quotes": [quote("First claim here.", start=11, end=28, passage_id="a1"), quote("Invented <i>line</i>", False)],
        "sentences": [
            sentence("Look: “First claim here.” [P1]", "quote", "P1"),
            sentence("Is that <script>x</script> right?", "unsupported"),
        ],
        "passages": [P2, P1],
    }
    return make_reply("Look: “First claim here.” [P1]\n\nIs that <script>x</script> right?", **{**fields, **overrides})


def test_reply_markdown_escapes_and_links_markers_to_exact_spans() -> None:
    reply = _reply()
    out = chips.reply_markdown(reply.text, reply.citations, reply.sentences)
    assert "[P1](#cite-P1-11-28)" in out
    assert "<script>" not in out and "&lt;script&gt;" in out
    assert 'class="cp-unsupported"' in out


def test_unknown_marker_links_to_the_passage_and_repeats_use_later_citations() -> None:
    cites = [cite("P2", "x", 1, 5), cite("P2", "x", 9, 12)]
    out = chips.reply_markdown("a [P2] b [P2] c [P7]", cites)
    assert out == "a [P2](#cite-P2-1-5) b [P2](#cite-P2-9-12) c [P7](#cite-P7)"


def test_user_message_is_escaped_in_chat() -> None:
    debate = Debate(id="0" * 32, doc="d", mode="challenge")
    debate.turns.append(Turn(user="<img src=x onerror=alert(1)>", mode="challenge", doc="d", text="ok"))
    messages = chips.chat_messages(debate)
    assert messages[0] == {"role": "user", "content": "&lt;img src=x onerror=alert(1)&gt;"}


def test_evidence_puts_cited_first_marks_flagged_and_unsupported() -> None:
    html = evidence.evidence_html(_reply())
    assert html.index('data-passage="P1"') < html.index('data-passage="P2"')  # cited first, though retrieved second
    assert "cp-card cp-cited" in html and "retrieved, not cited" in html
    assert "1 quoted verbatim" in html and "1 not found in the essay" in html
    assert "Invented &lt;i&gt;line&lt;/i&gt;" in html
    assert "cp-lab-unsupported" in html and "not from the essay" in html
    assert "<script>" not in html
    assert "<mark>First claim here.</mark>" in html  # the cited span, highlighted inside its passage
    assert 'href="#cite-P1-11-28"' in html


def test_evidence_empty_state() -> None:
    assert "appear here" in evidence.evidence_html(None)


def _record(text: str = TEXT) -> DocumentRecord:
    return DocumentRecord(slug="d", title="T <x>", version="v", text=text, source="", passage_count=2, sections=2)


def test_source_highlights_exact_spans_and_escapes_text() -> None:
    spans = [source.CitedSpan("P1", "a1", 11, 28, latest=True), source.CitedSpan("P1", "a1", 20, 54)]
    html = source.source_html(_record(), [P1, P2], spans)
    assert 'data-spans="11-28 20-54"' in html  # overlap carries both spans
    assert "&lt;b&gt;bold&lt;/b&gt;" in html and "<b>" not in html
    assert "T &lt;x&gt;" in html
    assert '<span class="cp-heading">A Heading</span>' in html
    marked = "".join(part.split(">", 1)[1].split("</mark>")[0] for part in html.split("<mark")[1:])
    assert unescape(marked) == TEXT[11:54]  # highlighted text is exactly the cited characters


def test_coverage_counts_sections_touched() -> None:
    html = source.coverage_html([P1, P2], [source.CitedSpan("P1", "a1", 11, 28)])
    assert "1 of 2" in html and 'aria-valuenow="50"' in html
    assert 'cp-sec cp-touched" href="#cp-goto-P1"' in html


def test_cited_spans_only_for_this_document_and_latest_marked() -> None:
    cited = cite("P1", "a1", 11, 28)
    other = cite("P2", "b2", 63, 70)
    turns = [
        Turn("u", "challenge", "d", "t", reply=make_reply("t", citations=[other])),
        Turn("u", "challenge", "x", "t", reply=make_reply("t", citations=[cited])),
        Turn("u", "challenge", "d", "t", reply=make_reply("t", citations=[cited])),
    ]
    spans = source.cited_spans(turns, "d")
    assert [(s.key, s.latest) for s in spans] == [("11-28", True), ("63-70", False)]


def test_status_escapes_everything() -> None:
    html = status_html("fake <b>", "Title <i>", "Oops <script>", "error")
    assert "<script>" not in html and "<b>" not in html and "cp-error" in html


def test_export_has_messages_citations_and_passage_text() -> None:
    debate = Debate(id="0" * 32, doc="d", mode="challenge")
    reply = _reply()
    debate.turns.append(Turn("AI wins", "challenge", "d", reply.text, reply=reply))
    md = export.debate_markdown(debate, {"d": "My Essay"}, "fake")
    assert md.startswith("# Debate: My Essay")
    assert "**You:** AI wins" in md and "**Counterpoint:** Look:" in md
    assert "**[P1]** Intro" in md and "Cited: “First claim here.”" in md
    assert f"Passage: {P1.text.replace(chr(10), ' ')}" in md
    assert "Quote not found in the essay" in md and "not from the essay" in md


def test_an_unchanged_export_is_not_written_again(tmp_path: Path) -> None:
    """A page render writes the export only when the transcript changed (not on every render)."""
    debate = Debate(id="1" * 32, doc="d", mode="challenge")
    path = export.write_export(debate, "# Debate\n", tmp_path)
    os.utime(path, (1_000_000, 1_000_000))
    assert export.write_export(debate, "# Debate\n", tmp_path) == path
    assert path.stat().st_mtime == 1_000_000
    export.write_export(debate, "# Debate\n\nmore\n", tmp_path)
    assert path.read_text(encoding="utf-8").endswith("more\n") and path.stat().st_mtime > 1_000_000


def test_evidence_and_export_name_the_replys_moves() -> None:
    reply = _reply(moves=["rebut", "expose_assumption", "rebut"])
    html = evidence.evidence_html(reply)
    assert 'class="cp-ev-moves"' in html and "rebuttal · assumption exposed<" in html  # each move once, in order
    assert "cp-ev-moves" not in evidence.evidence_html(_reply())  # a reply without moves shows no line
    debate = Debate(id="0" * 32, doc="d", mode="challenge")
    debate.turns.append(Turn("AI wins", "challenge", "d", reply.text, reply=reply))
    assert "*Moves: rebuttal · assumption exposed*" in export.debate_markdown(debate, {"d": "My Essay"}, "fake")


def test_a_stored_reply_renders_as_the_live_one() -> None:
    """Every face renders a reply read back from what is stored (`Turn.to_json()`: the turn rows, the export
    file): a key of `Reply.to_json()` renamed without `Reply.from_json()` would lose chips, quotes or passages."""
    live = Turn("AI wins", "challenge", "d", _reply().text, reply=_reply(moves=["rebut"], notice="Heads <up>"))
    stored = Turn.from_json(json.loads(json.dumps(live.to_json())))
    assert stored == live
    assert chips.turn_messages(stored) == chips.turn_messages(live)
    assert "[P1](#cite-P1-11-28)" in chips.turn_messages(stored)[1]["content"]
    assert "Heads &lt;up&gt;" in chips.turn_messages(stored)[1]["content"]
    html = evidence.evidence_html(stored.reply)
    assert html == evidence.evidence_html(live.reply)
    assert "<mark>First claim here.</mark>" in html and "Invented &lt;i&gt;line&lt;/i&gt;" in html
    assert "cp-lab-unsupported" in html and "rebuttal" in html and 'data-passage="P2"' in html
    debate = Debate(id="0" * 32, doc="d", mode="challenge", turns=[stored])
    md = export.debate_markdown(debate, {}, "fake")
    assert "Cited: “First claim here.”" in md and "*Moves: rebuttal*" in md and "Note: Heads <up>" in md
    assert [s.key for s in source.cited_spans(debate.turns, "d")] == ["11-28"]
