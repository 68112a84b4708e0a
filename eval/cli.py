"""`counterpoint eval ...` commands (registered on the main CLI): run, compare, tune. Bodies stay thin."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from app import choices
from app.cli_errors import friendly_errors

if TYPE_CHECKING:
    from app.settings import Settings

BACKENDS = click.Choice(choices.BACKENDS)


@click.group(name="eval")
def eval_group() -> None:
    """Measure retrieval, grounding and debate behaviour on a dataset."""


@eval_group.command("run")
@click.argument("dataset", type=click.Path(path_type=Path))
@click.option("--backend", type=BACKENDS, help="Override COUNTERPOINT_LLM__BACKEND.")
@click.option("--k", "k", type=click.IntRange(1, 20), help="Passages per reply (default: the retrieval setting).")
@click.option("--out", type=click.Path(path_type=Path), help="Run folder (default: DATA_DIR/eval-runs/NAME-TIME).")
@click.option("--limit", type=click.IntRange(1), help="Only the first N cases.")
@click.option("--tag", "tags", multiple=True, help="Only cases with this tag (repeatable).")
@click.option("--baseline", is_flag=True, help="Also run LangChain's textbook RAG on the same backend.")
@click.option("--budget", type=click.IntRange(1), help="Context budget for recall_at_budget (default 1500).")
@click.option("--fresh", is_flag=True, help="Discard earlier results in --out instead of resuming.")
@click.option("--no-judge", is_flag=True, help="Skip the LLM judge even when one is configured.")
@click.option("--quiet", is_flag=True, help="No progress bar.")
@click.pass_obj
@friendly_errors
def run_command(
    settings: Settings,
    dataset: Path,
    backend: str | None,
    k: int | None,
    out: Path | None,
    limit: int | None,
    tags: tuple[str, ...],
    baseline: bool,
    budget: int | None,
    fresh: bool,
    no_judge: bool,
    quiet: bool,
) -> None:
    """Run DATASET.jsonl; writes summary.json, results.jsonl and report.md (with charts) to --out."""
    from eval.session import RunRequest, run_eval

    request = RunRequest(dataset, backend, k, out, limit, baseline, budget, fresh, not no_judge, tags)
    result = run_eval(settings or _settings(), request, progress=_ProgressBar(quiet))
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    s = result.summary
    click.echo(
        f"{s['cases_ok']}/{s['cases']} cases ok ({s['cases_failed']} failed) · recall@{s['k']} {_f(s['recall_at_k'])}"
        f" · gold cited {_f(s['gold_citation_rate'])} · quotes faithful {_f(s['quote_faithfulness'])}"
        f" · unsupported {_f(s['unsupported_sentence_rate'])} · forbid hits {s['forbid_violations']}"
    )
    if "baseline" in s:
        b = s["baseline"]
        click.echo(
            f"baseline: recall@budget {_f(b['recall_at_budget'])} (ours {_f(s['recall_at_budget'])})"
            f" · quotes faithful {_f(b['quote_faithfulness'])} · unsupported {_f(b['unsupported_sentence_rate'])}"
        )
    click.echo(f"report: {result.out / 'report.md'}")


@eval_group.command("compare")
@click.argument("old_dir", type=click.Path(path_type=Path))
@click.argument("new_dir", type=click.Path(path_type=Path))
@click.option("--thresholds", type=click.Path(path_type=Path), help="Allowed regressions (eval/thresholds.json).")
@friendly_errors
def compare_command(old_dir: Path, new_dir: Path, thresholds: Path | None) -> None:
    """Print metric deltas OLD_DIR -> NEW_DIR; exit 1 when one regresses beyond its threshold."""
    from eval.compare import compare, format_table, load_summary, load_thresholds, notes
    from eval.settings import EvalSettings

    old, new = load_summary(old_dir), load_summary(new_dir)
    rows = compare(old, new, load_thresholds(thresholds or EvalSettings().thresholds))
    for note in notes(old, new):
        click.echo(note, err=True)
    click.echo(format_table(rows))
    regressed = [r.metric for r in rows if r.regressed]
    if regressed:
        click.echo(f"regressed: {', '.join(regressed)}", err=True)
        sys.exit(1)
    click.echo("no regressions beyond the thresholds")


@eval_group.command("tune")
@click.argument("dataset", type=click.Path(path_type=Path))
@click.option("--k", "ks", type=click.IntRange(1, 20), multiple=True, help="k values to sweep (repeatable).")
@click.option("--budget", type=click.IntRange(1), help="Context budget for recall_at_budget (default 1500).")
@click.pass_obj
@friendly_errors
def tune_command(settings: Settings, dataset: Path, ks: tuple[int, ...], budget: int | None) -> None:
    """Retrieval-only sweep of fusion weights and k on DATASET (no chat model); prints a markdown table."""
    from eval.session import run_tune

    click.echo(run_tune(settings or _settings(), dataset, ks, budget))


@eval_group.command("map-accuracy")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per text instead of a table.")
@click.option("--confusions", is_flag=True, help="Also list every sentence whose role or voice is wrong.")
@friendly_errors
def map_accuracy_command(as_json: bool, confusions: bool) -> None:
    """Argument-map role/voice accuracy, thesis and reported recall on every hand-labelled text."""
    import json

    from eval.map_accuracy import map_accuracy, markdown_table, packaged_embedder, summary_rows

    results = map_accuracy(packaged_embedder())
    if as_json:
        for row in summary_rows(results):
            click.echo(json.dumps(row, ensure_ascii=False))
    else:
        click.echo("\n".join(markdown_table(summary_rows(results))))
    if confusions:
        for result in results:
            for text, gold, mapped in result.confusions:
                click.echo(f"{result.name}: {gold} mapped as {mapped}: {text}")


def _settings() -> Settings:
    from app.settings import Settings

    return Settings()


def _f(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"


class _ProgressBar:
    """A tqdm bar on stderr, one step per case (resumed cases count as done)."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self.bar: Any = None

    def start(self, total: int) -> None:
        if not self.quiet:
            from tqdm import tqdm

            self.bar = tqdm(total=total, desc="eval", unit="case", file=sys.stderr)

    def step(self, record: dict[str, Any]) -> None:
        if self.bar is not None:
            self.bar.set_postfix_str(f"{record['id']} {record.get('status')}", refresh=False)
            self.bar.update(1)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
