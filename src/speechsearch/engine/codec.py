"""Whoosh's codec, with field lengths read into memory and rare terms' postings inlined.

Whoosh looks up a document's field length once for each document it scores with BM25 and once
for each posting a segment writer writes; its per-document reader answers each with a seek and
a one-byte read from the length column (a quarter of the time of a frequent term's search, a
sixth of a segment writer's), and for a field without lengths with a check that the column file
exists. ``LengthsInMemory`` reads a field's whole column the first time it is asked.

Most character bigrams of a corpus occur in a handful of passages, and Whoosh writes each such
term a posting block of its own in the postings file and a pointer to it. Its codec can instead
keep a rare term's postings inside its dictionary entry (``inlinelimit``), but that path is
broken in Whoosh 2.7: the postings writer calls ``set_inline`` on a term info whose method is
``set_inlined``; and an inlined term of a field without values (ID, KEYWORD) reads back with
``""`` for its values where a block gives ``None``, which Whoosh's own segment merge then
rejects. Here the method gets its second name and positional fields inline: a build takes
about a tenth less time, and reading inlined postings is Whoosh's own. A bulk build writes
those dictionary entries itself (``SpeechFieldWriter``), the bytes Whoosh's writer would have
made without its objects and calls per term, and inlines ID fields' rare terms too (``id`` is
a term per passage): segment_writer.py's writer, the only one that writes or merges these
indexes, never reads an ID field's values.

Positional fields (``PassagePositions``) store each block's positions as one array of keys,
``document << 32 | position``, in place of Whoosh's tuple of per-posting values: a literal
search then reads a term's every occurrence with one ``frombytes`` per block and intersects
them as integers (``literal.py``), where Whoosh unpickled an object per posting and walked
them in Python. A block's weights are each document's frequency (the keys give it) times its
boost, so the block keeps only the boosts that are not 1 (headings'). Whoosh's own matchers
and segment merges get per-posting ids, weights and values back from these.

Segments record their codec, so this module is imported (and must stay importable under this
name) whenever such an index is opened; it imports nothing Whoosh has not loaded by then.
"""

from __future__ import annotations

import pickle
import zlib
from array import array
from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass
from itertools import accumulate, chain, groupby, islice, repeat
from operator import floordiv, lshift, or_, rshift

from whoosh.codec.whoosh3 import (
    W3Codec,
    W3FieldWriter,
    W3LeafMatcher,
    W3PerDocReader,
    W3PostingsWriter,
    W3TermInfo,
    _lenfield,
)
from whoosh.formats import Existence
from whoosh.matching import ListMatcher, NullMatcherClass
from whoosh.matching.wrappers import FilterMatcher
from whoosh.system import pack_ushort
from whoosh.util.numeric import byte_to_length, length_to_byte

from .analysis import BIG_ENDIAN, PassagePositions, decode_positions, encode_positions

INLINE_POSTINGS = 16  # terms in fewer documents than this are inlined

if not hasattr(W3TermInfo, "set_inline"):
    W3TermInfo.set_inline = W3TermInfo.set_inlined


DOC_SHIFT = 32
POSITION_MASK = (1 << DOC_SHIFT) - 1


def posting_keys_of(doc: int, value: bytes):
    """The keys of one posting: its document with each of its positions."""
    return map(or_, repeat(doc << DOC_SHIFT), decode_positions(value))


def postings_of_keys(keys):
    """(document, positions) of each posting, from keys sorted by document."""
    for doc, occurrences in groupby(keys, lambda key: key >> DOC_SHIFT):
        yield doc, [key & POSITION_MASK for key in occurrences]


# Keyed blocks are read whole, so they are large (Whoosh's 128 postings suit skipping
# through them) and not compressed: on the bench index zlib was a third of the time of a
# literal in thousands of passages, for 23% less on disk (635 MB against 823 MB).
KEYED_BLOCK_POSTINGS = 1024
KEYED_COMPRESSION = 0


class SpeechPostingsWriter(W3PostingsWriter):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._whoosh_settings = (self._blocklimit, self._compression)

    def start_postings(self, format_, terminfo):
        super().start_postings(format_, terminfo)
        self._inlinelimit = INLINE_POSTINGS if format_.supports("positions") else 1
        self._keyed = isinstance(format_, PassagePositions)
        if self._keyed:
            self._blocklimit, self._compression = KEYED_BLOCK_POSTINGS, KEYED_COMPRESSION
        elif isinstance(format_, Existence):
            # Mostly one posting a term (ids): a zlib stream per block cost more than the block.
            self._blocklimit, self._compression = self._whoosh_settings[0], 0
        else:
            self._blocklimit, self._compression = self._whoosh_settings

    # A keyed block holds the ids and the keys as byte strings, where Whoosh pickles a tuple of
    # objects per posting, and in place of weights the boosts of the few documents that have
    # one (headings): a weight is the frequency, which the keys give, times the boost.

    def _new_block(self):
        super()._new_block()
        self._block_keys = self._block_boosts = None  # a block add_keys filled

    def add_keys(self, keys: array, boosts: dict, lengths: bytes) -> None:
        """Add a term's postings from its keys (sorted), without a Python step per posting:
        ``boosts`` maps the term's documents to their boost where not 1, ``lengths`` is the
        field's one-byte length column. Writes the blocks ``add_posting`` would; a term in
        fewer than INLINE_POSTINGS documents is inlined by ``SpeechFieldWriter`` instead."""
        frequencies = Counter(map(rshift, keys, repeat(DOC_SHIFT)))  # in document order
        ids = array("I", frequencies)
        weights = array("f", frequencies.values())
        for doc, boost in boosts.items():
            weights[bisect_left(ids, doc)] *= boost
        ends = array("Q", accumulate(frequencies.values()))  # each posting's last key + 1
        size = KEYED_BLOCK_POSTINGS
        for start in range(0, len(ids), size):
            end = min(start + size, len(ids))
            block_ids = ids[start:end]
            self._ids, self._weights = block_ids, weights[start:end]
            self._block_keys = keys[ends[start - 1] if start else 0:ends[end - 1]]
            self._block_boosts = {doc: boost for doc, boost in boosts.items() if block_ids[0] <= doc <= block_ids[-1]}
            block_lengths = bytes(map(lengths.__getitem__, block_ids)).replace(b"\0", b"")
            self._minlength = LENGTH_OF_BYTE[min(block_lengths)] if block_lengths else None
            self._maxlength = LENGTH_OF_BYTE[max(block_lengths)] if block_lengths else 0
            self._maxweight = max(self._weights)
            if end < len(ids):
                self._write_block()  # the last block is written by finish_postings

    def add_documents(self, ids: array, boosts: dict) -> None:
        """Add a document-set term's postings (``ids`` sorted; ``boosts`` the weights that are
        not 1): the blocks ``add_posting`` would write, a block at a time."""
        size = self._blocklimit
        for start in range(0, len(ids), size):
            if start:
                self._write_block()
            self._ids = block_ids = ids[start:start + size]
            self._weights = (array("f", (boosts.get(doc, 1.0) for doc in block_ids)) if boosts
                             else array("f", [1.0]) * len(block_ids))
            self._maxweight = max(self._weights)

    def _mini_ids(self):
        return _array_bytes(self._ids) if self._keyed else super()._mini_ids()

    def _mini_weights(self):
        if not self._keyed:
            return super()._mini_weights()
        if self._block_boosts is not None:
            return self._block_boosts or None
        counts = map(floordiv, map(len, self._values), repeat(4))
        boosts = {doc: weight / count for doc, weight, count in zip(self._ids, self._weights, counts, strict=True)
                  if weight != count}
        return boosts or None

    def _mini_values(self):
        if not self._keyed:
            return super()._mini_values()
        if self._block_keys is not None:
            keys = _array_bytes(self._block_keys)
        else:
            values = self._values
            documents = map(lshift, self._ids, repeat(DOC_SHIFT))
            counts = map(floordiv, map(len, values), repeat(4))
            keys = _array_bytes(array("Q", map(or_, chain.from_iterable(map(repeat, documents, counts)),
                                               decode_positions(b"".join(values)))))
        # Uncompressed, a damaged block would read as other documents and positions: a
        # checksum of its ids and keys (zlib's did this before) makes it an error instead.
        return keys + _checksum(_array_bytes(self._ids), keys)


class SpeechFieldWriter(W3FieldWriter):
    """Writes the terms of a bulk build. Most terms are rare and inlined: their dictionary
    entries are written here directly, the bytes Whoosh's postings writer and term info would
    have made, without their objects and calls per term (a build writes millions)."""

    def add_keyed_term(self, btext: bytes, keys: array, boosts: dict, lengths: bytes) -> None:
        """A positional term from its keys (see ``add_keys``)."""
        postings = list(islice(postings_of_keys(keys), INLINE_POSTINGS))  # stops early for a frequent term
        if len(postings) < INLINE_POSTINGS:
            ids = tuple(doc for doc, _ in postings)
            weights = _float32([len(positions) * boosts.get(doc, 1.0) for doc, positions in postings])
            values = tuple(encode_positions(positions) for _, positions in postings)
            self._add_inlined(btext, ids, weights, values, [lengths[doc] for doc in ids if lengths[doc]])
            return
        self.start_term(btext)
        self._postwriter.add_keys(keys, boosts, lengths)
        self.finish_term()

    def add_document_set_term(self, btext: bytes, ids: array, boosts: dict) -> None:
        """A term of an ID field from its documents (see ``add_documents``)."""
        if len(ids) < INLINE_POSTINGS:
            self._add_inlined(btext, tuple(ids), _float32([boosts.get(doc, 1.0) for doc in ids]), (), [])
            return
        self.start_term(btext)
        self._postwriter.add_documents(ids, boosts)
        self.finish_term()

    def _add_inlined(self, btext: bytes, ids: tuple, weights: tuple, values: tuple, length_codes: list) -> None:
        """``W3TermInfo.to_bytes`` of a term whose postings are inlined."""
        head = W3TermInfo._struct.pack(True, sum(weights), len(ids), min(length_codes, default=0),
                                       max(length_codes, default=0), max(weights), ids[0], ids[-1])
        self._tindex.add(pack_ushort(self._fieldid) + btext, head + pickle.dumps((ids, weights, values), 2))


def _float32(weights: list[float]) -> tuple[float, ...]:
    """Weights as Whoosh's postings writer keeps them (an array of C floats)."""
    return tuple(array("f", weights))


def _array_bytes(numbers: array) -> bytes:
    if BIG_ENDIAN:
        numbers = array(numbers.typecode, numbers)
        numbers.byteswap()
    return numbers.tobytes()


def _array(typecode: str, blob) -> array:
    numbers = array(typecode)
    numbers.frombytes(blob)
    if BIG_ENDIAN:
        numbers.byteswap()
    return numbers


def _checksum(ids: bytes, keys) -> bytes:
    return zlib.crc32(keys, zlib.crc32(ids)).to_bytes(4, "little")


class DamagedBlock(ValueError):
    """A keyed posting block whose checksum does not match its contents."""


class KeyedLeafMatcher(W3LeafMatcher):
    """Postings of a positional field: ids, weights and values read from a keyed block."""

    def _read_data(self):
        super()._read_data()
        ids, boosts, blob = self._data
        keys = memoryview(blob)[:-4]
        if _checksum(ids, keys) != blob[-4:]:
            raise DamagedBlock(f"posting block of {self._term!r}: checksum does not match")
        self._data = (ids, boosts, keys)

    def _read_ids(self):
        if self._data is None:
            self._read_data()
        self._ids = _array("I", self._data[0])

    def _read_weights(self):
        if self._data is None:
            self._read_data()
        if self._ids is None:
            self._read_ids()
        boosts = self._data[1] or {}
        counts = Counter(map(rshift, _array("Q", self._data[2]), repeat(DOC_SHIFT)))
        self._weights = array("f", (counts[doc] * boosts.get(doc, 1.0) for doc in self._ids))

    def _read_values(self):
        if self._data is None:
            self._read_data()
        postings = postings_of_keys(_array("Q", self._data[2]))
        self._values = tuple(encode_positions(positions) for _, positions in postings)

    def read_keys(self, boosts: dict) -> array:
        """The keys of every posting from the current block on (the matcher is used up);
        ``boosts`` gets the boosts of the documents that have one."""
        keys = array("Q")
        while not self._atend:
            if self._data is None:
                self._read_data()
            _, block_boosts, blob = self._data
            keys.frombytes(blob)
            if block_boosts:
                boosts.update(block_boosts)
            self._next_block()
        if BIG_ENDIAN:
            keys.byteswap()
        return keys


@dataclass
class PostingKeys:
    """A positional term's postings in one segment: every occurrence as a key
    ``document << 32 | position`` (deleted documents included: see ``deleted``), and the
    boosts of the documents that have one (a term's weight is its frequency times the boost)."""

    keys: array
    deleted: set
    boosts: dict


def posting_keys(matcher) -> PostingKeys:
    """The keys of the postings ``reader.postings`` gives for a positional term."""
    deleted: set = set()
    if isinstance(matcher, FilterMatcher):
        deleted, matcher = matcher._ids, matcher.child
    boosts: dict = {}
    if isinstance(matcher, NullMatcherClass) or not matcher.is_active():
        return PostingKeys(array("Q"), deleted, boosts)
    if isinstance(matcher, KeyedLeafMatcher):
        return PostingKeys(matcher.read_keys(boosts), deleted, boosts)
    if isinstance(matcher, ListMatcher):  # inlined postings
        keys = array("Q")
        for doc, weight, value in zip(matcher._ids, matcher._weights, matcher._values, strict=True):
            keys.extend(posting_keys_of(doc, value))
            if weight != len(value) // 4:
                boosts[doc] = weight / (len(value) // 4)
        return PostingKeys(keys, deleted, boosts)
    raise TypeError(f"postings of {type(matcher).__name__} carry no position keys")


LENGTH_OF_BYTE = [byte_to_length(b) for b in range(256)]


class LengthsInMemory(W3PerDocReader):
    def __init__(self, storage, segment):
        super().__init__(storage, segment)
        self._length_columns: dict[str, bytes | None] = {}

    def _length_column(self, fieldname: str) -> bytes | None:
        """One byte a document; documents past the last with a length (records without the
        field) have none written, as if 0."""
        column = _lenfield(fieldname)
        if not self.has_column(column):
            return None
        with self._storage.open_file(W3Codec.column_filename(self._segment, column)) as f:
            return f.read().ljust(self._doccount, b"\0")

    def length_bytes(self, fieldname: str) -> bytes | None:
        """The field's length of each document as Whoosh's one-byte code (LENGTH_OF_BYTE)."""
        try:
            return self._length_columns[fieldname]
        except KeyError:
            column = self._length_columns[fieldname] = self._length_column(fieldname)
            return column

    def doc_field_length(self, docnum, fieldname, default=0):
        column = self.length_bytes(fieldname)
        return default if column is None else LENGTH_OF_BYTE[column[docnum]]


def length_bytes(reader, fieldname: str) -> bytes:
    """A segment reader's field lengths, one byte code a document."""
    perdoc = getattr(reader, "_perdoc", None)
    if isinstance(perdoc, LengthsInMemory):
        return perdoc.length_bytes(fieldname) or bytes(reader.doc_count_all())
    return bytes(length_to_byte(reader.doc_field_length(doc, fieldname, 0)) for doc in range(reader.doc_count_all()))


class SpeechCodec(W3Codec):
    def postings_reader(self, dbfile, terminfo, format_, term=None, scorer=None):
        if terminfo.is_inlined() or not isinstance(format_, PassagePositions):
            return super().postings_reader(dbfile, terminfo, format_, term=term, scorer=scorer)
        offset, length = terminfo.extent()
        return KeyedLeafMatcher(dbfile, offset, length, format_, term=term, scorer=scorer)

    def per_document_reader(self, storage, segment):
        return LengthsInMemory(storage, segment)

    def field_writer(self, storage, segment):
        return SpeechFieldWriter(self, storage, segment)

    def postings_writer(self, dbfile, byteids=False):
        return SpeechPostingsWriter(dbfile, blocklimit=self._blocklimit, byteids=byteids,
                                      compression=self._compression)
