"""Export: every match, in each format, opened with a real reader."""

import csv
import io
import json
import os
import shutil
import subprocess

import pytest

from tests.conftest import SEED_DOC, invoke


def export(folder, *args):
    return invoke("--corpus", str(folder / "corpus.yaml"), "export", *args)


def seed_hits(seed_document, literal="抓落实"):
    return [p for p in seed_document.passages if literal in p.text]


def test_jsonl_has_every_match_with_metadata(seed_corpus, seed_document, tmp_path):
    out = tmp_path / "hits.jsonl"
    result = export(seed_corpus, "抓落实", "-o", str(out))
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    expected = {(p.line, p.start) for p in seed_hits(seed_document)}
    # every match, not a first page; the seed repeats none of these passages word for word
    assert {(r["line"], r["start"]) for r in rows} == expected
    assert len(rows) == len(expected) > 20
    first = rows[0]
    assert set(first) >= {"doc", "speech", "path", "line", "start", "end", "text", "score", "highlights",
                          "speaker", "date", "source", "tags", "rank", "context", "also_in"}
    assert [r["rank"] for r in rows] == sorted(r["rank"] for r in rows)


def test_json_and_stdout(seed_corpus, tmp_path):
    out = tmp_path / "hits.json"
    assert export(seed_corpus, "會議", "-o", str(out)).exit_code == 0
    rows = json.loads(out.read_text(encoding="utf-8"))
    assert rows and all("会议" in r["text"] for r in rows)
    result = export(seed_corpus, "會議", "-o", "-", "--format", "csv")
    assert result.output.startswith("\ufeffrank,text,title,speech,path,doc,line")


def test_csv_opens_in_excel_order(seed_corpus, seed_document, tmp_path):
    out = tmp_path / "hits.csv"
    assert export(seed_corpus, "抓落实", "-o", str(out)).exit_code == 0
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read UTF-8
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert list(rows[0]) == ["rank", "text", "title", "speech", "path", "doc", "line", "start", "end", "speaker",
                             "date", "place", "source", "tags", "score", "context", "also_in", "id"]
    assert len(rows) == len(seed_hits(seed_document))
    row = next(r for r in rows if r["text"].startswith("二是落实才有希望"))
    assert row["path"] == "一、为什么要抓落实 › 第一,抓落实是推动工作的唯一途径 › 二是落实才有希望"
    assert (row["doc"], row["line"]) == (SEED_DOC, "7")


def test_markdown_groups_by_speech_with_citations(seed_corpus, tmp_path):
    out = tmp_path / "hits.md"
    assert export(seed_corpus, "狠抓落实", "-o", str(out)).exit_code == 0
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# 狠抓落实\n")
    assert "## 人社工作会议讲话稿(一)" in text
    assert "**狠抓落实**" in text
    assert "— 《人社工作会议讲话稿》,人社工作会议讲话稿(一)," in text and f"{SEED_DOC}:7" in text


def test_docx_has_headings_highlights_and_citations(seed_corpus, tmp_path):
    docx = pytest.importorskip("docx")
    out = tmp_path / "hits.docx"
    assert export(seed_corpus, "抓落实", "-o", str(out)).exit_code == 0
    document = docx.Document(str(out))
    headings = [(p.style.name, p.text) for p in document.paragraphs if p.style.name.startswith(("Heading", "Title"))]
    assert ("Title", "抓落实") in headings
    assert ("Heading 1", "人社工作会议讲话稿(一)") in headings
    marked = [r for p in document.paragraphs for r in p.runs if r.font.highlight_color is not None]
    assert marked and all(r.text == "抓落实" and r.bold for r in marked)
    assert any(p.text.startswith("— 《人社工作会议讲话稿》") for p in document.paragraphs)


def test_docx_renders_in_libreoffice(seed_corpus, tmp_path):
    office = shutil.which("libreoffice") or shutil.which("soffice")
    if office is None:
        if os.environ.get("CI"):
            pytest.fail("LibreOffice is missing in CI: .ci/run installs libreoffice-writer-nogui")
        pytest.skip("LibreOffice is not installed here; the .docx is still checked with python-docx")
    out = tmp_path / "hits.docx"
    assert export(seed_corpus, "抓落实", "-o", str(out)).exit_code == 0
    subprocess.run([office, "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(out)],
                   check=True, capture_output=True, timeout=120)
    from pypdf import PdfReader

    assert "抓落实" in PdfReader(str(tmp_path / "hits.pdf")).pages[0].extract_text()


def test_context_passages_are_marked(seed_corpus, tmp_path):
    out = tmp_path / "ctx.jsonl"
    assert export(seed_corpus, "落实才有效果", "--context", "1", "-o", str(out)).exit_code == 0
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [(r["context"], r["text"][:4]) for r in rows] == [(True, "二是落实"), (False, "三是落实"), (True, "第二,抓")]


def test_repeated_passages_are_exported_once_with_every_source(tmp_path):
    shared = "要坚持以人民为中心的发展思想。"
    (tmp_path / "a.txt").write_text(f"甲讲话\n{shared}\n其他内容。\n", encoding="utf-8")
    (tmp_path / "b.txt").write_text(f"乙讲话\n开头。\n{shared}\n", encoding="utf-8")
    (tmp_path / "corpus.yaml").write_text("documents:\n  - path: a.txt\n  - path: b.txt\n", encoding="utf-8")
    out = tmp_path / "x.jsonl"
    assert export(tmp_path, "人民为中心", "-o", str(out)).exit_code == 0
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 1
    assert sorted([rows[0]["doc"]] + [s["doc"] for s in rows[0]["also_in"]]) == ["a.txt", "b.txt"]
    assert export(tmp_path, "人民为中心", "-o", str(out), "--no-collapse", "--force").exit_code == 0
    assert len(out.read_text(encoding="utf-8").splitlines()) == 2


def test_existing_file_needs_force(seed_corpus, tmp_path):
    out = tmp_path / "hits.md"
    out.write_text("mine", encoding="utf-8")
    result = export(seed_corpus, "抓落实", "-o", str(out))
    assert result.exit_code == 3 and "exists; use --force" in result.stderr
    assert out.read_text(encoding="utf-8") == "mine"
    assert export(seed_corpus, "抓落实", "-o", str(out), "--force").exit_code == 0


def test_unknown_suffix_asks_for_a_format(seed_corpus, tmp_path):
    result = export(seed_corpus, "抓落实", "-o", str(tmp_path / "hits.xyz"))
    assert result.exit_code == 2 and "--format" in result.stderr


def test_consecutive_passages_of_a_section_share_one_heading_and_citations_have_no_double_comma(tmp_path):
    (tmp_path / "a.txt").write_text("讲话\n一、狠抓落实,\n第一段要狠抓落实。\n第二段也要狠抓落实。\n二、其他\n正文。\n",
                                    encoding="utf-8")
    (tmp_path / "corpus.yaml").write_text("documents:\n  - path: a.txt\n", encoding="utf-8")
    assert invoke("index", "-q", cwd=tmp_path).exit_code == 0
    out = tmp_path / "hits.md"
    assert invoke("export", "狠抓落实", "-o", str(out), cwd=tmp_path).exit_code == 0
    text = out.read_text(encoding="utf-8")
    assert text.count("### 一、狠抓落实") == 1, text
    assert ",," not in text and "一、狠抓落实,a.txt" in text
    docx_out = tmp_path / "hits.docx"
    assert invoke("export", "狠抓落实", "-o", str(docx_out), cwd=tmp_path).exit_code == 0
    import docx

    headings = [p.text for p in docx.Document(str(docx_out)).paragraphs if p.style.name == "Heading 2"]
    assert headings == ["一、狠抓落实,"]  # the heading as written; one for both passages
