"""The room's issue-15 pieces without a browser: titles, thesis, example claims, the model's name, sizes,
quote roles, a stopped reply's checks, the message limit, and a browser's list of debates."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.debate.service import DebateService
from app.web import chips, evidence, source
from app.web.room import DebateRoom, View
from app.web.sessions import SessionStore
from app.web.status import model_name, status_html
from app.web.turns import stopped_checks, too_long
from app.web.upload import browser_size_limit, megabytes
from argument.model import ArgumentMap, Node
from ingest.store import DocumentRecord
from tests.replies import make_reply, quote


@pytest.fixture
def room(web_service: DebateService, tmp_path: Path) -> DebateRoom:
    return DebateRoom(web_service, SessionStore(tmp_path / "sessions"))


def _record(title: str, text: str) -> DocumentRecord:
    return DocumentRecord("d", title, "v", text, "upload:d.txt", 1, 1)


def test_a_first_sentence_title_gives_way_to_a_heading_or_the_thesis() -> None:
    assert source.display_title(_record("On Gardens", "# On Gardens\n\nText."), lambda: "x") == "On Gardens"
    sentence = "Gardens are a wager on time."
    assert source.display_title(_record(sentence, f"{sentence}\n\n## Patience\n"), lambda: "T.") == "Patience"
    thesis = "Patience is the only thing a garden teaches, and it teaches it to everyone who stays long enough."
    title = source.display_title(_record(sentence, sentence), lambda: thesis)
    assert title.endswith("…") and len(title) <= source.TITLE_CHARS + 1 and thesis.startswith(title[:-1])


def _map() -> ArgumentMap:
    nodes = [
        Node("n1", "thesis", "author", 0, 30, "Hollywood is not doomed at all."),
        Node("n2", "reason", "author", 31, 60, "The tools are cheap already.", supports=["n1"]),
        Node("n3", "claim", "reported", 61, 90, "Critics say studios will fall."),
        Node("n4", "claim", "author", 91, 120, "The real bottleneck is taste."),
    ]
    return ArgumentMap(doc="d", thesis="n1", nodes=nodes)


def test_example_claims_come_from_the_map() -> None:
    text = "Hollywood is not doomed at all. The tools are cheap already. the real thing"
    against, question, agree = chips.example_claims(_map(), text)
    assert against == "I disagree that Hollywood is not doomed at all."  # a name keeps its capital
    assert question == "Why does the essay say “The tools are cheap already.”?"
    assert agree == "I agree that the real bottleneck is taste."  # the author's claim, not the reported one
    assert len(chips.example_claims(None, "")) == 3  # generic ones without a map


def test_the_thesis_is_shown_under_the_title_and_opens_its_span() -> None:
    html = source.source_html(_record("T", "x" * 200), [], [], "Title", _map().thesis_node)
    assert 'href="#cp-span-0-30"' in html and "Hollywood is not doomed at all." in html
    assert html.index("Title") < html.index("cp-thesis")


def test_students_see_offline_model_and_the_file_in_a_details_line() -> None:
    assert model_name("embedded · smollm2-360m.Q8_0.gguf") == ("offline model", "smollm2-360m.Q8_0.gguf")
    assert model_name("openai · gpt-4o-mini at http://llm:8000/v1")[0] == "gpt-4o-mini"
    html = status_html("embedded · smollm2.gguf", "Essay")
    assert "Model: offline model" in html and "<details" in html and html.index("smollm2.gguf") > html.index("<details")


def test_one_size_number_everywhere() -> None:
    assert megabytes(2_000_000) == "2" and megabytes(2_050_000) == "2.05"
    assert f"{browser_size_limit(2_000_000) / 1024 / 1024:.1f}" == "2.0"  # what Gradio's pop-up prints


def test_a_verified_quote_says_its_role_and_voice_and_a_misattribution_is_flagged() -> None:
    said = quote("Studios will fall", role="claim", voice="reported", attributed="author")
    html = evidence.evidence_html(make_reply("“Studios will fall”", quotes=[said]))
    assert "1 quoted verbatim" in html and "verified" not in html.split("cp-ev-summary")[1].split("</div>")[0]
    assert "claim, a view the essay reports, not the author&#x27;s" in html
    assert "presented as the author&#x27;s view" in html


def test_a_stopped_reply_gets_the_checks_of_what_had_streamed(web_service: DebateService) -> None:
    doc = web_service.default_doc
    record = web_service.document(doc)
    assert record is not None
    passages = web_service.passages(doc)
    thesis = web_service.argument_map(doc).thesis_node
    assert thesis is not None
    text = f"The essay says “{thesis.text}” [{passages[1].label}] and “films are finished forever now” …"
    checked = stopped_checks(text, record.text, passages, web_service.argument_map(doc))
    assert [q.role for q in checked.verified_quotes] == ["thesis"]
    assert len(checked.flagged_quotes) == 1 and not checked.citations
    assert [p.label for p in checked.passages] == [passages[1].label]
    assert "Stopped before the checks ran" in evidence.stopped_html(checked)


def test_a_message_over_the_limit_is_refused_whole(room: DebateRoom) -> None:
    assert too_long("x" * 4000, 4000) == ""
    views = list(room.send("word " * 1000, "challenge", "", None))
    assert len(views) == 1 and views[0].composer_note and "limit is 4,000" in views[0].composer_note
    assert views[0].message is None and views[0].chat is None  # the box keeps the message; nothing ran


def _run(views: Iterator[View]) -> list[View]:
    return list(views)


def test_new_debate_is_undoable_and_a_browser_lists_reopens_and_deletes_its_debates(room: DebateRoom) -> None:
    first = _run(room.send("Cheap tools make everyone a filmmaker", "challenge", "", None))[-1]
    sid = first.session_id
    fresh = room.new_debate(room.service.default_doc, "challenge", sid)
    assert fresh.undo == sid and fresh.session_id != sid
    back = room.undo_new(fresh.undo, fresh.session_id)
    assert back.session_id == sid and back.chat
    known = room.remember(fresh.session_id, room.remember(sid, []))
    choices = room.debate_choices(known)
    assert [c[1] for c in choices] == [sid] and "1 turn" in choices[0][0]  # the empty new one is not listed
    deleted = room.delete_debate(sid, room.service.default_doc, "challenge", sid)
    assert deleted.session_id != sid and "Deleted the debate" in (deleted.status or "")
    assert room.debate_choices(known) == [] and room.sessions.get(sid) is None


def test_the_original_of_an_upload_is_offered_for_download(room: DebateRoom, tmp_path: Path) -> None:
    path = tmp_path / "orchards.md"
    path.write_text("# On Orchards\n\nAn orchard is a promise to strangers, planted for people who come later.\n")
    view = room.upload(str(path), "challenge", None)
    assert view.has_original and view.original is not None
    assert view.original.read_text(encoding="utf-8") == path.read_text(encoding="utf-8")
    assert "cp-note-ok" in (view.upload_note or "")
