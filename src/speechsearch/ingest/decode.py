"""Bytes to text: UTF-8 (with or without BOM), UTF-16 (with a BOM, or without one, by where its
zero bytes fall), GB18030/GBK, Big5 and Shift-JIS, unasked.

GB18030 and Big5 byte strings often decode without error as each other, so both are tried and
the reading with the larger share of common characters wins (GB2312 level 1 for simplified,
Big5 level 1 for traditional; for Shift-JIS, kana count too). General detectors guess wrong on
the short texts this has to handle: charset-normalizer reads the six GB18030 bytes of 抓落实 as
Big5 (蚰邈妗). A text whose best reading is still mostly rare characters was written in some
other encoding: it is refused by name rather than indexed as mojibake.
"""

from __future__ import annotations

import codecs

from ..errors import SpeechsearchError

LEGACY_ENCODINGS = ("gb18030", "big5", "shift_jis")
# Below this share of common characters (over at least MIN_LETTERS letters) no reading is right.
MOJIBAKE_SHARE = 0.4
MIN_LETTERS = 30
UTF16_SHARE = 0.8  # of a BOM-less UTF-16 reading that is ASCII, CJK punctuation or common hanzi


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


def _is_kana(ch: str) -> bool:
    return "\u3041" <= ch <= "\u30ff"


def plausibility(text: str, sample: int = 4000, kana: bool = False) -> float:
    """Share of the non-ASCII letters in ``text`` that are common Chinese characters (with
    ``kana``, or Japanese kana)."""
    letters = _letters(text, sample)
    if not letters:
        return 0.0
    return sum(_is_common(c) or (kana and _is_kana(c)) for c in letters) / len(letters)


def _letters(text: str, sample: int = 4000) -> list[str]:
    return [c for c in text[:sample] if ord(c) > 0x2FFF and c.isalpha()]


def _ordinary_share(text: str, sample: int = 4000) -> float:
    """Share of ``text`` that is ASCII, CJK punctuation or common Chinese characters: what a
    right reading is mostly made of and a wrong byte order almost never."""
    chars = text[:sample]
    if not chars:
        return 0.0
    ordinary = sum(c < "\x80" or "\u3000" <= c <= "\u303f" or "\uff00" <= c <= "\uffef" or _is_common(c)
                   for c in chars)
    return ordinary / len(chars)


def _utf16_reading(data: bytes) -> tuple[str, str] | None:
    """UTF-16 without a BOM: the byte order whose reading is text (no NUL, no control
    characters) and, among those, the more plausible; None when neither reads as text."""
    if len(data) % 2 or len(data) < 4:
        return None
    readings = []
    for order in ("utf-16-le", "utf-16-be"):
        try:
            text = data.decode(order)
        except UnicodeDecodeError:
            continue
        if any(ord(c) < 32 and c not in "\t\n\r\f" for c in text[:4000]):
            continue
        readings.append((_ordinary_share(text), order, text))
    share, order, text = max(readings, key=lambda r: r[0], default=(0.0, "", ""))
    return (text, order) if share >= UTF16_SHARE else None


def decode_bytes(data: bytes, name: str = "<bytes>") -> tuple[str, str]:
    """Return ``(text, encoding)``; raise DecodeError naming ``name`` when nothing fits."""
    if data.startswith(codecs.BOM_UTF8):
        return _strict(data[3:], "utf-8", name), "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _strict(data, "utf-16", name), "utf-16"
    if b"\x00" in data:  # UTF-16 without a BOM has them wherever an ASCII character stands
        reading = _utf16_reading(data)
        if reading is None:
            raise DecodeError(f"{name}: binary file (NUL bytes), not text")
        return reading
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    readings = []
    for encoding in LEGACY_ENCODINGS:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        readings.append((plausibility(text, kana=encoding == "shift_jis"), encoding, text))
    if not readings:
        raise DecodeError(f"{name}: cannot decode: not UTF-8, UTF-16, GB18030, Big5 or Shift-JIS")
    share, best, text = max(readings, key=lambda r: r[0])
    if share < MOJIBAKE_SHARE and len(_letters(text)) >= MIN_LETTERS:
        raise DecodeError(f"{name}: cannot decode: read as {best.upper()} it is {1 - share:.0%} rare characters; "
                          "convert it to UTF-8 (iconv -f ENCODING -t UTF-8)")
    return text, best


def _strict(data: bytes, encoding: str, name: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise DecodeError(f"{name}: starts with a {encoding} BOM but does not decode: {exc.reason}") from None
