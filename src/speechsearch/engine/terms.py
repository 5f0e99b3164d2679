"""The term dictionary as a sorted table, without Whoosh's hash tables.

Whoosh writes a segment's terms to an ordered hash file: each entry (8 bytes of lengths, the
key, the term info), a position index for ordered lookups, and 256 hash tables with two
12-byte slots per entry for exact ones. Most of a corpus's terms are bigrams in one or two
passages, whose entries are 40 bytes or so: the hash slots were a third of the file and, at
the end of each segment, a Python loop over every term. Here the hash tables are left empty
and an exact lookup is the ordered one: a bisection of a sample of every SAMPLE_EVERY-th key
(kept in the file's extras with its spacing, read once per segment), then of the position index between two
samples, then a comparison with the key found.
"""

from __future__ import annotations

from bisect import bisect_left
from functools import cached_property
from struct import unpack

from whoosh.filedb.filetables import (
    OrderedHashReader,
    OrderedHashWriter,
    _dir_entry,
    _directory_size,
    _hash_functions,
    _lengths,
)
from whoosh.system import _INT_SIZE

SAMPLE_EVERY = 64
KEY_READ = 64  # bytes of key read with an entry's lengths


class SortedTermsWriter(OrderedHashWriter):
    def __init__(self, dbfile):
        super().__init__(dbfile)
        self._sample: list[bytes] = []
        self._every = SAMPLE_EVERY

    def add(self, key: bytes, value: bytes) -> None:
        """Whoosh's ordered add, without the hash bucket."""
        if key <= self.lastkey:
            raise ValueError(f"Keys must increase: {self.lastkey!r}..{key!r}")
        dbfile = self.dbfile
        if len(self.index) % self._every == 0:
            self._sample.append(key)
        self.index.append(dbfile.tell())
        dbfile.write(_lengths.pack(len(key), len(value)))
        dbfile.write(key)
        dbfile.write(value)
        self.lastkey = key

    def _write_extras(self):
        self.extras["sample"], self.extras["sample_every"] = self._sample, self._every
        super()._write_extras()


class SortedTermsReader(OrderedHashReader):
    def __init__(self, dbfile, length: int):
        """Opens the table as Whoosh's reader does, but reads only the first of the 256 entries
        of its hash tables' directory (where the entries end): the tables are empty here, and
        reading the whole directory was 1,280 reads when a search opens five segments."""
        self.dbfile, self.startoffset, self.is_closed = dbfile, 0, False
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
        # The positions between the two samples in one read; a probe reads its entry's lengths
        # and key together (the few keys longer than KEY_READ take a second read).
        positions = unpack(f"!{hi - lo}{self.extras['indextype']}",
                           self.dbfile.get(self.indexbase + lo * self.indexsize, (hi - lo) * self.indexsize))
        get, low, high = self.dbfile.get, 0, hi - lo
        while low < high:
            mid = (low + high) // 2
            entry = get(positions[mid], _lengths.size + KEY_READ)
            keylen = _lengths.unpack(entry[:_lengths.size])[0]
            if keylen > KEY_READ:
                entry = get(positions[mid], _lengths.size + keylen)
            if entry[_lengths.size:_lengths.size + keylen] < key:
                low = mid + 1
            else:
                high = mid
        if low < len(positions):
            return positions[low]
        return None if hi == self.indexlen else self._get_pos(self.indexbase + hi * self.indexsize)

    def ranges_for_key(self, key: bytes):
        position = self.closest_key_pos(key)
        if position is None:
            return
        keylen, datalen = _lengths.unpack(self.dbfile.get(position, _lengths.size))
        start = position + _lengths.size
        if keylen == len(key) and self.dbfile.get(start, keylen) == key:
            yield start + keylen, datalen
