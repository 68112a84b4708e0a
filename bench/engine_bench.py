"""Debate-engine speed: retrieval against raw Chroma, first visible text, and the model's first token
against raw llama-cpp on the same prompt."""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from app.debate.backends import LlamaCppChatModel, _as_dict
from app.settings import Settings
from app.wiring import make_embedder, make_service, open_store
from ingest.embedder import Embedder
from ingest.pipeline import load_all
from ingest.store import PassageStore

CLAIMS = [
    "AI video generators will replace Hollywood directors within five years.",
    "Cheap AI tools mean anyone can make a blockbuster at home.",
    "ByteDance has more money than every studio combined, so it will win.",
    "Audiences cannot tell an AI film from a human one.",
    "What does a $300M production budget buy that a swarm of clips cannot?",
    "Young directors will be fine; they will just use AI too.",
    "Friction in filmmaking is pure waste.",
    "TikTok already is the new Hollywood.",
    "Great films are just formulas an algorithm can learn.",
    "Film festivals will not matter when content is free.",
]


def p95(values: list[float]) -> float:
    return sorted(values)[max(0, round(0.95 * len(values)) - 1)]


def run(settings: Settings, turns: int = 10, retrieval_repeats: int = 20) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        settings = settings.model_copy(update={"data_dir": Path(tmp)})
        embedder = make_embedder(settings)
        store = open_store(settings, embedder)  # raw Chroma, the retrieval baseline
        service = make_service(settings, embedder=embedder, store=store)
        service.ingest(load_all([settings.default_essay]))
        service.warm_up()
        figures = _retrieval(service, store, embedder, settings.retrieval.k, retrieval_repeats)
        figures.update(_turns(service, settings, CLAIMS[:turns]))
    return figures


def _retrieval(service: Any, store: PassageStore, embedder: Embedder, k: int, repeats: int) -> dict[str, Any]:
    doc = service.default_doc
    record = store.document(doc)
    assert record is not None
    ours, raw = [], []
    for _ in range(repeats):
        for claim in CLAIMS:
            t = time.perf_counter()
            service.retrieve(claim, doc)
            ours.append(time.perf_counter() - t)
            t = time.perf_counter()
            store.query(embedder.embed_query(claim), record, k)
            raw.append(time.perf_counter() - t)
    return {
        "retrieval_p50_ms": round(statistics.median(ours) * 1000, 2),
        "retrieval_p95_ms": round(p95(ours) * 1000, 2),
        "raw_retrieval_p95_ms": round(p95(raw) * 1000, 2),
        "retrieval_overhead_ratio": round(statistics.median(ours) / statistics.median(raw), 3),
    }


def _turns(service: Any, settings: Settings, claims: list[str]) -> dict[str, Any]:
    model = service.chat_model
    recorded: list[Any] = []
    original = model._stream

    def recording(messages: Any, *args: Any, **kwargs: Any) -> Any:
        recorded.append((messages, kwargs))
        return original(messages, *args, **kwargs)

    object.__setattr__(model, "_stream", recording)
    raw_model = LlamaCppChatModel(model_path=model.model_path, n_ctx=model.n_ctx, n_threads=model.n_threads)
    raw_llama = raw_model._client()
    first_text, ttft, raw_ttft, rates, prompt_tokens = [], [], [], [], []
    for claim in claims:
        recorded.clear()
        started = time.perf_counter()
        first = None
        reply = None
        for event in service.stream(claim):
            if first is None and event.kind == "text":
                first = time.perf_counter() - started
            reply = event.reply or reply
        first_text.append(first or 0.0)
        if reply is None or reply.timings.ttft_s is None or not recorded:
            continue
        ttft.append(reply.timings.ttft_s)
        prompt_tokens.append(reply.prompt_tokens)
        generation_s = reply.timings.total_s - reply.timings.first_text_s - reply.timings.ttft_s
        if reply.completion_tokens > 1 and generation_s > 0:
            rates.append(reply.completion_tokens / generation_s)
        messages, kwargs = recorded[0]
        raw_ttft.append(_raw_first_token(raw_llama, messages, kwargs))
    return {
        "first_text_s": round(statistics.median(first_text), 4),
        "first_text_p95_s": round(p95(first_text), 4),
        "ttft_s": round(statistics.median(ttft), 3),
        "raw_ttft_s": round(statistics.median(raw_ttft), 3),
        "ttft_ratio": round(statistics.median(ttft) / statistics.median(raw_ttft), 3),
        "tokens_per_s": round(statistics.median(rates), 1) if rates else None,
        "prompt_tokens": round(statistics.mean(prompt_tokens), 1),
        "engine_turns": len(claims),
    }


def _raw_first_token(llama: Any, messages: Any, kwargs: dict[str, Any]) -> float:
    t = time.perf_counter()
    stream = llama.create_chat_completion(
        messages=[_as_dict(m) for m in messages],
        stream=True,
        stop=kwargs.get("stop"),
        max_tokens=kwargs.get("max_tokens", 60),
        temperature=0.3,
    )
    first = None
    for part in stream:
        if first is None and part["choices"][0]["delta"].get("content"):
            first = time.perf_counter() - t
    return first or (time.perf_counter() - t)
