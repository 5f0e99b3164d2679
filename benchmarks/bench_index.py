"""Index the bench corpus and compare with segmentation alone, in one run.

    python benchmarks/bench_index.py [--bench ../shared/corpus-bench] [--workdir DIR] [--limit N]

Prints text MB/s, passages/s, peak memory of ``speechsearch index`` (its largest process), the
index size on disk against the raw text, the time of a second run with nothing changed, and the
ratios of full index time to segmentation alone over the same text (Python jieba, and rjieba,
which the index uses). The corpus is read from its xz JSONL files where it lies; nothing is
copied into the repository. ``--limit N`` takes the first N documents of each file.
"""

from __future__ import annotations

import argparse
import json
import lzma
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_BENCH = HERE.parent.parent / "shared" / "corpus-bench"


def bench_files(bench: Path) -> list[Path]:
    files = sorted(bench.glob("*.jsonl.xz"))
    if not files:
        sys.exit(f"no *.jsonl.xz in {bench}")
    return files


def texts(files: list[Path], limit: int | None) -> list[str]:
    out = []
    for file in files:
        with lzma.open(file, "rt", encoding="utf-8") as stream:
            for number, line in enumerate(stream):
                if limit is not None and number >= limit:
                    break
                out.append(json.loads(line)["text"])
    return out


def write_corpus(workdir: Path, files: list[Path], limit: int | None) -> Path:
    """corpus.yaml naming the bench files (or first-N subsets written to the workdir)."""
    entries = []
    for file in files:
        if limit is None:
            entries.append(str(file))
            continue
        subset = workdir / file.name.replace(".jsonl.xz", f".first{limit}.jsonl")
        with lzma.open(file, "rt", encoding="utf-8") as src, subset.open("w", encoding="utf-8") as dst:
            for number, line in enumerate(src):
                if number >= limit:
                    break
                dst.write(line)
        entries.append(subset.name)
    corpus = workdir / "corpus.yaml"
    corpus.write_text("documents:\n" + "".join(f"  - path: {e}\n" for e in entries), encoding="utf-8")
    return corpus


def bench_index_in(workdir: Path, bench: Path) -> Path:
    """corpus.yaml of the whole bench corpus in ``workdir``, indexed there unless it already is."""
    corpus = workdir / "corpus.yaml"
    if not (workdir / ".speechsearch" / "CURRENT").exists():
        write_corpus(workdir, bench_files(bench), None)
        subprocess.run([sys.executable, "-m", "speechsearch", "--corpus", str(corpus), "index", "-q"], check=True,
                       stdout=subprocess.DEVNULL)
    return corpus


def timed(fn):
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def segment_all(name: str, docs: list[str]) -> float:
    """Seconds to segment every text in search mode, the dictionary already loaded."""
    if name == "jieba":
        import jieba

        jieba.setLogLevel(60)
        jieba.initialize()
        return timed(lambda: [list(jieba.tokenize(t, mode="search")) for t in docs])[0]
    import rjieba

    rjieba.cut("预热")
    return timed(lambda: [rjieba.tokenize(t, mode="search") for t in docs])[0]


def run_index(corpus: Path, *extra: str) -> tuple[float, dict]:
    command = [sys.executable, "-m", "speechsearch", "--corpus", str(corpus), "index", "-q", "--format", "json",
               *extra]
    seconds, result = timed(lambda: subprocess.run(command, capture_output=True, text=True))
    if result.returncode not in (0, 1):
        sys.exit(f"index failed: {result.stderr}")
    return seconds, json.loads(result.stdout)


def folder_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bench", type=Path, default=DEFAULT_BENCH)
    parser.add_argument("--workdir", type=Path, help="keep the index here (default: a temporary folder)")
    parser.add_argument("--limit", type=int, help="first N documents of each file")
    args = parser.parse_args()

    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="speechsearch-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(workdir / ".speechsearch", ignore_errors=True)
    files = bench_files(args.bench)
    corpus = write_corpus(workdir, files, args.limit)
    docs = texts(files, args.limit)
    chars = sum(map(len, docs))
    text_bytes = sum(len(t.encode("utf-8")) for t in docs)

    index_seconds, report = run_index(corpus)
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    unchanged_seconds, _ = run_index(corpus)
    jieba_seconds = segment_all("jieba", docs)
    rjieba_seconds = segment_all("rjieba", docs)
    index_bytes = folder_size(workdir / ".speechsearch")

    figures = {
        "documents": len(docs),
        "text_MB": round(text_bytes / 1e6, 1),
        "chars": chars,
        "passages": report["passages"],
        "index_s": round(index_seconds, 1),
        "MB_per_s": round(text_bytes / 1e6 / index_seconds, 3),
        "passages_per_s": round(report["passages"] / index_seconds),
        "peak_memory_MiB": round(peak_kib / 1024),
        "index_size_over_text": round(index_bytes / text_bytes, 2),
        "unchanged_rerun_s": round(unchanged_seconds, 2),
        "jieba_segmentation_s": round(jieba_seconds, 1),
        "rjieba_segmentation_s": round(rjieba_seconds, 1),
        "index_over_jieba": round(index_seconds / jieba_seconds, 2),
        "index_over_rjieba": round(index_seconds / rjieba_seconds, 1),
        "failed": len(report["failed"]),
    }
    print(json.dumps(figures, ensure_ascii=False, indent=2))
    print(f"index kept in {workdir}", file=sys.stderr)


if __name__ == "__main__":
    main()
