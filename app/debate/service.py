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
from pathlib import Path
from typing import Any, Literal, Protocol

import numpy as np
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage

from app.debate import prompts
from app.debate.backends import default_strategy, describe, explain_failure, make_chat_model
from app.debate.citations import verify_citations, verify_quote
from app.debate.errors import BackendError, CounterpointError
from app.debate.models import Citation, Reply, Sentence
from app.debate.moves import Context, Step, frame, plan, shorten_claim
from app.debate.quoting import CURLY_QUOTATION, find_quotations
from app.debate.reading import NodeIndex, read_message
from app.debate.retrieval import HybridRetriever
from app.debate.role_query import role_nodes, role_passage_ids, role_query
from app.debate.safety import INJECTION, instruction_spans, redact_instructions
from app.debate.scaffold import filter_piece, well_formed_question
from app.debate.textmatch import NormalisedText
from app.settings import LLMSettings, RetrievalSettings
from app.text_safety import MESSAGE_CONTROL
from argument.mapper import map_version
from argument.model import ArgumentMap, Node
from ingest.config import ChunkingConfig
from ingest.embedder import Embedder
from ingest.loaders import slugify
from ingest.models import Document, Passage
from ingest.originals import original_path
from ingest.pipeline import IngestReport, Progress, ensure_map, ingest_documents
from ingest.sentences import split_sentences
from ingest.store import DocumentRecord, PassageStore

# Internal (not a setting): the model's question must be at least this close to the quoted passage to be shown.
PIECE_GROUNDING = 0.3
REPORTED_FRAME = re.compile(
    r"\b(reports?|rejects?|knock(s)? (it )?down|sets? up|view|critics|consensus|narrative|assum\w+|claim that)\b", re.I
)


class DebateSettings(Protocol):
    """What the service reads of the configuration (the app's `Settings` has all of it): the chat backend,
    retrieval and chunking settings, the default essay, the data folder and the limits, nothing of the faces."""

    @property
    def data_dir(self) -> Path: ...
    @property
    def default_essay(self) -> Path: ...
    @property
    def chunking(self) -> ChunkingConfig: ...
    @property
    def llm(self) -> LLMSettings: ...
    @property
    def retrieval(self) -> RetrievalSettings: ...
    @property
    def max_message_chars(self) -> int: ...
    @property
    def max_upload_bytes(self) -> int: ...


@dataclass
class ReplyEvent:
    """`kind == "text"`: `text` is a delta to append; `kind == "reply"`: the final, verified reply."""

    kind: Literal["text", "reply"]
    text: str = ""
    reply: Reply | None = None


@dataclass(frozen=True)
class DocumentIndex:
    """A published document as faces read it: its record and its passages in reading order (each passage's
    sentence vectors: `DebateService.sentence_vectors`)."""

    record: DocumentRecord
    passages: list[Passage]


@dataclass
class Completion:
    """One model call's text and cost (`DebateService.complete`); `ttft_s` is the time to its first token."""

    text: str = ""
    prompt_tokens: int = 0
    completion_tokens: int = 0
    ttft_s: float | None = None


@dataclass
class TurnInput:
    """Everything one turn works with, gathered before the strategy runs."""

    message: str
    history: list[dict[str, str]]
    mode: str
    record: DocumentRecord
    passages: list[Passage]
    vector: np.ndarray
    started: float
    retrieval_s: float
    stance: str | None = None  # the user's side when the caller knows it (a classroom round), else read


class DebateService:
    """Retrieve → compose (scaffolded or free) → verify, over one store and one chat backend.

    The boundary every face uses: documents (`documents`, `document`, `passages`, `document_index`,
    `argument_map`, `ingest`, `original_file`), turns (`reply`, `stream`), the model (`complete`) and
    embeddings (`embed`, `query_vector`, `retrieve`, `sentence_vectors`). The store, the retriever and
    the embedder are its own."""

    def __init__(
        self,
        settings: DebateSettings,
        store: PassageStore,
        embedder: Embedder,
        chat_model: BaseChatModel | None = None,
    ) -> None:
        self._settings = settings
        self._store = store
        self._embedder = embedder
        self._retriever = HybridRetriever(store, embedder, settings.retrieval)
        self.strategy = default_strategy(settings.llm)
        self._chat_model = chat_model
        self._sources: dict[str, NormalisedText] = {}
        self._maps: dict[str, ArgumentMap] = {}
        self._node_indexes: dict[str, NodeIndex] = {}

    # --- documents and backend --------------------------------------------------------------------
    @property
    def default_doc(self) -> str:
        return slugify(self._settings.default_essay.stem)

    @property
    def default_essay(self) -> Path:
        """The text ingested and debated when none is given."""
        return self._settings.default_essay

    @property
    def data_dir(self) -> Path:
        """Where the index, the kept originals, sessions and exports live."""
        return self._settings.data_dir

    @property
    def max_message_chars(self) -> int:
        return self._settings.max_message_chars

    @property
    def max_upload_bytes(self) -> int:
        return self._settings.max_upload_bytes

    @property
    def backend(self) -> str:
        """The configured chat backend's name (`embedded`, `openai`, `fake`)."""
        return self._settings.llm.backend

    def documents(self) -> list[DocumentRecord]:
        return self._store.list_documents()

    def document(self, doc: str) -> DocumentRecord | None:
        """The published record of a document, or None when it is not in the index."""
        return self._store.document(doc)

    def passages(self, doc: str | None = None) -> list[Passage]:
        """Published passages of one document, or of every document when `doc` is None, in reading order."""
        return self._store.passages_of(doc)

    def document_index(self, doc: str | None = None, record: DocumentRecord | None = None) -> DocumentIndex:
        """The document's cached record and passages (rebuilt when a new version is published); an unknown
        document raises CounterpointError."""
        index = self._retriever.index(doc or self.default_doc, record)
        return DocumentIndex(index.record, index.passages)

    def ingest(
        self, docs: list[Document], progress: Progress | None = None, reset: bool = False, keep_originals: bool = False
    ) -> IngestReport:
        """Ingest loaded documents into this service's store with its chunking; `keep_originals` keeps each
        file as given in the data dir (`originals/<slug>/`) for download; `reset` drops the whole index first."""
        originals = self.originals_dir if keep_originals else None
        return ingest_documents(
            docs, self._store, self._embedder, self._settings.chunking, reset=reset, progress=progress,
            originals=originals,
        )  # fmt: skip

    @property
    def originals_dir(self) -> Path:
        """Where ingested files are kept as given (for download)."""
        return Path(self._settings.data_dir) / "originals"

    def original_file(self, record: DocumentRecord) -> Path | None:
        """The file a document was ingested from, as kept; None when there is none."""
        return original_path(self.originals_dir, record.slug, record.original)

    def argument_map(self, doc: str | None = None) -> ArgumentMap:
        """The published argument map of a document (built now if the index predates maps)."""
        record = self._store.document(doc or self.default_doc)
        if record is None:
            raise CounterpointError(prompts.messages()["no_document"] + f" (missing: '{doc}')")
        return self._map_of(record)

    def _map_of(self, record: DocumentRecord) -> ArgumentMap:
        cached = self._maps.get(record.version)
        if cached is not None:
            return cached
        version = map_version(record.version)
        data = self._store.read_map(record.slug, version)
        if data is None:
            ensure_map(record, self._store)
            data = self._store.read_map(record.slug, version) or "{}"
        amap = self._maps[record.version] = _without_instructions(ArgumentMap.from_json(json.loads(data)), record)
        return amap

    def backend_description(self) -> str:
        return (
            describe(self._settings.llm)
            if self._chat_model is None or self._settings.llm.backend != "fake"
            else "fake (scripted replies)"
        )

    @property
    def chat_model(self) -> BaseChatModel:
        if self._chat_model is None:
            self._chat_model = make_chat_model(self._settings.llm)
        return self._chat_model

    def warm_up(self, doc: str | None = None) -> None:
        """Load what the first turn would otherwise wait for: sentence vectors and the local model."""
        self._retriever.warm_up(doc or self.default_doc)
        with contextlib.suppress(BackendError):  # reported on the first turn as a notice
            getattr(self.chat_model, "load", lambda: None)()

    # --- turns ------------------------------------------------------------------------------------
    def reply(
        self,
        message: str,
        history: list[dict[str, str]] | None = None,
        mode: str | None = None,
        doc: str | None = None,
        stance: str | None = None,
    ) -> Reply:
        final: Reply | None = None
        for event in self.stream(message, history, mode, doc, stance):
            if event.kind == "reply":
                final = event.reply
        assert final is not None
        return final

    def stream(
        self,
        message: str,
        history: list[dict[str, str]] | None = None,
        mode: str | None = None,
        doc: str | None = None,
        stance: str | None = None,
    ) -> Iterator[ReplyEvent]:
        """The reply's events; `stance` ("for"/"against") states the user's side instead of reading it."""
        started = time.perf_counter()
        mode = prompts.normalise_mode(mode)
        message = MESSAGE_CONTROL.sub(" ", message or "").strip()
        refusal = self._refusal(message)
        if refusal:
            yield from _done(Reply(text=refusal, mode=mode, strategy="none", doc=doc or self.default_doc), started)
            return
        turn = self._retrieve(message, history or [], mode, doc or self.default_doc, started)
        turn.stance = stance if stance in ("for", "against") else None
        if self.strategy == "free":
            yield from self._free(turn)
        else:
            yield from self._scaffolded(turn)

    def _refusal(self, message: str) -> str:
        if not message:
            return prompts.messages()["empty"]
        limit = self._settings.max_message_chars
        if len(message) > limit:
            return prompts.messages()["too_long"].format(length=len(message), limit=limit)
        return ""

    def _retrieve(self, message: str, history: list[dict[str, str]], mode: str, doc: str, started: float) -> TurnInput:
        try:
            return self._retrieve_unchecked(message, history, mode, doc, started)
        except CounterpointError:
            raise
        except Exception as exc:  # the store is down (a Chroma server stopped, a disk gone)
            raise CounterpointError(f"the passage index is not reachable right now ({type(exc).__name__})") from exc

    def _retrieve_unchecked(
        self, message: str, history: list[dict[str, str]], mode: str, doc: str, started: float
    ) -> TurnInput:
        record = self._store.document(doc)
        if record is None:
            raise CounterpointError(prompts.messages()["no_document"] + f" (missing: '{doc}')")
        user_turns = [h["content"] for h in history if h.get("role") == "user"]
        vector = self._retriever.query_vector(message, user_turns)
        first = self._role_passages(message, record, vector)
        passages = self._retriever.retrieve(message, doc, user_turns, vector=vector, record=record, first=first)
        return TurnInput(message, history, mode, record, passages, vector, started, time.perf_counter() - started)

    def _role_passages(self, message: str, record: DocumentRecord, vector: np.ndarray) -> list[str]:
        """A question about the argument itself (its thesis, concessions…): the passages holding those
        nodes lead the retrieval (app/debate/role_query.py)."""
        roles = role_query(message)
        if not roles:
            return []
        index = self._retriever.index(record.slug, record)
        scores = {p.id: self._sentence_scores(vector, p) for p in index.passages}
        return role_passage_ids(self._map_of(record), roles, index.passages, scores)

    def source(self, record: DocumentRecord) -> NormalisedText:
        cached = self._sources.get(record.version)
        if cached is None:
            cached = self._sources[record.version] = NormalisedText(record.text)
        return cached

    # --- scaffolded -------------------------------------------------------------------------------
    def _scaffolded(self, turn: TurnInput) -> Iterator[ReplyEvent]:
        spec = prompts.mode_spec(turn.mode)
        reply, steps = self._quoted(turn, "scaffolded")
        backbone = reply.text
        yield ReplyEvent("text", backbone)
        closing = self._closing(turn, spec, steps, reply)
        if closing is not None:
            reply.text = backbone + "\n\n" + closing.text
            reply.sentences.append(closing)
            yield ReplyEvent("text", "\n\n" + closing.text)
        yield from _done(reply, turn.started)

    def _quoted(self, turn: TurnInput, strategy: str) -> tuple[Reply, list[Step]]:
        """A reply whose text is the backbone: the planned moves, each quoting the text verbatim."""
        reply = Reply(text="", mode=turn.mode, strategy=strategy, doc=turn.record.slug, passages=turn.passages)
        reply.timings.retrieval_s = turn.retrieval_s
        steps = self._plan(turn, reply)
        body = steps[:-1] if _is_closing(steps) else steps
        reply.text = self._render(turn, body, reply)
        reply.timings.first_text_s = time.perf_counter() - turn.started
        return reply, steps

    def _plan(self, turn: TurnInput, reply: Reply) -> list[Step]:
        """Read the message against the map, then choose the moves; the reading goes into the reply."""
        amap = self._map_of(turn.record)
        index = self._node_index(amap, turn.record)
        source = self.source(turn.record)
        all_passages = self._retriever.index(turn.record.slug, turn.record).passages
        tuning, embed = self.retrieval, self._embed
        reading = read_message(turn.message, turn.history, index, turn.vector, source, all_passages, embed, tuning)
        if turn.stance is not None:  # a side the caller knows ("I disagree with you" from a student for the thesis)
            reading.user_stance = turn.stance
        reply.intent, reply.user_stance, reply.target = reading.intent, reading.user_stance, list(reading.target)
        reply.user_quotes = [q.to_json() for q in reading.user_quotes]

        weight = tuning.question_lexical_weight if reading.intent == "question" else tuning.node_lexical_weight
        similarities = index.similarities(turn.vector, turn.message, weight)
        rank = {p.id: i for i, p in enumerate(turn.passages)}  # the hybrid retrieval's fused order

        def similarity(node: Node) -> float:
            """Closeness to the message, leaning on retrieval (BM25 and dense evidence fused) by passage rank."""
            place = rank.get(node.passage_id or "")
            bonus = tuning.node_retrieval_bonus / (1 + place) if place is not None else 0.0
            return similarities.get(node.id, 0.0) + bonus

        if not reading.misrepresents:  # the nodes engaged, by similarity and the hybrid retrieval together
            reading.target = [n.id for n in sorted(index.nodes, key=lambda n: -similarity(n))[:2]]
            reply.target = list(reading.target)
        ctx = Context(
            reading=reading,
            mode=turn.mode,
            amap=amap,
            used=self._used_nodes(turn, amap, source),
            similarity=similarity,
            claim="" if reading.intent == "injection" else shorten_claim(turn.message),  # never echo an injection
            role_nodes=role_nodes(turn.message, amap, similarity) if reading.intent == "question" else None,
        )
        steps = plan(ctx)
        if reading.foreign:
            steps.insert(0, Step("language", frame("language")))
        if reading.intent == "injection":
            steps.insert(0, Step("refuse", prompts.messages()["injection"]))
        reply.moves = [s.move for s in steps if s.move not in ("language", "refuse")]
        return steps

    def _render(self, turn: TurnInput, steps: list[Step], reply: Reply) -> str:
        """Each step becomes a line: its frame, the verbatim quote with its marker, and its question."""
        lines: list[str] = []
        source = self.source(turn.record)
        for step in steps:
            quoted = self._quote_node(turn, step, reply) if step.node is not None else ""
            line = " ".join(part for part in (step.frame, quoted) if part)
            if line:
                reply.sentences.append(
                    Sentence(line, "quote" if quoted else "frame", [_marker(quoted)] if quoted else [])
                )
                lines.append(line)
            if step.question:
                question = _only_verbatim_in_quotes(step.question, source)
                reply.sentences.append(Sentence(question, "frame"))
                lines.append(question)
        if not any(s.label == "quote" for s in reply.sentences):
            lines.append(prompts.messages()["no_evidence"])
            reply.sentences.append(Sentence(lines[-1], "frame"))
        return "\n\n".join(lines)

    def _quote_node(self, turn: TurnInput, step: Step, reply: Reply) -> str:
        """`“sentence” [P3]` for a map node, verified against the source; the node's passage is supplied."""
        node = step.node
        assert node is not None
        passage = self._passage_of(turn, node)
        offset = node.start - passage.start if passage is not None else 0
        if passage is None or INJECTION.covers(passage.text, offset, offset + len(node.text)):
            return ""
        quote = verify_quote(node.text, self.source(turn.record), turn.passages)
        if not quote.verified:  # cannot happen unless the index is corrupt; never show it as a quote
            return ""
        quote.role, quote.voice, quote.attributed = node.role, node.voice, step.attributed
        reply.quotes.append(quote)
        reply.citations.append(Citation(passage.label, passage.id, node.start, node.end))
        return f"“{node.text}” [{passage.label}]"

    def _passage_of(self, turn: TurnInput, node: Node) -> Passage | None:
        supplied = next((p for p in turn.passages if p.id == node.passage_id), None)
        if supplied is not None:
            return supplied
        index = self._retriever.index(turn.record.slug, turn.record)
        if node.passage_id not in index.position:
            return None
        passage = index.passage(node.passage_id)
        turn.passages.append(passage)  # supplied, so its marker stays valid
        return passage

    def _used_nodes(self, turn: TurnInput, amap: ArgumentMap, source: NormalisedText) -> set[str]:
        """Map nodes already quoted by the bot in this debate (so they are not quoted again)."""
        used: set[str] = set()
        for h in turn.history:
            if h.get("role") != "assistant":
                continue
            content = h.get("content", "")
            for start, end in find_quotations(content):
                span = source.find(content[start:end])
                node = amap.at(*span) if span else None
                if node is not None:
                    used.add(node.id)
        return used

    def _node_index(self, amap: ArgumentMap, record: DocumentRecord) -> NodeIndex:
        """Map nodes with vectors: the retriever's sentence vectors (same sentences), embedding only the rest."""
        cached = self._node_indexes.get(record.version)
        if cached is not None:
            return cached
        by_span: dict[tuple[int, int], np.ndarray] = {}
        for passage in self._retriever.index(record.slug, record).passages:
            vectors = self._retriever.sentence_vectors(passage)
            by_span.update(zip(passage.sentences, vectors, strict=False))
        nodes = NodeIndex(amap, np.zeros((0, 0), dtype=np.float32))
        missing = [n.text for n in nodes.nodes if (n.start, n.end) not in by_span]
        extra = iter(self._embedder.encode(missing)) if missing else iter(())
        rows = [by_span[(n.start, n.end)] if (n.start, n.end) in by_span else next(extra) for n in nodes.nodes]
        if rows:
            nodes.vectors = np.asarray(rows, dtype=np.float32).reshape(len(rows), -1)
        self._node_indexes[record.version] = nodes
        return nodes

    def _closing(self, turn: TurnInput, spec: prompts.ModeSpec, steps: list[Step], reply: Reply) -> Sentence | None:
        """The last question: the model's, when it is well-formed and about the targeted node; else the plan's."""
        planned = steps[-1].question if _is_closing(steps) else ""
        asked = any(s.question for s in steps)
        target = next((s.node for s in steps if s.node is not None), None)
        if target is not None and reply.intent not in ("off_topic", "injection"):
            text = self._ask_piece(spec, redact_instructions(target.text), turn.message, reply)
            candidates = [text[s:e] for s, e in split_sentences(text)]
            kept = filter_piece(candidates, turn.message, turn.passages, question=True).kept
            about = " ".join(p.text for p in turn.passages if any(s.node and s.node.passage_id == p.id for s in steps))
            grounded = kept and any(
                self._similarity(kept[0], p)[1] >= PIECE_GROUNDING for p in turn.passages if p.id == target.passage_id
            )
            if kept and grounded and well_formed_question(kept[0], about or target.text):
                return self._label_own_sentence(kept[0], turn, reply)
        if planned:
            return Sentence(_only_verbatim_in_quotes(planned, self.source(turn.record)), "frame")
        return None if asked or turn.mode == "socratic" else _bank_question(spec, turn.message)

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

    def _label_own_sentence(self, text: str, turn: TurnInput, reply: Reply) -> Sentence:
        checked = verify_citations(text, turn.passages, self.source(turn.record), self._similarity)
        reply.citations.extend(checked.citations)
        reply.quotes.extend(checked.quotes)
        sentence = checked.sentences[0] if checked.sentences else Sentence(text, "unsupported")
        return sentence

    # --- free -------------------------------------------------------------------------------------
    def _free(self, turn: TurnInput) -> Iterator[ReplyEvent]:
        spec = prompts.mode_spec(turn.mode)
        reply = Reply(text="", mode=turn.mode, strategy="free", doc=turn.record.slug, passages=turn.passages)
        reply.timings.retrieval_s = turn.retrieval_s
        system = prompts.render(
            "system.md",
            title=turn.record.title,
            mode_instruction=spec.instruction,
            max_sentences=5,
            plan=self._plan_for_model(turn, reply),
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
        self._attribute_quotes(turn, reply)
        reply.sentences, reply.removed_markers = checked.sentences, checked.removed_markers
        yield from _done(reply, turn.started)

    def _plan_for_model(self, turn: TurnInput, reply: Reply) -> dict[str, Any]:
        """The same reading and moves as the scaffold, for a capable model to write from."""
        steps = self._plan(turn, reply)
        shown = []
        for step in steps:
            passage = self._passage_of(turn, step.node) if step.node is not None else None
            if step.node is not None and passage is not None:
                node = step.node
                shown.append({"move": step.move, "marker": passage.label, "text": node.text, "role": node.role,
                              "voice": node.voice})  # fmt: skip
        return {"intent": reply.intent, "stance": reply.user_stance, "moves": reply.moves, "steps": shown}

    def _attribute_quotes(self, turn: TurnInput, reply: Reply) -> None:
        """Free replies: each verified quote gets its node's role and voice; a reported view presented
        as the essay's own position is named in a notice."""
        amap = self._map_of(turn.record)
        for quote in reply.verified_quotes:
            node = amap.at(quote.start or 0, quote.end or 0)
            if node is None:
                continue
            sentence = next((s.text for s in reply.sentences if quote.text in s.text), "")
            quote.role, quote.voice = node.role, node.voice
            quote.attributed = "reported" if REPORTED_FRAME.search(sentence) else "author"
            if node.voice == "reported" and quote.attributed == "author":
                reply.notice = (reply.notice + " " if reply.notice else "") + prompts.messages()["misattributed"]

    def _fallback(self, turn: TurnInput, spec: prompts.ModeSpec) -> Reply:
        """The model gave nothing usable: quote the text and ask the mode's question instead."""
        reply, steps = self._quoted(turn, "free")
        question = Sentence(steps[-1].question, "frame") if _is_closing(steps) else _bank_question(spec, turn.message)
        reply.sentences.append(question)
        reply.text += "\n\n" + question.text
        return reply

    # --- model calls ------------------------------------------------------------------------------
    def complete(self, messages: list[BaseMessage], **kwargs: Any) -> Completion:
        """The model's whole answer to `messages`, with its token counts and first-token time: the one route
        to the model outside a turn (failures become BackendError, explained as in a reply's notice)."""
        completion = Completion()
        completion.text = "".join(self._model_deltas(messages, completion, **kwargs))
        return completion

    def _model_deltas(self, messages: list[BaseMessage], usage: Completion, **kwargs: Any) -> Iterator[str]:
        """Stream model text, recording first-token time and token counts; failures become BackendError."""
        t0 = time.perf_counter()
        try:
            for chunk in self.chat_model.stream(messages, **kwargs):
                counted = getattr(chunk, "usage_metadata", None)  # usually on the last chunk only
                if counted:  # summed as LangChain sums chunks, without merging every chunk's message
                    usage.prompt_tokens += int(counted.get("input_tokens", 0))
                    usage.completion_tokens += int(counted.get("output_tokens", 0))
                if chunk.content and usage.ttft_s is None:
                    usage.ttft_s = time.perf_counter() - t0
                if chunk.content:
                    yield str(chunk.content)
        except Exception as exc:
            raise explain_failure(exc, self._settings.llm) from exc

    def _stream_model(self, messages: list[BaseMessage], reply: Reply, started: float, **kwargs: Any) -> Iterator[str]:
        """Stream model text into a reply: its first-token and first-text times and its token counts."""
        usage = Completion()
        for delta in self._model_deltas(messages, usage, **kwargs):
            if reply.timings.ttft_s is None:
                reply.timings.ttft_s = usage.ttft_s
                if not reply.timings.first_text_s:
                    reply.timings.first_text_s = time.perf_counter() - started
            yield delta
        reply.prompt_tokens += usage.prompt_tokens
        reply.completion_tokens += usage.completion_tokens

    def _generate(self, messages: list[BaseMessage], reply: Reply, **kwargs: Any) -> str:
        return "".join(self._stream_model(messages, reply, time.perf_counter(), **kwargs)).strip()

    # --- embeddings and retrieval -----------------------------------------------------------------
    def embed(self, texts: list[str]) -> np.ndarray:
        """Normalised document vectors of `texts`, one row each."""
        return np.asarray(self._embedder.encode(texts))

    def query_vector(self, message: str, history: list[str] | None = None) -> np.ndarray:
        """The retrieval query vector of a message, leaning towards the recent user turns in `history`."""
        return self._retriever.query_vector(message, history)

    def retrieve(
        self,
        message: str,
        doc: str | None = None,
        history: list[str] | None = None,
        k: int | None = None,
        vector: np.ndarray | None = None,
    ) -> list[Passage]:
        """The passages hybrid retrieval supplies for a message (k from the retrieval settings by default)."""
        return self._retriever.retrieve(message, doc or self.default_doc, history, k=k, vector=vector)

    def sentence_vectors(self, passage: Passage) -> np.ndarray:
        """Embeddings of a passage's sentences, one row each, computed once and cached."""
        return self._retriever.sentence_vectors(passage)

    @property
    def retrieval(self) -> RetrievalSettings:
        """The retrieval settings in use; assignable (the eval sweep tries others, then restores them)."""
        return self._retriever.config

    @retrieval.setter
    def retrieval(self, config: RetrievalSettings) -> None:
        self._retriever.config = config

    # --- similarity -------------------------------------------------------------------------------
    def _sentence_scores(self, vector: np.ndarray, passage: Passage) -> list[tuple[tuple[int, int], float]]:
        sims = self._retriever.sentence_vectors(passage) @ vector
        return list(zip(passage.sentences or ((passage.start, passage.end),), map(float, sims), strict=False))

    def _similarity(self, text: str, passage: Passage) -> tuple[tuple[int, int], float]:
        return self._retriever.best_sentence(self._embed(text), passage)

    @lru_cache(maxsize=512)  # noqa: B019 - one service per process; the cache is the point
    def _embed(self, text: str) -> np.ndarray:
        return np.asarray(self._embedder.embed_query(text))


def _without_instructions(amap: ArgumentMap, record: DocumentRecord) -> ArgumentMap:
    """Sentences planted as instructions to an assistant are never part of the argument: never quoted,
    questioned or linked (judged in their paragraph, so split instructions count too)."""
    planted = {n.id for n in amap.nodes if INJECTION.search(n.text)}
    for line_start, line_end in _lines(record.text):
        spans = [(line_start + s, line_start + e) for s, e in instruction_spans(record.text[line_start:line_end])]
        planted |= {n.id for n in amap.nodes if any(s < n.end and n.start < e for s, e in spans)}
    for node in amap.nodes:
        if node.id in planted:
            node.role, node.voice, node.supports, node.answers, node.scheme = "context", "author", [], [], None
        node.supports = [t for t in node.supports if t not in planted]
        node.answers = [t for t in node.answers if t not in planted]
    if amap.thesis in planted:
        amap.thesis = None
    return amap


def _lines(text: str) -> list[tuple[int, int]]:
    spans, start = [], 0
    for line in text.split("\n"):
        spans.append((start, start + len(line)))
        start += len(line) + 1
    return [(a, b) for a, b in spans if b > a]


def _is_closing(steps: list[Step]) -> bool:
    """The plan ends in a question of its own (no quote): the model may offer a better one in its place."""
    return bool(steps) and steps[-1].node is None and bool(steps[-1].question)


def _only_verbatim_in_quotes(text: str, source: NormalisedText) -> str:
    """Double quotation marks promise the essay's exact words: anything else gets single ones (‘…’)."""

    def mark(match: re.Match[str]) -> str:
        inner = match.group(1)
        return match.group(0) if source.find(inner) is not None else "‘" + inner.replace('"', "'") + "’"

    return CURLY_QUOTATION.sub(mark, text)


def _marker(quoted: str) -> str:
    return quoted.rsplit("[", 1)[-1].rstrip("]")


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


__all__ = ["Completion", "DebateService", "DebateSettings", "DocumentIndex", "ReplyEvent", "TurnInput"]
