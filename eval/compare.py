"""Compare two runs' summaries and decide, from a thresholds file, whether anything regressed."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.debate.errors import CounterpointError
from eval.metrics import HIGHER_IS_BETTER, SUMMARY_METRICS
from eval.report import SUMMARY, fmt


@dataclass(frozen=True)
class Threshold:
    """How far a metric may move in its worse direction before it counts as a regression."""

    higher_is_better: bool
    tolerance: float
    relative: bool = False
    target: float | None = None  # the value to reach: at least (higher is better) or at most (lower)


@dataclass
class Row:
    metric: str
    old: float | None
    new: float | None
    threshold: Threshold | None

    @property
    def delta(self) -> float | None:
        return None if self.old is None or self.new is None else self.new - self.old

    @property
    def worsening(self) -> float | None:
        """How much worse the new value is, in the threshold's unit (absolute or a fraction of old)."""
        if self.delta is None or self.threshold is None:
            return None
        worse = -self.delta if self.threshold.higher_is_better else self.delta
        if self.threshold.relative:
            return worse / abs(self.old) if self.old else (0.0 if worse <= 0 else float("inf"))
        return worse

    @property
    def regressed(self) -> bool:
        worse = self.worsening
        return worse is not None and self.threshold is not None and worse > self.threshold.tolerance + 1e-9

    @property
    def missed_target(self) -> bool:
        """Is the new value on the wrong side of the metric's target (never when either is missing)?"""
        if self.threshold is None or self.threshold.target is None or self.new is None:
            return False
        target = self.threshold.target
        return self.new < target - 1e-9 if self.threshold.higher_is_better else self.new > target + 1e-9

    @property
    def status(self) -> str:
        if self.threshold is None:
            return "info"
        if self.regressed:
            return "REGRESSED"
        if self.missed_target:
            return "below target" if self.threshold.higher_is_better else "above target"
        return "n/a" if self.delta is None else "ok"


def load_summary(run_dir: Path) -> dict[str, Any]:
    path = Path(run_dir) / SUMMARY
    if not path.is_file():
        raise CounterpointError(f"{run_dir}: no {SUMMARY} here (is it an eval run folder?)")
    return dict(json.loads(path.read_text(encoding="utf-8")))


def load_thresholds(path: Path) -> dict[str, Threshold]:
    """`{"metrics": {name: {"better": "higher"|"lower", "tolerance": x, "relative": bool, "target": y}}}`.

    `target` (optional) is where the metric should be; missing it is shown in the table, and only a move
    beyond `tolerance` in the worse direction counts as a regression.
    """
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        out = {}
        for name, spec in data["metrics"].items():
            if spec["better"] not in ("higher", "lower"):
                raise ValueError(f"{name}: 'better' must be 'higher' or 'lower'")
            target = spec.get("target")
            out[name] = Threshold(
                spec["better"] == "higher",
                float(spec["tolerance"]),
                bool(spec.get("relative")),
                None if target is None else float(target),
            )
        return out
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise CounterpointError(f"{path}: not a usable thresholds file ({exc})") from exc


def compare(old: dict[str, Any], new: dict[str, Any], thresholds: dict[str, Threshold]) -> list[Row]:
    """One row per summary metric, in the summary's order."""
    return [Row(m, old.get(m), new.get(m), thresholds.get(m)) for m in SUMMARY_METRICS]


def format_table(rows: list[Row]) -> str:
    """A plain-text table of old, new, delta and the allowed move, for the terminal."""
    header = ("metric", "better", "old", "new", "delta", "allowed", "target", "status")
    body = [
        (
            r.metric,
            "higher" if HIGHER_IS_BETTER[r.metric] else "lower",
            fmt(r.old),
            fmt(r.new),
            "n/a" if r.delta is None else f"{r.delta:+.3f}",
            _allowed(r.threshold),
            _target(r.threshold),
            r.status,
        )
        for r in rows
    ]
    widths = [max(len(str(line[i])) for line in (header, *body)) for i in range(len(header))]
    lines = ["  ".join(str(cell).ljust(w) for cell, w in zip(line, widths, strict=True)) for line in (header, *body)]
    return "\n".join(line.rstrip() for line in lines)


def _allowed(threshold: Threshold | None) -> str:
    if threshold is None:
        return "-"
    if threshold.relative:
        return f"{threshold.tolerance:.0%} worse"
    return f"{threshold.tolerance:g} worse"


def _target(threshold: Threshold | None) -> str:
    if threshold is None or threshold.target is None:
        return "-"
    return f"{'≥' if threshold.higher_is_better else '≤'} {threshold.target:g}"


def missed_targets(rows: list[Row]) -> list[str]:
    """The metrics whose new value misses its target (a note, not a regression)."""
    return [r.metric for r in rows if r.missed_target]


def notes(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """Differences that make a comparison less meaningful."""
    out = []
    for key in ("dataset", "backend", "model", "k", "budget_chars", "cases"):
        if old.get(key) != new.get(key):
            out.append(f"note: {key} differs ({old.get(key)!r} -> {new.get(key)!r})")
    return out
