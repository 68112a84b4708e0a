"""The Classroom and Teacher tabs without a browser: wiring and API visibility, the teacher's server-side
checks (directly and through Gradio's queue), a round through the student handlers, the turn clock,
escaping, and a round that outlives its server."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.classroom.errors import AccessDenied
from app.classroom.service import ClassroomService
from app.classroom.teacher import Teacher
from app.debate.service import DebateService
from app.settings import ClassroomSettings
from app.web.app import create_app
from app.web.practice import PracticeDesk, RoundView
from app.web.room import DebateRoom
from app.web.sessions import SessionStore
from app.web.teacher_desk import TeacherDesk, TeacherSession
from ingest.embedder import Embedder
from tests.fakes import ScriptedModel, ingest_default, make_debate_service
from tests.web.classroom_support import (
    ADA_TURNS,
    BOB_TURNS,
    PASSWORD,
    class_settings,
    fn_index,
    make_classroom,
    queue_call,
    serve_classroom,
)

NAMED = {"/chat", "/documents", "/transcript"}
EVIL = '<img src=x onerror="window.__pwned=1">'


class Clock:
    """A clock the test moves by hand (the round never sleeps)."""

    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def classroom(web_service: DebateService, tmp_path: Path, clock: Clock) -> ClassroomService:
    settings = ClassroomSettings(teacher_password=PASSWORD, rounds=2, word_limit=60)
    return ClassroomService(web_service, settings, tmp_path / "data", clock=clock)


@pytest.fixture
def room(web_service: DebateService, tmp_path: Path) -> DebateRoom:
    return DebateRoom(web_service, SessionStore(tmp_path / "sessions"))


@pytest.fixture
def desk(classroom: ClassroomService, room: DebateRoom) -> PracticeDesk:
    return PracticeDesk(classroom, room)


@pytest.fixture
def teaching(classroom: ClassroomService, room: DebateRoom) -> TeacherDesk:
    return TeacherDesk(classroom, room)


def _last(views: Iterator[RoundView]) -> RoundView:
    seen = list(views)
    assert seen
    return seen[-1]


def _play(desk: PracticeDesk, token: str, turns: list[str]) -> RoundView:
    view = RoundView()
    for text in turns:
        view = _last(desk.submit(token, text))
    return view


# --- wiring ------------------------------------------------------------------------------------------
def test_the_classroom_adds_tabs_but_no_api(web_service: DebateService, tmp_path: Path) -> None:
    demo = create_app(web_service, class_settings(tmp_path / "data"))
    assert set(demo.get_api_info()["named_endpoints"]) == NAMED
    assert set(demo.get_api_info(all_endpoints=True)["named_endpoints"]) == NAMED
    names = {fn.name: fn.api_visibility for fn in demo.fns.values()}
    ours = {n: v for n, v in names.items() if n and n.startswith(("classroom_", "teacher_"))}
    assert {"classroom_submit", "classroom_expire", "classroom_save_draft", "teacher_unlock", "teacher_show"} <= set(
        ours
    )
    assert set(ours.values()) == {"private"}
    config = json.dumps(demo.get_config_file(), default=str)
    assert "counterpoint-classroom" in config and PASSWORD not in config


def test_without_a_teacher_password_the_teacher_tab_only_says_so(web_service: DebateService, tmp_path: Path) -> None:
    demo = create_app(web_service, class_settings(tmp_path / "data", password=None))
    assert not [fn for fn in demo.fns.values() if (fn.name or "").startswith("teacher_")]
    config = demo.get_config_file()
    off = [c for c in config["components"] if c.get("props", {}).get("elem_id") == "cp-teacher-off"]
    assert off and "Teacher features are off" in off[0]["props"]["value"]


# --- the teacher's lock ------------------------------------------------------------------------------
def test_every_teacher_action_refuses_without_the_password(teaching: TeacherDesk, classroom: ClassroomService) -> None:
    code = Teacher(classroom, PASSWORD).create_assignment().code
    attempt = classroom.join(code, "Ada", "for")
    classroom.take_turn(attempt.token, ADA_TURNS[0])

    session, refused = teaching.unlock("guess")
    assert session is None and refused.unlocked is False
    assert "not the teacher password" in (refused.status or "")
    session, _ = teaching.unlock(attempt.token)  # a student's key is not a password either
    assert session is None
    bypassed = Teacher.__new__(Teacher)  # built without the password check...
    bypassed.classroom, bypassed.store = classroom, classroom.store
    forged = TeacherSession(bypassed, "guess")  # ...is still refused: every action checks the password
    for nobody in (None, "unlocked", {"teacher": True}, forged):
        for view in (
            teaching.show(nobody, code),
            teaching.transcript(nobody, code, attempt.id),
            teaching.create(nobody, "", "choice", 2, 60, 0, "x"),
            teaching.overview(nobody),
        ):
            assert view.unlocked is False and not view.attempts and not view.transcript and not view.assignments
            assert "Ada" not in json.dumps(view.__dict__, default=str)
    assert [a.code for a in classroom.store.assignments()] == [code]  # nothing was created

    session, opened = teaching.unlock(PASSWORD)
    assert isinstance(session, TeacherSession) and opened.unlocked and opened.assignments
    assert "correct" not in repr(session) and PASSWORD not in repr(session)
    shown = teaching.show(session, code)
    assert "Ada" in (shown.attempts or "") and shown.csv is not None and shown.json is not None
    assert "Ada" in shown.csv.read_text(encoding="utf-8-sig")
    assert attempt.token not in shown.json.read_text(encoding="utf-8")
    transcript = teaching.transcript(session, code, attempt.id).transcript or ""
    assert "The essay is right" in transcript and "cp-tr-cites" in transcript  # the bot's citations, listed

    classroom.settings.teacher_password = None  # switched off while a teacher was unlocked
    assert teaching.show(session, code).unlocked is False
    with pytest.raises(AccessDenied):
        Teacher(classroom, PASSWORD)


def test_teacher_events_called_through_the_queue_without_the_password_get_nothing(
    embedder: Embedder, model: ScriptedModel, tmp_path: Path
) -> None:
    settings = class_settings(tmp_path / "data")
    service = make_debate_service(settings, embedder, model)
    ingest_default(service)
    classroom = make_classroom(service, settings)
    code = Teacher(classroom, PASSWORD).create_assignment().code
    ada = classroom.join(code, "Ada Secretname", "for")
    classroom.submit(ada.token, ADA_TURNS[0])
    demo, url = serve_classroom(service, settings, classroom)
    try:
        doc = service.default_doc
        calls = {
            "teacher_show": [None, code],
            "teacher_transcript": [None, code, ada.id],
            "teacher_create": [None, doc, "choice", 2, 60, 0, "sneaky"],
            "teacher_unlock": ["guess"],
            "teacher_lock": [],
        }
        for name, data in calls.items():
            messages = queue_call(url, fn_index(demo, name), data)
            text = json.dumps(messages)
            assert "Ada Secretname" not in text and ada.token not in text and ADA_TURNS[0][:30] not in text, name
            assert "process_completed" in text, (name, text[:500])
        assert "not the teacher password" in json.dumps(queue_call(url, fn_index(demo, "teacher_unlock"), ["x"]))
        assert [a.thesis for a in classroom.store.assignments()] == [""]  # "sneaky" was never created
        # the page's own data is not there either: no teacher data in the config every visitor gets
        assert "Ada Secretname" not in json.dumps(demo.get_config_file(), default=str)
    finally:
        demo.close()


# --- a student's round -------------------------------------------------------------------------------
def test_a_round_streams_the_bot_then_shows_its_verified_reply_and_the_scorecard(
    desk: PracticeDesk, classroom: ClassroomService
) -> None:
    code = Teacher(classroom, PASSWORD).create_assignment(side="choice", thesis="Taste wins.").code
    assert "you choose your side" in desk.preview(code.lower())
    assert "No assignment" in desk.preview("ZZZZZZ") and desk.preview("AB") == ""
    joined = desk.join(code, "Ada", "against")
    assert joined.in_round and joined.token and joined.can_write and joined.autosave
    assert "against the essay" in (joined.header or "") and joined.token in (joined.header or "")
    assert "Taste wins." in (joined.header or "") and 'data-state="untimed"' in (joined.timer or "")

    views = list(desk.submit(joined.token, BOB_TURNS[0]))
    first, final = views[0], views[-1]
    assert first.can_write is False and "Counterpoint is finding passages" in first.chat[-1]["content"]
    streamed = [v for v in views[1:-1] if v.chat]
    assert streamed and all(set(v.__dict__) and v.status is None for v in streamed)  # only the chat changes
    assert "](#cite-P" in final.chat[-1]["content"] and "#cite-P" in final.chat[-1]["content"]
    assert final.can_write and "Your closing" in (final.status or "") and not final.finished
    assert '<mark class="cp-cited' in (final.source or "")

    done = _last(desk.submit(joined.token, BOB_TURNS[1]))
    assert done.finished and not done.can_write and not done.autosave
    card = done.scorecard or ""
    for criterion in ("Claim", "Evidence", "Reasoning", "Rebuttal", "Overall", "heuristic", "text check"):
        assert criterion in card
    assert done.export_md is not None and done.export_json is not None
    assert "## Scorecard" in done.export_md.read_text(encoding="utf-8")
    data = json.loads(done.export_json.read_text(encoding="utf-8"))
    assert data["attempt"]["side"] == "against" and data["scorecard"]["overall"]
    assert joined.token not in str(done.export_md) + done.export_md.read_text() + done.export_json.read_text()


def test_misquotes_show_the_real_wording_and_model_opinion_is_marked() -> None:
    from app.web.classroom_html import scorecard_html

    turn = {
        "phase": "opening", "text": "x", "words": 1, "seconds": 3.0, "notes": ["Time ran out; submitted as is."],
        "criteria": {
            c: {"criterion": c, "score": 2, "max": 3, "level": "lvl", "source": src, "feedback": ["fb"],
                "student_words": [], "passages": []}
            for c, src in (("claim", "model opinion"), ("evidence", "text check"), ("reasoning", "model opinion"),
                           ("rebuttal", "text check"))
        },
        "evidence": {
            "passages_used": [{"id": "abc123", "label": "P4", "section": "S"}],
            "misquotes": [{"text": "films are dead", "verified": False, "passage": {"id": "d", "label": "P7",
                           "section": "S"}, "real_wording": "Films are <not> dead.", "similarity": 0.8}],
            "misrepresentations": [{"student": "The author says AI wins", "passage": {"id": "e", "label": "P2",
                                    "section": "S"}, "essay_sentence": "AI will not win.", "similarity": 0.7,
                                    "reason": "the essay says the opposite"}],
        },
    }  # fmt: skip
    card = {
        "overall": dict.fromkeys(("claim", "evidence", "reasoning", "rebuttal"), 2.0),
        "total": 8.0, "out_of": 12, "passages_used": [{"id": "abc123", "label": "P4", "section": "S"}],
        "flags": {"misquotes": 1, "misrepresentations": 1, "expired_turns": 1}, "turns": [turn],
    }  # fmt: skip
    out = scorecard_html(card)
    assert out.count("cp-b-opinion") == 2 and "model opinion" in out
    assert "Films are &lt;not&gt; dead." in out and "P7" in out  # the real wording, escaped
    assert "the essay says the opposite" in out and "AI will not win." in out
    assert "abc123" in out and "1 misquote" in out and "1 turn out of time" in out


def test_names_and_texts_are_escaped_everywhere(
    desk: PracticeDesk, teaching: TeacherDesk, classroom: ClassroomService
) -> None:
    code = Teacher(classroom, PASSWORD).create_assignment(thesis=EVIL).code
    view = desk.join(code, EVIL, "for")
    done = _play(desk, view.token or "", [EVIL, "Closing " + EVIL])
    session, _ = teaching.unlock(PASSWORD)
    shown = teaching.show(session, code)
    attempt_id = classroom.store.attempts_for(code)[0].id
    pages = [
        view.header, done.scorecard, done.header, shown.attempts, shown.summary, desk.preview(code),
        teaching.transcript(session, code, attempt_id).transcript, teaching.create(session, "", "for", 2, 60, 0,
        EVIL).created,
    ]  # fmt: skip
    for html in pages:
        assert html and "<img" not in html, html
    assert "&lt;img src=x" in (done.header or "")
    chat = json.dumps(done.chat)
    assert "<img" not in chat and "&lt;img" in chat


# --- the clock ---------------------------------------------------------------------------------------
def test_the_clock_submits_the_draft_as_it_is_and_a_early_expiry_is_refused(desk: PracticeDesk, clock: Clock) -> None:
    view = desk.start("Cleo", "for", None, 2, 60, 30)
    token = view.token or ""
    assert 'data-state="running"' in (view.timer or "") and 'data-remaining="30.00"' in (view.timer or "")
    clock.now += 10
    early = _last(desk.expire(token, "half a thought"))
    assert "still has time left" in (early.status or "") and 'data-remaining="20.00"' in (early.timer or "")
    desk.save_draft(token, "half a thought, saved")
    clock.now += 21
    views = list(desk.expire(token, "half a thought, then more"))
    assert "Time ran out" in (views[0].status or "")
    final = views[-1]
    assert "then more" in final.chat[0]["content"] and "time ran out" in final.chat[0]["content"]
    assert "Your closing" in (final.status or "") or "Time ran out" in (final.status or "")
    assert 'data-remaining="30.00"' in (final.timer or "")  # the closing's clock starts after the bot's answer
    desk.classroom.submit(token, "my closing, submitted a moment before the clock ran out")
    assert list(desk.expire(token, "my closing")) == [RoundView()]  # the clock firing too changes nothing


def test_a_turn_left_to_run_out_while_away_is_submitted_with_the_saved_draft(desk: PracticeDesk, clock: Clock) -> None:
    token = desk.start("Dana", "against", None, 2, 60, 60).token or ""
    desk.save_draft(token, "what I had typed before the laptop closed")
    clock.now += 3600
    back = _last(desk.load(token))  # the bot answers the expired turn, then it is the closing
    assert "what I had typed" in back.chat[0]["content"] and "time ran out" in back.chat[0]["content"]
    assert back.chat[1]["role"] == "assistant" and "#cite-P" in back.chat[1]["content"]


def test_quit_keeps_the_round_and_shows_its_key(desk: PracticeDesk) -> None:
    token = desk.start("Eve", "for", None, 2, 60, 0).token or ""
    left = desk.quit(token, "my unfinished opening")
    assert left.in_round is False and left.token == "" and left.resume_key == token and token in (left.status or "")
    back = _last(desk.resume(token))
    assert back.in_round and back.draft == "my unfinished opening"
    assert "could not be found" in (_last(desk.resume("nope")).status or "")
    assert _last(desk.load("stale-key-from-another-server")).in_round is False
    assert "Write something" in (_last(desk.submit(token, "   ")).status or "")
    assert "enter a display name" in (desk.start("  ", "for", None, 2, 60, 0).status or "")


# --- a server restart --------------------------------------------------------------------------------
def test_a_round_started_on_one_server_continues_on_a_fresh_one(embedder: Embedder, tmp_path: Path) -> None:
    """Two app instances on the same data dir: the second knows nothing but the key the browser kept."""
    settings = class_settings(tmp_path / "data")

    def boot() -> tuple[Any, PracticeDesk, ClassroomService]:
        service = make_debate_service(settings, embedder, ScriptedModel(responses=["Who trains the next directors?"]))
        ingest_default(service)  # the first boot ingests the essay; the second finds it in the data dir
        classroom = make_classroom(service, settings)
        demo = create_app(service, settings, classroom=classroom)
        return (
            demo,
            PracticeDesk(classroom, DebateRoom(service, SessionStore(settings.data_dir / "sessions"))),
            classroom,
        )

    demo, first, classroom = boot()
    code = Teacher(classroom, PASSWORD).create_assignment(side="for").code
    token = first.join(code, "Finn", None).token or ""
    _last(first.submit(token, ADA_TURNS[0]))
    first.save_draft(token, "a closing in progress")
    waiting = classroom.join(code, "Gus")  # a second student whose bot turn the restart interrupted
    classroom.submit(waiting.token, BOB_TURNS[0])
    demo.close()
    del demo, first, classroom

    demo, second, classroom = boot()
    load = demo.fns[fn_index(demo, "classroom_load")].fn
    shown = list(load(token))[-1]  # the page load, through the fresh app's own wiring
    page = json.dumps(shown, ensure_ascii=False, default=str)
    assert ADA_TURNS[0][:30] in page and "a closing in progress" in page
    back = _last(second.load(token))
    assert back.in_round and back.can_write and back.draft == "a closing in progress"
    assert "Your closing" in (back.status or "")
    finished = _last(second.submit(token, ADA_TURNS[1]))
    assert finished.finished and "Scorecard" in (finished.scorecard or "")
    resumed = list(second.load(waiting.token))  # the owed bot turn is streamed on the fresh server
    assert resumed[0].can_write is False and resumed[-1].can_write
    assert len(classroom.store.load(waiting.token).round.turns) == 2
    rows = Teacher(classroom, PASSWORD).attempts(code)
    assert [(r["student"], r["status"]) for r in rows] == [("Finn", "finished"), ("Gus", "in progress (closing)")]
    demo.close()


def test_the_server_says_whether_the_teacher_tab_is_on_without_printing_the_password(tmp_path: Path) -> None:
    from app.web.server import teacher_status

    on = teacher_status(class_settings(tmp_path / "data"))
    assert on.startswith("on") and PASSWORD not in on
    assert teacher_status(class_settings(tmp_path / "data", password=None)).startswith("off")


def test_password_guessing_is_throttled_per_client(classroom: ClassroomService, room: DebateRoom, clock: Clock) -> None:
    from app.classroom.teacher import PasswordThrottle

    desk = TeacherDesk(classroom, room, PasswordThrottle(limit=3, window_s=60, lockout_s=30, clock=clock))
    for guess in ("a", "b", "c"):
        session, view = desk.unlock(guess, "10.0.0.7")
        assert session is None and "not the teacher password" in (view.status or "")
    session, view = desk.unlock(PASSWORD, "10.0.0.7")  # locked out, even with the right password
    assert session is None and "Try again in 30 s" in (view.status or "")
    session, _ = desk.unlock(PASSWORD, "10.0.0.9")  # the teacher's own machine is not locked out
    assert isinstance(session, TeacherSession)
    clock.now += 31
    session, _ = desk.unlock(PASSWORD, "10.0.0.7")
    assert isinstance(session, TeacherSession)


def test_the_teachers_tables_scroll_and_least_used_is_not_never_used() -> None:
    from app.web.classroom_html import attempts_html, summary_html

    row = {"attempt": 1, "student": "Ada", "side": "for", "status": "finished", "total": 6.0, "minutes": 3,
           "scores": dict.fromkeys(("claim", "evidence", "reasoning", "rebuttal"), 1.5), "started_at": "today",
           "passages_used": [{"label": f"P{i}", "section": "S"} for i in range(1, 20)], "misquotes": 0,
           "misrepresentations": 0, "expired_turns": 1}  # fmt: skip
    table = attempts_html([row], "K7QM2X")
    assert "overflow-x:auto" in table and "contain:inline-size" in table and "white-space:normal" in table
    used = {"label": "P9", "section": "S", "uses": 1, "students": 1}
    summary = {"finished": 1, "attempts": 1, "criteria": {"claim": 1.0}, "most_used": [used], "least_used": [used],
               "never_used": ["P1"], "sections": [{"section": "S", "uses": 1, "passages": ["P9"], "never_used": False}],
               "argument": [{"role": "reason", "label": "P9", "text": "Curation matters.", "students": 1},
                            {"role": "concession", "label": "P16", "text": "A caveat.", "students": 0}]}  # fmt: skip
    page = summary_html(summary)
    least = page.split("Least used passages")[1].split("Never used passages")[0]
    assert "P1" not in least and "P9" in least
    engaged, missed = page.split("Parts of the argument the class engaged")[1].split("Parts nobody engaged")
    assert "Curation matters." in engaged and "A caveat." in missed and "concession" in missed
