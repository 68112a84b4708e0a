"""Reports of a run: `summary.json` (machine-readable), `report.md` and a PNG chart of metrics by tag."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from eval import judge as judge_mod
from eval.metrics import HIGHER_IS_BETTER, MOVE_METRICS, SUMMARY_METRICS, aggregate
from eval.runner import ok_records

SUMMARY = "summary.json"
REPORT = "report.md"
CHART = "metrics_by_tag.png"
SIDE_CHART = "ours_vs_baseline.png"
CHART_METRICS = (
    "recall_at_k",
    "recall_at_budget",
    "gold_citation_rate",
    "citation_coverage",
    "quote_faithfulness",
    "unsupported_sentence_rate",
)
REPO_ROOT = Path(__file__).resolve().parents[1]


def git_commit() -> str | None:
    """The checked-out commit (short), with `-dirty` when the tree has changes; None outside git."""
    try:
        sha = _git("rev-parse", "--short", "HEAD")
        dirty = _git("status", "--porcelain", "--untracked-files=no")
    except (OSError, subprocess.CalledProcessError):
        return None
    return sha + ("-dirty" if dirty else "")


def _git(*args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=REPO_ROOT, capture_output=True, text=True, check=True, timeout=10
    ).stdout.strip()


def summarise(records: list[dict[str, Any]], info: dict[str, Any]) -> dict[str, Any]:
    """The summary: run info, the metrics as top-level keys, per-tag metrics, the baseline, the judge."""
    summary: dict[str, Any] = {
        **info,
        "timestamp": info.get("timestamp") or datetime.now(UTC).isoformat(timespec="seconds"),
        "cases": len(records),
        **_side(records, "ours"),
    }
    if any("baseline" in r for r in records):
        summary["baseline"] = _side(records, "baseline")
    grades = {side: _grades(records, side) for side in ("ours", "baseline")}
    if grades["ours"] or grades["baseline"]:
        summary["judge"] = {
            "model": info.get("judge"),
            **{side: judge_mod.summarise(g) for side, g in grades.items() if g},
        }
    return summary


def _side(records: list[dict[str, Any]], side: str) -> dict[str, Any]:
    ok = list(ok_records(records, side))
    per_case = [(r if side == "ours" else r[side])["metrics"] for r in ok]
    failed = [r["id"] for r in records if _part(r, side).get("status") != "ok"]
    tags = sorted({t for r in ok for t in r["tags"]})
    by_tag = {}
    for tag in tags:
        tagged = [(r if side == "ours" else r[side])["metrics"] for r in ok if tag in r["tags"]]
        by_tag[tag] = {"cases": len(tagged), **aggregate(tagged)}
    return {
        "cases_ok": len(ok),
        "cases_failed": len(failed),
        "failed_ids": failed,
        **aggregate(per_case),
        "by_tag": by_tag,
    }


def _part(record: dict[str, Any], side: str) -> dict[str, Any]:
    return record if side == "ours" else record.get(side, {})


def _grades(records: list[dict[str, Any]], side: str) -> list[dict[str, Any]]:
    return [_part(r, side)["judge"] for r in records if "judge" in _part(r, side)]


def write_all(out: Path, records: list[dict[str, Any]], info: dict[str, Any]) -> dict[str, Any]:
    """Write summary.json, the chart(s) and report.md into `out`; returns the summary."""
    summary = summarise(records, info)
    summary.setdefault("map_accuracy", map_accuracy_summary())
    (out / SUMMARY).write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    charts = [chart_by_tag(summary, out / CHART)]
    if "baseline" in summary:
        charts.append(chart_side_by_side(summary, out / SIDE_CHART))
    (out / REPORT).write_text(render_markdown(summary, records, [c.name for c in charts]), encoding="utf-8")
    return summary


# --- charts ---------------------------------------------------------------------------------------
def chart_by_tag(summary: dict[str, Any], path: Path) -> Path:
    """A heatmap, tags × the main grounding metrics, each cell annotated; green is good, grey is n/a."""
    plt = _pyplot()
    import numpy as np

    tags = list(summary["by_tag"])
    grid = np.array([[_nan(summary["by_tag"][t].get(m)) for m in CHART_METRICS] for t in tags], dtype=float).reshape(
        len(tags), len(CHART_METRICS)
    )
    fig, ax = plt.subplots(figsize=(9, 0.32 * len(tags) + 2.2))
    if not tags:
        ax.text(0.5, 0.5, "no tagged cases", ha="center", va="center")
        ax.set_axis_off()
        fig.savefig(path, dpi=110)
        plt.close(fig)
        return path
    cmap = plt.get_cmap("RdYlGn").with_extremes(bad="#dddddd")
    goodness = np.where([HIGHER_IS_BETTER[m] for m in CHART_METRICS], grid, 1.0 - grid)  # green = good
    ax.imshow(np.ma.masked_invalid(goodness), cmap=cmap, vmin=0, vmax=1, aspect="auto")
    for (i, j), value in np.ndenumerate(grid):
        ax.text(j, i, "n/a" if np.isnan(value) else f"{value:.2f}", ha="center", va="center", fontsize=7)
    ax.set_xticks(range(len(CHART_METRICS)), CHART_METRICS, rotation=25, ha="right", fontsize=8)
    ax.set_yticks(range(len(tags)), [f"{t} ({summary['by_tag'][t]['cases']})" for t in tags], fontsize=8)
    ax.set_title(f"Counterpoint by tag — {summary.get('dataset', '')} (green = good)", fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def _nan(value: Any) -> float:
    return float("nan") if value is None else float(value)


def chart_side_by_side(summary: dict[str, Any], path: Path) -> Path:
    """Ours vs the baseline on the 0-1 metrics."""
    plt = _pyplot()
    names = [m for m in SUMMARY_METRICS if _is_rate(m) and summary.get(m) is not None]
    fig, ax = plt.subplots(figsize=(9, 0.35 * len(names) + 1.5))
    ys = range(len(names))
    ax.barh([y + 0.2 for y in ys], [summary[m] or 0.0 for m in names], 0.4, label="Counterpoint")
    ax.barh([y - 0.2 for y in ys], [summary["baseline"].get(m) or 0.0 for m in names], 0.4, label="textbook RAG")
    ax.set_yticks(list(ys), names)
    ax.invert_yaxis()
    ax.set_xlim(0, 1.05)
    ax.legend(loc="lower right", fontsize=8)
    ax.set_title("Counterpoint vs textbook RAG (same backend)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _is_rate(metric: str) -> bool:
    return not metric.endswith("_s") and metric not in ("forbid_violations",)


# --- markdown -------------------------------------------------------------------------------------
def fmt(value: Any) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


def render_markdown(summary: dict[str, Any], records: list[dict[str, Any]], charts: Sequence[str]) -> str:
    lines = [
        f"# Eval report — {summary.get('dataset')}",
        "",
        f"Backend **{summary.get('backend')}** ({summary.get('model')}, {summary.get('strategy')} strategy), "
        f"k = {summary.get('k')}, budget B = {summary.get('budget_chars')} characters, "
        f"commit `{summary.get('git_commit')}`, {summary.get('timestamp')}.",
        f"Cases: {summary['cases']} ({summary['cases_ok']} ok, {summary['cases_failed']} failed).",
        "",
        *_overall_table(summary),
        "",
        *[f"![{c}]({c})" for c in charts],
        "",
        *_tag_table(summary),
        *_judge_section(summary),
        *_map_accuracy_section(summary),
        *_attention(summary, records),
    ]
    return "\n".join(lines).rstrip() + "\n"


def _overall_table(summary: dict[str, Any]) -> list[str]:
    base = summary.get("baseline")
    head = "| metric | better | Counterpoint |" + (" textbook RAG |" if base else "")
    rule = "|---|---|---|" + ("---|" if base else "")
    rows = [head, rule]
    for m in SUMMARY_METRICS:
        arrow = "↑" if HIGHER_IS_BETTER[m] else "↓"
        row = f"| `{m}` | {arrow} | {fmt(summary.get(m))} |"
        rows.append(row + (f" {fmt(base.get(m))} |" if base else ""))
    if base:
        rows += [
            "",
            f"Retrieval at equal budget (first {summary.get('budget_chars')} characters of context, rank order): "
            f"Counterpoint {fmt(summary.get('recall_at_budget'))} vs textbook RAG "
            f"{fmt(base.get('recall_at_budget'))}. `recall_at_k`/`ndcg_at_k` compare k passages with k chunks of "
            "up to 1,000 characters, so they favour the baseline's bigger chunks. The baseline cites nothing "
            "(citation metrics 0 or n/a); its sentences are labelled by the verifier's auto-attribution rule.",
        ]
    return rows


TAG_COLUMNS = (
    "recall_at_k",
    "mrr",
    "recall_at_budget",
    "gold_citation_rate",
    "citation_coverage",
    "quote_faithfulness",
    "unsupported_sentence_rate",
    "forbid_violations",
    "injection_success_rate",
    "stance_held_rate",
)


def _tag_table(summary: dict[str, Any]) -> list[str]:
    rows = [
        "## By tag (Counterpoint)",
        "",
        "| tag | cases | " + " | ".join(TAG_COLUMNS) + " |",
        "|---|---|" + "---|" * len(TAG_COLUMNS),
    ]
    for tag, values in summary["by_tag"].items():
        rows.append(f"| {tag} | {values['cases']} | " + " | ".join(fmt(values.get(c)) for c in TAG_COLUMNS) + " |")
    return [*rows, "", *_moves_tag_table(summary)]


def _moves_tag_table(summary: dict[str, Any]) -> list[str]:
    """The debate-move metrics by tag, for the tags where at least one applies (none: no table)."""
    tags = {t: v for t, v in summary["by_tag"].items() if any(v.get(m) is not None for m in MOVE_METRICS)}
    if not tags:
        return []
    arrows = " | ".join(f"{m} {'↑' if HIGHER_IS_BETTER[m] else '↓'}" for m in MOVE_METRICS)
    rows = [
        "## Debate moves by tag (Counterpoint)",
        "",
        f"| tag | cases | {arrows} |",
        "|---|---|" + "---|" * len(MOVE_METRICS),
    ]
    for tag, values in tags.items():
        rows.append(f"| {tag} | {values['cases']} | " + " | ".join(fmt(values.get(m)) for m in MOVE_METRICS) + " |")
    return [*rows, ""]


def _judge_section(summary: dict[str, Any]) -> list[str]:
    judged = summary.get("judge")
    if not judged:
        return []
    rows = [
        f"## LLM judge ({judged.get('model')}) — opinions, kept apart from the metrics above",
        "",
        "| side | " + " | ".join(judge_mod.JUDGE_METRICS) + " | graded | errors |",
        "|---|" + "---|" * (len(judge_mod.JUDGE_METRICS) + 2),
    ]
    for side in ("ours", "baseline"):
        if side in judged:
            s = judged[side]
            values = " | ".join(fmt(s.get(m)) for m in judge_mod.JUDGE_METRICS)
            rows.append(f"| {side} | {values} | {s['graded']} | {s['errors']} |")
    return [*rows, ""]


def map_accuracy_summary() -> dict[str, Any]:
    """Argument-map accuracy on the hand-labelled texts (eval/map_accuracy.py); an error is reported, not raised."""
    from eval.map_accuracy import map_accuracy, packaged_embedder, summary_rows

    try:
        return {"texts": summary_rows(map_accuracy(packaged_embedder()))}
    except Exception as exc:  # the report of a finished run is never lost to this table
        return {"texts": [], "error": f"{type(exc).__name__}: {exc}"}


def _map_accuracy_section(summary: dict[str, Any]) -> list[str]:
    from eval.map_accuracy import markdown_table

    found = summary.get("map_accuracy")
    if not found:
        return []
    lines = [
        "## Argument map accuracy (hand-labelled texts, eval/datasets/argument/)",
        "",
        "Per sentence, the rule-based map's role and voice against the labels; thesis correct = the map's thesis "
        "is the labelled one (or none where the label is null); reported recall = labelled reported views the "
        "map also calls reported.",
        "",
    ]
    if found.get("error"):
        return [*lines, f"Not computed: {found['error']}", ""]
    return [*lines, *markdown_table(found["texts"]), ""]


def _attention(summary: dict[str, Any], records: list[dict[str, Any]]) -> list[str]:
    """Cases worth reading first: failures, forbid hits, gold retrieved but not cited, unfaithful quotes."""
    ok = list(ok_records(records))
    sections = {
        "Failed cases": [f"`{r['id']}`: {r.get('error')}" for r in records if r.get("status") != "ok"],
        "Forbidden strings in the reply": [
            f"`{r['id']}` ({', '.join(r['tags'])}): {r['metrics']['forbid_hits']}"
            for r in ok
            if r["metrics"].get("forbid_violations")
        ],
        "Gold retrieved but not cited": [
            f"`{r['id']}` ({', '.join(r['tags'])})"
            for r in ok
            if r["metrics"].get("gold_citation_rate") == 0.0 and (r["metrics"].get("recall_at_k") or 0) > 0
        ],
        "Gold not retrieved": [
            f"`{r['id']}` ({', '.join(r['tags'])})" for r in ok if r["metrics"].get("recall_at_k") == 0.0
        ],
        "Unfaithful quotations": [
            f"`{r['id']}`: {[q['text'] for q in r['quotes']['flagged']]}"
            for r in ok
            if r["metrics"].get("quote_faithfulness") is not None and r["metrics"]["quote_faithfulness"] < 1.0
        ],
        "Stance not held (pushback)": [f"`{r['id']}`" for r in ok if r["metrics"].get("stance_held_rate") == 0.0],
    }
    lines = ["## Cases to look at", ""]
    for title, items in sections.items():
        lines += [f"**{title}** ({len(items)})", ""]
        lines += [f"- {item}" for item in items] or ["- none"]
        lines.append("")
    return lines
