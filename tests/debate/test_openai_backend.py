"""The `openai` backend against a small OpenAI-compatible stub on 127.0.0.1 (free strategy, streaming)."""

from __future__ import annotations

from app.debate.service import DebateService
from bench.stub_openai import StubOpenAI

STUB_REPLY = (
    "The essay says the real bottleneck is curation and distribution [P8]. "
    "It never mentions Netflix [P42]. What would cheaper tools change?"
)


def _service(settings, ingested, embedder, base_url: str, api_key: str = "k") -> DebateService:
    llm = settings.llm.model_copy(
        update={"backend": "openai", "base_url": base_url, "api_key": api_key, "model": "stub-model", "timeout_s": 5}
    )
    return DebateService(settings.model_copy(update={"llm": llm}), ingested, embedder)


def test_openai_backend_streams_and_is_validated(settings, ingested, embedder) -> None:
    with StubOpenAI(STUB_REPLY) as stub:
        service = _service(settings, ingested, embedder, stub.base_url)
        assert service.strategy == "free"
        events = list(service.stream("Cheap AI tools will democratise cinema."))
    deltas = [e.text for e in events if e.kind == "text"]
    reply = events[-1].reply
    assert len(deltas) > 5 and "".join(deltas) == STUB_REPLY
    assert stub.requests[0]["stream"] is True and stub.requests[0]["model"] == "stub-model"
    assert '<passage marker="[P' in stub.requests[0]["messages"][0]["content"]
    assert reply.removed_markers == ["P42"]
    assert [c.marker for c in reply.citations if not c.auto][:1] == ["P8"]
    assert reply.timings.ttft_s is not None
    assert (reply.prompt_tokens, reply.completion_tokens) == (10, len(STUB_REPLY.split()))  # the stub's usage chunk
    assert reply.notice == ""


def test_endpoint_down_and_wrong_key_are_explained(settings, ingested, embedder) -> None:
    with StubOpenAI(STUB_REPLY) as stub:
        dead_url = stub.base_url
    down = _service(settings, ingested, embedder, dead_url).reply("Cheap AI tools will democratise cinema.")
    assert "cannot reach the model endpoint" in down.notice
    assert down.citations  # still answered from the text
    with StubOpenAI(STUB_REPLY, api_key="right") as stub:
        wrong = _service(settings, ingested, embedder, stub.base_url, api_key="wrong").reply("Cheap tools win.")
    assert "rejected the API key" in wrong.notice


def test_endpoint_dying_mid_stream_keeps_what_arrived_and_says_so(settings, ingested, embedder) -> None:
    with StubOpenAI(STUB_REPLY, drop_after_words=6) as stub:
        service = _service(settings, ingested, embedder, stub.base_url)
        events = list(service.stream("Cheap AI tools will democratise cinema."))
    shown = "".join(e.text for e in events if e.kind == "text")
    reply = events[-1].reply
    assert shown.startswith(" ".join(STUB_REPLY.split(" ")[:6]))  # the words that arrived were streamed
    assert reply.notice and "stopped in the middle of its reply" in reply.notice
    assert reply.citations and all(c.marker.startswith("P") for c in reply.citations)  # still grounded


def test_endpoint_timeout_is_explained_and_the_text_still_answers(settings, ingested, embedder) -> None:
    with StubOpenAI(STUB_REPLY, first_token_delay_s=4) as stub:
        service = _service(settings, ingested, embedder, stub.base_url)
        service._settings.llm.timeout_s = 1  # the model is made on the first turn, with this timeout
        reply = service.reply("Cheap AI tools will democratise cinema.")
    assert "did not answer within 1s" in reply.notice
    assert reply.citations and reply.quotes  # a scaffolded answer quoted from the essay
