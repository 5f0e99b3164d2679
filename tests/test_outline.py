"""The parsed seed against its structure as a person reads it (tests/data/seed.outline.yaml)."""

import re

import pytest
import yaml

from speechsearch.ingest import ingest_text
from speechsearch.ingest.outline import find_subpoints, ordinal
from speechsearch.ingest.repair import to_simplified
from tests.conftest import BOILERPLATE, EXPECTED_OUTLINE

HEAD = 8  # headings are compared on their first 8 characters


@pytest.fixture(scope="module")
def expected():
    return yaml.safe_load(EXPECTED_OUTLINE.read_text(encoding="utf-8"))


# The expected file writes headings unquoted inside flow mappings, so YAML ends a heading at its
# first comma: {heading: 第一,抓落实…} reads as heading "第一" plus a key "抓落实…" with no value,
# and [一是要真抓实干,去庸变强] as two items. These helpers join the pieces back.
# Its headings also keep 著 where it means 着 (著力), as OpenCC's t2s leaves it; we use tw2s,
# which converts it, so expected headings pass through the same conversion before comparing.
def heading(node: dict) -> str:
    keys = list(node)
    rest = [k for k in keys[keys.index("heading") + 1:] if node[k] is None]
    return to_simplified(",".join([str(node["heading"]), *map(str, rest)]))


def subpoints(items: list) -> list[str]:
    joined: list[str] = []
    for item in map(str, items):
        if joined and not re.match("[一二三四五六七八九十]+[是要]|首先|其次|再次|最后", item):
            joined[-1] += "," + item
        else:
            joined.append(item)
    return joined


def test_document_title_and_boilerplate(seed_document, expected):
    assert seed_document.title == expected["document"]["title"]
    assert seed_document.boilerplate_lines == expected["document"]["boilerplate_lines"]


def test_speeches(seed_document, expected):
    assert [s.title for s in seed_document.speeches] == [s["title"] for s in expected["speeches"]]
    for got, want in zip(seed_document.speeches, expected["speeches"], strict=True):
        assert got.line == want["heading_line"]
        assert got.salutation_line == want.get("salutation_line")
        assert got.preamble_lines == want.get("preamble_lines", [])
        assert got.closing_lines == want.get("closing_lines", [])


def _sections(speech):
    return [(s.line, s.heading[:HEAD], s.intro_lines) for s in speech.sections]


def test_sections(seed_document, expected):
    for got, want in zip(seed_document.speeches, expected["speeches"], strict=True):
        assert _sections(got) == [(s["line"], heading(s)[:HEAD], s.get("intro_lines", []))
                                  for s in want["sections"]], got.title


def test_points_and_subpoints(seed_document, expected):
    for got_speech, want_speech in zip(seed_document.speeches, expected["speeches"], strict=True):
        for got, want in zip(got_speech.sections, want_speech["sections"], strict=True):
            got_points = [(p.line, p.heading[:HEAD], [s.heading[:HEAD] for s in p.subpoints]) for p in got.points]
            want_points = [(p["line"], heading(p)[:HEAD], [s[:HEAD] for s in subpoints(p.get("subpoints", []))])
                           for p in want.get("points", [])]
            assert got_points == want_points, got.heading


def test_every_content_line_is_covered_by_passages(seed_document):
    """Titles included: a search for words of a title finds it, as Ctrl-F would."""
    titles = {s.line for s in seed_document.speeches} | {1}
    assert {p.line for p in seed_document.passages if p.kind == "title"} == titles
    covered: dict[int, set[int]] = {}
    for p in seed_document.passages:
        assert seed_document.lines[p.line - 1][p.start:p.end] == p.text
        covered.setdefault(p.line, set()).update(range(p.start, p.end))
    for lineno, text in enumerate(seed_document.lines, start=1):
        if lineno in seed_document.boilerplate_lines:
            assert lineno not in covered
            continue
        visible = {i for i, ch in enumerate(text) if not ch.isspace()}
        assert visible <= covered.get(lineno, set()), f"line {lineno} has text outside every passage"


def test_passages_carry_breadcrumbs(seed_document):
    by_place = {(p.line, p.start): p for p in seed_document.passages}
    sub = next(p for p in seed_document.passages if p.text.startswith("二是落实才有希望"))
    assert sub.path == ["一、为什么要抓落实", "第一,抓落实是推动工作的唯一途径", "二是落实才有希望"]
    assert sub.speech == "人社工作会议讲话稿(一)" and sub.kind == "subpoint"
    heading = by_place[(6, 0)]
    assert heading.kind == "heading" and heading.path == ["一、为什么要抓落实"]


def parse(text: str):
    return ingest_text(text, "t.txt", BOILERPLATE)


def test_stray_marker_inside_a_sentence_is_not_a_heading():
    doc = parse("标题\n一、总体要求\n我们要做到一、二、三点要求。\n二、重点任务\n正文。\n")
    assert [s.heading for s in doc.speeches[0].sections] == ["一、总体要求", "二、重点任务"]


def test_markers_must_run_in_sequence():
    doc = parse("标题\n一、开头\n正文。\n三、跳过的序号\n二、第二部分\n正文。\n")
    assert [s.line for s in doc.speeches[0].sections] == [2, 5]


def test_a_lone_first_marker_is_not_a_heading():
    doc = parse("标题\n首先,我代表县委向大家问好。\n今天开会。\n")
    assert doc.speeches[0].sections == []
    assert doc.speeches[0].preamble_lines == [2, 3]


def test_levels_come_from_nesting_not_from_the_marker():
    # (一) opens the first level when no 一、 precedes it; 1、 nests under it.
    doc = parse("标题\n(一)第一部分\n1、甲。正文。\n2、乙。正文。\n(二)第二部分\n1、丙。正文。\n2、丁\n正文。\n")
    sections = doc.speeches[0].sections
    assert [s.heading for s in sections] == ["(一)第一部分", "(二)第二部分"]
    assert [p.heading for p in sections[1].points] == ["1、丙", "2、丁"]
    assert all(p.level == 2 for s in sections for p in s.points)


def test_numbered_lines_of_one_sentence_each_are_a_list_not_headings():
    # 民生实事 1.–3.: items one after another, none with a body of its own
    doc = parse("标题\n一、民生实事\n正文。\n1.新增就业10万人；发放补贴。\n2.改造老旧小区。\n3.新建学校5所。\n"
                "二、其他\n正文。\n")
    sections = doc.speeches[0].sections
    assert [s.heading for s in sections] == ["一、民生实事", "二、其他"]
    assert sections[0].points == []
    assert {p.path[-1] for p in doc.passages if p.line in (4, 5, 6)} == {"一、民生实事"}


def test_inline_subpoints_need_a_second_item():
    assert find_subpoints("要坚持统一是原则。一是加强领导。") == []
    text = "总的要求:一是加强领导。二是完善制度。统一是关键。三是狠抓落实。"
    assert [text[s:e][:2] for s, e in find_subpoints(text)] == ["一是", "二是", "三是"]


@pytest.mark.parametrize("token, value", [("一", 1), ("十", 10), ("十二", 12), ("二十", 20), ("二十三", 23),
                                          ("3", 3), ("③", 3), ("其次", 2)])
def test_ordinals(token, value):
    assert ordinal(token) == value


def test_several_speeches_split_on_numbered_titles():
    text = "讲话稿\n讲话稿(一):\n同志们:\n正文一。\n讲话稿(二):\n正文二。\n"
    doc = parse(text)
    assert [(s.title, s.line, s.salutation_line) for s in doc.speeches] == [
        ("讲话稿(一)", 2, 3), ("讲话稿(二)", 5, None)]
    assert re.match("正文", doc.passages[-1].text)
