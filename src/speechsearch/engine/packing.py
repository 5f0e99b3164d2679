"""Integer arrays as the index stores them: little-endian, narrow, checksummed.

Each form reads back with one C-level call per array (``frombytes``, ``zlib.decompress``),
where integer codecs written in Python step through every number. A cut or damaged form is a
``DamagedBlock`` (or zlib's error), never other numbers.
"""

from __future__ import annotations

import zlib
from array import array
from itertools import accumulate
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
    """Sorted document ids: the first in four bytes, then the gaps after it, packed. (Packed with
    the first, the gaps took its width: past id 65,535, four bytes each.)"""
    if len(ids) == 1:  # most of a corpus's terms: no gaps
        return ids[0].to_bytes(4, "little") + NO_NUMBERS
    return le_bytes(array("I", ids[:1])) + pack_numbers(array("I", map(sub, ids[1:], ids)))


NO_NUMBERS = pack_numbers(())


def unpack_gaps(blob, at: int, count: int) -> tuple[array, int]:
    if not count:
        return array("I"), unpack_numbers(blob, at, 0)[1]
    if at + 4 > len(blob):
        raise DamagedBlock("packed ids end early")
    gaps, end = unpack_numbers(blob, at + 4, count - 1)
    return array("I", accumulate(gaps, initial=int.from_bytes(blob[at:at + 4], "little"))), end


def pack_counts(counts) -> bytes:
    """Postings' counts of positions, packed, as a zlib stream: most are 1, and a block's
    counts took a byte or two a posting, a tenth of the postings file."""
    return zlib.compress(pack_numbers(counts), 1)


def unpack_counts(blob, count: int) -> tuple[array, memoryview]:
    """``count`` counts from the zlib stream at the start of ``blob``, and what follows it."""
    stream = zlib.decompressobj()
    packed = stream.decompress(blob)
    if not stream.eof:
        raise DamagedBlock("packed counts end early")
    counts, end = unpack_numbers(packed, 0, count)
    if end != len(packed):
        raise DamagedBlock("packed counts do not match their count")
    return counts, memoryview(blob)[len(blob) - len(stream.unused_data):]


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
    """Documents' boosts (sorted by document): their count and packed gaps, then the distinct
    boosts as 32-bit floats and, where there is more than one, each document's index among
    them (more than 255 distinct: 0, then a float per document). A corpus has a boost or two (a
    heading's), and a float per document was most of a block's boosts, a fifth of the postings."""
    if not boosts:
        return None
    docs = sorted(boosts)
    values = sorted(set(map(boosts.__getitem__, docs)))
    head = pack_numbers([len(docs)]) + pack_gaps(docs)
    if len(values) > 255:
        return head + b"\0" + le_bytes(array("f", map(boosts.__getitem__, docs)))
    packed = head + bytes([len(values)]) + le_bytes(array("f", values))
    if len(values) > 1:
        packed += bytes(map({value: i for i, value in enumerate(values)}.__getitem__, map(boosts.__getitem__, docs)))
    return packed


def unpack_boosts(blob) -> dict:
    if not blob:
        return {}
    (count,), at = unpack_numbers(blob, 0, 1)
    docs, at = unpack_gaps(blob, at, count)
    distinct = blob[at] if at < len(blob) else None
    if distinct is None or at + 1 + 4 * (distinct or count) > len(blob):
        raise DamagedBlock("packed boosts end early")
    values = le_array("f", blob[at + 1:at + 1 + 4 * (distinct or count)])
    at += 1 + 4 * len(values)
    if len(blob) != at + (count if distinct > 1 else 0):
        raise DamagedBlock("packed boosts do not match their count")
    if not distinct:
        return dict(zip(docs, values, strict=True))
    if distinct == 1:
        return dict.fromkeys(docs, values[0])
    return dict(zip(docs, map(values.__getitem__, blob[at:]), strict=True))
