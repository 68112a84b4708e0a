"""End to end with the real embedded SmolLM2-135M model (llama.cpp) on the default essay."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from app.cli import main
from app.debate.service import DebateService

pytestmark = pytest.mark.e2e


def test_challenge_turn_cites_only_real_passages(settings, ingested, embedder) -> None:
    service = DebateService(settings, ingested, embedder)
    assert service.strategy == "scaffolded"
    reply = service.reply("AI video generators will replace Hollywood directors within five years.")
    supplied = {p.label: p.id for p in reply.passages}
    assert reply.citations
    assert all(supplied[c.marker] == c.passage_id for c in reply.citations)
    assert reply.removed_markers == []
    assert all(q.verified for q in reply.quotes)
    assert reply.model_text  # the real model was asked for its piece
    assert reply.timings.ttft_s is not None and reply.prompt_tokens > 0


def test_ask_json_with_the_embedded_model() -> None:
    runner = CliRunner()
    assert runner.invoke(main, ["ingest", "--quiet"]).exit_code == 0
    result = runner.invoke(
        main, ["ask", "ByteDance has more money than every studio combined.", "--json", "--mode", "defend"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert {"reply", "citations", "passages", "timings"} <= set(data)
    assert data["citations"] and {"marker", "passage_id"} <= set(data["citations"][0])
    assert {"id", "section", "text"} <= set(data["passages"][0])
    assert data["mode"] == "defend"
