"""In-process search latency of one tree on one index: p50, p99 and each query's median.

    python benchmarks/bench_inprocess.py --workdir DIR [--src SRC] [--rounds 10] [--queries peers|serve]

DIR holds a built index (its ``.speechsearch``); SRC is the ``src`` folder of the checkout to
time (this one by default), so two trees, each on the index it built, can be run in turn and
compared: alternate the runs, since the machine drifts. Each query is searched once to warm up,
then --rounds passes of the query set (``bench_peers``' 24 or ``bench_serve``'s 17), top 10 with
``run_collapsed_search`` as bench_peers and bench_scaling time it.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workdir", type=Path, required=True)
    parser.add_argument("--src", type=Path, default=HERE.parent / "src")
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--queries", choices=("peers", "serve"), default="peers")
    args = parser.parse_args()
    sys.path.insert(0, str(args.src.resolve()))
    sys.path.insert(1, str(HERE))

    from bench_serve import percentile

    from speechsearch.engine.store import IndexStore
    from speechsearch.search import run_collapsed_search

    if args.queries == "peers":
        from bench_peers import QUERIES
    else:
        from bench_serve import QUERIES

    store = IndexStore(args.workdir / ".speechsearch", keep_open=True)
    for query in QUERIES:
        run_collapsed_search(store, query, limit=10)
    times: dict[str, list[float]] = {query: [] for query in QUERIES}
    for _ in range(args.rounds):
        for query in QUERIES:
            start = time.perf_counter()
            run_collapsed_search(store, query, limit=10)
            times[query].append(time.perf_counter() - start)
    store.close()
    every = [t for per_query in times.values() for t in per_query]
    print(json.dumps({"src": str(args.src), "p50_ms": round(percentile(every, 50) * 1000, 2),
                      "p99_ms": round(percentile(every, 99) * 1000, 2),
                      "median_ms": {q: round(statistics.median(v) * 1000, 1) for q, v in times.items()}},
                     ensure_ascii=False))


if __name__ == "__main__":
    main()
