"""End to end: the real embedded model (SmolLM2 via llama.cpp) behind the served page, in Chromium."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from app.debate.service import DebateService
from app.settings import Settings
from ingest.embedder import Embedder
from tests.fakes import ready_debate_service
from tests.web.conftest import open_page, save_screenshot, send, serve

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def real_server(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Iterator[tuple[str, DebateService]]:
    settings = Settings(data_dir=tmp_path_factory.mktemp("e2e") / "data")
    assert settings.llm.backend == "embedded"
    service = ready_debate_service(settings, embedder)
    demo, url = serve(service, settings)
    yield url, service
    demo.close()


def test_debate_with_the_embedded_model_in_the_browser(browser: Any, real_server: tuple[str, DebateService]) -> None:
    url, service = real_server
    page = open_page(browser, url)
    try:
        expect(page.locator("#cp-status-line")).to_contain_text("offline model")
        send(page, "AI video tools will make indie filmmakers the new Hollywood.")
        chip = page.locator("#cp-chat a[href^='#cite-P']").first
        expect(chip).to_be_visible(timeout=180_000)
        expect(page.locator("#cp-send")).to_be_visible(timeout=180_000)
        expect(page.locator("#cp-status-line")).to_contain_text("Ready")
        span = re.fullmatch(r"#cite-P\d+-(\d+)-(\d+)", chip.get_attribute("href") or "")
        assert span
        chip.click()
        active = page.locator("#cp-source mark.cp-active").first
        expect(active).to_be_in_viewport()
        start, end = int(span.group(1)), int(span.group(2))
        record = service.document(service.default_doc)
        assert record is not None
        assert active.inner_text().strip() in record.text[start:end]
        save_screenshot(page, "main-screen-e2e.png", readme=True)
    finally:
        page.context.close()
