"""Stored fields compressed against their neighbours.

Whoosh compresses each document's pickled fields on their own. A passage repeats its document's
title, speech, file, source, speaker and breadcrumb, which a lone record cannot share with its
neighbours: on the bench corpus stored fields were 3.9 × the text. Here every ANCHOR_EVERY-th
record is compressed alone, and each record after it with that anchor as zlib's preset
dictionary, so what it repeats of the anchor costs a back-reference. Consecutive documents
are usually passages of one speech. On a 40,000-passage sample: 15.6 MB compressed one by one,
5.7 MB this way (4.1 MB in 8 KB blocks, which cost twice the time to read one record); a
record reads in about 9 µs, two small decompressions and its own unpickling. Anchors recently
read are kept, since hits and their context passages are often neighbours.

Layout of the column: the records' zlib streams; then the directory, two arrays of 32-bit
integers (each record's docnum, each record's offset and one final offset); then the record
count. zlib's Adler-32 makes a damaged record an error rather than other fields.
"""

from __future__ import annotations

import pickle
import zlib
from array import array
from bisect import bisect_left
from collections import OrderedDict

from whoosh.columns import Column, ColumnReader, ColumnWriter

from .packing import le_bytes, le_view

ANCHOR_EVERY = 16
CACHED_ANCHORS = 16
LEVEL = 6


class StoredFieldsColumn(Column):
    """A column of stored-field dicts, each compressed against its anchor."""

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
        self._offsets = array("I")
        self._written = 0
        self._anchor = b""

    def add(self, docnum: int, fields: dict) -> None:
        record = pickle.dumps(fields, pickle.HIGHEST_PROTOCOL)
        if len(self._docs) % ANCHOR_EVERY == 0:
            self._anchor = record
            compressed = zlib.compress(record, LEVEL)
        else:
            compressor = zlib.compressobj(LEVEL, zdict=self._anchor)
            compressed = compressor.compress(record) + compressor.flush()
        self._docs.append(docnum)
        self._offsets.append(self._written)
        self._dbfile.write(compressed)
        self._written += len(compressed)

    def finish(self, doccount: int) -> None:
        self._offsets.append(self._written)
        self._dbfile.write(le_bytes(self._docs) + le_bytes(self._offsets))
        self._dbfile.write(len(self._docs).to_bytes(4, "little"))


class StoredFieldsReader(ColumnReader):
    def __init__(self, dbfile, basepos, length, doccount):
        super().__init__(dbfile, basepos, length, doccount)
        records = int.from_bytes(dbfile.get(basepos + length - 4, 4), "little")
        directory = 4 * (2 * records + 1)
        if directory + 4 > length:
            raise ValueError("stored fields: the directory does not fit the column")
        # A view of a mapped file's directory, where the storage maps (mapped.py): a search reads
        # a few records, and copying the directories (3.6 MB on the bench corpus) was most of
        # what a cold search spent on stored fields.
        read = getattr(dbfile, "view", dbfile.get)
        table = le_view("I", read(basepos + length - 4 - directory, directory))
        self._docs, self._offsets = table[:records], table[records:]
        if self._offsets[-1] != length - 4 - directory:
            raise ValueError("stored fields: the directory does not match the column")
        self._anchors: OrderedDict[int, bytes] = OrderedDict()

    def _compressed(self, i: int) -> bytes:
        start, end = self._offsets[i], self._offsets[i + 1]
        return self._dbfile.get(self._basepos + start, end - start)

    def _anchor(self, i: int) -> bytes:
        anchor = self._anchors.get(i)
        if anchor is None:
            anchor = self._anchors[i] = zlib.decompress(self._compressed(i))
            if len(self._anchors) > CACHED_ANCHORS:
                self._anchors.popitem(last=False)
        else:
            self._anchors.move_to_end(i)
        return anchor

    def __getitem__(self, docnum: int):
        i = bisect_left(self._docs, docnum)
        if i == len(self._docs) or self._docs[i] != docnum:
            return None
        first = i - i % ANCHOR_EVERY
        anchor = self._anchor(first)
        if i == first:
            return pickle.loads(anchor)
        decompressor = zlib.decompressobj(zdict=anchor)
        record = decompressor.decompress(self._compressed(i))
        if not decompressor.eof:
            raise zlib.error(f"stored fields of document {docnum}: the record ends early")
        return pickle.loads(record)

    def __iter__(self):
        for docnum in range(self._doccount):
            yield self[docnum]


STORED_FIELDS = StoredFieldsColumn()
