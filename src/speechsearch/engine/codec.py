"""Whoosh's codec: packed postings, rare terms inlined, field lengths read into memory.

Whoosh looks up a document's field length once for each document it scores with BM25 and once
for each posting a segment writer writes; its per-document reader answers each with a seek and
a one-byte read from the length column (a quarter of the time of a frequent term's search, a
sixth of a segment writer's), and for a field without lengths with a check that the column file
exists. ``SpeechPerDocReader`` reads a field's whole column the first time it is asked.

Most character bigrams of a corpus occur in a handful of passages, and Whoosh writes each such
term a posting block of its own in the postings file and a pointer to it. Its codec can instead
keep a rare term's postings inside its dictionary entry (``inlinelimit``), but that path is
broken in Whoosh 2.7: the postings writer calls ``set_inline`` on a term info whose method is
``set_inlined``; and an inlined term of a field without values (ID, KEYWORD) reads back with
``""`` for its values where a block gives ``None``, which Whoosh's own segment merge then
rejects. Here the method gets its second name and positional fields inline: a build takes
about a tenth less time. A bulk build writes those dictionary entries itself
(``SpeechFieldWriter``), without Whoosh's objects and calls per term (a positional field's a
run of terms at a time, with numpy: ``inlined.py``), and inlines ID fields' rare terms too
(``id`` is a term per passage). Its entries are packed, not pickled
(``SpeechTermInfo``: Whoosh's pickle of a tuple of floats and byte strings took 150 bytes for
a bigram in a passage or two), with a checksum; segment_writer.py's writer, the only one that
writes or merges these indexes, never reads an ID field's values.

Positional fields (``PassagePositions``) keep each block's occurrences as one array of keys,
``document << 32 | position``, in place of Whoosh's tuple of per-posting values: a literal
search then reads a term's every occurrence with one decompression per block and intersects
them as integers (``literal.py``), where Whoosh unpickled an object per posting and walked
them in Python. The keys and the ids are stored byte plane by byte plane through zlib
(``squeeze``: 2.6 bytes a key where the plain array took 8), and each posting's count of
positions in a zlib stream of its own before the keys, so a one-term literal's frequencies
need no keys at all. A block's weights are each count times the document's boost, so the
block keeps only the boosts that are not 1 (headings'), each distinct boost once. Whoosh's own
matchers and segment merges get per-posting ids, weights and values back from these.

A term in HEADS_FROM or more passages of a segment keeps its heads in its dictionary entry,
after Whoosh's own (``TermHeads``): the postings most likely to score best, in tiers of HEADS,
each with a bound on all the postings after it. A top-N search of the term (``literal.py``)
scores the first tier and stops where no other posting can reach its N-th score, reading the
next tier only where it cannot; it used to score every posting: a block's own maximum (Whoosh's
block quality) is no help, since every block of a frequent term holds a short passage or a
heading that uses it.

Segments record their codec, so this module is imported (and must stay importable under this
name) whenever such an index is opened; it imports nothing Whoosh has not loaded by then.
"""

from __future__ import annotations

import zlib
from array import array
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Callable
from itertools import accumulate, chain, compress, groupby, repeat
from operator import and_, floordiv, lshift, mul, or_, rshift
from pickle import dumps
from struct import Struct

from whoosh.codec.whoosh3 import (
    WHOOSH3_HEADER_MAGIC,
    W3Codec,
    W3FieldWriter,
    W3LeafMatcher,
    W3PerDocReader,
    W3PerDocWriter,
    W3PostingsWriter,
    W3TermInfo,
    W3TermsReader,
    _lenfield,
)
from whoosh.formats import Existence
from whoosh.matching import ListMatcher, NullMatcherClass
from whoosh.matching.wrappers import FilterMatcher
from whoosh.reading import TermNotFound
from whoosh.system import _INT_SIZE, _LONG_SIZE, pack_ushort
from whoosh.util.numeric import byte_to_length, length_to_byte

from .analysis import PassagePositions, decode_positions, encode_positions
from .packing import (
    DamagedBlock,
    checksum,
    le_array,
    le_bytes,
    pack_boosts,
    pack_counts,
    pack_gaps,
    pack_numbers,
    squeeze,
    unpack_boosts,
    unpack_counts,
    unpack_gaps,
    unpack_numbers,
    unsqueeze,
)
from .stored import STORED_FIELDS
from .terms import SortedTermsReader, SortedTermsWriter

INLINE_POSTINGS = 64  # terms in fewer documents than this are inlined
BATCH_KEYS = 1 << 18  # keys of the terms whose inlined entries are built together (numpy arrays of ~30 MB)
NO_BOOSTS: dict = {}
HEADS_FROM = 2048  # terms in this many documents keep heads (TermHeads)
HEADS = 512  # a tier of heads
HEAD_TIERS = 2  # a search reads a tier only where the tiers before it cannot settle its top

if not hasattr(W3TermInfo, "set_inline"):
    W3TermInfo.set_inline = W3TermInfo.set_inlined


DOC_SHIFT = 32
POSITION_MASK = (1 << DOC_SHIFT) - 1


def postings_of_keys(keys):
    """(document, positions) of each posting, from keys sorted by document."""
    for doc, occurrences in groupby(keys, lambda key: key >> DOC_SHIFT):
        yield doc, [key & POSITION_MASK for key in occurrences]


# Keyed blocks are read whole, so they are large (Whoosh's 128 postings suit skipping
# through them) and packed rather than compressed: zlib was a third of the time of a literal in
# thousands of passages.
KEYED_BLOCK_POSTINGS = 1024
KEYED_COMPRESSION = 0
BLOCK_PICKLE = 3  # the first protocol with a type for bytes


class SpeechPostingsWriter(W3PostingsWriter):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._whoosh_settings = (self._blocklimit, self._compression)

    def start_postings(self, format_, terminfo):
        super().start_postings(format_, terminfo)
        self._inlinelimit = INLINE_POSTINGS if format_.supports("positions") else 1
        self._keyed = isinstance(format_, PassagePositions)
        self._document_set = isinstance(format_, Existence) and not self._byteids
        if self._keyed:
            self._blocklimit, self._compression = KEYED_BLOCK_POSTINGS, KEYED_COMPRESSION
        elif isinstance(format_, Existence):
            # Mostly one posting a term (ids): a zlib stream per block cost more than the block.
            self._blocklimit, self._compression = self._whoosh_settings[0], 0
        else:
            self._blocklimit, self._compression = self._whoosh_settings

    # A keyed block holds byte strings where Whoosh pickles a tuple of objects per posting:
    # the ids and the keys (``squeeze``), each posting's count of positions (``pack_numbers``);
    # and in place of weights the boosts of the few documents that have one (headings): a
    # weight is the count, times the boost.

    def _write_block(self, last=False):
        """Whoosh's block: its length (negative for a term's last), a pickle of its statistics,
        then a pickle of its ids, weights and values, zlib-compressed at the field's level.
        Whoosh pickles both with protocol 2, which has no type for bytes and writes them as text
        (``_codecs.encode(s, "latin-1")``): each byte from 0x80 up took two, and a block of
        packed arrays, whose bytes are high half the time, half as much again. Protocol 3
        writes bytes as bytes; Whoosh's reader unpickles either."""
        if not self._blockcount:
            self._postfile.write(WHOOSH3_HEADER_MAGIC)
        self._terminfo.add_block(self)
        data = dumps((self._mini_ids(), self._mini_weights(), self._mini_values()), BLOCK_PICKLE)
        if self._compression:
            data = zlib.compress(data, self._compression)
        info = dumps((len(self._ids), self._ids[-1], self._maxweight, self._compression,
                      length_to_byte(self._minlength), length_to_byte(self._maxlength)), BLOCK_PICKLE)
        self._postfile.write_int(-(len(info) + len(data)) if last else len(info) + len(data))
        self._postfile.write(info)
        self._postfile.write(data)
        self._blockcount += 1
        self._new_block()

    def _new_block(self):
        super()._new_block()
        self._block_counts = self._block_keys = self._block_boosts = None  # a block add_keys filled

    def add_keys(self, keys: array, boosts: dict, lengths: bytes, ids: array, counts: array, codes: bytes,
                 weights: array) -> None:
        """Add a term's postings from its keys (sorted), without a Python step per posting:
        ``boosts`` maps the term's documents to their boost where not 1, ``lengths`` is the
        field's one-byte length column; for each posting, ``ids`` its document, ``counts`` its
        keys, ``codes`` its length byte, ``weights`` its count times its boost. Writes the
        blocks ``add_posting`` would; a term in fewer than INLINE_POSTINGS documents is
        inlined by ``SpeechFieldWriter`` instead."""
        if len(ids) >= HEADS_FROM:
            self._terminfo.heads_blob = pack_heads(ids, counts, boosts, codes, self._average_length(lengths))
        ends = array("Q", accumulate(counts))  # each posting's last key + 1
        boosted = sorted(boosts)
        size = KEYED_BLOCK_POSTINGS
        for start in range(0, len(ids), size):
            end = min(start + size, len(ids))
            block_ids = ids[start:end]
            self._ids, self._weights = block_ids, weights[start:end]
            self._block_counts = counts[start:end]
            self._block_keys = keys[ends[start - 1] if start else 0:ends[end - 1]]
            in_block = boosted[bisect_left(boosted, block_ids[0]):bisect_right(boosted, block_ids[-1])]
            self._block_boosts = {doc: boosts[doc] for doc in in_block}
            block_lengths = codes[start:end].replace(b"\0", b"")
            self._minlength = LENGTH_OF_BYTE[min(block_lengths)] if block_lengths else None
            self._maxlength = LENGTH_OF_BYTE[max(block_lengths)] if block_lengths else 0
            self._maxweight = max(self._weights)
            if end < len(ids):
                self._write_block()  # the last block is written by finish_postings

    def _average_length(self, lengths: bytes) -> float:
        """The mean length in the field whose length column is ``lengths``, for each of its terms."""
        if getattr(self, "_averaged", (None,))[0] is not lengths:
            total = sum(LENGTH_OF_BYTE[code] * n for code, n in Counter(lengths).items())
            self._averaged = (lengths, total / max(len(lengths), 1))
        return self._averaged[1]

    def add_documents(self, ids: array, boosts: dict) -> None:
        """Add a document-set term's postings (``ids`` sorted; ``boosts`` the weights that are
        not 1): the blocks ``add_posting`` would write, a block at a time."""
        size = self._blocklimit
        boosted = sorted(boosts)
        for start in range(0, len(ids), size):
            if start:
                self._write_block()
            self._ids = block_ids = ids[start:start + size]
            self._weights = weights = array("f", [1.0]) * len(block_ids)
            self._block_boosts = {}
            for doc in boosted[bisect_left(boosted, block_ids[0]):bisect_right(boosted, block_ids[-1])]:
                at = bisect_left(block_ids, doc)
                weights[at] = boosts[doc]
                self._block_boosts[doc] = weights[at]  # as the block stores it, a 32-bit float
            self._maxweight = max(weights)

    # A document-set block (ID fields) holds its ids as packed gaps in a zlib stream, the weights
    # that are not 1 (``pack_boosts``: Whoosh pickled a float per posting) and a checksum in
    # place of values.

    def _mini_ids(self):
        if self._keyed:
            self._packed_ids = squeeze(array("I", self._ids))
        elif self._document_set:
            # An ID term's documents are mostly runs (a speech's passages): their gaps, mostly
            # 1, compress to almost nothing.
            self._packed_ids = zlib.compress(pack_gaps(self._ids), 1)
        else:
            return super()._mini_ids()
        return self._packed_ids

    def _mini_weights(self):
        if self._document_set:
            self._packed_boosts = pack_boosts(
                self._block_boosts if self._block_boosts is not None else
                {doc: weight for doc, weight in zip(self._ids, self._weights, strict=True) if weight != 1.0})
            return self._packed_boosts
        if not self._keyed:
            return super()._mini_weights()
        if self._block_boosts is not None:
            return pack_boosts(self._block_boosts)
        counts = map(floordiv, map(len, self._values), repeat(4))
        return pack_boosts({doc: weight / count for doc, weight, count in zip(self._ids, self._weights, counts,
                                                                              strict=True) if weight != count})

    def _mini_values(self):
        if self._document_set:
            return checksum(self._packed_ids, self._packed_boosts or b"")
        if not self._keyed:
            return super()._mini_values()
        if self._block_counts is not None:
            counts, keys = self._block_counts, self._block_keys
        else:  # postings added one at a time (Whoosh's own writer)
            counts = array("I", map(floordiv, map(len, self._values), repeat(4)))
            documents = chain.from_iterable(map(repeat, map(lshift, self._ids, repeat(DOC_SHIFT)), counts))
            keys = array("Q", map(or_, documents, decode_positions(b"".join(self._values))))
        packed = pack_counts(counts) + squeeze(keys)
        # zlib checks what it decompresses only after the fact, and the counts' width is read
        # before: a checksum of the whole block makes damage an error.
        return packed + checksum(self._packed_ids, packed)


class SpeechFieldWriter(W3FieldWriter):
    """Writes the terms of a bulk build, into a sorted table (``terms.py``). Most terms are
    rare and inlined: their dictionary entries are written here directly, packed
    (``SpeechTermInfo``), without Whoosh's postings writer and term info objects and calls per
    term (a build writes millions)."""

    def __init__(self, codec, storage, segment):  # Whoosh's, with the sorted terms table
        self._codec, self._storage, self._segment = codec, storage, segment
        self._fieldname = self._fieldid = self._btext = self._fieldobj = self._format = None
        self._tindex = SortedTermsWriter(self._create_file(W3Codec.TERMS_EXT))
        self._fieldmap = self._tindex.extras["fieldmap"] = {}
        self._postfile = self._create_file(W3Codec.POSTS_EXT)
        self._postwriter = None
        self._infield = False
        self.is_closed = False

    def start_term(self, btext):  # Whoosh's, with a term info that can keep heads
        if self._postwriter is None:
            raise Exception("Called start_term before start_field")
        self._btext = btext
        self._postwriter.start_postings(self._fieldobj.format, SpeechTermInfo())

    def add_keyed_term(self, btext: bytes, keys: array, boosts: dict, lengths: bytes) -> None:
        """A positional term from its keys (see ``add_keys``)."""
        first = keys[0] >> DOC_SHIFT
        if first == keys[-1] >> DOC_SHIFT:  # in one document, as most of a corpus's terms are
            self._add_inlined_keys(btext, (first,), (len(keys),), keys, boosts, lengths)
            return
        frequencies = Counter(map(rshift, keys, repeat(DOC_SHIFT)))  # in document order
        if len(frequencies) < INLINE_POSTINGS:
            self._add_inlined_keys(btext, list(frequencies), list(frequencies.values()), keys, boosts, lengths)
            return
        ids, counts = array("I", frequencies), array("I", frequencies.values())
        codes = bytes(map(lengths.__getitem__, ids))  # each posting's length byte
        weights = array("f", map(mul, counts, map(boosts.get, ids, repeat(1.0)))) if boosts else array("f", counts)
        self._add_blocked_keys(btext, keys, boosts, lengths, ids, counts, codes, weights)

    def _add_blocked_keys(self, btext: bytes, keys: array, boosts: dict, lengths: bytes, ids: array,
                          counts: array, codes: bytes, weights: array) -> None:
        self.start_term(btext)
        self._postwriter.add_keys(keys, boosts, lengths, ids, counts, codes, weights)
        self.finish_term()

    def add_keyed_terms(self, terms, boosts: dict, lengths: bytes, document_boosts: dict[int, float] | None) -> None:
        """A positional field's terms (``occurrences.KeyedTerms`` or ``BigramTexts``), in dictionary order, as
        ``add_keyed_term`` adds each, with their ``boosts`` by term; or where every boost of
        the field is its document's (``document_boosts``), the same for all, a run of terms at
        a time (``inlined.py``)."""
        if document_boosts is None:
            for name, keys in terms.items(release=True):
                self.add_keyed_term(name.encode("utf-8"), keys, boosts.get(name, NO_BOOSTS), lengths)
            return
        names, key_counts, keys = terms.grouped(release=True)
        by_document = _boosts_by_document(document_boosts, len(lengths))
        key_ends = list(accumulate(key_counts.tolist()))
        for start, stop in _runs_of_keys(key_ends):
            before = key_ends[start - 1] if start else 0
            self._add_keyed_batch(names[start:stop], keys[before:key_ends[stop - 1]], key_counts[start:stop], lengths,
                                  by_document)

    def _add_keyed_batch(self, names: list[str], keys, key_counts, lengths: bytes, by_document):
        import numpy as np

        from .inlined import InlinedEntries, Postings

        postings = Postings(keys, key_counts)
        inlined = postings.per_term < INLINE_POSTINGS
        codes = np.frombuffer(lengths, dtype=np.uint8)
        entries = InlinedEntries(postings, inlined, PACKED_KEYED, codes, by_document, zlib.crc32).entries
        btexts = list(map(str.encode, names))
        # A blocked term's postings as add_keys takes them, for all of them at once.
        ids, counts = postings.documents, postings.counts.astype(np.uint32)
        boosts = by_document[ids]
        weights = (postings.counts * boosts).astype(np.float32)
        posting_codes = codes[ids]
        starts, key_starts = postings.term_starts, [0, *accumulate(key_counts.tolist())]

        def add_blocked(i: int) -> None:
            at = slice(starts[i], starts[i + 1])
            boosted = boosts[at] != 1.0
            own = dict(zip(ids[at][boosted].tolist(), boosts[at][boosted].tolist(), strict=True))
            self._add_blocked_keys(btexts[i], array("Q", keys[key_starts[i]:key_starts[i + 1]].tobytes()), own,
                                   lengths, array("I", ids[at].tobytes()), array("I", counts[at].tobytes()),
                                   posting_codes[at].tobytes(), array("f", weights[at].tobytes()))

        self._add_entries_around(btexts, entries, np.flatnonzero(~inlined).tolist(), add_blocked)

    def _add_entries_around(self, btexts: list[bytes], entries: list[bytes], blocked: list[int],
                            add_blocked: Callable[[int], None]) -> None:
        """The inlined ``entries`` of the terms ``btexts`` but those at ``blocked`` (ascending),
        into the terms table a run at a time; each blocked term written by ``add_blocked(i)``
        in its place."""
        prefix = pack_ushort(self._fieldid)
        done = written = 0
        for i in [*blocked, len(btexts)]:
            self._tindex.add_many(list(map(prefix.__add__, btexts[done:i])), entries[written:written + i - done])
            written += i - done
            if i == len(btexts):
                return
            add_blocked(i)
            done = i + 1

    def _add_inlined_keys(self, btext: bytes, ids, counts, keys: array, boosts: dict, lengths: bytes) -> None:
        """The inlined entry of a positional term in a few documents (``ids``, with their
        ``counts`` of positions)."""
        weights = _float32([count * boosts.get(doc, 1.0) for doc, count in zip(ids, counts, strict=True)]) if boosts \
            else counts  # a count below 2**24 is its own float32
        self._add_inlined(btext, PACKED_KEYED, ids, weights, pack_numbers(counts) + pack_numbers(keys_positions(keys)),
                          boosts, [code for code in map(lengths.__getitem__, ids) if code])

    def add_document_set_terms(self, terms: dict[bytes, array], boosts: dict[bytes, dict[int, float]],
                               document_boosts: dict[int, float] | None, documents: int) -> None:
        """An ID field's terms, each with its documents (sorted), in dictionary order, as
        ``add_document_set_term`` adds each, with their ``boosts`` by term; or where every
        boost of the field is its document's (``document_boosts``), one value for all, the
        inlined entries a run of terms at a time (``inlined.py``). (A Python call per entry
        was most of an ID field's cost: a heading's id is a term.)"""
        names = sorted(terms)
        if document_boosts is None:
            for name in names:
                self.add_document_set_term(name, terms[name], boosts.get(name, NO_BOOSTS))
            return
        import numpy as np

        boost_of = _boosts_by_document(document_boosts, documents)
        sizes = list(map(len, map(terms.__getitem__, names)))
        entries = self._document_set_entries([name for name, size in zip(names, sizes, strict=True)
                                              if size < INLINE_POSTINGS], terms, boost_of)

        def add_blocked(i: int) -> None:
            ids = np.frombuffer(terms[names[i]], dtype=np.uint32)
            boosts = boost_of[ids]
            boosted = boosts != 1.0
            self.start_term(names[i])
            self._postwriter.add_documents(terms[names[i]], dict(zip(ids[boosted].tolist(), boosts[boosted].tolist(),
                                                                     strict=True)))
            self.finish_term()

        self._add_entries_around(names, entries, [i for i, size in enumerate(sizes) if size >= INLINE_POSTINGS],
                                 add_blocked)

    def _document_set_entries(self, names: list[bytes], terms: dict[bytes, array], boost_of) -> list[bytes]:
        """The inlined entries of ID terms, built BATCH_KEYS documents at a time."""
        import numpy as np

        from .inlined import InlinedEntries, Postings

        no_lengths = np.zeros(len(boost_of), dtype=np.uint8)
        entries: list[bytes] = []
        for start, stop in _runs_of_keys(list(accumulate(map(len, map(terms.__getitem__, names))))):
            run = names[start:stop]
            per_term = np.fromiter(map(len, map(terms.__getitem__, run)), dtype=np.int64, count=len(run))
            ids = np.frombuffer(b"".join(map(terms.__getitem__, run)), dtype=np.uint32)
            postings = Postings(ids.astype(np.uint64) << np.uint64(DOC_SHIFT), per_term)
            entries += InlinedEntries(postings, np.ones(len(run), dtype=bool), PACKED_DOCUMENTS, no_lengths, boost_of,
                                      zlib.crc32, positional=False).entries
        return entries

    def add_document_set_term(self, btext: bytes, ids: array, boosts: dict) -> None:
        """A term of an ID field from its documents (see ``add_documents``)."""
        if len(ids) < INLINE_POSTINGS:
            self._add_inlined(btext, PACKED_DOCUMENTS, ids, _float32([boosts.get(doc, 1.0) for doc in ids]), b"",
                              boosts, [])
            return
        self.start_term(btext)
        self._postwriter.add_documents(ids, boosts)
        self.finish_term()

    def _add_inlined(self, btext: bytes, kind: int, ids, weights: tuple, packed: bytes, boosts: dict,
                     length_codes: list) -> None:
        """The dictionary entry of a term whose postings are inlined: a head (its flag, total
        weight and document count, which the terms reader reads in place, and the length
        bounds), then the packed ids, ``packed`` (counts and positions), the boosts, a
        checksum. The rest of Whoosh's head is read off the postings."""
        head = PACKED_HEAD.pack(kind, sum(weights), len(ids), min(length_codes, default=0),
                                max(length_codes, default=0))
        body = pack_gaps(ids) + packed
        own = {doc: boosts[doc] for doc in ids if doc in boosts} if boosts else None
        if own:
            body += pack_boosts(own)
        self._tindex.add(pack_ushort(self._fieldid) + btext, head + body + checksum(b"", body))


def _runs_of_keys(ends: list[int]):
    """(start, stop) of consecutive runs of terms whose keys (``ends``: where each term's end,
    counted from the first) number about BATCH_KEYS, a term at least each."""
    start = 0
    while start < len(ends):
        before = ends[start - 1] if start else 0
        stop = max(start + 1, bisect_right(ends, before + BATCH_KEYS, lo=start))
        yield start, stop
        start = stop


def _boosts_by_document(document_boosts: dict[int, float], documents: int):
    """Each of ``documents`` documents' boost (1 where it has none), as a numpy array; entries
    written a run at a time take one boost value."""
    import numpy as np

    if len(set(document_boosts.values())) > 1:
        raise ValueError("entries written a run at a time take one boost, not several")
    by_document = np.ones(documents)
    by_document[list(document_boosts)] = list(document_boosts.values())
    return by_document


def _float32(weights: list[float]) -> tuple[float, ...]:
    """Weights as Whoosh's postings writer keeps them (an array of C floats)."""
    return tuple(array("f", weights))


def keys_positions(keys) -> array:
    return array("I", map(and_, keys, repeat(POSITION_MASK)))


# The flag byte of Whoosh's term info head: 0 a term with blocks, 1 Whoosh's pickled inline
# postings, or one of these packed forms.
PACKED_DOCUMENTS = 2
PACKED_KEYED = 3
# Flag, total weight, documents, length bounds: Whoosh's head up to its length bounds, with a
# byte for the count (of an inlined term, below INLINE_POSTINGS) where Whoosh has four.
PACKED_HEAD = Struct("!BfBBB")
if INLINE_POSTINGS > 256:
    raise ValueError("an inlined term's count of documents is a byte")


class TermHeads:
    """A tier of a frequent term's postings most likely to score best in a segment: their
    documents, their counts of positions and the boosts of those that have one; and
    ``frontier``, pairs (weight, length byte) such that every posting after the tier (in a later
    tier or none) has a weight no higher and a length no shorter than one of them. BM25 rises
    with the weight and falls with the length, so the best score of a frontier pair bounds the
    score of every such posting, whatever the index's statistics are when it is searched."""

    __slots__ = ("ids", "counts", "boosts", "frontier")  # a plain class, as search.ParsedQuery says why

    def __init__(self, ids: array, counts: array, boosts: dict, frontier: list[tuple[float, int]]):
        self.ids, self.counts, self.boosts, self.frontier = ids, counts, boosts, frontier


HEADS_TAG = b"H"


def pack_heads(ids: array, counts: array, boosts: dict, codes: bytes, average_length: float) -> bytes:
    """The heads of a term's postings (``ids``, ``counts`` and length bytes ``codes`` in
    document order, ``boosts`` where not 1): HEAD_TIERS tiers of HEADS, the postings with the
    highest BM25 at the segment's ``average_length`` first. The order is only a guess at the
    search's (whose statistics are the whole index's); each tier's frontier is exact."""
    import numpy as np

    from .store import BM25_B, BM25_K1

    documents = np.frombuffer(ids, dtype=np.uint32)
    weights = np.frombuffer(counts, dtype=np.uint32).astype(np.float64)
    if boosts:  # each boost as a block keeps it, a 32-bit float
        boosted = sorted(boosts)
        weights[np.searchsorted(documents, boosted)] *= np.array([boosts[doc] for doc in boosted], dtype=np.float32)
    length_codes = np.frombuffer(codes, dtype=np.uint8)
    # The distinct (weight, length byte) pairs in order of first occurrence, and each one's postings.
    pairs, first, of_posting, population = np.unique(weights + 1j * length_codes, return_index=True,
                                                     return_inverse=True, return_counts=True)
    in_order = np.argsort(first)
    pairs, population = pairs[in_order], population[in_order]
    of_posting = np.argsort(in_order)[of_posting]
    lengths = np.array(LENGTH_OF_BYTE)[pairs.imag.astype(np.int64)]
    impact = pairs.real / (pairs.real + BM25_K1 * (1 - BM25_B + BM25_B * lengths / (average_length or 1)))

    # Postings take places in the order of their (weight, length) pair's impact; a pair's
    # postings that straddle the end of a tier are split between the tiers in document order.
    # Tier HEAD_TIERS is the postings after the heads.
    tier_of_pair = np.full(len(pairs), HEAD_TIERS)
    last_tier, split, taken = np.full(len(pairs), HEAD_TIERS), {}, 0
    for pair in np.lexsort((np.arange(len(pairs)), -impact)).tolist():  # by impact, then first occurrence
        size = int(population[pair])
        first_tier, last = taken // HEADS, min((taken + size - 1) // HEADS, HEAD_TIERS)
        if first_tier >= HEAD_TIERS:
            break
        if first_tier == last:
            tier_of_pair[pair] = first_tier
        else:
            split[pair] = taken
        last_tier[pair] = last
        taken += size
    tiers = tier_of_pair[of_posting]
    for pair, begin in split.items():
        chosen = np.flatnonzero(of_posting == pair)
        tiers[chosen] = np.minimum((begin + np.arange(len(chosen))) // HEADS, HEAD_TIERS)
    pair_tuples = list(zip(pairs.real.tolist(), pairs.imag.astype(np.int64).tolist(), strict=True))
    head_counts = np.frombuffer(counts, dtype=np.uint32)
    blobs = []
    for tier in range(HEAD_TIERS):
        chosen = tiers == tier
        later = list(compress(pair_tuples, (last_tier > tier).tolist()))
        blobs.append(_pack_tier(documents[chosen].tolist(), head_counts[chosen].tolist(), boosts, later))
        if not later:
            break
    return b"".join(blobs)


def _pack_tier(head_ids: list[int], head_counts: list[int], boosts: dict, later: list[tuple[float, int]]) -> bytes:
    """A tier: its postings, then the frontier of the (weight, length) pairs of ``later``
    postings, framed by a tag, its length and a checksum."""
    frontier, best = [], -1.0
    for weight, code in sorted(later, key=lambda pair: (pair[1], -pair[0])):
        if weight > best:
            frontier.append((weight, code))
            best = weight
    body = (pack_numbers([len(head_ids)]) + pack_gaps(head_ids) + pack_numbers(head_counts)
            + pack_numbers([len(frontier)]) + le_bytes(array("d", [weight for weight, _ in frontier]))
            + bytes(code for _, code in frontier))
    boosted = {doc: boosts[doc] for doc in head_ids if doc in boosts}
    if boosted:
        body += pack_boosts(boosted)
    return HEADS_TAG + len(body).to_bytes(4, "little") + body + checksum(b"", body)


def unpack_heads(blob) -> list[TermHeads]:
    """A term's tiers of heads, the first first."""
    tiers, at = [], 0
    while at < len(blob):
        size = int.from_bytes(blob[at + 1:at + 5], "little")
        body, crc = blob[at + 5:at + 5 + size], blob[at + 5 + size:at + 9 + size]
        if blob[at:at + 1] != HEADS_TAG or len(crc) != 4 or checksum(b"", body) != crc:
            raise DamagedBlock("heads of a term's postings: checksum does not match")
        tiers.append(_unpack_tier(body))
        at += 9 + size
    return tiers


def _unpack_tier(body) -> TermHeads:
    (count,), at = unpack_numbers(body, 0, 1)
    ids, at = unpack_gaps(body, at, count)
    counts, at = unpack_numbers(body, at, count)
    (size,), at = unpack_numbers(body, at, 1)
    end = at + 8 * size
    weights = le_array("d", body[at:end])
    codes = body[end:end + size]
    if len(weights) != size or len(codes) != size:
        raise DamagedBlock("heads of a term's postings end early")
    return TermHeads(ids, counts, unpack_boosts(body[end + size:]), list(zip(weights, codes, strict=True)))


class SpeechTermInfo(W3TermInfo):
    """Whoosh's term info, which also reads the packed inline entries of ``SpeechFieldWriter``
    and keeps a frequent term's heads after Whoosh's entry (whose reader reads no further)."""

    heads_blob = b""
    _ENTRY_SIZE = W3TermInfo._struct.size + _LONG_SIZE + _INT_SIZE

    def to_bytes(self):
        entry = super().to_bytes()
        return entry + self.heads_blob if self.heads_blob and not self.is_inlined() else entry

    def heads(self) -> list[TermHeads] | None:
        return unpack_heads(self.heads_blob) if self.heads_blob else None

    @classmethod
    def from_bytes(cls, s):
        flags = s[0]
        if flags < PACKED_DOCUMENTS:
            terminfo = super().from_bytes(s)
            if not flags and len(s) > cls._ENTRY_SIZE:
                terminfo.heads_blob = bytes(s[cls._ENTRY_SIZE:])
            return terminfo
        body = _checked_body(s)
        terminfo = cls()
        _, terminfo._weight, count, shortest, longest = PACKED_HEAD.unpack(s[:PACKED_HEAD.size])
        terminfo._df = count
        terminfo._minlength, terminfo._maxlength = byte_to_length(shortest), byte_to_length(longest)
        if flags == PACKED_KEYED:
            ids, counts, positions, boosts = _unpack_inlined_keyed(body, count)
            ends = list(accumulate(counts))
            values = tuple(encode_positions(positions[end - n:end]) for n, end in zip(counts, ends, strict=True))
            weights = list(map(float, counts))
        else:
            ids, at = unpack_gaps(body, 0, count)
            values = (None,) * count
            weights = [1.0] * count
            boosts = unpack_boosts(body[at:]) if at < len(body) else {}
        for doc, boost in boosts.items():
            weights[bisect_left(ids, doc)] *= boost
        terminfo._inlined = (tuple(ids), _float32(weights), values)
        terminfo._minid, terminfo._maxid = ids[0], ids[-1]
        terminfo._maxweight = max(terminfo._inlined[1])
        return terminfo


WHOOSH_HEAD = Struct("!BfI")  # the start of Whoosh's own entry: flags, total weight, documents


def entry_weight_and_count(head) -> tuple[float, int]:
    """A term's total weight and document count from the first bytes of its entry (at least
    WHOOSH_HEAD.size), in either layout."""
    if head[0] >= PACKED_DOCUMENTS:
        return PACKED_HEAD.unpack_from(head)[1:3]
    return WHOOSH_HEAD.unpack_from(head)[1:]


class SpeechTermsReader(W3TermsReader):
    def __init__(self, codec, dbfile, length, postfile):  # Whoosh's, with the sorted terms table
        self._codec, self._dbfile, self._postfile = codec, dbfile, postfile
        self._tindex = SortedTermsReader(dbfile, length)
        self._fieldmap = self._tindex.extras["fieldmap"]
        self._fieldunmap = [None] * len(self._fieldmap)
        for fieldname, number in self._fieldmap.items():
            self._fieldunmap[number] = fieldname

    def items(self):
        decode = self._keydecoder
        return ((decode(key), SpeechTermInfo.from_bytes(value)) for key, value in self._tindex.items())

    def items_from(self, fieldname, prefix):
        decode = self._keydecoder
        return ((decode(key), SpeechTermInfo.from_bytes(value))
                for key, value in self._tindex.items_from(self._keycoder(fieldname, prefix)))

    def entries_with_prefix(self, fieldname, prefix: bytes):
        """(term, entry) of each term of the field that starts with ``prefix``, in order, the
        entries as stored: one pass over the table, where they are neighbours."""
        start = self._keycoder(fieldname, prefix)
        head = len(start) - len(prefix)
        for key, value in self._tindex.items_from(start):
            if not key.startswith(start):
                return
            yield key[head:], value

    # Whoosh reads a term's weight and document count in place, from its own head's layout;
    # a packed entry's head has its own.

    def _weight_and_count(self, fieldname, tbytes) -> tuple[float, int]:
        datapos = self._range_for_key(fieldname, tbytes)[0]
        return entry_weight_and_count(self._dbfile.get(datapos, WHOOSH_HEAD.size))

    def frequency(self, fieldname, tbytes):
        return self._weight_and_count(fieldname, tbytes)[0]

    def doc_frequency(self, fieldname, tbytes):
        return self._weight_and_count(fieldname, tbytes)[1]

    def term_info(self, fieldname, tbytes):
        try:
            return SpeechTermInfo.from_bytes(self._tindex[self._keycoder(fieldname, tbytes)])
        except KeyError:
            raise TermNotFound(f"No term {fieldname}:{tbytes!r}") from None


class PackedLeafMatcher(W3LeafMatcher):
    """A leaf matcher over this codec's packed blocks: ``_read_data`` leaves (ids, boosts, ...)
    in ``_data``, and a weight is the posting's unit weight times its document's boost."""

    def _unit_weights(self) -> array:
        raise NotImplementedError

    def _read_ids(self):
        if self._data is None:
            self._read_data()
        self._ids = self._data[0]

    def _read_weights(self):
        if self._data is None:
            self._read_data()
        ids, boosts = self._data[:2]
        self._weights = self._unit_weights()
        for doc, boost in boosts.items():
            self._weights[bisect_left(ids, doc)] *= boost


class KeyedLeafMatcher(PackedLeafMatcher):
    """Postings of a positional field: ids, weights and values read from a keyed block."""

    def _read_data(self):
        packed_ids, boosts, counts, packed_keys = self._read_packed()
        ids = unsqueeze("I", packed_ids)
        if len(ids) != self._blocklength:
            raise DamagedBlock(f"posting block of {self._term!r}: its arrays do not match")
        # The keys stay packed until asked for: a literal of one term needs only the counts.
        self._data = (ids, boosts, counts, packed_keys)

    def _read_packed(self):
        """The current block checked, its ids and keys still packed: (packed ids, boosts,
        counts, packed keys)."""
        super()._read_data()
        packed_ids, packed_boosts, blob = self._data
        packed = memoryview(blob)[:-4]
        if checksum(packed_ids, packed) != blob[-4:]:
            raise DamagedBlock(f"posting block of {self._term!r}: checksum does not match")
        counts, packed_keys = unpack_counts(packed, self._blocklength)
        return packed_ids, unpack_boosts(packed_boosts), counts, packed_keys

    def _block_keys(self) -> array:
        return self._unpacked_keys(self._data[2], self._data[3])

    def _unpacked_keys(self, counts: array, packed_keys) -> array:
        keys = unsqueeze("Q", packed_keys)
        if len(keys) != sum(counts):
            raise DamagedBlock(f"posting block of {self._term!r}: its arrays do not match")
        return keys

    def _unit_weights(self) -> array:
        return array("f", self._data[2])  # a posting's weight is its count of positions

    def _read_values(self):
        if self._data is None:
            self._read_data()
        self._values = tuple(encode_positions(positions) for _, positions in postings_of_keys(self._block_keys()))

    def read_keys(self, postings: TermPostings) -> None:
        """Add the keys and boosts from the current block on to ``postings``, leaving its ids
        and counts empty (the matcher is used up): a phrase needs nothing else, and a frequent
        term's ids took a third of the time of reading its blocks."""
        while not self._atend:
            _, block_boosts, counts, packed_keys = self._read_packed()
            postings.keys.extend(self._unpacked_keys(counts, packed_keys))
            if block_boosts:
                postings.boosts.update(block_boosts)
            self._data = None
            self._next_block()

    def read_postings(self, postings: TermPostings) -> None:
        """Add the ids, counts and boosts from the current block on to ``postings`` (the
        matcher is used up)."""
        while not self._atend:
            if self._data is None:
                self._read_data()
            ids, block_boosts, counts, _ = self._data
            postings.ids.extend(ids)
            postings.counts.extend(counts if counts.typecode == "I" else array("I", counts))
            if block_boosts:
                postings.boosts.update(block_boosts)
            self._next_block()


    def postings_of(self, docs: list[int]) -> dict[int, tuple[int, float]]:
        """Each of ``docs`` (sorted) that has a posting here: its count of positions and boost.
        Only the blocks that would hold one are read (the matcher is used up)."""
        found, i = {}, 0
        while not self._atend and i < len(docs):
            if docs[i] <= self._maxid:
                if self._data is None:
                    self._read_data()
                ids, boosts, counts, _ = self._data
                while i < len(docs) and docs[i] <= self._maxid:
                    doc = docs[i]
                    at = bisect_left(ids, doc)
                    if at < len(ids) and ids[at] == doc:
                        found[doc] = (counts[at], boosts.get(doc, 1.0))
                    i += 1
            self._next_block()
        return found


class DocumentSetLeafMatcher(PackedLeafMatcher):
    """Postings of an ID field: ids and the weights that are not 1, from a packed block."""

    def _read_data(self):
        super()._read_data()
        packed_ids, packed_boosts, stored_crc = self._data
        if checksum(packed_ids, packed_boosts or b"") != stored_crc:
            raise DamagedBlock(f"posting block of {self._term!r}: checksum does not match")
        gaps = zlib.decompress(packed_ids)
        ids, end = unpack_gaps(gaps, 0, self._blocklength)
        if end != len(gaps):
            raise DamagedBlock(f"posting block of {self._term!r}: its ids do not match its length")
        self._data = (ids, unpack_boosts(packed_boosts), None)

    def _unit_weights(self) -> array:
        return array("f", [1.0]) * len(self._data[0])

    def _read_values(self):
        self._values = (None,) * self._blocklength


class TermPostings:
    """A positional term's postings in one segment, as a search reads them: either each
    document (deleted ones included: see ``deleted``) with its count of positions, or every
    occurrence as a key ``document << DOC_SHIFT | position`` in order; and the boosts of the
    documents that have one (a weight is the count times the boost). A plain class, as this
    module's other records are tuples: a dataclass takes a search's start-up half a
    millisecond to define."""

    __slots__ = ("ids", "counts", "keys", "deleted", "boosts")

    def __init__(self):
        self.ids, self.counts, self.keys = array("I"), array("I"), array("Q")
        self.deleted: set[int] = set()
        self.boosts: dict[int, float] = {}


def prefix_postings(reader, fieldname: str, prefix: str, terms, keys: bool = False) -> list[TermPostings] | None:
    """The postings (as ``term_postings`` gives them) of each of ``terms`` that starts with
    ``prefix``, in segment ``reader``, from one pass over the term table's entries under the
    prefix; an inlined entry is read in place. A literal that ends on one character has every
    bigram the character starts as an alternative (hundreds), and a lookup of each, then a
    Whoosh matcher made of its entry, took most of its search. None where ``reader`` is not
    a segment of this codec."""
    entries = _entries_of(reader, fieldname, prefix, terms)
    if entries is None:
        return None
    deleted = reader.deleted_docs_set
    found = []
    for term, entry in entries:
        if entry[0] == PACKED_KEYED:
            postings = _inlined_postings(entry, keys)
            postings.deleted = deleted
        else:
            postings = term_postings(reader.postings(fieldname, term), keys)
        found.append(postings)
    return found


def prefix_doc_frequency(reader, fieldname: str, prefix: str, terms) -> int | None:
    """The document counts of ``terms`` in segment ``reader`` summed, each of them starting
    with ``prefix``, from one pass over the term table's entries under the prefix (a
    character's alternatives, as ``prefix_postings`` reads them). None where ``reader`` is
    not a segment of this codec."""
    entries = _entries_of(reader, fieldname, prefix, terms)
    return None if entries is None else sum(entry_weight_and_count(entry)[1] for _, entry in entries)


def _entries_of(reader, fieldname: str, prefix: str, terms):
    """(term, entry as stored) of each of ``terms`` that starts with ``prefix`` in segment
    ``reader``'s term table, in one pass; None where ``reader`` is not a segment of this codec."""
    table = getattr(reader, "_terms", None)
    if not isinstance(table, SpeechTermsReader) or reader.is_closed:
        return None
    found = ((tbytes.decode("utf-8"), entry) for tbytes, entry in table.entries_with_prefix(
        fieldname, prefix.encode("utf-8")))
    return ((term, entry) for term, entry in found if term in terms)


def _inlined_postings(entry, keys: bool) -> TermPostings:
    """A positional term's postings from its packed inline entry (``SpeechFieldWriter``)."""
    count = PACKED_HEAD.unpack(entry[:PACKED_HEAD.size])[2]
    ids, counts, positions, boosts = _unpack_inlined_keyed(_checked_body(entry), count)
    postings = TermPostings()
    if keys:
        documents = chain.from_iterable(map(repeat, map(lshift, ids, repeat(DOC_SHIFT)), counts))
        postings.keys = array("Q", map(or_, documents, positions))
    else:
        postings.ids, postings.counts = ids, array("I", counts)
    for doc, boost in boosts.items():  # as a ListMatcher's weight gives it: a float32 of the product
        count = counts[bisect_left(ids, doc)]
        weight = _float32([count * boost])[0]
        if weight != count:
            postings.boosts[doc] = weight / count
    return postings


def _checked_body(entry):
    """A packed inline entry's body (what follows its head), checked against its checksum."""
    body = entry[PACKED_HEAD.size:-4]
    if checksum(b"", body) != entry[-4:]:
        raise DamagedBlock("inlined postings: checksum does not match")
    return body


def _unpack_inlined_keyed(body, count: int) -> tuple[array, array, array, dict]:
    """The ids, counts, positions and boosts of the body of a positional term's packed inline
    entry, for ``count`` documents."""
    ids, at = unpack_gaps(body, 0, count)
    counts, at = unpack_numbers(body, at, count)
    positions, at = unpack_numbers(body, at, sum(counts))
    return ids, counts, positions, unpack_boosts(body[at:]) if at < len(body) else {}


def term_postings(matcher, keys: bool = False) -> TermPostings:
    """The postings ``reader.postings`` gives for a positional term: their ``ids`` and
    ``counts``, or with ``keys`` their ``keys`` alone (a phrase needs only those)."""
    postings = TermPostings()
    if isinstance(matcher, FilterMatcher):
        postings.deleted, matcher = matcher._ids, matcher.child
    if isinstance(matcher, NullMatcherClass) or not matcher.is_active():
        return postings
    if isinstance(matcher, KeyedLeafMatcher):
        if keys:
            matcher.read_keys(postings)
        else:
            matcher.read_postings(postings)
        return postings
    if isinstance(matcher, ListMatcher):  # inlined postings
        for doc, weight, value in zip(matcher._ids, matcher._weights, matcher._values, strict=True):
            count = len(value) // 4
            if keys:
                postings.keys.extend(map(or_, repeat(doc << DOC_SHIFT), decode_positions(value)))
            else:
                postings.ids.append(doc)
                postings.counts.append(count)
            if weight != count:
                postings.boosts[doc] = weight / count
        return postings
    raise TypeError(f"postings of {type(matcher).__name__} carry no positions")


LENGTH_OF_BYTE = [byte_to_length(b) for b in range(256)]


class SpeechPerDocWriter(W3PerDocWriter):
    """Whoosh's per-document writer, with stored fields compressed against their neighbours (``stored.py``)."""

    def add_fields(self, stored: dict, lengths: list[tuple[str, int]]) -> None:
        """What ``add_field`` does for each of a document's fields, at once: ``stored`` are its
        stored values, ``lengths`` its scorable fields' lengths (none 0)."""
        self._storedfields = stored  # finish_doc writes it
        for fieldname, length in lengths:
            self.add_field(fieldname, None, None, length)

    def _create_column(self, fieldname, column):
        super()._create_column(fieldname, STORED_FIELDS if fieldname == "_stored" else column)


class SpeechPerDocReader(W3PerDocReader):
    """Whoosh's per-document reader, with field lengths read into memory and stored fields read
    compressed against their neighbours (``stored.py``)."""

    def __init__(self, storage, segment):
        super().__init__(storage, segment)
        self._length_columns: dict[str, bytes | None] = {}

    def _length_column(self, fieldname: str) -> bytes | None:
        """One byte a document; documents past the last with a length (records without the
        field) have none written, as if 0."""
        column = _lenfield(fieldname)
        if not self.has_column(column):
            return None
        name = W3Codec.column_filename(self._segment, column)
        read_checked = getattr(self._storage, "read_checked", None)  # a writer's storage does not check
        if read_checked is not None:
            return read_checked(name).ljust(self._doccount, b"\0")
        with self._storage.open_file(name) as f:
            return f.read().ljust(self._doccount, b"\0")

    def length_bytes(self, fieldname: str) -> bytes | None:
        """The field's length of each document as Whoosh's one-byte code (LENGTH_OF_BYTE)."""
        try:
            return self._length_columns[fieldname]
        except KeyError:
            column = self._length_columns[fieldname] = self._length_column(fieldname)
            return column

    def stored_fields(self, docnum):
        column = self._cached_reader("_stored", STORED_FIELDS)
        return (column[docnum] if column is not None else None) or {}

    def doc_field_length(self, docnum, fieldname, default=0):
        column = self.length_bytes(fieldname)
        return default if column is None else LENGTH_OF_BYTE[column[docnum]]


def length_bytes(reader, fieldname: str) -> bytes:
    """A segment reader's field lengths, one byte code a document."""
    perdoc = getattr(reader, "_perdoc", None)
    if isinstance(perdoc, SpeechPerDocReader):
        return perdoc.length_bytes(fieldname) or bytes(reader.doc_count_all())
    return bytes(length_to_byte(reader.doc_field_length(doc, fieldname, 0)) for doc in range(reader.doc_count_all()))


class SpeechCodec(W3Codec):
    def postings_reader(self, dbfile, terminfo, format_, term=None, scorer=None):
        if terminfo.is_inlined():
            return super().postings_reader(dbfile, terminfo, format_, term=term, scorer=scorer)
        offset, length = terminfo.extent()
        if isinstance(format_, PassagePositions):
            return KeyedLeafMatcher(dbfile, offset, length, format_, term=term, scorer=scorer)
        if isinstance(format_, Existence):
            return DocumentSetLeafMatcher(dbfile, offset, length, format_, term=term, scorer=scorer)
        return super().postings_reader(dbfile, terminfo, format_, term=term, scorer=scorer)

    def per_document_reader(self, storage, segment):
        return SpeechPerDocReader(storage, segment)

    def per_document_writer(self, storage, segment):
        return SpeechPerDocWriter(self, storage, segment)

    def terms_reader(self, storage, segment):  # Whoosh's, with the reader that knows packed entries
        name = segment.make_filename(self.TERMS_EXT)
        postings = segment.open_file(storage, self.POSTS_EXT)
        return SpeechTermsReader(self, storage.open_file(name), storage.file_length(name), postings)

    def field_writer(self, storage, segment):
        return SpeechFieldWriter(self, storage, segment)

    def postings_writer(self, dbfile, byteids=False):
        return SpeechPostingsWriter(dbfile, blocklimit=self._blocklimit, byteids=byteids,
                                      compression=self._compression)
