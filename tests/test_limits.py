"""Inputs at the edges: a file that is one enormous line, a drafted line with no sentence end."""

from __future__ import annotations

import json
import subprocess
import sys

from speechsearch.ingest import ingest_text
from speechsearch.ingest.outline import MAX_PASSAGE, bounded

SENTENCE = "各地区各部门要坚决贯彻落实党中央决策部署，切实抓好稳就业保民生各项工作。"


def test_long_text_is_cut_after_sentence_ends_into_bounded_spans():
    text = SENTENCE * 1000
    spans = bounded(text)
    assert len(spans) > 1 and spans[0][0] == 0 and spans[-1][1] == len(text)
    assert all(a[1] == b[0] for a, b in zip(spans, spans[1:], strict=False))  # every character, once
    assert all(e - s <= MAX_PASSAGE and text[e - 1] == "。" for s, e in spans[:-1])
    unbroken = "字" * (2 * MAX_PASSAGE + 7)  # no sentence end at all: cut at the limit
    assert bounded(unbroken) == [(0, MAX_PASSAGE), (MAX_PASSAGE, 2 * MAX_PASSAGE), (2 * MAX_PASSAGE, len(unbroken))]


def test_a_one_line_document_becomes_passages_that_cover_it():
    line = SENTENCE * 800 + "这里藏着一个独特的提法叫做星火燎原计划。" + SENTENCE * 800
    document = ingest_text(line + "\n", "one.txt", [])
    passages = [p for p in document.passages if p.kind != "title"]
    assert len(passages) > 10 and all(len(p.text) <= MAX_PASSAGE for p in passages)
    assert all(line[p.start:p.end] == p.text for p in passages)  # offsets point into the line
    assert sum(len(p.text) for p in passages) >= len(line) - len(document.title)
    assert sum("星火燎原计划" in p.text for p in passages) == 1


def test_indexing_a_7_mb_line_stays_within_bounded_memory(tmp_path):
    """Memory follows the passages, not the line. A 7 MB line (2.3 M characters, one of them
    traditional, so the script check counts them all) peaked at 423 MB, 5 GB for 50 MB; now
    at 140-180 MB, the interpreter and its libraries (numpy, for the segment writer) included."""
    (tmp_path / "one.txt").write_text("們" + SENTENCE * 64_000 + "末尾的独特提法星火燎原。", encoding="utf-8")
    (tmp_path / "corpus.yaml").write_text("documents:\n  - path: one.txt\n", encoding="utf-8")
    # The peak of the process's own memory (VmHWM): Linux carries ru_maxrss across exec, so
    # that would count the memory of the test process that forked it.
    script = ("import re, sys\nfrom speechsearch.cli import main\nsys.argv = ['speechsearch', 'index', '-q', "
              "'--jobs', '1']\ntry:\n    main()\nexcept SystemExit:\n    pass\n"
              "print(re.search(r'VmHWM:\\s+(\\d+)', open('/proc/self/status').read())[1])\n")
    result = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    peak_mb = int(result.stdout.split()[-1]) / 1024
    assert peak_mb < 300, peak_mb
    found = subprocess.run([sys.executable, "-m", "speechsearch", "search", "星火燎原", "--format", "json"],
                           cwd=tmp_path, capture_output=True, text=True, timeout=120)
    hits = json.loads(found.stdout)
    assert len(hits) == 1 and hits[0]["line"] == 1 and hits[0]["end"] == len(SENTENCE) * 64_000 + 13
