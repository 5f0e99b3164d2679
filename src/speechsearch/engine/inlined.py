"""The inlined dictionary entries of many positional terms at once, built with numpy.

Most of a segment's terms are bigrams in a passage or two, and each gets a packed entry in the
term dictionary (``codec.SpeechFieldWriter``: head, ids as gaps, counts, positions, the
boosts that are not 1, a checksum). Built one term at a time, an entry took a dozen Python
calls (a Counter of documents, a max and an array per packed list, ...), 7 µs a term and a
fifth of a build. Here a run of terms, their keys end to end, is cut into postings and packed
in whole-array steps, and only each entry's checksum is a Python call. The bytes are those of
the one-term path (``tests/test_inlined_entries.py`` compares the two).

Numbers are packed as ``packing.pack_numbers`` packs them: a code byte naming the narrowest
width of the list's largest number (B, H, I, Q), then the numbers, little-endian.
"""

from __future__ import annotations

import sys

import numpy as np

from .codec import DOC_SHIFT, POSITION_MASK

CODE_OF_WIDTH = np.zeros(9, dtype=np.uint8)
CODE_OF_WIDTH[[1, 2, 4, 8]] = [ord(code) for code in "BHIQ"]


class Postings:
    """A run of terms' postings, from their keys (``document << 32 | position``) end to end,
    each term's sorted by document: for each posting its term, document and count of keys."""

    def __init__(self, keys: np.ndarray, key_counts: np.ndarray):
        self.keys, self.key_counts = keys, key_counts
        self.terms = len(key_counts)
        self.term_of_key = np.repeat(np.arange(self.terms, dtype=np.int32), key_counts)
        documents = (keys >> np.uint64(DOC_SHIFT)).astype(np.uint32)
        starts = np.ones(len(keys), dtype=bool)
        starts[1:] = (documents[1:] != documents[:-1]) | (self.term_of_key[1:] != self.term_of_key[:-1])
        self.first_key = np.flatnonzero(starts)
        self.documents = documents[self.first_key]
        self.counts = np.diff(self.first_key, append=len(keys))
        self.term = self.term_of_key[self.first_key]
        self.per_term = np.bincount(self.term, minlength=self.terms)
        self.term_starts = np.r_[0, np.cumsum(self.per_term)].tolist()  # where each term's postings start


def stable_order(values: np.ndarray) -> np.ndarray:
    """The permutation that sorts ``values`` (32-bit) stably: each value and its place in one
    64-bit number, sorted. numpy sorts integers with vector instructions; its stable sort of
    32-bit numbers, a merge sort, took eight times as long."""
    if len(values) >= 1 << 32:
        raise ValueError("too many values to order")
    paired = values.astype(np.uint64) << np.uint64(32)
    paired |= np.arange(len(values), dtype=np.uint64)
    paired.sort()
    return paired.view(np.uint32)[0 if sys.byteorder == "little" else 1::2]


def widths_of(largest: np.ndarray) -> np.ndarray:
    """The byte width ``pack_numbers`` gives a list whose largest number is ``largest``."""
    return np.where(largest < 1 << 8, 1, np.where(largest < 1 << 16, 2, np.where(largest < 1 << 32, 4, 8)))


def group_max(values: np.ndarray, group: np.ndarray, groups: int) -> np.ndarray:
    """Each group's largest value (0 for an empty group); ``group`` ascending."""
    largest = np.zeros(groups, dtype=np.uint64)
    if len(values):
        starts = np.flatnonzero(np.r_[True, group[1:] != group[:-1]])
        largest[group[starts]] = np.maximum.reduceat(values.astype(np.uint64), starts)
    return largest


def place_in_group(group: np.ndarray, groups: int) -> np.ndarray:
    """Each element's place within its group (``group`` ascending)."""
    first = np.zeros(groups, dtype=np.int64)
    np.cumsum(np.bincount(group, minlength=groups)[:-1], out=first[1:])
    return np.arange(len(group)) - first[group]


def put(out: np.ndarray, at: np.ndarray, values: np.ndarray, widths, big_endian: bool = False) -> None:
    """Write ``values[i]`` in ``widths[i]`` bytes (an array, or one width for all) at ``out[at[i]:]``."""
    as_bytes = values.astype("<u8").view(np.uint8).reshape(-1, 8)
    for width in ((widths,) if np.isscalar(widths) else np.unique(widths)):
        chosen = slice(None) if np.isscalar(widths) else widths == width
        planes = np.arange(width)[::-1] if big_endian else np.arange(width)
        out[at[chosen, None] + np.arange(width)] = as_bytes[chosen][:, planes]


def put_numbers(out: np.ndarray, at: np.ndarray, group: np.ndarray, values: np.ndarray, widths: np.ndarray) -> None:
    """Packed lists at ``at`` (one per group): each its code byte, then its numbers."""
    out[at] = CODE_OF_WIDTH[widths]
    place = place_in_group(group, len(at))
    put(out, at[group] + 1 + place * widths[group], values, widths[group])


class InlinedEntries:
    """The packed inline entries (``codec.PACKED_KEYED``) of the chosen terms of ``postings``:
    ``chosen`` a mask of its terms; ``lengths`` the field's length bytes by document;
    ``boosts`` each document's boost (1 where it has none; one value for all the others).
    ``entries``: the chosen terms' entries, in order. Without ``positional`` (an ID field's
    terms, ``codec.PACKED_DOCUMENTS``: a posting per document, each a key at position 0), the
    entries hold no counts and no positions."""

    def __init__(self, postings: Postings, chosen: np.ndarray, kind: int, lengths: np.ndarray,
                 boosts: np.ndarray, crc32, positional: bool = True):
        local = np.cumsum(chosen) - 1  # a chosen term's number among the chosen
        posting_chosen = chosen[postings.term]
        key_chosen = chosen[postings.term_of_key]
        entries = int(chosen.sum())
        group = local[postings.term[posting_chosen]]  # each chosen posting's entry
        documents = postings.documents[posting_chosen]
        counts = postings.counts[posting_chosen]
        key_group = local[postings.term_of_key[key_chosen]]
        positions = postings.keys[key_chosen] & np.uint64(POSITION_MASK)
        per_entry = postings.per_term[chosen]
        key_counts = postings.key_counts[chosen]
        first_posting = np.zeros(entries, dtype=np.int64)
        np.cumsum(per_entry[:-1], out=first_posting[1:])

        posting_boost = boosts[documents]
        weights = np.add.reduceat((counts * posting_boost).astype(np.float32).astype(np.float64), first_posting) \
            if entries else np.zeros(0)
        codes = lengths[documents].astype(np.int64)
        shortest = np.minimum.reduceat(np.where(codes == 0, 256, codes), first_posting) if entries else codes
        shortest[shortest == 256] = 0
        longest = np.maximum.reduceat(codes, first_posting) if entries else codes

        later = np.ones(len(documents), dtype=bool)  # every posting but an entry's first has a gap
        later[first_posting] = False
        gaps = (documents - np.r_[documents[:1], documents[:-1]])[later]
        gap_group = group[later]
        gap_widths = widths_of(group_max(gaps, gap_group, entries))
        count_widths = widths_of(group_max(counts, group, entries))
        position_widths = widths_of(group_max(positions, key_group, entries))

        boosted_posting = posting_boost != 1.0
        boost_group = group[boosted_posting]
        boosted_per_entry = np.bincount(boost_group, minlength=entries)
        boosted_documents = documents[boosted_posting]
        boosted_later = np.zeros(len(boost_group), dtype=bool)
        boosted_later[1:] = boost_group[1:] == boost_group[:-1]
        boost_gaps = (boosted_documents - np.r_[boosted_documents[:1], boosted_documents[:-1]])[boosted_later]
        boost_gap_group = boost_group[boosted_later]
        boost_gap_widths = widths_of(group_max(boost_gaps, boost_gap_group, entries))
        has_boosts = boosted_per_entry > 0

        # An entry: head (8), first id (4), the gaps, the counts, the positions, the boosts
        # (their count, first document, gaps, the one distinct boost), the checksum (4).
        sizes = np.stack([
            np.full(entries, 8), np.full(entries, 4),
            1 + (per_entry - 1) * gap_widths,
            (1 + per_entry * count_widths) * positional,
            (1 + key_counts * position_widths) * positional,
            np.where(has_boosts, 2 + 4 + 1 + (boosted_per_entry - 1) * boost_gap_widths + 1 + 4, 0),
            np.full(entries, 4),
        ], axis=1)
        starts = np.zeros(sizes.size + 1, dtype=np.int64)
        np.cumsum(sizes.ravel(), out=starts[1:])
        entry_starts = starts[::7].tolist()  # each entry's start, and the end of the last
        head, first, gap_at, count_at, position_at, boost_at, checksum_at = starts[:-1].reshape(-1, 7).T
        out = np.zeros(starts[-1], dtype=np.uint8)

        out[head] = kind
        put(out, head + 1, weights.astype(np.float32).view(np.uint32), 4, big_endian=True)
        out[head + 5], out[head + 6], out[head + 7] = per_entry, shortest, longest
        put(out, first, documents[first_posting], 4)
        put_numbers(out, gap_at, gap_group, gaps, gap_widths)
        if positional:
            put_numbers(out, count_at, group, counts, count_widths)
            put_numbers(out, position_at, key_group, positions, position_widths)

        boost_at, boosted_count = boost_at[has_boosts], boosted_per_entry[has_boosts]
        out[boost_at], out[boost_at + 1] = ord("B"), boosted_count
        first_boosted = np.flatnonzero(~boosted_later)
        put(out, boost_at + 2, boosted_documents[first_boosted], 4)
        renumbered = (np.cumsum(has_boosts) - 1)[boost_gap_group]  # among the entries with boosts
        put_numbers(out, boost_at + 6, renumbered, boost_gaps, boost_gap_widths[has_boosts])
        distinct_at = boost_at + 7 + (boosted_count - 1) * boost_gap_widths[has_boosts]
        out[distinct_at] = 1
        boost_values = posting_boost[boosted_posting][first_boosted].astype(np.float32).view(np.uint32)
        put(out, distinct_at + 1, boost_values, 4)

        view = memoryview(out)
        crcs = np.fromiter(map(crc32, map(view.__getitem__, map(slice, first.tolist(), checksum_at.tolist()))),
                           dtype=np.uint64, count=entries)
        put(out, checksum_at, crcs, 4)
        packed = out.tobytes()
        self.entries = list(map(packed.__getitem__, map(slice, entry_starts[:-1], entry_starts[1:])))
