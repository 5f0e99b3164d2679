"""A literal's phrase matching in the bigram field, with and without implied inner bigrams.

    python benchmarks/bench_phrases.py --workdir DIR [--rounds 12] [PHRASE ...]

DIR holds a built index (its ``.speechsearch``). For each phrase it times
``literal.phrase_scores`` over every segment of the chars field, the way a literal's matcher
calls it (``bigrams=True``: inner bigrams its neighbours imply are not intersected) and without
(every bigram intersected), alternating the two each round, and checks that both give the same
documents and scores. It prints each phrase's medians and their ratio.
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
            times = {True: [], False: []}
            answers = {}
            for round_ in range(args.rounds):
                for implied in ((True, False) if round_ % 2 else (False, True)):
                    start = time.perf_counter()
                    answers[implied] = [literal.phrase_scores(segment, searcher.weighting, query.fieldname,
                                                              query.parts, query.boost, bigrams=implied)
                                        for segment in segments]
                    times[implied].append(time.perf_counter() - start)
            if answers[True] != answers[False]:
                raise SystemExit(f"{phrase}: implied bigrams changed the matches")
            implied_ms, plain_ms = (statistics.median(times[flag]) * 1000 for flag in (True, False))
            rows.append({"phrase": phrase, "implied_ms": round(implied_ms, 2), "every_bigram_ms": round(plain_ms, 2),
                         "ratio": round(implied_ms / plain_ms, 2)})
    store.close()
    print(json.dumps(rows, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
