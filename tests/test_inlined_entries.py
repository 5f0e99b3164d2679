"""A segment's positional and ID terms written a run at a time (``inlined.py``, numpy) hold the
bytes written one term at a time, and the terms table's bulk add writes what its add writes."""

import pytest
from whoosh.filedb.filestore import FileStorage
from whoosh.index import create_in

from speechsearch import index
from speechsearch.engine import codec, terms
from speechsearch.engine.segment_writer import BulkSegmentWriter
from tests.conftest import SEED, SEED_DOC


def segment_files(folder) -> dict[str, bytes]:
    """The postings and terms files of the one segment in ``folder``, by extension."""
    files = {path.suffix: path.read_bytes() for path in folder.iterdir() if path.suffix in (".trm", ".pst")}
    assert set(files) == {".trm", ".pst"}
    return files


@pytest.mark.parametrize("batch_keys", [1 << 18, 700])  # one run for most fields, and many small ones
def test_terms_written_a_run_at_a_time_are_byte_for_byte_those_written_one_at_a_time(tmp_path, monkeypatch,
                                                                                    batch_keys):
    monkeypatch.setattr(codec, "BATCH_KEYS", batch_keys)
    documents = index.prepare(index.Task(SEED_DOC, str(SEED), "txt", {}), (), "rjieba").documents
    headings = sum(1 for fields in documents if fields.get("_boost", 1.0) != 1.0)
    assert headings > 20 and len(documents) - headings > 150  # boosted postings and plain ones
    written = {}
    for way in ("runs", "one at a time"):
        folder = tmp_path / way
        folder.mkdir()
        ix = create_in(str(folder), index.make_schema())
        writer = BulkSegmentWriter(ix, 256, compound=False)
        for fields in documents * 3:  # terms in hundreds of passages: blocked terms between inlined ones
            writer.add_document(**fields)
        pool = writer.pool
        assert pool.document_boosts["chars"] and pool.document_boosts["words"]  # headings
        if way == "one at a time":  # as for a pool whose postings were merged in, a boost each
            for name in [*pool.keyed, *pool.document_sets]:
                pool.boosts_by_term(name)
        else:
            assert pool.document_boosts["heading_ids"]  # the headings' one boost
        writer.commit()
        written[way] = segment_files(folder)
        with ix.reader() as reader:
            in_documents = [reader.doc_frequency("chars", term) for term in reader.lexicon("chars")]
            heading_ids = [reader.doc_frequency("heading_ids", term) for term in reader.lexicon("heading_ids")]
    assert sum(n < codec.INLINE_POSTINGS for n in in_documents) > 1000  # inlined
    assert sum(n >= codec.INLINE_POSTINGS for n in in_documents) > 10  # in posting blocks
    assert len(heading_ids) > 50 and max(heading_ids) >= codec.INLINE_POSTINGS  # ID terms of both kinds
    assert written["runs"] == written["one at a time"]


def test_a_run_of_entries_is_written_as_each_added_alone(tmp_path):
    """Short and long lengths, the sample of keys and the position index (which Whoosh's
    array widens past 65,535 bytes) come out the same."""
    entries = {b"\x00\x01" + f"{n:05d}".encode(): bytes([n % 251]) * (n % 40) for n in range(0, 3000, 7)}
    entries[b"\x00\x01" + b"k" * 300] = b"long key"
    entries[b"\x00\x01" + b"v"] = b"\x07" * 70_000
    entries[b"\x00\x02" + b"x" * 254] = b"\xff" * 65_535
    keys = sorted(entries)
    storage = FileStorage(str(tmp_path))
    in_runs = [keys[:5], keys[5:6], [], keys[6:300], keys[300:]]
    for name, runs in (("alone", [[key] for key in keys]), ("runs", in_runs)):
        writer = terms.SortedTermsWriter(storage.create_file(name))
        writer._every = 16
        for run in runs:
            if len(run) == 1:
                writer.add(run[0], entries[run[0]])
            else:
                writer.add_many(run, [entries[key] for key in run])
        writer.close()
    assert (tmp_path / "runs").read_bytes() == (tmp_path / "alone").read_bytes()
    writer = terms.SortedTermsWriter(storage.create_file("unordered"))
    with pytest.raises(ValueError, match="Keys must increase"):
        writer.add_many([keys[1], keys[0]], [b"", b""])


def test_a_pool_past_its_limit_moves_every_field_to_whooshs_one_even_an_empty_one(tmp_path):
    """A document too big for the pool (a file on one line) moves the keys held into Whoosh's
    pool: each with its document's boost, and a field without a key yet is no error."""
    from speechsearch.engine.analysis import encode_positions
    from speechsearch.engine.segment_writer import KeyedPostingPool

    pool = KeyedPostingPool(FileStorage(str(tmp_path)).create(), segment=None, limitmb=1,
                            keyed_fields=("chars", "words"))
    pool.add_occurrences("chars", 0, ["人社", "社工", "人社"], [0, 1, 5], 2.0)
    pool.add_occurrences("chars", 1, ["人社"], range(1), 1.0)
    pool.pool_keys()
    chars = "人社".encode(), "社工".encode()
    assert sorted(pool.iter_postings()) == [("chars", chars[0], 0, 4.0, encode_positions([0, 5])),
                                            ("chars", chars[0], 1, 1.0, encode_positions([0])),
                                            ("chars", chars[1], 0, 2.0, encode_positions([1]))]
