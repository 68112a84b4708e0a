"""The page built without serving: create_app's wiring, and the room's handlers driven directly."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.debate.errors import CounterpointError
from app.debate.prompts import MODES, mode_spec
from app.debate.service import DebateService
from app.settings import Settings
from app.state import debates as rows
from app.web.app import create_app
from app.web.room import DebateRoom, View, mode_line
from app.web.sessions import SessionStore
from tests.fakes import ScriptedModel

CHALLENGE = mode_spec("challenge").frame_first


@pytest.fixture
def room(web_service: DebateService, tmp_path: Path) -> DebateRoom:
    return DebateRoom(web_service, SessionStore(tmp_path / "sessions"))


def _run(views: Iterator[View]) -> list[View]:
    return list(views)


def _final(room: DebateRoom, message: str = "AI will replace film directors", sid: object = None, **kw: str) -> View:
    mode, doc = kw.get("mode", "challenge"), kw.get("doc", room.service.default_doc)
    return _run(room.send(message, mode, doc, sid))[-1]


def test_create_app_builds_without_serving_and_documents_its_api(
    web_service: DebateService, web_settings: Settings
) -> None:
    demo = create_app(web_service, web_settings)
    api = demo.get_api_info()
    assert set(api["named_endpoints"]) == {"/chat", "/documents", "/transcript"}
    params = [p["parameter_name"] for p in api["named_endpoints"]["/chat"]["parameters"]]
    assert params == ["message", "mode", "doc", "session_id"]
    config = demo.get_config_file()
    assert any(c.get("props", {}).get("storage_key") == "counterpoint-session" for c in config["components"])


def test_send_streams_then_fills_every_panel(room: DebateRoom) -> None:
    views = _run(room.send("AI will replace film directors", "challenge", room.service.default_doc, None))
    first, final = views[0], views[-1]
    assert first.answering and first.message == "" and "Finding the passages" in first.chat[-1]["content"]
    reply = final.chat[-1]["content"]
    closing = reply.split("\n\n")[-1]
    assert "](#cite-P" in reply and re.sub(r"<[^>]+>", "", closing).rstrip().endswith("?")
    partial = [v for v in views[1:-1] if v.chat]
    assert partial and CHALLENGE in partial[0].chat[-1]["content"]
    assert closing not in partial[0].chat[-1]["content"]  # the quotes stream in before the closing question
    assert "cp-card cp-cited" in final.evidence and "verified" in final.evidence
    assert (
        '<mark class="cp-cited cp-latest"' in final.source and '<strong class="cp-cov-count">0 of' not in final.source
    )
    assert "Ready" in final.status and "fake (scripted replies)" in final.status
    assert final.exportable and final.export is not None
    assert "**You:** AI will replace film directors" in final.export.read_text()
    assert final.answering is False


def test_backend_failure_shows_a_friendly_notice_and_recovers(room: DebateRoom, model: ScriptedModel) -> None:
    model.failing = True
    try:
        failed = _final(room)
    finally:
        model.failing = False
    assert "not answering right now" in failed.status and "cp-warn" in failed.status
    assert "Traceback" not in failed.status
    assert CHALLENGE in failed.chat[-1]["content"]  # still answered from the text
    recovered = _final(room, "Audiences will not care who made a film", failed.session_id)
    assert "Ready" in recovered.status and len(recovered.chat) == 4


def test_unexpected_errors_become_one_friendly_line(room: DebateRoom, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> Iterator[object]:
        raise KeyError("boom")
        yield

    monkeypatch.setattr(room.service, "stream", broken)
    view = _final(room, "my claim")
    assert "Something went wrong on our side" in view.status and "KeyError" in view.status
    assert view.message == "my claim"  # the claim goes back into the box
    assert view.chat == [] and view.answering is False
    debate = room.sessions.get(_run(room.send("again", "challenge", "", None))[0].session_id)
    assert debate is not None and debate.turns == [] and debate.pending is None


def test_user_facing_errors_are_shown_as_they_are(room: DebateRoom, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuses(*args: object, **kwargs: object) -> Iterator[object]:
        raise CounterpointError("No essay is loaded yet.")
        yield

    monkeypatch.setattr(room.service, "stream", refuses)
    assert "No essay is loaded yet." in _final(room).status


def test_empty_message_does_nothing(room: DebateRoom) -> None:
    assert _run(room.send("   ", "challenge", "", None)) == [View()]


def test_stop_keeps_what_was_shown(room: DebateRoom) -> None:
    stream = room.send("AI will replace film directors", "challenge", room.service.default_doc, None)
    first = next(stream)
    shown = next(stream)  # the verbatim quotes; the model's sentence is still being written
    stopped = room.stop(first.session_id)
    assert "(stopped)" in stopped.chat[-1]["content"] and "Stopped" in stopped.status
    assert CHALLENGE in stopped.chat[-1]["content"] and shown.chat
    list(stream)  # the cancelled turn finishing late changes nothing
    debate = room.sessions.get(first.session_id)
    assert debate is not None and len(debate.turns) == 1 and debate.turns[0].stopped


def test_retry_replaces_the_last_reply_in_the_selected_mode(room: DebateRoom) -> None:
    first = _final(room)
    views = _run(room.retry("socratic", room.service.default_doc, first.session_id))
    assert len(views[0].chat) == 2  # while retrying, the old reply is gone, the claim stays
    debate = room.sessions.get(first.session_id)
    assert debate is not None and len(debate.turns) == 1 and debate.turns[0].mode == "socratic"
    assert "Nothing to retry" in _run(room.retry("challenge", "", None))[-1].status


def test_reload_and_restart_restore_the_debate(room: DebateRoom, web_service: DebateService, tmp_path: Path) -> None:
    sid = _final(room).session_id
    restarted = DebateRoom(web_service, SessionStore(tmp_path / "sessions"))
    view = restarted.load(sid)
    assert view.session_id == sid and len(view.chat) == 2
    assert "cp-cited" in view.evidence and "cp-cited" in view.source
    fresh = restarted.load("not-a-session")
    assert fresh.session_id != sid and fresh.chat == []


def test_new_debate_and_mode_switch(room: DebateRoom) -> None:
    sid = _final(room).session_id
    new = room.new_debate(room.service.default_doc, "defend", sid)
    assert new.session_id != sid and new.chat == [] and new.mode == "defend" and "New debate" in new.status
    assert room.sessions.get(sid) is not None  # the old one is kept
    assert room.switch_mode("socratic", new.session_id).mode_line == mode_line("socratic")


def test_each_mode_has_its_one_line_description() -> None:
    for mode in MODES:
        assert mode_spec(mode).description in mode_line(mode).replace("&#x27;", "'")


def test_api_chat_streams_and_stores_the_transcript(room: DebateRoom) -> None:
    items = list(room.api_chat("AI will replace film directors", "defend", "", ""))
    assert len(items) >= 2 and not items[0]["done"] and items[-1]["done"]
    final = items[-1]
    assert final["reply"]["mode"] == "defend" and final["reply"]["citations"]
    assert room.sessions.state.read(lambda conn: rows.revision(conn, final["session_id"])) == 1  # stored
    assert "**You:** AI will replace film directors" in room.api_transcript(final["session_id"])
    assert room.service.default_doc in [d["slug"] for d in room.api_documents()]


def test_upload_ingests_switches_and_never_replaces_other_documents(room: DebateRoom, tmp_path: Path) -> None:
    before = room.service.document(room.service.default_doc)
    sid = _final(room).session_id
    upload = tmp_path / "bytedance-hollywood.txt"  # same name as the default essay, different text
    upload.write_text("On Gardens\n\nA garden is an argument about time, and patience is its only proof. " * 3)
    calls: list[tuple[int, int]] = []
    view = room.upload(str(upload), "challenge", sid, lambda done, **kw: calls.append(done))
    assert "Added “On Gardens”" in view.status and calls
    assert view.doc != room.service.default_doc and view.session_id != sid  # a new debate about the upload
    assert room.service.document(room.service.default_doc) == before
    assert "A garden is an argument" in view.source
    reply = _final(room, "Gardens are about beauty", view.session_id, doc=view.doc or "")
    assert "garden" in reply.chat[-1]["content"].lower()


def test_pdf_upload_shows_pages_and_keeps_the_original(room: DebateRoom, tmp_path: Path) -> None:
    from fpdf import FPDF

    pdf = FPDF()
    for n, heading in enumerate(["Gardens And Time", "Patience As Proof"], start=1):
        pdf.add_page()
        pdf.set_font("Helvetica", size=12)
        pdf.multi_cell(0, 6, heading, new_x="LMARGIN", new_y="NEXT")
        pdf.multi_cell(0, 6, f"A garden on page {n} is an argument about time, and patience is its proof. " * 4)
    path = tmp_path / "gardens.pdf"
    path.write_bytes(bytes(pdf.output()))
    view = room.upload(str(path), "challenge", None)
    assert "Added" in view.status and view.doc
    assert "P1 · p. 1" in view.source and "· p. 2" in view.source
    record = room.service.document(view.doc)
    assert record is not None and record.format == "pdf" and record.original == "gardens.pdf"
    kept = room.service.originals_dir / view.doc / "gardens.pdf"
    assert kept.read_bytes() == path.read_bytes()


def test_pasted_text_with_a_title_becomes_a_document(room: DebateRoom) -> None:
    text = "Why Shade Matters\n\nStreet trees cool the pavement, and councils that plant them save on repairs. " * 3
    view = room.paste(text, "Trees in Cities", "challenge", None)
    assert "Added “Trees in Cities”" in view.status and view.doc
    assert "Street trees cool" in view.source
    assert "Paste some text" in room.paste("   ", "Empty", "challenge", None).status


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("paper.pdf", b"%PDF-1.4", "not a readable PDF"),
        ("paper.odt", b"PK\x03\x04", "not a file Counterpoint can read"),
        ("blank.txt", b"  \n ", "empty"),
        ("bin.md", b"\x00\x01\x02" * 50, "binary"),
        ("huge.txt", b"word " * 500_001, "the limit is 2 MB"),
    ],
)
def test_bad_uploads_get_one_clear_line(
    room: DebateRoom, tmp_path: Path, name: str, content: bytes, expected: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    view = room.upload(str(path), "challenge", None)
    assert expected in view.status and "cp-error" in view.status
    assert view.doc is None  # nothing switched
