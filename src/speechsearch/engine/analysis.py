"""Whoosh tokenizers for Chinese: jieba words for ranking, character bigrams for recall.

Both follow whoosh.analysis: a Tokenizer yields one reused Token with text, pos, startchar and
endchar, and filters compose with ``|``. The index schema pickles these objects, so they carry
only names, never a loaded dictionary: the segmenter is imported the first time text is
tokenized, which keeps it off the start-up of a search until a query needs it.

- ``WordTokenizer``: jieba in search mode. Each word of the default cut takes one position and
  the shorter dictionary words inside it (社会, 保障 in 社会保障) share that position, so phrase
  queries over words work and a sub-word query still finds the compound.
- ``BigramTokenizer``: every letter or digit (Han, Latin, digit alike) starts a token: the pair
  it forms with the next one, or itself alone at the end of a run, as Lucene's CJK analyzer
  does. A query string then matches exactly the texts that contain it, whatever jieba did.
"""

from __future__ import annotations

import re
import sys
from array import array
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Sequence
from functools import cache
from itertools import compress
from operator import itemgetter

from whoosh.analysis import Token, Tokenizer
from whoosh.formats import Positions

from ..width import fold_width

SEGMENTERS = ("rjieba", "jieba")
DEFAULT_SEGMENTER = "rjieba"


def fold(text: str) -> str:
    """Width- and case-fold ``text`` without changing its length."""
    narrow = fold_width(text)
    folded = narrow.lower()
    return folded if len(folded) == len(text) else narrow


class Segmenter:
    """The jieba interface this project needs: (word, start, end) triples."""

    name = ""

    def tokenize(self, text: str, search: bool) -> list[tuple[str, int, int]]:
        raise NotImplementedError

    def add_word(self, word: str) -> None:
        raise NotImplementedError


class RjiebaSegmenter(Segmenter):
    """jieba-rs (same dictionary as jieba), 17-30x faster and about 0.1 s to load."""

    name = "rjieba"

    def __init__(self, private: bool = False):
        import rjieba

        self._jieba = rjieba.Jieba() if private else rjieba

    def tokenize(self, text, search):
        return self._jieba.tokenize(text, mode="search" if search else "default")

    def add_word(self, word):
        self._jieba.add_word(word, None, None)


class JiebaSegmenter(Segmenter):
    name = "jieba"

    def __init__(self, private: bool = False):
        import jieba

        jieba.setLogLevel(60)
        self._jieba = jieba.Tokenizer() if private else jieba.dt

    def tokenize(self, text, search):
        return list(self._jieba.tokenize(text, mode="search" if search else "default"))

    def add_word(self, word):
        self._jieba.add_word(word)


@cache
def get_segmenter(name: str, user_words: tuple[str, ...] = ()) -> Segmenter:
    """The named segmenter; with ``user_words`` (corpus.yaml's dictionary) a private instance
    that keeps those words whole, so that no other index in this process sees them."""
    if name not in SEGMENTERS:
        raise ValueError(f"unknown segmenter {name!r}; choose from {', '.join(SEGMENTERS)}")
    segmenter = (RjiebaSegmenter if name == "rjieba" else JiebaSegmenter)(private=bool(user_words))
    for word in user_words:
        segmenter.add_word(word)
    return segmenter


def positioned_words(text: str, segmenter: Segmenter, search: bool = True) -> list[tuple[str, int, int, int]]:
    """(word, position, start, end) of each word: sub-words share the position of their compound."""
    kept, positions = _ordered_words(text, segmenter, search)
    return [(word, pos, start, end) for (word, start, end), pos in zip(kept, positions, strict=True)]


def _ordered_words(text: str, segmenter: Segmenter, search: bool) -> tuple[list[tuple[str, int, int]], list[int]]:
    """The words with a letter or digit (what bigrams index too), by start, a compound before
    the sub-words inside it, as (word, start, end); and each one's position. (Two lists, not a
    generator of tuples: this runs on every word of a build.)"""
    # Two stable sorts on C-level keys: by start, and at one start the longest first.
    triples = sorted(segmenter.tokenize(text, search), key=itemgetter(2), reverse=True)
    triples.sort(key=itemgetter(1))
    kept: list[tuple[str, int, int]] = []
    positions: list[int] = []
    pos, main_end = -1, 0
    for triple in triples:
        word, start, end = triple
        if start >= main_end:
            pos += 1
            main_end = end
        if word.isalnum() or any(map(str.isalnum, word)):
            kept.append(triple)
            positions.append(pos)
    return kept, positions


class Analyzed(str):
    """Passage text that names the segmenter to cut it with.

    The schema's tokenizer knows only the segmenter's name (the schema is pickled into the
    index); a corpus with its own dictionary segments with a private instance that holds those
    words, which the indexer attaches here.
    """

    segmenter: Segmenter | None = None


def _emit(token, items, positions, chars, keeporiginal, start_pos, start_char):
    for text, pos, start, end in items:
        token.text = text
        token.boost = 1.0
        token.stopped = False
        if keeporiginal:
            token.original = text
        if positions:
            token.pos = start_pos + pos
        if chars:
            token.startchar = start_char + start
            token.endchar = start_char + end
        yield token


class WordTokenizer(Tokenizer):
    """jieba words, with search-mode sub-words when indexing (``mode="index"``)."""

    def __init__(self, segmenter: str = DEFAULT_SEGMENTER):
        self.segmenter = segmenter

    def __eq__(self, other):
        return type(other) is type(self) and other.segmenter == self.segmenter

    def items(self, value, mode=""):
        """(word, position, start, end) of each token, without Whoosh's Token objects."""
        segmenter = getattr(value, "segmenter", None) or get_segmenter(self.segmenter)
        return positioned_words(fold(value), segmenter, search=mode != "query")

    def index_terms(self, value):
        """The words to index and their positions, as two lists."""
        segmenter = getattr(value, "segmenter", None) or get_segmenter(self.segmenter)
        kept, positions = _ordered_words(fold(value), segmenter, True)
        return list(map(itemgetter(0), kept)), positions

    def __call__(self, value, positions=False, chars=False, keeporiginal=False, removestops=True,
                 start_pos=0, start_char=0, tokenize=True, mode="", **kwargs):
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        return _emit(token, self.items(value, mode), positions, chars, keeporiginal, start_pos, start_char)


# Letters and digits ("letters" below): exactly the characters str.isalnum() accepts.
LETTERS = re.compile(r"[^\W_]+")


def bigrams(text: str):
    """Yield (gram, position, start, end) over the letters and digits of ``text``."""
    pos = 0
    for run in LETTERS.finditer(fold(text)):
        chars, start = run.group(), run.start()
        last = len(chars) - 1
        for i in range(last):
            yield chars[i:i + 2], pos + i, start + i, start + i + 2
        yield chars[last], pos + last, start + last, start + last + 1
        pos += last + 1


def bigram_terms(text: str) -> list[str]:
    """The grams ``bigrams`` yields, alone: their positions are 0, 1, 2 ..."""
    return gram_terms(fold(text))


def gram_terms(folded: str) -> list[str]:
    """``bigram_terms`` of a text already folded."""
    grams: list[str] = []
    for run in LETTERS.findall(folded):
        grams += [run[i:i + 2] for i in range(len(run))]  # the last slice is the run's last character
    return grams


class BigramTokenizer(Tokenizer):
    """Overlapping character bigrams; the last character of a run stands alone."""

    def __eq__(self, other):
        return type(other) is type(self)

    def index_terms(self, value):
        """The bigrams to index and their positions."""
        grams = bigram_terms(value)
        return grams, range(len(grams))

    def __call__(self, value, positions=False, chars=False, keeporiginal=False, removestops=True,
                 start_pos=0, start_char=0, tokenize=True, mode="", **kwargs):
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        return _emit(token, bigrams(value), positions, chars, keeporiginal, start_pos, start_char)


WORD_JOINER = " "  # between the two words of a joined pair (no word holds a space)


def joined_bigrams(grams: Sequence[str], common: frozenset[str]) -> tuple[list[str], list[int]]:
    """The common grams of ``bigram_terms`` output (``grams[i]`` at position i): at each
    position where the bigram or the next one is common and both are bigrams, the three
    characters they span (the next bigram's second character follows its first in the text)."""
    hits = list(compress(range(len(grams)), map(common.__contains__, grams)))
    last = len(grams) - 1
    terms, positions = [], []
    for start in sorted({*hits, *(hit - 1 for hit in hits)}):
        if 0 <= start < last and len(grams[start]) == 2 == len(grams[start + 1]):
            terms.append(grams[start] + grams[start + 1][1])
            positions.append(start)
    return terms, positions


def joined_words(words: Sequence[str], positions: Sequence[int],
                 common: frozenset[str]) -> tuple[list[str], list[int]]:
    """The common grams of ``WordTokenizer.index_terms`` output: every pair of a word at one
    position and a word at the next where either is common, as ``first WORD_JOINER second`` at
    the first's position. (A position holds a word and the sub-words inside it, so a phrase of
    words matches wherever its words stand on consecutive positions, and so do these pairs.)"""
    pairs = set()
    for hit in compress(range(len(words)), map(common.__contains__, words)):
        at = positions[hit]
        for after in range(bisect_left(positions, at + 1), bisect_right(positions, at + 1)):
            pairs.add((at, hit, after))
        for before in range(bisect_left(positions, at - 1), bisect_right(positions, at - 1)):
            pairs.add((at - 1, before, hit))
    ordered = sorted(pairs)
    return [words[first] + WORD_JOINER + words[second] for _, first, second in ordered], [at for at, _, _ in ordered]


class JoinedTokenizer(Tokenizer):
    """Common grams (``common_words``) of a positional tokenizer ``base``: each common term
    joined with its neighbours, at the pair's first position, the only tokens. The segment
    writer derives them from the tokens ``base`` gave the same text (``joined_terms``);
    Whoosh's own path tokenizes the text again. Tokens carry positions, not characters."""

    def __init__(self, base, common: frozenset[str]):
        self.base, self.common = base, frozenset(common)

    def __eq__(self, other):
        return type(other) is type(self) and other.base == self.base and other.common == self.common

    def joined_terms(self, terms: Sequence[str], positions: Sequence[int]) -> tuple[list[str], list[int]]:
        raise NotImplementedError

    def joinable(self, first: str, second: str) -> bool:
        """Whether ``first`` followed by ``second`` at the next position makes a pair term."""
        return True

    def join(self, first: str, second: str) -> str:
        """The term of ``first`` followed by ``second`` at the next position."""
        raise NotImplementedError

    def index_terms(self, value):
        return self.joined_terms(*self.base.index_terms(value))

    def __call__(self, value, positions=False, chars=False, keeporiginal=False, removestops=True,
                 start_pos=0, start_char=0, tokenize=True, mode="", **kwargs):
        token = Token(positions, False, removestops=removestops, mode=mode, **kwargs)
        terms, where = self.index_terms(value)
        items = ((term, pos, 0, 0) for term, pos in zip(terms, where, strict=True))
        return _emit(token, items, positions, False, keeporiginal, start_pos, start_char)


class JoinedBigramTokenizer(JoinedTokenizer):
    def __init__(self, common: frozenset[str]):
        super().__init__(BigramTokenizer(), common)

    def joined_terms(self, terms, positions):
        return joined_bigrams(terms, self.common)  # bigram positions are 0, 1, 2 ...

    def joinable(self, first, second):
        return len(first) == 2 == len(second) and first[1] == second[0]

    def join(self, first, second):
        return first + second[1]


class JoinedWordTokenizer(JoinedTokenizer):
    def __init__(self, segmenter: str, common: frozenset[str]):
        super().__init__(WordTokenizer(segmenter), common)

    def joined_terms(self, terms, positions):
        return joined_words(terms, positions, self.common)

    def join(self, first, second):
        return first + WORD_JOINER + second


def word_analyzer(segmenter: str = DEFAULT_SEGMENTER):
    return WordTokenizer(segmenter)


def bigram_analyzer():
    return BigramTokenizer()


class PassagePositions(Positions):
    """Whoosh's Positions format, with positions encoded as an array of 32-bit integers.

    Whoosh pickles each posting's list of position gaps; here a posting's value is the array's
    bytes, which the codec (``codec.py``) turns into whole blocks of (document, position) keys
    with no Python work per posting. The bulk segment writer (``segment_writer.py``) skips the
    values altogether: it takes ``term_positions`` and appends keys. The tokenizers above never
    stop a token or give it a boost, so neither is tracked. Whoosh's own code reads the values
    through the ``decode_*`` methods below.
    """

    def term_positions(self, value, analyzer) -> tuple[list[str], Sequence[int]]:
        """Each token's term and position, in order: from the tokenizers above without a
        Whoosh Token per token, from any other analyzer through its tokens."""
        if hasattr(analyzer, "index_terms"):
            return analyzer.index_terms(value)
        tokens = [(token.text, token.pos) for token in analyzer(value, positions=True, mode="index")]
        return [text for text, _ in tokens], [position for _, position in tokens]

    def word_values(self, value, analyzer, **kwargs):
        positions_of = defaultdict(list)
        for text, position in zip(*self.term_positions(value, analyzer), strict=True):
            positions_of[text].append(position)
        boost = self.field_boost
        for word, positions in positions_of.items():
            yield word, len(positions), len(positions) * boost, encode_positions(positions)

    def encode(self, poslist):
        return encode_positions(poslist)

    def decode_positions(self, valuestring):
        return list(decode_positions(valuestring))

    def decode_frequency(self, valuestring):
        return len(valuestring) // 4

    def decode_weight(self, valuestring):
        return self.decode_frequency(valuestring) * self.field_boost

    def decode_position_boosts(self, valuestring):
        return [(pos, 1) for pos in decode_positions(valuestring)]


def encode_positions(positions) -> bytes:
    encoded = array("I", positions)
    if BIG_ENDIAN:
        encoded.byteswap()
    return encoded.tobytes()


def decode_positions(valuestring: bytes) -> array:
    decoded = array("I", valuestring)
    if BIG_ENDIAN:
        decoded.byteswap()
    return decoded


BIG_ENDIAN = sys.byteorder == "big"  # values and keys are written little-endian everywhere
