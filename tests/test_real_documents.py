"""Real documents against a careful human reading: ../shared/outline-truth (19 documents of the
bench corpus: 12 provincial work reports, 4 laws, 3 news stories with numbered lists).

Scored with the truth set's own rule (check.py: line, level and the heading's first six
characters, one to one). The set's README gives the rules of the reading.
"""

from __future__ import annotations

import re

import pytest

from speechsearch.ingest import ingest_record, ingest_text
from speechsearch.script import traditional_share
from tests.conftest import BOILERPLATE
from tests.truth_sets import outline_nodes, outline_truth, records, same_heading, score, table, truth_chain

FLOOR = 0.97


@pytest.fixture(scope="module")
def truth():
    return outline_truth()


@pytest.fixture(scope="module")
def sources(truth):
    found = records(set(truth))
    assert set(found) == set(truth), "corpus-bench lacks records of the truth set"
    return found


@pytest.fixture(scope="module")
def documents(truth, sources):
    """Each record as indexed from its JSONL file (with the record's metadata)."""
    return {doc_id: ingest_record(sources[doc_id], doc_id, BOILERPLATE) for doc_id in truth}


@pytest.fixture(scope="module")
def plain_documents(truth, sources):
    """Each record's text written out as a plain .txt file, without metadata."""
    return {doc_id: ingest_text(sources[doc_id]["text"], f"{doc_id}.txt", BOILERPLATE) for doc_id in truth}


def test_the_truth_sets_own_lines_agree_with_the_records(truth, sources):
    for doc_id, reading in truth.items():
        assert len(sources[doc_id]["text"].split("\n")) == reading["n_lines"], doc_id


@pytest.mark.parametrize("which", ["documents", "plain_documents"])
def test_outline_precision_and_recall_at_every_level(request, truth, which):
    documents = request.getfixturevalue(which)
    total = score(truth, {doc_id: outline_nodes(documents[doc_id]) for doc_id in truth})
    failing = []
    for level, (matched, predicted, expected) in total.items():
        precision = matched / predicted if predicted else 1.0
        recall = matched / expected if expected else 1.0
        if precision < FLOOR or recall < FLOOR:
            failing.append(f"level {level}: P {precision:.3f} R {recall:.3f}")
    assert not failing, "\n" + table(total) + "\n" + "; ".join(failing)


def test_titles(truth, documents, plain_documents):
    wrong = []
    for doc_id, reading in truth.items():
        if documents[doc_id].title != reading["title"] and documents[doc_id].title != documents[doc_id].metadata.get(
                "title"):
            wrong.append(f"{doc_id} (record): {documents[doc_id].title!r}")
        plain = plain_documents[doc_id].title
        # Without metadata the title comes from the text; two news stories have no title line
        # (their text opens 央视网消息（新闻联播）：…), so their title is the file's name, never the lead.
        expected = reading["title"] if reading["title_lines"] else doc_id
        if plain != expected:
            wrong.append(f"{doc_id} (plain text): {plain!r}, expected {expected!r}")
    assert not wrong, "\n".join(wrong)


def test_no_passage_on_a_chrome_line(truth, documents, plain_documents):
    for docs in (documents, plain_documents):
        for doc_id, reading in truth.items():
            chrome = set(reading["chrome_lines"])
            on_chrome = [(p.line, p.text) for p in docs[doc_id].passages if p.line in chrome]
            assert not on_chrome, (doc_id, on_chrome[:5])
            assert chrome <= set(docs[doc_id].chrome_lines), doc_id


def test_glossaries_are_notes_not_points(truth, documents):
    for doc_id, reading in truth.items():
        notes = set(reading["notes_lines"])
        kinds = {p.kind for p in documents[doc_id].passages if p.line in notes}
        assert kinds <= {"note"}, (doc_id, kinds)


def test_breadcrumbs_follow_the_truths_headings(truth, documents):
    """Every passage's breadcrumb is the chain of truth headings above it (an inline sub-point,
    which the truth set does not mark, adds its own heading at the end)."""
    right, wrong = 0, []
    for doc_id, reading in truth.items():
        outside = set(reading["chrome_lines"]) | set(reading["notes_lines"]) | set(reading["title_lines"])
        for passage in documents[doc_id].passages:
            if passage.line in outside:
                continue
            path = passage.path[:-1] if passage.kind == "subpoint" else passage.path
            chain = truth_chain(reading, passage.line)
            if len(path) == len(chain) and all(map(same_heading, chain, path)):
                right += 1
            else:
                wrong.append(f"{doc_id}:{passage.line} {path} != {chain}")
    assert right / (right + len(wrong)) >= FLOOR, "\n".join(wrong[:20])


def test_simplified_text_comes_out_as_it_went_in(truth, sources, documents):
    """Round trip: each passage is the source's text at its offsets, and a line's passages
    cover all of the line (chrome and boilerplate lines aside)."""
    for doc_id in truth:
        source_lines = sources[doc_id]["text"].split("\n")
        traditional, han = traditional_share(sources[doc_id]["text"])
        assert traditional / han < 0.001, doc_id  # these are simplified documents
        by_line: dict[int, list] = {}
        for passage in documents[doc_id].passages:
            line = source_lines[passage.line - 1]
            assert line[passage.start:passage.end] == passage.text, (doc_id, passage.line)
            by_line.setdefault(passage.line, []).append(passage)
        for lineno, passages in by_line.items():
            covered = "".join(p.text for p in sorted(passages, key=lambda p: p.start))
            assert re.sub(r"\s", "", covered) == re.sub(r"\s", "", source_lines[lineno - 1]), (doc_id, lineno)
        dropped = set(documents[doc_id].chrome_lines) | set(documents[doc_id].boilerplate_lines)
        for lineno, line in enumerate(source_lines, start=1):
            if line.strip() and lineno not in dropped:
                assert lineno in by_line, (doc_id, lineno, line[:30])


def test_simplified_characters_that_opencc_would_rewrite_stay_as_written():
    doc = ingest_text("标题\n创新能级显著提升，濛溪河治理取得成效。\n", "a.txt", BOILERPLATE)
    assert [p.text for p in doc.passages][-1] == "创新能级显著提升，濛溪河治理取得成效。"


def test_traditional_text_is_still_converted():
    doc = ingest_text("標題\n我們要隨著時代發展，顯著提升會議質量。\n", "a.txt", BOILERPLATE)
    assert doc.passages[-1].text == "我们要随着时代发展，显著提升会议质量。"


def test_a_traditional_quotation_in_a_simplified_document_is_converted():
    text = "标题\n" + "我们召开了工作会议，研究部署今年的重点工作。\n" * 30 + "引文：「會議決定，這項工作由們負責。」\n"
    doc = ingest_text(text, "a.txt", BOILERPLATE)
    assert doc.passages[-1].text == "引文：「会议决定，这项工作由们负责。」"


# A report as saved from a provincial site: toolbar, breadcrumb, fields, full-width markers,
# run-in headings, a photo caption, a related-articles tail.
WEB_PAGE = """下载
打印
【字号：
大
中
小
】
您的位置：
首页
>
政务公开
>
政府工作报告
2026年某某省政府工作报告
——2026年1月20日在某某省第十四届人民代表大会第四次会议上
来源：某某日报
时间：2026-01-21
省长某某作政府工作报告。本报记者 张三 摄
各位代表：
现在，我代表省人民政府，向大会报告工作，请予审议，并请省政协委员提出意见。
一、2025年工作回顾
过去一年，我们坚持稳中求进工作总基调，全省经济运行稳中向好，国务院部署的各项任务全面完成。
（一）加快建设现代化产业体系。推进制造业智能化改造，培育新质生产力，规模以上工业增加值增长6%。
（二）持续优化营商环境。深化“放管服”改革，打造一流营商环境，经营主体增长10%。
二、2026年重点工作
（一）扩大有效需求。实施提振消费专项行动，落实国务院以旧换新政策，社会消费品零售总额增长5%。
（二）推进乡村全面振兴。稳定粮食生产，建设高标准农田，农村居民收入增长6.5%。
各位代表！让我们更加紧密地团结在以习近平同志为核心的党中央周围，奋力谱写新篇章！
相关报道：
国务院召开常务会议
国务院新闻办发布会
"""


def web_corpus(tmp_path, extra: str = ""):
    from tests.conftest import write_corpus

    (tmp_path / "report.txt").write_text(WEB_PAGE, encoding="utf-8")
    write_corpus(tmp_path, ["report.txt"], extra)
    return tmp_path


def cli(folder, *args):
    from tests.conftest import invoke

    return invoke("--corpus", str(folder / "corpus.yaml"), *args)


def test_a_saved_web_page_outlines_like_a_report(tmp_path):
    import json

    folder = web_corpus(tmp_path)
    result = cli(folder, "index")
    assert result.exit_code == 0, result.output
    assert "page chrome lines dropped: 19" in result.output
    outline = json.loads(cli(folder, "show", "report.txt", "--format", "json").output)
    sections = outline["speeches"][0]["sections"]
    assert [s["heading"] for s in sections] == ["一、2025年工作回顾", "二、2026年重点工作"]
    assert [p["heading"] for p in sections[1]["points"]] == ["（一）扩大有效需求", "（二）推进乡村全面振兴"]
    hits = json.loads(cli(folder, "search", "国务院", "--format", "json").output)
    # never the related-article links, always with the run-in heading on the breadcrumb
    assert sorted((h["line"], h["path"]) for h in hits) == [
        (22, ["一、2025年工作回顾"]), (26, ["二、2026年重点工作", "（一）扩大有效需求"])]
    assert hits[0]["title"] == "2026年某某省政府工作报告"


def test_chrome_patterns_in_corpus_yaml_extend_the_defaults(tmp_path):
    import json

    folder = web_corpus(tmp_path)
    assert cli(folder, "index").exit_code == 0
    assert cli(folder, "search", "第十四届人民代表大会").exit_code == 0  # the byline is the report's own
    # a corpus that also calls the byline chrome: the next index run re-reads every file
    (folder / "corpus.yaml").write_text("documents:\n  - path: report.txt\nchrome:\n  - ——.*会议上\n",
                                        encoding="utf-8")
    result = cli(folder, "index")
    assert "(new build)" in result.output and "page chrome lines dropped: 20" in result.output
    assert json.loads(cli(folder, "search", "第十四届人民代表大会", "--format", "json").output) == []
    bad = (folder / "corpus.yaml")
    bad.write_text("documents:\n  - path: report.txt\nchrome:\n  - '[unclosed'\n", encoding="utf-8")
    result = cli(folder, "index")
    assert result.exit_code == 3 and "chrome pattern" in result.output


def test_either_script_finds_text_kept_as_written(tmp_path):
    import json

    folder = tmp_path
    (folder / "a.txt").write_text("标题\n创新能级显著提升，濛溪河治理取得成效。\n", encoding="utf-8")
    (folder / "b.txt").write_text("標題\n隨著改革深化，會議成效顯著。\n", encoding="utf-8")
    from tests.conftest import write_corpus

    write_corpus(folder, ["a.txt", "b.txt"])
    assert cli(folder, "index").exit_code == 0
    for query in ("显著", "顯著"):
        hits = json.loads(cli(folder, "search", query, "--format", "json").output)
        assert sorted(h["doc"] for h in hits) == ["a.txt", "b.txt"], query
        assert all("显著" in h["text"] for h in hits)
    for query in ("濛溪河", "随着", "隨著"):
        assert cli(folder, "search", query).exit_code == 0, query


def test_n_counts_hits_after_repeats_collapse(tmp_path):
    import json

    from tests.conftest import write_corpus

    repeated = "各地要狠抓落实，确保各项工作落地见效。"
    for i in range(12):
        (tmp_path / f"s{i}.txt").write_text(f"讲话{i}\n{repeated}\n第{i}次会议要求狠抓落实{i}号文件。\n",
                                            encoding="utf-8")
    write_corpus(tmp_path, [f"s{i}.txt" for i in range(12)])
    assert cli(tmp_path, "index").exit_code == 0
    hits = json.loads(cli(tmp_path, "search", "狠抓落实", "-n", "3", "--format", "json").output)
    assert len(hits) == 3
    assert len({h["text"] for h in hits}) == 3


@pytest.mark.parametrize("text", ["第一行文字\u0000后面的关键词甲乙丙丁", "第一行文字\u0000後面的關鍵詞甲乙丙丁們這會"])
def test_a_nul_character_cuts_nothing(text):
    doc = ingest_record({"id": "a", "text": text}, "a.jsonl#a", BOILERPLATE)
    assert "甲乙丙丁" in "".join(p.text for p in doc.passages)
