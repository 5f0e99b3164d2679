"""The term dictionary as a sorted table, without Whoosh's hash tables.

Whoosh writes a segment's terms to an ordered hash file: each entry (8 bytes of lengths, the
key, the term info), a position index for ordered lookups, and 256 hash tables with two
12-byte slots per entry for exact ones. Most of a corpus's terms are bigrams in one or two
passages, whose entries are 40 bytes or so: the hash slots were a third of the file and, at
the end of each segment, a Python loop over every term. Here the hash tables are left empty
and an exact lookup is the ordered one: a bisection of a sample of every SAMPLE_EVERY-th key
(kept in the file's extras with its spacing, read once per segment), then of the position index between two
samples, then a comparison with the key found.

An entry's key and value lengths take 3 bytes (a byte and a 16-bit integer) where Whoosh's
took 8; the rare longer key or value has a 0xFF byte, then both lengths as 32-bit integers.
The bench corpus has 1.7 million entries.
"""

from __future__ import annotations

import sys
from array import array
from bisect import bisect_left
from functools import cached_property
from itertools import accumulate
from struct import Struct

from whoosh.filedb.filetables import (
    OrderedHashReader,
    OrderedHashWriter,
    _dir_entry,
    _directory_size,
    _hash_functions,
)
from whoosh.system import _INT_SIZE

# A search unpickles every segment's sample when it opens the index: at every 64th key that was
# 27,000 keys for the bench corpus, 1.4 ms of a cold search. At every 256th a lookup bisects
# four times as many positions, which it reads as one array, in as long as it took before.
SAMPLE_EVERY = 256
KEY_READ = 64  # bytes of key read with an entry's lengths
SHORT_LENGTHS = Struct("<BH")
LONG_LENGTHS = Struct("<II")
LONG = 0xFF
MOST_LENGTHS = 1 + LONG_LENGTHS.size
LITTLE_ENDIAN = sys.byteorder == "little"
KEYS_KEPT = 4096  # keys whose lookup a table remembers
_UNSEEN = object()


def pack_lengths(keylen: int, datalen: int) -> bytes:
    if keylen < LONG and datalen <= 0xFFFF:
        return SHORT_LENGTHS.pack(keylen, datalen)
    return bytes([LONG]) + LONG_LENGTHS.pack(keylen, datalen)


def unpack_lengths(head) -> tuple[int, int, int]:
    """An entry's key length, value length and the size of the two, from its first bytes."""
    if head[0] != LONG:
        return *SHORT_LENGTHS.unpack_from(head), SHORT_LENGTHS.size
    return *LONG_LENGTHS.unpack_from(head, 1), MOST_LENGTHS


class SortedTermsWriter(OrderedHashWriter):
    def __init__(self, dbfile):
        super().__init__(dbfile)
        self._sample: list[bytes] = []
        self._every = SAMPLE_EVERY
        # Where the next entry goes, counted here: a buffered file's tell() asks the system
        # (lseek) every time, and at an entry per term that was a twelfth of a build.
        self._position = dbfile.tell()

    def add(self, key: bytes, value: bytes) -> None:
        """Whoosh's ordered add, without the hash bucket."""
        if key <= self.lastkey:
            raise ValueError(f"Keys must increase: {self.lastkey!r}..{key!r}")
        if len(self.index) % self._every == 0:
            self._sample.append(key)
        self.index.append(self._position)
        entry = pack_lengths(len(key), len(value)) + key + value
        self.dbfile.write(entry)
        self._position += len(entry)
        self.lastkey = key

    def add_many(self, keys: list[bytes], values: list[bytes]) -> None:
        """``add`` for a run of entries, their keys increasing: one write, no Python step each."""
        if not keys:
            return
        previous = [self.lastkey, *keys[:-1]]
        if not all(map(bytes.__lt__, previous, keys)):
            before, after = next((a, b) for a, b in zip(previous, keys, strict=True) if not a < b)
            raise ValueError(f"Keys must increase: {before!r}..{after!r}")
        key_lengths, value_lengths = list(map(len, keys)), list(map(len, values))
        short = max(key_lengths) < LONG and max(value_lengths) <= 0xFFFF
        heads = map(SHORT_LENGTHS.pack if short else pack_lengths, key_lengths, value_lengths)
        entries = list(map(bytes.__add__, map(bytes.__add__, heads, keys), values))
        starts = list(accumulate(map(len, entries), initial=self._position))
        self._sample.extend(keys[-len(self.index) % self._every::self._every])
        positions = self.index.array
        try:
            positions.extend(array(positions.typecode, starts[:-1]))
        except (OverflowError, AttributeError):  # Whoosh's GrowableArray takes a wider type (or a list)
            self.index.extend(starts[:-1])
        self.dbfile.write(b"".join(entries))
        self._position = starts[-1]
        self.lastkey = keys[-1]

    def close(self):
        if self.dbfile.tell() != self._position:
            raise ValueError("terms table: something else wrote between its entries")
        return super().close()

    def _write_extras(self):
        self.extras["sample"], self.extras["sample_every"] = self._sample, self._every
        super()._write_extras()


class SortedTermsReader(OrderedHashReader):
    def __init__(self, dbfile, length: int):
        """Opens the table as Whoosh's reader does, but reads only the first of the 256 entries
        of its hash tables' directory (where the entries end): the tables are empty here, and
        reading the whole directory was 1,280 reads when a search opens five segments."""
        self.dbfile, self.startoffset, self.is_closed = dbfile, 0, False
        self._found: dict[bytes, tuple[int, int] | None] = {}  # key -> its value's (position, length)
        if dbfile.get(0, 4) != b"HSH3":
            raise ValueError(f"terms table: unknown file header {dbfile.get(0, 4)!r}")
        self.hashtype = dbfile.get_byte(4)
        self.hashfn = _hash_functions[self.hashtype]
        self.startofdata = 5 + 2 * _INT_SIZE  # the header: magic, hash type, two unused ints
        extras_end = length - _INT_SIZE
        dbfile.seek(extras_end - dbfile.get_int(extras_end))
        self._read_extras()
        self._directory = extras_end - dbfile.get_int(extras_end) - _directory_size
        self.endofdata = _dir_entry.unpack(dbfile.get(self._directory, _dir_entry.size))[0]

    @cached_property
    def tables(self) -> list[tuple[int, int]]:
        """Whoosh's directory of hash tables, for any of its methods that would look there."""
        return [_dir_entry.unpack(self.dbfile.get(self._directory + i * _dir_entry.size, _dir_entry.size))
                for i in range(256)]

    def _read_extras(self):
        super()._read_extras()
        self._sample, self._every = self.extras.get("sample"), self.extras.get("sample_every")
        if self._sample is None or not self._every:
            raise ValueError("terms table without its sample of keys")

    def closest_key_pos(self, key: bytes):
        """The position of ``key`` or of the first key after it; None past the last."""
        if not isinstance(key, bytes):
            raise TypeError(f"Key {key!r} should be bytes")
        sampled = bisect_left(self._sample, key)  # sample[sampled - 1] < key <= sample[sampled]
        lo = max(0, (sampled - 1) * self._every)
        hi = min(self.indexlen, sampled * self._every)
        if lo == hi:
            return None if lo == self.indexlen else self._get_pos(self.indexbase + lo * self.indexsize)
        # The positions between the two samples in one read (Whoosh writes them big-endian); a
        # probe reads its entry's lengths and key together (the few keys longer than KEY_READ
        # take a second read).
        positions = array(self.extras["indextype"],
                          self.dbfile.get(self.indexbase + lo * self.indexsize, (hi - lo) * self.indexsize))
        if LITTLE_ENDIAN:
            positions.byteswap()
        get, low, high = self.dbfile.get, 0, hi - lo
        while low < high:
            mid = (low + high) // 2
            entry = get(positions[mid], MOST_LENGTHS + KEY_READ)
            keylen, at = entry[0], SHORT_LENGTHS.size  # a short entry's first byte is its key's length
            if keylen == LONG:
                keylen, _, at = unpack_lengths(entry)
            if at + keylen > len(entry):
                entry = get(positions[mid], at + keylen)
            if entry[at:at + keylen] < key:
                low = mid + 1
            else:
                high = mid
        if low < len(positions):
            return positions[low]
        return None if hi == self.indexlen else self._get_pos(self.indexbase + hi * self.indexsize)

    def ranges_for_key(self, key: bytes):
        # A query looks a term up several times (whether it is there, how frequent, its
        # postings), and a searcher the web page keeps open sees the same terms again.
        found = self._found.get(key, _UNSEEN)
        if found is _UNSEEN:
            if len(self._found) >= KEYS_KEPT:
                self._found.clear()
            found = self._found[key] = self._value_range(key)
        if found is not None:
            yield found

    def _value_range(self, key: bytes) -> tuple[int, int] | None:
        position = self.closest_key_pos(key)
        if position is None:
            return None
        keylen, datalen, at = unpack_lengths(self.dbfile.get(position, MOST_LENGTHS))
        start = position + at
        if keylen == len(key) and self.dbfile.get(start, keylen) == key:
            return start + keylen, datalen
        return None

    # Whoosh's readers of entries, with these lengths.

    def key_at(self, pos: int) -> bytes:
        keylen, _, at = unpack_lengths(self.dbfile.get(pos, MOST_LENGTHS))
        return self.dbfile.get(pos + at, keylen)

    def key_and_range_at(self, pos: int):
        if pos >= self.endofdata:
            return None
        keylen, datalen, at = unpack_lengths(self.dbfile.get(pos, MOST_LENGTHS))
        return self.dbfile.get(pos + at, keylen), pos + at + keylen, datalen

    def _ranges(self, pos=None, eod=None):
        """(key position, key length, value position, value length) of each entry from ``pos``."""
        get = self.dbfile.get
        pos = pos or self.startofdata
        eod = eod or self.endofdata
        while pos < eod:
            keylen, datalen, at = unpack_lengths(get(pos, MOST_LENGTHS))
            keypos = pos + at
            yield keypos, keylen, keypos + keylen, datalen
            pos = keypos + keylen + datalen
