"""Ranking on judged queries (../shared/relevance: 15 policy terms over the 27 provincial work
reports, 634 lines graded by reading them), and the reader's signals it rests on."""

from __future__ import annotations

import json

import pytest

from speechsearch.engine.literal import top_results
from speechsearch.engine.store import IndexStore
from speechsearch.ranking import read_passage
from speechsearch.search import RERANK_POOL, parse_query, run_search
from tests.conftest import invoke
from tests.truth_sets import REPORTS, judged_queries, ndcg_at_10, qrels, ranked_lines

FLOOR = 0.92  # measured 0.948; corpus order 0.636, Whoosh's BM25F on the word field 0.867


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    folder = tmp_path_factory.mktemp("reports")
    (folder / "corpus.yaml").write_text(f"documents:\n  - path: {REPORTS}\n", encoding="utf-8")
    result = invoke("--corpus", str(folder / "corpus.yaml"), "index", "-q")
    assert result.exit_code == 0, result.output
    return folder


def test_judged_queries_rank_the_passages_about_the_term_first(reports):
    store = IndexStore(reports / ".speechsearch")
    judged = qrels()
    scores = {q: ndcg_at_10(judged[q], ranked_lines(run_search(store, q, limit=None))) for q in judged_queries()}
    mean = sum(scores.values()) / len(scores)
    report = "\n".join(f"{q}: {v:.3f}" for q, v in scores.items())
    assert mean >= FLOOR, f"nDCG@10 mean {mean:.3f}\n{report}"


def test_a_page_of_ten_is_the_head_of_the_full_ranking(reports):
    store = IndexStore(reports / ".speechsearch")
    for query in ("安全生产", "发展", "发展 -改革"):
        everything = [h.id for h in run_search(store, query, limit=None)]
        assert [h.id for h in run_search(store, query, limit=10)] == everything[:10], query


@pytest.mark.parametrize("query", ["发展 -改革", "发展 NOT 改革 NOT 安全", "-发展 -改革", "(发展 ANDNOT 改革) OR 创新",
                                   "创新 OR (发展 -改革)", "改革 -(发展 OR 开放)", "创新 OR -发展",
                                   "发展 (创新 OR 改革)", "就业 (创业 OR 招聘)", "发展 OR 改革 OR 创新"])
def test_the_pool_of_a_compound_query_is_the_head_of_the_full_ranking(reports, query):
    """The engine's best RERANK_POOL hits, the page's candidates, are those of the full ranking
    for ANDs, ORs and NOTs of literals (engine/boolean.py)."""
    with IndexStore(reports / ".speechsearch").open().searcher() as searcher:
        parsed = parse_query(query, searcher.reader())
        everything = [(r.docnum, r.score) for r in top_results(searcher, parsed.query, None)]
        limits = [n for n in (10, 30, RERANK_POOL) if n < len(everything)]
        assert len(limits) >= 2, len(everything)
        for limit in limits:
            assert [(r.docnum, r.score) for r in top_results(searcher, parsed.query, limit)] == everything[:limit]


@pytest.mark.parametrize("text, kind, start, grade, signal", [
    ("（三）大力发展低空经济", "heading", 0, 3, "heading"),
    ("推进城市更新，完善城市功能，提升城市品质。", "paragraph", 0, 3, "lead sentence opens on it"),
    ("推进城市更新，完善城市功能。", "paragraph", 12, 2, "first sentence of a heading's body opens on it"),
    ("加快发展新质生产力。城市更新扎实推进，完成改造项目30个。", "paragraph", 0, 2, "first clause of a sentence"),
    ("加快发展新质生产力，统筹推进产业升级和城市更新工作。", "paragraph", 0, 1, "passing mention"),
    ("统筹推进乡村振兴、城市更新、生态保护等工作。", "paragraph", 0, 0.5, "an item of a list"),
])
def test_the_grade_a_reader_gives(text, kind, start, grade, signal):
    literal = "城市更新" if "城市更新" in text else "低空经济"
    reading = read_passage(text, kind, start, [literal])
    assert (reading.grade, reading.signals[0]) == (grade, signal)


def test_explain_shows_the_parts_of_the_score(reports):
    corpus = str(reports / "corpus.yaml")
    text = invoke("--corpus", corpus, "search", "安全生产", "-n", "3", "--explain").output
    assert text.count("why: grade ") == 3 and "BM25" in text
    hits = json.loads(invoke("--corpus", corpus, "search", "安全生产", "-n", "3", "--format", "json",
                             "--explain").output)
    for hit in hits:
        parts = hit["explain"]
        assert hit["score"] == pytest.approx(parts["grade_score"] + parts["engine"], abs=1e-3)
        assert parts["signals"]
    plain = json.loads(invoke("--corpus", corpus, "search", "安全生产", "-n", "1", "--format", "json").output)
    assert "explain" not in plain[0]
