"""Argument-map accuracy: build the map of every hand-labelled text and score it against its labels.

The labels live in `eval/datasets/argument/*.labels.json` (see the README there). Each text is mapped the
way ingest maps it (chunked into passages, the packaged embedder sharpening thesis and links), then
`argument.accuracy.score_map` compares role and voice sentence by sentence. What `counterpoint eval
map-accuracy` prints, and what the eval report's "Argument map accuracy" table shows.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from argument.accuracy import Accuracy, load_labels, score_map
from argument.mapper import build_map
from argument.model import ArgumentMap

if TYPE_CHECKING:
    from ingest.embedder import Embedder

REPO_ROOT = Path(__file__).resolve().parents[1]
LABELS_DIR = REPO_ROOT / "eval" / "datasets" / "argument"
HEADER = ["text", "sentences", "role accuracy", "voice accuracy", "thesis correct", "reported recall"]


def labelled_texts(folder: Path = LABELS_DIR) -> list[Path]:
    return sorted(folder.glob("*.labels.json"))


def build_labelled_map(labels_path: Path, embedder: Embedder | None = None) -> tuple[ArgumentMap, str]:
    """The map of a labelled text, built as ingest builds it, and the text it was built from."""
    from ingest.chunking import chunk_document
    from ingest.config import ChunkingConfig
    from ingest.loaders import load_document

    labels = load_labels(labels_path)
    doc = load_document(REPO_ROOT / str(labels["source"]))
    count = embedder.count_tokens if embedder is not None else (lambda text: len(text.split()))
    passages = chunk_document(doc, ChunkingConfig(), count)
    embed = embedder.encode if embedder is not None else None
    return build_map(doc.slug, doc.text, passages, embed=embed, title=doc.title), doc.text


def map_accuracy(embedder: Embedder | None = None, folder: Path = LABELS_DIR) -> list[Accuracy]:
    """Role/voice accuracy, thesis and reported recall of every labelled text, in file-name order."""
    results = []
    for path in labelled_texts(folder):
        amap, _ = build_labelled_map(path, embedder)
        results.append(score_map(path.name.removesuffix(".labels.json"), amap, load_labels(path)))
    return results


def summary_rows(results: Sequence[Accuracy]) -> list[dict[str, Any]]:
    """JSON rows (one per text) for summary.json."""
    return [r.to_json() for r in results]


def markdown_table(rows: Sequence[dict[str, Any]]) -> list[str]:
    """The per-text table, from `summary_rows` (so a report can be re-rendered from summary.json)."""
    lines = ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    for r in rows:
        thesis = "yes" if r["thesis_correct"] else "**no**"
        lines.append(
            f"| `{r['text']}` | {r['sentences']} | {r['role_accuracy']:.2f} | {r['voice_accuracy']:.2f} | "
            f"{thesis} | {r['reported_recall']:.2f} |"
        )
    return lines


_EMBEDDER: list[Embedder] = []


def packaged_embedder() -> Embedder:
    """The packaged embedding model, loaded once per process."""
    if not _EMBEDDER:
        from ingest.config import packaged_model_path
        from ingest.embedder import Embedder

        _EMBEDDER.append(Embedder(packaged_model_path()))
    return _EMBEDDER[0]
