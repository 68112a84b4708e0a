"""`counterpoint map` (and `critique`): the argument of a text, from the command line."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import click

from app.cli_errors import UserError, friendly_errors
from app.settings import Settings


@click.command("map")
@click.option("--doc", "slug", help="Document slug (default: the default essay).")
@click.option("--json", "as_json", is_flag=True, help="Print the map as JSON (doc, thesis, nodes).")
@click.pass_obj
@friendly_errors
def map_command(settings: Settings, slug: str | None, as_json: bool) -> None:
    """The argument map of an ingested text: thesis, claims, reasons, evidence, concessions, reported views."""
    from app.wiring import make_service
    from argument.outline import outline

    service = make_service(settings)
    doc = slug or service.default_doc
    if service.document(doc) is None:
        raise UserError(f"no document '{doc}' in the index (run: counterpoint ingest)")
    amap = service.argument_map(doc)
    if as_json:
        click.echo(json.dumps(amap.to_json(), ensure_ascii=False, indent=2))
    else:
        click.echo(outline(amap))


# --- critique ------------------------------------------------------------------------------------------
@click.command("critique")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--doc", "slug", help="An ingested document's slug (its stored map); default: the default essay.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per text: file, doc, questions, notice.")
@click.option("--n", "n", type=click.IntRange(min=1), default=3, show_default=True, help="Questions per text.")
@click.pass_obj
@friendly_errors
def critique_command(settings: Settings, paths: tuple[Path, ...], slug: str | None, as_json: bool, n: int) -> None:
    """Critical questions that could undermine a text's argument, in its own words (Walton's schemes).

    With PATHs, each file is read and mapped directly (no ingest, no model: many short texts run in one
    process in seconds); a file that cannot be read gets a one-line error and the rest continue. Without
    PATHs, the ingested document's stored map is questioned (--doc, default: the default essay).
    """
    if paths and slug:
        raise UserError("give files or --doc, not both")
    if paths:
        for path in paths:
            _emit(_critique_file(path, n), as_json)
        return
    _emit(_critique_doc(settings, slug, n), as_json)


def _critique_file(path: Path, n: int) -> dict[str, Any]:
    from argument.critique import critique_text
    from ingest.errors import IngestError
    from ingest.loaders import load_document

    record: dict[str, Any] = {"file": str(path), "doc": None, "questions": []}
    try:
        if path.is_file() and not path.read_bytes().strip():
            return {**record, "notice": "the file is empty, so there is no argument to question"}
        doc = load_document(path)
    except (IngestError, OSError, ValueError) as exc:
        return {**record, "error": str(exc) or type(exc).__name__}
    found = critique_text(doc.text, doc.slug, n=n)
    return _record(record | {"doc": doc.slug}, found)


def _critique_doc(settings: Settings, slug: str | None, n: int) -> dict[str, Any]:
    from app.wiring import make_service
    from argument.critique import critique_map

    service = make_service(settings)
    doc = slug or service.default_doc
    stored = service.document(doc)
    if stored is None:
        raise UserError(f"no document '{doc}' in the index (run: counterpoint ingest)")
    found = critique_map(service.argument_map(doc), n=n, text=stored.text)
    return _record({"file": stored.source, "doc": doc, "questions": []}, found)


def _record(record: dict[str, Any], found: Any) -> dict[str, Any]:
    record["questions"] = [q.to_json() for q in found.questions]
    if found.notice:
        record["notice"] = found.notice
    return record


def _emit(record: dict[str, Any], as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(record, ensure_ascii=False))
        return
    name = record["file"] if record.get("doc") is None else f"{record['file']} ({record['doc']})"
    if "error" in record:
        click.echo(f"{name}: error: {record['error']}")
        return
    click.echo(name)
    for i, q in enumerate(record["questions"], 1):
        span = f"{q['target']}, chars {q['start']}–{q['end']}"
        click.echo(textwrap.fill(f"{i}. [{q['scheme']} · {span}] {q['text']}", 110, subsequent_indent="   "))
    if record.get("notice"):
        click.echo(f"   note: {record['notice']}")
    click.echo("")
