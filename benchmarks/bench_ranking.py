"""Ranking on judged queries: nDCG@10 on ../shared/relevance (15 policy terms over the 27
provincial work reports of the bench corpus, 634 lines graded 0-3 by reading them).

Indexes the reports' JSONL file as speechsearch does and ranks each query four ways, in one run:
- corpus order (what rg shows: documents in file order, lines ascending);
- plain BM25: Whoosh's BM25F on the word field alone, over the passages that hold the query;
- jieba's own Whoosh ChineseAnalyzer, a line a document (the usual recipe), its BM25F order;
- speechsearch's ranking (``search``), the line of each hit at its best rank.
Scored with the set's ndcg.py (linear gain, a line listed twice counts once).

    python benchmarks/bench_ranking.py [--workdir DIR] [--explain QUERY]
"""

from __future__ import annotations

import argparse
import json
import lzma
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.truth_sets import REPORTS, judged_queries, ndcg_at_10, qrels, ranked_lines  # noqa: E402


def build(workdir: Path) -> Path:
    """A corpus of the reports' JSONL file, indexed; returns its index folder."""
    sys.path.insert(0, str(ROOT / "src"))
    from speechsearch.cli import cli

    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "corpus.yaml").write_text(f"documents:\n  - path: {REPORTS}\n", encoding="utf-8")
    from click.testing import CliRunner

    result = CliRunner().invoke(cli, ["--corpus", str(workdir / "corpus.yaml"), "index", "-q"])
    assert result.exit_code in (0, 1), result.output
    return workdir / ".speechsearch"


def ours(store, query: str) -> list[tuple[str, int]]:
    from speechsearch.search import run_search

    return ranked_lines(run_search(store, query, limit=None))


def plain_bm25(store, query: str) -> list[tuple[str, int]]:
    """BM25F of the word field alone, over the passages that hold the query literally."""
    from whoosh import query as q
    from whoosh.scoring import BM25F

    from speechsearch.search import hit_from_fields, lexicon_words, parse_query

    with store.searcher() as searcher:
        reader = searcher.reader()
        matching = parse_query(query, reader).query
        words = lexicon_words(query, reader)
        ranked = q.And([q.Term("words", w) for w in words]) if len(words) > 1 else q.Term("words", words[0])
        plain = searcher.__class__(reader, weighting=BM25F(), closereader=False)
        results = plain.search(q.Or([ranked, q.NullQuery]), filter=matching, limit=None)
        scored = [hit_from_fields(r.fields(), r.score, []) for r in results]
        found = {h.id for h in scored}
        rest = [hit_from_fields(f, 0.0, []) for f in (searcher.stored_fields(n) for n in searcher.docs_for_query(
            matching)) if f["id"] not in found]
        return ranked_lines(scored + rest)


def jieba_peer(rows: list[dict]):
    """A Whoosh index of every line with jieba's ChineseAnalyzer; returns a ranking function."""
    import jieba
    from jieba.analyse import ChineseAnalyzer
    from whoosh import index as whoosh_index
    from whoosh.fields import ID, NUMERIC, TEXT, Schema
    from whoosh.qparser import QueryParser

    jieba.setLogLevel(60)
    folder = tempfile.mkdtemp(prefix="peer-rank-")
    ix = whoosh_index.create_in(folder, Schema(doc=ID(stored=True), line=NUMERIC(stored=True),
                                               text=TEXT(analyzer=ChineseAnalyzer())))
    writer = ix.writer()
    for row in rows:
        for number, line in enumerate(row["text"].split("\n"), start=1):
            if line.strip():
                writer.add_document(doc=row["id"], line=number, text=line)
    writer.commit()

    def rank(query: str) -> list[tuple[str, int]]:
        with ix.searcher() as searcher:
            results = searcher.search(QueryParser("text", ix.schema).parse(query), limit=None)
            return [(r["doc"], r["line"]) for r in results]

    return rank


def corpus_order(rows: list[dict], query: str) -> list[tuple[str, int]]:
    return [(row["id"], n) for row in rows for n, line in enumerate(row["text"].split("\n"), 1) if query in line]


def evaluate(rankings: dict[str, dict[str, list[tuple[str, int]]]], judged: dict) -> dict[str, dict[str, float]]:
    return {name: {query: ndcg_at_10(judged[query], by_query.get(query, [])) for query in judged}
            for name, by_query in rankings.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="bench-ranking-"))
    index_dir = build(workdir)
    from speechsearch.engine.store import IndexStore

    store = IndexStore(index_dir)
    with lzma.open(REPORTS, "rt", encoding="utf-8") as lines:
        rows = [json.loads(line) for line in lines]
    peer = jieba_peer(rows)
    rankings = {
        "corpus order": {q: corpus_order(rows, q) for q in judged_queries()},
        "plain BM25 (word field)": {q: plain_bm25(store, q) for q in judged_queries()},
        "jieba ChineseAnalyzer": {q: peer(q) for q in judged_queries()},
        "speechsearch": {q: ours(store, q) for q in judged_queries()},
    }
    table(evaluate(rankings, qrels()), judged_queries())
    # Judged by the same rubric and left out of the set (dropped_queries.tsv): never tuned on.
    held_out = qrels("dropped_queries.tsv")
    print("\nHeld out (dropped_queries.tsv):\n")
    table(evaluate({name: {q: rank(q) for q in held_out} for name, rank in (
        ("corpus order", lambda q: corpus_order(rows, q)), ("plain BM25 (word field)", lambda q: plain_bm25(store, q)),
        ("jieba ChineseAnalyzer", peer), ("speechsearch", lambda q: ours(store, q)))}, held_out), list(held_out))


def table(scores: dict[str, dict[str, float]], queries: list[str]) -> None:
    names = list(scores)
    print("| query | " + " | ".join(names) + " |")
    print("| --- |" + " --- |" * len(names))
    for query in queries:
        print(f"| {query} | " + " | ".join(f"{scores[n][query]:.3f}" for n in names) + " |")
    means = {n: sum(scores[n].values()) / len(scores[n]) for n in names}
    print("| **mean** | " + " | ".join(f"**{means[n]:.3f}**" for n in names) + " |")


if __name__ == "__main__":
    main()
