"""A running server under load: 20 concurrent /chat calls through gradio_client, none lost; size limits."""

from __future__ import annotations

import time

import httpx
from gradio_client import Client

from app.settings import Settings
from tests.stored import stored_debate

CLAIMS = [
    "AI will replace film directors",
    "Audiences will not care who made a film",
    "Cheap tools make everyone a filmmaker",
    "TikTok is the future of cinema",
]


def test_twenty_concurrent_chats_all_complete_and_are_stored(server: str, web_settings: Settings) -> None:
    client = Client(server, verbose=False)
    started = time.perf_counter()
    jobs = [
        client.submit(CLAIMS[i % len(CLAIMS)], ["challenge", "defend", "socratic", "devils-advocate"][i % 4], "", "",
                      api_name="/chat")
        for i in range(20)
    ]  # fmt: skip
    results = [job.result(timeout=240) for job in jobs]
    elapsed = time.perf_counter() - started
    assert all(r["done"] and r["reply"]["citations"] for r in results)
    ids = {r["session_id"] for r in results}
    assert len(ids) == 20
    for result in results:
        stored = stored_debate(web_settings.data_dir, result["session_id"])
        assert len(stored["turns"]) == 1 and stored["turns"][0]["text"] == result["text"]
    assert any(len(job.outputs()) >= 2 for job in jobs)  # replies streamed, not just returned
    print(f"20 concurrent chats in {elapsed:.1f}s")


def test_a_session_continues_over_the_api(server: str) -> None:
    client = Client(server, verbose=False)
    first = client.predict("AI will replace film directors", "challenge", "", "", api_name="/chat")
    second = client.predict("But tools are cheap now", "challenge", "", first["session_id"], api_name="/chat")
    assert second["session_id"] == first["session_id"]
    transcript = client.predict(first["session_id"], api_name="/transcript")
    assert transcript.count("**You:**") == 2
    docs = client.predict(api_name="/documents")
    assert any(d["slug"] == "bytedance-hollywood" for d in docs)


def test_oversized_requests_are_refused(server: str, web_settings: Settings) -> None:
    big = b"x" * (web_settings.max_upload_bytes + 400_000)
    response = httpx.post(server + "gradio_api/upload", content=big, headers={"content-type": "text/plain"})
    assert response.status_code == 413
    assert "limit" in response.json()["error"]
