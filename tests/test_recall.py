"""Recall equals a literal search: the hit set is exactly the passages that contain the query."""

import pytest

from speechsearch.engine.analysis import fold
from speechsearch.engine.store import IndexStore
from speechsearch.search import normalize_query_text, run_search
from tests.conftest import invoke, write_corpus

QUERIES = ["抓落实", "落实", "人社", "人社系统", "会议", "社会保障", "宣传工作", "中国梦", "舆论", "一是",
           "20xx", "抓", "实", "会上", "保障工作会议", "做好人社工作", "xx年", "8月", "讲话稿"]


def literal_matches(seed_document, literal: str) -> set[tuple[int, int]]:
    return {(p.line, p.start) for p in seed_document.passages if literal in fold(p.text)}


def hit_set(store, query: str) -> set[tuple[int, int]]:
    return {(h.line, h.start) for h in run_search(store, query, limit=None)}


@pytest.fixture(scope="module")
def store(seed_corpus):
    return IndexStore(seed_corpus / ".speechsearch")


@pytest.mark.parametrize("query", QUERIES)
def test_hits_equal_literal_matches(store, seed_document, query):
    expected = literal_matches(seed_document, normalize_query_text(query))
    assert expected, f"{query} should occur in the seed"
    assert hit_set(store, query) == expected


def test_recall_does_not_depend_on_segmentation(store, seed_document):
    # jieba keeps 狠抓落实 whole; the bigram field still finds 抓落实 inside it.
    from speechsearch.engine.analysis import get_segmenter

    assert "狠抓落实" in [w for w, _, _ in get_segmenter("rjieba").tokenize("我们必须狠抓落实", False)]
    lines = {line for line, _ in hit_set(store, "抓落实")}
    assert 7 in lines  # …我们必须锐意进取,狠抓落实,才有希望。


@pytest.mark.parametrize("traditional, simplified", [("會議", "会议"), ("人社系統", "人社系统"), ("抓落實", "抓落实"),
                                                     ("宣傳", "宣传")])
def test_traditional_query_finds_simplified_text(store, traditional, simplified):
    assert hit_set(store, traditional) == hit_set(store, simplified) != set()


def test_boolean_queries_are_set_operations(store, seed_document):
    a, b = hit_set(store, "抓落实"), hit_set(store, "人社")
    assert hit_set(store, "抓落实 人社") == a & b
    assert hit_set(store, "抓落实 OR 人社") == a | b
    assert hit_set(store, "抓落实 NOT 人社") == a - b
    assert hit_set(store, "(抓落实 OR 人社) 宣传") == (a | b) & hit_set(store, "宣传")


def test_quoted_phrase_is_literal(store, seed_document):
    assert hit_set(store, '"社会保障"') == literal_matches(seed_document, "社会保障")


def test_absent_string_finds_nothing(store):
    assert hit_set(store, "量子计算") == set()


def ctrl_f(seed_document, literal: str) -> set[tuple[int, int]]:
    """Ctrl-F on each line of the repaired text: the passage where each occurrence starts.
    Punctuation counts as typed; a space stands for any run of punctuation."""
    import re

    pieces = re.findall(r"[^\W_]+|\s+|[\W_]", literal.strip())
    pattern = re.compile("".join(r"[\W_]+" if p.isspace() else re.escape(p) for p in pieces))
    by_line: dict[int, list] = {}
    for passage in seed_document.passages:
        by_line.setdefault(passage.line, []).append(passage)
    found = set()
    for line, passages in by_line.items():
        text = fold(seed_document.lines[line - 1])
        for m in pattern.finditer(text):
            starting = [p for p in passages if p.start <= m.start() < p.end]
            found |= {(p.line, p.start) for p in starting}
    return found


def test_random_substrings_are_found_wherever_they_occur(store, seed_document):
    """Strings cut from the seed at random (rare and common, 2 to 7 characters, some spanning
    punctuation, some across two passages of a line): each finds exactly what Ctrl-F finds on
    the lines, in the passage where it starts."""
    import random
    import re

    rng = random.Random(2026)
    lines = [fold(line) for line in seed_document.lines if len(line) > 12]
    checked = 0
    for _ in range(120):
        text = rng.choice(lines)
        start = rng.randrange(len(text) - 8)
        literal = normalize_query_text(text[start:start + rng.randrange(2, 8)])
        if len(re.findall(r"[^\W_]", literal)) < 2 or not re.match(r"[^\W_]", literal):
            continue  # a query opens with a letter or digit: ",为人社" stands in a line after a passage ends
        query = '"' + literal.replace('"', " ") + '"'
        assert hit_set(store, query) == ctrl_f(seed_document, literal.replace('"', " ")), literal
        checked += 1
    assert checked > 50


@pytest.mark.parametrize("literal", ["5%", "5.5%", "人工智能+", "１０％", "“十五五”", "4.5%-5%"])
def test_symbols_and_digits_are_literal(tmp_path, literal):
    lines = ["标题", "经济增长5%左右，比上年提高0.5个百分点。", "增速为4.5%-5%之间，物价涨幅2%。",
             "城镇新增就业增长15%以上。", "居民收入增长5.5%，实施“人工智能+”行动。",
             "发展人工智能产业，推动人工智能融合。", "全年增长１０％，谋划“十五五”规划。", "编制十五五规划纲要。"]
    (tmp_path / "a.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    write_corpus(tmp_path, ["a.txt"])
    assert invoke("index", "-q", cwd=tmp_path).exit_code == 0
    hits = run_search(IndexStore(tmp_path / ".speechsearch"), literal, limit=None)
    wanted = fold(literal)
    assert sorted(h.line for h in hits) == [i for i, line in enumerate(lines, 1) if wanted in fold(line)]
    assert all(h.text[s:e] and fold(h.text[s:e]) == wanted for h in hits for s, e in h.highlights)


def test_a_string_across_a_run_in_heading_and_its_body_is_found(tmp_path):
    text = ("标题\n一、总体要求\n（一）加快建设现代化产业体系。推进制造业智能化改造。\n"
            "（二）完善制度。一是加强领导。二是完善制度。\n")
    (tmp_path / "a.txt").write_text(text, encoding="utf-8")
    write_corpus(tmp_path, ["a.txt"])
    assert invoke("index", "-q", cwd=tmp_path).exit_code == 0
    store = IndexStore(tmp_path / ".speechsearch")
    for query, line in (("产业体系。推进制造业", 3), ("加强领导。二是完善", 4), ("完善制度。一是", 4)):
        hits = run_search(store, query, limit=None)
        assert [h.line for h in hits] == [line], query
    assert run_search(store, "体系推进", limit=None) == []


def test_titles_are_found_with_the_document_or_speech_they_head(store, seed_document, tmp_path):
    hits = run_search(store, "讲话稿", limit=None)
    lines = {h.line: h for h in hits}
    assert {1, 3, 27, 48} <= set(lines)  # the document's title and the three speeches'
    assert lines[1].speech == seed_document.title and lines[1].kind == "title"
    assert lines[27].speech == lines[27].text.rstrip(":") and lines[27].path == []

    (tmp_path / "one.txt").write_text("关于稳就业的讲话\n", encoding="utf-8")  # nothing but a title
    write_corpus(tmp_path, ["one.txt"])
    assert invoke("index", "-q", cwd=tmp_path).exit_code == 0
    result = invoke("search", "稳就业", "--format", "jsonl", cwd=tmp_path)
    assert result.exit_code == 0 and '"kind": "title"' in result.output


def test_plus_requires_and_minus_excludes(store):
    assert hit_set(store, "抓落实 -宣传") == hit_set(store, "抓落实 NOT 宣传") != hit_set(store, "抓落实")
    assert hit_set(store, "+抓落实 +人社") == hit_set(store, "抓落实 人社")
    assert hit_set(store, '"抓落实" -宣传 -人社') == hit_set(store, "抓落实 NOT 宣传 NOT 人社")
    assert hit_set(store, '抓落实 -"宣传"') == hit_set(store, "抓落实 NOT 宣传")  # a sign before quotes
    assert hit_set(store, '+"抓落实" 人社') == hit_set(store, "抓落实 人社")


def test_the_traditional_table_answers_as_opencc_does(store, tmp_path):
    """A search tells a query's traditional-only characters by the table written beside the
    index, not by loading OpenCC; the table gives OpenCC's answer for every Han character, and a
    damaged one is not used."""
    from speechsearch import script

    chars = {chr(code) for low, high in script.HAN_RANGES for code in range(low, high + 1)}
    by_opencc = script.traditional_only(chars)
    assert {"會", "議", "顯", "濛"} <= by_opencc and not by_opencc & set("会议显著抓落实")
    table = (store.current() / script.TRADITIONAL_TABLE).read_bytes()
    damaged = tmp_path / "damaged"
    damaged.mkdir()
    (damaged / script.TRADITIONAL_TABLE).write_bytes(table.replace("會".encode(), "会".encode()))
    try:
        script._table = None
        script.use_traditional_table(damaged)
        assert script._table is None
        script.use_traditional_table(store.current())
        assert set(script._table) == by_opencc
        assert script.query_forms("顯著") == ["顯著", "显著"] and script.query_forms("显著") == ["显著"]
        assert hit_set(store, "會議") == hit_set(store, "会议") != set()
    finally:
        script._table = None


def test_an_implied_inner_bigram_still_needs_its_characters_in_one_run(tmp_path):
    """高质量发展 is looked up without 质量, a frequent bigram its neighbours imply (高质 ends on
    质, 量发 starts the next position): only a 质 standing alone there, at the end of a run,
    breaks the match, as in 高质，量发展."""
    from speechsearch.engine.literal import _implied_bigrams
    from speechsearch.search import parse_query

    lines = ["提升产品质量。"] * 40 + ["推动高质量发展。", "提高质，量发展不足。", "高质 量发展", "高质量。发展",
                                   "高质量发", "坚持高质量发展之路，高质量发展是主题。"]
    (tmp_path / "report.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    write_corpus(tmp_path, ["report.txt"])
    assert invoke("index", "-q", cwd=tmp_path).exit_code == 0
    store = IndexStore(tmp_path / ".speechsearch")
    with store.searcher() as searcher:
        segment = searcher.leaf_searchers()[0][0] if searcher.leaf_searchers() else searcher
        literal = parse_query("高质量发展", segment.reader()).query
        assert _implied_bigrams(segment.reader(), "chars", literal.parts) == {1: ("质", 2)}  # 质，and 质 量
    hits = [hit.text for hit in run_search(store, "高质量发展", limit=None)]
    assert sorted(hits) == sorted(line for line in lines if "高质量发展" in line)
    assert not any("质，量" in text for text in hits)
