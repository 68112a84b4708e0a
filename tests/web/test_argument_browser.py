"""The Argument view in Debian's Chromium (Playwright): the map beside the source, nodes that open their
span in the source view, and the "cited" mark after a turn (the scripted model, a canned reply)."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.web.conftest import ARTIFACTS, canned_stream, send

THESIS = "Hollywood is not about to be conquered by ByteDance’s text-to-video models."
TIMEOUT = 30_000
DOCS = Path(__file__).resolve().parents[2] / "docs"


def _open_argument(page: Any) -> Any:
    page.get_by_role("tab", name="Argument").click()
    view = page.locator("#cp-argument .cp-argument")
    expect(view).to_be_visible(timeout=TIMEOUT)
    return view


def _spot_text(page: Any) -> str:
    return str(
        page.evaluate("[...document.querySelectorAll('#cp-source mark.cp-spot')].map(m => m.textContent).join('')")
    )


def test_the_argument_view_shows_the_thesis_and_a_node_opens_its_span(page: Any, web_service: Any) -> None:
    amap = web_service.argument_map()
    view = _open_argument(page)
    thesis = view.locator(".cp-node.cp-role-thesis")
    expect(thesis).to_have_count(1)
    expect(thesis).to_contain_text(THESIS)
    assert amap.thesis_node is not None and amap.thesis_node.text == THESIS
    expect(view.locator(".cp-arg-legend")).to_contain_text("Reported view")
    reported = view.locator(".cp-arg-reported")
    expect(reported).to_contain_text("the essay reports this view to reject it")
    expect(reported).to_contain_text("answered by")
    expect(page.locator("#cp-source .cp-source-text")).to_be_hidden()

    node = max((n for n in amap.by_role("reason", "evidence") if n.voice == "author"), key=lambda n: n.start)
    card = view.locator(f'a.cp-node[data-node="{node.id}"]')
    card.scroll_into_view_if_needed()
    card.click()
    box = page.locator("#cp-source .cp-source-text")
    expect(box).to_be_visible(timeout=TIMEOUT)  # the Source tab opened
    spot = page.locator("#cp-source mark.cp-spot").first
    expect(spot).to_be_in_viewport(timeout=TIMEOUT)  # scrolled to the span (it is near the end of the essay)
    assert _spot_text(page) == node.text  # exactly the node's words, highlighted

    _open_argument(page).locator(".cp-node.cp-role-thesis").click()
    expect(page.locator("#cp-source mark.cp-spot").first).to_be_in_viewport(timeout=TIMEOUT)
    assert _spot_text(page) == THESIS  # the earlier highlight is gone, the new one is exact


def test_a_cited_node_is_marked_after_a_turn(page: Any, web_service: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(web_service, "stream", canned_stream(web_service))
    p3 = web_service.passages(web_service.default_doc)[2]
    start, end = p3.sentences[0]
    cited = web_service.argument_map().at(start, end)
    assert cited is not None
    view = _open_argument(page)
    expect(view.locator(".cp-node.cp-used")).to_have_count(0)
    send(page, "AI will replace film directors")
    card = page.locator(f'#cp-argument a.cp-node[data-node="{cited.id}"]')
    expect(card).to_have_class(re.compile(r"\bcp-used\b"), timeout=TIMEOUT)
    expect(card.locator(".cp-node-used")).to_have_text("cited")
    expect(page.locator("#cp-argument .cp-arg-count")).to_contain_text("cited in this debate")
    expect(page.locator("#cp-send")).to_be_visible(timeout=TIMEOUT)
    expect(page.locator("#cp-input textarea")).to_be_in_viewport()  # the composer stays in reach
    _screenshot(page)

    page.locator("#cp-chat a[href^='#cite-P']").first.click()  # a chip opens the Source tab too
    expect(page.locator("#cp-source mark.cp-active").first).to_be_in_viewport(timeout=TIMEOUT)


def _screenshot(page: Any) -> None:
    """tests/artifacts/argument-view.png; with COUNTERPOINT_UPDATE_SCREENSHOT=1 also docs/argument-view.png."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / "argument-view.png"
    page.set_viewport_size({"width": 1366, "height": 1150})
    page.locator("#cp-argument .cp-argument").evaluate("el => { el.scrollTop = 0; }")
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(path))
    if os.environ.get("COUNTERPOINT_UPDATE_SCREENSHOT") == "1":
        DOCS.mkdir(exist_ok=True)
        shutil.copyfile(path, DOCS / "argument-view.png")
