"""Parse repaired lines into speeches, their outline (sections, points, sub-points) and passages.

A heading is a line that opens with a marker (一、 （一） 第一章 第三条 一是 …), in either width:
patterns read a width-folded copy of each line (（一） as (一)), and offsets stay the line's own.
A marker counts when its list goes on: its ordinal continues the last item of its kind, under the
same parent or across parents (（1）…（61） numbered through a whole plan), and a first item needs
a second. A heading line's first sentence is the heading; the rest of the line is its body
(run-in headings: ``（一）加快建设现代化产业体系。推进……``). A law article's heading is its label
(``第三条``).

Levels come from nesting as a reader sees it: the first kind of marker met opens level 1, a
different kind met under it goes one deeper, and a kind already open closes everything below it
(a restarted list, 一 again, starts over at that depth). So 编 › 章 › 节 › 条 › （一） in a law and
一、 › （一） › 一是 in a report come out of one rule, to any depth.

Unnumbered headings stand alone on their line, are short, and come in a series under one parent
with body text after each (这一年，我们… ×6; 大力提振消费。 …): a single short line is not enough.
Two shapes nest as two levels: comma'd sentences that open alike, and short phrases.

Inside a paragraph, inline enumerations (一是…二是…, 一要…二要…, 首先…其次…) are sub-points. A
glossary or footnote block at the end (注释, 名词解释, ［1］…) is passages of kind ``note``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..markers import SENTENCE_END, N, inline_markers
from ..model import Passage, Section, Speech, SubPoint
from ..width import MARK_FOLD, fold_marks

_CN_VALUE = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4,
             "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_UNIT = {"十": 10, "百": 100, "千": 1000}
SERIES_WORDS = {"首先": 1, "其次": 2, "再次": 3, "最后": 0}  # 最后 may close any series

# Patterns read the width-folded line: （一） is (一), ， is ",", ： is ":".
LINE_MARKERS: list[tuple[str, re.Pattern]] = [
    ("第X编", re.compile(rf"第({N})分?编")),
    ("第X章", re.compile(rf"第({N})章")),
    ("第X节", re.compile(rf"第({N})节")),
    ("第X条", re.compile(rf"第({N}) ?条")),
    ("第X部分", re.compile(rf"第({N})部分")),
    ("X、", re.compile(rf"({N})\s*(?:、|\.(?!\d))")),
    ("(X)", re.compile(rf"\(\s*({N})\s*\)")),
    ("(1)", re.compile(r"\(\s*(\d{1,3})\s*\)")),
    ("1、", re.compile(r"(\d{1,3})\s*(?:、|\.(?!\d))")),
    ("①", re.compile(r"([①-⑳])")),
    ("第X,", re.compile(rf"第({N})\s*[,、:;。]")),
    ("X是", re.compile(rf"({N})是")),
    ("X要", re.compile(rf"({N})要")),
    ("首先", re.compile("(首先|其次|再次|最后)")),
]
# Lines that name a division without a number: an appendix, a law's supplementary provisions.
APPENDIX = re.compile(r"附\s*件\s*(\d{1,2}|[一二三四五六七八九十]{1,3})?\s*[:.]?")
SUPPLEMENTARY = re.compile(r"附\s*则")
NOTES_TITLE = re.compile(r".{0,20}(名词解释|名词注释|名词解读|注释|注解|名词说明)\s*[:]?")
FOOTNOTE = re.compile(r"\[\d{1,3}\]")
# Kinds whose items are points, never the parent of an unnumbered sub-heading.
LEAF_KINDS = {"第X条", "1、", "(1)", "①", "第X,", "X是", "X要", "首先"}
TOP_KINDS = {"附件", "附则"}
LISTY_KINDS = {"1、", "(1)", "①"}
UNNUMBERED_SENTENCE, UNNUMBERED_PHRASE = "unnumbered sentence", "unnumbered phrase"
UNNUMBERED = {UNNUMBERED_SENTENCE, UNNUMBERED_PHRASE}
APPENDIX_TITLE = "appendix title"

HEADING_END = re.compile(f"[{SENTENCE_END}]")
SUBPOINT_HEADING_END = re.compile(f"[{SENTENCE_END}:]")
SALUTATION = re.compile(r"^.{1,20}:$")
CLOSING_OPENER = re.compile(r"^(同志们[!,。]|谢谢|最后[,]?让我们)")
SPEECH_TITLE = re.compile(
    r"^(?P<base>[^。!?;]{2,60}?)(?:\((?P<n>[一二三四五六七八九十\d]{1,3})\)"
    r"|(?:篇|范文|稿)(?P<m>[一二三四五六七八九十\d]{1,3}))\s*:?$"
)
TITLE_MAX = 60
HAN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff]")


def ordinal(token: str) -> int:
    """一 -> 1, 十二 -> 12, 二十 -> 20, 一千零三十七 -> 1037, 3 -> 3, ③ -> 3, 其次 -> 2."""
    if token in SERIES_WORDS:
        return SERIES_WORDS[token]
    if "①" <= token <= "⑳":
        return ord(token) - ord("①") + 1
    if token.isdecimal():
        return int(token)
    total, current = 0, 0
    for ch in token:
        if ch in _CN_UNIT:
            total += (current or 1) * _CN_UNIT[ch]
            current = 0
        else:
            current = _CN_VALUE.get(ch, 0)
    return total + current


def follows(previous: int, n: int) -> bool:
    """Whether ordinal ``n`` continues a list whose last item was ``previous``."""
    if n == 0:  # 最后
        return previous >= 2
    return n == previous + 1


def line_marker(text: str) -> tuple[str, int, int] | None:
    """(kind, ordinal, end of the marker) of the marker opening ``text``, read width-folded."""
    folded = fold_marks(text)
    stripped = folded.lstrip()
    offset = len(folded) - len(stripped)
    for kind, pattern in LINE_MARKERS:
        m = pattern.match(stripped)
        if m:
            return kind, ordinal(m.group(1)), offset + m.end()
    return None


def clean_heading(text: str) -> str:
    return re.sub(r"\s+|[:：]+$", "", text)


def first_sentence_end(text: str) -> int:
    """End offset of the heading at the start of ``text``: through its first sentence mark."""
    m = HEADING_END.search(fold_marks(text))
    return m.end() if m else len(text)


@dataclass
class Heading:
    """A line the outline opens a node on: its kind, ordinal (None: no number) and where the
    heading ends in the line (the rest of the line is the heading's body)."""

    kind: str
    n: int | None
    end: int
    text: str | None = None  # the heading, when it is not its line's (one broken over two lines)
    sub: tuple[int, int] | None = None  # a sub-heading after it on its line, heading what follows


@dataclass
class _Item:
    start: int
    kind: str
    n: int


def find_subpoints(text: str) -> list[tuple[int, int]]:
    """Spans of inline enumeration items; a list counts only once it reaches its second item."""
    items: list[_Item] = []
    for kind, words, pattern in inline_markers():
        if not any(word in text for word in words):  # most lines: no scan of the pattern
            continue
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


def _ends_sentence(text: str) -> bool:
    return bool(re.search(r"[。!?;:”’\")]$", fold_marks(text).rstrip()))


ADDRESS = re.compile(r"(各位|同志们|朋友们|女士们|先生们|亲爱的|尊敬的).{0,16}")


def _unnumbered_shape(text: str) -> tuple[str, int, tuple[int, int] | None] | None:
    """(shape, end of the heading, span of a sub-heading after it) of a line that may be an
    unnumbered heading, or None. A comma'd heading sentence may be followed on its line by a
    short phrase that heads what comes next (五年来，我们…新跨越。经济实力显著提升。)."""
    folded = fold_marks(text)
    first = HEADING_END.search(folded)
    if first and folded[first.end():].strip():
        head, rest = folded[:first.end()], folded[first.end():]
        if _single_shape(head) == UNNUMBERED_SENTENCE and _single_shape(rest) == UNNUMBERED_PHRASE:
            start = first.end() + len(rest) - len(rest.lstrip())
            return UNNUMBERED_SENTENCE, first.end(), (start, len(text.rstrip()))
        return None
    shape = _single_shape(folded)
    return (shape, len(text.rstrip()), None) if shape else None


def _single_shape(text: str) -> str | None:
    """The shape of one sentence that may be an unnumbered heading, or None."""
    folded = fold_marks(text).strip()
    if len(folded) > 50 or ADDRESS.fullmatch(folded.rstrip("!:,。")):
        return None
    body = folded.rstrip("。!")
    if len(HAN.findall(body)) < 4 or HEADING_END.search(body) or re.search(r"[,、:(]$|的$", body):
        return None
    if "," in body:
        return UNNUMBERED_SENTENCE  # at most 50 characters, as above
    return UNNUMBERED_PHRASE if len(folded) <= 25 else None


class _OutlineReader:
    """Decides which lines of a speech's body are headings (and of what kind) and where its
    notes begin; nesting is left to the parser."""

    def __init__(self, lines: list[tuple[int, str]], hints: dict[int, int]):
        self.lines = lines
        self.hints = hints

    def notes_start(self) -> int:
        """Index of the first line of a glossary or footnote block at the end, or len(lines)."""
        lines = self.lines
        for i, (_, text) in enumerate(lines):
            folded = fold_marks(text).strip()
            if len(folded) <= 30 and NOTES_TITLE.fullmatch(folded) and i >= len(lines) // 2:
                label = i > 0 and APPENDIX.fullmatch(fold_marks(lines[i - 1][1]).strip())
                return i - 1 if label else i
            if FOOTNOTE.match(folded) and i >= len(lines) // 2 and i + 2 < len(lines):
                if sum(bool(FOOTNOTE.match(fold_marks(t).strip())) for _, t in lines[i:]) >= 3:
                    return i
        return len(lines)

    def headings(self, end: int) -> dict[int, Heading]:
        lines = self.lines[:end]
        markers = [self._marker(text) for _, text in lines]
        for i, (_, text) in enumerate(lines[:-1]):
            if fold_marks(text).strip() == "(" and markers[i + 1] is None:
                # a heading broken after its bracket: （ / 三）改革开放持续深化、互促共进。
                next_text = lines[i + 1][1]
                joined = self._marker(text.strip() + next_text)
                if joined is not None:
                    heading = text.strip() + next_text[:first_sentence_end(next_text)]
                    markers[i] = Heading(joined.kind, joined.n, len(text), text=heading)
        continued = self._continued(markers)
        found: dict[int, Heading] = {}
        for i, (lineno, text) in enumerate(lines):
            level = self.hints.get(lineno)
            if level:  # a style says so (Heading 2): no ordinal needed
                found[lineno] = Heading(f"Heading {level}", None, len(text))
                continue
            marker = markers[i]
            if marker is None:
                continue
            if marker.n is not None and not continued(i, marker):
                continue
            found[lineno] = marker
        self._drop_lists(lines, found)
        found.update(self._unnumbered(lines, found, markers))
        for i, (lineno, _) in enumerate(lines[:-1]):
            heading = found.get(lineno)
            next_line, next_text = lines[i + 1]
            if heading is not None and heading.kind == "附件" and next_line not in found \
                    and _is_title_like(next_text):
                found[next_line] = Heading(APPENDIX_TITLE, None, len(next_text.rstrip()))
        return found

    @staticmethod
    def _continued(markers: list[Heading | None]):
        """Whether the marker at an index continues a list. A list's first item counts only with
        a second after it: 一 needs a 二 of its kind, and a list that opens on another number (a
        code's part opens at 第九百八十九条) needs its successor; later items count as they come."""
        first: dict[str, int] = {}  # where each kind is first met
        last: dict[tuple[str, int | None], int] = {}  # where each (kind, number) is last met
        for i, m in enumerate(markers):
            if m is not None:
                first.setdefault(m.kind, i)
                last[(m.kind, m.n)] = i

        def continued(i: int, marker: Heading) -> bool:
            if marker.n != 1 and first[marker.kind] < i:
                return True
            return last.get((marker.kind, marker.n + 1), -1) > i

        return continued

    @staticmethod
    def _marker(text: str) -> Heading | None:
        folded = fold_marks(text).strip()
        if APPENDIX.fullmatch(folded):
            return Heading("附件", None, len(text))
        if SUPPLEMENTARY.fullmatch(folded):
            return Heading("附则", None, len(text))
        marker = line_marker(text)
        if marker is None:
            return None
        kind, n, marker_end = marker
        if kind == "第X条":
            return Heading(kind, n, marker_end)
        if not text[marker_end:].strip():
            return None  # a marker with nothing after it
        return Heading(kind, n, first_sentence_end(text))

    @staticmethod
    def _drop_lists(lines, found: dict[int, Heading]) -> None:
        """Arabic-numbered lines one after another, each a single sentence, are a list (民生实事
        1.–10.), not headings: a heading has body after it, on its line or the next."""
        index = {lineno: i for i, (lineno, _) in enumerate(lines)}
        runs: list[list[int]] = []
        for lineno, heading in sorted(found.items()):
            if heading.kind not in LISTY_KINDS:
                continue
            i = index[lineno]
            previous = lines[i - 1][0] if i else None
            if runs and runs[-1][-1] == previous and found[previous].kind == heading.kind:
                runs[-1].append(lineno)
            else:
                runs.append([lineno])
        for run in runs:
            texts = [lines[index[lineno]][1] for lineno in run]
            if len(run) >= 2 and all(not re.search("[。!?]", fold_marks(t).strip()[:-1]) for t in texts):
                for lineno in run:
                    del found[lineno]

    def _unnumbered(self, lines, found: dict[int, Heading], markers: list[Heading | None]) -> dict[int, Heading]:
        """Unnumbered headings: short lines standing alone, body after each, in a series."""
        groups: dict[tuple, list[int]] = {}
        parent = None  # the last numbered heading: a series never straddles one
        for i, (lineno, text) in enumerate(lines):
            if lineno in found:
                parent = lineno
                continue
            if markers[i] is not None or i + 1 >= len(lines):
                continue
            shape = _unnumbered_shape(text)
            if shape is None:
                continue
            if parent is not None and found[parent].kind == "第X条":
                continue  # an article's further paragraphs (款) are its body
            after = fold_marks(lines[i + 1][1]).strip()
            if len(after) < max(30, len(text.strip()) + 10) or lines[i + 1][0] in found:
                continue
            if re.match(r"[是的,、:;)]", after) or (i > 0 and lines[i - 1][0] not in found
                                                     and not _ends_sentence(lines[i - 1][1])):
                continue  # a sentence broken over lines
            stripped = fold_marks(text).strip()
            key = (parent, shape[0], stripped[:2] if shape[0] == UNNUMBERED_SENTENCE else "")
            groups.setdefault(key, []).append((i, shape))
        out: dict[int, Heading] = {}
        for members in groups.values():
            lengths = [shape[1] for _, shape in members]
            if len(members) < 2 or max(lengths) > 2.5 * min(lengths):
                continue
            for i, (kind, end, sub) in members:
                out[lines[i][0]] = Heading(kind, None, end, sub=sub)
        return out


class _SpeechParser:
    def __init__(self, doc: str, title: str, body: list[tuple[int, str]], hints: dict[int, int]):
        self.doc = doc
        self.hints = hints
        self.speech = Speech(title=title, line=0)
        self.body = body
        self.passages: list[Passage] = []
        self.last_ordinal: dict[str, int] = {}

    def parse(self, title_lines: list[tuple[int, str]] = ()) -> tuple[Speech, list[Passage]]:
        # Title lines are not in the body but are searched like any passage (Ctrl-F finds them).
        for lineno, text in title_lines:
            self._add(lineno, text, 0, len(text), [], "title")
        lines = list(self.body)
        if lines and SALUTATION.match(fold_marks(lines[0][1]).strip()):
            self.speech.salutation_line = lines[0][0]
            self._add(lines[0][0], lines[0][1], 0, len(lines[0][1]), [], "salutation")
            lines = lines[1:]
        reader = _OutlineReader(lines, self.hints)
        notes_from = reader.notes_start()
        headings = reader.headings(notes_from)
        closing_from = self._closing_start(lines[:notes_from], headings)
        stack: list[tuple[str, int | None, Section]] = []
        for index, (lineno, text) in enumerate(lines):
            if index >= notes_from:
                self.speech.notes_lines.append(lineno)
                self._add(lineno, text, 0, len(text), [], "note")
                continue
            if index >= closing_from:
                self.speech.closing_lines.append(lineno)
                self._paragraph(lineno, text, [], None, "closing")
                continue
            heading = headings.get(lineno)
            if heading is not None and self._open(stack, heading, lineno, text):
                continue
            if not stack:
                self.speech.preamble_lines.append(lineno)
                self._paragraph(lineno, text, [], None, "paragraph")
                continue
            node = stack[-1][2]
            (node.body_lines if node.points else node.intro_lines).append(lineno)
            self._paragraph(lineno, text, self._path(stack), node, "paragraph")
        return self.speech, self.passages

    def _closing_start(self, lines: list[tuple[int, str]], headings: dict) -> int:
        last_heading = max((i for i, (lineno, _) in enumerate(lines) if lineno in headings), default=-1)
        for i in range(last_heading + 1, len(lines)):
            if CLOSING_OPENER.match(fold_marks(lines[i][1]).strip()):
                return i
        return len(lines)

    def _open(self, stack: list, heading: Heading, lineno: int, text: str, start: int = 0) -> bool:
        """Open the node ``heading`` starts on its line (at ``start``: a sub-heading that
        follows its parent's sentence there), or return False if its list does not go on."""
        kind, n = heading.kind, heading.n
        if kind in TOP_KINDS:
            del stack[:]
        else:
            if kind in UNNUMBERED:
                while stack and stack[-1][0] in LEAF_KINDS:
                    stack.pop()
            elif n is not None:
                # An unnumbered subhead inside a section heads no numbered list: (一) after
                # 这五年，… is its sibling. Unnumbered parts at the top may head 一、 …
                while len(stack) > 1 and stack[-1][0] in UNNUMBERED and kind not in (k for k, _, _ in stack):
                    stack.pop()
            depth = next((i for i, (k, _, _) in enumerate(stack) if k == kind), None)
            if depth is not None:
                if n is not None and n != 1 and not follows(stack[depth][1], n):
                    return False
                del stack[depth:]  # the next item, or a list of this kind starting over
            elif n is not None and n != 1 and kind in self.last_ordinal \
                    and not follows(self.last_ordinal[kind], n):
                return False
        if n is not None:
            self.last_ordinal[kind] = n
        head_end = heading.end
        heading_text = heading.text or text[start:head_end].rstrip()
        if heading.text is None and text[head_end:].strip():  # run-in: the first sentence, without its 。
            heading_text = heading_text.rstrip("。")
        node = Section(heading=clean_heading(heading_text), line=lineno, level=len(stack) + 1, marker=kind)
        parent = stack[-1][2].points if stack else self.speech.sections
        parent.append(node)
        stack.append((kind, n, node))
        path = self._path(stack)
        self._add(lineno, text, start, head_end, path, "heading")
        if heading.sub is not None:
            start, end = heading.sub
            self._open(stack, Heading(UNNUMBERED_PHRASE, None, end), lineno, text[:end], start)
            return True
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
            m = SUBPOINT_HEADING_END.search(fold_marks(sub_text))
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
        for chunk_start, chunk_end in bounded(stripped):
            chunk = stripped[chunk_start:chunk_end]
            lead = len(chunk) - len(chunk.lstrip())
            chunk = chunk.strip()
            if chunk:
                self.passages.append(Passage(doc=self.doc, speech=self.speech.title, path=list(path), line=lineno,
                                             start=start + chunk_start + lead,
                                             end=start + chunk_start + lead + len(chunk), text=chunk, kind=kind))


MAX_PASSAGE = 5_000  # characters: longer paragraphs (a page with no line breaks) are cut
LAST_SENTENCE_END = re.compile(f".*[{SENTENCE_END}]", re.S)


def bounded(text: str, limit: int = MAX_PASSAGE) -> list[tuple[int, int]]:
    """``text`` cut into spans of at most ``limit`` characters, after a sentence end where the
    span holds one in its last three quarters: a 50 MB line becomes passages a reader (and the
    index's memory) can hold."""
    if len(text) <= limit:
        return [(0, len(text))]
    spans, start = [], 0
    while len(text) - start > limit:
        window = text[start:start + limit].translate(MARK_FOLD)  # not fold_marks: its cache holds lines
        found = LAST_SENTENCE_END.match(window, limit // 4)
        end = start + (found.end() if found else limit)
        spans.append((start, end))
        start = end
    spans.append((start, len(text)))
    return spans


def _is_title_like(text: str) -> bool:
    folded = fold_marks(text).strip()
    return (0 < len(folded) <= TITLE_MAX and not HEADING_END.search(re.sub("!+$", "", folded))
            and line_marker(text) is None and not SALUTATION.match(folded)
            and not folded.startswith(("—", "-", "(")) and bool(HAN.search(folded)))


GENERIC_TITLE = re.compile(r"(?P<year>\d{4}年)?(?P<rest>(政府)?工作报告)")
BYLINE_PLACE = re.compile(r"(?P<year>\d{4})年\d{1,2}月\d{1,2}日在(?P<place>[\u4e00-\u9fff]{2,12}?"
                          r"(省|自治区|特别行政区|市|州|盟|县|区))第")
PART_NAME = re.compile(r"[\u4e00-\u9fff]{2,8}编")


def _qualified_title(title: str, following: list[str]) -> str:
    """A title as a reader gives it. A report printed as plain 政府工作报告 takes its year and
    place from the byline under it (——2026年1月26日在广东省第十四届…); a code printed as its name
    and a part name on the next line (中华人民共和国民法典 / 人格权编) is both, joined by ·."""
    if following and PART_NAME.fullmatch(following[0].strip()) and not line_marker(following[0]):
        return f"{title}·{following[0].strip()}"
    m = GENERIC_TITLE.fullmatch(title)
    if not m:
        return title
    for line in following[:3]:
        place = BYLINE_PLACE.search(re.sub(r"\s", "", line))
        if place and place.group("place") not in title:
            return f"{place.group('year')}年{place.group('place')}{m.group('rest')}"
    return title


def _speech_titles(content: list[tuple[int, str]]) -> list[int]:
    """Indices of lines that open numbered speeches: 讲话稿(一): … 讲话稿(二): …"""
    found: list[tuple[int, str, int]] = []
    for i, (_, text) in enumerate(content):
        text = fold_marks(text).strip()
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
    """Split ``content`` (line number, repaired text; boilerplate and chrome already removed)
    into speeches.

    ``hints`` maps line numbers to heading levels a file's styles give (0 for the title). With a
    ``known_title`` (from metadata) the first line is the title only if that title holds it
    (政府工作报告 under 2026年广东省政府工作报告).
    """
    hints = hints or {}
    content = [(lineno, text) for lineno, text in content if text.strip()]
    title, title_line = fallback_title, 0
    title_text = ""
    if content:
        first_line, first = content[0]
        if known_title:  # the first line is the title if the metadata's title says it
            is_title = bool(clean_heading(first)) and clean_heading(first) in clean_heading(known_title)
        else:
            is_title = hints.get(first_line) == 0 or (not hints.get(first_line) and _is_title_like(first))
        if is_title:
            title, title_line, title_text = clean_heading(first), first_line, first
            content = content[1:]
            if not known_title:
                title = _qualified_title(title, [text for _, text in content[:3]])
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
