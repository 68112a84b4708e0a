"""Web UI fixtures: a scripted chat model, a debate service over an ingested essay, a served app, a browser
(the model and the service come from tests/fakes.py).

Module-scoped where they are expensive (ingest, server, browser) so a test module shares one of each;
every browser test opens its own context (fresh localStorage = a fresh debate).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.debate.service import DebateService
from app.settings import Settings
from ingest.embedder import Embedder
from tests.chroma_server import free_port
from tests.fakes import ScriptedModel, fake_settings, ready_debate_service

QUESTION = "Is the essay right that cheap tools already exist?"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"


def serve(service: DebateService, settings: Settings, classroom: Any = None, concurrency: int | None = None):
    """Launch the app on a free loopback port without blocking, with the settings' password if any;
    returns (demo, url)."""
    from app.web import app as web_app
    from app.web.server import parse_auth

    demo = web_app.create_app(service, settings, classroom=classroom)
    demo.queue(default_concurrency_limit=concurrency or settings.concurrency_limit)
    port = free_port()
    demo.launch(
        server_name="127.0.0.1",
        server_port=port,
        prevent_thread_lock=True,
        quiet=True,
        auth=parse_auth(settings.auth),
        **web_app.launch_options(settings),
    )
    return demo, f"http://127.0.0.1:{port}/"


@pytest.fixture(scope="module")
def web_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("web")


@pytest.fixture(scope="module")
def model() -> ScriptedModel:
    """The served app's model; sleeps a little per character so streaming (and Stop) can be seen."""
    return ScriptedModel(responses=[QUESTION], sleep=0.01)


@pytest.fixture(scope="module")
def web_settings(web_dir: Path) -> Settings:
    return fake_settings(web_dir / "data")


@pytest.fixture(scope="module")
def web_service(web_settings: Settings, embedder: Embedder, model: ScriptedModel) -> DebateService:
    return ready_debate_service(web_settings, embedder, model)


@pytest.fixture(scope="module")
def server(web_service: DebateService, web_settings: Settings) -> Iterator[str]:
    demo, url = serve(web_service, web_settings)
    yield url
    demo.close()


@pytest.fixture(scope="module")
def browser():
    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.skip("Debian chromium is not installed (make browser)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def save_screenshot(page: Any, name: str, readme: bool = False) -> Path:
    """Keep a screenshot under tests/artifacts/ (git-ignored); with COUNTERPOINT_UPDATE_SCREENSHOT=1 and
    `readme`, also refresh docs/screenshot.png."""
    import os

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / name
    page.screenshot(path=str(path))
    if readme and os.environ.get("COUNTERPOINT_UPDATE_SCREENSHOT") == "1":
        docs = ARTIFACTS.parents[1] / "docs"
        docs.mkdir(exist_ok=True)
        shutil.copyfile(path, docs / "screenshot.png")
    return path


def open_page(browser: Any, url: str, **context: Any) -> Any:
    """A fresh browser context (fresh localStorage) on the app, once the page has loaded its debate."""
    from playwright.sync_api import expect

    options = {"viewport": {"width": 1366, "height": 900}, "accept_downloads": True, **context}
    page = browser.new_context(**options).new_page()
    page.goto(url)
    page.wait_for_selector("#cp-input textarea")
    expect(page.locator("#cp-status-line")).to_contain_text("Ready", timeout=20_000)
    return page


@pytest.fixture
def page(browser: Any, server: str) -> Iterator[Any]:
    """A fresh page on the module's served app (debate room tests)."""
    page = open_page(browser, server)
    yield page
    page.context.close()


def send(page: Any, text: str) -> None:
    """Type a claim and press Enter (keyboard only)."""
    box = page.locator("#cp-input textarea")
    box.click()
    box.fill(text)
    box.press("Enter")


UNSUPPORTED = "Studios will all close by 2030."
FLAGGED = "Films are finished forever"


def canned_stream(service: DebateService):
    """A `service.stream` stand-in giving one fixed reply: a verified quote of P3's first sentence, a
    sentence not from the essay and a flagged quote, whatever the core's heuristics do this week."""
    from app.debate.models import Citation, Quote, Reply, Sentence
    from app.debate.service import ReplyEvent

    passages = service.passages(service.default_doc)
    p3 = passages[2]
    start, end = p3.sentences[0]
    quote = p3.text[start - p3.start : end - p3.start]
    first = f"The essay says: “{quote}” [P3]"

    def stream(message: str, history: Any = None, mode: str | None = None, doc: str | None = None):
        reply = Reply(
            text=f"{first}\n\n{UNSUPPORTED}",
            mode=mode or "challenge",
            strategy="scaffolded",
            doc=service.default_doc,
            citations=[Citation("P3", p3.id, start, end)],
            quotes=[Quote(quote, True, start, end, p3.id), Quote(FLAGGED, False)],
            sentences=[Sentence(first, "quote", ["P3"]), Sentence(UNSUPPORTED, "unsupported")],
            passages=[p3, passages[0]],
        )
        yield ReplyEvent("text", first)
        yield ReplyEvent("text", f"\n\n{UNSUPPORTED}")
        yield ReplyEvent("reply", reply=reply)

    return stream
