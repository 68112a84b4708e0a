"""The debate room's issue-15 fixes in Debian's Chromium: the thesis and a real title on screen, the
composer and actions in reach, per-document example claims, the message counter and refusal, upload
errors next to the control, evidence after Stop, "Your debates", Undo after New debate, the original file."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from app.debate.service import DebateService
from app.web import chips
from tests.fakes import ScriptedModel
from tests.web.conftest import canned_stream, open_page, save_screenshot, send

CHIP = "#cp-chat a[href^='#cite-P']"
TIMEOUT = 30_000
REACH = ("#cp-input textarea", "#cp-send", "#cp-retry", "#cp-new", "#cp-export")


def _wait_done(page: Any) -> None:
    expect(page.locator("#cp-send")).to_be_visible(timeout=TIMEOUT)
    expect(page.locator("#cp-status-line")).not_to_contain_text("answering", timeout=TIMEOUT)


def _in_reach(page: Any, selectors: tuple[str, ...] = REACH) -> None:
    for selector in selectors:
        expect(page.locator(selector)).to_be_in_viewport(timeout=TIMEOUT)


def test_the_thesis_is_on_screen_and_the_picker_has_a_real_title(page: Any, web_service: DebateService) -> None:
    thesis = web_service.argument_map(web_service.default_doc).thesis_node
    assert thesis is not None
    expect(page.locator("#cp-source .cp-thesis")).to_contain_text(thesis.text)
    record = web_service.document(web_service.default_doc)
    assert record is not None
    title = page.locator("#cp-doc input").input_value()
    assert title != record.title and title in thesis.text  # not the first sentence: the thesis
    page.locator("#cp-source .cp-thesis").click()
    expect(page.locator("#cp-source mark.cp-spot").first).to_be_in_viewport(timeout=TIMEOUT)


def test_composer_and_actions_stay_in_reach_on_a_laptop(page: Any) -> None:
    _in_reach(page)
    send(page, "AI will replace film directors")
    expect(page.locator(CHIP).first).to_be_visible(timeout=TIMEOUT)
    _wait_done(page)
    page.mouse.wheel(0, 2000)
    _in_reach(page)
    save_screenshot(page, "main-screen.png")


def test_on_a_phone_the_message_box_is_in_reach_at_load_and_after_a_chip(browser: Any, server: str) -> None:
    page = open_page(browser, server, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    try:
        _in_reach(page, ("#cp-input textarea", "#cp-new"))
        send(page, "AI will replace film directors")
        expect(page.locator(CHIP).first).to_be_visible(timeout=TIMEOUT)
        _wait_done(page)
        page.locator(CHIP).first.tap()
        expect(page.locator("#cp-source .cp-active").first).to_be_in_viewport(timeout=TIMEOUT)
        _in_reach(page, ("#cp-input textarea", "#cp-retry"))
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        save_screenshot(page, "phone.png")
    finally:
        page.context.close()


def test_example_claims_come_from_the_documents_map(page: Any, web_service: DebateService) -> None:
    doc = web_service.default_doc
    record = web_service.document(doc)
    assert record is not None
    examples = chips.example_claims(web_service.argument_map(doc), record.text)
    assert len(examples) == 3 and examples[0].startswith("I disagree that")
    chat = page.locator("#cp-chat")
    for example in examples:
        expect(chat).to_contain_text(example[:40])
    chat.get_by_text(examples[0][:40]).click()
    expect(page.locator(CHIP).first).to_be_visible(timeout=TIMEOUT)


def test_a_long_message_is_counted_and_refused_whole(page: Any) -> None:
    box = page.locator("#cp-input textarea")
    box.fill("word " * 1000)
    expect(page.locator("#cp-counter")).to_contain_text("4,999 / 4,000 (999 over)")
    box.press("Enter")
    expect(page.locator("#cp-composer-note")).to_contain_text("the limit is 4,000", timeout=TIMEOUT)
    assert len(box.input_value()) == 5000  # nothing cut: still in the box to shorten
    expect(page.locator("#cp-chat .message-row")).to_have_count(0)
    box.fill("A short claim")
    expect(page.locator("#cp-counter")).to_have_text("13 / 4,000")


def test_upload_errors_appear_next_to_the_upload_button(page: Any, tmp_path: Path) -> None:
    big = tmp_path / "long.txt"
    big.write_text("Words about films. " * 108_000)  # 2.05 MB: over our 2 MB, under the browser's check
    page.locator("input[type=file]").set_input_files(str(big))
    note = page.locator("#cp-upload-note")
    expect(note).to_contain_text("the limit is 2 MB", timeout=TIMEOUT)
    expect(note).to_be_in_viewport()
    page.locator("#cp-paste-box").get_by_text("Paste text").click()
    page.locator("#cp-paste").click()
    expect(note).to_contain_text("Paste some text first", timeout=TIMEOUT)


def test_stop_keeps_the_evidence_of_what_had_streamed(
    page: Any, web_service: DebateService, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(web_service, "stream", _slow_stream(web_service))
    send(page, "AI will replace film directors")
    expect(page.locator("#cp-chat")).to_contain_text("The essay says", timeout=TIMEOUT)
    page.keyboard.press("Escape")
    expect(page.locator("#cp-chat")).to_contain_text("(stopped)", timeout=TIMEOUT)
    evidence = page.locator("#cp-evidence")
    expect(evidence).to_contain_text("Stopped before the checks ran")
    expect(evidence).to_contain_text("1 quoted verbatim")
    expect(evidence.locator(".cp-card")).to_have_count(1)  # the passage its chip names


def _slow_stream(service: DebateService):
    """A `service.stream` that streams a verified quote with its chip, then takes its time (for Stop)."""
    from app.debate.service import ReplyEvent

    p3 = service.passages(service.default_doc)[2]
    start, end = p3.sentences[0]
    quote = p3.text[start - p3.start : end - p3.start]

    def stream(message: str, history: Any = None, mode: str | None = None, doc: str | None = None):
        yield ReplyEvent("text", f"The essay says: “{quote}” [P3]")
        for _ in range(100):
            time.sleep(0.2)
            yield ReplyEvent("text", " …")

    return stream


def test_quote_badge_says_what_was_checked(page: Any, web_service: DebateService, monkeypatch: Any) -> None:
    monkeypatch.setattr(web_service, "stream", canned_stream(web_service))
    send(page, "AI will replace film directors")
    summary = page.locator("#cp-evidence .cp-ev-summary")
    expect(summary).to_contain_text("1 quoted verbatim", timeout=TIMEOUT)
    expect(summary).to_contain_text("1 not found in the essay")
    expect(summary).not_to_contain_text("verified")


def test_new_debate_can_be_undone_and_earlier_debates_reopened_or_deleted(page: Any) -> None:
    send(page, "Cheap tools make everyone a filmmaker")
    expect(page.locator(CHIP).first).to_be_visible(timeout=TIMEOUT)
    _wait_done(page)
    page.locator("#cp-new").click()
    expect(page.locator(CHIP)).to_have_count(0, timeout=TIMEOUT)
    page.locator("#cp-undo").click()
    expect(page.locator("#cp-chat")).to_contain_text("Cheap tools make everyone a filmmaker", timeout=TIMEOUT)
    expect(page.locator("#cp-undo")).to_be_hidden()
    page.locator("#cp-new").click()
    expect(page.locator(CHIP)).to_have_count(0, timeout=TIMEOUT)
    page.locator("#cp-debates").get_by_text("Your debates").click()
    picker = page.locator("#cp-debate-pick")
    picker.locator("input").click()
    option = page.get_by_role("option").filter(has_text="1 turn")
    expect(option).to_have_count(1, timeout=TIMEOUT)
    option.click()
    page.locator("#cp-debate-open").click()
    expect(page.locator("#cp-chat")).to_contain_text("Cheap tools make everyone a filmmaker", timeout=TIMEOUT)
    picker.locator("input").click()
    page.get_by_role("option").filter(has_text="1 turn").click()
    page.locator("#cp-debate-delete").click()
    expect(page.locator("#cp-status-line")).to_contain_text("Deleted the debate", timeout=TIMEOUT)
    expect(page.locator(CHIP)).to_have_count(0)
    picker.locator("input").click()
    expect(page.get_by_role("option").filter(has_text="1 turn")).to_have_count(0)


def test_the_uploaded_original_can_be_downloaded(page: Any, tmp_path: Path) -> None:
    essay = tmp_path / "orchards.md"
    essay.write_text(
        "# On Orchards\n\nAn orchard is a promise to strangers. Whoever plants a pear tree plants it for people "
        "who will eat its fruit long after the planter is gone, and that makes planting a civic act.\n"
    )
    expect(page.locator("#cp-original")).to_be_hidden()
    page.locator("input[type=file]").set_input_files(str(essay))
    expect(page.locator("#cp-upload-note")).to_contain_text("Added “On Orchards”", timeout=TIMEOUT)
    with page.expect_download() as download:
        page.locator("#cp-original").click()
    assert download.value.suggested_filename == "orchards.md"
    assert Path(download.value.path()).read_text(encoding="utf-8") == essay.read_text(encoding="utf-8")


@pytest.fixture(autouse=True)
def _quick_model(model: ScriptedModel) -> None:
    model.sleep = 0.01
