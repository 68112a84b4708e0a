"""SECURITY.md claims: bad input over the HTTP API gets one clear error (never a traceback, never a silent
default), a refused over-long message is not stored whole, and control and bidi characters never reach a
session file, `/transcript` or an export."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from gradio_client import Client
from gradio_client.exceptions import AppError

from app.settings import Settings
from app.text_safety import UNSAFE, clean_strings, clean_text
from app.web.export import debate_markdown, exports_folder, sweep_exports
from app.web.sessions import Debate, Turn
from ingest.embedder import Embedder
from tests.fakes import fake_settings, ready_debate_service
from tests.replies import make_reply
from tests.stored import stored_debate
from tests.web.conftest import serve

NASTY = "Studios\x1b[2J win\x07 \x00 \u202eslaes ot\u202c \u2066x\u2069 \u202a\u202b\u202d \x9b31m."
DANGEROUS = ["\x1b", "\x07", "\x00", "\x9b", *map(chr, range(0x202A, 0x202F)), *map(chr, range(0x2066, 0x206A))]


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Iterator[tuple[str, Settings]]:
    settings = fake_settings(tmp_path_factory.mktemp("api") / "data", max_message_chars=200)
    service = ready_debate_service(settings, embedder)
    demo, url = serve(service, settings, concurrency=2)
    yield url, settings
    demo.close()


def call(url: str, data: list[Any]) -> tuple[str, str]:
    """POST /gradio_api/call/chat as a script would; the (event, data) of the last server-sent event."""
    with httpx.Client(timeout=60) as http:
        started = http.post(url + "gradio_api/call/chat", json={"data": data})
        assert started.status_code == 200, started.text
        event_id = started.json()["event_id"]
        event, payload = "", ""
        with http.stream("GET", url + f"gradio_api/call/chat/{event_id}") as stream:
            for line in stream.iter_lines():
                if line.startswith("event:"):
                    event = line[6:].strip()
                elif line.startswith("data:"):
                    payload = line[5:].strip()
    return event, payload


@pytest.mark.parametrize("message", [42, {"text": "hi"}, ["a", "b"], True])
def test_a_message_that_is_not_text_gets_a_clear_error(api: tuple[str, Settings], message: Any) -> None:
    url, _ = api
    event, payload = call(url, [message, "challenge", "", ""])
    assert event == "error"
    assert "'message' must be text" in payload and "TypeError" not in payload and "Traceback" not in payload


def test_other_arguments_that_are_not_text_and_unknown_modes_get_a_clear_error(api: tuple[str, Settings]) -> None:
    url, _ = api
    event, payload = call(url, ["Studios win", "challenge", "", 7])
    assert event == "error" and "'session_id' must be text" in payload
    event, payload = call(url, ["Studios win", "shouting", "", ""])
    assert event == "error" and "unknown mode 'shouting'" in payload and "challenge" in payload


def test_an_unknown_doc_is_refused_naming_the_documents_there_are(api: tuple[str, Settings]) -> None:
    url, _ = api
    client = Client(url, verbose=False)
    with pytest.raises(AppError, match="no document 'no-such-essay'") as refused:
        client.predict("Studios win", "challenge", "no-such-essay", "", api_name="/chat")
    assert "bytedance-hollywood" in str(refused.value)  # the available ones, so the caller can fix it
    result = client.predict("Studios win", "challenge", "bytedance-hollywood", "", api_name="/chat")
    assert result["done"] and result["reply"]["doc"] == "bytedance-hollywood"


def test_a_refused_over_long_message_is_stored_cut_with_a_note(api: tuple[str, Settings]) -> None:
    url, settings = api
    client = Client(url, verbose=False)
    result = client.predict("x" * 5000, "challenge", "", "", api_name="/chat")
    assert result["done"] and "5000" in result["text"].replace(",", "")  # the service's refusal
    stored = stored_debate(settings.data_dir, result["session_id"])
    kept = stored["turns"][0]["user"]
    assert kept.startswith("x" * 200) and "x" * 201 not in kept
    assert "message cut here" in kept and "5,000 characters" in kept
    transcript = client.predict(result["session_id"], api_name="/transcript")
    assert "x" * 201 not in transcript and "message cut here" in transcript


def test_control_and_bidi_characters_never_reach_sessions_transcripts_or_exports(api: tuple[str, Settings]) -> None:
    url, settings = api
    client = Client(url, verbose=False)
    result = client.predict(NASTY, "challenge", "", "", api_name="/chat")
    assert result["done"]
    on_disk = stored_debate(settings.data_dir, result["session_id"])
    transcript = client.predict(result["session_id"], api_name="/transcript")
    for text in (json.dumps(on_disk, ensure_ascii=False), transcript):
        assert not any(ch in text for ch in DANGEROUS), [hex(ord(ch)) for ch in DANGEROUS if ch in text]
    assert "Studios" in on_disk["turns"][0]["user"] and "win" in on_disk["turns"][0]["user"]
    assert "slaes ot" in transcript  # the words stay; only the controls go


def test_a_session_file_written_before_is_cleaned_when_read(tmp_path: Path) -> None:
    turn = Turn(user=NASTY, mode="challenge", doc="essay", text="Reply \u202eevil", reply=make_reply("a\x1bb"))
    data = {"id": "a" * 32, "doc": "essay", "mode": "challenge", "turns": [turn.to_json()]}
    debate = Debate.from_json(data)
    text = json.dumps(debate.to_json(), ensure_ascii=False) + debate_markdown(debate, {}, "fake")
    assert not any(ch in text for ch in DANGEROUS)


def test_clean_text_keeps_lengths_newlines_and_tabs() -> None:
    assert clean_text("a\tb\nc") == "a\tb\nc"
    assert clean_text(NASTY) == UNSAFE.sub(" ", NASTY) and len(clean_text(NASTY)) == len(NASTY)  # offsets hold
    assert clean_strings({"a": ["\x1b", 3, None]}) == {"a": [" ", 3, None]}


def test_exports_live_in_the_data_dir_and_old_ones_are_swept(tmp_path: Path) -> None:
    import os
    import time

    old = exports_folder(tmp_path, "old-debate")
    (old / "counterpoint-debate.md").write_text("old")
    ancient = time.time() - 3 * 86400
    os.utime(old / "counterpoint-debate.md", (ancient, ancient))
    os.utime(old, (ancient, ancient))
    fresh = exports_folder(tmp_path, "fresh-debate")
    (fresh / "counterpoint-debate.md").write_text("new")
    assert old.parent == tmp_path / "exports"
    assert sweep_exports(tmp_path / "exports", force=True) == 1
    assert not old.exists() and fresh.exists()
