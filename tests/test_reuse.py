"""`reuse`: a draft assembled from known corpus sentences (verbatim, edited, traditional) and new
text; every copied sentence is found with its source, the new text matches nothing."""

from __future__ import annotations

import io
import json
import shutil

import pytest

from speechsearch.corpus import load_corpus
from speechsearch.engine.store import IndexStore
from speechsearch.index import build_index
from speechsearch.shingles import matching_form, sentences
from tests.conftest import SEED, SEED_DOC, invoke
from tests.truth_sets import REPORTS

NEW_TEXT = ["今天我们在这里讨论一个从未出现过的话题，关于星际旅行的财政预算安排。",
            "会议室窗外的银杏叶已经黄了，大家端着茶杯互相打量着彼此的新眼镜。"]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    folder = tmp_path_factory.mktemp("reuse")
    (folder / "seeds").mkdir()
    shutil.copy(SEED, folder / SEED_DOC)
    shutil.copy(REPORTS, folder / REPORTS.name)
    (folder / "corpus.yaml").write_text(f"documents:\n  - path: {SEED_DOC}\n  - path: {REPORTS.name}\n",
                                        encoding="utf-8")
    build_index(load_corpus(folder / "corpus.yaml"), IndexStore(folder / ".speechsearch"), workers=1)
    return folder


@pytest.fixture(scope="module")
def picked(corpus):
    """Sentences of 40-90 characters from different documents, each said once in the corpus."""
    seen_docs, counts, found = set(), {}, []
    with IndexStore(corpus / ".speechsearch").searcher() as searcher:
        passages = [f for f in searcher.reader().all_stored_fields() if f.get("kind") == "passage"]
    for fields in passages:
        for start, end in sentences(fields["text"]):
            form = matching_form(fields["text"][start:end])[0]
            counts[form] = counts.get(form, 0) + 1
    for fields in passages:
        if fields["doc"] in seen_docs:
            continue
        for start, end in sentences(fields["text"]):
            text = fields["text"][start:end]
            form = matching_form(text)[0]
            if 40 <= len(form) <= 90 and counts[form] == 1 and text.endswith("。"):
                found.append((fields["doc"], fields["line"], text))
                seen_docs.add(fields["doc"])
                break
        if len(found) == 7:
            return found
    raise AssertionError("the corpus has too few sentences to pick from")


def edited(text: str, how: str) -> str:
    middle = len(text) // 2
    if how == "change":
        return text[:middle] + ("甲" if text[middle] != "甲" else "乙") + text[middle + 1:]
    if how == "insert":
        return text[:middle] + "切实" + text[middle:]
    return text[:middle] + text[middle + 1:]  # delete


def to_traditional(text: str) -> str:
    import opencc

    return opencc.OpenCC("s2t").convert(text)


@pytest.fixture(scope="module")
def draft(picked, tmp_path_factory):
    sources = [
        ("verbatim", picked[0][2]), ("verbatim", picked[1][2]),
        ("change", edited(picked[2][2], "change")), ("insert", edited(picked[3][2], "insert")),
        ("delete", edited(picked[4][2], "delete")), ("traditional", to_traditional(picked[5][2])),
        ("verbatim-in-new", NEW_TEXT[0][:20] + picked[6][2]),
    ]
    lines = ["关于近期工作的讲话（草稿）", NEW_TEXT[0]] + [text for _, text in sources] + [NEW_TEXT[1]]
    path = tmp_path_factory.mktemp("draft") / "draft.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path, sources


def reuse(corpus, *args):
    return invoke("--corpus", str(corpus / "corpus.yaml"), "reuse", *args)


def test_every_copied_sentence_is_found_with_its_source(corpus, picked, draft):
    path, sources = draft
    result = reuse(corpus, str(path), "--format", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    by_line = {s["line"]: s for s in report["sentences"]}
    for offset, ((how, _), (doc, line, original)) in enumerate(zip(sources, picked, strict=True)):
        sentence = by_line.get(3 + offset)
        assert sentence, (how, original)
        assert any(m["source"]["doc"] == doc and m["source"]["line"] == line for m in sentence["matches"]), how
        best = sentence["matches"][0]
        if how in ("verbatim", "traditional"):
            assert best["kind"] == "verbatim" and best["chars"] == len(matching_form(original)[0])
        if how == "verbatim-in-new":
            start, end = best["draft"]
            assert start == 20 and best["chars"] == len(matching_form(original)[0])
        shared = best["source"]["text"][slice(*best["source"]["highlights"][0])]
        assert matching_form(shared)[0] in matching_form(original)[0] or best["kind"] == "near"
    assert 1 not in by_line and 2 not in by_line and 10 not in by_line  # title and new text: nothing
    assert 0.5 < report["share"] < 1


def test_near_duplicates_are_reported_as_near(corpus, picked, tmp_path):
    original = picked[2][2]
    changed = original[:10] + "甲" + original[11:]  # a place name changed
    path = tmp_path / "near.txt"
    path.write_text(changed + "\n", encoding="utf-8")
    # no verbatim run can be this long: what is found is found as a near-duplicate
    report = json.loads(reuse(corpus, str(path), "--format", "json", "--min-chars", "200").output)
    match = report["sentences"][0]["matches"][0]
    assert match["kind"] == "near" and match["similarity"] >= 0.8
    assert match["source"]["doc"] == picked[2][0]


def test_new_text_alone_matches_nothing(corpus, tmp_path):
    path = tmp_path / "new.txt"
    path.write_text("\n".join(NEW_TEXT) + "\n", encoding="utf-8")
    result = reuse(corpus, str(path))
    assert result.exit_code == 1
    assert "0 of" in result.output and "(0.0%)" in result.output


def test_text_output_names_sources_as_file_line(corpus, picked, draft):
    path, _ = draft
    result = reuse(corpus, str(path))
    assert f"{path}:3:1  【" in result.output
    assert f"  = {len(matching_form(picked[0][2])[0])} chars  {picked[0][0]}:{picked[0][1]}  " in result.output
    assert "of the draft stand in the corpus" in result.output and "most reused from:" in result.output


def test_markdown_and_docx_are_the_draft_with_citations(corpus, picked, draft, tmp_path):
    path, _ = draft
    markdown = reuse(corpus, str(path), "--format", "md").output
    assert markdown.startswith("关于近期工作的讲话（草稿）\n\n" + NEW_TEXT[0] + "\n\n**")
    assert "[^1]: 原文：《" in markdown and f"{picked[0][0]}:{picked[0][1]}" in markdown
    out = tmp_path / "reviewed.docx"
    assert reuse(corpus, str(path), "--format", "docx", "-o", str(out)).exit_code == 0
    from docx import Document

    document = Document(io.BytesIO(out.read_bytes()))
    marked = [r.text for p in document.paragraphs for r in p.runs if r.font.highlight_color]
    assert picked[0][2].rstrip("。") in marked  # the shared run: its letters, not the closing mark
    assert any(p.text.startswith("[1] 原文：") for p in document.paragraphs)
    assert reuse(corpus, str(path), "--format", "docx").exit_code == 2  # binary to a terminal


def test_a_docx_draft_is_read_and_not_indexed(corpus, picked, tmp_path):
    from docx import Document

    document = Document()
    document.add_paragraph(picked[1][2])
    document.add_paragraph(NEW_TEXT[1])
    path = tmp_path / "draft.docx"
    document.save(path)
    report = json.loads(reuse(corpus, str(path), "--format", "json").output)
    assert [s["matches"][0]["source"]["doc"] for s in report["sentences"]] == [picked[1][0]]
    result = invoke("--corpus", str(corpus / "corpus.yaml"), "search", NEW_TEXT[1][:8])
    assert result.exit_code == 1  # the draft is not in the index


def test_bad_drafts_are_one_line(corpus, tmp_path):
    result = reuse(corpus, str(tmp_path / "missing.txt"))
    assert result.exit_code == 3 and "missing.txt: no such file" in result.output
    (tmp_path / "bin.txt").write_bytes(b"\x00\x01\x02" * 100)
    result = reuse(corpus, str(tmp_path / "bin.txt"))
    assert result.exit_code == 3 and "bin.txt" in result.output


def test_winnowing_keeps_a_hash_of_every_run_of_eleven_characters():
    import random

    from speechsearch.engine.fingerprints import FingerprintTable, K, W, fingerprints_of

    rng = random.Random(3)
    alphabet = [chr(code) for code in range(0x4E00, 0x4E00 + 400)]  # 400 Han characters
    for _ in range(300):
        run = "".join(rng.choice(alphabet) for _ in range(K + W - 1))
        a = "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 40))) + run + "甲乙丙" * rng.randrange(3)
        b = "丁戊" * rng.randrange(4) + run + "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 40)))
        table = FingerprintTable.build([(0, b)])
        hashes, _ = fingerprints_of(a)
        left, right = table.lookup(hashes, 10)
        assert (right > left).any(), (a, b)
