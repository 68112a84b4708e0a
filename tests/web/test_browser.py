"""The page in Debian's Chromium (Playwright), against one served app per module with the scripted model."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from app.debate.prompts import mode_spec
from app.settings import Settings
from tests.fakes import ScriptedModel
from tests.web.conftest import FLAGGED, UNSUPPORTED, canned_stream, open_page, save_screenshot, send

CHIP = "#cp-chat a[href^='#cite-P']"
TIMEOUT = 30_000
CHALLENGE, DEFEND, SOCRATIC = (mode_spec(m).frame_first for m in ("challenge", "defend", "socratic"))


def _wait_done(page: Any) -> None:
    expect(page.locator("#cp-send")).to_be_visible(timeout=TIMEOUT)
    expect(page.locator("#cp-status-line")).not_to_contain_text("answering", timeout=TIMEOUT)


def test_claim_streams_a_reply_whose_chip_highlights_the_source_span(page: Any) -> None:
    assert page.evaluate("document.activeElement.closest('#cp-input') !== null")  # focus starts in the input
    page.evaluate(
        """() => { window.__seen = [];
        new MutationObserver(() => window.__seen.push(document.querySelector('#cp-chat').innerText))
          .observe(document.querySelector('#cp-chat'), {subtree: true, childList: true, characterData: true}); }"""
    )
    page.keyboard.type("AI will replace film directors")
    page.keyboard.press("Enter")
    chip = page.locator(CHIP).first
    expect(chip).to_be_visible(timeout=TIMEOUT)
    _wait_done(page)
    closing = page.locator("#cp-chat").inner_text().strip().splitlines()[-1]
    assert closing.endswith("?")  # every reply ends with a question
    seen = page.evaluate("window.__seen")
    assert any(CHALLENGE in s and closing not in s for s in seen)  # the quotes streamed in before the question
    assert page.evaluate("document.activeElement.closest('#cp-input') !== null")  # focus stays in the input

    href = chip.get_attribute("href")
    span = re.fullmatch(r"#cite-(P\d+)-(\d+)-(\d+)", href or "")
    assert span, href
    chip.click()
    active = page.locator("#cp-source mark.cp-active")
    expect(active.first).to_be_visible()
    assert f"{span.group(2)}-{span.group(3)}" in (active.first.get_attribute("data-spans") or "")
    expect(active.first).to_be_in_viewport(timeout=TIMEOUT)
    expect(page.locator("#cp-evidence .cp-card.cp-cited").first).to_be_visible()
    expect(page.locator("#cp-evidence")).to_contain_text("quoted verbatim")
    expect(page.locator("#cp-source .cp-cov-count")).not_to_have_text(re.compile(r"^0 of"))
    save_screenshot(page, "main-screen.png")


def test_sentences_not_from_the_essay_and_flagged_quotes_stand_out(
    page: Any, web_service: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(web_service, "stream", canned_stream(web_service))
    send(page, "AI will replace film directors")
    unsupported = page.locator("#cp-chat .cp-unsupported")
    expect(unsupported).to_have_text(UNSUPPORTED, timeout=TIMEOUT)
    badge = unsupported.evaluate("el => getComputedStyle(el, '::after').content")
    assert "not from the essay" in badge  # labelled in the chat itself
    assert unsupported.evaluate("el => getComputedStyle(el).borderBottomStyle") == "dashed"
    expect(page.locator("#cp-evidence .cp-lab-unsupported")).to_contain_text("not from the essay")
    expect(page.locator("#cp-evidence .cp-flagged")).to_contain_text(FLAGGED)
    expect(page.locator("#cp-evidence .cp-ev-summary")).to_contain_text("1 quoted verbatim")
    page.locator(CHIP).first.click()
    expect(page.locator("#cp-source mark.cp-active").first).to_be_in_viewport(timeout=TIMEOUT)


def test_chips_work_from_the_keyboard(page: Any) -> None:
    send(page, "Audiences will not care who made a film")
    chip = page.locator(CHIP).first
    expect(chip).to_be_visible(timeout=TIMEOUT)
    chip.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#cp-source .cp-active").first).to_be_in_viewport(timeout=TIMEOUT)


def test_switching_mode_changes_the_description_and_the_reply(page: Any) -> None:
    page.get_by_label("Socratic").check()
    expect(page.locator("#cp-mode-line")).to_contain_text(mode_spec("socratic").description)
    send(page, "AI will replace film directors")
    expect(page.locator(CHIP).first).to_be_visible(timeout=TIMEOUT)
    expect(page.locator("#cp-chat")).to_contain_text(SOCRATIC, timeout=TIMEOUT)
    expect(page.locator("#cp-evidence")).to_contain_text("socratic")


def test_upload_a_text_and_debate_it(page: Any, tmp_path: Path) -> None:
    essay = tmp_path / "gardens.md"
    essay.write_text(
        "# On Gardens\n\nA garden is an argument about time. Every bed of roses is a wager that someone will "
        "still be here to prune it in ten years, and that wager makes gardening a moral practice.\n\n"
        "## Patience\n\nThe impatient gardener buys mature plants and calls it a garden. A garden bought whole "
        "teaches nothing; only the slow garden, grown from seed through failure, teaches what the soil wants.\n"
    )
    page.locator("input[type=file]").set_input_files(str(essay))
    expect(page.locator("#cp-status-line")).to_contain_text("Added “On Gardens”", timeout=TIMEOUT)
    expect(page.locator("#cp-doc input")).to_have_value("On Gardens")
    expect(page.locator("#cp-source")).to_contain_text("A garden is an argument about time")
    send(page, "Gardening is just a hobby")
    expect(page.locator(CHIP).first).to_be_visible(timeout=TIMEOUT)
    expect(page.locator("#cp-chat")).to_contain_text("garden", timeout=TIMEOUT)


def test_an_unsupported_upload_gets_a_clear_error(page: Any, tmp_path: Path) -> None:
    paper = tmp_path / "paper.pdf"
    paper.write_bytes(b"%PDF-1.4 not text")
    page.locator("input[type=file]").set_input_files(str(paper))
    expect(page.locator("#cp-upload-note")).to_contain_text("paper.pdf", timeout=TIMEOUT)  # next to the button


def test_export_downloads_the_debate_as_markdown(page: Any) -> None:
    send(page, "AI will replace film directors")
    expect(page.locator(CHIP).first).to_be_visible(timeout=TIMEOUT)
    _wait_done(page)
    with page.expect_download() as download:
        page.locator("#cp-export").click()
    assert download.value.suggested_filename.endswith(".md")
    text = Path(download.value.path()).read_text(encoding="utf-8")
    assert "**You:** AI will replace film directors" in text
    assert "### Citations" in text and re.search(r"\*\*\[P\d+\]\*\*", text)
    assert "  - Passage: " in text


def test_reload_keeps_the_debate(page: Any) -> None:
    send(page, "Cheap tools make everyone a filmmaker")
    expect(page.locator(CHIP).first).to_be_visible(timeout=TIMEOUT)
    _wait_done(page)
    page.reload()
    expect(page.locator("#cp-chat")).to_contain_text("Cheap tools make everyone a filmmaker", timeout=TIMEOUT)
    expect(page.locator(CHIP).first).to_be_visible()
    expect(page.locator("#cp-source mark.cp-cited").first).to_be_attached()


def test_backend_failure_shows_a_friendly_message_and_recovers(page: Any, model: ScriptedModel) -> None:
    model.failing = True
    try:
        send(page, "AI will replace film directors")
        expect(page.locator("#cp-status-line")).to_contain_text("not answering right now", timeout=TIMEOUT)
    finally:
        model.failing = False
    expect(page.locator("#cp-chat")).to_contain_text(CHALLENGE)  # still answered from the text
    expect(page.locator("#cp-status-line")).not_to_contain_text("Traceback")
    send(page, "Audiences will not care who made a film")
    expect(page.locator("#cp-status-line")).to_contain_text("Ready", timeout=TIMEOUT)
    expect(page.locator("#cp-chat")).to_contain_text("Audiences will not care")


def test_escape_stops_a_reply_and_keeps_what_was_shown(page: Any, model: ScriptedModel) -> None:
    model.sleep = 0.2  # ~10 s for the model's sentence
    try:
        send(page, "AI will replace film directors")
        expect(page.locator("#cp-stop")).to_be_visible(timeout=TIMEOUT)
        expect(page.locator("#cp-chat")).to_contain_text(CHALLENGE, timeout=TIMEOUT)
        page.keyboard.press("Escape")
        expect(page.locator("#cp-chat")).to_contain_text("(stopped)", timeout=TIMEOUT)
    finally:
        model.sleep = 0.01
    expect(page.locator("#cp-send")).to_be_visible()
    expect(page.locator("#cp-status-line")).to_contain_text("Stopped")


def test_retry_new_debate_and_example_claims(page: Any) -> None:
    send(page, "AI will replace film directors")
    expect(page.locator(CHIP).first).to_be_visible(timeout=TIMEOUT)
    _wait_done(page)
    page.get_by_label("Defend").check()
    page.locator("#cp-retry").click()
    expect(page.locator("#cp-chat")).to_contain_text(DEFEND, timeout=TIMEOUT)
    _wait_done(page)
    expect(page.locator("#cp-chat")).not_to_contain_text(CHALLENGE)
    page.locator("#cp-new").click()
    expect(page.locator("#cp-status-line")).to_contain_text("New debate", timeout=TIMEOUT)
    expect(page.locator(CHIP)).to_have_count(0)
    page.reload()
    expect(page.locator("#cp-status-line")).to_contain_text("Ready", timeout=TIMEOUT)
    expect(page.locator(CHIP)).to_have_count(0)
    example = page.locator("#cp-chat").get_by_text("I disagree that")  # the empty chat offers example claims
    claim = example.inner_text()
    example.click()
    expect(page.locator(CHIP).first).to_be_visible(timeout=TIMEOUT)
    expect(page.locator("#cp-chat")).to_contain_text(claim)


def test_markup_in_messages_and_documents_is_shown_not_run(page: Any, tmp_path: Path) -> None:
    attack = '<img src=x onerror="window.__pwned=1"> <script>window.__pwned=2</script> **bold**'
    send(page, attack)
    expect(page.locator("#cp-chat")).to_contain_text("<img src=x", timeout=TIMEOUT)
    doc = tmp_path / "evil.txt"
    doc.write_text("Evil Essay\n\n<img src=y onerror=\"window.__pwned=3\"> A passage about films and audiences "
                   "that is long enough to be a passage of its own, with <b>markup</b> in it.\n")  # fmt: skip
    page.locator("input[type=file]").set_input_files(str(doc))
    expect(page.locator("#cp-source")).to_contain_text("<b>markup</b>", timeout=TIMEOUT)
    assert page.evaluate("window.__pwned") is None


def test_phone_width(browser: Any, server: str, web_settings: Settings) -> None:
    page = open_page(browser, server, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    try:
        assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing wider than the screen
        send(page, "AI will replace film directors")
        chip = page.locator(CHIP).first
        expect(chip).to_be_visible(timeout=TIMEOUT)
        _wait_done(page)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        save_screenshot(page, "phone.png")
        chip.tap()
        expect(page.locator("#cp-source .cp-active").first).to_be_in_viewport(timeout=TIMEOUT)
    finally:
        page.context.close()
