"""`trend`: literal counts per period, checked against a scan of every stored passage."""

from __future__ import annotations

import csv
import io
import json
import os
from collections import Counter

import pytest

from speechsearch.engine.analysis import fold
from speechsearch.engine.store import IndexStore
from speechsearch.script import to_simplified
from speechsearch.trend import period_of
from tests.conftest import invoke

DOCS = {
    "a2019.txt": ("2019-03-05", "二〇一九年讲话\n一、关于高质量发展\n推动高质量发展，加快新旧动能转换。\n"),
    "b2021.txt": ("2021-07-01", "二〇二一年讲话\n一、关于创新\n培育新质生产力的萌芽。推动高质量发展。\n"
                                "二、关于民生\n稳就业保民生，推动高质量发展是主题。\n"),
    "c2023.txt": ("2023-09-12", "二〇二三年讲话\n一、新质生产力\n加快形成新质生产力。"
                                "发展新质生产力是推动高质量发展的内在要求。\n二、其他\n新質生產力要因地制宜。\n"),
    "d2023.txt": ("2023-11-20", "二〇二三年冬季讲话\n新质生产力已经成为热词，新质生产力写进文件。\n"),
    "e2024.txt": ("2024-02", "二〇二四年讲话\n因地制宜发展新质生产力。\n"),
    "f2024.txt": ("2024", "二〇二四年总结\n全年推动新质生产力和高质量发展。\n"),
    "undated.txt": (None, "没有日期的讲话\n这里也讲新质生产力。\n"),
}


@pytest.fixture(scope="module")
def trend_corpus(tmp_path_factory):
    folder = tmp_path_factory.mktemp("trend")
    entries = ["documents:"]
    for name, (date, text) in DOCS.items():
        (folder / name).write_text(text, encoding="utf-8")
        entries.append(f"  - path: {name}" + (f"\n    date: '{date}'" if date else ""))
    (folder / "corpus.yaml").write_text("\n".join(entries) + "\n", encoding="utf-8")
    assert invoke("--corpus", str(folder / "corpus.yaml"), "index", "-q").exit_code == 0
    return folder


def scanned(folder, query: str, by: str, documents: bool = False) -> tuple[Counter, int]:
    """The counts trend must give, from every stored passage and plain substring tests."""
    wanted = fold(to_simplified(query))
    counts, undated, seen = Counter(), 0, set()
    with IndexStore(folder / ".speechsearch").searcher() as searcher:
        for fields in searcher.reader().all_stored_fields():
            if fields.get("kind") != "passage" or wanted not in fold(to_simplified(fields["text"])):
                continue
            period = period_of(fields.get("date"), by)
            if not fields.get("date"):
                undated += 1
            elif period and not (documents and (period, fields["doc"]) in seen):
                seen.add((period, fields["doc"]))
                counts[period] += 1
    return counts, undated


def run(folder, *args):
    result = invoke("--corpus", str(folder / "corpus.yaml"), "trend", *args)
    return result


@pytest.mark.parametrize("by", ["year", "quarter", "month"])
@pytest.mark.parametrize("count", ["passages", "documents"])
def test_counts_are_the_literal_counts_per_period(trend_corpus, by, count):
    result = run(trend_corpus, "新质生产力", "高质量发展", "--by", by, "--count", count, "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    for series in data["series"]:
        expected, undated = scanned(trend_corpus, series["query"], by, count == "documents")
        assert {p: n for p, n in series["counts"].items() if n} == dict(expected)
        if count == "passages":
            assert series["undated"] == undated
    assert expected  # the corpus holds the phrase in several periods


def test_traditional_script_is_counted_with_simplified(trend_corpus):
    data = json.loads(run(trend_corpus, "新質生產力", "--format", "json").output)
    assert data["series"][0]["counts"]["2023"] == 4  # three passages in c2023 (one traditional), one in d2023


def test_text_output_has_bars_gaps_first_and_last(trend_corpus):
    result = run(trend_corpus, "新质生产力")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    rows = {line.split()[0]: line for line in lines if line.startswith("  20")}
    assert list(rows) == ["2021", "2022", "2023", "2024"]  # from the first use on, the empty years shown
    assert rows["2022"].split()[1] == "0" and "█" in rows["2023"]
    assert any(line.startswith("  undated") and line.split()[1] == "1" for line in lines)
    first = next(line for line in lines if line.startswith("  first:"))
    assert "2021-07-01" in first and "b2021.txt:3" in first and "一、关于创新" in first
    last = next(line for line in lines if line.startswith("  last:"))
    assert "2024" in last


def test_per_divides_by_the_period_passage_count(trend_corpus):
    data = json.loads(run(trend_corpus, "高质量发展", "--per", "1k", "--format", "json").output)
    series = data["series"][0]
    for period in data["periods"]:
        base = data["period_passages"][period]
        if base:
            assert series["values"][period] == pytest.approx(series["counts"][period] * 1000 / base, rel=1e-3)
        else:  # no passage of the period: no rate, not a zero
            assert series["values"][period] is None
    assert None in series["values"].values()  # 2020 and 2022 hold no document
    table = list(csv.reader(io.StringIO(run(trend_corpus, "高质量发展", "--format", "csv").output)))
    assert table[0] == ["period", "高质量发展", "period_passages"] and table[1][0] == "2019"


def test_plot_draws_a_chart_with_a_cjk_font(trend_corpus, tmp_path):
    from speechsearch.trend import cjk_font

    if cjk_font() is None:
        if os.environ.get("CI"):
            pytest.fail("no CJK font in CI: .ci/run installs fonts-noto-cjk")
        pytest.skip("no CJK font here (apt-get install fonts-noto-cjk)")
    out = tmp_path / "trend.png"
    result = run(trend_corpus, "新质生产力", "高质量发展", "--plot", str(out))
    assert result.exit_code == 0 and out.stat().st_size > 10_000
    from PIL import Image

    assert Image.open(out).size == (1200, 576)
    assert run(trend_corpus, "新质生产力", "--plot", str(tmp_path / "x.gif")).exit_code == 2


def test_a_cjk_font_installed_after_matplotlib_listed_the_fonts_is_found():
    """matplotlib keeps the font list it made when it first ran; a CJK font installed later
    (fonts-noto-cjk after a first `trend --plot`) is not in it, and is found on disk."""
    from matplotlib import font_manager

    from speechsearch.trend import CJK_FONTS, cjk_font

    if cjk_font() is None:
        if os.environ.get("CI"):
            pytest.fail("no CJK font in CI: .ci/run installs fonts-noto-cjk")
        pytest.skip("no CJK font here (apt-get install fonts-noto-cjk)")
    manager = font_manager.fontManager
    kept = list(manager.ttflist)
    try:
        manager.ttflist = [font for font in kept if font.name not in CJK_FONTS]  # the list before the install
        assert cjk_font() in CJK_FONTS
    finally:
        manager.ttflist = kept


def test_nothing_found_exits_1(trend_corpus):
    assert run(trend_corpus, "完全不存在的提法").exit_code == 1
