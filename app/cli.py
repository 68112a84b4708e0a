"""Command-line face of Counterpoint. Bodies stay thin; the work lives in ingest/ and app/debate/."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from app import choices
from app.cli_errors import UserError, friendly_errors
from app.settings import Settings, apply_offline_env

apply_offline_env()


@click.group()
@click.option("--data-dir", type=click.Path(path_type=Path), help="Override COUNTERPOINT_DATA_DIR.")
@click.pass_context
def main(ctx: click.Context, data_dir: Path | None) -> None:
    """Counterpoint: argue with a text, grounded in what it actually says."""
    settings = Settings()
    if data_dir is not None:
        settings = settings.model_copy(update={"data_dir": data_dir})
    ctx.obj = settings


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--reset", is_flag=True, help="Drop the whole index first, then ingest PATHS.")
@click.option("--quiet", is_flag=True, help="No progress bar.")
@click.pass_obj
@friendly_errors
def ingest(settings: Settings, paths: tuple[Path, ...], reset: bool, quiet: bool) -> None:
    """Ingest texts (.txt, .md, .pdf, .docx, .html, or folders of them); no PATH ingests the default essay.

    Each file is also kept as given in the data dir (originals/<slug>/) for download."""
    from app.wiring import make_service
    from ingest.pipeline import load_all

    docs = load_all(list(paths) or [settings.default_essay], max_bytes=settings.max_upload_bytes)
    service = make_service(settings)
    with _progress_bar(quiet) as progress:
        report = service.ingest(docs, progress, reset=reset, keep_originals=True)
    for note in report.notes:
        click.echo(f"note: {note}", err=True)
    stored = {record.slug for record in service.documents()}
    documents = len({record.slug for record in report.records if record.slug in stored})  # what is really there
    click.echo(
        f"ingested {documents} document(s) ({report.unchanged} unchanged): "
        f"{report.passages} passages, {report.sections} sections in {report.seconds:.1f}s"
    )


@main.command()
@click.option("--doc", "slug", help="Only this document's passages.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list.")
@click.pass_obj
@friendly_errors
def passages(settings: Settings, slug: str | None, as_json: bool) -> None:
    """List the stored passages: exactly what the bot can cite."""
    from app.wiring import make_service

    service = make_service(settings)
    if slug and service.document(slug) is None:
        raise UserError(f"no document '{slug}' in the index (run: counterpoint ingest)")
    found = service.passages(slug)
    if as_json:
        click.echo(json.dumps([p.to_json() for p in found], ensure_ascii=False, indent=2))
        return
    for p in found:
        page = f" · {p.page_label}" if p.page_label else ""
        click.echo(f"[{p.label}] {p.doc} · {p.section}{page} · {p.start}-{p.end} · {p.id}")
        click.echo("    " + p.text.replace("\n", "\n    "))
    click.echo(f"{len(found)} passage(s)", err=True)


BACKENDS = click.Choice(choices.BACKENDS)
MODE_HELP = "challenge | defend | socratic | devils-advocate"


def _with_backend(settings: Settings, backend: str | None) -> Settings:
    if backend is None:
        return settings
    return settings.model_copy(update={"llm": settings.llm.model_copy(update={"backend": backend})})


@main.command()
@click.argument("message")
@click.option("--mode", default="challenge", show_default=True, help=MODE_HELP)
@click.option("--doc", "slug", help="Document slug (default: the default essay).")
@click.option("--backend", type=BACKENDS, help="Override COUNTERPOINT_LLM__BACKEND.")
@click.option("--json", "as_json", is_flag=True, help="Print the whole reply object as JSON.")
@click.pass_obj
@friendly_errors
def ask(settings: Settings, message: str, mode: str, slug: str | None, backend: str | None, as_json: bool) -> None:
    """One debate turn, non-interactive."""
    from app.wiring import make_service

    service = make_service(_with_backend(settings, backend))
    reply = service.reply(message, mode=mode, doc=slug)
    if as_json:
        click.echo(json.dumps(reply.to_json(), ensure_ascii=False, indent=2))
    else:
        click.echo(reply.text)
        click.echo(_footnotes(reply))


@main.command()
@click.option("--mode", default="challenge", show_default=True, help=MODE_HELP)
@click.option("--doc", "slug", help="Document slug (default: the default essay).")
@click.option("--backend", type=BACKENDS, help="Override COUNTERPOINT_LLM__BACKEND.")
@click.pass_obj
@friendly_errors
def chat(settings: Settings, mode: str, slug: str | None, backend: str | None) -> None:
    """Debate in the terminal; replies stream, passages follow as footnotes. Ctrl-D or /quit ends."""
    from app.debate.prompts import normalise_mode
    from app.wiring import make_service

    service = make_service(_with_backend(settings, backend))
    mode = normalise_mode(mode)
    history: list[dict[str, str]] = []
    click.echo(f"Debating '{slug or service.default_doc}' in {mode} mode with {service.backend_description()}.")
    while True:
        try:
            message = click.prompt("\nyou", prompt_suffix="> ", default="", show_default=False)
        except (EOFError, click.Abort):
            break
        if message.strip() in ("/quit", "/exit"):
            break
        click.echo("bot> ", nl=False)
        streamed = ""
        for event in service.stream(message, history, mode, slug):
            if event.kind == "text":
                streamed += event.text
                click.echo(event.text, nl=False)
            elif event.reply is not None:
                if event.reply.text.strip() != streamed.strip():
                    click.echo("\n-- verified --\n" + event.reply.text, nl=False)
                click.echo("\n" + _footnotes(event.reply))
                history += [{"role": "user", "content": message}, {"role": "assistant", "content": event.reply.text}]


@main.command()
@click.option("--host", help="Bind address (default 127.0.0.1; COUNTERPOINT_HOST).")
@click.option("--port", type=int, help="Port (default 7860; COUNTERPOINT_PORT).")
@click.option("--backend", type=BACKENDS, help="Override COUNTERPOINT_LLM__BACKEND.")
@click.pass_obj
@friendly_errors
def serve(settings: Settings, host: str | None, port: int | None, backend: str | None) -> None:
    """Serve the web debate room (http://127.0.0.1:7860 by default)."""
    from app.web.server import launch

    overrides = {k: v for k, v in {"host": host, "port": port}.items() if v is not None}
    launch(_with_backend(settings, backend).model_copy(update=overrides))


@main.command()
@click.option("--export-sessions", type=click.Path(path_type=Path), help="Also write every debate as JSON here.")
@click.pass_obj
@friendly_errors
def migrate(settings: Settings, export_sessions: Path | None) -> None:
    """Bring the state database up to date and import earlier versions' files from the data dir."""
    from app.state import StateStore, state_url
    from app.state.importer import import_data_dir
    from app.web.sessions import SessionStore

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    state = StateStore(state_url(settings.data_dir, settings.database_url))  # builds or upgrades the schema
    report = import_data_dir(state, settings.data_dir, settings.classroom.database(settings.data_dir))
    sessions = SessionStore(settings.data_dir / "sessions", state)
    click.echo(f"{state.describe()}: schema {state.schema_version()}, {sessions.count()} debate(s) stored")
    click.echo(report.summary() if report.debates or report.attempts else "nothing new to import")
    if export_sessions is not None:
        click.echo(f"exported {sessions.export_all(export_sessions)} debate(s) to {export_sessions}")


def _footnotes(reply: Any) -> str:
    """Cited passages, flagged quotes and unsupported sentences, as terminal footnotes."""
    from app.debate.models import LABEL_NAMES

    by_id = {p.id: p for p in reply.passages}
    lines = []
    for citation in {c.marker: c for c in reply.citations}.values():
        p = by_id[citation.passage_id]
        auto = " (auto-attributed)" if citation.auto else ""
        span = p.text[citation.start - p.start : citation.end - p.start] or p.text
        lines.append(f"  [{citation.marker}] {p.section}{auto}: {span[:200].replace(chr(10), ' ')}")
    for sentence in reply.sentences:
        if sentence.label == "unsupported":
            lines.append(f"  ! {LABEL_NAMES['unsupported']}: {sentence.text}")
    for quote in reply.flagged_quotes:
        lines.append(f"  ! quote not found in the essay: “{quote.text}”")
    if reply.notice:
        lines.append(f"  note: {reply.notice}")
    return "\n".join(lines)


class _progress_bar:
    """A tqdm bar on stderr fed by ingest's progress callback."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self.bars: dict[str, Any] = {}

    def __enter__(self) -> Callable[[str, int, int], None]:
        return self.update

    def update(self, slug: str, done: int, total: int) -> None:
        if self.quiet:
            return
        from tqdm import tqdm

        bar = self.bars.get(slug) or self.bars.setdefault(
            slug, tqdm(total=total, desc=slug, unit="passage", file=sys.stderr)
        )
        bar.update(done - bar.n)

    def __exit__(self, *exc: object) -> None:
        for bar in self.bars.values():
            bar.close()


def _register_eval() -> None:
    from eval.cli import eval_group

    main.add_command(eval_group, "eval")


def _register_classroom() -> None:
    from app.classroom.cli import classroom_group, practice_command

    main.add_command(practice_command, "practice")
    main.add_command(classroom_group, "classroom")


def _register_argument() -> None:
    from app.argument_cli import critique_command, map_command

    main.add_command(map_command, "map")
    main.add_command(critique_command, "critique")


_register_eval()
_register_classroom()
_register_argument()

if __name__ == "__main__":  # pragma: no cover
    main()
