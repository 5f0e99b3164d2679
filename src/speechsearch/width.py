"""Width folding: full-width ASCII forms (（ ， ： ！ １ Ａ) read as their ASCII twins.

Folding maps one character to one character, so an offset found in the folded text is the
same offset in the text as written: patterns match the folded copy and slice the original.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache

# Full-width ASCII (ＡＢＣ１２３（，）) and the ideographic space: what search folds.
WIDTH_FOLD = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}


def _character_class(codes) -> str:
    """A regular expression's class of ``codes``, as ranges (one compiles faster than a list)."""
    ranges: list[list[int]] = []
    for code in sorted(codes):
        if ranges and code == ranges[-1][1] + 1:
            ranges[-1][1] = code
        else:
            ranges.append([code, code])
    return "[" + "".join(re.escape(chr(low)) + (f"-{re.escape(chr(high))}" if high > low else "")
                         for low, high in ranges) + "]"


_WIDE = re.compile(_character_class(WIDTH_FOLD))
_NARROW = {chr(wide): chr(narrow) for wide, narrow in WIDTH_FOLD.items()}.__getitem__


def fold_width(text: str) -> str:
    """``text.translate(WIDTH_FOLD)``, replacing only what it finds: translate looks every
    character up in the table, and a passage has a few full-width marks among its Han
    characters (2.6 times as fast on the bench corpus's passages)."""
    return _WIDE.sub(lambda match: _NARROW(match.group()), text)

# For reading marks in a line: other spaces too (民法典 chapter lines use U+2002), and brackets
# and dashes that mean the same to an outline reader.
MARK_FOLD = WIDTH_FOLD | {code: 0x20 for code in (0x00A0, *range(0x2000, 0x200B), 0x202F, 0x205F)} | {
    ord("〔"): ord("["), ord("〕"): ord("]"), ord("【"): ord("["), ord("】"): ord("]"), ord("―"): ord("—")}


@cache
def _mark_folding():
    """The marks' pattern and their plain forms; made when ingest first asks (its compilation,
    0.2 ms, is not a search's to pay)."""
    return re.compile(_character_class(MARK_FOLD)), {chr(mark): chr(plain) for mark, plain in MARK_FOLD.items()}


@lru_cache(maxsize=8192)  # the outline reads each line several times
def fold_marks(text: str) -> str:
    """``text`` with full-width forms as ASCII, for patterns; always as long as ``text``.
    (``text.translate(MARK_FOLD)``, replacing only what it finds, as ``fold_width`` does:
    2.4 times as fast on the bench corpus's lines.)"""
    marks, plain_of = _mark_folding()
    return marks.sub(lambda match: plain_of[match.group()], text)
