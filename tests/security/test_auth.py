"""SECURITY.md claim: with COUNTERPOINT_AUTH set, nothing but the login page is reachable without it."""

from __future__ import annotations

import httpx
import pytest
from gradio_client import Client
from gradio_client.exceptions import AuthenticationError

from tests.fakes import fake_settings, ingest_default, make_debate_service
from tests.web.conftest import serve


@pytest.fixture(scope="module")
def guarded(tmp_path_factory, embedder):
    settings = fake_settings(tmp_path_factory.mktemp("auth") / "data", auth="teacher:s3cret")
    service = make_debate_service(settings, embedder)
    ingest_default(service)
    demo, url = serve(service, settings, concurrency=2)
    yield url
    demo.close()


def test_api_and_config_refuse_anonymous_requests(guarded: str) -> None:
    assert httpx.get(guarded + "config").status_code == 401
    info = httpx.get(guarded + "gradio_api/info")
    assert info.status_code == 401
    with pytest.raises(AuthenticationError, match="credentials were not provided"):
        Client(guarded, verbose=False)


def test_wrong_password_is_refused_and_right_one_works(guarded: str) -> None:
    wrong = httpx.post(guarded + "login", data={"username": "teacher", "password": "nope"})
    assert wrong.status_code == 400
    with pytest.raises(ValueError, match="Could not login"):
        Client(guarded, auth=("teacher", "nope"), verbose=False)
    client = Client(guarded, auth=("teacher", "s3cret"), verbose=False)
    result = client.predict("AI will replace directors", "challenge", "", "", api_name="/chat")
    assert result["done"] and result["reply"]["citations"]
