"""The marks a reader of Chinese prose goes by, shared by the outline (ingest), ranking and
query parsing: sentence ends and the inline enumerations that make sub-points.

Patterns read width-folded text (``width.fold_marks``): ！？； are !?;. Kept apart from
``ingest.outline`` so that a search imports a few patterns, not the whole outline reader.
"""

from __future__ import annotations

import re

CN_NUMERALS = "零〇一二三四五六七八九十百千两"
N = f"[{CN_NUMERALS}]{{1,7}}"  # a Chinese number: 一, 十二, 一千零三十七
SENTENCE_END = "。!?;"
INLINE_MARKERS: list[tuple[str, re.Pattern]] = [
    ("X是", re.compile(rf"(?<![统唯同第单万逐划专归不之合均整一十无])({N})是")),
    ("X要", re.compile(rf"(?<![统唯同第单万逐划专归不之合均整一十无])({N})要")),
    ("首先", re.compile("(首先|其次|再次|最后)")),
]
