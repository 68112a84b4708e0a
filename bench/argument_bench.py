"""Argument map and critique speed: rule-based map per 1000 words (with and without embeddings), and
critical questions per second on ~200 short texts (paragraphs and 1–4 sentence snippets of the labelled texts)."""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from app.settings import REPO_ROOT, Settings
from argument.critique import critique_text
from argument.mapper import build_map
from ingest.loaders import load_document
from ingest.sentences import split_sentences

LABELLED = REPO_ROOT / "eval" / "datasets" / "argument"


def texts(settings: Settings) -> dict[str, str]:
    """The default essay and the labelled texts, by slug."""
    paths = [settings.default_essay, *sorted(p for p in LABELLED.iterdir() if p.suffix in (".txt", ".md"))]
    return {(d := load_document(p)).slug: d.text for p in paths}


def snippets(sources: dict[str, str], count: int = 200) -> list[str]:
    """Short texts: every paragraph, then runs of 1–4 consecutive sentences, cycling through the texts."""
    paragraphs = [p.strip() for t in sources.values() for p in t.split("\n\n") if len(p.split()) >= 8]
    sentences = [[t[s:e] for s, e in split_sentences(t) if len(t[s:e].split()) >= 4] for t in sources.values()]
    found = paragraphs[: count // 2]
    i = 0
    while len(found) < count:
        run = sentences[i % len(sentences)]
        size, at = 1 + i % 4, (i * 7) % max(1, len(run))
        found.append(" ".join(run[at : at + size]) or run[0])
        i += 1
    return found[:count]


def run(settings: Settings, repeats: int = 3) -> dict[str, Any]:
    from ingest.embedder import Embedder

    sources = texts(settings)
    words = sum(len(t.split()) for t in sources.values())
    plain = _best(repeats, lambda: [build_map(s, t) for s, t in sources.items()])
    started = time.perf_counter()
    embedder = Embedder(settings.model_path())
    embedder.embed_documents(["warm up"])
    load_s = time.perf_counter() - started
    embed = embedder.embed_documents
    embedded = _best(repeats, lambda: [build_map(s, t, embed=embed) for s, t in sources.items()])

    short = snippets(sources)
    questions: list[list[Any]] = []
    bare_s = _best(repeats, lambda: questions.append(_critique_all(short, None)))
    with_embed: list[list[Any]] = []
    embed_s = _best(1, lambda: with_embed.append(_critique_all(short, embed)))
    changed = sum(a != b for a, b in zip(questions[-1], with_embed[-1], strict=True)) / len(short)
    with_questions = sum(bool(q) for q in questions[-1]) / len(short)
    return {
        "map_words": words,
        "map_build_s_per_1000_words": round(plain / words * 1000, 4),
        "map_build_embed_s_per_1000_words": round(embedded / words * 1000, 4),
        "map_embed_model_load_s": round(load_s, 2),
        "critique_texts": len(short),
        "critique_texts_per_s": round(len(short) / bare_s, 1),
        "critique_texts_per_s_embed": round(len(short) / embed_s, 1),
        "critique_embed_changed_share": round(changed, 3),
        "critique_share_with_questions": round(with_questions, 3),
        "critique_cli_200_files_s": round(_cli_seconds(short), 2),
    }


def _critique_all(short: list[str], embed: Any) -> list[Any]:
    """Each snippet's questions as (scheme, start) pairs, to compare runs."""
    found = []
    for i, text in enumerate(short):
        result = critique_text(text, f"s{i}", embed=embed)
        found.append(tuple((q.scheme, q.start) for q in result.questions))
    return found


def _cli_seconds(short: list[str]) -> float:
    """`counterpoint critique --json` over the snippets as files, in one process (click's runner)."""
    from click.testing import CliRunner

    from app.cli import main

    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for i, text in enumerate(short):
            path = Path(tmp) / f"s{i:03d}.txt"
            path.write_text(text, encoding="utf-8")
            paths.append(str(path))
        started = time.perf_counter()
        result = CliRunner().invoke(main, ["critique", "--json", *paths])
        seconds = time.perf_counter() - started
    if result.exit_code != 0 or result.output.count("\n") != len(short):
        raise RuntimeError(f"critique CLI failed: {result.output[-500:]}")
    return seconds


def _best(repeats: int, work: Any) -> float:
    runs = []
    for _ in range(repeats):
        started = time.perf_counter()
        work()
        runs.append(time.perf_counter() - started)
    return statistics.median(runs)
