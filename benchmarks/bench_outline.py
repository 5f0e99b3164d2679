"""The outline on real documents, and what reading it costs.

1. The outline truth set (../shared/outline-truth, 19 documents): precision and recall per level
   with the set's own scorer (check.py), for the records as indexed (with their metadata) and
   as plain text; titles right; passages on chrome lines; breadcrumbs equal to the truth's chain.
2. The whole bench corpus: ingest (decode, repair, chrome, outline) per document, beside rjieba
   segmenting the same text in the same run (the ratio is what to compare across commits), and
   how many headings, chrome lines and notes it finds per file.

    python benchmarks/bench_outline.py
"""

from __future__ import annotations

import argparse
import json
import lzma
import re
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.truth_sets import (  # noqa: E402
    CORPUS_BENCH,
    outline_nodes,
    outline_truth,
    records,
    same_heading,
    score,
    table,
    truth_chain,
)

from speechsearch.corpus import DEFAULT_BOILERPLATE  # noqa: E402
from speechsearch.ingest import ingest_record, ingest_text  # noqa: E402

BOILERPLATE = [re.compile(p) for p in DEFAULT_BOILERPLATE]


def truth_set() -> None:
    truth = outline_truth()
    sources = records(set(truth))
    for label, make in (("records (metadata given)", lambda i: ingest_record(sources[i], i, BOILERPLATE)),
                        ("plain text (no metadata)", lambda i: ingest_text(sources[i]["text"], f"{i}.txt",
                                                                           BOILERPLATE))):
        documents = {doc_id: make(doc_id) for doc_id in truth}
        print(f"## Outline truth set, {label}")
        print(table(score(truth, {doc_id: outline_nodes(d) for doc_id, d in documents.items()})))
        titles = sum(d.title == truth[i]["title"] or (not truth[i]["title_lines"] and d.title in (i, d.metadata.get(
            "title"))) for i, d in documents.items())
        on_chrome = sum(p.line in set(truth[i]["chrome_lines"]) for i, d in documents.items() for p in d.passages)
        right = total = 0
        for doc_id, document in documents.items():
            reading = truth[doc_id]
            outside = set(reading["chrome_lines"]) | set(reading["notes_lines"]) | set(reading["title_lines"])
            for passage in document.passages:
                if passage.line in outside:
                    continue
                path = passage.path[:-1] if passage.kind == "subpoint" else passage.path
                chain = truth_chain(reading, passage.line)
                total += 1
                right += len(path) == len(chain) and all(map(same_heading, chain, path))
        print(f"titles right: {titles}/{len(truth)}  passages on chrome lines: {on_chrome}  "
              f"breadcrumbs equal to the truth's chain: {right}/{total} ({right / total:.3f})\n")


def bench_corpus(limit: int | None) -> None:
    from speechsearch.engine.analysis import get_segmenter

    segmenter = get_segmenter("rjieba")
    segmenter.tokenize("预热", False)
    print("## Bench corpus: ingest beside segmentation")
    print("| file | documents | ingest s | rjieba s | ingest ÷ rjieba | headings by level | chrome lines | notes |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for file in sorted(CORPUS_BENCH.glob("*.jsonl.xz")):
        with lzma.open(file, "rt", encoding="utf-8") as lines:
            rows = [json.loads(line) for line in lines][:limit]
        started = time.perf_counter()
        levels, chrome, notes = Counter(), 0, 0
        for row in rows:
            document = ingest_record(row, row["id"], BOILERPLATE)
            levels.update(n["level"] for n in outline_nodes(document))
            chrome += len(document.chrome_lines)
            notes += sum(p.kind == "note" for p in document.passages)
        ingest = time.perf_counter() - started
        started = time.perf_counter()
        for row in rows:
            segmenter.tokenize(row["text"], True)
        segment = time.perf_counter() - started
        by_level = " ".join(f"L{k}:{v}" for k, v in sorted(levels.items()))
        print(f"| {file.name} | {len(rows):,} | {ingest:.1f} | {segment:.1f} | {ingest / segment:.2f} | {by_level} "
              f"| {chrome:,} | {notes:,} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--limit", type=int, help="documents per bench file (default: all)")
    parser.add_argument("--skip-corpus", action="store_true", help="only the truth set")
    args = parser.parse_args()
    truth_set()
    if not args.skip_corpus:
        bench_corpus(args.limit)


if __name__ == "__main__":
    main()
