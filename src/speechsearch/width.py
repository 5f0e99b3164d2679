"""Width folding: full-width ASCII forms (（ ， ： ！ １ Ａ) read as their ASCII twins.

Folding maps one character to one character, so an offset found in the folded text is the
same offset in the text as written: patterns match the folded copy and slice the original.
"""

from __future__ import annotations

_TABLE = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
# Ideographic and typographic spaces (民法典 chapter lines use U+2002) read as a space.
_TABLE.update({code: 0x20 for code in (0x3000, 0x00A0, *range(0x2000, 0x200B), 0x202F, 0x205F)})
# Other brackets and dashes with one meaning for an outline reader.
_TABLE.update({ord("〔"): ord("["), ord("〕"): ord("]"), ord("［"): ord("["), ord("］"): ord("]"),
               ord("【"): ord("["), ord("】"): ord("]"), ord("―"): ord("—")})


def fold(text: str) -> str:
    """``text`` with full-width forms as ASCII; always the same length as ``text``."""
    return text.translate(_TABLE)
