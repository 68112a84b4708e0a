"""Scripted chat models for unit tests (LangChain fakes, plus recording and failing variants)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from langchain_core.language_models.fake_chat_models import FakeListChatModel
from langchain_core.messages import BaseMessage
from langchain_core.outputs import ChatGenerationChunk
from pydantic import Field


class RecordingFake(FakeListChatModel):
    """Replies from `responses` in turn and keeps every prompt it was sent."""

    calls: list[list[BaseMessage]] = Field(default_factory=list)

    def _stream(self, messages: list[BaseMessage], *args: Any, **kwargs: Any) -> Iterator[ChatGenerationChunk]:
        self.calls.append(messages)
        yield from super()._stream(messages, *args, **kwargs)


class FailingFake(FakeListChatModel):
    """Raises `error` on every call, like a backend that is down."""

    error: Exception = ConnectionError("Connection refused")

    def _stream(self, *args: Any, **kwargs: Any) -> Iterator[ChatGenerationChunk]:
        raise self.error
        yield  # pragma: no cover
