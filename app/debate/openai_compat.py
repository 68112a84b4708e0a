"""`OpenAICompatibleChatModel`: a LangChain chat model that streams `POST {base_url}/chat/completions`.

Any OpenAI-compatible server speaks this one request (OpenAI, vLLM, llama.cpp's server, LM Studio,
Ollama's /v1). Ours is a thin client over httpx, like the embedded backend is over llama-cpp-python:
LangChain's ChatOpenAI goes through the openai SDK, which builds and dumps pydantic objects for every
streamed chunk — about 20 ms of Python's lock per reply, the largest share of a turn's Python work after
the web server's own, and it queues every other student's turn behind it (see "Serving a class").
Here a chunk is one `json.loads`.

Failures keep the shapes `backends.explain_failure` reads: httpx's own connect, timeout and protocol
errors, and `EndpointError` carrying the HTTP status ("401 …", "404 …"). A connection that fails before
any text arrives is tried once more, as the SDK's `max_retries=1` did.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from typing import Any

import httpx
from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.messages import AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGenerationChunk
from pydantic import PrivateAttr

from app.debate.backends import StreamedChatModel

ROLES = {"human": "user", "ai": "assistant", "system": "system"}


class EndpointError(Exception):
    """The endpoint answered with an HTTP error (the status leads the message) or an error event."""


class OpenAICompatibleChatModel(StreamedChatModel):
    base_url: str
    model: str
    api_key: str = ""
    timeout_s: float = 60.0
    max_tokens: int = 320
    temperature: float = 0.3
    _http: httpx.Client | None = PrivateAttr(default=None)
    _lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)

    @property
    def _llm_type(self) -> str:
        return "openai-compatible"

    def _client(self) -> httpx.Client:
        with self._lock:  # one pooled client for every turn (keep-alive connections to the endpoint)
            if self._http is None:
                self._http = httpx.Client(timeout=self.timeout_s, limits=httpx.Limits(max_connections=None))
            return self._http

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        body: dict[str, Any] = {
            "model": self.model,
            "messages": [{"role": ROLES.get(m.type, "user"), "content": str(m.content)} for m in messages],
            "stream": True,
            "stream_options": {"include_usage": True},  # token counts in a last chunk
            "max_tokens": kwargs.get("max_tokens", self.max_tokens),
            "temperature": kwargs.get("temperature", self.temperature),
        }
        if stop:
            body["stop"] = stop
        for attempt in (1, 2):
            try:
                yield from self._events(body, run_manager)
                return
            except (httpx.ConnectError, httpx.ConnectTimeout):
                if attempt == 2:
                    raise  # nothing was streamed yet: the connection itself failed, twice

    def _events(
        self, body: dict[str, Any], run_manager: CallbackManagerForLLMRun | None
    ) -> Iterator[ChatGenerationChunk]:
        headers = {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}
        url = self.base_url.rstrip("/") + "/chat/completions"
        with self._client().stream("POST", url, json=body, headers=headers) as response:
            if response.status_code >= 400:
                response.read()
                raise EndpointError(f"{response.status_code} {response.reason_phrase}: {response.text[:200]}")
            for line in response.iter_lines():
                if not line.startswith("data:"):
                    continue  # blank separators, comments (": keep-alive"), event names
                data = line[5:].strip()
                if data == "[DONE]":
                    return
                chunk = _chunk(json.loads(data))
                if chunk is None:
                    continue
                if run_manager and chunk.text:
                    run_manager.on_llm_new_token(chunk.text, chunk=chunk)
                yield chunk


def _chunk(event: dict[str, Any]) -> ChatGenerationChunk | None:
    """One streamed event as a chunk: its text, or its token counts; None for an empty delta."""
    if "error" in event:
        error = event["error"]
        raise EndpointError(str(error.get("message", error)) if isinstance(error, dict) else str(error))
    choices = event.get("choices") or []
    text = ((choices[0].get("delta") or {}).get("content") or "") if choices else ""
    counted = event.get("usage")
    if counted:
        prompt, completion = int(counted.get("prompt_tokens") or 0), int(counted.get("completion_tokens") or 0)
        usage = {"input_tokens": prompt, "output_tokens": completion, "total_tokens": prompt + completion}
        return ChatGenerationChunk(message=AIMessageChunk(content=text, usage_metadata=usage))  # type: ignore[arg-type]
    return ChatGenerationChunk(message=AIMessageChunk(content=text)) if text else None
