"""A corpus for the web tests: the seed with metadata, the 27 provincial work reports of
../shared/corpus-bench, and files whose text attacks the page (script, markup, javascript: links)."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.conftest import SEED, SEED_DOC
from tests.truth_sets import REPORTS

HOSTILE_DOC = "hostile.txt"
HOSTILE_HTML = "hostile.html"
HOSTILE_TEXT = ("关于攻击测试的讲话\n一、脚本注入检验\n"
                "这一段写着<script>alert(1)</script>和\"><img src=x onerror=alert(1)>两种注入检验。\n"
                "二、链接检验\n这一段写着javascript:alert(2)这样的链接检验。\n")
HOSTILE_PAGE = ("<html><head><title>注入页面检验</title><script>alert(3)</script></head><body>"
                "<h1>注入页面检验</h1><p>正文里有<a href=\"javascript:alert(4)\">一个恶意链接检验</a>。</p>"
                "<p onclick=\"alert(5)\">还有属性注入检验的段落。</p></body></html>")


def make_web_corpus(folder: Path) -> Path:
    (folder / "seeds").mkdir(parents=True, exist_ok=True)
    shutil.copy(SEED, folder / SEED_DOC)
    shutil.copy(REPORTS, folder / REPORTS.name)
    (folder / HOSTILE_DOC).write_text(HOSTILE_TEXT, encoding="utf-8")
    (folder / HOSTILE_HTML).write_text(HOSTILE_PAGE, encoding="utf-8")
    corpus = folder / "corpus.yaml"
    corpus.write_text(f"""documents:
  - path: {SEED_DOC}
    speaker: 某厅长
    date: 2014-03-01
    tags: [人社]
  - path: {REPORTS.name}
    tags: [政府工作报告]
  - path: {HOSTILE_DOC}
    speaker: "<b>攻击者</b>"
    date: 2020-01-01
    source: "javascript:alert(6)"
  - path: {HOSTILE_HTML}
""", encoding="utf-8")
    return corpus
