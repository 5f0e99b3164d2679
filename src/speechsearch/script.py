"""Traditional -> simplified conversion, shared by ingest (documents) and search (queries)."""

from __future__ import annotations

from functools import lru_cache

# Measured on the seed: t2s leaves 著 unconverted 21 times (著力, 随著) where tw2s converts all
# of them and keeps 显著; tw2sp also rewrites vocabulary (整合 -> 集成), which we do not want.
OPENCC_CONFIG = "tw2s"


@lru_cache(maxsize=1)
def _converter():
    import opencc

    return opencc.OpenCC(OPENCC_CONFIG)


def to_simplified(text: str) -> str:
    return _converter().convert(text)
