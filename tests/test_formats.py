"""Each format people receive, written by the test as a real file, indexed and searched."""

import json

import pytest

from tests.conftest import invoke, write_corpus

BODY = "同志们:\n今天召开全县人社工作会议。\n一、总体要求\n要狠抓落实,推进社会保障。\n二、重点任务\n要加强就业服务。\n"


def search(folder, *args):
    result = invoke("search", *args, "--format", "jsonl", "-n", "100", "--no-collapse", cwd=folder)
    return [json.loads(line) for line in result.output.splitlines() if line.startswith("{")]


def index(folder, *args):
    return invoke("index", "-q", *args, cwd=folder)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "gb18030", "big5"])
def test_text_in_every_encoding(tmp_path, encoding):
    text = "人社工作会议讲话\n" + BODY
    if encoding == "big5":
        text = text.replace("会议", "會議").replace("讲话", "講話").replace("总体", "總體").replace("务", "務") \
            .replace("们", "們").replace("开", "開").replace("县", "縣").replace("实", "實").replace("进", "進") \
            .replace("会保障", "會保障").replace("业", "業").replace("强", "強").replace("点", "點").replace("须", "須")
    (tmp_path / "speech.txt").write_bytes(text.encode(encoding))
    write_corpus(tmp_path, ["speech.txt"])
    assert index(tmp_path).exit_code == 0
    hits = search(tmp_path, "抓落实")
    assert [(h["line"], h["path"]) for h in hits] == [(5, ["一、总体要求"])]


def test_markdown_front_matter_gives_metadata_and_keeps_line_numbers(tmp_path):
    (tmp_path / "a.md").write_text("---\nspeaker: 张三\ndate: 2024-03-01\ntags: [人社, 就业]\n---\n" + "讲话\n" + BODY,
                                   encoding="utf-8")
    (tmp_path / "b.md").write_text("---\nspeaker: 李四\ndate: 2025-06-30\n---\n讲话\n" + BODY, encoding="utf-8")
    write_corpus(tmp_path, ["a.md", "b.md"])
    assert index(tmp_path).exit_code == 0
    hits = search(tmp_path, "抓落实")
    assert sorted((h["doc"], h["line"]) for h in hits) == [("a.md", 10), ("b.md", 9)]
    assert {h["doc"] for h in search(tmp_path, "抓落实", "--speaker", "张三")} == {"a.md"}
    assert {h["doc"] for h in search(tmp_path, "抓落实", "--since", "2025")} == {"b.md"}
    assert {h["doc"] for h in search(tmp_path, "抓落实", "--until", "2024")} == {"a.md"}
    both = search(tmp_path, "抓落实", "--since", "2024-01", "--until", "2025-12-31")
    assert {h["doc"] for h in both} == {"a.md", "b.md"}
    assert {h["doc"] for h in search(tmp_path, "抓落实", "--tag", "就业")} == {"a.md"}


def test_docx_heading_styles_feed_the_outline(tmp_path):
    docx = pytest.importorskip("docx")
    document = docx.Document()
    document.core_properties.author = "王五"
    document.add_paragraph("在全县工作会议上的讲话", style="Title")
    document.add_paragraph("同志们:")
    document.add_paragraph("总体要求", style="Heading 1")  # no 一、: the style says it is a section
    document.add_paragraph("要狠抓落实,推进社会保障。")
    document.add_paragraph("重点任务", style="Heading 1")
    document.add_paragraph("就业服务", style="Heading 2")
    document.add_paragraph("一是稳岗位。二是抓落实。")
    document.save(tmp_path / "speech.docx")
    write_corpus(tmp_path, ["speech.docx"])
    assert index(tmp_path).exit_code == 0
    hits = search(tmp_path, "抓落实")
    assert [h["path"] for h in hits if h["line"] == 4] == [["总体要求"]]
    assert ["重点任务", "就业服务", "二是抓落实"] in [h["path"] for h in hits]
    assert all(h["speech"] == "在全县工作会议上的讲话" for h in hits)
    assert {h["doc"] for h in search(tmp_path, "抓落实", "--speaker", "王五")} == {"speech.docx"}


def test_pdf_text_layer(tmp_path):
    pytest.importorskip("reportlab")
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    pdf = canvas.Canvas(str(tmp_path / "speech.pdf"))
    pdf.setFont("STSong-Light", 12)
    for number, line in enumerate(["人社工作会议讲话", *BODY.splitlines()]):
        pdf.drawString(72, 780 - 20 * number, line)
    pdf.save()
    write_corpus(tmp_path, ["speech.pdf"])
    assert index(tmp_path).exit_code == 0
    hits = search(tmp_path, "抓落实")
    assert [h["path"] for h in hits] == [["一、总体要求"]]


def test_html_drops_scripts_and_navigation(tmp_path):
    page = """<html><head><title>人社工作会议讲话</title><script>var 抓落实 = 1;</script></head>
    <body><nav><a href="/">首页</a> 抓落实专栏</nav>
    <div class="content"><h1>人社工作会议讲话</h1><p>同志们:</p><h2>一、总体要求</h2>
    <p>要狠抓落实,推进社会保障。</p><h2>二、重点任务</h2><p>要加强就业服务。</p></div>
    <footer>版权所有 抓落实网</footer></body></html>"""
    (tmp_path / "speech.html").write_text(page, encoding="utf-8")
    write_corpus(tmp_path, ["speech.html"])
    assert index(tmp_path).exit_code == 0
    hits = search(tmp_path, "抓落实")
    assert [h["text"] for h in hits] == ["要狠抓落实,推进社会保障。"]
    assert hits[0]["path"] == ["一、总体要求"]


def test_jsonl_documents_with_metadata(tmp_path):
    records = [{"id": "a1", "title": "甲", "date": "2024-01-02", "text": "甲\n一、要求\n抓落实。\n二、任务\n做事。"},
               {"id": "b2", "title": "乙", "speaker": "赵六", "text": "乙\n要抓落实。"}]
    (tmp_path / "docs.jsonl").write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n",
                                         encoding="utf-8")
    write_corpus(tmp_path, ["docs.jsonl"])
    assert index(tmp_path).exit_code == 0
    hits = search(tmp_path, "抓落实")
    assert sorted((h["doc"], h["speech"], h["line"]) for h in hits) == [
        ("docs.jsonl#a1", "甲", 3), ("docs.jsonl#b2", "乙", 2)]
    assert [h["doc"] for h in search(tmp_path, "抓落实", "--speaker", "赵六")] == ["docs.jsonl#b2"]
    outline = json.loads(invoke("show", "docs.jsonl#a1", "--format", "json", cwd=tmp_path).output)
    assert [s["heading"] for s in outline["speeches"][0]["sections"]] == ["一、要求", "二、任务"]
    missing = invoke("show", "docs.jsonl#zz", cwd=tmp_path)
    assert missing.exit_code == 3 and "no document with id 'zz'" in missing.stderr


def test_jsonl_half_of_a_surrogate_pair_becomes_a_replacement_character(tmp_path):
    """JSON can escape half a UTF-16 pair ("\\ud83d"); nothing downstream can encode it alone.
    The record is indexed with U+FFFD there, reported as a garbage spot; a whole pair is a character."""
    lines = ['{"id": "a", "title": "讲话\\udc00稿", "text": "讲话\\n要抓落实\\ud83d。\\n好\\ud83d\\ude00。"}',
             '{"id": "b", "text": "讲话\\n推进改革。"}']
    (tmp_path / "docs.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    write_corpus(tmp_path, ["docs.jsonl"])
    result = invoke("index", "-q", "--format", "json", cwd=tmp_path)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["failed"] == [] and report["garbage"] == [["docs.jsonl#a", 2, 5]]
    (hit,) = search(tmp_path, "抓落实")
    assert (hit["text"], hit["title"]) == ("要抓落实\ufffd。", "讲话\ufffd稿")
    assert search(tmp_path, "好")[0]["text"] == "好\U0001f600。"
    assert [h["doc"] for h in search(tmp_path, "改革")] == ["docs.jsonl#b"]


def test_bad_files_are_reported_and_skipped(tmp_path):
    (tmp_path / "good.txt").write_text("讲话\n要抓落实。\n", encoding="utf-8")
    (tmp_path / "broken.docx").write_bytes(b"PK\x03\x04 not really a zip")
    (tmp_path / "broken.pdf").write_bytes(b"%PDF-1.4 garbage")
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "binary.txt").write_bytes(b"\x00\x01\x02\xff" * 50)
    (tmp_path / "bad.jsonl").write_text('{"text": "要抓落实。", "tags": 5}\nnot json\n{"text": " "}\n',
                                        encoding="utf-8")
    write_corpus(tmp_path, ["good.txt", "broken.docx", "broken.pdf", "empty.txt", "binary.txt", "missing.txt",
                            "bad.jsonl"])
    result = index(tmp_path)
    assert result.exit_code == 1
    out = result.output
    for line in ["failed: broken.docx: not a readable .docx", "failed: broken.pdf: not a readable .pdf",
                 "failed: empty.txt: empty file", "failed: binary.txt: binary file",
                 "failed: missing.txt: file not found",
                 "failed: bad.jsonl: line 2 is not valid JSON", "failed: bad.jsonl: line 3 has an empty 'text'"]:
        assert line in out
    # One bad line of a JSONL file costs only itself; a tag given as a number is a tag.
    assert sorted(h["doc"] for h in search(tmp_path, "抓落实")) == ["bad.jsonl#1", "good.txt"]
    assert [h["doc"] for h in search(tmp_path, "抓落实", "--tag", "5")] == ["bad.jsonl#1"]


def test_a_file_that_trips_a_bug_fails_alone(tmp_path, monkeypatch):
    """Whatever reading a file raises, the file is reported with the error and the rest is
    indexed. (No input is known to do this any more: the fault is injected into our own code.)"""
    import speechsearch.ingest as ingest

    real = ingest.ingest_lines

    def tripping(source, doc, *args, **kwargs):
        if doc in ("bad.txt", "docs.jsonl#b"):
            raise RuntimeError("unexpected state")
        return real(source, doc, *args, **kwargs)

    monkeypatch.setattr(ingest, "ingest_lines", tripping)
    for name in ("good.txt", "bad.txt"):
        (tmp_path / name).write_text("讲话\n要抓落实。\n", encoding="utf-8")
    records = [{"id": "a", "text": "讲话\n要抓落实。"}, {"id": "b", "text": "讲话\n要抓落实。"}]
    (tmp_path / "docs.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records),
                                         encoding="utf-8")
    write_corpus(tmp_path, ["good.txt", "bad.txt", "docs.jsonl"])
    result = invoke("index", "-q", "--jobs", "1", cwd=tmp_path)
    assert result.exit_code == 1
    reason = "could not be read (RuntimeError: unexpected state); please report this file"
    assert f"failed: bad.txt: {reason}" in result.output
    assert f"failed: docs.jsonl#b: {reason}" in result.output
    assert sorted(h["doc"] for h in search(tmp_path, "抓落实", "--no-collapse")) == ["docs.jsonl#a", "good.txt"]
