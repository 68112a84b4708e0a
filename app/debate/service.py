"""The debate service: one object the web UI, CLI, eval and bench all call.

`stream()` yields `ReplyEvent`s: text deltas as soon as there is something to show, then the verified
`Reply`. `reply()` is the same, collected. Both strategies end in the same `Reply` shape.
"""

from __future__ import annotations

import contextlib
import json
import re
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

import numpy as np
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage

from app.debate import prompts
from argument.mapper import map_version
from argument.model import ArgumentMap
from app.debate.backends import default_strategy, describe, explain_failure, make_chat_model
from app.debate.citations import find_quotations, verify_citations, verify_quote
from app.debate.errors import BackendError, CounterpointError
from app.debate.models import Citation, Reply, Sentence
from app.debate.retrieval import HybridRetriever
from app.debate.safety import INJECTION, redact_instructions
from app.debate.scaffold import USER_AGREES, Selected, best_concession, filter_piece, select_sentences
from app.debate.textmatch import NormalisedText
from app.settings import Settings
from ingest.embedder import Embedder
from ingest.loaders import slugify
from ingest.pipeline import ensure_map
from ingest.models import Passage
from ingest.sentences import split_sentences
from ingest.store import DocumentRecord, PassageStore

OFF_TOPIC_SCORE = 0.15  # best sentence similarity below this: the message is not about the essay
PIECE_GROUNDING = 0.3  # the model's question must be at least this close to the quoted passage to be shown
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass
class ReplyEvent:
    """`kind == "text"`: `text` is a delta to append; `kind == "reply"`: the final, verified reply."""

    kind: str
    text: str = ""
    reply: Reply | None = None


@dataclass
class Turn:
    """Everything one turn works with, gathered before the strategy runs."""

    message: str
    history: list[dict[str, str]]
    mode: str
    record: DocumentRecord
    passages: list[Passage]
    vector: np.ndarray
    started: float
    retrieval_s: float


class DebateService:
    """Retrieve → compose (scaffolded or free) → verify, over one store and one chat backend."""

    def __init__(
        self, settings: Settings, store: PassageStore, embedder: Embedder, chat_model: BaseChatModel | None = None
    ) -> None:
        self.settings = settings
        self.store = store
        self.embedder = embedder
        self.retriever = HybridRetriever(store, embedder, settings.retrieval)
        self.strategy = default_strategy(settings.llm)
        self._chat_model = chat_model
        self._sources: dict[str, NormalisedText] = {}
        self._maps: dict[str, ArgumentMap] = {}

    # --- documents and backend --------------------------------------------------------------------
    @property
    def default_doc(self) -> str:
        return slugify(self.settings.default_essay.stem)

    def documents(self) -> list[DocumentRecord]:
        return self.store.list_documents()

    def argument_map(self, doc: str | None = None) -> ArgumentMap:
        """The published argument map of a document (built now if the index predates maps)."""
        record = self.store.document(doc or self.default_doc)
        if record is None:
            raise CounterpointError(prompts.messages()["no_document"] + f" (missing: '{doc}')")
        return self._map_of(record)

    def _map_of(self, record: DocumentRecord) -> ArgumentMap:
        cached = self._maps.get(record.version)
        if cached is not None:
            return cached
        version = map_version(record.version)
        data = self.store.read_map(record.slug, version)
        if data is None:
            ensure_map(record, self.store, self.embedder)
            data = self.store.read_map(record.slug, version) or "{}"
        amap = self._maps[record.version] = ArgumentMap.from_json(json.loads(data))
        return amap

    def backend_description(self) -> str:
        return (
            describe(self.settings.llm)
            if self._chat_model is None or self.settings.llm.backend != "fake"
            else "fake (scripted replies)"
        )

    @property
    def chat_model(self) -> BaseChatModel:
        if self._chat_model is None:
            self._chat_model = make_chat_model(self.settings.llm)
        return self._chat_model

    def warm_up(self, doc: str | None = None) -> None:
        """Load what the first turn would otherwise wait for: sentence vectors and the local model."""
        self.retriever.warm_up(doc or self.default_doc)
        with contextlib.suppress(BackendError):  # reported on the first turn as a notice
            getattr(self.chat_model, "load", lambda: None)()

    # --- turns ------------------------------------------------------------------------------------
    def reply(
        self, message: str, history: list[dict[str, str]] | None = None, mode: str | None = None, doc: str | None = None
    ) -> Reply:
        final: Reply | None = None
        for event in self.stream(message, history, mode, doc):
            if event.kind == "reply":
                final = event.reply
        assert final is not None
        return final

    def stream(
        self, message: str, history: list[dict[str, str]] | None = None, mode: str | None = None, doc: str | None = None
    ) -> Iterator[ReplyEvent]:
        started = time.perf_counter()
        mode = prompts.normalise_mode(mode)
        message = _CONTROL.sub(" ", message or "").strip()
        refusal = self._refusal(message)
        if refusal:
            yield from _done(Reply(text=refusal, mode=mode, strategy="none", doc=doc or self.default_doc), started)
            return
        turn = self._retrieve(message, history or [], mode, doc or self.default_doc, started)
        if self.strategy == "free":
            yield from self._free(turn)
        else:
            yield from self._scaffolded(turn)

    def _refusal(self, message: str) -> str:
        if not message:
            return prompts.messages()["empty"]
        limit = self.settings.max_message_chars
        if len(message) > limit:
            return prompts.messages()["too_long"].format(length=len(message), limit=limit)
        return ""

    def _retrieve(self, message: str, history: list[dict[str, str]], mode: str, doc: str, started: float) -> Turn:
        try:
            return self._retrieve_unchecked(message, history, mode, doc, started)
        except CounterpointError:
            raise
        except Exception as exc:  # the store is down (a Chroma server stopped, a disk gone)
            raise CounterpointError(f"the passage index is not reachable right now ({type(exc).__name__})") from exc

    def _retrieve_unchecked(
        self, message: str, history: list[dict[str, str]], mode: str, doc: str, started: float
    ) -> Turn:
        record = self.store.document(doc)
        if record is None:
            raise CounterpointError(prompts.messages()["no_document"] + f" (missing: '{doc}')")
        user_turns = [h["content"] for h in history if h.get("role") == "user"]
        vector = self.retriever.query_vector(message, user_turns)
        first = self._role_passages(message, record, vector)
        passages = self.retriever.retrieve(message, doc, user_turns, vector=vector, record=record, first=first)
        return Turn(message, history, mode, record, passages, vector, started, time.perf_counter() - started)

    def _role_passages(self, message: str, record: DocumentRecord, vector: np.ndarray) -> list[str]:
        """A question about the argument itself (its thesis, concessions…): the passages holding those
        nodes lead the retrieval (app/debate/role_query.py)."""
        from app.debate.role_query import role_passage_ids, role_query

        roles = role_query(message)
        if not roles:
            return []
        index = self.retriever.index(record.slug, record)
        scores = {p.id: self._sentence_scores(vector, p) for p in index.passages}
        return role_passage_ids(self._map_of(record), roles, index.passages, scores)

    def source(self, record: DocumentRecord) -> NormalisedText:
        cached = self._sources.get(record.version)
        if cached is None:
            cached = self._sources[record.version] = NormalisedText(record.text)
        return cached

    # --- scaffolded -------------------------------------------------------------------------------
    def _select(self, turn: Turn) -> list[Selected]:
        """Sentences to quote. A devil's advocate facing agreement leads with the author's own concession."""
        scored = [(p, self._sentence_scores(turn.vector, p)) for p in turn.passages]
        selected = select_sentences(scored)
        if turn.mode != "devils-advocate" or not USER_AGREES.search(turn.message):
            return selected
        whole = [(p, self._sentence_scores(turn.vector, p)) for p in self.retriever.index(turn.record.slug).passages]
        concession = best_concession(whole)
        if concession is None:
            return selected
        if concession.passage.id not in {p.id for p in turn.passages}:
            turn.passages.append(concession.passage)  # supplied, so its marker stays valid
        return [concession, *[s for s in selected if s.passage.id != concession.passage.id]][:2]

    def _scaffolded(self, turn: Turn) -> Iterator[ReplyEvent]:
        spec = prompts.mode_spec(turn.mode)
        reply, selected, off_topic = self._quoted(turn, spec, "scaffolded")
        backbone = reply.text
        yield ReplyEvent("text", backbone)

        closing = self._piece(turn, spec, selected, off_topic, reply)
        reply.text = backbone + "\n\n" + closing.text
        reply.sentences.append(closing)
        for citation in [c for c in reply.citations if c.auto]:
            closing.markers.append(citation.marker)
        yield ReplyEvent("text", "\n\n" + closing.text)
        yield from _done(reply, turn.started)

    def _quoted(self, turn: Turn, spec: prompts.ModeSpec, strategy: str) -> tuple[Reply, list[Selected], bool]:
        """A reply whose text is the backbone (frames and verbatim quotes); also what was selected."""
        selected = self._select(turn)
        off_topic = not selected or selected[0].score < OFF_TOPIC_SCORE
        reply = Reply(text="", mode=turn.mode, strategy=strategy, doc=turn.record.slug, passages=turn.passages)
        reply.timings.retrieval_s = turn.retrieval_s
        reply.text = self._backbone(turn, spec, selected, off_topic, reply)
        reply.timings.first_text_s = time.perf_counter() - turn.started
        return reply, selected, off_topic

    def _backbone(
        self, turn: Turn, spec: prompts.ModeSpec, selected: list[Selected], off_topic: bool, reply: Reply
    ) -> str:
        """Frame lines from prompts/ around verbatim quotes, each with its citation marker."""
        lines: list[str] = []
        if INJECTION.search(turn.message):
            lines.append(prompts.messages()["injection"])
            reply.sentences.append(Sentence(lines[-1], "frame"))
        if off_topic:
            lines.append(prompts.messages()["off_topic"])
            reply.sentences.append(Sentence(lines[-1], "frame"))
            selected = selected[:1]
        agrees = bool(USER_AGREES.search(turn.message))
        for i, sel in enumerate(selected):
            frame = spec.frame_more if i else (spec.frame_agree if agrees else spec.frame_first)
            if sel.concession and spec.frame_concession:
                frame = spec.frame_concession
            marker = sel.passage.label
            quote = verify_quote(sel.text, self.source(turn.record), turn.passages)
            if not quote.verified:  # cannot happen unless the index is corrupt; never show it as a quote
                continue
            reply.quotes.append(quote)
            reply.citations.append(Citation(marker, sel.passage.id, sel.start, sel.end))
            line = f"{frame} “{sel.text}” [{marker}]"
            reply.sentences.append(Sentence(line, "quote", [marker]))
            lines.append(line)
        if not any(s.label == "quote" for s in reply.sentences):
            lines.append(prompts.messages()["no_evidence"])
            reply.sentences.append(Sentence(lines[-1], "frame"))
        return "\n\n".join(lines)

    def _piece(
        self, turn: Turn, spec: prompts.ModeSpec, selected: list[Selected], off_topic: bool, reply: Reply
    ) -> Sentence:
        """The model's one sentence, if it survives the filter; otherwise a question from the mode's bank."""
        if selected and not off_topic and not INJECTION.search(turn.message):
            text = self._ask_piece(spec, redact_instructions(selected[0].text), turn.message, reply)
            candidates = [text[s:e] for s, e in split_sentences(text)]
            kept = filter_piece(candidates, turn.message, turn.passages, question=True).kept
            if kept and self._similarity(kept[0], selected[0].passage)[1] >= PIECE_GROUNDING:
                return self._label_own_sentence(kept[0], turn, reply)
        return _bank_question(spec, turn.message)

    def _ask_piece(self, spec: prompts.ModeSpec, text: str, claim: str, reply: Reply) -> str:
        """Few-shot: one question about the claim from one essay sentence. Failures become a notice."""
        piece = prompts.load_yaml("piece.yaml")
        messages: list[BaseMessage] = [SystemMessage(f"{piece['system']} {spec.piece_ask}")]
        for shot in piece["shots"]:
            messages.append(HumanMessage(prompts.render_string(piece["user"], text=shot["text"], claim=shot["claim"])))
            messages.append(AIMessage(shot["question"]))
        messages.append(HumanMessage(prompts.render_string(piece["user"], text=text, claim=claim[:600])))
        try:
            text = self._generate(messages, reply, max_tokens=50, stop=["\n"])
        except BackendError as exc:
            reply.notice = prompts.messages()["backend_failed"].format(reason=str(exc))
            text = ""
        reply.model_text = text
        return text

    def _label_own_sentence(self, text: str, turn: Turn, reply: Reply) -> Sentence:
        checked = verify_citations(text, turn.passages, self.source(turn.record), self._similarity)
        reply.citations.extend(checked.citations)
        reply.quotes.extend(checked.quotes)
        sentence = checked.sentences[0] if checked.sentences else Sentence(text, "unsupported")
        return sentence

    # --- free -------------------------------------------------------------------------------------
    def _free(self, turn: Turn) -> Iterator[ReplyEvent]:
        spec = prompts.mode_spec(turn.mode)
        reply = Reply(text="", mode=turn.mode, strategy="free", doc=turn.record.slug, passages=turn.passages)
        reply.timings.retrieval_s = turn.retrieval_s
        system = prompts.render(
            "system.md", title=turn.record.title, mode_instruction=spec.instruction, max_sentences=5
        )
        shown = [replace(p, text=redact_instructions(p.text)) for p in turn.passages]
        context = prompts.render("passages.md", passages=shown)
        messages: list[BaseMessage] = [SystemMessage(system + "\n\n" + context)]
        for h in turn.history[-6:]:
            messages.append(HumanMessage(h["content"]) if h.get("role") == "user" else AIMessage(h["content"]))
        messages.append(HumanMessage(turn.message))
        raw = ""
        try:
            for delta in self._stream_model(messages, reply, turn.started):
                raw += delta
                yield ReplyEvent("text", delta)
        except BackendError as exc:
            reply.notice = prompts.messages()["backend_failed"].format(reason=str(exc))
        reply.model_text = raw
        checked = verify_citations(raw, turn.passages, self.source(turn.record), self._similarity)
        if not checked.sentences:  # nothing usable: fall back to the scaffold, built from the text itself
            fallback = self._fallback(turn, spec)
            fallback.notice, fallback.model_text = reply.notice, raw
            fallback.prompt_tokens, fallback.completion_tokens = reply.prompt_tokens, reply.completion_tokens
            fallback.timings.ttft_s = reply.timings.ttft_s
            yield ReplyEvent("text", ("\n\n" if raw else "") + fallback.text)
            yield from _done(fallback, turn.started)
            return
        reply.text = checked.text
        reply.citations, reply.quotes = checked.citations, checked.quotes
        reply.sentences, reply.removed_markers = checked.sentences, checked.removed_markers
        yield from _done(reply, turn.started)

    def _fallback(self, turn: Turn, spec: prompts.ModeSpec) -> Reply:
        """The model gave nothing usable: quote the text and ask the mode's question instead."""
        reply, _, _ = self._quoted(turn, spec, "free")
        question = _bank_question(spec, turn.message)
        reply.sentences.append(question)
        reply.text += "\n\n" + question.text
        return reply

    # --- model calls ------------------------------------------------------------------------------
    def _stream_model(self, messages: list[BaseMessage], reply: Reply, started: float, **kwargs: Any) -> Iterator[str]:
        """Stream model text, recording first-token time and token counts; failures become BackendError."""
        t0 = time.perf_counter()
        total = None
        try:
            for chunk in self.chat_model.stream(messages, **kwargs):
                total = chunk if total is None else total + chunk
                if chunk.content and reply.timings.ttft_s is None:
                    reply.timings.ttft_s = time.perf_counter() - t0
                    if not reply.timings.first_text_s:
                        reply.timings.first_text_s = time.perf_counter() - started
                if chunk.content:
                    yield str(chunk.content)
        except Exception as exc:
            raise explain_failure(exc, self.settings.llm) from exc
        usage = getattr(total, "usage_metadata", None) or {}
        reply.prompt_tokens += int(usage.get("input_tokens", 0))
        reply.completion_tokens += int(usage.get("output_tokens", 0))

    def _generate(self, messages: list[BaseMessage], reply: Reply, **kwargs: Any) -> str:
        return "".join(self._stream_model(messages, reply, time.perf_counter(), **kwargs)).strip()

    # --- similarity -------------------------------------------------------------------------------
    def _sentence_scores(self, vector: np.ndarray, passage: Passage) -> list[tuple[tuple[int, int], float]]:
        sims = self.retriever.sentence_vectors(passage) @ vector
        return list(zip(passage.sentences or ((passage.start, passage.end),), map(float, sims), strict=False))

    def _similarity(self, text: str, passage: Passage) -> tuple[tuple[int, int], float]:
        return self.retriever.best_sentence(self._embed(text), passage)

    @lru_cache(maxsize=512)  # noqa: B019 - one service per process; the cache is the point
    def _embed(self, text: str) -> np.ndarray:
        return np.asarray(self.embedder.embed_query(text))


def _bank_question(spec: prompts.ModeSpec, message: str) -> Sentence:
    """One of the mode's fixed questions, the same one for the same message."""
    return Sentence(spec.questions[zlib.crc32(message.encode()) % len(spec.questions)], "frame")


def _done(reply: Reply, started: float) -> Iterator[ReplyEvent]:
    reply.timings.total_s = time.perf_counter() - started
    if not reply.timings.first_text_s:
        reply.timings.first_text_s = reply.timings.total_s
    if not reply.sentences and reply.text:
        reply.sentences = [Sentence(reply.text, "frame")]
    yield ReplyEvent("reply", reply=reply)


__all__ = ["DebateService", "ReplyEvent", "find_quotations"]
