"""Integer arrays as the index stores them: little-endian, narrow, checksummed.

Each form reads back with one C-level call per array (``frombytes``, ``zlib.decompress``),
where integer codecs written in Python step through every number. A cut or damaged form is a
``DamagedBlock`` (or zlib's error), never other numbers.
"""

from __future__ import annotations

import zlib
from array import array
from itertools import accumulate, chain
from operator import sub

from .analysis import BIG_ENDIAN


class DamagedBlock(ValueError):
    """Packed postings whose checksum or length does not match their contents."""


def le_bytes(numbers: array) -> bytes:
    if BIG_ENDIAN:
        numbers = array(numbers.typecode, numbers)
        numbers.byteswap()
    return numbers.tobytes()


def le_array(typecode: str, blob) -> array:
    numbers = array(typecode)
    numbers.frombytes(blob)
    if BIG_ENDIAN:
        numbers.byteswap()
    return numbers


def le_view(typecode: str, blob):
    """``blob``'s (bytes or a memoryview) little-endian numbers as a sequence, without copying
    them where the machine is little-endian too."""
    if BIG_ENDIAN:
        return le_array(typecode, blob)
    return memoryview(blob).cast(typecode)


def checksum(ids: bytes, packed) -> bytes:
    return zlib.crc32(packed, zlib.crc32(ids)).to_bytes(4, "little")


# Packed numbers: a byte naming the narrowest array type that holds them all, then the array.
# A block or an entry knows how many numbers each array has.

def pack_numbers(numbers) -> bytes:
    top = max(numbers, default=0)
    code = "B" if top < 1 << 8 else "H" if top < 1 << 16 else "I" if top < 1 << 32 else "Q"
    packed = numbers if getattr(numbers, "typecode", None) == code else array(code, numbers)
    return code.encode("ascii") + le_bytes(packed)


def unpack_numbers(blob, at: int, count: int) -> tuple[array, int]:
    """``count`` numbers packed at ``blob[at:]``, and where they end."""
    if at >= len(blob) or chr(blob[at]) not in "BHIQ":
        raise DamagedBlock("packed postings: no width where one should be")
    code = chr(blob[at])
    end = at + 1 + count * array(code).itemsize
    if end > len(blob):
        raise DamagedBlock("packed postings end early")
    return le_array(code, blob[at + 1:end]), end


def pack_gaps(ids) -> bytes:
    """Sorted document ids, as the first and the gaps after it."""
    return pack_numbers(array("I", map(sub, ids, chain((0,), ids))))


def unpack_gaps(blob, at: int, count: int) -> tuple[array, int]:
    gaps, end = unpack_numbers(blob, at, count)
    return array("I", accumulate(gaps)), end


def squeeze(numbers: array) -> bytes:
    """An array of ids or keys as zlib's stream of its bytes, taken plane by plane (every
    number's lowest byte, then every second byte ...): the high bytes of ids and keys in one
    block hardly change, and in planes of their own they compress to almost nothing. 2.6 bytes
    a key, where zlib of the plain array gives 3.5."""
    raw = le_bytes(numbers)
    width = numbers.itemsize
    return zlib.compress(b"".join(raw[plane::width] for plane in range(width)), 1)


def unsqueeze(typecode: str, blob) -> array:
    planes = zlib.decompress(blob)
    width = array(typecode).itemsize
    count = len(planes) // width
    raw = bytearray(len(planes))
    for plane in range(width):
        raw[plane::width] = planes[plane * count:(plane + 1) * count]
    return le_array(typecode, raw)


def pack_boosts(boosts: dict) -> bytes | None:
    """Documents' boosts (sorted by document) as their count, their packed gaps and 32-bit floats."""
    if not boosts:
        return None
    docs = sorted(boosts)
    return len(docs).to_bytes(4, "little") + pack_gaps(docs) + le_bytes(array("f", map(boosts.__getitem__, docs)))


def unpack_boosts(blob) -> dict:
    if not blob:
        return {}
    count = int.from_bytes(blob[:4], "little")
    docs, at = unpack_gaps(blob, 4, count)
    if at + 4 * count > len(blob):
        raise DamagedBlock("packed boosts end early")
    return dict(zip(docs, le_array("f", blob[at:at + 4 * count]), strict=True))
