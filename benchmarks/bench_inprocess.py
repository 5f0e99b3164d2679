"""In-process search latency of one tree on one index: p50 and p99 of bench_peers' 24 queries.

    python benchmarks/bench_inprocess.py --workdir DIR [--src SRC] [--rounds 10]

DIR holds a built index (its ``.speechsearch``); SRC is the ``src`` folder of the checkout to
time (this one by default), so two trees, each on the index it built, can be run in turn and
compared across a schema change: alternate the runs, since the machine drifts. The timing is
bench_peers' own (``latency``: a warm-up pass, then --rounds passes of top 10 with
``run_collapsed_search``).
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
    args = parser.parse_args()
    sys.path.insert(0, str(args.src.resolve()))
    sys.path.insert(1, str(HERE))

    from bench_peers import latency

    from speechsearch.engine.store import IndexStore
    from speechsearch.search import run_collapsed_search

    store = IndexStore(args.workdir / ".speechsearch", keep_open=True)
    figures = latency(lambda query: run_collapsed_search(store, query, limit=10), args.rounds)
    store.close()
    print(json.dumps({"src": str(args.src), **figures}))


if __name__ == "__main__":
    main()
