"""Chroma client/server mode: the same behaviour through HttpClient against a real `chroma run`."""

from __future__ import annotations

import httpx
import pytest

from app.debate.retrieval import HybridRetriever
from app.wiring import open_store
from ingest.errors import IngestError
from ingest.pipeline import ingest_documents
from ingest.store import connect
from tests.chroma_server import ChromaServer, free_port


@pytest.fixture
def server_settings(settings, tmp_path):
    server = ChromaServer(tmp_path / "chroma-server").start()
    chroma = settings.chroma.model_copy(update={"mode": "server", "port": server.port})
    yield settings.model_copy(update={"chroma": chroma}), server
    server.stop()


def test_ingest_and_retrieve_through_a_chroma_server(server_settings, embedder, essay) -> None:
    settings, _server = server_settings
    store = open_store(settings, embedder)
    report = ingest_documents([essay], store, embedder, settings.chunking)
    assert report.passages == len(store.passages_of(essay.slug)) > 15
    assert ingest_documents([essay], store, embedder, settings.chunking).unchanged == 1
    top = HybridRetriever(store, embedder, settings.retrieval).retrieve("$300M", essay.slug)
    assert top[0].kind == "table"


def test_server_stopped_and_restarted(server_settings, embedder, essay) -> None:
    settings, server = server_settings
    store = open_store(settings, embedder)
    ingest_documents([essay], store, embedder, settings.chunking)
    server.stop()
    with pytest.raises(httpx.TransportError):  # refused, reset or timed out, whichever the client meets first
        store.document(essay.slug)
    server.start()
    again = open_store(settings, embedder)
    assert again.document(essay.slug) is not None  # nothing lost across the restart
    assert len(again.passages_of(essay.slug)) == again.document(essay.slug).passage_count


def test_unreachable_server_is_a_clear_error(settings) -> None:
    chroma = settings.chroma.model_copy(update={"mode": "server", "port": free_port()})
    with pytest.raises(IngestError, match="cannot reach the Chroma server"):
        connect(chroma)
