"""`counterpoint map` (and `critique`): the argument of a text, from the command line."""

from __future__ import annotations

import json

import click

from app.cli import UserError, friendly_errors
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
    if service.store.document(doc) is None:
        raise UserError(f"no document '{doc}' in the index (run: counterpoint ingest)")
    amap = service.argument_map(doc)
    if as_json:
        click.echo(json.dumps(amap.to_json(), ensure_ascii=False, indent=2))
    else:
        click.echo(outline(amap))
