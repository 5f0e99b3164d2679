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

from functools import cache

from whoosh.analysis import Token, Tokenizer

# Full-width ASCII (ＡＢＣ１２３) and the ideographic space fold to their ASCII forms, one
# character for one, so offsets into the stored text stay valid.
_WIDTH_FOLD = {i: i - 0xFEE0 for i in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}

SEGMENTERS = ("rjieba", "jieba")
DEFAULT_SEGMENTER = "rjieba"


def fold(text: str) -> str:
    """Width- and case-fold ``text`` without changing its length."""
    folded = text.translate(_WIDTH_FOLD).lower()
    return folded if len(folded) == len(text) else text.translate(_WIDTH_FOLD)


def is_word_char(ch: str) -> bool:
    return ch.isalnum()


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


def positioned_words(text: str, segmenter: Segmenter, search: bool = True):
    """Yield (word, position, start, end): sub-words share the position of their compound."""
    triples = sorted(segmenter.tokenize(text, search), key=lambda t: (t[1], -t[2]))
    pos, main_end = -1, 0
    for word, start, end in triples:
        if start >= main_end:
            pos += 1
            main_end = end
        if any(map(is_word_char, word)):
            yield word, pos, start, end


class Analyzed(str):
    """Passage text carrying tokens computed elsewhere (in an index worker process).

    ``words`` and ``grams`` are packed as (joined strings, array of pos/start/end), which cross a
    process boundary far cheaper than lists of tuples. Whoosh passes the value through to the
    tokenizer untouched, so the writer's process does not segment again.
    """

    words: tuple[str, bytes] | None = None
    grams: tuple[str, bytes] | None = None


def pack(tokens) -> tuple[str, bytes]:
    from array import array

    texts, numbers = [], array("i")
    for text, pos, start, end in tokens:
        texts.append(text)
        numbers.extend((pos, start, end))
    return "\x00".join(texts), numbers.tobytes()


def unpack(packed: tuple[str, bytes]):
    from array import array

    texts, blob = packed
    numbers = array("i")
    numbers.frombytes(blob)
    if not texts and not numbers:
        return
    for i, text in enumerate(texts.split("\x00")):
        yield text, numbers[3 * i], numbers[3 * i + 1], numbers[3 * i + 2]


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

    def __call__(self, value, positions=False, chars=False, keeporiginal=False, removestops=True,
                 start_pos=0, start_char=0, tokenize=True, mode="", **kwargs):
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        packed = getattr(value, "words", None)
        if packed is not None:
            items = unpack(packed)
        else:
            items = positioned_words(fold(value), get_segmenter(self.segmenter), search=mode != "query")
        return _emit(token, items, positions, chars, keeporiginal, start_pos, start_char)


def bigrams(text: str):
    """Yield (gram, position, start, end) over the letters and digits of ``text``."""
    text = fold(text)
    pos = 0
    n = len(text)
    for i, ch in enumerate(text):
        if not is_word_char(ch):
            continue
        if i + 1 < n and is_word_char(text[i + 1]):
            yield ch + text[i + 1], pos, i, i + 2
        else:
            yield ch, pos, i, i + 1
        pos += 1


class BigramTokenizer(Tokenizer):
    """Overlapping character bigrams; the last character of a run stands alone."""

    def __eq__(self, other):
        return type(other) is type(self)

    def __call__(self, value, positions=False, chars=False, keeporiginal=False, removestops=True,
                 start_pos=0, start_char=0, tokenize=True, mode="", **kwargs):
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        packed = getattr(value, "grams", None)
        items = unpack(packed) if packed is not None else bigrams(value)
        return _emit(token, items, positions, chars, keeporiginal, start_pos, start_char)


def word_analyzer(segmenter: str = DEFAULT_SEGMENTER):
    return WordTokenizer(segmenter)


def bigram_analyzer():
    return BigramTokenizer()
