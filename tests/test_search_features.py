"""Search past a plain list: ranking, filters, fields, context, grouping, related, key terms,
did-you-mean and the corpus dictionary; on the seed and on documents the tests write."""

import json

import pytest

from speechsearch.engine.analysis import fold
from speechsearch.engine.store import BM25_B, BM25_K1, IndexStore
from speechsearch.search import parse_query
from tests.conftest import SEED_DOC, invoke, write_corpus


def run(folder, *args):
    return invoke("--corpus", str(folder / "corpus.yaml"), *args)


def hits(folder, *args):
    result = run(folder, "search", *args, "--format", "jsonl", "-n", "500")
    return [json.loads(line) for line in result.output.splitlines() if line.startswith("{")]


@pytest.mark.parametrize("query, line", [("怎么抓落实", 10), ("链条化抓落实", 15), ("舆论主导权", 39),
                                         ("干部职工都是落实主体", 25), ("挖掘和培树人社系统先进典型", 41),
                                         ("谁来抓落实", 22)])
def test_a_heading_query_ranks_its_heading_first(seed_corpus, query, line):
    top = hits(seed_corpus, query)[0]
    assert (top["line"], top["kind"], top["start"]) == (line, "heading", 0)


def test_filter_flags(seed_corpus):
    everything = hits(seed_corpus, "落实")
    by_speech = hits(seed_corpus, "落实", "--speech", "(二)")
    assert by_speech and {h["speech"] for h in by_speech} == {"人社工作会议讲话稿(二)"}
    under = hits(seed_corpus, "落实", "--section", "谁来")
    assert under and all(h["path"][0] == "四、谁来抓落实" for h in under)
    subpoints = hits(seed_corpus, "落实", "--level", "sub-point")
    assert subpoints and all(h["kind"] == "subpoint" for h in subpoints)
    points = hits(seed_corpus, "落实", "--level", "point")
    assert points and all(len(h["path"]) == 2 and h["kind"] != "subpoint" for h in points)
    sections = hits(seed_corpus, "落实", "--level", "section")
    assert sections and all(len(h["path"]) == 1 for h in sections)
    assert len(hits(seed_corpus, "落实", "--doc", SEED_DOC)) == len(everything)
    assert hits(seed_corpus, "落实", "--doc", "other.txt") == []


def ids(found):
    return {h["id"] for h in found}


def test_fields_inside_the_query(seed_corpus):
    assert ids(hits(seed_corpus, "落实 section:谁来")) == ids(hits(seed_corpus, "落实", "--section", "谁来"))
    assert ids(hits(seed_corpus, "落实 level:sub-point")) == ids(hits(seed_corpus, "落实", "--level", "sub-point"))
    assert {h["speech"] for h in hits(seed_corpus, '宣传 speech:"(三)"')} == {"人社工作会议讲话稿(三)"}
    result = run(seed_corpus, "search", "落实 colour:red")
    assert result.exit_code == 2 and "unknown field 'colour'" in result.stderr


def test_metadata_fields_and_date_ranges(tmp_path):
    for name, speaker, date in [("a.md", "张三", "2023-05-01"), ("b.md", "李四", "2024-07-01"),
                                ("c.md", "张三", "2025-02-01")]:
        (tmp_path / name).write_text(f"---\nspeaker: {speaker}\ndate: {date}\n---\n讲话\n要抓落实{name}。\n",
                                     encoding="utf-8")
    write_corpus(tmp_path, ["a.md", "b.md", "c.md"])
    assert run(tmp_path, "index", "-q").exit_code == 0
    docs = lambda *a: sorted(h["doc"] for h in hits(tmp_path, *a))  # noqa: E731
    assert docs("抓落实 speaker:张三") == ["a.md", "c.md"]
    assert docs("抓落实 date:[2024 TO 2025]") == ["b.md", "c.md"]
    assert docs("抓落实 date:2023") == ["a.md"]
    assert docs("抓落实 speaker:张三 date:[2024 TO 2026]") == ["c.md"]
    assert docs("抓落实", "--speaker", "张三", "--until", "2024-12") == ["a.md"]


def test_context_around_each_hit(seed_corpus):
    result = run(seed_corpus, "search", "落实才有效果", "-C", "1")
    lines = result.output.splitlines()
    assert lines[0].endswith("三是落实才有效果")  # the breadcrumb once
    assert lines[2].startswith("- 7: 二是落实才有希望")
    assert lines[3].startswith("> 三是【落实才有效果】")
    assert lines[4].startswith("- 8: 第二,抓落实是党的优良作风")


def test_group_by_speech_counts_hits(seed_corpus):
    result = run(seed_corpus, "search", "宣传工作", "--group", "speech", "-n", "500")
    heads = [line for line in result.output.splitlines() if line and not line.startswith(" ")]
    counts = {h["speech"]: 0 for h in hits(seed_corpus, "宣传工作")}
    for h in hits(seed_corpus, "宣传工作"):
        counts[h["speech"]] += 1
    assert heads == [f"{speech}  ({n} hit{'s' if n > 1 else ''})  {SEED_DOC}" for speech, n in counts.items()]


def test_identical_passages_collapse_with_every_source(tmp_path):
    shared = "要坚持以人民为中心的发展思想。"
    (tmp_path / "a.txt").write_text(f"甲讲话\n{shared}\n", encoding="utf-8")
    (tmp_path / "b.txt").write_text(f"乙讲话\n{shared}\n", encoding="utf-8")
    write_corpus(tmp_path, ["a.txt", "b.txt"])
    collapsed = hits(tmp_path, "人民为中心")
    assert len(collapsed) == 1
    assert sorted([collapsed[0]["doc"]] + [s["doc"] for s in collapsed[0]["also_in"]]) == ["a.txt", "b.txt"]
    assert len(hits(tmp_path, "人民为中心", "--no-collapse")) == 2
    assert "= also " in run(tmp_path, "search", "人民为中心").output


def test_near_duplicate_passages_collapse_as_near(tmp_path):
    template = ("2024年{place}市坚持以人民为中心的发展思想，全年新增城镇就业12.5万人，"
                "城镇调查失业率控制在5.5%以内，民生保障持续加强。")
    different = "坚持以人民为中心的发展思想，这是我们党的根本立场，也是各项工作的出发点和落脚点，必须始终牢记。"
    for name, place in (("a.txt", "南京"), ("b.txt", "苏州"), ("c.txt", "无锡")):
        (tmp_path / name).write_text(f"{place}讲话\n{template.format(place=place)}\n", encoding="utf-8")
    (tmp_path / "d.txt").write_text(f"另一讲话\n{different}\n", encoding="utf-8")
    write_corpus(tmp_path, ["a.txt", "b.txt", "c.txt", "d.txt"])
    collapsed = hits(tmp_path, "人民为中心")
    assert len(collapsed) == 2  # the three city copies, and the other passage
    group = next(h for h in collapsed if h["also_in"])
    assert len(group["also_in"]) == 2 and all(s["near"] for s in group["also_in"])
    assert {group["doc"], *(s["doc"] for s in group["also_in"])} == {"a.txt", "b.txt", "c.txt"}
    assert len(hits(tmp_path, "人民为中心", "--no-collapse")) == 4
    assert "≈ also (near) " in run(tmp_path, "search", "人民为中心").output
    exported = run(tmp_path, "export", "人民为中心", "-o", "-", "--format", "jsonl").output.splitlines()
    assert len(exported) == 2


@pytest.mark.parametrize("pool", [200, 6])
def test_a_collapsed_page_is_the_first_n_of_every_hit_collapsed(tmp_path, monkeypatch, pool):
    """Exact repeats and near-duplicates (a city's name changed) fill the top of the ranking;
    a page of N is the first N of all hits collapsed, also when the pool runs out first and
    is read again deeper (pool 6). ``also_in`` lists the copies read before the page filled."""
    from speechsearch import search

    template = "{place}要坚持以人民为中心，城镇新增就业12.5万人，民生保障持续加强，群众获得感不断增强。"
    files = []
    for i, place in enumerate(["南京", "苏州", "无锡", "常州", "南通", "扬州"]):
        for copy in range(3):
            files.append(f"t{i}{copy}.txt")
            (tmp_path / files[-1]).write_text(f"讲话{i}{copy}\n{template.format(place=place)}\n", encoding="utf-8")
    for i in range(8):
        files.append(f"o{i}.txt")
        (tmp_path / files[-1]).write_text(f"另讲{i}\n第{i}条：坚持以人民为中心的发展思想，做好第{i}项重点工作{'。' * i}"
                                          f"{'落实' * i}。\n", encoding="utf-8")
    write_corpus(tmp_path, files)
    assert run(tmp_path, "index", "-q").exit_code == 0
    store = IndexStore(tmp_path / ".speechsearch")
    every = search.collapse(search.run_search(store, "人民为中心", limit=None))
    assert len(every) == 9 and sum(len(h.also_in) for h in every) == 17
    monkeypatch.setattr(search, "RERANK_POOL", pool)
    for n in (1, 3, 5, 9, 12):
        page = search.run_collapsed_search(store, "人民为中心", limit=n)
        assert [h.id for h in page] == [h.id for h in every[:n]], n
        for shown, full in zip(page, every, strict=False):  # the copies read before the page was full
            assert {c.id for c in shown.also_in} <= {c.id for c in full.also_in}, n
    assert sum(len(h.also_in) for h in page) == 17  # a page of every text: every copy


def test_a_collapsed_page_read_deeper_reads_each_hit_once(tmp_path, monkeypatch):
    """A law's 第一条 on its own line, repeated by more laws than a page of 2 reads at first:
    the page is read again deeper by the same searcher, and no hit's stored fields twice."""
    from whoosh.searching import Hit

    from speechsearch import search

    files = []
    for i in range(25):
        files.append(f"law{i:02}.txt")
        (tmp_path / files[-1]).write_text(f"某某条例{i}\n第一条\n为了规范第{i}项工作，制定本条例。\n", encoding="utf-8")
    with open(tmp_path / files[-1], "a", encoding="utf-8") as law:
        law.write("第二条\n违反本条例第一条规定的，由有关部门依照职责责令改正。\n")
    write_corpus(tmp_path, files)
    assert run(tmp_path, "index", "-q").exit_code == 0
    store = IndexStore(tmp_path / ".speechsearch")
    every = search.collapse(search.run_search(store, "第一条", limit=None))
    assert [h.text[:3] for h in every] == ["第一条", "违反本"] and len(every[0].also_in) == 24
    monkeypatch.setattr(search, "RERANK_POOL", 6)  # a page of 2 reads 20 hits first: copies only
    read, real = [], Hit.fields
    monkeypatch.setattr(Hit, "fields", lambda hit: read.append(hit.docnum) or real(hit))
    page = search.run_collapsed_search(store, "第一条", limit=2)
    assert [h.id for h in page] == [h.id for h in every] and len(page[0].also_in) == 24
    assert len(read) == len(set(read)) == 26  # read deeper, each hit once


def test_near_duplicates_of_many_hits_go_through_minhash():
    from speechsearch.shingles import near_duplicate_of, shingle_form, shingles

    base = ("全面贯彻党的二十大精神，坚持稳中求进工作总基调，完整准确全面贯彻新发展理念，"
            "加快构建新发展格局，着力推动高质量发展。")
    other = "编号{n}的材料谈的是另一件事情，与前面的文字毫无关系，第{n}段。"
    texts = [f"第{n}号文件：" + base if n % 2 else other.format(n=n) for n in range(900)]
    heads = near_duplicate_of([shingles(shingle_form(t)) for t in texts])  # over 400: the LSH path
    assert heads[1] is None and all(heads[n] == 1 for n in range(3, 900, 2))
    assert all(heads[n] is None or heads[n] % 2 == 0 for n in range(0, 900, 2))  # never the other text


def test_similar_finds_passages_of_other_speeches(seed_corpus):
    source = next(h for h in hits(seed_corpus, "舆论引导") if h["kind"] == "heading")
    result = run(seed_corpus, "similar", source["id"], "--format", "jsonl")
    related = [json.loads(line) for line in result.output.splitlines()]
    assert related and all(r["speech"] != source["speech"] for r in related)
    assert any("舆论" in r["text"] for r in related)
    missing = run(seed_corpus, "similar", "nope:1:0")
    assert missing.exit_code == 3 and "no passage with id 'nope:1:0'" in missing.stderr


def test_keywords_use_the_corpus_document_frequencies(tmp_path):
    (tmp_path / "jobs.txt").write_text("就业讲话\n" + "要稳定就业,扩大就业,促进就业。\n" * 5 + "要做好工作。\n",
                                       encoding="utf-8")
    (tmp_path / "school.txt").write_text("教育讲话\n" + "要办好教育,发展教育。\n" * 5 + "要做好工作。\n",
                                         encoding="utf-8")
    write_corpus(tmp_path, ["jobs.txt", "school.txt"])
    assert run(tmp_path, "index", "-q").exit_code == 0
    result = run(tmp_path, "keywords", "jobs.txt", "--format", "json", "-n", "5")
    terms = json.loads(result.output)
    assert terms[0]["term"] == "就业" and terms[0]["count"] == 16  # the title and 15 in the body
    assert "工作" not in [t["term"] for t in terms[:2]]  # in every document: no weight
    assert run(tmp_path, "keywords").exit_code == 2


@pytest.mark.parametrize("typed, meant", [("luoshi", "落实"), ("ls", "落实"), ("落时", "落实"), ("宣专", "宣传")])
def test_did_you_mean(seed_corpus, typed, meant):
    result = run(seed_corpus, "search", typed)
    assert result.exit_code == 1
    suggestion = next(line for line in result.stderr.splitlines() if line.startswith("did you mean:"))
    assert meant in suggestion.split()


def test_corpus_dictionary_keeps_words_whole_and_resegments_when_changed(tmp_path):
    (tmp_path / "a.txt").write_text("讲话\n要加强人社系统建设。\n", encoding="utf-8")
    write_corpus(tmp_path, ["a.txt"], extra="dictionary: terms.txt\n")
    (tmp_path / "terms.txt").write_text("# words jieba should keep whole\n", encoding="utf-8")
    assert run(tmp_path, "index", "-q").exit_code == 0

    def has_word(word):
        with IndexStore(tmp_path / ".speechsearch").open().reader() as reader:
            return reader.frequency("words", word) > 0

    assert not has_word("人社系统")
    (tmp_path / "terms.txt").write_text("人社系统 10 n\n", encoding="utf-8")
    result = run(tmp_path, "index", "-q", "--format", "json")
    assert json.loads(result.output)["rebuilt"]
    assert has_word("人社系统")
    assert [h["doc"] for h in hits(tmp_path, "人社系统")] == ["a.txt"]


def test_a_malformed_date_is_a_usage_error(seed_corpus):
    for args in (["抓落实", "--since", "20xx"], ["抓落实 date:[20xx TO 2025]"], ["抓落实 date:May"]):
        result = run(seed_corpus, "search", *args)
        assert result.exit_code == 2 and "is not an ISO date" in result.stderr


@pytest.mark.parametrize("a, b, near", [
    ("落时", "落实", True), ("人社系统", "人机系统", True), ("抓落实", "落实", True),
    ("落实", "抓落实", True), ("抓落实", "抓紧落实", True), ("落实", "落实", True),
    ("人社系统", "社会系统", False), ("抓落实", "狠抓落实工作", False)])
def test_one_edit_pattern(a, b, near):
    import re

    from speechsearch.discover import one_edit_pattern

    assert bool(re.fullmatch(one_edit_pattern(b), a)) is near


def _overlapping_count(literal: str, text: str) -> int:
    """How often ``literal`` starts in ``text`` counting letters and digits only, as the
    bigram field's positions do."""
    import re

    letters = "".join(re.findall(r"[^\W_]+", fold(text)))
    return sum(letters.startswith(literal, i) for i in range(len(letters)))


def test_scores_of_many_postings_are_whoosh_bm25_to_the_last_bit(seed_corpus):
    """``PhraseScore.many`` scores a list of postings with C-level steps; each float is the one
    Whoosh's ``bm25`` gives that posting, so rankings do not depend on which way was taken."""
    from whoosh.scoring import bm25

    from speechsearch.engine.codec import LENGTH_OF_BYTE
    from speechsearch.engine.literal import PhraseScore

    with IndexStore(seed_corpus / ".speechsearch").searcher() as searcher:
        idf, avgfl = searcher.idf("chars", "社会"), searcher.avg_field_length("chars")
    weights = [*range(1, 41), 2.0, 3.0, 1.5, 0.25, 7.5]
    pairs = [(weight, code) for weight in weights for code in range(256)]
    for boost in (1.0, 0.25):
        score = PhraseScore(boost, idf, avgfl, BM25_B, BM25_K1)
        expected = [boost * bm25(idf, weight, LENGTH_OF_BYTE[code], avgfl, BM25_B, BM25_K1) for weight, code in pairs]
        assert score.many([w for w, _ in pairs], [c for _, c in pairs]) == expected
        assert [score(w, c) for w, c in pairs] == expected


@pytest.mark.parametrize("literal", ["社会保障", "做好人社工作", "抓落实", "人社", "宣传思想工作"])
def test_a_literal_scores_as_bm25_of_its_phrase(seed_corpus, literal):
    """LiteralQuery finds the documents of Whoosh's own Phrase query and scores each as BM25 of
    the phrase's frequency in it (counted here in the stored text, headings twice) with the sum
    of its bigrams' idf, times its boost."""
    from whoosh import query as q
    from whoosh.scoring import bm25

    from speechsearch.engine.literal import LiteralQuery, literal_parts

    with IndexStore(seed_corpus / ".speechsearch").searcher() as searcher:  # the store's weighting
        reader = searcher.reader()
        parts = literal_parts(literal, reader)
        grams = [g for (g,) in parts]
        whoosh = q.Phrase("chars", grams) if len(grams) > 1 else q.Term("chars", grams[0])
        expected_docs = {r.docnum for r in searcher.search(whoosh, limit=None)}
        ours = {r.docnum: r.score for r in searcher.search(LiteralQuery("chars", parts, boost=0.25), limit=None)}
        assert ours and set(ours) == expected_docs
        idf = sum(searcher.idf("chars", g) for g in grams)
        avgfl = searcher.avg_field_length("chars")
        boosted = 0
        for doc, score in ours.items():
            fields = reader.stored_fields(doc)
            boost = 2.0 if fields["passage_kind"] in ("title", "heading") else 1.0
            boosted += boost > 1
            frequency = _overlapping_count(literal, fields["text"]) * boost
            length = reader.doc_field_length(doc, "chars")
            assert score == pytest.approx(0.25 * bm25(idf, frequency, length, avgfl, BM25_B, BM25_K1)), fields["text"]
        assert boosted or literal not in ("人社", "抓落实")
        frequencies = {_overlapping_count(literal, reader.stored_fields(d)["text"]) for d in ours}
        assert max(frequencies) > 1 or literal not in ("人社", "宣传思想工作")


@pytest.mark.parametrize("query", ["人社", "工作", "就业 OR 创业", "人社 NOT 就业", "就业 工作", "会",
                                   "服务 speech:讲话稿"])
def test_the_first_page_is_the_head_of_the_full_ranking(seed_corpus, query):
    """A top-10 search skips the documents that cannot enter the page (ScoredDocsMatcher.replace);
    its page is the first ten of the full ranking, scores and order alike."""
    with IndexStore(seed_corpus / ".speechsearch").open().searcher() as searcher:
        parsed = parse_query(query, searcher.reader())
        everything = [(r.docnum, r.score) for r in searcher.search(parsed.query, limit=None)]
        page = [(r.docnum, r.score) for r in searcher.search(parsed.query, limit=10)]
    assert len(everything) > 10
    assert page == everything[:10]


@pytest.mark.parametrize("query", ["工作", "人社", "会", "就业 工作", "人社 NOT 就业", "\"社会保障\""])
@pytest.mark.parametrize("limit", [1, 3, 10])
def test_a_literal_told_the_limit_keeps_the_head_of_the_full_ranking(seed_corpus, query, limit):
    """top_results tells a literal that is the whole query how many documents are wanted, and it
    hands the collector only those that can enter a segment's top N; the page is still the head
    of the full ranking, ties and order alike."""
    from speechsearch.engine.literal import LiteralQuery, top_results

    with IndexStore(seed_corpus / ".speechsearch").open().searcher() as searcher:
        parsed = parse_query(query, searcher.reader())
        everything = [(r.docnum, r.score) for r in searcher.search(parsed.query, limit=None)]
        page = [(r.docnum, r.score) for r in top_results(searcher, parsed.query, limit)]
        told = LiteralQuery.matcher(parsed.query, searcher, searcher.context(top_query=parsed.query, limit=limit)) \
            if isinstance(parsed.query, LiteralQuery) else None
    assert len(everything) > 10
    assert page == everything[:limit]
    if told is not None:  # a literal on its own: fewer documents than it matches, but at least the page
        assert limit <= len(list(told.all_ids())) < len(everything)


@pytest.mark.parametrize("query, limit, fewer", [("工作", 1, True), ("工作", 5, True), ("工作", 20, True),
                                                ("人社", 1, True), ("人社", 5, True), ("人社", 20, False),
                                                ("发展 OR 改革", 5, False), ("会议", 20, False)])
def test_a_page_reads_only_the_hits_it_needs_and_is_the_head_of_the_full_ranking(seed_corpus, monkeypatch,
                                                                                   query, limit, fewer):
    """Grading stops once no hit left unread can pass the page (a grade of 3 at most over its
    engine score): the page is the head of every hit graded, plain and collapsed; on a query of
    many hits fewer were read (on one of few, the page needs them all)."""
    from speechsearch import ranking, search

    store = IndexStore(seed_corpus / ".speechsearch")
    every = search.run_search(store, query, limit=None)
    assert len(every) <= search.RERANK_POOL  # so that without the check every hit would be read
    graded = []
    real = ranking.grade_result
    monkeypatch.setattr(ranking, "grade_result", lambda result, *rest: graded.append(1) or real(result, *rest))
    page = search.run_search(store, query, limit=limit)
    assert [(h.id, h.score) for h in page] == [(h.id, h.score) for h in every[:limit]]
    assert (len(graded) < len(every)) == fewer
    graded.clear()
    collapsed = search.run_collapsed_search(store, query, limit=limit)
    assert [h.id for h in collapsed] == [h.id for h in search.collapse(every)[:limit]]
    assert (len(graded) < len(every)) == fewer


@pytest.mark.parametrize("text", ["抓落实", "抓落实 社会保障", " 抓落实  就业 ", "AI 5G 人工智能", "ａｂｃ",
                                  "二〇二四", "抓落實", "Ａ股 港股"])
def test_a_plain_query_parses_as_whoosh_parses_it_without_its_parser(text):
    from speechsearch.search import plain_tree, whoosh_tree

    assert plain_tree(text) is not None and plain_tree(text) == whoosh_tree(text)


@pytest.mark.parametrize("text", ["抓落实 OR 就业", "NOT 就业", "x TO y", '"社会保障"', "人工智能+", "4.5%", "a_b",
                                  "speaker:张三", "(就业)", "就业*", "就业^2", "date:[2024 TO 2025]"])
def test_a_query_with_any_syntax_goes_to_whoosh_s_parser(text):
    import subprocess
    import sys

    from speechsearch.search import plain_tree

    assert plain_tree(text) is None
    code = ("import sys; from speechsearch.search import parse_query; parse_query('抓落实 就业'); "
            "print('whoosh.qparser' in sys.modules); parse_query(sys.argv[1]); print('whoosh.qparser' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code, text], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["False", "True"]


def test_a_searcher_reads_stored_fields_as_whoosh_would_without_its_schema_filter(tmp_path):
    """Segments read stored fields straight from their column; what they read is what Whoosh's
    reader gives, record for record, on several segments, and again after a live searcher's
    refresh opens a new one."""
    from whoosh.reading import SegmentReader

    def check(searcher, segments):
        leaves = [reader for reader, _ in searcher.reader().leaf_readers()]
        assert len(leaves) == segments and all("stored_fields" in vars(reader) for reader in leaves)
        for reader in leaves:
            for docnum in range(0, reader.doc_count_all(), 5):
                assert reader.stored_fields(docnum) == SegmentReader.stored_fields(reader, docnum)

    (tmp_path / "a.txt").write_text("一、总体要求\n坚持抓落实，推动高质量发展。\n", encoding="utf-8")
    (tmp_path / "b.txt").write_text("一、重点任务\n抓落实要见实效。\n", encoding="utf-8")
    write_corpus(tmp_path, ["a.txt"])
    assert invoke("index", "-q", cwd=tmp_path).exit_code == 0
    store = IndexStore(tmp_path / ".speechsearch", keep_open=True)
    with store.searcher() as searcher:
        check(searcher, 1)
    write_corpus(tmp_path, ["a.txt", "b.txt"])
    assert invoke("index", "-q", cwd=tmp_path).exit_code == 0
    with store.searcher() as searcher:  # refreshed: the first segment kept, the new one opened
        check(searcher, 2)
    store.close()


def test_whooshs_compound_matchers_as_mended():
    """engine/boolean.py: what each mended matcher does where Whoosh's did otherwise."""
    from whoosh.matching import AndMaybeMatcher, AndNotMatcher, ListMatcher
    from whoosh.matching.wrappers import InverseMatcher

    import speechsearch.engine.boolean  # noqa: F401

    # AND-MAYBE: the optional side follows the required one to where it lands (Whoosh left it
    # on 9, and the passage 10 lost its score).
    maybe = AndMaybeMatcher(ListMatcher([5, 10], all_weights=2.0), ListMatcher([9, 10], all_weights=1.0))
    maybe.skip_to(8)
    assert (maybe.id(), maybe.score()) == (10, 3.0)
    # AND-NOT built with its excluded side behind (Whoosh yielded 4).
    assert list(AndNotMatcher(ListMatcher([4, 6]), ListMatcher([2, 4])).all_ids()) == [6]
    # AND-NOT skipped past its required side's last document (Whoosh: IndexError).
    past = AndNotMatcher(ListMatcher([1, 5, 9]), ListMatcher([5, 20]))
    past.skip_to(10)
    assert not past.is_active()
    # NOT in an OR: bound by its own score, and a floor does not thin what it excludes (Whoosh
    # replaced its child by nothing and matched every document).
    inverse = InverseMatcher(ListMatcher([1, 2], all_weights=0.5), 4)
    assert inverse.max_quality() == 1.0
    assert list(inverse.replace(0.9).all_ids()) == [0, 3]
