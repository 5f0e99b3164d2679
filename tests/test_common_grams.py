"""Common grams (engine/common_words.py): a phrase with a common word in it reads the word
joined with its neighbour, from ``chars_joined`` and ``words_joined``, and finds and scores
exactly what reading the common word's own postings finds and scores."""

from __future__ import annotations

import re

import pytest
from whoosh import query as whoosh_query

from speechsearch.engine import literal
from speechsearch.engine.analysis import (
    JoinedBigramTokenizer,
    JoinedWordTokenizer,
    bigram_terms,
    fold,
    joined_bigrams,
    joined_words,
)
from speechsearch.engine.common_words import COMMON_WORDS, from_jieba
from speechsearch.engine.store import IndexStore
from speechsearch.search import parse_query, run_search


def test_the_list_is_the_commonest_two_character_words_of_jiebas_dictionary():
    assert COMMON_WORDS == set(from_jieba())
    assert {"发展", "人民", "国家", "经济", "社会"} <= COMMON_WORDS


def test_a_common_bigram_is_joined_with_the_bigram_on_each_side():
    grams = bigram_terms("推动高质量发展，发展新质生产力，人民")
    # 发展 at 5 ends its run (展 stands alone at 6): nothing follows it to join; nor 人民 at 15.
    assert joined_bigrams(grams, COMMON_WORDS) == (["量发展", "发展新"], [4, 7])
    assert joined_bigrams(bigram_terms("国家发展"), COMMON_WORDS) == (["国家发", "家发展"], [0, 1])
    assert joined_bigrams(bigram_terms("人民"), COMMON_WORDS) == ([], [])


def test_a_common_word_is_joined_with_every_word_on_the_next_and_the_last_position():
    tokenizer = JoinedWordTokenizer("rjieba", COMMON_WORDS)
    words, positions = tokenizer.base.index_terms("推动高质量发展")
    assert (words, positions) == (["推动", "高质量", "高质", "质量", "发展"], [0, 1, 1, 1, 2])
    # 高质 and 质量 share 高质量's position, so each stands before 发展 too.
    assert joined_words(words, positions, COMMON_WORDS) == (["高质量 发展", "高质 发展", "质量 发展"], [1, 1, 1])
    assert tokenizer.index_terms("推动高质量发展") == (["高质量 发展", "高质 发展", "质量 发展"], [1, 1, 1])
    assert [(t.text, t.pos) for t in tokenizer("推动高质量发展", positions=True)] == [
        ("高质量 发展", 1), ("高质 发展", 1), ("质量 发展", 1)]


def test_the_index_keeps_the_tokenizers_and_their_list(seed_corpus):
    with IndexStore(seed_corpus / ".speechsearch").searcher() as searcher:
        schema = searcher.schema
        assert schema["chars_joined"].analyzer == JoinedBigramTokenizer(COMMON_WORDS)
        assert isinstance(schema["words_joined"].analyzer, JoinedWordTokenizer)
        assert not schema["chars_joined"].scorable and not schema["words_joined"].scorable
        assert literal.joined_field(schema, "chars")[0] == "chars_joined"
        assert literal.joined_field(schema, "speech_chars") is None


def _common_literals(texts: list[str], limit: int = 40) -> list[str]:
    """Literals of the seed's own text around each common word it holds: up to two characters
    each side (a common word at a literal's start, its end, or inside)."""
    found = []
    for text in texts:
        for word in sorted(COMMON_WORDS):
            for match in re.finditer(word, text):
                for before, after in ((2, 2), (0, 3), (3, 0), (1, 1)):
                    piece = text[max(match.start() - before, 0):match.end() + after]
                    if len(piece) >= 3 and piece.isalnum() and piece not in found:
                        found.append(piece)
    return found[:limit]


def test_phrases_with_common_words_find_and_score_as_reading_the_words_did(seed_corpus):
    with IndexStore(seed_corpus / ".speechsearch").searcher() as searcher:
        reader = searcher.reader()
        texts = [fold(fields["text"]) for _, fields in reader.iter_docs() if fields.get("kind") == "passage"]
        literals = _common_literals(texts)
        assert len(literals) >= 30, literals
        read_joined = 0
        for text in literals:
            query = parse_query(text, reader).query
            assert isinstance(query, literal.LiteralQuery), text
            for segment, _ in searcher.leaf_searchers():
                joined = literal.joined_field(segment.schema, "chars")
                pieces = literal._pieces("chars", query.parts, {}, joined)
                read_joined += any(field == "chars_joined" for _, field, _ in pieces)
                for field, parts, bigrams in (("chars", query.parts, True),
                                              ("words", [(w,) for w in query.ranking], False)):
                    got = literal.phrase_scores(segment, searcher.weighting, field, parts, 1.0, bigrams)
                    read = literal.phrase_scores(segment, searcher.weighting, field, parts, 1.0, bigrams, joined=False)
                    assert list(map(list, got)) == list(map(list, read)), (text, field)
                # Recall: every passage of the segment whose text holds the literal.
                docs, _ = literal.phrase_scores(segment, None, "chars", query.parts, 1.0, bigrams=True)
                holding = [doc for doc in range(segment.doc_count_all())
                           if text in fold(segment.reader().stored_fields(doc).get("text") or "")]
                assert [doc for doc in docs if segment.reader().stored_fields(doc).get("kind") == "passage"] == [
                    doc for doc in holding if segment.reader().stored_fields(doc).get("kind") == "passage"], text
                # The words' phrase is Whoosh's own phrase of the words field.
                if len(query.ranking) > 1:
                    words, _ = literal.phrase_scores(segment, None, "words", [(w,) for w in query.ranking], 1.0)
                    whoosh_docs = list(whoosh_query.Phrase("words", list(query.ranking)).matcher(segment).all_ids())
                    assert list(words) == whoosh_docs, text
        assert read_joined >= len(literals) // 2, read_joined


@pytest.mark.parametrize("text", ["高质量发展", "人民的", "经济社会发展"])
def test_a_search_with_common_words_matches_the_text(tmp_path, text):
    """Passages the test writes, with the common word at every place in the literal."""
    from tests.conftest import invoke, write_corpus

    lines = [f"第{i}条 我们要{text}，坚持{text}不动摇。" for i in range(3)] + ["发展经济，造福百姓。",
                                                                         f"{text[:-1]}与{text[-1]}无关。"]
    (tmp_path / "doc.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    write_corpus(tmp_path, ["doc.txt"])
    assert invoke("--corpus", str(tmp_path / "corpus.yaml"), "index", "-q").exit_code == 0
    hits = run_search(IndexStore(tmp_path / ".speechsearch"), text, limit=None)
    assert sorted(hit.line for hit in hits) == [1, 2, 3]
    assert all(text in fold(hit.text) for hit in hits)
