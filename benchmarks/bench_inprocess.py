"""In-process search latency of one tree on one index: p50 and p99 of bench_peers' 24 queries.

    python benchmarks/bench_inprocess.py --workdir DIR [--src SRC] [--rounds 10] [--new-searcher] [QUERY ...]

DIR holds a built index (its ``.speechsearch``); SRC is the ``src`` folder of the checkout to
time (this one by default), so two trees, each on the index it built, can be run in turn and
compared across a schema change: alternate the runs, since the machine drifts. The timing is
bench_peers' own (``latency``: a warm-up pass, then --rounds passes of top 10 with
``run_collapsed_search``). One searcher stays open for all of them, as the web page keeps one,
so what a searcher caches serves a query's later passes; ``--new-searcher`` opens the index
for every search instead, as the command line does (each time then includes the opening).
QUERY ... times those queries instead of the 24, with each one's median.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workdir", type=Path, required=True)
    parser.add_argument("--src", type=Path, default=HERE.parent / "src")
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--new-searcher", action="store_true", help="open the index for every search")
    parser.add_argument("queries", nargs="*")
    args = parser.parse_args()
    sys.path.insert(0, str(args.src.resolve()))
    sys.path.insert(1, str(HERE))

    from bench_peers import QUERIES, latency

    from speechsearch.engine.store import IndexStore
    from speechsearch.search import run_collapsed_search

    store = IndexStore(args.workdir / ".speechsearch", keep_open=not args.new_searcher)
    figures = latency(lambda query: run_collapsed_search(store, query, limit=10), args.rounds,
                      args.queries or QUERIES)
    for query in args.queries:
        figures[query] = latency(lambda q: run_collapsed_search(store, q, limit=10), args.rounds, [query])["p50_ms"]
    store.close()
    print(json.dumps({"src": str(args.src), "new_searcher": args.new_searcher, **figures}, ensure_ascii=False))


if __name__ == "__main__":
    main()
