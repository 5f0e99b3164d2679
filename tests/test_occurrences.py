"""A bigram field's grams cut from its texts at the flush (``BigramTexts``, numpy) are the terms
and keys its tokenizer gives one passage at a time (``KeyedTerms``)."""

import pytest

from speechsearch.engine.analysis import JoinedBigramTokenizer, bigram_terms, fold
from speechsearch.engine.common_words import COMMON_WORDS
from speechsearch.engine.occurrences import BigramTexts, KeyedTerms, gram_count
from tests.conftest import SEED

ODD_TEXTS = [
    "",  # no gram: not held
    "，。！",
    "a",  # a run of one letter
    "就业",
    "Ｗｏｒｌｄ　Bank 2024年GDP增长5.2%",  # full width, Latin, digits
    "snake_case 下划线_不是字母",  # "_" is a word character to the regex module, not a letter
    "\U00020000\U0002000b𠀀 astral 字 🙂 emoji",  # letters past the BMP, and a symbol that is none
    "lone \udc80 surrogate 中国",  # what a file decoded with surrogateescape holds
    "发展发展发展，发展",  # a common word over and over
    "人民" * 3 + "x",
    "İstanbul ǅ Ⅻ ²",  # lower() changing the length, title case, numerals
]


def seed_passages() -> list[str]:
    return [line for line in SEED.read_text(encoding="utf-8").splitlines() if line.strip()]


def held_both_ways(texts: list[str], common=None):
    """``grouped`` of the texts through BigramTexts, and through KeyedTerms fed the tokenizer's terms."""
    cut, given = BigramTexts(common), KeyedTerms()
    tokenizer = JoinedBigramTokenizer(common) if common is not None else None
    for docnum, text in enumerate(texts):
        folded = fold(text)
        cut.add_text(docnum, folded, gram_count(folded))
        grams = bigram_terms(text)
        assert gram_count(folded) == len(grams)
        terms, positions = tokenizer.joined_terms(grams, range(len(grams))) if tokenizer else (grams, range(len(grams)))
        given.add(docnum, terms, positions)
    return cut.grouped(release=True), given.grouped(release=True)


def assert_same(a, b):
    names_a, counts_a, keys_a = a
    names_b, counts_b, keys_b = b
    assert names_a == names_b
    assert counts_a.tolist() == counts_b.tolist()
    assert keys_a.tolist() == keys_b.tolist()


@pytest.mark.parametrize("common", [None, COMMON_WORDS], ids=["bigrams", "common grams"])
def test_grams_cut_from_texts_are_the_tokenizers(common):
    texts = seed_passages() + ODD_TEXTS * 3
    cut, given = held_both_ways(texts, common)
    assert_same(cut, given)
    names = cut[0]
    assert len(names) > (100 if common else 5000)
    if common is None:
        assert {"a", "就业", "wo", "ld", "4年", "\U00020000\U0002000b", "中国", "下划", "线"} <= set(names)
        assert not any("_" in name or "\udc80" in name for name in names)
    else:
        assert "发展发" in names and all(len(name) == 3 for name in names)


def test_an_alphabet_past_sixteen_bits_sorts_its_grams_as_strings():
    """More distinct letters than fit two to a 32-bit number: the codes are ranked first."""
    letters = [chr(p) for p in [*range(0x4E00, 0x9FFF), *range(0x3400, 0x4DBF), *range(0x20000, 0x2A6DF)]]
    assert len(letters) > 1 << 16
    texts = ["".join(letters[i:i + 500]) + "，" + "".join(letters[i + 3:i + 60:3]) for i in range(0, len(letters), 400)]
    for common in (None, frozenset({letters[5] + letters[6], letters[70_000] + letters[70_001]})):
        cut, given = held_both_ways(texts, common)
        assert_same(cut, given)
        assert len(cut[0]) > (1 if common else 70_000)


def test_texts_looked_at_before_the_flush_keep_taking_passages():
    """A look at the terms (a boost by term), or terms merged in, turns the texts into terms
    given, and later passages join them in the order they come."""
    texts = seed_passages()[:80]
    for common in (None, COMMON_WORDS):
        tokenizer = JoinedBigramTokenizer(common) if common is not None else None
        held, expected = BigramTexts(common), KeyedTerms()
        for docnum, text in enumerate(texts):
            folded = fold(text)
            held.add_text(docnum * 2, folded, gram_count(folded))
            grams = bigram_terms(text)
            expected.add(docnum * 2, *(tokenizer.joined_terms(grams, range(len(grams))) if tokenizer
                                       else (grams, range(len(grams)))))
            if docnum == 20:
                assert held  # the flush's question, which cuts a field of common grams
            if docnum == 40:
                assert len(list(held.items())) == len(list(expected.items()))  # as boosts_by_term reads them
            if docnum == 60:
                for kept in (held, expected):
                    kept.add(121, ["中国", "发展发"], [7, 9])  # merged in
        assert held.given is not None and not held.texts
        assert_same(held.grouped(release=True), expected.grouped(release=True))
        assert not held
