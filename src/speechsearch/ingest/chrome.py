"""Web-page chrome: the lines a site wraps around a document, which are not its words.

Pages saved from a site keep its toolbar (下载 打印 【字号：加大 还原 减小】), breadcrumb
(您的位置：首页 > 要闻), fields (来源： 时间： 编辑：), share links, related-article lists and photo
captions. Two kinds of rule find them:

- patterns (``corpus.DEFAULT_CHROME``, extended by corpus.yaml's ``chrome:``), each matched
  against a whole line, width-folded and stripped; a line of chrome never holds text of its own;
- the shapes around them: the value line after a bare field label (``来源：`` then the source), a
  breadcrumb's items between its ``>`` lines, everything after a related-articles label at the
  end, a copy of the title block that a page header repeated above the breadcrumb, and runs of
  short link-like lines before the document's first sentence or after its last.
"""

from __future__ import annotations

import re
from functools import lru_cache

from ..corpus import DEFAULT_CHROME
from ..width import fold_marks

FIELD_LABEL = re.compile(r"\(?(来源|稿源|时间|发布时间|日期|编辑|责任编辑|作者)\s*[:：]\)?")
CRUMB_SEPARATOR = re.compile(r"[>»›]")
RELATED = re.compile(r"(相关|延伸|推荐|更多)(报道|文档|新闻|阅读|链接|文章)\s*[:：]?")
BODY = re.compile(r"[。！？!?；;]")
# A caption of the speaker giving the report, written without a photographer's credit.
CAPTION = re.compile(r".{2,30}作(政府)?工作报告[。.]?")
LINK_LINE_MAX = 8  # 国务院 要闻 政策解读: a navigation item is a word or two


_DEFAULT = [re.compile(p) for p in DEFAULT_CHROME]


@lru_cache(maxsize=8)
def _one_pattern(patterns: tuple[re.Pattern, ...]) -> re.Pattern:
    """The patterns as one alternation: one match call per line instead of one per pattern."""
    return re.compile("|".join(f"(?:{p.pattern})" for p in patterns))


def _is_body(text: str) -> bool:
    """A line that reads as the document's own prose: long enough, with a sentence in it."""
    return len(text) >= 40 and bool(BODY.search(text))


def find_chrome(content: list[tuple[int, str]], patterns: list[re.Pattern] | None = None) -> set[int]:
    """Line numbers of ``content`` (line number, text) that are page chrome."""
    pattern = _one_pattern(tuple(_DEFAULT if patterns is None else patterns))
    folded = [(lineno, fold_marks(text).strip()) for lineno, text in content]
    def matches(text: str) -> bool:
        return pattern.fullmatch(text) is not None

    # A caption may be a long sentence: it does not open the document's prose. Only the first
    # and the last line of prose matter, so the lines between them are not read for it.
    def is_prose(i: int) -> bool:
        return _is_body(folded[i][1]) and not matches(folded[i][1])

    first_body = next(filter(is_prose, range(len(folded))), len(folded))
    last_body = next(filter(is_prose, range(len(folded) - 1, first_body - 1, -1)), -1)
    chrome: set[int] = set()
    for i, (lineno, text) in enumerate(folded):
        if not text:
            continue
        edge = i < first_body or i > last_body
        if (edge or len(text) <= 40) and matches(text):
            chrome.add(lineno)
            # a bare label's value stands on the next line: 来源： / 陕西省人民政府
            if FIELD_LABEL.fullmatch(text) and i + 1 < len(folded) and not _is_body(folded[i + 1][1]):
                chrome.add(folded[i + 1][0])
        elif edge and CAPTION.fullmatch(text):
            chrome.add(lineno)
    _breadcrumbs(folded, first_body, chrome)
    _related_lists(folded, last_body, chrome)
    _link_runs(folded, first_body, last_body, chrome)
    _header_copies(folded, first_body, chrome)
    return chrome


def _breadcrumbs(folded, first_body: int, chrome: set[int]) -> None:
    """A breadcrumb written a line an item: 首页 / > / 要闻 / > / 正文. Its items, and a repeat of
    its last item (the section's name as the page's heading), are chrome."""
    head = folded[:first_body]
    for i, (lineno, text) in enumerate(head):
        if not CRUMB_SEPARATOR.fullmatch(text):
            continue
        chrome.add(lineno)
        for j in (i - 1, i + 1):
            if 0 <= j < len(head) and len(head[j][1]) <= 20 and not BODY.search(head[j][1]):
                chrome.add(head[j][0])
        after = i + 2
        while after < len(head) and head[after][1] == head[after - 1][1] and head[after - 1][0] in chrome:
            chrome.add(head[after][0])
            after += 1


def _related_lists(folded, last_body: int, chrome: set[int]) -> None:
    """After the last sentence, a related-articles label and every line after it."""
    for i in range(last_body + 1, len(folded)):
        if RELATED.fullmatch(folded[i][1]):
            chrome.update(lineno for lineno, text in folded[i:] if text)
            return


def _link_runs(folded, first_body: int, last_body: int, chrome: set[int]) -> None:
    """Before the first sentence or after the last: four or more short lines in a row without
    punctuation or digits are a navigation list (栏目 links); a title is longer or has a year."""
    def runs(indices):
        run: list[int] = []
        for i in indices:
            text = folded[i][1]
            if text and len(text) <= LINK_LINE_MAX and not re.search(r"[\d，,。、：:；;！!？?（(—]", text):
                run.append(i)
                continue
            if len(run) >= 4:
                yield run
            run = []
        if len(run) >= 4:
            yield run

    for run in [*runs(range(first_body)), *runs(range(last_body + 1, len(folded)))]:
        chrome.update(folded[i][0] for i in run)


def _header_copies(folded, first_body: int, chrome: set[int]) -> None:
    """A page header that repeats the title block above the breadcrumb: the first copy of a line
    that comes again after a line of chrome, both before the first sentence, is chrome."""
    head = folded[:first_body]
    for i, (lineno, text) in enumerate(head):
        if not text or lineno in chrome:
            continue
        later = [j for j in range(i + 1, len(head)) if head[j][1] == text]
        if later and any(head[k][0] in chrome for k in range(i + 1, later[0])):
            chrome.add(lineno)
