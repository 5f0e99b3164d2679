"""A cold search, whole process, beside rg on the same text; optionally beside another tree.

    python benchmarks/bench_cold.py --workdir DIR [--rounds 5] [--baseline OLD_SRC [--baseline-workdir BDIR]]

DIR holds a built index of the bench corpus (``bench_index.bench_index_in`` makes one there if
it has none). For the 24 queries of ``bench_peers`` it runs, query by query and alternating
their order every round so that the machine's drift falls on all of them alike:

- ``speechsearch search Q -n 10`` as the console script runs it (``from speechsearch.cli import
  main``), from this tree's ``src`` and, with --baseline, from OLD_SRC too (on the same index,
  or with --baseline-workdir BDIR on the index OLD_SRC built there, when the schemas differ);
- ``rg -c Q`` over a folder of the bench documents, one file each, as a user keeps them (what
  issue 16 compared with: bench_search.py's raw folder);
- ``rg -c Q`` over one file of every passage's text (bench_peers.py's comparison).

It reports each command's median over the queries of its per-query medians, its worst query,
and the ratios. A user's Python caches bytecode, so PYTHONDONTWRITEBYTECODE is dropped from the
environment, and every tree is compiled first.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_index import DEFAULT_BENCH, bench_files, bench_index_in  # noqa: E402
from bench_peers import QUERIES, passages  # noqa: E402
from bench_search import USER_ENV, bench_documents, write_raw  # noqa: E402

SEARCH = ("import sys; sys.argv = ['speechsearch', '--corpus', sys.argv[1], 'search', sys.argv[2], '-n', '10']; "
          "from speechsearch.cli import main; main()")


def timed(command: list[str], env: dict) -> float:
    start = time.perf_counter()
    subprocess.run(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bench", type=Path, default=DEFAULT_BENCH)
    parser.add_argument("--workdir", type=Path, required=True)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--baseline", type=Path, help="the src folder of another checkout, run on the same index")
    parser.add_argument("--baseline-workdir", type=Path,
                        help="with --baseline: a folder whose corpus.yaml and index that checkout built "
                             "(for a baseline that cannot read this tree's index)")
    args = parser.parse_args()
    if args.baseline_workdir and not (args.baseline_workdir / ".speechsearch" / "CURRENT").exists():
        parser.error(f"{args.baseline_workdir} holds no index: build it with the baseline's tree first")
    corpus = bench_index_in(args.workdir, args.bench)
    folder = write_raw(bench_documents(bench_files(args.bench), None), args.workdir / "raw")
    one_file = args.workdir / "passages.txt"
    if not one_file.exists():
        one_file.write_text("\n".join(passages(corpus.parent / ".speechsearch")[0]), encoding="utf-8")

    trees = {"speechsearch": HERE.parent / "src"}
    if args.baseline:
        trees = {"baseline": args.baseline.resolve(), **trees}
    corpora = {name: corpus for name in trees}
    if args.baseline and args.baseline_workdir:
        corpora["baseline"] = args.baseline_workdir.resolve() / "corpus.yaml"
    commands = {name: ([sys.executable, "-c", SEARCH, str(corpora[name])], dict(USER_ENV, PYTHONPATH=str(src)))
                for name, src in trees.items()}
    for src in trees.values():
        compileall.compile_dir(str(src), quiet=1)
    if shutil.which("rg"):
        commands["rg_folder"] = (["rg", "-c"], USER_ENV)
        commands["rg_one_file"] = (["rg", "-c"], USER_ENV)
    targets = {"rg_folder": [str(folder)], "rg_one_file": [str(one_file)]}

    times = {name: {q: [] for q in QUERIES} for name in commands}
    for number in range(args.rounds + 1):  # the first round warms the page cache and is dropped
        order = list(commands) if number % 2 else list(reversed(commands))
        for query in QUERIES:
            for name in order:
                command, env = commands[name]
                argv = command + [query] + targets[name] if name in targets else command + [query]
                took = timed(argv, env)
                if number:
                    times[name][query].append(took)

    medians = {name: [statistics.median(v) for v in per_query.values()] for name, per_query in times.items()}
    rows = {name: {"median_s": round(statistics.median(m), 4), "worst_query_s": round(max(m), 4)}
            for name, m in medians.items()}
    ours = rows["speechsearch"]["median_s"]
    ratios = {f"speechsearch_over_{name}": round(ours / row["median_s"], 2)
              for name, row in rows.items() if name != "speechsearch"}
    print(json.dumps({"queries": len(QUERIES), "rounds": args.rounds, "cpus": os.cpu_count(), "rows": rows,
                      "ratios": ratios}, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
