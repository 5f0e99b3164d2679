"""Export speed: every match of a frequent query, in each format, from an existing index.

    python benchmarks/bench_export.py --workdir DIR [--query 发展]

DIR is a folder bench_index.py left (corpus.yaml plus .speechsearch/). Prints the number of
passages exported and, per format, the whole-process wall time and the time per 10,000 passages,
beside the time of `search --format jsonl` for the same hits (the floor: finding them).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def timed(command: list[str]) -> float:
    start = time.perf_counter()
    result = subprocess.run(command, capture_output=True)
    if result.returncode not in (0, 1):
        sys.exit(result.stderr.decode())
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workdir", type=Path, required=True)
    parser.add_argument("--query", default="发展")
    args = parser.parse_args()
    base = [sys.executable, "-m", "speechsearch", "--corpus", str(args.workdir / "corpus.yaml")]
    out = Path(tempfile.mkdtemp(prefix="export-"))
    counted = subprocess.run(base + ["export", args.query, "-o", "-", "--format", "jsonl"], capture_output=True)
    passages = len(counted.stdout.splitlines())
    search_s = timed(base + ["search", args.query, "--format", "jsonl", "-n", "10000000"])
    figures = {"query": args.query, "passages": passages, "search_all_jsonl_s": round(search_s, 2)}
    for fmt in ("jsonl", "json", "csv", "md", "docx"):
        seconds = timed(base + ["export", args.query, "-o", str(out / f"x.{fmt}"), "--force"])
        figures[f"{fmt}_s"] = round(seconds, 2)
        figures[f"{fmt}_s_per_10k"] = round(seconds / max(passages, 1) * 10_000, 2)
        figures[f"{fmt}_over_search"] = round(seconds / search_s, 2)
    print(json.dumps(figures, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
