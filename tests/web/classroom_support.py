"""Helpers shared by the classroom web tests: settings with a teacher password, a served app over a given
ClassroomService, and raw calls into Gradio's queue (what a script could send without the page)."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import httpx

from app.classroom.service import ClassroomService
from app.debate.service import DebateService
from app.settings import ClassroomSettings, Settings
from tests.fakes import fake_settings
from tests.web.conftest import serve

PASSWORD = "chalk and cheese"
ADA_TURNS = [
    "The essay is right: “the value of human curation skyrockets” when content is cheap, so taste wins.",
    "Counterpoint ignores that audiences still want films that mean something to them, which the essay backs.",
]
BOB_TURNS = [
    "The essay is wrong, because cheap AI tools let anyone make a film that looks like Hollywood's.",
    "Studios will cut costs with AI, so the essay's hope for human curation is too optimistic.",
]


def class_settings(data_dir: Path, password: str | None = PASSWORD, **classroom: Any) -> Settings:
    """Fake-model settings whose classroom has the teacher password and short rounds."""
    options: dict[str, Any] = {"rounds": 2, "word_limit": 120, **classroom}
    if password is not None:
        options["teacher_password"] = password
    return fake_settings(data_dir, classroom=ClassroomSettings(**options))


def make_classroom(service: DebateService, settings: Settings) -> ClassroomService:
    return ClassroomService(service, settings.classroom, settings.data_dir)


def serve_classroom(service: DebateService, settings: Settings, classroom: ClassroomService):
    """Launch the whole app (debate, classroom, teacher) on a free loopback port; returns (demo, url)."""
    return serve(service, settings, classroom=classroom)


def fn_index(demo: Any, name: str) -> int:
    """The queue index of the event whose handler is called `name` (private events have one too)."""
    found = [i for i, fn in demo.fns.items() if getattr(fn, "name", "") == name]
    assert len(found) == 1, (name, found)
    return int(found[0])


def queue_call(url: str, index: int, data: list[Any], timeout: float = 30.0) -> list[dict[str, Any]]:
    """Call one event through Gradio's queue as a script would, from a session that never loaded the page;
    returns every server-sent message of that call."""
    session = uuid.uuid4().hex[:11]
    base = url.rstrip("/") + "/gradio_api"
    with httpx.Client(timeout=timeout) as http:
        joined = http.post(
            f"{base}/queue/join",
            json={"data": data, "fn_index": index, "session_hash": session, "event_data": None, "trigger_id": None},
        )
        if joined.status_code != 200:
            return [{"msg": "refused", "status": joined.status_code, "body": joined.text}]
        messages: list[dict[str, Any]] = []
        with http.stream("GET", f"{base}/queue/data", params={"session_hash": session}) as stream:
            for line in stream.iter_lines():
                if not line.startswith("data:"):
                    continue
                message = json.loads(line[5:])
                messages.append(message)
                if message.get("msg") in ("process_completed", "close_stream", "unexpected_error"):
                    break
    return messages
