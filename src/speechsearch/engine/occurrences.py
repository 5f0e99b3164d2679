"""A positional field's occurrences in the segment being written, held until its flush.

Both holders give the flush the same thing (``grouped``): the terms in code point order (UTF-8's
byte order, the term dictionary's), each one's count of keys, and the keys (``document << 32 |
position``) term by term, each term's in the order they came.

- ``KeyedTerms``: the tokenizer's terms, each occurrence's key and term number appended to two
  flat arrays.
- ``BigramTexts``: a bigram field (``analysis.BigramTokenizer``, or the common grams
  ``JoinedBigramTokenizer`` makes of those bigrams) keeps each passage's folded text. At the
  flush numpy cuts every text's grams at once, each gram a number that sorts as its text does.
  Made one at a time, each gram was a string, a list entry and a lookup of its term number in a
  dictionary of a million terms: 13% of a build, on every character of the corpus.

numpy is imported only here and only when a segment is flushed: a search never loads it.
"""

from __future__ import annotations

import re
from array import array
from collections import defaultdict
from itertools import accumulate, count, repeat
from operator import or_

from .analysis import LETTERS, fold, gram_terms, joined_bigrams
from .codec import DOC_SHIFT

TEXT_SEPARATOR = "\0"  # between the texts joined for numpy: not a letter, so no gram spans two
_NOT_LETTER = re.compile(r"[\W_]")


def gram_count(folded: str) -> int:
    """How many grams ``analysis.gram_terms`` makes of ``folded``: its letters."""
    return len(folded) - len(_NOT_LETTER.findall(folded))


def folded_with_grams(value: str) -> tuple[str, int]:
    """What ``BigramTexts.add_text`` takes of a passage's text: folded, and its count of grams."""
    folded = fold(value)
    return folded, gram_count(folded)


class KeyedTerms:
    """A keyed field's occurrences as they come: each one's key and its term's number, in two
    arrays end to end. (An array per term cost a dictionary lookup and an append per key,
    slower the more terms a segment has, and a hundred bytes a term.) ``grouped`` sorts the
    keys by term at the flush."""

    def __init__(self):
        self.numbers: defaultdict[str, int] = defaultdict(count().__next__)  # in order of first occurrence
        self.term_numbers = array("I")
        self.keys = array("Q")

    @classmethod
    def of_grouped(cls, names: list[str], counts, keys) -> KeyedTerms:
        """The terms ``grouped`` gave (the holder to add more to)."""
        import numpy as np

        held = cls()
        held.numbers.update(zip(names, range(len(names)), strict=True))
        held.numbers.default_factory = count(len(names)).__next__
        held.term_numbers = array("I", np.repeat(np.arange(len(names), dtype=np.uint32), counts).tobytes())
        held.keys = array("Q", keys.tobytes())
        return held

    def add(self, docnum: int, terms: list[str], positions) -> None:
        self.term_numbers.extend(map(self.numbers.__getitem__, terms))
        base = docnum << DOC_SHIFT
        if type(positions) is range and positions.step == 1:
            self.keys.extend(range(base | positions.start, base | positions.stop))
        else:
            self.keys.extend(map(or_, repeat(base), positions))

    def __bool__(self) -> bool:
        return bool(self.numbers)

    def grouped(self, release: bool = False):
        """The terms in code point order, each one's count of keys (a numpy array), and the
        keys term by term in that order (a numpy array). With ``release`` (a flush), the
        arrays are let go as soon as they are read, and the holder is left empty."""
        import numpy as np

        from .inlined import stable_order

        names = list(self.numbers)
        order = sorted(range(len(names)), key=names.__getitem__)
        rank = np.empty(len(names), dtype=np.uint32)
        rank[order] = np.arange(len(names), dtype=np.uint32)
        ranks = rank[np.frombuffer(self.term_numbers, dtype=np.uint32)]
        if release:
            self.numbers, self.term_numbers = defaultdict(count().__next__), array("I")
        counts = np.bincount(ranks, minlength=len(names))
        keys = np.frombuffer(self.keys, dtype=np.uint64)[stable_order(ranks)]
        if release:
            self.keys = array("Q")
        return list(map(names.__getitem__, order)), counts, keys

    def items(self, release: bool = False):
        """Each term and its keys (an array), in code point order."""
        return _items(*self.grouped(release))


class BigramTexts:
    """A bigram field's passages, each one's folded text (``analysis.fold``) and count of grams
    (its letters and digits), cut into grams at the flush. With ``common`` (the common words of
    a ``JoinedBigramTokenizer``) the field holds the common grams of those bigrams instead.

    Terms that come as terms (postings merged in from another segment), or a look at the terms
    before the flush, turn the texts held into a ``KeyedTerms`` (``given``), which takes every
    later passage too."""

    def __init__(self, common: frozenset[str] | None = None):
        self.common = common
        self.texts: list[str] = []
        self.documents = array("I")
        self.grams = array("I")
        self.given: KeyedTerms | None = None
        self._cut = None  # the texts' grouped grams, once the flush has asked whether there are any

    def add_text(self, docnum: int, folded: str, grams: int) -> None:
        if self.given is None and self._cut is not None:
            self.given = KeyedTerms.of_grouped(*self._take_cut())
        if self.given is not None:
            self.given.add(docnum, *self.terms_of(folded))
        elif grams:
            self.texts.append(folded)
            self.documents.append(docnum)
            self.grams.append(grams)

    def terms_of(self, folded: str) -> tuple[list[str], range | list[int]]:
        """The terms and positions of one folded text, as its tokenizer gives them."""
        grams = gram_terms(folded)
        return (grams, range(len(grams))) if self.common is None else joined_bigrams(grams, self.common)

    def add(self, docnum: int, terms: list[str], positions) -> None:
        if self.given is None:
            self.given = KeyedTerms.of_grouped(*self._take_cut())
        self.given.add(docnum, terms, positions)

    def __bool__(self) -> bool:
        if self.given is not None:
            return bool(self.given)
        if self.common is None:
            return bool(self.texts)  # only texts with a gram are kept
        if self._cut is None:
            self._cut = self._cut_texts()
        return bool(self._cut[0])

    def grouped(self, release: bool = False):
        """As ``KeyedTerms.grouped``."""
        if self.given is None:
            cut = self._take_cut()
            if release:
                return cut
            self.given = KeyedTerms.of_grouped(*cut)
        return self.given.grouped(release)

    def items(self, release: bool = False):
        return _items(*self.grouped(release))

    def _take_cut(self):
        cut = self._cut if self._cut is not None else self._cut_texts()
        self._cut = None
        return cut

    def _cut_texts(self):
        """The held texts' grams, grouped; the texts are let go."""
        texts, documents, grams = self.texts, self.documents, self.grams
        self.texts, self.documents, self.grams = [], array("I"), array("I")
        return cut_grams(texts, documents, grams, self.common)


def _items(names, counts, keys):
    start = 0
    for name, end in zip(names, accumulate(counts.tolist()), strict=True):
        yield name, array("Q", keys[start:end].tobytes())
        start = end


def cut_grams(texts: list[str], documents: array, grams: array, common: frozenset[str] | None):
    """``grouped``'s three for the bigrams of ``texts`` (folded), ``grams[i]`` of them in
    ``texts[i]``, at positions 0, 1, 2 ... of document ``documents[i]``; or with ``common``, for
    their common grams (``analysis.joined_bigrams``).

    A gram is a number: each letter's rank in the texts' alphabet (in code point order, from
    1), the first letter's shifted left of the second's, 0 for no second letter (a run's last
    letter stands alone, and sorts before every bigram it starts, as its string does).
    """
    import numpy as np

    if not texts:
        return [], np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.uint64)
    points = np.frombuffer(TEXT_SEPARATOR.join(texts).encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    present = np.zeros(int(points.max()) + 1, dtype=bool)
    present[points] = True
    alphabet = [point for point in np.flatnonzero(present).tolist() if LETTERS.fullmatch(chr(point))]
    bits = len(alphabet).bit_length()
    rank = np.zeros(len(present), dtype=np.uint32 if 2 * bits <= 32 else np.uint64)
    rank[alphabet] = np.arange(1, len(alphabet) + 1)
    letters = rank[points]
    del points, present
    following = np.zeros_like(letters)
    following[:-1] = letters[1:]
    letters <<= bits
    letters |= following
    del following
    codes = letters[letters >> bits != 0]  # a gram at every letter
    del letters
    counts = np.frombuffer(grams, dtype=np.uint32)
    if len(codes) != int(counts.sum(dtype=np.int64)):
        raise ValueError(f"the texts hold {len(codes)} grams, not the {int(counts.sum())} counted as they came")
    keys = np.arange(len(codes), dtype=np.uint64)
    keys -= np.repeat((np.cumsum(counts, dtype=np.uint64) - counts), counts)  # each text's positions from 0
    keys |= np.repeat(np.frombuffer(documents, dtype=np.uint32).astype(np.uint64) << np.uint64(DOC_SHIFT), counts)
    parts, width = 2, 2 * bits
    if common is not None:
        rank_of = {chr(point): rank for rank, point in enumerate(alphabet, 1)}
        gram_codes = [rank_of[word[0]] << bits | (rank_of[word[1]] if len(word) == 2 else 0) for word in common
                      if 0 < len(word) <= 2 and all(letter in rank_of for letter in word)]
        codes, keys = _common_grams(codes, keys, bits, gram_codes)
        parts, width = 3, 3 * bits
    distinct, key_counts, keys = _grouped_codes(codes, keys, width)
    letter_of = ["", *map(chr, alphabet)]
    mask = (1 << bits) - 1
    columns = [map(letter_of.__getitem__, ((distinct >> (bits * (parts - 1 - i))) & mask).tolist())
               for i in range(parts)]
    return list(map("".join, zip(*columns, strict=True))), key_counts, keys


def _common_grams(codes, keys, bits: int, common_codes: list[int]):
    """Where a gram or the next is a common word (``common_codes``) and both are bigrams, the
    three letters they span, and the first's key."""
    import numpy as np

    mask = (1 << bits) - 1
    hit = np.isin(codes, np.array(common_codes, dtype=codes.dtype))
    bigram = (codes & mask) != 0
    starts = np.flatnonzero(bigram[:-1] & bigram[1:] & (hit[:-1] | hit[1:]))
    joined = codes[starts].astype(np.uint64) << np.uint64(bits)
    joined |= (codes[starts + 1] & mask).astype(np.uint64)
    return joined, keys[starts]


def _grouped_codes(codes, keys, width: int):
    """The distinct codes (each below ``2 ** width``) in order, each one's count, and the keys
    sorted by code, stably."""
    import numpy as np

    from .inlined import stable_order

    if width > 32:
        ranks = np.unique(codes, return_inverse=True)[1].astype(np.uint32).ravel()
    else:
        ranks = codes.astype(np.uint32, copy=False)
    order = stable_order(ranks)
    ranks = ranks[order]
    firsts = np.flatnonzero(np.r_[True, ranks[1:] != ranks[:-1]]) if len(ranks) else np.zeros(0, dtype=np.int64)
    return codes[order[firsts]], np.diff(firsts, append=len(ranks)), keys[order]
