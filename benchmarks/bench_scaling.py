"""How cost grows with the corpus: ¼, ½, 1× and 2× the bench corpus, measured in one run.

    python benchmarks/bench_scaling.py [--bench ../shared/corpus-bench] [--workdir DIR] [--runs 3]

For each size: build CPU seconds (the index process and its workers) per MB of text, index size
÷ text, in-process p50 / p99 of the 17-query set (``bench_serve.py``'s: the project's 12 and five
frequent two-character terms; ``run_collapsed_search``, top 10), and the median and worst cold
``search`` of those queries (whole process, median of --runs runs each). Fractions take the first
records of each bench file; 2× adds a second copy of every record under another id, so the text
doubles and each passage has an exact twin (collapse halves the hits shown, not the work).
"""

from __future__ import annotations

import argparse
import json
import lzma
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_index import DEFAULT_BENCH, bench_files, folder_size  # noqa: E402
from bench_search import USER_ENV  # noqa: E402
from bench_serve import FREQUENT, QUERIES, in_process  # noqa: E402

FACTORS = (0.25, 0.5, 1.0, 2.0)


def write_scaled(folder: Path, files: list[Path], factor: float) -> tuple[Path, int]:
    """corpus.yaml of ``factor`` × the bench corpus in ``folder``; and its text in bytes."""
    folder.mkdir(parents=True, exist_ok=True)
    entries, text_bytes = [], 0
    for file in files:
        with lzma.open(file, "rt", encoding="utf-8") as stream:
            lines = stream.read().splitlines()
        take = lines[: max(1, int(len(lines) * min(factor, 1.0)))]
        out = folder / file.name.replace(".jsonl.xz", f".x{factor}.jsonl")
        with out.open("w", encoding="utf-8") as sink:
            for copy in range(2 if factor > 1 else 1):
                for line in take:
                    record = json.loads(line)
                    if copy:
                        record["id"] = f"{record.get('id')}-copy"
                    text_bytes += len(record.get("text", "").encode("utf-8"))
                    sink.write(json.dumps(record, ensure_ascii=False) + "\n")
        entries.append(out.name)
    corpus = folder / "corpus.yaml"
    corpus.write_text("documents:\n" + "".join(f"  - path: {e}\n" for e in entries), encoding="utf-8")
    return corpus, text_bytes


def build_cpu(corpus: Path) -> float:
    """A whole build, even where --workdir holds one from an earlier run (which a plain
    ``index`` would only find unchanged)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run([sys.executable, "-m", "speechsearch", "--corpus", str(corpus), "index", "-q", "--rebuild"],
                   check=True, stdout=subprocess.DEVNULL, env=USER_ENV)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def cold(corpus: Path, queries: list[str], runs: int) -> list[float]:
    medians = []
    for query in queries:
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            subprocess.run([sys.executable, "-m", "speechsearch", "--corpus", str(corpus), "search", query, "-n", "10"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=USER_ENV)
            times.append(time.perf_counter() - start)
        medians.append(statistics.median(times))
    return medians


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bench", type=Path, default=DEFAULT_BENCH)
    parser.add_argument("--workdir", type=Path)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="bench-scaling-"))
    files = bench_files(args.bench)
    queries = QUERIES + FREQUENT
    rows = []
    for factor in FACTORS:
        folder = workdir / f"x{factor}"
        corpus, text_bytes = write_scaled(folder, files, factor)
        cpu = build_cpu(corpus)
        latency = in_process(folder / ".speechsearch", queries, rounds=10)
        starts = cold(corpus, queries, args.runs)
        rows.append({"factor": factor, "text_MB": round(text_bytes / 1e6, 1),
                     "build_cpu_s_per_MB": round(cpu / (text_bytes / 1e6), 2),
                     "size_over_text": round(folder_size(folder / ".speechsearch") / text_bytes, 1),
                     "p50_ms": latency["p50_ms"], "p99_ms": latency["p99_ms"],
                     "cold_median_s": round(statistics.median(starts), 3), "cold_worst_s": round(max(starts), 3)})
        print(json.dumps(rows[-1]), file=sys.stderr, flush=True)
    one = next(r for r in rows if r["factor"] == 1.0)
    two = next(r for r in rows if r["factor"] == 2.0)
    print(json.dumps({"rows": rows, "p99_2x_over_1x": round(two["p99_ms"] / one["p99_ms"], 2)}, indent=2))


if __name__ == "__main__":
    main()
