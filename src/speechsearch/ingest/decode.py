"""Bytes to text: UTF-8 (with or without BOM), UTF-16 with BOM, GB18030/GBK and Big5, unasked.

GB18030 and Big5 byte strings often decode without error as each other, so both are tried and
the reading with the larger share of common characters wins (GB2312 level 1 for simplified,
Big5 level 1 for traditional). General detectors guess wrong on the short texts this has to
handle: charset-normalizer reads the six GB18030 bytes of 抓落实 as Big5 (蚰邈妗).
"""

from __future__ import annotations

import codecs

from ..errors import SpeechsearchError

LEGACY_ENCODINGS = ("gb18030", "big5")


class DecodeError(SpeechsearchError):
    pass


def _is_common(ch: str) -> bool:
    try:
        gb = ch.encode("gb2312")
        if len(gb) == 2 and 0xB0 <= gb[0] <= 0xD7:
            return True
    except UnicodeEncodeError:
        pass
    try:
        b5 = ch.encode("big5")
        return len(b5) == 2 and 0xA440 <= int.from_bytes(b5, "big") <= 0xC67E
    except UnicodeEncodeError:
        return False


def plausibility(text: str, sample: int = 4000) -> float:
    """Share of the non-ASCII letters in ``text`` that are common Chinese characters."""
    letters = [c for c in text[:sample] if ord(c) > 0x2FFF and c.isalpha()]
    if not letters:
        return 0.0
    return sum(map(_is_common, letters)) / len(letters)


def decode_bytes(data: bytes, name: str = "<bytes>") -> tuple[str, str]:
    """Return ``(text, encoding)``; raise DecodeError naming ``name`` when nothing fits."""
    if data.startswith(codecs.BOM_UTF8):
        return _strict(data[3:], "utf-8", name), "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _strict(data, "utf-16", name), "utf-16"
    if b"\x00" in data:
        raise DecodeError(f"{name}: binary file (NUL bytes), not text")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    readings = []
    for encoding in LEGACY_ENCODINGS:
        try:
            readings.append((plausibility(data.decode(encoding)), encoding))
        except UnicodeDecodeError:
            continue
    if not readings:
        raise DecodeError(f"{name}: cannot decode: not UTF-8, UTF-16, GB18030 or Big5")
    _, best = max(readings)
    return data.decode(best), best


def _strict(data: bytes, encoding: str, name: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise DecodeError(f"{name}: starts with a {encoding} BOM but does not decode: {exc.reason}") from None
