"""A literal's phrase matching, the matcher's way and with each of its shortcuts left out.

    python benchmarks/bench_phrases.py --workdir DIR [--rounds 12] [PHRASE ...]

DIR holds a built index (its ``.speechsearch``). For each phrase it times
``literal.phrase_scores`` over every segment, for the bigram field and then the words field
(the literal's ranking phrase), three ways in turn each round: the way a literal's matcher calls
it (inner bigrams its neighbours imply are not intersected, common words are read joined with
a neighbour: ``common_words.py``), without the common grams, and without either. It checks that
all three give the same documents and scores, and prints each phrase's medians and their ratios
to the matcher's way.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))

PHRASES = ["高质量发展", "科技创新", "生态环境保护", "社会保障", "新质生产力", "全面建设社会主义现代化国家",
           "中国式现代化", "依法治国", "人类命运共同体", "全过程人民民主", "经济社会发展", "以人民为中心",
           "推动高质量发展", "社会主义现代化国家", "现代化产业体系", "发展新质生产力"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workdir", type=Path, required=True)
    parser.add_argument("--rounds", type=int, default=12)
    parser.add_argument("phrases", nargs="*", default=PHRASES)
    args = parser.parse_args()

    from speechsearch.engine import literal
    from speechsearch.engine.store import IndexStore
    from speechsearch.search import parse_query

    store = IndexStore(args.workdir / ".speechsearch", keep_open=True)
    rows = []
    with store.searcher() as searcher:
        segments = [segment for segment, _ in searcher.leaf_searchers()]
        for phrase in args.phrases:
            query = parse_query(phrase, searcher.reader()).query
            if not isinstance(query, literal.LiteralQuery):
                continue
            words = [(word,) for word in query.ranking]
            ways = {"matcher": (True, True), "no_common_grams": (True, False), "every_term": (False, False)}
            times = {way: [] for way in ways}
            answers = {}
            for round_ in range(args.rounds):
                for way in (list(ways) if round_ % 2 else list(ways)[::-1]):
                    implied, joined = ways[way]
                    start = time.perf_counter()
                    answers[way] = [(literal.phrase_scores(segment, searcher.weighting, query.fieldname, query.parts,
                                                           query.boost, bigrams=implied, joined=joined),
                                     literal.phrase_scores(segment, searcher.weighting, query.ranking_field, words,
                                                           1.0, joined=joined) if len(words) > 1 else None)
                                    for segment in segments]
                    times[way].append(time.perf_counter() - start)
            as_lists = {way: repr([[list(map(list, found)) for found in pair if found is not None] for pair in answer])
                        for way, answer in answers.items()}
            if len(set(as_lists.values())) != 1:
                raise SystemExit(f"{phrase}: the shortcuts changed the matches")
            medians = {way: statistics.median(times[way]) * 1000 for way in ways}
            rows.append({"phrase": phrase, **{f"{way}_ms": round(ms, 2) for way, ms in medians.items()},
                         **{f"{way}_ratio": round(medians["matcher"] / medians[way], 2)
                            for way in ways if way != "matcher"}})
    store.close()
    print(json.dumps(rows, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
