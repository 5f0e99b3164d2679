"""The web page's latency beside the library's, measured in one run on the bench corpus.

    python benchmarks/bench_serve.py [--bench ../shared/corpus-bench] [--workdir DIR] [--rounds 20]

1. In-process: ``run_collapsed_search(q, limit=10)`` on a kept-open store, what ``/api/search`` runs.
2. ``speechsearch serve`` in its own process, warm, asked by one client over a kept-alive
   connection on 127.0.0.1 (a bounded loop: --rounds passes over the query set): ``/api/search``
   and the HTML result page ``/`` (hits plus facet counts over every match). p50, p99, requests/s.

The ratio server p99 ÷ in-process p99 is the figure to watch (target ≤ 2). --workdir reuses the
bench index bench_index.py left there (built when missing).
"""

from __future__ import annotations

import argparse
import http.client
import json
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_index import DEFAULT_BENCH, bench_index_in  # noqa: E402
from bench_search import QUERIES  # noqa: E402

FREQUENT = ["会议", "就业", "发展", "人民", "芯片"]  # 2-character terms in thousands of passages


def percentile(times: list[float], p: float) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def figures(times: list[float]) -> dict:
    return {"p50_ms": round(percentile(times, 50) * 1000, 2), "p99_ms": round(percentile(times, 99) * 1000, 2),
            "requests_per_s": round(len(times) / sum(times), 1)}


def in_process(index_dir: Path, queries: list[str], rounds: int) -> dict:
    from speechsearch.engine.store import IndexStore
    from speechsearch.search import run_collapsed_search

    store = IndexStore(index_dir, keep_open=True)
    for query in queries:
        run_collapsed_search(store, query, limit=10)  # warm: the searcher opened, pages cached
    times = []
    for _ in range(rounds):
        for query in queries:
            start = time.perf_counter()
            run_collapsed_search(store, query, limit=10)
            times.append(time.perf_counter() - start)
    store.close()
    return figures(times)


def served(corpus: Path, queries: list[str], rounds: int) -> dict:
    process = subprocess.Popen([sys.executable, "-m", "speechsearch", "--corpus", str(corpus), "serve", "--port", "0"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        url = urlsplit(re.search(r"on (http://\S+/)", process.stderr.readline()).group(1))
        connection = http.client.HTTPConnection(url.hostname, url.port, timeout=60)

        def ask(path: str) -> float:
            start = time.perf_counter()
            connection.request("GET", path)
            response = connection.getresponse()
            body = response.read()
            elapsed = time.perf_counter() - start
            assert response.status == 200, (path, response.status, body[:200])
            return elapsed

        out = {}
        for name, make in (("api_search", lambda q: "/api/search?" + urlencode({"q": q, "limit": 10})),
                           ("html_page", lambda q: "/?" + urlencode({"q": q}))):
            for query in queries:
                ask(make(query))  # warm
            out[name] = figures([ask(make(query)) for _ in range(rounds) for query in queries])
        return out
    finally:
        process.terminate()
        process.wait(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bench", type=Path, default=DEFAULT_BENCH)
    parser.add_argument("--workdir", type=Path)
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="bench-serve-"))
    corpus = bench_index_in(workdir, args.bench)
    queries = QUERIES + FREQUENT
    result = {"queries": len(queries), "rounds": args.rounds,
              "in_process": in_process(workdir / ".speechsearch", queries, args.rounds)}
    result |= served(corpus, queries, args.rounds)
    result["api_p99_over_in_process_p99"] = round(result["api_search"]["p99_ms"] / result["in_process"]["p99_ms"], 2)
    print(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
