"""The bulk segment writer: its pool spills to disk in chunks, an index whose pools spilled answers
as one that did not, and its segments hold what Whoosh's own writer would have written."""

import json
import random
from collections import Counter

import pytest
from whoosh.filedb.filestore import FileStorage
from whoosh.writing import SegmentWriter

from speechsearch import index
from speechsearch.engine import parallel
from speechsearch.engine.segment_writer import CHUNK_POSTINGS, BulkSegmentWriter, KeyedPostingPool
from tests.conftest import SEED, SEED_DOC, invoke
from tests.test_parallel import make_corpus, segment_count


def test_spilled_runs_come_back_sorted_and_are_removed(tmp_path):
    storage = FileStorage(str(tmp_path)).create()
    pool = KeyedPostingPool(storage, segment=None, limitmb=1)
    rng = random.Random(7)
    postings = [("chars", f"{rng.randrange(5000):05d}".encode(), doc, 1.0, b"\x00" * rng.randrange(40))
                for doc in range(3 * CHUNK_POSTINGS)]
    rng.shuffle(postings)
    for posting in postings:
        pool.add(posting)
    assert len(pool.runs) >= 2  # the pool did spill, more than one chunk a run
    assert list(pool.iter_postings()) == sorted(postings)
    assert not [name for name in storage.list() if name.endswith(".run")]


def scored(folder, query):
    result = invoke("search", query, "--format", "jsonl", "--limit", "100000", "--no-collapse", cwd=folder)
    assert result.exit_code == 0, result.output
    return {(h["doc"], h["line"], h["start"]): round(h["score"], 3)
            for h in map(json.loads, result.output.splitlines())}


def pool_moves(monkeypatch) -> list[int]:
    """The keys each pool held when it moved them into Whoosh's (filled as builds in this
    process run)."""
    moved, pool_keys = [], KeyedPostingPool.pool_keys

    def counted_pool_keys(pool):
        moved.append(pool.keys_held)
        pool_keys(pool)

    monkeypatch.setattr(KeyedPostingPool, "pool_keys", counted_pool_keys)
    return moved


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_an_index_built_through_spills_answers_the_same(tmp_path, monkeypatch, jobs):
    roomy, tight = tmp_path / "roomy", tmp_path / "tight"
    for folder in (roomy, tight):
        folder.mkdir()
        make_corpus(folder, copies=3)
    assert invoke("index", "-q", "--jobs", jobs, cwd=roomy).exit_code == 0
    monkeypatch.setattr(parallel, "WRITER_MB", 1)  # a seed's postings are several MB: runs spill
    spills, save = [], KeyedPostingPool.save

    def counted_save(pool):
        spills.append(len(pool.current))
        save(pool)

    monkeypatch.setattr(KeyedPostingPool, "save", counted_save)
    moved = pool_moves(monkeypatch)
    assert invoke("index", "-q", "--jobs", jobs, cwd=tight).exit_code == 0
    if jobs == "1":
        # The keys went into Whoosh's pool, which spilled. (Workers do this in their own
        # processes, out of these lists' sight, and start new segments instead.)
        assert moved and spills
    else:
        assert segment_count(tight) > segment_count(roomy)
    for query in ("抓落实", "人社", "就业", "舆论主导权"):
        expected = scored(roomy, query)
        assert expected, query
        assert scored(tight, query) == expected, query


def test_a_one_process_build_past_one_pool_writes_segments_as_a_worker_does(tmp_path, monkeypatch):
    """With --jobs 1, documents that would not fit the pool go into a new segment, as a
    worker's do, instead of the pool moving its keys into Whoosh's (a posting at a time)."""
    roomy, tight = tmp_path / "roomy", tmp_path / "tight"
    for folder in (roomy, tight):
        folder.mkdir()
        make_corpus(folder, copies=4)
    assert invoke("index", "-q", "--jobs", "1", cwd=roomy).exit_code == 0
    monkeypatch.setattr(parallel, "WRITER_MB", 2)  # a pool holds about two seeds' keys
    monkeypatch.setattr(index, "PARALLEL_BYTES", 0)  # these 0.3 MB count as a large build
    moved = pool_moves(monkeypatch)
    assert invoke("index", "-q", "--jobs", "1", cwd=tight).exit_code == 0
    assert not moved
    assert segment_count(tight) >= segment_count(roomy) + 2
    for query in ("抓落实", "人社", "就业", "舆论主导权"):
        expected = scored(roomy, query)
        assert expected, query
        assert scored(tight, query) == expected, query


def test_the_pool_reckons_keys_by_what_its_documents_made(tmp_path, monkeypatch):
    """A segment is closed before a task's documents would overflow the pool, at the keys per
    character its documents made so far: an estimate well under theirs still never moves the
    pool's keys into Whoosh's."""
    from speechsearch.engine import segment_writer

    make_corpus(tmp_path, copies=4)
    monkeypatch.setattr(parallel, "WRITER_MB", 2)
    monkeypatch.setattr(index, "PARALLEL_BYTES", 0)
    monkeypatch.setattr(segment_writer, "KEYS_PER_CHARACTER", 0.5)  # a fifth of the seed's
    moved = pool_moves(monkeypatch)
    assert invoke("index", "-q", "--jobs", "1", cwd=tmp_path).exit_code == 0
    assert not moved and segment_count(tmp_path) >= 3


def _segment_contents(ix):
    """Every term's statistics and postings (ids, weights, values, block length bounds). An ID
    field's postings have no values (Whoosh's block gives None for them, an inlined term "")."""
    from whoosh.formats import Existence

    contents = {}
    with ix.searcher() as searcher:
        reader = searcher.reader()
        for fieldname, text in reader.all_terms():
            info = reader.term_info(fieldname, text)
            matcher = reader.postings(fieldname, text)
            has_values = not isinstance(reader.schema[fieldname].format, Existence)
            postings, bounds = [], []
            while matcher.is_active():
                bounds.append((matcher.block_min_length(), matcher.block_max_length()))
                postings.append((matcher.id(), matcher.weight(), matcher.value() if has_values else None))
                matcher.next()
            in_place = reader.frequency(fieldname, text), reader.doc_frequency(fieldname, text)  # read off the head
            assert in_place == (info.weight(), info.doc_frequency())
            contents[fieldname, text] = (info.weight(), info.doc_frequency(), info.min_length(),
                                         info.max_length(), info.max_weight(), postings, bounds)
    return contents


TAG_RUNS = ["人社,就业", "Policy, 会议", "人社,就业", "会议", "人社,就业"]


def test_bulk_writer_writes_what_whoosh_would(tmp_path, monkeypatch):
    """Block for block: with Whoosh's block size for the keyed fields too (they default to
    larger blocks), every posting sits in a block with the same length bounds."""
    from whoosh.index import create_in

    from speechsearch.engine import codec

    monkeypatch.setattr(codec, "KEYED_BLOCK_POSTINGS", 128)
    task = index.Task(SEED_DOC, str(SEED), "txt", {})
    documents = index.prepare(task, (), "rjieba").documents
    assert len(documents) > 200
    built = {}
    for name, make in (("whoosh", lambda ix: SegmentWriter(ix, compound=False)),
                       ("bulk", lambda ix: BulkSegmentWriter(ix, 256, compound=False))):
        folder = tmp_path / name
        folder.mkdir()
        ix = create_in(str(folder), index.make_schema())
        writer = make(ix)
        for number, fields in enumerate(documents * 3):  # terms in hundreds of passages: several posting blocks
            # Runs of tags, one coming back after another (the bulk writer analyses a run once).
            writer.add_document(**{**fields, "tags": TAG_RUNS[number // 7 % len(TAG_RUNS)]})
        writer.commit()
        built[name] = _segment_contents(ix)
        with ix.reader() as reader:
            inlined = {f for f, t in reader.all_terms() if reader.term_info(f, t).is_inlined()}
        if name == "bulk":  # rare terms of positional and of ID fields
            assert {"chars", "words", "speech_chars", "crumb_chars", "heading_ids"} <= inlined
        else:
            assert not inlined
        if name == "bulk":
            _assert_lengths_read_as_whoosh_reads_them(ix)
    assert len(built["whoosh"]) > 10_000
    assert {text for field, text in built["whoosh"] if field == "tags"} == {b"policy", "人社".encode(), "就业".encode(),
                                                                         "会议".encode()}
    chars_bounds = {b for (field, _), (*_, bounds) in built["whoosh"].items() if field == "chars" for b in bounds}
    assert len(chars_bounds) > 100  # the block bounds do depend on the passages' lengths
    assert built["bulk"] == built["whoosh"]


def test_merged_segments_hold_what_one_segment_would(tmp_path):
    """A merge hands the pool Whoosh's postings (``add_reader``); positional, document-set and
    Whoosh's own fields come out of it as from documents added in one go."""
    from whoosh.index import create_in
    from whoosh.writing import NO_MERGE

    task = index.Task(SEED_DOC, str(SEED), "txt", {"speaker": "张三", "tags": ["经济", "Reform"]})
    documents = index.prepare(task, (), "rjieba").documents
    built = {}
    in_parts = [documents[i:i + 60] for i in range(0, len(documents), 60)]
    assert len(in_parts) >= 4
    for name, batches in (("one", [documents]), ("merged", in_parts)):
        folder = tmp_path / name
        folder.mkdir()
        ix = create_in(str(folder), index.make_schema())
        for batch in batches:
            writer = BulkSegmentWriter(ix, 256, compound=False)
            for fields in batch:
                writer.add_document(**fields)
            writer.commit(mergetype=NO_MERGE)
        assert len(ix._segments()) == len(batches)
        if name == "merged":
            BulkSegmentWriter(ix, 256, compound=False).commit(optimize=True)
            assert len(ix._segments()) == 1
        built[name] = _segment_contents(ix)
    fields = {field for field, _ in built["one"]}
    assert {"chars", "words", "doc", "heading_ids", "speaker", "tags", "kind"} <= fields
    assert built["merged"] == built["one"]


def test_passage_positions_hold_what_whoosh_positions_would(seed_document):
    """Our values are arrays, not Whoosh's pickles: the same terms, frequencies, weights and
    positions come out of them through the format's decoders, which Whoosh's own code uses."""
    from whoosh.formats import Positions

    from speechsearch.engine.analysis import PassagePositions, bigram_analyzer, word_analyzer

    def decoded(format_, text, analyzer):
        return sorted((word, freq, weight, format_.decode_positions(value), format_.decode_frequency(value),
                       format_.decode_weight(value))
                      for word, freq, weight, value in format_.word_values(text, analyzer, mode="index"))

    texts = [p.text for p in seed_document.passages]
    for analyzer in (bigram_analyzer(), word_analyzer()):
        ours, whoosh = PassagePositions(field_boost=2.0), Positions(field_boost=2.0)
        repeated = 0
        for text in texts:
            expected = decoded(whoosh, text, analyzer)
            assert decoded(ours, text, analyzer) == expected
            repeated += sum(freq > 1 for _, freq, *_ in expected)
        assert repeated > 100  # terms at several positions are written too


@pytest.mark.parametrize("block_postings", [8, 1024])
def test_position_keys_are_every_occurrence(tmp_path, monkeypatch, block_postings):
    """The codec's keys of a term are its (document, position) pairs as Whoosh's own matcher
    reads them, in one block or across many, and from inlined terms."""
    from speechsearch.engine import codec
    from speechsearch.engine.codec import DOC_SHIFT, KeyedLeafMatcher, term_postings
    from speechsearch.engine.store import IndexStore
    from speechsearch.prepare import HEADING_BOOST

    monkeypatch.setattr(codec, "KEYED_BLOCK_POSTINGS", block_postings)
    make_corpus(tmp_path, copies=1)
    assert invoke("index", "-q", "--jobs", "1", cwd=tmp_path).exit_code == 0
    with IndexStore(tmp_path / ".speechsearch").open().searcher() as searcher:
        reader = searcher.reader()
        kinds, boosted_terms = set(), 0
        for field, text in [("chars", "工作"), ("chars", "人社"), ("words", "工作"), ("chars", "抓落"),
                            ("crumb_chars", "落实"), ("chars", "宣传"), ("chars", "导权"), ("words", "舆论")]:
            expected, boosts = set(), {}
            matcher = reader.postings(field, text)
            while matcher.is_active():
                doc, positions = matcher.id(), matcher.value_as("positions")
                expected |= {doc << DOC_SHIFT | p for p in positions}
                boost = HEADING_BOOST if reader.stored_fields(doc).get("passage_kind") in ("title", "heading") else 1.0
                assert matcher.weight() == len(positions) * boost, (field, text, doc)
                if boost != 1.0:
                    boosts[doc] = boost
                matcher.next()
            matcher = reader.postings(field, text)
            kinds.add(type(matcher).__name__)
            postings = term_postings(matcher, keys=True)
            keys = list(postings.keys)
            assert sorted(keys) == keys and set(keys) == expected, (field, text)
            assert not postings.deleted and not postings.ids and not postings.counts
            assert postings.boosts == boosts, (field, text)
            counted = term_postings(reader.postings(field, text))
            per_document = Counter(key >> DOC_SHIFT for key in expected)
            assert dict(zip(counted.ids, counted.counts, strict=True)) == per_document, (field, text)
            assert list(counted.ids) == sorted(per_document) and not counted.keys
            assert counted.boosts == boosts, (field, text)
            boosted_terms += bool(boosts)
        assert {KeyedLeafMatcher.__name__, "ListMatcher"} <= kinds
        assert reader.postings("chars", "工作")._lastblock == (block_postings > 1000)  # one block, or many
        assert boosted_terms >= 3


def _block_data(reader, fields=("chars", "words", "crumb_chars")):
    """Each posting block's pickled data, as the postings file holds it."""
    for field in fields:
        for term in reader.lexicon(field):
            if reader.term_info(field, term).is_inlined():
                continue
            matcher = reader.postings(field, term)
            while True:
                yield matcher._postfile.get(matcher._dataoffset, matcher._nextoffset - matcher._dataoffset)
                if matcher._lastblock:
                    break
                matcher._next_block()


def test_posting_blocks_keep_their_packed_arrays_as_bytes(tmp_path, monkeypatch):
    """A block's ids, boosts and keys are pickled as bytes, not as text (Whoosh's protocol 2
    spent two bytes on each byte from 0x80 up), and an index whose blocks were written the old
    way reads the same."""
    import pickle

    from speechsearch.engine import codec
    from speechsearch.engine.store import IndexStore

    sizes = {}
    for protocol in (2, codec.BLOCK_PICKLE):
        folder = tmp_path / f"protocol{protocol}"
        folder.mkdir()
        make_corpus(folder, copies=2)
        monkeypatch.setattr(codec, "BLOCK_PICKLE", protocol)
        monkeypatch.setattr(codec, "INLINE_POSTINGS", 4)  # blocks for the terms of a small corpus
        assert invoke("index", "-q", "--jobs", "1", cwd=folder).exit_code == 0
        with IndexStore(folder / ".speechsearch").open().searcher() as searcher:
            blocks = list(_block_data(searcher.reader()))
        packed = sum(len(part) for block in blocks for part in pickle.loads(block) if isinstance(part, bytes))
        sizes[protocol] = sum(map(len, blocks)), packed, len(blocks)
    monkeypatch.undo()
    (old, old_packed, count), (new, new_packed, _) = sizes[2], sizes[codec.BLOCK_PICKLE]
    assert count > 100 and old_packed == new_packed
    assert new <= new_packed + 30 * count < old  # a few bytes of pickle a block, where it was a third more
    for query in ("抓落实", "人社系统", "宣传"):
        assert scored(tmp_path / "protocol2", query) == scored(tmp_path / f"protocol{codec.BLOCK_PICKLE}", query)


def _assert_lengths_read_as_whoosh_reads_them(ix):
    from whoosh.codec.whoosh3 import W3PerDocReader

    from speechsearch.engine.codec import SpeechPerDocReader

    (segment,) = ix._segments()
    ours, whoosh = SpeechPerDocReader(ix.storage, segment), W3PerDocReader(ix.storage, segment)
    fields = ("chars", "words", "speech_chars", "crumb_chars", "doc", "kind")
    for docnum in range(segment.doc_count_all()):
        for field in fields:
            assert ours.doc_field_length(docnum, field, 7) == (whoosh.doc_field_length(docnum, field, 7) or 0)
    assert ours.doc_field_length(0, "chars") > 0
    assert ours.doc_field_length(segment.doc_count_all() - 1, "chars") == 0  # a record: no text


def test_bulk_writer_refuses_fields_its_add_document_does_not_write(tmp_path):
    from whoosh.fields import NUMERIC, Schema
    from whoosh.index import create_in

    ix = create_in(str(tmp_path), Schema(doc=index.make_schema()["doc"], year=NUMERIC(sortable=True)))
    with pytest.raises(ValueError, match="year"):
        BulkSegmentWriter(ix, 16)


def test_bulk_writer_names_an_unknown_field(tmp_path):
    from whoosh.fields import UnknownFieldError
    from whoosh.index import create_in

    writer = BulkSegmentWriter(create_in(str(tmp_path), index.make_schema()), 16)
    with pytest.raises(UnknownFieldError, match="colour"):
        writer.add_document(doc="a", colour="red")
    writer.cancel()


def test_the_sorted_terms_table_finds_every_term_and_no_other(tmp_path, monkeypatch):
    """Exact lookups go through the sample and the position index (no hash tables): every term
    is found with its own entry, keys between, before and after terms are not, and prefix
    walks see the terms a scan of the whole table sees."""
    from whoosh.filedb.filetables import OrderedHashReader

    from speechsearch.engine import terms
    from speechsearch.engine.store import IndexStore

    monkeypatch.setattr(terms, "SAMPLE_EVERY", 5)  # many samples and many gaps between them
    make_corpus(tmp_path, copies=1)
    assert invoke("index", "-q", "--jobs", "1", cwd=tmp_path).exit_code == 0
    with IndexStore(tmp_path / ".speechsearch").open().searcher() as searcher:
        (reader, _), *_ = searcher.reader().leaf_readers()
        table = reader._terms._tindex
        assert isinstance(table, terms.SortedTermsReader) and not any(n for _, n in table.tables)
        whooshs = OrderedHashReader(table.dbfile, len(table.dbfile.file))  # opened as Whoosh opens it
        assert (table.startofdata, table.endofdata, table.extras, table.tables) == \
            (whooshs.startofdata, whooshs.endofdata, whooshs.extras, whooshs.tables)
        keys = list(table.keys())
        assert len(keys) > 1000 and keys == sorted(keys)
        for number, key in enumerate(keys):
            assert table.range_for_key(key)[1] > 0
            for absent in (key + b"\x00", key[:-1] + bytes([max(key[-1] - 1, 0)]) + b"\xff"):
                if absent not in keys[number - 1:number + 2]:
                    assert absent not in table
        assert b"" not in table and b"\xff\xff" not in table
        for field, text in [("chars", "工"), ("words", "落"), ("doc", "")]:
            expected = sorted(t for f, t in reader.all_terms() if f == field and t.startswith(text.encode()))
            assert sorted(reader.expand_prefix(field, text)) == expected and expected


@pytest.mark.parametrize("every", [64, 256])  # 64: the tables of indexes built before 256
def test_sorted_terms_table_entries_of_any_length_read_back(tmp_path, monkeypatch, every):
    """Entries of short lengths (3 bytes of lengths) and of a long key or a long value (the
    0xFF form) read back, looked up exactly, walked in order and from a prefix, whatever the
    spacing of the sample of keys the table was written with."""
    from whoosh.filedb.filestore import FileStorage

    from speechsearch.engine import terms

    entries = {b"\x00\x01" + f"{n:05d}".encode(): bytes([n % 251]) * (n % 40) for n in range(0, 3000, 7)}
    entries[b"\x00\x01" + b"k" * 300] = b"long key"
    entries[b"\x00\x01" + b"v"] = b"\x07" * 70_000
    entries[b"\x00\x02" + b"x" * 254] = b"\xff" * 65_535  # the longest short form
    storage = FileStorage(str(tmp_path))
    writer = terms.SortedTermsWriter(storage.create_file("terms"))
    writer._every = every
    for key in sorted(entries):
        writer.add(key, entries[key])
    writer.close()
    length = (tmp_path / "terms").stat().st_size
    table = terms.SortedTermsReader(storage.open_file("terms"), length)
    assert table._every == every and len(table._sample) == -(-len(entries) // every)
    lengths = sum(9 if len(k) >= 255 or len(v) > 65_535 else 3 for k, v in entries.items())
    assert table.endofdata - table.startofdata == sum(len(k) + len(v) for k, v in entries.items()) + lengths
    assert list(table.items()) == sorted(entries.items())
    for key, value in entries.items():
        assert table[key] == value and key + b"\x00" not in table
    assert len(table._found) == 2 * len(entries)  # each lookup remembered, found or not
    monkeypatch.setattr(terms, "KEYS_KEPT", 100)  # or forgotten 100 at a time, answers unchanged
    table = terms.SortedTermsReader(storage.open_file("terms"), length)
    for key, value in entries.items():
        assert table[key] == value and key + b"\x00" not in table and len(table._found) <= 100
    assert list(table.keys_from(b"\x00\x01k")) == sorted(k for k in entries if k >= b"\x00\x01k")
    assert table.closest_key(b"\x00\x01w") == b"\x00\x02" + b"x" * 254
