"""The OpenAI-compatible chat model: the request it sends, the stream it reads, the failures it names."""

from __future__ import annotations

import httpx
import pytest
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage

from app.debate.backends import explain_failure, make_chat_model
from app.debate.openai_compat import EndpointError, OpenAICompatibleChatModel, _chunk
from app.settings import LLMSettings
from bench.stub_openai import StubOpenAI

REPLY = "The essay says distribution decides [P2]. What changes that?"
MESSAGES = [SystemMessage("Argue from the text."), HumanMessage("AI wins."), AIMessage("Is it?"), HumanMessage("Yes.")]


def _model(base_url: str, **options: object) -> OpenAICompatibleChatModel:
    settings = LLMSettings(backend="openai", base_url=base_url, model="stub-model", timeout_s=5, **options)
    model = make_chat_model(settings)
    assert isinstance(model, OpenAICompatibleChatModel)
    return model


def _replaying(body: bytes, status: int = 200) -> OpenAICompatibleChatModel:
    """A model whose endpoint answers every request with `body` as its event stream."""
    model = OpenAICompatibleChatModel(base_url="http://endpoint.invalid/v1", model="stub-model")
    transport = httpx.MockTransport(lambda request: httpx.Response(status, content=body))
    model._http = httpx.Client(transport=transport)
    return model


def test_it_streams_the_reply_and_counts_tokens() -> None:
    with StubOpenAI(REPLY, api_key="secret") as stub:
        model = _model(stub.base_url, api_key="secret", max_tokens=99, temperature=0.1)
        chunks = list(model.stream(MESSAGES))
        whole = model.invoke(MESSAGES)
    assert "".join(str(c.content) for c in chunks) == REPLY and len(chunks) > 5
    usage = [c.usage_metadata for c in chunks if c.usage_metadata]
    assert usage == [{"input_tokens": 10, "output_tokens": len(REPLY.split()), "total_tokens": 10 + len(REPLY.split())}]
    assert whole.content == REPLY and whole.usage_metadata and whole.usage_metadata["output_tokens"] > 0
    sent = stub.requests[0]
    assert sent["model"] == "stub-model" and sent["stream"] is True
    assert sent["stream_options"] == {"include_usage": True}
    assert (sent["max_tokens"], sent["temperature"]) == (99, 0.1)
    assert [m["role"] for m in sent["messages"]] == ["system", "user", "assistant", "user"]
    assert sent["messages"][1]["content"] == "AI wins."


def test_comments_blank_lines_and_the_done_marker_are_not_text() -> None:
    stream = (
        b": keep-alive\n\n"
        b'data: {"choices":[{"delta":{"role":"assistant"}}]}\n\n'
        b'data: {"choices":[{"delta":{"content":"Hello"}}]}\n\n'
        b"event: ping\n\n"
        b'data: {"choices":[{"delta":{"content":" there"}}]}\n\n'
        b"data: [DONE]\n\n"
        b'data: {"choices":[{"delta":{"content":" after the end"}}]}\n\n'
    )
    assert "".join(str(c.content) for c in _replaying(stream).stream([HumanMessage("hi")])) == "Hello there"


def test_an_error_event_mid_stream_is_raised() -> None:
    stream = b'data: {"choices":[{"delta":{"content":"Hel"}}]}\n\ndata: {"error":{"message":"overloaded"}}\n\n'
    with pytest.raises(EndpointError, match="overloaded"):
        list(_replaying(stream).stream([HumanMessage("hi")]))


@pytest.mark.parametrize(
    ("event", "text", "usage"),
    [
        ({"choices": [{"delta": {"content": "word"}}]}, "word", None),
        ({"choices": [], "usage": {"prompt_tokens": 3, "completion_tokens": 4}}, "", 7),
        ({"choices": [{"delta": {}, "finish_reason": "stop"}]}, None, None),
        ({"choices": [{"delta": {"content": None}}]}, None, None),
    ],
)
def test_one_event_becomes_text_counts_or_nothing(event: dict, text: str | None, usage: int | None) -> None:
    chunk = _chunk(event)
    if text is None:
        assert chunk is None
        return
    assert chunk is not None and chunk.text == text
    counted = chunk.message.usage_metadata  # type: ignore[attr-defined]
    assert (counted["total_tokens"] if counted else None) == usage


def test_http_errors_carry_their_status_for_the_explanation() -> None:
    settings = LLMSettings(backend="openai", model="stub-model")
    with StubOpenAI(REPLY, api_key="right") as stub, pytest.raises(EndpointError, match=r"^401") as wrong_key:
        list(_model(stub.base_url, api_key="wrong").stream(MESSAGES))
    with pytest.raises(EndpointError, match=r"^404") as no_model:
        list(_replaying(b'{"error":{"message":"model not found"}}', status=404).stream(MESSAGES))
    assert "rejected the API key" in str(explain_failure(wrong_key.value, settings))
    assert "no model named 'stub-model'" in str(explain_failure(no_model.value, settings))


def test_a_refused_connection_is_tried_twice_then_explained(monkeypatch: pytest.MonkeyPatch) -> None:
    with StubOpenAI(REPLY) as stub:
        dead = stub.base_url
    model = _model(dead)
    attempts: list[int] = []
    events = OpenAICompatibleChatModel._events

    def counting(self: OpenAICompatibleChatModel, *args: object):  # type: ignore[no-untyped-def]
        attempts.append(1)
        return events(self, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(OpenAICompatibleChatModel, "_events", counting)
    with pytest.raises(httpx.ConnectError) as refused:
        list(model.stream(MESSAGES))
    assert len(attempts) == 2
    assert "cannot reach the model endpoint" in str(explain_failure(refused.value, LLMSettings(base_url=dead)))
