"""Put a run together: settings → service (and baseline, judge) → runner → reports. What the CLI calls.

The eval keeps its own index in `DATA_DIR/eval/` so the documents it ingests (the essay with a planted
injection, for one) never show up in a user's document list.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from app.debate.backends import SMOLLM2_FILE
from app.debate.errors import CounterpointError
from app.settings import LLMSettings, Settings
from eval.dataset import EvalCase, load_dataset
from eval.report import git_commit, write_all
from eval.runner import RESULTS, RUN_INFO, EvalRunner, RunOptions
from eval.settings import EvalSettings

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from app.debate.service import DebateService


class Progress(Protocol):
    def start(self, total: int) -> None: ...
    def step(self, record: dict[str, Any]) -> None: ...
    def close(self) -> None: ...


@dataclass
class RunRequest:
    """What `counterpoint eval run` was asked for; None means the configured default."""

    dataset: Path
    backend: str | None = None
    k: int | None = None
    out: Path | None = None
    limit: int | None = None
    baseline: bool = False
    budget: int | None = None
    fresh: bool = False
    judge: bool = True
    tags: tuple[str, ...] = ()


@dataclass
class RunResult:
    out: Path
    summary: dict[str, Any]
    warnings: list[str] = field(default_factory=list)


def select_cases(cases: list[EvalCase], tags: tuple[str, ...] = (), limit: int | None = None) -> list[EvalCase]:
    """The cases carrying any of `tags` (all when none are given), then the first `limit` of them."""
    chosen = [c for c in cases if not tags or set(c.tags) & set(tags)]
    if not chosen:
        raise CounterpointError(f"no case has any of the tags: {', '.join(tags)}")
    return chosen[:limit]


def eval_settings(settings: Settings, backend: str | None = None, k: int | None = None) -> Settings:
    """The app's settings with the eval's own data dir, and the backend and k asked for."""
    llm = settings.llm.model_copy(update={"backend": backend}) if backend else settings.llm
    retrieval = settings.retrieval.model_copy(update={"k": k}) if k else settings.retrieval
    return settings.model_copy(update={"data_dir": settings.data_dir / "eval", "llm": llm, "retrieval": retrieval})


def model_name(llm: LLMSettings, given: BaseChatModel | None = None) -> str:
    if given is not None:
        return "given chat model"
    if llm.backend == "embedded":
        return llm.gguf_path.name if llm.gguf_path else SMOLLM2_FILE
    return llm.model if llm.backend == "openai" else "fake"


def run_eval(
    settings: Settings,
    request: RunRequest,
    progress: Progress | None = None,
    chat_model: BaseChatModel | None = None,
    judge_model: BaseChatModel | None = None,
) -> RunResult:
    """Run (or resume) a dataset and write its reports; `chat_model`/`judge_model` replace the configured ones."""
    from app.wiring import make_embedder, make_service, open_store
    from eval.baseline import TextbookRAG
    from eval.judge import make_judge

    config = EvalSettings()
    cases = select_cases(load_dataset(request.dataset), request.tags, request.limit)
    out = request.out or default_out(settings, request.dataset)
    settings = eval_settings(settings, request.backend, request.k)
    embedder = make_embedder(settings)
    store = open_store(settings, embedder)
    service = make_service(settings, chat_model=chat_model, embedder=embedder, store=store)
    options = _options(request, settings, service, config.budget_chars, chat_model)
    judge = make_judge(config.judge, judge_model) if request.judge else None
    baseline = TextbookRAG(service, options.k, embedder, store.client) if request.baseline else None
    runner = EvalRunner(service, options, baseline=baseline, judge=judge)
    if request.fresh:
        for name in (RESULTS, RUN_INFO):
            (out / name).unlink(missing_ok=True)
    runner.prepare(request.dataset.parent / "docs")
    runner.warm_model()
    warnings = runner.gold_warnings(cases)
    if progress:
        progress.start(len(cases))
    try:
        records = runner.run(cases, out, on_case=progress.step if progress else None)
    finally:
        if progress:
            progress.close()
    info = {
        **_info(options),
        "judge": judge.name if judge else None,
        "timestamp": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    return RunResult(out, write_all(out, records, info), warnings)


def _options(
    request: RunRequest, settings: Settings, service: DebateService, budget: int, given: BaseChatModel | None
) -> RunOptions:
    return RunOptions(
        dataset=str(request.dataset.resolve()),
        k=settings.retrieval.k,
        budget=request.budget or budget,
        baseline=request.baseline,
        backend=settings.llm.backend,
        model=model_name(settings.llm, given),
        strategy=service.strategy,
        commit=git_commit(),
    )


def _info(options: RunOptions) -> dict[str, Any]:
    return {
        "dataset": Path(options.dataset).name,
        "dataset_path": options.dataset,
        "backend": options.backend,
        "model": options.model,
        "strategy": options.strategy,
        "k": options.k,
        "budget_chars": options.budget,
        "git_commit": options.commit,
        "baseline_recipe": (
            "RecursiveCharacterTextSplitter(1000, 200) + dense-only Chroma top-k + plain RAG prompt"
            if options.baseline
            else None
        ),
    }


def default_out(settings: Settings, dataset: Path) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    return settings.data_dir / "eval-runs" / f"{dataset.stem}-{stamp}"


def run_tune(settings: Settings, dataset: Path, ks: tuple[int, ...] = (), budget: int | None = None) -> str:
    """The retrieval sweep as a markdown table (no chat model is loaded)."""
    from app.wiring import make_service
    from eval.tune import format_rows, tune

    cases = load_dataset(dataset)
    settings = eval_settings(settings)
    service = make_service(settings)
    EvalRunner(service, _options(RunRequest(dataset), settings, service, 0, None)).prepare(dataset.parent / "docs")
    rows = tune(service, cases, ks or (settings.retrieval.k,), budget or EvalSettings().budget_chars)
    return format_rows(rows, settings.retrieval)
