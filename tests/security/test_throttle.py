"""SECURITY.md claims: password guessing is throttled per client address and per account, the address is the
socket peer (X-Forwarded-For only from a listed proxy), and the site login at /login is throttled too."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from app.classroom.teacher import PasswordThrottle
from app.debate.errors import CounterpointError
from app.debate.service import DebateService
from app.settings import Settings
from app.web.clients import client_address, throttle_key, trusted_networks
from app.web.teacher_desk import TeacherDesk
from ingest.embedder import Embedder
from tests.fakes import ingest_default, make_debate_service
from tests.web.classroom_support import PASSWORD, class_settings, fn_index, make_classroom
from tests.web.conftest import serve as serve_app

WRONG = "not the teacher password"
LOCKED = "Try again in"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


# --- the address ---------------------------------------------------------------------------------------
def test_the_client_address_is_the_peer_unless_the_peer_is_a_listed_proxy() -> None:
    none: tuple[Any, ...] = ()
    assert client_address("127.0.0.1", ["10.0.0.9"], none) == "127.0.0.1"  # nobody is trusted by default
    proxies = trusted_networks(["127.0.0.1", "10.1.0.0/16"])
    assert client_address("127.0.0.1", ["10.0.0.9"], proxies) == "10.0.0.9"
    # the right-most hop that is not a listed proxy: what the client wrote to the left proves nothing
    assert client_address("127.0.0.1", ["6.6.6.6, 10.0.0.7, 10.1.2.3"], proxies) == "10.0.0.7"
    assert client_address("127.0.0.1", ["6.6.6.6", "10.0.0.7"], proxies) == "10.0.0.7"  # two headers
    assert client_address("10.0.0.8", ["6.6.6.6"], proxies) == "10.0.0.8"  # not a listed proxy
    assert client_address("127.0.0.1", [], proxies) == "127.0.0.1"
    assert client_address("::ffff:127.0.0.1", ["192.0.2.1:4711"], proxies) == "192.0.2.1"
    assert client_address(None, ["10.0.0.9"], proxies) == "unknown"
    assert throttle_key("2001:db8:1:2:3:4:5:6") == throttle_key("2001:db8:1:2:ffff::1") == "2001:db8:1:2::/64"
    with pytest.raises(CounterpointError, match="COUNTERPOINT_TRUSTED_PROXIES"):
        trusted_networks(["nginx"])


def test_trusted_proxies_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    assert Settings().trusted_proxies == []
    monkeypatch.setenv("COUNTERPOINT_TRUSTED_PROXIES", "127.0.0.1, 10.1.0.0/16")
    assert Settings().trusted_proxies == ["127.0.0.1", "10.1.0.0/16"]
    monkeypatch.setenv("COUNTERPOINT_TRUSTED_PROXIES", '["::1"]')
    assert Settings().trusted_proxies == ["::1"]


# --- the account ---------------------------------------------------------------------------------------
def test_the_account_is_locked_after_guesses_from_many_addresses_but_known_machines_keep_working() -> None:
    clock = Clock()
    throttle = PasswordThrottle(limit=3, window_s=60, lockout_s=30, account_limit=6, account_lockout_s=120, clock=clock)
    throttle.record("10.0.0.1", ok=True)  # the teacher's machine, unlocked earlier today
    for n in range(6):  # six addresses, one wrong guess each: no address reaches its own limit
        assert throttle.wait_s(f"10.9.0.{n}") == 0
        throttle.record(f"10.9.0.{n}", ok=False)
    assert throttle.wait_s("10.9.0.99") == 120  # a new address (a guesser, or the teacher on a new machine)
    assert throttle.wait_s("10.0.0.1") == 0  # a machine that gave the right password before is not locked out
    clock.now += 121
    assert throttle.wait_s("10.9.0.99") == 0  # the account lock ends: nobody is locked out for ever


def test_one_address_alone_never_locks_the_account() -> None:
    clock = Clock()
    throttle = PasswordThrottle(clock=clock)  # the defaults: 5 per address, then 60 s; 30 for the account
    for _ in range(200):  # guess as fast as the address lock allows, for ten windows
        if throttle.wait_s("10.9.9.9"):
            clock.now += 1
            continue
        throttle.record("10.9.9.9", ok=False)
    assert throttle.wait_s("10.0.0.1") == 0  # the teacher, on any machine, is never kept out by one address


# --- over HTTP: the teacher password ---------------------------------------------------------------------
@pytest.fixture(scope="module")
def served_service(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> DebateService:
    settings = class_settings(tmp_path_factory.mktemp("throttle") / "data")
    service = make_debate_service(settings, embedder)
    ingest_default(service)
    return service


class Served:
    def __init__(self, demo: Any, url: str, desk: TeacherDesk) -> None:
        self.demo, self.url, self.desk = demo, url, desk

    def unlock(self, password: str, forwarded: str | None = None) -> str:
        """The Unlock button's event through the queue, as a script would call it; the messages as text."""
        headers = {"x-forwarded-for": forwarded} if forwarded else {}
        return json.dumps(queue_call(self.url, fn_index(self.demo, "teacher_unlock"), [password], headers))


def serve(service: DebateService, monkeypatch: pytest.MonkeyPatch, settings: Settings) -> Served:
    from app.web import app as web_app

    desks: list[TeacherDesk] = []

    class Recorded(TeacherDesk):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            desks.append(self)

    monkeypatch.setattr(web_app, "TeacherDesk", Recorded)
    demo, url = serve_app(service, settings, classroom=make_classroom(service, settings), concurrency=2)
    return Served(demo, url, desks[0])


@pytest.fixture
def default_server(served_service: DebateService, monkeypatch: pytest.MonkeyPatch) -> Iterator[Served]:
    served = serve(served_service, monkeypatch, class_settings(served_service.data_dir))
    yield served
    served.demo.close()


@pytest.fixture
def proxied_server(served_service: DebateService, monkeypatch: pytest.MonkeyPatch) -> Iterator[Served]:
    settings = class_settings(served_service.data_dir).model_copy(update={"trusted_proxies": ["127.0.0.1"]})
    served = serve(served_service, monkeypatch, settings)
    yield served
    served.demo.close()


def test_rotating_x_forwarded_for_does_not_bypass_the_teacher_throttle(default_server: Served) -> None:
    for n in range(5):
        assert WRONG in default_server.unlock(f"guess {n}", forwarded=f"10.0.0.{n}")
    refused = default_server.unlock(PASSWORD, forwarded="10.0.0.200")  # a fresh name changes nothing
    assert LOCKED in refused


def test_naming_another_address_does_not_lock_that_address_out(default_server: Served) -> None:
    for n in range(5):
        assert WRONG in default_server.unlock(f"guess {n}", forwarded="10.0.0.9")  # "I am the teacher's machine"
    throttle = default_server.desk.throttle
    assert throttle.wait_s("10.0.0.9") == 0  # the named machine is untouched
    assert throttle.wait_s("127.0.0.1") > 0  # the guesser is the one locked out


def test_behind_a_listed_proxy_the_forwarded_address_is_used(proxied_server: Served) -> None:
    # the proxy appends the address it saw (10.0.0.7); what the guesser wrote to its left does not count
    for n in range(5):
        assert WRONG in proxied_server.unlock(f"guess {n}", forwarded="10.0.0.9, 10.0.0.7")
    assert LOCKED in proxied_server.unlock(PASSWORD, forwarded="10.0.0.7")
    unlocked = proxied_server.unlock(PASSWORD, forwarded="10.0.0.9")  # the teacher's machine, via the proxy
    assert "Unlocked." in unlocked and LOCKED not in unlocked


# --- over HTTP: the site login (COUNTERPOINT_AUTH) ---------------------------------------------------------
@pytest.fixture
def login_server(served_service: DebateService) -> Iterator[str]:
    settings = class_settings(served_service.data_dir).model_copy(update={"auth": "class:room42"})
    demo, url = serve_app(served_service, settings, classroom=make_classroom(served_service, settings), concurrency=2)
    yield url
    demo.close()


def test_the_site_login_is_throttled_and_x_forwarded_for_does_not_bypass_it(login_server: str) -> None:
    with httpx.Client(timeout=30) as http:
        for n in range(5):
            wrong = http.post(login_server + "login", data={"username": "class", "password": f"guess {n}"},
                              headers={"x-forwarded-for": f"10.0.0.{n}"})  # fmt: skip
            assert wrong.status_code == 400
        locked = http.post(login_server + "login", data={"username": "class", "password": "room42"},
                           headers={"x-forwarded-for": "10.0.0.200"})  # fmt: skip
        assert locked.status_code == 429 and "Try again in" in locked.json()["detail"]
        assert int(locked.headers["retry-after"]) > 0
        assert http.get(login_server + "config").status_code == 401  # and no session cookie was given


def queue_call(url: str, index: int, data: list[Any], headers: dict[str, str]) -> list[dict[str, Any]]:
    """One event through Gradio's queue with extra request headers; every server-sent message of it."""
    session = uuid.uuid4().hex[:11]
    base = url.rstrip("/") + "/gradio_api"
    messages: list[dict[str, Any]] = []
    with httpx.Client(timeout=30, headers=headers) as http:
        joined = http.post(
            f"{base}/queue/join",
            json={"data": data, "fn_index": index, "session_hash": session, "event_data": None, "trigger_id": None},
        )
        assert joined.status_code == 200, joined.text
        with http.stream("GET", f"{base}/queue/data", params={"session_hash": session}) as stream:
            for line in stream.iter_lines():
                if line.startswith("data:"):
                    messages.append(json.loads(line[5:]))
                    if messages[-1].get("msg") in ("process_completed", "close_stream", "unexpected_error"):
                        break
    return messages
