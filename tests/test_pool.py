"""The posting pool spills to disk in chunks; an index whose pools spilled answers as one that did not."""

import json
import random

import pytest
from whoosh.filedb.filestore import FileStorage

from speechsearch import index
from speechsearch.pool import CHUNK_POSTINGS, ChunkedPostingPool
from tests.conftest import invoke
from tests.test_parallel import make_corpus


def test_spilled_runs_come_back_sorted_and_are_removed(tmp_path):
    storage = FileStorage(str(tmp_path)).create()
    pool = ChunkedPostingPool(storage, segment=None, limitmb=1)
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


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_an_index_built_through_spills_answers_the_same(tmp_path, monkeypatch, jobs):
    roomy, tight = tmp_path / "roomy", tmp_path / "tight"
    for folder in (roomy, tight):
        folder.mkdir()
        make_corpus(folder, copies=3)
    assert invoke("index", "-q", "--jobs", jobs, cwd=roomy).exit_code == 0
    monkeypatch.setattr(index, "WRITER_MB", 1)  # a seed's postings are several MB: runs spill
    spills, save = [], ChunkedPostingPool.save

    def counted_save(pool):
        spills.append(len(pool.current))
        save(pool)

    monkeypatch.setattr(ChunkedPostingPool, "save", counted_save)
    assert invoke("index", "-q", "--jobs", jobs, cwd=tight).exit_code == 0
    if jobs == "1":
        assert spills  # workers spill in their own processes, out of this list's sight
    for query in ("抓落实", "人社", "就业", "舆论主导权"):
        expected = scored(roomy, query)
        assert expected, query
        assert scored(tight, query) == expected, query
