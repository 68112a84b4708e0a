"""Run a dataset through the debate service (and, when asked, the textbook baseline), case by case.

Each finished case is appended to `results.jsonl` at once, so an interrupted run resumes where it
stopped: ids already recorded as `ok` are skipped. A case that raises, or whose backend failed (the
service then answers from the text alone and says so in `notice`), is recorded as `failed` with the
reason, left out of the metrics, and retried on the next resume; the run goes on.

A case with `turns` is a live multi-turn case: each of those user messages goes through the service
first, in order, and its reply is appended to the history, so the scored reply answers the bot's own
earlier replies (what `repeat_quote_rate` and pushback sequences need).
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.debate.errors import CounterpointError
from app.debate.textmatch import NormalisedText
from eval import metrics
from eval.dataset import EvalCase
from eval.scoring import Context, score_baseline, score_reply
from ingest.pipeline import load_all

if TYPE_CHECKING:
    from app.debate.service import DebateService
    from eval.baseline import TextbookRAG
    from eval.judge import Judge

RESULTS = "results.jsonl"
RUN_INFO = "run.json"


@dataclass(frozen=True)
class RunOptions:
    """What makes two runs comparable; a resumed run must match the recorded one."""

    dataset: str
    k: int
    budget: int
    baseline: bool
    backend: str
    model: str
    strategy: str
    commit: str | None = None


class ResultsFile:
    """`results.jsonl`: one JSON record per finished case, appended and flushed as cases finish."""

    def __init__(self, out: Path) -> None:
        self.path = out / RESULTS

    def load(self) -> dict[str, dict[str, Any]]:
        """Records by id (the last one for an id wins); a line cut off by an interrupt is dropped."""
        if not self.path.exists():
            return {}
        records: dict[str, dict[str, Any]] = {}
        for raw in self.path.read_text(encoding="utf-8").splitlines():
            try:
                record = json.loads(raw)
            except json.JSONDecodeError:
                continue
            if isinstance(record, dict) and "id" in record:
                records[record["id"]] = record
        return records

    def append(self, record: dict[str, Any]) -> None:
        with self.path.open("a", encoding="utf-8") as f:
            f.write(json.dumps(record, ensure_ascii=False) + "\n")
            f.flush()

    def rewrite(self, records: list[dict[str, Any]]) -> None:
        """Compact to one line per case (after a resume), in dataset order."""
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
        tmp.replace(self.path)


class EvalRunner:
    """Ingests the documents a dataset needs, then runs and scores its cases."""

    def __init__(
        self,
        service: DebateService,
        options: RunOptions,
        baseline: TextbookRAG | None = None,
        judge: Judge | None = None,
    ) -> None:
        self.service = service
        self.options = options
        self.baseline = baseline
        self.judge = judge
        self._chunk_texts: dict[tuple[str, str], list[str]] = {}
        self._sentence_starts: dict[str, list[int]] = {}

    # --- preparation ------------------------------------------------------------------------------
    def prepare(self, docs_dir: Path | None) -> list[str]:
        """Ingest the default essay and `docs_dir/*`, warm the retriever; returns the document slugs."""
        paths = [self.service.default_essay]
        if docs_dir is not None and docs_dir.is_dir():
            paths.append(docs_dir)
        docs = load_all(paths, max_bytes=self.service.max_upload_bytes)
        report = self.service.ingest(docs)
        for record in report.records:
            self.service.warm_up(record.slug)
            if self.baseline is not None:
                self.baseline.index(record.slug, record.text)
        return [r.slug for r in report.records]

    def warm_model(self) -> None:
        """Load the chat model before the first timed case (a no-op for the fake backend)."""
        if self.service.backend == "fake":
            return
        with contextlib.suppress(Exception):  # a dead backend shows up, case by case, as failed cases
            self.service.chat_model.invoke("Hello", max_tokens=1)

    def gold_warnings(self, cases: list[EvalCase]) -> list[str]:
        """Gold strings that are not in their document: a dataset error that would cap recall silently."""
        warnings = []
        for case in cases:
            record = self.service.document(case.doc or self.service.default_doc)
            if record is None:
                continue
            source = self.service.source(record)
            warnings += [
                f"case '{case.id}' (line {case.line}): gold not in '{record.slug}': {g!r}"
                for g in case.gold
                if source.find(g) is None
            ]
        return warnings

    # --- running ----------------------------------------------------------------------------------
    def run(self, cases: list[EvalCase], out: Path, on_case: Callable[[dict[str, Any]], None] | None = None) -> list:
        """Run every case not already recorded as ok; returns all records in dataset order."""
        out.mkdir(parents=True, exist_ok=True)
        self._check_resumable(out)
        results = ResultsFile(out)
        earlier = results.load()
        results.rewrite(list(earlier.values()))  # drops a line an interrupt cut off, before appending
        done = {i: r for i, r in earlier.items() if r.get("status") == "ok"}
        for case in cases:
            if case.id in done:
                if on_case:
                    on_case(done[case.id])
                continue
            record = self.run_case(case)
            results.append(record)
            done[case.id] = record
            if on_case:
                on_case(record)
        records = [done[c.id] for c in cases if c.id in done]
        results.rewrite(records)
        return records

    def _check_resumable(self, out: Path) -> None:
        info_path = out / RUN_INFO
        wanted = asdict(self.options)
        if info_path.exists() and (out / RESULTS).exists():
            recorded = json.loads(info_path.read_text(encoding="utf-8"))
            if recorded != wanted:
                changed = ", ".join(
                    f"{k}: {recorded.get(k)!r} -> {v!r}" for k, v in wanted.items() if recorded.get(k) != v
                )
                raise CounterpointError(
                    f"{out} holds a run with other settings ({changed}); use --fresh or another --out"
                )
        info_path.write_text(json.dumps(wanted, indent=2), encoding="utf-8")

    def run_case(self, case: EvalCase) -> dict[str, Any]:
        """One case through our service (and the baseline); never raises."""
        record: dict[str, Any] = {
            "id": case.id,
            "line": case.line,
            "tags": list(case.tags),
            "query": case.query,
            "mode": case.mode,
            "doc": case.doc or self.service.default_doc,
            "gold": list(case.gold),
            "forbid": list(case.forbid),
            "history_turns": len(case.history) + 2 * len(case.turns),
            **{k: v for k, v in (("intent", case.intent), ("stance", case.stance), ("group", case.group)) if v},
        }
        record.update(self._ours(case))
        if self.baseline is not None:
            record["baseline"] = self._baseline(case)
        return record

    def _ours(self, case: EvalCase) -> dict[str, Any]:
        started = time.perf_counter()
        try:
            history, turn_notice = self._live_history(case)
            reply = self.service.reply(case.query, history, case.mode, case.doc)
        except Exception as exc:
            return _failed(exc, started)
        data = reply.to_json()
        data["retrieved"] = data.pop("passages")
        ctx = self._context(case)
        relevant = [metrics.contains_gold(p.text, case.gold) for p in reply.passages]
        for row, rel in zip(data["retrieved"], relevant, strict=True):
            row["relevant"] = rel
        failed = bool(reply.notice or turn_notice)
        slug = case.doc or self.service.default_doc
        out = {
            "status": "failed" if failed else "ok",
            "error": turn_notice or reply.notice or None,
            **data,
            "metrics": {**score_reply(case, reply, ctx), **self._moves(case, data, history, slug, ctx)},
        }
        if case.turns:
            out["turn_replies"] = [t["content"] for t in history[len(case.history) :] if t["role"] == "assistant"]
        if self.judge is not None and not failed:
            out["judge"] = self.judge.grade(case, reply.text, [p.text for p in reply.passages])
        return out

    def _live_history(self, case: EvalCase) -> tuple[list[dict[str, str]], str]:
        """The case's history plus its live `turns`, each answered by the service; a failed turn's notice."""
        history = case.history_list()
        for number, message in enumerate(case.turns, start=1):
            reply = self.service.reply(message, [dict(t) for t in history], case.mode, case.doc)
            history += [{"role": "user", "content": message}, {"role": "assistant", "content": reply.text}]
            if reply.notice:
                return history, f"turn {number}: {reply.notice}"
        return history, ""

    def _moves(
        self, case: EvalCase, data: dict[str, Any], history: list[dict[str, str]], slug: str, ctx: Context
    ) -> dict[str, Any]:
        if slug not in self._sentence_starts:
            self._sentence_starts[slug] = metrics.sentence_starts(ctx.source.original)
        return metrics.score_moves(
            data,
            source=ctx.source,
            sentence_starts=self._sentence_starts[slug],
            gold=case.gold,
            history=history,
            tags=case.tags,
            mode=case.mode,
            intent=case.intent,
            stance=case.stance,
            group=case.group,
            fabricated=case.fabricated,
        )

    def _baseline(self, case: EvalCase) -> dict[str, Any]:
        assert self.baseline is not None
        started = time.perf_counter()
        doc = case.doc or self.service.default_doc
        try:
            answer = self.baseline.answer(case.query, case.history_list(), doc)
            ctx = self._context(case, baseline=True)
            sentences = [s for s, _ in metrics.sentences_with_markers(answer.text)]
            labels = self.baseline.label_sentences(sentences, answer.chunks, ctx.source)
        except Exception as exc:
            return _failed(exc, started)
        retrieved = [c.text for c in answer.chunks]
        out = {
            "status": "ok",
            "error": None,
            "reply": answer.text,
            "retrieved": [
                {"rank": i + 1, "start": c.start, "text": c.text, "relevant": metrics.contains_gold(c.text, case.gold)}
                for i, c in enumerate(answer.chunks)
            ],
            "sentences": [{"text": s, "label": label} for s, label in zip(sentences, labels, strict=True)],
            "timings": asdict(answer.timings),
            "tokens": {"prompt": answer.prompt_tokens, "completion": answer.completion_tokens},
            "metrics": score_baseline(
                case, answer.text, retrieved, labels, answer.timings, answer.completion_tokens, ctx
            ),
        }
        if self.judge is not None:
            out["judge"] = self.judge.grade(case, answer.text, retrieved)
        return out

    def _context(self, case: EvalCase, baseline: bool = False) -> Context:
        """Source text and how many chunks of the document contain gold, for this case's scoring."""
        slug = case.doc or self.service.default_doc
        key = (slug, "baseline" if baseline else "ours")
        if key not in self._chunk_texts:
            self._chunk_texts[key] = (
                [c.text for c in self.baseline.chunks(slug)]
                if baseline and self.baseline is not None
                else [p.text for p in self.service.passages(slug)]
            )
        relevant_total = sum(metrics.contains_gold(t, case.gold) for t in self._chunk_texts[key])
        return Context(self._source(slug), relevant_total, self.options.k, self.options.budget)

    def _source(self, slug: str) -> NormalisedText:
        record = self.service.document(slug)
        if record is None:
            raise CounterpointError(f"no document '{slug}' in the index")
        return self.service.source(record)


def _failed(exc: BaseException, started: float) -> dict[str, Any]:
    return {
        "status": "failed",
        "error": f"{type(exc).__name__}: {exc}",
        "timings": {"total_s": time.perf_counter() - started},
        "metrics": {},
    }


def ok_records(records: list[dict[str, Any]], side: str = "ours") -> Iterator[dict[str, Any]]:
    """Records whose `side` (ours, or the baseline's) finished; failed ones are left out of the metrics."""
    for record in records:
        part = record if side == "ours" else record.get(side)
        if part is not None and part.get("status") == "ok":
            yield record
