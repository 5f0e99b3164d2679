"""Worker processes write their own Whoosh segments; the index they make answers as one writer's."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from speechsearch.engine.store import IndexStore
from tests.conftest import SEED, interruptible, signal_under_way, write_corpus
from tests.conftest import run_process as cli

QUERIES = ["抓落实", "人社", "舆论主导权", "就业"]


def hits(folder, query, *extra):
    result = cli(folder, "search", query, "--format", "jsonl", "--limit", "100000", "--no-collapse", *extra)
    assert result.returncode in (0, 1), result.stderr  # 1: nothing found
    found = [json.loads(line) for line in result.stdout.splitlines()]
    assert bool(found) == (result.returncode == 0)
    return found


def scored(folder, query):
    return {(h["doc"], h["line"], h["start"]): round(h["score"], 3) for h in hits(folder, query)}


def segment_count(folder) -> int:
    with IndexStore(folder / ".speechsearch").open().reader() as reader:
        return len(reader.leaf_readers())


def make_corpus(folder, copies=8):
    """Copies of the seed, each with a line of its own so that every file differs."""
    docs = []
    for number in range(copies):
        name = f"s{number:02d}.txt"
        (folder / name).write_text(SEED.read_text(encoding="utf-8") + f"\n第{number}号附记：编号{number:04d}。\n",
                                   encoding="utf-8")
        docs.append(name)
    write_corpus(folder, docs)
    return docs


@pytest.fixture(scope="module")
def two_builds(tmp_path_factory):
    """The same corpus indexed by one process and by two workers."""
    serial, parallel = tmp_path_factory.mktemp("serial"), tmp_path_factory.mktemp("parallel")
    for folder, jobs in ((serial, "1"), (parallel, "2")):
        make_corpus(folder)
        result = cli(folder, "index", "-q", "--jobs", jobs, "--format", "json")
        assert result.returncode == 0, result.stderr
        assert json.loads(result.stdout)["passages"] > 0
    return serial, parallel


def test_workers_find_and_score_what_one_process_does(two_builds):
    serial, parallel = two_builds
    assert segment_count(parallel) >= 2  # each worker wrote its own segment
    assert segment_count(serial) == 1
    for query in QUERIES:
        expected = scored(serial, query)
        assert expected, query
        assert scored(parallel, query) == expected, query  # same passages, same BM25 statistics


def test_context_and_filters_on_a_parallel_index(two_builds):
    serial, parallel = two_builds

    def shape(folder):
        return [(h["doc"], h["line"], [b["line"] for b in h["before"]], [a["line"] for a in h["after"]])
                for h in hits(folder, "抓落实", "-C", "2", "--doc", "s03.txt")]

    expected = shape(serial)
    assert expected and all(len(before) == 2 for _, _, before, _ in expected[1:])
    assert sorted(shape(parallel)) == sorted(expected)
    assert {h["doc"] for h in hits(parallel, "抓落实", "--doc", "s03.txt")} == {"s03.txt"}


def test_refreshes_after_a_parallel_build(tmp_path):
    docs = make_corpus(tmp_path)
    assert cli(tmp_path, "index", "-q", "--jobs", "2").returncode == 0
    segments = segment_count(tmp_path)
    (tmp_path / docs[0]).write_text("关于抓落实的补充说明。\n", encoding="utf-8")  # changed
    assert cli(tmp_path, "index", "-q").returncode == 0
    found = [h for h in hits(tmp_path, "抓落实") if h["doc"] == docs[0]]
    assert [h["text"] for h in found] == ["关于抓落实的补充说明。"]
    assert len(hits(tmp_path, "编号0000")) == 0 and len(hits(tmp_path, "编号0001")) == 1
    for number in range(6):  # small refreshes each add a segment; they are merged, not piled up
        (tmp_path / f"new{number}.txt").write_text(f"新增材料{number}：抓落实。\n", encoding="utf-8")
        write_corpus(tmp_path, docs + [f"new{n}.txt" for n in range(number + 1)])
        assert cli(tmp_path, "index", "-q").returncode == 0
    assert segment_count(tmp_path) <= segments + 4
    assert len([h for h in hits(tmp_path, "抓落实") if h["doc"].startswith("new")]) == 6


def test_killed_parallel_rebuild_keeps_the_previous_index(tmp_path):
    make_corpus(tmp_path, copies=12)
    assert cli(tmp_path, "index", "-q").returncode == 0
    before = scored(tmp_path, "抓落实")
    live = (tmp_path / ".speechsearch" / "CURRENT").read_text()
    for sig, tenths in ((signal.SIGKILL, 2), (signal.SIGINT, 6)):
        stderr = signal_under_way(tmp_path, ["index", "--rebuild", "--jobs", "2"], sig, tenths)
        assert "Traceback" not in stderr
        assert (tmp_path / ".speechsearch" / "CURRENT").read_text() == live  # stopped before publishing
        assert scored(tmp_path, "抓落实") == before
    started = time.monotonic()
    result = cli(tmp_path, "index", "--rebuild", "-q", "--jobs", "2", "--wait", "30")
    assert result.returncode == 0, result.stderr
    assert time.monotonic() - started < 30  # no orphaned worker kept the lock
    assert scored(tmp_path, "抓落实") == before
    assert len(list((tmp_path / ".speechsearch").glob("gen-*"))) == 1


@pytest.mark.parametrize("bad_first", [False, True])  # first: a worker's first task has no documents
def test_a_bad_file_among_workers_costs_only_itself(tmp_path, bad_first):
    docs = make_corpus(tmp_path, copies=4)
    (tmp_path / "broken.docx").write_bytes(b"PK\x03\x04 not really a zip")
    bad = ["broken.docx", "missing.txt"]
    write_corpus(tmp_path, bad + docs if bad_first else docs + bad)
    result = cli(tmp_path, "index", "-q", "--jobs", "2", "--format", "json")
    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert sorted(doc for doc, _ in report["failed"]) == ["broken.docx", "missing.txt"]
    assert sorted(report["indexed"]) == sorted(docs)
    assert {h["doc"] for h in hits(tmp_path, "抓落实")} == set(docs)



def test_a_dead_worker_fails_the_run_in_one_line(tmp_path):
    make_corpus(tmp_path, copies=30)  # a build fast enough could be done before the kill
    assert cli(tmp_path, "index", "-q").returncode == 0
    before = scored(tmp_path, "抓落实")
    process = subprocess.Popen([sys.executable, "-m", "speechsearch", "index", "--rebuild", "-q", "--jobs", "2"],
                               cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    children = Path(f"/proc/{process.pid}/task/{process.pid}/children")
    deadline = time.monotonic() + 20
    workers = []
    while not workers and time.monotonic() < deadline:
        time.sleep(0.2)
        workers = children.read_text().split() if children.exists() else []
    assert workers, "the run started no worker processes"
    time.sleep(0.1)
    os.kill(int(workers[0]), signal.SIGKILL)  # as the out-of-memory killer would
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 4
    assert stderr.strip().splitlines() == [stderr.strip()]  # one line, no traceback
    assert "worker process died" in stderr
    assert scored(tmp_path, "抓落实") == before


def test_refreshes_merge_small_segments_and_leave_full_ones(tmp_path, monkeypatch):
    from speechsearch import index
    from speechsearch.corpus import load_corpus
    from speechsearch.engine import parallel

    monkeypatch.setattr(parallel, "SMALL_SEGMENT_DOCS", 50)  # the seed's copies make segments of ~300
    docs = make_corpus(tmp_path, copies=4)
    store = IndexStore(tmp_path / ".speechsearch")
    index.build_index(load_corpus(tmp_path / "corpus.yaml"), store, workers=2)

    def segments():
        with store.open().reader() as reader:
            return {r.segment().segment_id(): r.doc_count_all() for r, _ in reader.leaf_readers()}

    full = {name for name, count in segments().items() if count >= 50}
    assert len(full) >= 2
    for number in range(5):
        (tmp_path / f"new{number}.txt").write_text(f"新增材料{number}：抓落实。\n", encoding="utf-8")
        write_corpus(tmp_path, docs + [f"new{n}.txt" for n in range(number + 1)])
        index.build_index(load_corpus(tmp_path / "corpus.yaml"), store, workers=1)
        assert full <= set(segments())  # never rewritten by a refresh
    assert len([c for c in segments().values() if c < 50]) < 4


def children(pid: int) -> set[int]:
    """The processes whose parent is ``pid`` (Linux /proc)."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.add(int(stat.parent.name))
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM, signal.SIGINT])
def test_workers_end_with_their_indexer(tmp_path, sig):
    """kill -9, SIGTERM or Ctrl-C of a multi-process index: within 2 s no process of it is left,
    Ctrl-C exits 130 in one line, and the last good index still answers."""
    # Thousands of small records: each task's result (their statistics) outgrows a pipe's buffer,
    # so a worker whose indexer died is left flushing it into a pipe nobody reads.
    texts = (f"讲话{i}\n一、抓落实\n第{i}段正文，狠抓落实编号{i:05d}。" + "工作" * 60 for i in range(12000))
    records = [json.dumps({"id": f"r{i}", "text": text}, ensure_ascii=False) for i, text in enumerate(texts)]
    (tmp_path / "many.jsonl").write_text("\n".join(records) + "\n", encoding="utf-8")
    write_corpus(tmp_path, ["many.jsonl"])
    assert cli(tmp_path, "index", "-q", "--jobs", "1").returncode == 0
    before = scored(tmp_path, "编号00042")
    process = subprocess.Popen([sys.executable, "-m", "speechsearch", "index", "--rebuild", "--jobs", "2"],
                               cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                               preexec_fn=interruptible)
    for line in process.stderr:
        if line.startswith("indexing:"):
            break
    workers = children(process.pid)
    assert len(workers) >= 2, "the run ended before it could be signalled"
    process.send_signal(sig)
    started = time.monotonic()
    try:
        rest = process.communicate(timeout=15)[1]
    except subprocess.TimeoutExpired:  # a worker still holds the indexer's stderr open
        for worker in workers:
            os.kill(worker, signal.SIGKILL)
        pytest.fail("a worker outlived its indexer (it kept the indexer's stderr open)")
    if sig == signal.SIGINT:
        assert process.returncode == 130 and "Traceback" not in rest
        assert time.monotonic() - started < 2
    while any(map(alive, workers)) and time.monotonic() - started < 2:
        time.sleep(0.05)
    assert not any(map(alive, workers)), f"workers outlived the indexer: {[w for w in workers if alive(w)]}"
    assert scored(tmp_path, "编号00042") == before


def test_a_build_collects_garbage_seldom_and_leaves_the_callers_collector_as_it_was(tmp_path):
    import gc

    from speechsearch import index
    from speechsearch.corpus import load_corpus
    from speechsearch.engine import parallel

    make_corpus(tmp_path, copies=2)
    store = IndexStore(tmp_path / ".speechsearch")
    before = gc.get_threshold()
    during = []
    index.build_index(load_corpus(tmp_path / "corpus.yaml"), store, workers=1,
                      progress=lambda *progress: during.append(gc.get_threshold()))
    assert len(during) == 2 and set(during) == {parallel.BUILD_GC_THRESHOLDS}
    assert gc.get_threshold() == before != parallel.BUILD_GC_THRESHOLDS
