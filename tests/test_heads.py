"""A frequent term's heads (engine/codec.py ``TermHeads``): a top-N search of one term reads them
instead of scoring every posting, and must give what scoring every posting gives.

The 27 work reports are 4,133 passages, where no term reaches the codec's HEADS_FROM; the index
here is built with heads from 256 passages, 64 of them, so that some searches settle on the
heads and others must fall back."""

from __future__ import annotations

import pytest

from speechsearch.engine import codec, literal
from speechsearch.engine.codec import SpeechTermInfo, TermHeads, pack_heads, unpack_heads
from speechsearch.engine.literal import heads_best, phrase_scores, top_results
from speechsearch.engine.packing import DamagedBlock
from speechsearch.engine.store import IndexStore
from speechsearch.search import RERANK_POOL, parse_query, run_search
from tests.conftest import invoke
from tests.truth_sets import REPORTS

FREQUENT = ["发展", "建设", "推进", "经济", "创新", "改革", "人民", "安全", "产业", "服务", "国家", "提升"]


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    folder = tmp_path_factory.mktemp("heads")
    (folder / "corpus.yaml").write_text(f"documents:\n  - path: {REPORTS}\n", encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(codec, "HEADS_FROM", 256)
        patch.setattr(codec, "HEADS", 64)
        result = invoke("--corpus", str(folder / "corpus.yaml"), "index", "-q")
    assert result.exit_code == 0, result.output
    return folder


def _ranking(searcher, text: str, limit: int | None) -> list[tuple[int, float]]:
    query = parse_query(text, searcher.reader()).query
    return [(hit.docnum, hit.score) for hit in top_results(searcher, query, limit)]


@pytest.mark.parametrize("text", FREQUENT)
def test_a_top_n_from_heads_is_the_head_of_the_full_ranking(reports, text):
    with IndexStore(reports / ".speechsearch").searcher() as searcher:
        everything = _ranking(searcher, text, None)
        assert len(everything) > RERANK_POOL
        for limit in (1, 10, 30, RERANK_POOL):
            assert _ranking(searcher, text, limit) == everything[:limit], limit


def test_heads_settle_a_page_without_scoring_every_posting(reports):
    """Where the heads settle a top 10, ``heads_best`` answers (documents and scores, which
    are the best of scoring everything); where they cannot (a top deeper than the heads), it
    says so with None."""
    settled = 0
    with IndexStore(reports / ".speechsearch").searcher() as searcher:
        segment = searcher.leaf_searchers()[0][0]
        for text in FREQUENT:
            query = parse_query(text, segment.reader()).query
            assert isinstance(query, literal.LiteralQuery) and query._one_term()
            best = heads_best(segment, searcher.weighting, query._components(), 10)
            assert heads_best(segment, searcher.weighting, query._components(), 500) is None
            if best is None:
                continue
            settled += 1
            everything = _ranking(searcher, text, None)
            assert sorted(zip(*best, strict=True), key=lambda pair: -pair[1])[:10] == everything[:10]
    assert settled >= len(FREQUENT) // 2, settled


def test_each_tier_s_frontier_bounds_every_posting_after_it(reports):
    with IndexStore(reports / ".speechsearch").searcher() as searcher:
        segment = searcher.leaf_searchers()[0][0]
        reader = segment.reader()
        for field in ("chars", "words"):
            info = reader.term_info(field, "发展")
            tiers = info.heads()
            assert isinstance(info, SpeechTermInfo) and [len(t.ids) for t in tiers] == [64] * codec.HEAD_TIERS
            assert not set(tiers[0].ids) & set(tiers[1].ids)
            docs, scores = phrase_scores(segment, searcher.weighting, field, [("发展",)], 1.0)
            score, _ = literal._scorer(segment, searcher.weighting, field, [("发展",)], 1.0)
            read = set()
            for tier in tiers:
                read |= set(tier.ids)
                bound = max(score(weight, code) for weight, code in tier.frontier)
                others = [s for doc, s in zip(docs, scores, strict=True) if doc not in read]
                assert max(others) <= bound
                assert min(s for doc, s in zip(docs, scores, strict=True) if doc in tier.ids) >= max(others) * 0.9
        assert reader.term_info("chars", "乡村").heads() is None  # in fewer than 256 passages


def test_a_later_tier_is_read_only_where_the_first_cannot_settle(reports, monkeypatch):
    """A top 10 settles on the first tier (64 heads here); a top of 100 needs the second, and
    what it settles is still the head of the full ranking."""
    read = []
    first_read = literal._HeadsRead.read_tier
    monkeypatch.setattr(literal._HeadsRead, "read_tier", lambda self: read.append(len(self.tiers)) or first_read(self))
    with IndexStore(reports / ".speechsearch").searcher() as searcher:
        segment = searcher.leaf_searchers()[0][0]
        deeper = 0
        for text in FREQUENT:
            query = parse_query(text, segment.reader()).query
            for limit in (10, 100):
                read.clear()
                best = heads_best(segment, searcher.weighting, query._components(), limit)
                later = sum(1 for left in read if left < codec.HEAD_TIERS)  # tiers after the first
                assert limit == 100 or best is None or not later, text
                if best is not None and later:
                    deeper += 1
                    everything = _ranking(segment, text, None)
                    assert sorted(zip(*best, strict=True), key=lambda pair: -pair[1])[:limit] == everything[:limit]
        assert deeper >= len(FREQUENT) // 2, deeper


def test_heads_survive_deletions(reports, tmp_path):
    """A document deleted after the build (a file indexed again) leaves the heads, and the
    top N is still the head of the full ranking."""
    import shutil

    copy = tmp_path / "copy"
    shutil.copytree(reports, copy)
    store = IndexStore(copy / ".speechsearch")
    ix = store.open()
    with ix.searcher() as searcher:
        best = _ranking(searcher, "发展", 10)
        stored = searcher.stored_fields(best[0][0])
    writer = ix.writer()
    writer.delete_by_term("file", stored["file"])
    writer.commit(merge=False)
    with store.searcher() as searcher:
        everything = _ranking(searcher, "发展", None)
        assert best[0][0] not in dict(everything)
        for limit in (10, RERANK_POOL):
            assert _ranking(searcher, "发展", limit) == everything[:limit]


def test_heads_read_back_and_damage_is_named():
    from array import array

    ids = array("I", range(0, 6000, 2))
    counts = array("I", [1 + i % 3 for i in range(len(ids))])
    lengths = bytes([20 + i % 40 for i in range(6000)])
    boosts = {10: 2.0, 12: 1.5, 14: 3.0}
    blob = pack_heads(ids, counts, boosts, bytes(lengths[doc] for doc in ids), 40.0)
    tiers = unpack_heads(blob)
    assert len(tiers) == codec.HEAD_TIERS
    taken = set()
    for heads in tiers:
        assert isinstance(heads, TermHeads) and len(heads.ids) == codec.HEADS
        assert heads.boosts == {doc: boost for doc, boost in boosts.items() if doc in heads.ids}
        assert list(heads.counts) == [counts[ids.index(doc)] for doc in heads.ids]
        taken |= set(heads.ids)
        rest = [(counts[i] * boosts.get(doc, 1), lengths[doc]) for i, doc in enumerate(ids) if doc not in taken]
        assert all(any(w >= count and code <= length for w, code in heads.frontier) for count, length in rest)
    assert 14 in tiers[0].ids
    for at in (20, len(blob) - 20):  # in the first tier, in the last
        damaged = blob[:at] + bytes([blob[at] ^ 1]) + blob[at + 1:]
        with pytest.raises(DamagedBlock, match="heads"):
            unpack_heads(damaged)
    with pytest.raises(DamagedBlock, match="heads"):
        unpack_heads(blob[:-1])


def test_a_page_of_ten_through_the_command_line(reports):
    store = IndexStore(reports / ".speechsearch")
    everything = [hit.id for hit in run_search(store, "发展", limit=None)]
    assert [hit.id for hit in run_search(store, "发展", limit=10)] == everything[:10]
    result = invoke("--corpus", str(reports / "corpus.yaml"), "search", "发展", "-n", "3", "--format", "jsonl")
    assert result.exit_code == 0 and len(result.output.splitlines()) == 3
