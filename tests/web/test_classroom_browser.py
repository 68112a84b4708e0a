"""The Classroom and Teacher tabs in Debian's Chromium (Playwright): a teacher sets an assignment, two
students (two browser contexts) argue it, the teacher sees both and downloads the CSV; the turn clock
submits a draft when it runs out; a student's browser cannot reach the teacher's data."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from app.classroom.service import ClassroomService
from app.classroom.teacher import Teacher
from app.debate.service import DebateService
from app.settings import Settings
from ingest.embedder import Embedder
from tests.fakes import ScriptedModel, ready_debate_service
from tests.web.classroom_support import (
    ADA_TURNS,
    BOB_TURNS,
    PASSWORD,
    class_settings,
    make_classroom,
    serve_classroom,
)
from tests.web.conftest import save_screenshot

TIMEOUT = 30_000
CHIP = "#cp-cl-chat a[href^='#cite-P']"


@pytest.fixture(scope="module")
def settings(web_dir: Path) -> Settings:
    return class_settings(web_dir / "data")


@pytest.fixture(scope="module")
def service(settings: Settings, embedder: Embedder, model: ScriptedModel) -> DebateService:
    return ready_debate_service(settings, embedder, model)


@pytest.fixture(scope="module")
def classroom(service: DebateService, settings: Settings) -> ClassroomService:
    return make_classroom(service, settings)


@pytest.fixture(scope="module")
def url(service: DebateService, settings: Settings, classroom: ClassroomService) -> Iterator[str]:
    demo, address = serve_classroom(service, settings, classroom)
    yield address
    demo.close()


def open_tab(browser: Any, url: str, tab: str, **context: Any) -> Any:
    """A fresh browser context (its own storage: a different student) on the Classroom or Teacher tab."""
    options = {"viewport": {"width": 1366, "height": 900}, "accept_downloads": True, **context}
    page = browser.new_context(**options).new_page()
    page.goto(url)
    page.wait_for_selector("#cp-input textarea")
    page.get_by_role("tab", name=tab).click()
    if tab == "Classroom":
        expect(page.locator("#cp-cl-status")).to_contain_text("Join an assignment", timeout=TIMEOUT)
    return page


def join(page: Any, code: str, name: str, side: str = "for") -> None:
    page.locator("#cp-cl-name textarea").fill(name)
    page.locator("#cp-cl-side").get_by_label(
        "For the essay's thesis" if side == "for" else "Against the essay's thesis"
    ).check()
    page.locator("#cp-cl-code textarea").fill(code)
    expect(page.locator("#cp-cl-preview")).to_contain_text(f"Assignment {code}", timeout=TIMEOUT)
    page.locator("#cp-cl-join").click()
    expect(page.locator("#cp-cl-round")).to_be_visible(timeout=TIMEOUT)


def take_turn(page: Any, text: str, then: str) -> None:
    """Write and submit a turn, then wait until the bot has answered (the status says `then`) with chips."""
    page.locator("#cp-cl-draft textarea").fill(text)
    page.locator("#cp-cl-submit").click()
    expect(page.locator("#cp-cl-status")).to_contain_text(then, timeout=TIMEOUT)
    expect(page.locator(CHIP).first).to_be_visible(timeout=TIMEOUT)


def test_a_teacher_sets_an_assignment_two_students_argue_it_and_the_teacher_downloads_the_csv(
    browser: Any, url: str
) -> None:
    teacher = open_tab(browser, url, "Teacher")
    try:
        expect(teacher.locator("#cp-t-desk")).to_be_hidden()
        teacher.locator("#cp-t-password input").fill(PASSWORD)
        teacher.locator("#cp-t-unlock").click()
        expect(teacher.locator("#cp-t-desk")).to_be_visible(timeout=TIMEOUT)
        teacher.locator("#cp-t-thesis textarea").fill("Human taste beats cheap AI content.")
        teacher.locator("#cp-t-create").click()
        code_box = teacher.locator("#cp-t-created .cp-code")
        expect(code_box).to_have_text(re.compile(r"^[A-Z2-9]{6}$"), timeout=TIMEOUT)
        code = code_box.inner_text()
        expect(teacher.locator("#cp-t-attempts")).to_contain_text("No attempts yet")

        students = {"Ada <b>Lovelace</b>": ("for", ADA_TURNS), "Bob": ("against", BOB_TURNS)}
        pages = {}
        for name, (side, _) in students.items():
            pages[name] = open_tab(browser, url, "Classroom")
            join(pages[name], code, name, side)
        ada = pages["Ada <b>Lovelace</b>"]
        expect(ada.locator("#cp-cl-header")).to_contain_text("Ada <b>Lovelace</b>")  # shown as typed, not as markup
        expect(ada.locator("#cp-cl-header")).to_contain_text("for the essay's thesis")
        expect(ada.locator("#cp-cl-timer")).to_contain_text("No timer")
        for turn, then in enumerate(("Your closing", "Round finished")):  # in turn, each in their own browser
            for name, (_, turns) in students.items():
                take_turn(pages[name], turns[turn], then)
        for page in pages.values():
            expect(page.locator("#cp-cl-scorecard .cp-sc-table")).to_be_visible(timeout=TIMEOUT)
            expect(page.locator("#cp-cl-scorecard")).to_contain_text("Evidence")
            expect(page.locator("#cp-cl-scorecard")).to_contain_text("Rebuttal")
        scorecard = ada.locator("#cp-cl-scorecard")
        expect(scorecard.locator(".cp-sc-overall")).to_be_visible()
        expect(scorecard).to_contain_text("heuristic")  # claim / reasoning are marked as not a judgement
        expect(scorecard.locator(".cp-psg-ref code").first).to_be_visible()  # passages used, with their ids
        ada.locator(CHIP).first.click()  # a chip in the round scrolls the tab's own source view
        expect(ada.locator("#cp-cl-source .cp-active").first).to_be_in_viewport(timeout=TIMEOUT)
        save_screenshot(ada, "classroom-scorecard.png")
        with ada.expect_download() as md:
            ada.locator("#cp-cl-md").click()
        text = Path(md.value.path()).read_text(encoding="utf-8")
        assert "## Scorecard" in text and "Ada <b>Lovelace</b>" in text and ADA_TURNS[0][:30] in text
        with ada.expect_download() as js:
            ada.locator("#cp-cl-json").click()
        data = json.loads(Path(js.value.path()).read_text(encoding="utf-8"))
        assert data["attempt"]["student"] == "Ada <b>Lovelace</b>" and data["scorecard"]["turns"]
        assert "token" not in json.dumps(data)

        teacher.locator("#cp-t-refresh").click()
        table = teacher.locator("#cp-t-attempts")
        expect(table).to_contain_text("Ada <b>Lovelace</b>", timeout=TIMEOUT)
        expect(table).to_contain_text("Bob")
        expect(table.locator("tbody tr")).to_have_count(2)
        expect(teacher.locator("#cp-t-summary")).to_contain_text("Never used passages")
        teacher.locator("#cp-t-pick input").click()
        teacher.get_by_role("option", name=re.compile(r"^Bob")).click()
        expect(teacher.locator("#cp-t-transcript")).to_contain_text(BOB_TURNS[0][:30], timeout=TIMEOUT)
        expect(teacher.locator("#cp-t-transcript .cp-tr-cites").first).to_be_visible()
        save_screenshot(teacher, "teacher-view.png")
        with teacher.expect_download() as download:
            teacher.locator("#cp-t-csv").click()
        assert download.value.suggested_filename == f"counterpoint-{code}-attempts.csv"
        rows = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8-sig"))))
        assert [(r["student"], r["side"], r["status"]) for r in rows] == [
            ("Ada <b>Lovelace</b>", "for", "finished"), ("Bob", "against", "finished"),
        ]  # fmt: skip
        assert all(r["evidence"] != "" and r["assignment"] == code for r in rows)
        assert pages["Bob"].evaluate("window.__pwned") is None
    finally:
        for page in [teacher, *locals().get("pages", {}).values()]:
            page.context.close()


def test_the_turn_is_submitted_as_it_is_when_the_clock_runs_out(browser: Any, url: str) -> None:
    page = open_tab(browser, url, "Classroom")
    try:
        page.locator("#cp-cl-name textarea").fill("Cleo")
        page.locator("#cp-cl-seconds input").fill("3")
        page.locator("#cp-cl-start").click()
        clock = page.locator("#cp-cl-timer .cp-cl-clock")
        expect(clock).to_have_text(re.compile(r"^0:0[1-3]$"), timeout=TIMEOUT)
        draft = "Half a thought about curation that I never finished"
        page.locator("#cp-cl-draft textarea").fill(draft)
        expect(page.locator("#cp-cl-timer .cp-cl-words")).to_have_text("9 / 120 words")
        save_screenshot(page, "classroom-timer.png")
        chat = page.locator("#cp-cl-chat")
        expect(chat).to_contain_text(draft, timeout=TIMEOUT)  # nobody pressed Submit
        expect(chat).to_contain_text("time ran out")
        expect(page.locator(CHIP).first).to_be_visible(timeout=TIMEOUT)  # and the bot answered it
    finally:
        page.context.close()


def test_the_thesis_and_the_composer_are_on_screen_when_the_clock_starts(
    browser: Any, url: str, classroom: ClassroomService
) -> None:
    thesis = classroom.debate.argument_map().thesis_node
    assert thesis is not None
    page = open_tab(browser, url, "Classroom", viewport={"width": 1366, "height": 768})
    try:
        page.locator("#cp-cl-name textarea").fill("Dee")
        page.locator("#cp-cl-seconds input").fill("120")
        page.locator("#cp-cl-start").click()
        expect(page.locator("#cp-cl-timer .cp-cl-clock")).to_be_visible(timeout=TIMEOUT)
        expect(page.locator("#cp-cl-header .cp-cl-thesis")).to_contain_text(thesis.text)
        expect(page.locator("#cp-cl-header .cp-cl-thesis")).to_be_in_viewport()
        expect(page.locator("#cp-cl-draft textarea")).to_be_in_viewport()
        expect(page.locator("#cp-cl-submit")).to_be_in_viewport()
        save_screenshot(page, "classroom-round-start.png")
    finally:
        page.context.close()


def test_a_reload_continues_the_round_and_so_does_the_key_in_another_browser(
    browser: Any, url: str, classroom: ClassroomService
) -> None:
    page = open_tab(browser, url, "Classroom")
    other = None
    try:
        page.locator("#cp-cl-name textarea").fill("Dana")
        page.locator("#cp-cl-start").click()
        take_turn(page, ADA_TURNS[0], "Your closing")
        key = page.locator("#cp-cl-header .cp-cl-token").text_content() or ""
        page.locator("#cp-cl-draft textarea").fill("a draft kept across the reload")
        for _ in range(40):  # the page saves the draft every few seconds while the student types
            if classroom.store.load(key).draft == "a draft kept across the reload":
                break
            page.wait_for_timeout(250)
        assert classroom.store.load(key).draft == "a draft kept across the reload"
        page.reload()
        page.get_by_role("tab", name="Classroom").click()
        expect(page.locator("#cp-cl-round")).to_be_visible(timeout=TIMEOUT)
        expect(page.locator("#cp-cl-chat")).to_contain_text(ADA_TURNS[0][:30])
        expect(page.locator("#cp-cl-draft textarea")).to_have_value("a draft kept across the reload")
        save_screenshot(page, "classroom-round.png")
        page.locator("#cp-cl-quit").click()
        expect(page.locator("#cp-cl-lobby")).to_be_visible(timeout=TIMEOUT)
        expect(page.locator("#cp-cl-key textarea")).to_have_value(key)

        other = open_tab(browser, url, "Classroom")  # another browser: only the key opens the round
        other.locator("#cp-cl-key textarea").fill("not-a-key")
        other.locator("#cp-cl-resume").click()
        expect(other.locator("#cp-cl-status")).to_contain_text("could not be found", timeout=TIMEOUT)
        other.locator("#cp-cl-key textarea").fill(key)
        other.locator("#cp-cl-resume").click()
        expect(other.locator("#cp-cl-chat")).to_contain_text(ADA_TURNS[0][:30], timeout=TIMEOUT)
        expect(other.locator("#cp-cl-header")).to_contain_text("Dana")
        expect(other.locator("#cp-cl-draft textarea")).to_have_value("a draft kept across the reload")
    finally:
        page.context.close()
        if other is not None:
            other.context.close()


def test_a_student_cannot_open_the_teachers_view(browser: Any, url: str, classroom: ClassroomService) -> None:
    code = Teacher(classroom, PASSWORD).create_assignment(side="against").code
    secret = classroom.join(code, "Zed Secretname")
    classroom.take_turn(secret.token, BOB_TURNS[0])
    page = open_tab(browser, url, "Teacher")
    try:
        expect(page.locator("#cp-t-password")).to_be_visible()
        expect(page.locator("#cp-t-desk")).to_be_hidden()
        page.locator("#cp-t-password input").fill("let me in")
        page.locator("#cp-t-unlock").click()
        expect(page.locator("#cp-t-status")).to_contain_text("not the teacher password", timeout=TIMEOUT)
        expect(page.locator("#cp-t-desk")).to_be_hidden()
        page.get_by_role("tab", name="Classroom").click()
        page.locator("#cp-cl-code textarea").fill(code)
        expect(page.locator("#cp-cl-preview")).to_contain_text("you argue against", timeout=TIMEOUT)
        content = page.content()
        assert "Zed Secretname" not in content and secret.token not in content
        assert BOB_TURNS[0][:30] not in content
    finally:
        page.context.close()


def test_the_classroom_fits_a_phone(browser: Any, url: str) -> None:
    page = open_tab(browser, url, "Classroom", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    try:
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.locator("#cp-cl-name textarea").fill("Eve")
        page.locator("#cp-cl-start").click()
        expect(page.locator("#cp-cl-round")).to_be_visible(timeout=TIMEOUT)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        save_screenshot(page, "classroom-phone.png")
    finally:
        page.context.close()
