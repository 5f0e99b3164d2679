"""Stored fields compressed a block of records at a time, against a dictionary of the segment's own.

Whoosh compresses each document's pickled fields on their own. A passage repeats its document's
title, speech, file, source, speaker and breadcrumb, and a record of a few hundred bytes pays
for a zlib stream of its own (its header and Huffman tables): on the bench corpus stored fields
were 3.9 × the text. Here BLOCK_RECORDS consecutive records (usually passages of one speech) are
one zlib stream, and every stream starts from a preset dictionary: records sampled from the
segment's first DICTIONARY_SAMPLE, which hold the field names, the pickle's framing and the
phrases the segment's text repeats. A block's first record is whole; each record after it
holds only the fields whose values differ from the first's (and the names of those it lacks),
so a block decompresses to less than half the bytes. On 100,000 records of the bench corpus: 13.3
MB when each record was compressed against an anchor record, 6.7 MB in blocks, 5.8 MB in blocks
with the dictionary, 5.2 MB with the differences; a record read alone costs a block's
decompression (about 40 µs) and two unpicklings. Blocks recently read are kept, since hits and
their context passages are often neighbours.

Inside a block: each record's end (32-bit integers), then the records' pickles. Layout of the
column: the blocks; the dictionary; each record's docnum (left out where the docnums are
0, 1, 2 ..., as a segment writes them); each block's offset and one final offset; then four
32-bit integers: the record count, the records a block holds, the dictionary's length and
whether the docnums were left out. zlib's Adler-32 makes a damaged block an error
(``DamagedBlock``) rather than other fields.
"""

from __future__ import annotations

import pickle
import zlib
from array import array
from bisect import bisect_left
from collections import OrderedDict
from struct import Struct

from whoosh.columns import Column, ColumnReader, ColumnWriter

from .packing import DamagedBlock, le_bytes, le_view

BLOCK_RECORDS = 32
DICTIONARY_SAMPLE = 2048  # records held back to choose the dictionary from
DICTIONARY_EVERY = 8  # of those, the records the dictionary is made of
DICTIONARY_BYTES = 32 * 1024  # the most zlib uses of a preset dictionary
CACHED_BLOCKS = 8
LEVEL = 6
TRAILER = Struct("<4I")
ZLIB_HEADER = 6  # two bytes, and the preset dictionary's Adler-32
_ABSENT = object()


class StoredFieldsColumn(Column):
    """A column of stored-field dicts, compressed in blocks against a dictionary."""

    reversible = False
    default_value = None

    def writer(self, dbfile):
        return StoredFieldsWriter(dbfile)

    def reader(self, dbfile, basepos, length, doccount):
        return StoredFieldsReader(dbfile, basepos, length, doccount)


class StoredFieldsWriter(ColumnWriter):
    def __init__(self, dbfile):
        super().__init__(dbfile)
        self._docs = array("I")
        self._blocks = array("I")
        self._written = 0
        self._records: list[bytes] = []  # not yet written: the sample, then the current block
        self._dictionary: bytes | None = None
        self._base: dict = {}  # the current block's first record

    def add(self, docnum: int, fields: dict) -> None:
        if len(self._docs) % BLOCK_RECORDS == 0:
            self._base = dict(fields)  # a copy: Whoosh's per-document writer clears its dict for the next
            record = fields
        else:
            base = self._base
            record = ({key: value for key, value in fields.items() if base.get(key, _ABSENT) != value},
                      [key for key in base if key not in fields])
        self._docs.append(docnum)
        self._records.append(pickle.dumps(record, pickle.HIGHEST_PROTOCOL))
        if self._dictionary is None:
            if len(self._records) == DICTIONARY_SAMPLE:
                self._choose_dictionary()
        elif len(self._records) == BLOCK_RECORDS:
            self._write_block(self._records)
            self._records = []

    def _choose_dictionary(self) -> None:
        sample = b"".join(self._records[::DICTIONARY_EVERY])
        self._dictionary = sample[-DICTIONARY_BYTES:]  # zlib reaches its end most cheaply
        records, self._records = self._records, []
        for start in range(0, len(records), BLOCK_RECORDS):
            block = records[start:start + BLOCK_RECORDS]
            if len(block) == BLOCK_RECORDS:
                self._write_block(block)
            else:
                self._records = block

    def _write_block(self, records: list[bytes]) -> None:
        ends = array("I")
        end = 0
        for record in records:
            end += len(record)
            ends.append(end)
        compressor = zlib.compressobj(LEVEL, zdict=self._dictionary) if self._dictionary else zlib.compressobj(LEVEL)
        compressed = compressor.compress(le_bytes(ends)) + compressor.compress(b"".join(records)) + compressor.flush()
        self._blocks.append(self._written)
        self._dbfile.write(compressed)
        self._written += len(compressed)

    def finish(self, doccount: int) -> None:
        if self._dictionary is None:
            self._choose_dictionary()
        if self._records:
            self._write_block(self._records)
            self._records = []
        self._blocks.append(self._written)
        dense = self._docs == array("I", range(len(self._docs)))
        self._dbfile.write(self._dictionary)
        if not dense:
            self._dbfile.write(le_bytes(self._docs))
        self._dbfile.write(le_bytes(self._blocks))
        self._dbfile.write(TRAILER.pack(len(self._docs), BLOCK_RECORDS, len(self._dictionary), dense))


class StoredFieldsReader(ColumnReader):
    def __init__(self, dbfile, basepos, length, doccount):
        super().__init__(dbfile, basepos, length, doccount)
        if length < TRAILER.size:
            raise ValueError("stored fields: the column is shorter than its trailer")
        records, self._per_block, dictionary, dense = TRAILER.unpack(dbfile.get(basepos + length - TRAILER.size,
                                                                                TRAILER.size))
        blocks = -(-records // self._per_block) if self._per_block else -1
        directory = 4 * (blocks + 1 + (0 if dense else records))
        if blocks < 0 or directory + dictionary + TRAILER.size > length:
            raise ValueError("stored fields: the directory does not fit the column")
        # Views of a mapped file's directory, where the storage maps (mapped.py): a search reads
        # a few records, and copying the directories was most of what a cold search spent on
        # stored fields.
        read = getattr(dbfile, "view", dbfile.get)
        table = le_view("I", read(basepos + length - TRAILER.size - directory, directory))
        self._docs = None if dense else table[:records]
        self._blocks = table[len(table) - blocks - 1:]
        self._records = records
        if self._blocks[-1] + dictionary + directory + TRAILER.size != length:
            raise ValueError("stored fields: the directory does not match the column")
        self._dictionary = bytes(dbfile.get(basepos + self._blocks[-1], dictionary))
        self._cache: OrderedDict[int, tuple[memoryview, bytes]] = OrderedDict()
        self._primed: tuple[bytes, object] | None = None

    # Every block is a zlib stream from the same dictionary, so every one opens with the same
    # header (its level and the dictionary's Adler-32). Setting the 32 KB dictionary was a third
    # of a block's decompression; a decompressor past that header, with the dictionary set, is
    # made once and copied for each block.

    def _decompressor(self, data: bytes):
        """A decompressor for ``data``, a block, and where in it the decompression starts."""
        if not self._dictionary:
            return zlib.decompressobj(), 0
        if self._primed is None:
            header = bytes(data[:ZLIB_HEADER])
            primed = zlib.decompressobj(zdict=self._dictionary)
            try:
                primed.decompress(header)
            except zlib.error:
                return zlib.decompressobj(zdict=self._dictionary), 0
            self._primed = header, primed
        header, primed = self._primed
        if data[:ZLIB_HEADER] == header:
            return primed.copy(), ZLIB_HEADER
        return zlib.decompressobj(zdict=self._dictionary), 0

    def _block(self, block: int) -> tuple[memoryview, bytes]:
        """A block's record ends and its records, decompressed."""
        found = self._cache.get(block)
        if found is not None:
            self._cache.move_to_end(block)
            return found
        start, end = self._blocks[block], self._blocks[block + 1]
        data = self._dbfile.get(self._basepos + start, end - start)
        stream, at = self._decompressor(data)
        try:
            raw = stream.decompress(memoryview(data)[at:])
        except zlib.error as exc:
            raise DamagedBlock(f"stored fields, block {block}: {exc}") from None
        count = min(self._per_block, self._records - block * self._per_block)
        if not stream.eof or len(raw) < 4 * count:
            raise DamagedBlock(f"stored fields, block {block}: it ends early")
        ends = le_view("I", raw[:4 * count])
        if ends[-1] != len(raw) - 4 * count:
            raise DamagedBlock(f"stored fields, block {block}: it does not match its records")
        found = self._cache[block] = (ends, raw[4 * count:])
        if len(self._cache) > CACHED_BLOCKS:
            self._cache.popitem(last=False)
        return found

    def __getitem__(self, docnum: int):
        if self._docs is None:
            i = docnum if 0 <= docnum < self._records else -1
        else:
            i = bisect_left(self._docs, docnum)
            if i == self._records or self._docs[i] != docnum:
                i = -1
        if i < 0:
            return None
        block, at = divmod(i, self._per_block)
        ends, records = self._block(block)
        fields = pickle.loads(records[:ends[0]])
        if at:
            changed, gone = pickle.loads(records[ends[at - 1]:ends[at]])
            fields.update(changed)
            for key in gone:
                del fields[key]
        return fields

    def __iter__(self):
        for docnum in range(self._doccount):
            yield self[docnum]


STORED_FIELDS = StoredFieldsColumn()
