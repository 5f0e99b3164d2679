"""The marks a reader of Chinese prose goes by, shared by the outline (ingest), ranking and
query parsing: sentence ends and the inline enumerations that make sub-points.

Patterns read width-folded text (``width.fold_marks``): ！？； are !?;. Kept apart from
``ingest.outline`` so that a search imports a few patterns, not the whole outline reader.
"""

from __future__ import annotations

import re
from functools import cache

CN_NUMERALS = "零〇一二三四五六七八九十百千两"
N = f"[{CN_NUMERALS}]{{1,7}}"  # a Chinese number: 一, 十二, 一千零三十七
SENTENCE_END = "。!?;"
# Each inline marker and the words it cannot match without.
_INLINE_MARKERS = (
    ("X是", ("是",), rf"(?<![统唯同第单万逐划专归不之合均整一十无])({N})是"),
    ("X要", ("要",), rf"(?<![统唯同第单万逐划专归不之合均整一十无])({N})要"),
    ("首先", ("首先", "其次", "再次", "最后"), "(首先|其次|再次|最后)"),
)


@cache
def inline_markers() -> list[tuple[str, tuple[str, ...], re.Pattern]]:
    """(kind, the words it cannot match without, pattern) of each inline marker. Compiled when
    first asked for: a pattern over Han characters takes Python's compiler a few hundred
    microseconds, and a search asks only for a literal that holds one of the words
    (``may_hold_inline_marker``)."""
    return [(kind, words, re.compile(pattern)) for kind, words, pattern in _INLINE_MARKERS]


def may_hold_inline_marker(text: str) -> bool:
    return any(word in text for _, words, _ in _INLINE_MARKERS for word in words)
