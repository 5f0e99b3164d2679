"""A literal that ends on one character has every bigram the character starts as an alternative
(engine/literal.py ``_alternatives_postings``): they are read in one pass over the term table's
entries under the character (engine/codec.py ``prefix_postings``), and must be read as looking
each one up reads them: the same postings, the deleted passages, the same scores."""

from __future__ import annotations

import pytest

from speechsearch.engine import literal
from speechsearch.engine.codec import prefix_doc_frequency, prefix_postings, term_postings
from speechsearch.engine.store import IndexStore
from speechsearch.search import parse_query, run_search
from tests.conftest import invoke, write_corpus


def _as_read(postings) -> list[tuple]:
    return sorted((list(p.ids), list(p.counts), list(p.keys), sorted(p.boosts.items()), sorted(p.deleted))
                  for p in postings)


def test_one_pass_reads_what_each_lookup_reads(seed_corpus):
    boosted = 0
    with IndexStore(seed_corpus / ".speechsearch").searcher() as searcher:
        for character in "发人国工要会":
            alternatives = literal.literal_parts(character, searcher.reader())[-1]
            for segment, _ in searcher.leaf_searchers():
                reader = segment.reader()
                for keys in (False, True):
                    scanned = prefix_postings(reader, "chars", character, set(alternatives), keys)
                    looked_up = [term_postings(reader.postings("chars", t), keys) for t in alternatives
                                 if ("chars", t) in reader]
                    assert scanned and _as_read(scanned) == _as_read(looked_up), character
                    boosted += sum(bool(p.boosts) for p in scanned)
    assert boosted, "no heading among the postings: the boosts went untested"


def test_one_pass_counts_the_documents_each_lookup_counts(seed_corpus, monkeypatch):
    """The idf of a character's alternatives sums their document counts (deleted passages
    included, as Whoosh's own counts are), read in one pass over each segment's entries."""
    with IndexStore(seed_corpus / ".speechsearch").searcher() as searcher:
        reader = searcher.reader()
        for character in "发人国工要会":
            alternatives = literal.literal_parts(character, reader)[-1]
            looked_up = sum(reader.doc_frequency("chars", t) for t in alternatives)
            assert looked_up > len(alternatives) // 2, character
            assert sum(prefix_doc_frequency(segment, "chars", character, set(alternatives))
                       for segment, _ in reader.leaf_readers()) == looked_up
            monkeypatch.setattr(literal, "PREFIX_SCAN_FROM", 1)
            scanned = literal._documents_holding(reader, "chars", alternatives)
            monkeypatch.setattr(literal, "PREFIX_SCAN_FROM", 10**9)
            assert scanned == literal._documents_holding(reader, "chars", alternatives) == looked_up


def test_a_one_character_search_scores_as_looking_each_alternative_up(seed_corpus, monkeypatch):
    with IndexStore(seed_corpus / ".speechsearch").searcher() as searcher:
        query = parse_query("要", searcher.reader()).query
        assert len(query.parts[-1]) >= literal.PREFIX_SCAN_FROM
        segments = [segment for segment, _ in searcher.leaf_searchers()]

        def scores():
            return [list(map(list, literal.phrase_scores(segment, searcher.weighting, "chars", query.parts, 1.0,
                                                         bigrams=True))) for segment in segments]

        scanned = scores()
        monkeypatch.setattr(literal, "PREFIX_SCAN_FROM", 10**9)
        assert scanned == scores() and scanned[0][0]


def test_the_passages_of_a_removed_file_stay_out(tmp_path):
    (tmp_path / "a.txt").write_text("讲话\n水利建设，水资源保护。\n", encoding="utf-8")
    (tmp_path / "b.txt").write_text("讲话\n水运发展，节水型社会。\n", encoding="utf-8")
    write_corpus(tmp_path, ["a.txt", "b.txt"])
    assert invoke("--corpus", str(tmp_path / "corpus.yaml"), "index", "-q").exit_code == 0
    write_corpus(tmp_path, ["b.txt"])
    assert invoke("--corpus", str(tmp_path / "corpus.yaml"), "index", "-q").exit_code == 0
    store = IndexStore(tmp_path / ".speechsearch")
    with store.searcher() as searcher:
        assert any(segment.reader().has_deletions() for segment, _ in searcher.leaf_searchers())
        alternatives = literal.literal_parts("水", searcher.reader())[-1]
        assert len(alternatives) < literal.PREFIX_SCAN_FROM  # a small corpus: the scan must be asked for
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(literal, "PREFIX_SCAN_FROM", 1)
        hits = run_search(store, "水", limit=None)
    assert {hit.doc for hit in hits} == {"b.txt"} and len(hits) == 1
