"""Run the benchmarks and merge their figures into bench/results.json (one flat JSON object)."""

from __future__ import annotations

import argparse
import json
import platform
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from app.settings import Settings, apply_offline_env

RESULTS = Path(__file__).with_name("results.json")


def suites(quick: bool) -> dict[str, Callable[[Settings], dict[str, Any]]]:
    from bench import argument_bench, engine_bench, ingest_bench, load_bench, size_bench

    repeats = 2 if quick else 5
    return {
        "ingest": lambda s: ingest_bench.run(s, repeats=repeats),
        "engine": lambda s: engine_bench.run(s, turns=4 if quick else 10, retrieval_repeats=3 if quick else 20),
        "load": lambda s: load_bench.run(s, students=10 if quick else 30),
        "size": lambda s: size_bench.run(s, documents=40 if quick else 1000),
        "argument": lambda s: argument_bench.run(s, repeats=1 if quick else 3),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="Fewer repeats, for development.")
    parser.add_argument("--only", nargs="*", help="Run only these suites.")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    apply_offline_env()
    settings = Settings()
    results: dict[str, Any] = json.loads(args.out.read_text()) if args.out.exists() else {}
    started = time.perf_counter()
    for name, suite in suites(args.quick).items():
        if args.only and name not in args.only:
            continue
        print(f"bench: {name} ...", flush=True)
        t = time.perf_counter()
        figures = suite(settings)
        figures[f"bench_{name}_s"] = round(time.perf_counter() - t, 1)
        print(json.dumps(figures, indent=2), flush=True)
        results.update(figures)
    if not args.only:  # the whole of `make bench` (target: 15 minutes on 2 cores)
        results["bench_total_s"] = round(time.perf_counter() - started, 1)
        results["bench_quick"] = args.quick
    results["machine"] = f"{platform.machine()} {platform.processor() or ''} python {platform.python_version()}".strip()
    results["updated"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    args.out.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
