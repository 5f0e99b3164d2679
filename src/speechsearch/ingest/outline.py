"""Parse repaired lines into speeches, sections, points, sub-points and passages.

Headings are recognised by the marker that opens a line (一、 (一) 1、 第一, 一是 …). Levels come
from nesting: the first kind of marker met in a speech opens level 1, a different kind met under
it opens level 2, and a marker of a kind already open closes everything below it. A marker
counts only when its ordinal continues its list (一 then 二 then 三), and a list must reach its
second item, so a stray 一、 or a lone 首先 at the start of a paragraph is not a heading.

Inside a paragraph, inline enumerations (一是…二是…, 一要…二要…, 首先…其次…) are sub-points.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..model import Passage, Section, Speech, SubPoint

CN_NUMERALS = "零〇一二三四五六七八九十百两"
_CN_VALUE = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4,
             "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
SERIES_WORDS = {"首先": 1, "其次": 2, "再次": 3, "最后": 0}  # 最后 may close any series

N = f"[{CN_NUMERALS}]{{1,4}}"
LINE_MARKERS: list[tuple[str, re.Pattern]] = [
    ("第X章", re.compile(rf"第({N})章")),
    ("第X节", re.compile(rf"第({N})节")),
    ("第X条", re.compile(rf"第({N})条")),
    ("第X部分", re.compile(rf"第({N})部分")),
    ("X、", re.compile(rf"({N})\s*[、.．]")),
    ("(X)", re.compile(rf"[((]\s*({N})\s*[))]")),
    ("(1)", re.compile(r"[((]\s*(\d{1,2})\s*[))]")),
    ("1、", re.compile(r"(\d{1,2})\s*(?:[、．]|\.(?!\d))")),
    ("①", re.compile(r"([①-⑳])")),
    ("第X,", re.compile(rf"第({N})\s*[,,、::;;。]")),
    ("X是", re.compile(rf"({N})是")),
    ("X要", re.compile(rf"({N})要")),
    ("首先", re.compile("(首先|其次|再次|最后)")),
]
INLINE_MARKERS: list[tuple[str, re.Pattern]] = [
    ("X是", re.compile(rf"(?<![统唯同第单万逐划专归不之合均整一十无])({N})是")),
    ("X要", re.compile(rf"(?<![统唯同第单万逐划专归不之合均整一十无])({N})要")),
    ("首先", re.compile("(首先|其次|再次|最后)")),
]
SENTENCE_END = "。!?;!?;"
HEADING_END = re.compile(f"[{SENTENCE_END}]")
SUBPOINT_HEADING_END = re.compile(f"[{SENTENCE_END}::]")
SALUTATION = re.compile(r"^.{1,20}[::]$")
CLOSING_OPENER = re.compile(r"^(同志们[!!,,。]|谢谢|最后[,,]?让我们)")
SPEECH_TITLE = re.compile(
    r"^(?P<base>[^。!?;]{2,60}?)(?:[((](?P<n>[一二三四五六七八九十\d]{1,3})[))]"
    r"|(?:篇|范文|稿)(?P<m>[一二三四五六七八九十\d]{1,3}))\s*[::]?$"
)
TITLE_MAX = 60


def ordinal(token: str) -> int:
    """一 -> 1, 十二 -> 12, 二十 -> 20, 3 -> 3, ③ -> 3, 其次 -> 2."""
    if token in SERIES_WORDS:
        return SERIES_WORDS[token]
    if "①" <= token <= "⑳":
        return ord(token) - ord("①") + 1
    if token.isdecimal():
        return int(token)
    total, current = 0, 0
    for ch in token:
        if ch == "十":
            total += (current or 1) * 10
            current = 0
        elif ch == "百":
            total += (current or 1) * 100
            current = 0
        else:
            current = _CN_VALUE.get(ch, 0)
    return total + current


def follows(previous: int, n: int) -> bool:
    """Whether ordinal ``n`` continues a list whose last item was ``previous``."""
    if n == 0:  # 最后
        return previous >= 2
    return n == previous + 1


def line_marker(text: str) -> tuple[str, int] | None:
    stripped = text.lstrip()
    for kind, pattern in LINE_MARKERS:
        m = pattern.match(stripped)
        if m:
            return kind, ordinal(m.group(1))
    return None


def clean_heading(text: str) -> str:
    return re.sub(r"\s+|[::]+$", "", text)


def first_sentence_end(text: str) -> int:
    """End offset of the heading at the start of ``text``: through its first sentence mark."""
    m = HEADING_END.search(text)
    return m.end() if m else len(text)


@dataclass
class _Item:
    start: int
    kind: str
    n: int


def find_subpoints(text: str) -> list[tuple[int, int]]:
    """Spans of inline enumeration items; a list counts only once it reaches its second item."""
    items: list[_Item] = []
    for kind, pattern in INLINE_MARKERS:
        series: list[_Item] = []
        for m in pattern.finditer(text):
            n = ordinal(m.group(1))
            if series and follows(series[-1].n, n):
                series.append(_Item(m.start(), kind, n))
            elif n == 1:
                if len(series) >= 2:
                    items += series
                series = [_Item(m.start(), kind, n)]
        if len(series) >= 2:
            items += series
    items.sort(key=lambda item: item.start)
    starts = [item.start for item in items]
    return [(s, e) for s, e in zip(starts, starts[1:] + [len(text)], strict=False)]


class _SpeechParser:
    def __init__(self, doc: str, title: str, body: list[tuple[int, str]], hints: dict[int, int]):
        self.doc = doc
        self.hints = hints
        self.speech = Speech(title=title, line=0)
        self.body = body
        self.passages: list[Passage] = []

    def parse(self, title_lines: list[tuple[int, str]] = ()) -> tuple[Speech, list[Passage]]:
        # Title lines are not in the body but are searched like any passage (Ctrl-F finds them).
        for lineno, text in title_lines:
            self._add(lineno, text, 0, len(text), [], "title")
        lines = list(self.body)
        if lines and SALUTATION.match(lines[0][1].strip()):
            self.speech.salutation_line = lines[0][0]
            self._add(lines[0][0], lines[0][1], 0, len(lines[0][1]), [], "salutation")
            lines = lines[1:]
        headings = self._confirmed_headings(lines)
        closing_from = self._closing_start(lines, headings)
        stack: list[tuple[str, int, Section]] = []
        for index, (lineno, text) in enumerate(lines):
            if index >= closing_from:
                self.speech.closing_lines.append(lineno)
                self._paragraph(lineno, text, [], None, "closing")
                continue
            marker = headings.get(lineno)
            if marker is not None and self._open(stack, marker, lineno, text):
                continue
            if not stack:
                self.speech.preamble_lines.append(lineno)
                self._paragraph(lineno, text, [], None, "paragraph")
                continue
            node = stack[-1][2]
            (node.body_lines if node.points else node.intro_lines).append(lineno)
            self._paragraph(lineno, text, self._path(stack), node, "paragraph")
        return self.speech, self.passages

    def _confirmed_headings(self, lines: list[tuple[int, str]]) -> dict[int, tuple[str, int]]:
        """Line markers whose list goes on: a first item needs a second of its kind later."""
        markers = [(lineno, line_marker(text)) for lineno, text in lines]
        confirmed: dict[int, tuple[str, int | None]] = {}
        for i, (lineno, marker) in enumerate(markers):
            if self.hints.get(lineno):  # a style says so (Heading 2): no ordinal needed
                confirmed[lineno] = (f"Heading {self.hints[lineno]}", None)
                continue
            if marker is None:
                continue
            kind, n = marker
            if n != 1 or any(m == (kind, 2) for _, m in markers[i + 1:]):
                confirmed[lineno] = marker
        return confirmed

    def _closing_start(self, lines: list[tuple[int, str]], headings: dict) -> int:
        last_heading = max((i for i, (lineno, _) in enumerate(lines) if lineno in headings), default=-1)
        for i in range(last_heading + 1, len(lines)):
            if CLOSING_OPENER.match(lines[i][1].strip()):
                return i
        return len(lines)

    def _open(self, stack: list, marker: tuple[str, int | None], lineno: int, text: str) -> bool:
        kind, n = marker
        depth = next((i for i, (k, _, _) in enumerate(stack) if k == kind), None)
        if depth is not None and (n is None or follows(stack[depth][1], n)):
            del stack[depth:]
        elif n is not None and n != 1:
            return False
        head_end = first_sentence_end(text)
        node = Section(heading=clean_heading(text[:head_end].rstrip(SENTENCE_END)), line=lineno,
                       level=len(stack) + 1, marker=kind)
        parent = stack[-1][2].points if stack else self.speech.sections
        parent.append(node)
        stack.append((kind, n, node))
        path = self._path(stack)
        self._add(lineno, text, 0, head_end, path, "heading")
        self._split(lineno, text, head_end, len(text), path, node)
        return True

    @staticmethod
    def _path(stack: list) -> list[str]:
        return [node.heading for _, _, node in stack]

    def _paragraph(self, lineno: int, text: str, path: list[str], node: Section | None, kind: str):
        self._split(lineno, text, 0, len(text), path, node, kind)

    def _split(self, lineno, text, start, end, path, node, kind="paragraph"):
        """Passages of ``text[start:end]``: the text before any sub-point, then each sub-point."""
        segment = text[start:end]
        spans = find_subpoints(segment)
        first = spans[0][0] if spans else len(segment)
        self._add(lineno, text, start, start + first, path, kind)
        for s, e in spans:
            sub_text = segment[s:e]
            m = SUBPOINT_HEADING_END.search(sub_text)
            heading = clean_heading(sub_text[: m.start() if m else 40])
            if node is not None:
                node.subpoints.append(SubPoint(heading, lineno, start + s, start + e))
            self._add(lineno, text, start + s, start + e, path + [heading], "subpoint")

    def _add(self, lineno, text, start, end, path, kind):
        piece = text[start:end]
        stripped = piece.strip()
        if not stripped:
            return
        start += len(piece) - len(piece.lstrip())
        end = start + len(stripped)
        self.passages.append(Passage(doc=self.doc, speech=self.speech.title, path=list(path),
                                     line=lineno, start=start, end=end, text=stripped, kind=kind))


def _is_title_like(text: str) -> bool:
    text = text.strip()
    return (0 < len(text) <= TITLE_MAX and not HEADING_END.search(re.sub("[!!]+$", "", text))
            and line_marker(text) is None and not SALUTATION.match(text))


def _speech_titles(content: list[tuple[int, str]]) -> list[int]:
    """Indices of lines that open numbered speeches: 讲话稿(一): … 讲话稿(二): …"""
    found: list[tuple[int, str, int]] = []
    for i, (_, text) in enumerate(content):
        text = text.strip()
        if len(text) > TITLE_MAX:
            continue
        m = SPEECH_TITLE.match(text)
        if m:
            found.append((i, m.group("base"), ordinal(m.group("n") or m.group("m"))))
    best: list[int] = []
    for base in {b for _, b, _ in found}:
        series = [(i, n) for i, b, n in found if b == base]
        run, expected = [], 1
        for i, n in series:
            if n == expected:
                run.append(i)
                expected += 1
        if len(run) >= 2 and len(run) > len(best):
            best = run
    return best


def parse_document(doc: str, content: list[tuple[int, str]], fallback_title: str,
                   hints: dict[int, int] | None = None, known_title: str | None = None
                   ) -> tuple[str, list[Speech], list[Passage]]:
    """Split ``content`` (line number, repaired text; boilerplate already removed) into speeches.

    ``hints`` maps line numbers to heading levels a file's styles give (0 for the title). With a
    ``known_title`` (from metadata) the first line is the title only if it says the same.
    """
    hints = hints or {}
    content = [(lineno, text) for lineno, text in content if text.strip()]
    title, title_line = fallback_title, 0
    title_text = ""
    if content:
        first_line, first = content[0]
        if known_title:
            is_title = clean_heading(first) == clean_heading(known_title)
        else:
            is_title = hints.get(first_line) == 0 or (not hints.get(first_line) and _is_title_like(first))
        if is_title:
            title, title_line, title_text = clean_heading(first), first_line, first
            content = content[1:]
    starts = _speech_titles(content)
    passages: list[Passage] = []
    if not starts:
        segments = [(title, title_line, title_text, content)]
    else:
        segments = []
        if starts[0] > 0:
            segments.append((title, title_line, title_text, content[: starts[0]]))
        elif title_text:
            # The speeches are numbered from the first line on: the document's title heads none
            # of them and is a passage under the document's title.
            passages += _SpeechParser(doc, title, [], hints).parse([(title_line, title_text)])[1]
        for k, i in enumerate(starts):
            end = starts[k + 1] if k + 1 < len(starts) else len(content)
            lineno, text = content[i]
            segments.append((clean_heading(text), lineno, text, content[i + 1: end]))
    speeches = []
    for speech_title, lineno, title_text, body in segments:
        title_lines = [(lineno, title_text)] if title_text else []
        speech, speech_passages = _SpeechParser(doc, speech_title, body, hints).parse(title_lines)
        speech.line = lineno
        speeches.append(speech)
        passages += speech_passages
    for number, passage in enumerate(passages):
        passage.ordinal = number
    return title, speeches, passages
