"""Repair of damaged text: pinyin annotations, byte-level garbage, traditional script.

Hosting sites wrote a reading after many characters, 會(huì)議. An annotation is stripped only
when pypinyin confirms it is a reading of the character before it, so real parentheses such as
(一) or (民生为本、人才优先工作主线) survive. Byte-level garbage (我們?nèi)松缦到y) is kept as it is and
reported; where the document (or the line) is in traditional script, the rest is converted to
simplified with OpenCC, and simplified text is kept as written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from ..model import GarbageSpot
from ..script import is_traditional_line, to_simplified

PINYIN_LETTERS = "a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüêńňǹḿ"
TONE_MARKS = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹḿ"
HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"

ANNOTATION = re.compile(rf"([{HAN}])[((]([{PINYIN_LETTERS}]{{1,7}})[))]")
# Marks of byte damage: a doubled '?', a '?' standing where a character and its opening
# parenthesis were lost (?nèi)), or a tone-marked reading after something that is not a character.
DAMAGE = re.compile(
    "\ufffd"  # a decoder's replacement character: bytes that were not text
    rf"|\?\?|\?[{PINYIN_LETTERS}]{{1,7}}\)"
    rf"|[^{HAN}((\s][((](?=[{PINYIN_LETTERS}]*[{TONE_MARKS}])[{PINYIN_LETTERS}]{{1,7}}[))]"
)
SPOT_GAP = 12  # marks closer than this belong to one damaged stretch


@dataclass
class RepairedLine:
    text: str
    annotations: int
    garbage: list[GarbageSpot]


@cache
def _readings(char: str) -> frozenset[str]:
    from pypinyin import Style, pinyin

    toned = pinyin(char, style=Style.TONE, heteronym=True)[0]
    plain = pinyin(char, style=Style.NORMAL, heteronym=True)[0]
    return frozenset(toned) | frozenset(plain)



def find_garbage(line: str, lineno: int) -> list[GarbageSpot]:
    spans: list[list[int]] = []
    for m in DAMAGE.finditer(line):
        if spans and m.start() - spans[-1][1] < SPOT_GAP:
            spans[-1][1] = m.end()
        else:
            spans.append([m.start(), m.end()])
    return [GarbageSpot(lineno, start + 1, line[start:end]) for start, end in spans]


def strip_annotations(text: str) -> tuple[str, int]:
    count = 0

    def replace(m: re.Match) -> str:
        nonlocal count
        char, reading = m.group(1), m.group(2)
        if reading in _readings(char) or reading.replace("ü", "v") in _readings(char):
            count += 1
            return char
        return m.group(0)

    return ANNOTATION.sub(replace, text), count


def _as_written(text: str) -> str:
    return text


def repair_line(line: str, lineno: int, traditional: bool | None = None) -> RepairedLine:
    """Strip confirmed readings and, where the text is traditional, convert it to simplified,
    leaving garbage spots untouched. ``traditional`` says whether to convert (see
    ``script.lines_to_convert``); None decides by the line alone."""
    if traditional is None:
        traditional = is_traditional_line(line)
    convert = to_simplified if traditional else _as_written
    garbage = find_garbage(line, lineno)
    pieces: list[str] = []
    annotations = 0
    pos = 0
    for spot in garbage:
        start = spot.column - 1
        clean, n = strip_annotations(line[pos:start])
        pieces += [convert(clean), spot.text]
        annotations += n
        pos = start + len(spot.text)
    clean, n = strip_annotations(line[pos:])
    pieces.append(convert(clean))
    return RepairedLine("".join(pieces), annotations + n, garbage)
