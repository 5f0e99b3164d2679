"""Traditional -> simplified conversion, shared by ingest (documents) and search (queries).

A document is converted only where it is written in traditional script. OpenCC's phrase
tables also rewrite text that is already simplified (tw2s makes 显著 显着, 濛溪河 蒙溪河), so
simplified text must not pass through them: it is kept character for character. What decides is
a count of traditional-only characters, those that OpenCC's own character table (t2s, one
character at a time, no phrases) changes: 會 們 這 are, 著 显 干 are not.
"""

from __future__ import annotations

import re
import zlib
from collections import Counter
from functools import lru_cache
from pathlib import Path

# Measured on the seed: t2s leaves 著 unconverted 21 times (著力, 随著) where tw2s converts all
# of them and keeps 显著; tw2sp also rewrites vocabulary (整合 -> 集成), which we do not want.
OPENCC_CONFIG = "tw2s"
# A document is traditional when this share of its Han characters is traditional-only: a
# simplified report holds a few (濛 in a place name, ~0.001%), a traditional page 15-40%.
DOCUMENT_SHARE = 0.02
# In a simplified document, a line quoting traditional text is converted when this share of
# its Han characters (and at least two of them) is traditional-only.
LINE_SHARE = 0.2
HAN_RANGES = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF))


@lru_cache(maxsize=1)
def _han() -> re.Pattern:
    """One Han character. Compiled when first used (3 ms): a query needs it only without a table."""
    return re.compile("[" + "".join(f"{chr(low)}-{chr(high)}" for low, high in HAN_RANGES) + "]")


@lru_cache(maxsize=1)
def _converter():
    import opencc

    return opencc.OpenCC(OPENCC_CONFIG)


@lru_cache(maxsize=1)
def _character_table():
    import opencc

    return opencc.OpenCC("t2s")


_traditional_only: dict[str, bool] = {}

# Every Han character that OpenCC's t2s table changes, written beside an index when it is built:
# a search reads it (12 KB) to look at the query instead of loading OpenCC (about 10 ms). Only
# queries use it; ingest asks OpenCC itself. The first line holds the checksum of the rest: a
# damaged table is ignored, and OpenCC answers as it would without one.
TRADITIONAL_TABLE = "traditional.txt"
_table: str | None = None  # a string, not a set: a set of its 4,221 characters took 0.2 ms to build


def write_traditional_table(folder: Path) -> None:
    path = folder / TRADITIONAL_TABLE
    if path.exists():
        return
    chars = [chr(code) for low, high in HAN_RANGES for code in range(low, high + 1)]
    marked = "".join(sorted(traditional_only(set(chars))))
    path.write_text(f"{zlib.crc32(marked.encode('utf-8')):08x}\n{marked}", encoding="utf-8")


def use_traditional_table(folder: Path) -> None:
    """Tell a query's traditional-only characters by the table in ``folder``, if it is sound."""
    global _table
    try:
        checksum, _, marked = (folder / TRADITIONAL_TABLE).read_text(encoding="utf-8").partition("\n")
    except (OSError, UnicodeDecodeError):
        return
    if checksum == f"{zlib.crc32(marked.encode('utf-8')):08x}":
        _table = marked


def traditional_only(chars: set[str]) -> set[str]:
    """The characters of ``chars`` that exist only in traditional script."""
    unknown = [c for c in chars if c not in _traditional_only]
    if unknown:
        converted = _character_table().convert("\n".join(unknown)).split("\n")
        for char, simple in zip(unknown, converted, strict=True):
            _traditional_only[char] = simple != char
    return {c for c in chars if _traditional_only[c]}


def traditional_share(text: str) -> tuple[int, int]:
    """(traditional-only characters, Han characters) in ``text``."""
    # Counted per distinct character: a list of every Han character of a 50 MB line is 4 GB.
    counts = {c: n for c, n in Counter(text).items() if _han().match(c)}
    if not counts:
        return 0, 0
    marked = traditional_only(set(counts))
    return sum(counts[c] for c in marked), sum(counts.values())


def is_traditional_line(text: str) -> bool:
    traditional, han = traditional_share(text)
    return traditional >= 2 and traditional / han >= LINE_SHARE


def lines_to_convert(lines: list[str]) -> list[bool]:
    """For each line of a document, whether it is traditional text to convert: every line of
    a traditional document, else the lines that are mostly traditional (a quotation). A short
    document with a character or two (濛溪河) is not traditional."""
    text = "\n".join(lines)
    marked = traditional_only(set(_han().findall("".join(set(text)))))  # one regex pass over the distinct characters
    if not marked:  # the common case, decided by the set of characters alone
        return [False] * len(lines)
    han = {c: n for c, n in Counter(text).items() if _han().match(c)}
    traditional = sum(han[c] for c in marked)
    if traditional >= 3 and traditional / sum(han.values()) >= DOCUMENT_SHARE:
        return [True] * len(lines)
    return [not marked.isdisjoint(line) and is_traditional_line(line) for line in lines]


def to_simplified(text: str) -> str:
    if "\x00" in text:  # OpenCC stops at a NUL: convert what stands on either side of each
        return "\x00".join(map(to_simplified, text.split("\x00")))
    return _converter().convert(text)


def query_forms(text: str) -> list[str]:
    """The forms a query is looked up in, so that either script finds both.

    Simplified text is indexed as written and traditional text as tw2s converts it. A query
    without traditional-only characters is looked up as typed (显著 finds 显著, never 显着); one
    with them also as tw2s and as t2s convert it: 隨著 as 随着 (tw2s, as a traditional page is
    indexed), 顯著 as 显著, and 濛溪河 as typed too, for a simplified report that kept the 濛.
    """
    if _table is not None:
        marked = any(char in _table for char in set(text))  # the table holds Han characters only
    else:
        marked = bool(traditional_only(set(_han().findall(text))))
    if not marked:
        return [text]
    forms = [text]
    for form in (to_simplified(text), _character_table().convert(text)):
        if form not in forms:
            forms.append(form)
    return forms


_simple_char: dict[int, int] = {}  # code point -> its simplified code point (traditional-only chars)


def simplifying_table(chars: set[str]) -> dict[int, int]:
    """A ``str.translate`` table simplifying every traditional-only character of ``chars``."""
    unknown = sorted(c for c in chars if ord(c) not in _simple_char and _han().match(c))
    if unknown:
        for char, simple in zip(unknown, _character_table().convert("\n".join(unknown)).split("\n"), strict=True):
            _simple_char[ord(char)] = ord(simple) if len(simple) == 1 else ord(char)
    return _simple_char


def simplify_chars(text: str) -> str:
    """``text`` with each traditional-only character replaced by its simplified one (OpenCC's
    t2s character table, no phrases): as long as ``text``, so offsets carry over."""
    return text.translate(simplifying_table(set(text)))
