"""Search speed against the user's alternatives, measured in one run.

    python benchmarks/bench_search.py [--bench ../shared/corpus-bench] [--workdir DIR] [--runs 20]
                                      [--limit N] [--peer-docs 3000]

1. Whole-process wall time of ``speechsearch search Q`` (median of --runs runs per query), beside
   ``rg Q`` and ``grep -r Q`` over the same raw text, on the seed corpus and on the bench corpus.
2. In-process latency of a query (searcher opened once; the query set run 1,000 times; top 10
   highlighted): p50 and p99.
3. The peer: jieba's own Whoosh ``ChineseAnalyzer`` (one Whoosh document per source document, the
   usual recipe) on the first --peer-docs documents of each bench file: its recall against the
   documents that literally contain each query, and its latency, beside ours on the same documents.

--workdir reuses the bench index that bench_index.py left there (it is built when missing). Raw
text for rg and grep is written to the workdir, never into the repository.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

from bench_index import DEFAULT_BENCH, bench_files, write_corpus  # noqa: E402

QUERIES = ["抓落实", "社会保障", "高质量发展", "乡村振兴", "新质生产力", "人工智能", "依法治国", "生态环境保护",
           "会议", "科技创新", "人社系统", "就业"]


# A user's Python caches bytecode; a PYTHONDONTWRITEBYTECODE left in the benchmark's environment
# would recompile speechsearch's modules on every run (about 50 ms) and time that instead.
USER_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def wall(command: list[str], cwd: Path, runs: int) -> float:
    times = []
    subprocess.run(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=USER_ENV)  # warm-up
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=USER_ENV)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def compare_processes(name: str, corpus: Path, raw: Path, runs: int) -> dict:
    ours, rg, grep = [], [], []
    for query in QUERIES:
        ours.append(wall([sys.executable, "-m", "speechsearch", "--corpus", str(corpus), "search", query, "-n", "10"],
                         corpus.parent, runs))
        if shutil.which("rg"):
            rg.append(wall(["rg", "-c", query, str(raw)], corpus.parent, runs))
        grep.append(wall(["grep", "-rc", query, str(raw)], corpus.parent, runs))
    figures = {"corpus": name, "speechsearch_median_s": round(statistics.median(ours), 3),
               "speechsearch_worst_query_s": round(max(ours), 3), "grep_median_s": round(statistics.median(grep), 3)}
    if rg:
        figures["rg_median_s"] = round(statistics.median(rg), 3)
        figures["speechsearch_over_rg"] = round(statistics.median(ours) / statistics.median(rg), 2)
    figures["speechsearch_over_grep"] = round(statistics.median(ours) / statistics.median(grep), 2)
    return figures


def in_process_latency(index_dir: Path, rounds: int = 1000) -> dict:
    from speechsearch.engine.store import IndexStore
    from speechsearch.search import Filters, hit_from_fields, parse_query

    ix = IndexStore(index_dir).open()
    times = []
    with ix.searcher() as searcher:
        only_passages = Filters().query(searcher.reader())
        for number in range(rounds):
            query = QUERIES[number % len(QUERIES)]
            start = time.perf_counter()
            parsed = parse_query(query, searcher.reader())
            results = searcher.search(parsed.query, limit=10, filter=only_passages)
            [hit_from_fields(r.fields(), r.score, parsed.literals) for r in results]
            times.append(time.perf_counter() - start)
        segments = len(searcher.reader().leaf_readers())
    times.sort()
    return {"segments": segments, "p50_ms": round(1000 * times[len(times) // 2], 2),
            "p99_ms": round(1000 * times[int(len(times) * 0.99)], 2)}


def bench_documents(files: list[Path], per_file: int | None) -> list[tuple[str, str, str]]:
    """(doc key as speechsearch names it, id, text)."""
    import lzma

    out = []
    for file in files:
        with lzma.open(file, "rt", encoding="utf-8") as stream:
            for number, line in enumerate(stream, start=1):
                if per_file is not None and number > per_file:
                    break
                record = json.loads(line)
                out.append((f"{file}#{record.get('id') or number}", record["id"], record["text"]))
    return out


def write_raw(documents, folder: Path) -> Path:
    if folder.exists():
        return folder
    folder.mkdir(parents=True)
    for _, doc_id, text in documents:
        (folder / f"{doc_id}.txt").write_text(text, encoding="utf-8")
    return folder


def peer(documents, store_dir: Path, corpus_docs: dict[str, str] | None = None) -> dict:
    """jieba's ChineseAnalyzer in Whoosh, against the literal-match set, beside ours."""
    import jieba
    from jieba.analyse import ChineseAnalyzer
    from whoosh import index as whoosh_index
    from whoosh.fields import ID, TEXT, Schema
    from whoosh.qparser import QueryParser

    from speechsearch.engine.analysis import fold
    from speechsearch.engine.store import IndexStore
    from speechsearch.search import Filters, run_search

    jieba.setLogLevel(60)
    folder = Path(tempfile.mkdtemp(prefix="peer-"))
    ix = whoosh_index.create_in(str(folder), Schema(doc=ID(stored=True), text=TEXT(analyzer=ChineseAnalyzer())))
    start = time.perf_counter()
    writer = ix.writer(limitmb=256)
    for doc, _, text in documents:
        writer.add_document(doc=doc, text=text)
    writer.commit()
    build_s = time.perf_counter() - start
    wanted = {doc_id for _, doc_id, _ in documents}
    peer_recall, our_recall, peer_times, our_times = [], [], [], []
    store = IndexStore(store_dir)
    with ix.searcher() as searcher:
        parser = QueryParser("text", ix.schema)
        for query in QUERIES:
            literal = {doc_id for _, doc_id, text in documents if query in fold(text)}
            if not literal:
                continue
            start = time.perf_counter()
            found = {r["doc"].rsplit("#", 1)[-1] for r in searcher.search(parser.parse(query), limit=None)}
            peer_times.append(time.perf_counter() - start)
            start = time.perf_counter()
            ours = {h.doc.rsplit("#", 1)[-1] for h in run_search(store, query, limit=None, filters=Filters())} & wanted
            our_times.append(time.perf_counter() - start)
            peer_recall.append(len(found & literal) / len(literal))
            our_recall.append(len(ours & literal) / len(literal))
    shutil.rmtree(folder, ignore_errors=True)
    return {"documents": len(documents), "peer_build_s": round(build_s, 1),
            "peer_recall_mean": round(statistics.mean(peer_recall), 3), "peer_recall_min": round(min(peer_recall), 3),
            "our_recall_mean": round(statistics.mean(our_recall), 3), "our_recall_min": round(min(our_recall), 3),
            "peer_query_median_ms": round(1000 * statistics.median(peer_times), 1),
            "our_query_all_hits_median_ms": round(1000 * statistics.median(our_times), 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bench", type=Path, default=DEFAULT_BENCH)
    parser.add_argument("--workdir", type=Path)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--limit", type=int, help="first N documents of each bench file")
    parser.add_argument("--peer-docs", type=int, default=3000, help="documents of each bench file for the peer")
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="speechsearch-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    results: dict = {}

    seed = workdir / "seed"
    if not seed.exists():
        seed.mkdir()
        shutil.copytree(REPO / "seeds", seed / "seeds")
        shutil.copy(REPO / "corpus.yaml", seed / "corpus.yaml")
    subprocess.run([sys.executable, "-m", "speechsearch", "--corpus", str(seed / "corpus.yaml"), "index", "-q"],
                   check=True, capture_output=True)
    results["seed"] = compare_processes("seed", seed / "corpus.yaml", seed / "seeds", args.runs)
    results["seed_in_process"] = in_process_latency(seed / ".speechsearch")

    files = bench_files(args.bench)
    corpus = workdir / "corpus.yaml"
    if not corpus.exists():
        corpus = write_corpus(workdir, files, args.limit)
    # Brings an index left by bench_index.py (or none) up to date; a no-op when it is.
    subprocess.run([sys.executable, "-m", "speechsearch", "--corpus", str(corpus), "index", "-q"], capture_output=True)
    documents = bench_documents(files, args.limit)
    raw = write_raw(documents, workdir / "raw")
    results["bench"] = compare_processes("bench", corpus, raw, args.runs)
    results["bench_in_process"] = in_process_latency(workdir / ".speechsearch")
    results["peer"] = peer(bench_documents(files, args.peer_docs), workdir / ".speechsearch")
    print(json.dumps(results, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
