"""speechsearch beside the engines an informed user would pick instead, on the same passages.

    python benchmarks/bench_peers.py --workdir DIR [--rounds 10] [--runs 5]

DIR must hold a built speechsearch index of the bench corpus (``bench_index.bench_index_in``
makes one there if it has none). Every passage of that index is indexed again by SQLite FTS5
with its ``trigram`` tokenizer (Python's own sqlite3) and by tantivy with a field of character
bigrams (``pip install tantivy``; a benchmark peer, never a dependency of the package), so the
three engines hold the same units of text. For the 24 queries (QUERIES: the project's 12 and
12 frequent two-character terms) it reports, in one run:

- recall against a literal scan of every passage (``fold(text)`` contains the query), mean and
  minimum over the queries;
- build CPU seconds (the peers' own; speechsearch's from a rebuild with --rebuild) and index
  size, each ÷ the passages' UTF-8 bytes;
- in-process top 10: p50 / p99 over --rounds passes of the 24 queries;
- a whole-process cold search of each query, median of --runs: ``speechsearch search Q -n 10``,
  a Python process opening each peer's index, and ``rg -c Q`` over the raw text.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_index import DEFAULT_BENCH, bench_index_in, folder_size  # noqa: E402
from bench_search import QUERIES as PROJECT_QUERIES  # noqa: E402
from bench_search import USER_ENV  # noqa: E402
from bench_serve import percentile  # noqa: E402

FREQUENT = ["会议", "就业", "发展", "芯片", "人民", "经济", "建设", "改革", "国家", "企业", "社会", "安全"]
QUERIES = PROJECT_QUERIES + FREQUENT


def passages(index_dir: Path) -> tuple[list[str], dict[int, int]]:
    """The text of every passage of the speechsearch index, in document order, and each one's
    document number -> its place in that list (a build's order is its own: worker processes)."""
    from speechsearch.engine.store import IndexStore

    texts, place = [], {}
    with IndexStore(index_dir).searcher() as searcher:
        reader = searcher.reader()
        for number in range(reader.doc_count_all()):
            if not reader.is_deleted(number):
                fields = reader.stored_fields(number)
                if fields.get("kind") == "passage":
                    place[number] = len(texts)
                    texts.append(fields["text"])
    return texts, place


def literal_sets(texts: list[str]) -> dict[str, set[int]]:
    from speechsearch.engine.analysis import fold

    folded = [fold(text) for text in texts]
    return {query: {i for i, text in enumerate(folded) if query in text} for query in QUERIES}


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


# SQLite FTS5, trigram tokenizer: a query of fewer than three characters matches nothing.

def build_fts5(texts: list[str], path: Path) -> float:
    path.unlink(missing_ok=True)
    start = cpu_seconds()
    db = sqlite3.connect(path)
    db.execute("CREATE VIRTUAL TABLE passages USING fts5(text, tokenize='trigram')")
    db.executemany("INSERT INTO passages(rowid, text) VALUES (?, ?)", enumerate(texts))
    db.commit()
    db.close()
    return cpu_seconds() - start


def fts5_query(query: str) -> str:
    return '"' + query.replace('"', '""') + '"'


def fts5_all(db, query: str) -> set[int]:
    return {row[0] for row in db.execute("SELECT rowid FROM passages WHERE passages MATCH ?", (fts5_query(query),))}


def fts5_top(db, query: str) -> list[int]:
    return [row[0] for row in db.execute(
        "SELECT rowid FROM passages WHERE passages MATCH ? ORDER BY rank LIMIT 10", (fts5_query(query),))]


# tantivy, a field of character bigrams; a query is the phrase of its bigrams.

def tantivy_schema():
    import tantivy

    builder = tantivy.SchemaBuilder()
    builder.add_text_field("text", stored=False, tokenizer_name="bigram", index_option="position")
    builder.add_integer_field("n", stored=True, indexed=False, fast=True)
    return builder.build()


def tantivy_index(path: Path):
    import tantivy

    index = tantivy.Index(tantivy_schema(), path=str(path))
    analyzer = tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.ngram(min_gram=2, max_gram=2, prefix_only=False)).build()
    index.register_tokenizer("bigram", analyzer)
    return index


def build_tantivy(texts: list[str], path: Path) -> float:
    import tantivy

    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    start = cpu_seconds()
    index = tantivy_index(path)
    writer = index.writer(heap_size=256 * 2**20, num_threads=2)
    for number, text in enumerate(texts):
        writer.add_document(tantivy.Document(text=text, n=number))
    writer.commit()
    writer.wait_merging_threads()
    return cpu_seconds() - start  # tantivy's threads run in this process: RUSAGE_SELF counts them


def tantivy_search(index, query: str, limit: int) -> list[int]:
    searcher = index.searcher()
    parsed = index.parse_query(f'"{query}"', ["text"])
    hits = searcher.search(parsed, limit).hits
    return [searcher.doc(address)["n"][0] for _, address in hits]


# Whole-process cold searches: a fresh interpreter each time, as a user's shell runs one.

FTS5_PROCESS = """
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
query = '"' + sys.argv[2].replace('"', '""') + '"'
print(len(db.execute("SELECT rowid FROM passages WHERE passages MATCH ? ORDER BY rank LIMIT 10", (query,)).fetchall()))
"""

TANTIVY_PROCESS = """
import sys, tantivy
index = tantivy.Index.open(sys.argv[1])
index.register_tokenizer("bigram", tantivy.TextAnalyzerBuilder(
    tantivy.Tokenizer.ngram(min_gram=2, max_gram=2, prefix_only=False)).build())
searcher = index.searcher()
print(len(searcher.search(index.parse_query('"' + sys.argv[2] + '"', ["text"]), 10).hits))
"""


def cold(command: list[str], runs: int, cwd: Path) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=USER_ENV)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def latency(search, rounds: int, queries=QUERIES) -> dict:
    for query in queries:
        search(query)
    times = []
    for _ in range(rounds):
        for query in queries:
            start = time.perf_counter()
            search(query)
            times.append(time.perf_counter() - start)
    return {"p50_ms": round(percentile(times, 50) * 1000, 2), "p99_ms": round(percentile(times, 99) * 1000, 2)}


def recall(found: dict[str, set[int]], truth: dict[str, set[int]]) -> dict:
    shares = [len(found[q] & truth[q]) / len(truth[q]) for q in QUERIES if truth[q]]
    return {"recall_mean": round(statistics.mean(shares), 3), "recall_min": round(min(shares), 3)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bench", type=Path, default=DEFAULT_BENCH)
    parser.add_argument("--workdir", type=Path, required=True)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    corpus = bench_index_in(args.workdir, args.bench)
    index_dir = corpus.parent / ".speechsearch"

    from speechsearch.engine.store import IndexStore
    from speechsearch.search import matching_docnums, run_collapsed_search

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run([sys.executable, "-m", "speechsearch", "--corpus", str(corpus), "index", "--rebuild", "-q"],
                   check=True, stdout=subprocess.DEVNULL, env=USER_ENV)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    build = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    texts, place = passages(index_dir)
    text_bytes = sum(len(text.encode("utf-8")) for text in texts)
    truth = literal_sets(texts)
    raw = args.workdir / "peers-raw.txt"
    raw.write_text("\n".join(texts), encoding="utf-8")
    rows = {}
    store = IndexStore(index_dir, keep_open=True)
    with store.searcher() as searcher:
        ours = {q: {place[d] for d in matching_docnums(searcher, q) if d in place} for q in QUERIES}
    rows["speechsearch"] = {"build_cpu_s": round(build, 1),
                            "size_over_text": round(folder_size(index_dir) / text_bytes, 2),
                            **recall(ours, truth), **latency(lambda q: run_collapsed_search(store, q, limit=10),
                                                             args.rounds),
                            "cold_median_s": round(statistics.median(
                                cold([sys.executable, "-m", "speechsearch", "--corpus", str(corpus), "search", q,
                                      "-n", "10"], args.runs, corpus.parent) for q in QUERIES), 3)}
    store.close()
    print(json.dumps({"speechsearch": rows["speechsearch"]}), file=sys.stderr, flush=True)

    fts = args.workdir / "peers-fts5.sqlite"
    build = build_fts5(texts, fts)
    db = sqlite3.connect(fts)
    rows["fts5_trigram"] = {"build_cpu_s": round(build, 1), "size_over_text": round(fts.stat().st_size / text_bytes, 2),
                            **recall({q: fts5_all(db, q) for q in QUERIES}, truth),
                            **latency(lambda q: fts5_top(db, q), args.rounds),
                            "cold_median_s": round(statistics.median(
                                cold([sys.executable, "-c", FTS5_PROCESS, str(fts), q], args.runs, args.workdir)
                                for q in QUERIES), 3)}
    db.close()
    print(json.dumps({"fts5_trigram": rows["fts5_trigram"]}), file=sys.stderr, flush=True)

    try:
        import tantivy  # noqa: F401
    except ImportError:
        print("tantivy is not installed (pip install tantivy): its row is left out", file=sys.stderr)
    else:
        folder = args.workdir / "peers-tantivy"
        build = build_tantivy(texts, folder)
        index = tantivy_index(folder)
        index.reload()
        every = len(texts)
        rows["tantivy_bigram"] = {"build_cpu_s": round(build, 1),
                                  "size_over_text": round(folder_size(folder) / text_bytes, 2),
                                  **recall({q: set(tantivy_search(index, q, every)) for q in QUERIES}, truth),
                                  **latency(lambda q: tantivy_search(index, q, 10), args.rounds),
                                  "cold_median_s": round(statistics.median(
                                      cold([sys.executable, "-c", TANTIVY_PROCESS, str(folder), q], args.runs,
                                           args.workdir) for q in QUERIES), 3)}
        print(json.dumps({"tantivy_bigram": rows["tantivy_bigram"]}), file=sys.stderr, flush=True)

    if shutil.which("rg"):
        rows["rg"] = {"cold_median_s": round(statistics.median(
            cold(["rg", "-c", q, str(raw)], args.runs, args.workdir) for q in QUERIES), 3)}
    ours = rows["speechsearch"]
    ratios = {f"speechsearch_over_{name}_{key}": round(ours[key] / row[key], 2)
              for name, row in rows.items() if name != "speechsearch"
              for key in ("size_over_text", "p99_ms", "cold_median_s", "build_cpu_s") if row.get(key)}
    print(json.dumps({"text_MB": round(text_bytes / 1e6, 1), "passages": len(texts), "queries": QUERIES,
                      "rows": rows, "ratios": ratios}, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
