"""`reuse` and near-duplicate collapse on the bench corpus, measured in one run.

    python benchmarks/bench_reuse.py [--bench ../shared/corpus-bench] [--workdir DIR] [--runs 5]

1. A 10,000-character draft: sentences of bench passages (verbatim, with a character changed,
   inserted or deleted, or in traditional script) alternating with sentences of the seed (real
   speech text that is not in the bench corpus). Whole-process wall time of
   ``speechsearch reuse DRAFT``: the first run after an index change (it builds the fingerprint
   table), then the median of --runs cold runs, beside a plain ``search`` in the same run.
   Recall: the copied sentences reported with their own source; false matches: seed sentences
   reported at all. The table's size beside the index's.
2. Collapse: for the bench queries, every hit (``export``'s set), how many distinct passages
   remain after exact collapse and after near-duplicate collapse, and the time the near step
   takes; a sample of near groups is printed for a look by eye.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

from bench_index import DEFAULT_BENCH, bench_index_in, folder_size  # noqa: E402
from bench_search import QUERIES, USER_ENV  # noqa: E402

DRAFT_CHARS = 10_000


def wall(command: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=USER_ENV)
    return time.perf_counter() - start


def make_draft(index_dir: Path, path: Path) -> list[tuple[str, str | None]]:
    """Write the draft; returns its lines with the doc each copied line came from (None: new)."""
    import opencc

    from speechsearch.engine.store import IndexStore
    from speechsearch.shingles import matching_form, sentences

    rng = random.Random(7)
    with IndexStore(index_dir).searcher() as searcher:
        reader = searcher.reader()
        numbers = rng.sample(range(reader.doc_count_all()), 4000)
        picked = []
        for number in numbers:
            if reader.is_deleted(number):
                continue
            fields = reader.stored_fields(number)
            if fields.get("kind") != "passage":
                continue
            text = fields["text"]
            spans = [s for s in sentences(text) if 30 <= len(matching_form(text[slice(*s)])[0]) <= 120]
            if spans:
                picked.append((fields["doc"], fields["text"][slice(*rng.choice(spans))]))
    from speechsearch.ingest import ingest_file

    seed = ingest_file(REPO / "seeds" / "000_e31692385db164fe.txt", "seed", [])  # repaired: no pinyin
    new = [line[s:e] for line in seed.lines for s, e in sentences(line) if 30 <= e - s <= 120]
    to_traditional = opencc.OpenCC("s2t").convert
    lines, size = [], 0
    while size < DRAFT_CHARS:
        doc, text = picked.pop()
        how = len(lines) % 10
        middle = len(text) // 2
        if how == 2:
            text = text[:middle] + "甲" + text[middle + 1:]
        elif how == 4:
            text = text[:middle] + "切实" + text[middle:]
        elif how == 6:
            text = text[:middle] + text[middle + 1:]
        elif how == 8:
            text = to_traditional(text)
        lines.append((text, doc))
        lines.append((new[len(lines) % len(new)], None))
        size += len(lines[-1][0]) + len(lines[-2][0])
    path.write_text("\n".join(text for text, _ in lines) + "\n", encoding="utf-8")
    return lines


def reuse_figures(workdir: Path, corpus: Path, runs: int) -> dict:
    index_dir = workdir / ".speechsearch"
    draft = workdir / "draft.txt"
    lines = make_draft(index_dir, draft)
    gen = index_dir / (index_dir / "CURRENT").read_text().strip()
    for old in gen.glob("fingerprints-*"):
        old.unlink()
    command = [sys.executable, "-m", "speechsearch", "--corpus", str(corpus), "reuse", str(draft), "--format", "json"]
    first = wall(command, workdir)
    cold = statistics.median(wall(command, workdir) for _ in range(runs))
    search = statistics.median(wall([sys.executable, "-m", "speechsearch", "--corpus", str(corpus), "search", q,
                                     "-n", "10"], workdir) for q in QUERIES[:runs])
    report = json.loads(subprocess.run(command, cwd=workdir, capture_output=True, text=True, env=USER_ENV).stdout)
    found = {s["line"]: {m["source"]["doc"] for m in s["matches"]} for s in report["sentences"]}
    copied = [(n, doc) for n, (_, doc) in enumerate(lines, start=1) if doc]
    new = [n for n, (_, doc) in enumerate(lines, start=1) if not doc]
    table = sum(p.stat().st_size for p in gen.glob("fingerprints-*.npy"))
    return {
        "draft_chars": len(draft.read_text(encoding="utf-8")),
        "reuse_first_run_s": round(first, 2), "reuse_cold_median_s": round(cold, 2),
        "search_cold_median_s": round(search, 3), "reuse_over_search": round(cold / search, 1),
        "copied_sentences": len(copied), "found_with_source": sum(doc in found.get(n, ()) for n, doc in copied),
        "new_sentences": len(new), "new_reported": sum(n in found for n in new),
        "share_reported": report["share"],
        "table_mb": round(table / 2**20, 1), "index_mb": round(folder_size(gen) / 2**20, 1),
        "table_over_index": round(table / (folder_size(gen) - table), 3),
    }


def collapse_figures(index_dir: Path) -> dict:
    from speechsearch.engine.store import IndexStore
    from speechsearch.search import collapse, run_search

    store = IndexStore(index_dir, keep_open=True)
    rows, samples = [], []
    for query in QUERIES:
        hits = run_search(store, query, limit=None)
        exact = collapse([_copy(h) for h in hits], near=False)
        start = time.perf_counter()
        near = collapse([_copy(h) for h in hits])
        spent = time.perf_counter() - start
        rows.append({"query": query, "hits": len(hits), "after_exact": len(exact), "after_near": len(near),
                     "near_step_s": round(spent, 3)})
        for hit in near:
            near_copies = [c for c in hit.also_in if c.near]
            if near_copies and len(samples) < 6 and len(hit.text) < 160:
                samples.append({"query": query, "kept": hit.text, "near": near_copies[0].text,
                                "where": f"{hit.doc}:{hit.line} / {near_copies[0].doc}:{near_copies[0].line}"})
                break
    store.close()
    return {"queries": rows, "hits": sum(r["hits"] for r in rows), "after_exact": sum(r["after_exact"] for r in rows),
            "after_near": sum(r["after_near"] for r in rows), "samples": samples}


def _copy(hit):
    from dataclasses import replace

    return replace(hit, also_in=[], near=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bench", type=Path, default=DEFAULT_BENCH)
    parser.add_argument("--workdir", type=Path)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="bench-reuse-"))
    corpus = bench_index_in(workdir, args.bench)
    result = {"reuse": reuse_figures(workdir, corpus, args.runs),
              "collapse": collapse_figures(workdir / ".speechsearch")}
    print(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
