"""The baseline Counterpoint is measured against: LangChain's textbook RAG recipe on the same backend.

RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200) over the same document, a dense-only
Chroma top-k over those chunks (its own collection, embedded with our embedder — never Chroma's default
embedding function), and the tutorial's plain "use the following pieces of retrieved context to answer"
prompt sent to the same chat model. No citations, no verification, no debate modes.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage

from app.debate.citations import AUTO_THRESHOLD
from app.debate.models import Timings
from app.debate.quoting import find_quotations
from app.debate.textmatch import NormalisedText
from eval import prompt_files
from ingest.sentences import split_sentences

if TYPE_CHECKING:
    from langchain_core.embeddings import Embeddings

    from app.debate.service import DebateService

CHUNK_SIZE = 1000
CHUNK_OVERLAP = 200


@dataclass
class Chunk:
    """A splitter chunk; `start` is its offset in the document (the splitter's `add_start_index`)."""

    text: str
    start: int


@dataclass
class BaselineAnswer:
    """What the textbook pipeline produced for one message."""

    text: str
    chunks: list[Chunk]
    timings: Timings = field(default_factory=Timings)
    prompt_tokens: int = 0
    completion_tokens: int = 0


class TextbookRAG:
    """Split → embed into Chroma → dense top-k → "answer using the context", over the service's backend."""

    def __init__(self, service: DebateService, k: int, embedder: Embeddings, client: Any) -> None:
        """`embedder` and `client` (a Chroma client) are the service's own, given by the composition root."""
        self.service = service
        self.k = k
        self.embedder = embedder
        self.client = client
        self._stores: dict[str, Any] = {}
        self._chunks: dict[str, list[Chunk]] = {}
        self._sentence_vectors: dict[str, tuple[list[str], np.ndarray]] = {}

    def index(self, slug: str, text: str) -> list[Chunk]:
        """(Re)build the document's baseline collection from scratch; returns every chunk."""
        from langchain_chroma import Chroma
        from langchain_text_splitters import RecursiveCharacterTextSplitter

        splitter = RecursiveCharacterTextSplitter(
            chunk_size=CHUNK_SIZE, chunk_overlap=CHUNK_OVERLAP, add_start_index=True
        )
        docs = splitter.create_documents([text])
        store = Chroma(
            collection_name=f"baseline-textbook-{slug}"[:60],
            embedding_function=self.embedder,
            client=self.client,
        )
        store.reset_collection()
        store.add_documents(docs)
        self._stores[slug] = store
        self._chunks[slug] = [Chunk(d.page_content, int(d.metadata.get("start_index", -1))) for d in docs]
        return self._chunks[slug]

    def chunks(self, slug: str) -> list[Chunk]:
        return self._chunks[slug]

    def retrieve(self, query: str, slug: str) -> list[Chunk]:
        docs = self._stores[slug].similarity_search(query, k=self.k)
        return [Chunk(d.page_content, int(d.metadata.get("start_index", -1))) for d in docs]

    def answer(self, query: str, history: list[dict[str, str]], slug: str) -> BaselineAnswer:
        """One turn of the recipe, timed like ours (first visible text = the model's first token)."""
        started = time.perf_counter()
        chunks = self.retrieve(query, slug)
        answer = BaselineAnswer(text="", chunks=chunks)
        answer.timings.retrieval_s = time.perf_counter() - started
        prompt = prompt_files.render("baseline-rag.md", question=query, context="\n\n".join(c.text for c in chunks))
        messages: list[BaseMessage] = [
            HumanMessage(h["content"]) if h["role"] == "user" else AIMessage(h["content"]) for h in history[-6:]
        ]
        messages.append(HumanMessage(prompt))
        called = time.perf_counter()
        completion = self.service.complete(messages)
        if completion.ttft_s is not None:
            answer.timings.ttft_s = completion.ttft_s
            answer.timings.first_text_s = called - started + completion.ttft_s
        answer.prompt_tokens = completion.prompt_tokens
        answer.completion_tokens = completion.completion_tokens
        answer.text = completion.text.strip()
        answer.timings.total_s = time.perf_counter() - started
        answer.timings.first_text_s = answer.timings.first_text_s or answer.timings.total_s
        return answer

    def label_sentences(self, sentences: list[str], chunks: list[Chunk], source: NormalisedText) -> list[str]:
        """Label the baseline's sentences with the rule our verifier uses for uncited text.

        `quote` when every quotation in it is in the source; `unsupported` when one is not; otherwise
        `auto` when some sentence of the retrieved chunks is at least AUTO_THRESHOLD similar (the
        verifier's auto-attribution rule), else `unsupported`.
        """
        if not sentences:
            return []
        texts, vectors = self._context_vectors(chunks)
        embedded = self.service.embed(sentences)
        best = (embedded @ vectors.T).max(axis=1) if texts else np.zeros(len(sentences))
        labels = []
        for sentence, score in zip(sentences, best, strict=True):
            quotes = [sentence[s:e] for s, e in find_quotations(sentence)]
            if quotes:
                labels.append("quote" if all(source.find(q) for q in quotes) else "unsupported")
            else:
                labels.append("auto" if score >= AUTO_THRESHOLD else "unsupported")
        return labels

    def _context_vectors(self, chunks: list[Chunk]) -> tuple[list[str], np.ndarray]:
        """Sentence embeddings of the chunks, each chunk embedded once per run."""
        texts: list[str] = []
        parts: list[np.ndarray] = []
        for chunk in chunks:
            cached = self._sentence_vectors.get(chunk.text)
            if cached is None:
                sentences = [chunk.text[s:e] for s, e in split_sentences(chunk.text)] or [chunk.text]
                vectors = self.service.embed(sentences)
                cached = self._sentence_vectors[chunk.text] = (sentences, vectors)
            texts.extend(cached[0])
            parts.append(cached[1])
        return texts, (np.vstack(parts) if parts else np.zeros((0, 1)))
