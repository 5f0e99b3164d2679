"""Writing segments in worker processes, and committing them in one table of contents.

Whoosh's writer is pure Python and costs far more than reading and segmenting, so each core runs
one in a process of its own, as Whoosh's multiprocess writer does. Each worker turns tasks into
documents with a ``prepare`` callable of the caller's (picklable: a module-level function or a
partial of one) and adds them to a segment of its own; the indexing process commits every
worker's segment, with its own deletions and records, in one table of contents, or none.
"""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from ..errors import IndexingFailed

WRITER_MB = 256  # a writer's in-memory posting pool (Whoosh's estimate); past it, runs spill to disk
# A build makes tuples and lists by the million over a heap that keeps growing, and the
# collector's passes over all of it (Python's thresholds: 34 of them, 40 ms each) were 3.6% of
# a one-process build of the bench corpus. Its garbage holds few cycles: these thresholds
# leave a build one collection of the older objects and a lower peak than none at all.
BUILD_GC_THRESHOLDS = (50_000, 20, 100)


@contextmanager
def few_collections() -> Iterator[None]:
    """The cyclic garbage collector at BUILD_GC_THRESHOLDS while the block runs."""
    before = gc.get_threshold()
    gc.set_threshold(*BUILD_GC_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*before)


def add_documents(writer, prepared):
    """Add a prepared task's ``documents`` to ``writer``; what is left of it (statistics,
    failures) is small enough to send back to the indexer."""
    from .segment_writer import text_characters

    writer.characters += text_characters(prepared.documents)
    for fields in prepared.documents:
        writer.add_document(**fields)
    prepared.documents = []
    return prepared


def _segment_writer(ix):
    """A writer for one new segment that another process will commit (as Whoosh's own
    multiprocess writer does): no lock, no commit."""
    from .segment_writer import BulkSegmentWriter

    return BulkSegmentWriter(ix, WRITER_MB, _lk=False, compound=False)


class SegmentSeries:
    """Prepared documents written into segments one after another, for another writer to
    commit: a new segment whenever the next task's documents would not fit the pool. Past it,
    the pool would move every key it holds into Whoosh's own, which spills them to disk and
    writes them a posting at a time (40% of a one-process build of the laws file)."""

    def __init__(self, ix, on_segment: Callable):
        self._ix, self._on_segment, self._writer = ix, on_segment, None

    def add(self, prepared):
        if not prepared.documents:  # a file that failed, or holds nothing to index
            return prepared
        if self._writer is not None and not self._writer.has_room_for(prepared.documents):
            self._on_segment(self._writer._finalize_segment())
            self._writer = None
        if self._writer is None:
            self._writer = _segment_writer(self._ix)
        return add_documents(self._writer, prepared)

    def finish(self) -> None:
        if self._writer is not None:
            self._on_segment(self._writer._finalize_segment())
            self._writer = None


def _segment_worker(gen: str, prepare: Callable, tasks, results) -> None:
    """A worker process: prepares tasks and writes their documents into segments of its own."""
    import queue
    import traceback

    from whoosh import index as whoosh_index

    _ignore_interrupts()
    gc.set_threshold(*BUILD_GC_THRESHOLDS)
    parent = os.getppid()
    _die_with_parent()
    if os.getppid() != parent:
        return  # the indexer died before the request took effect
    try:
        series = SegmentSeries(whoosh_index.open_dir(gen), lambda segment: results.put(("segment", segment)))
        while True:
            try:
                task = tasks.get(timeout=1)
            except queue.Empty:
                if os.getppid() != parent:
                    return  # the indexer is gone; nobody will commit this work
                continue
            if task is None:
                break
            results.put(("prepared", series.add(prepare(task))))
        series.finish()
        results.put(("done", None))
    except BaseException:
        results.put(("error", traceback.format_exc()))


def write_in_workers(gen: str, prepare: Callable, tasks, workers: int, absorb: Callable) -> list:
    """Run ``tasks`` through ``workers`` segment-writing processes, handing each prepared task
    to ``absorb``; the segments they wrote."""
    import multiprocessing
    import queue

    context = multiprocessing.get_context()
    task_queue, results = context.Queue(2 * workers), context.Queue()
    processes = [context.Process(target=_segment_worker, args=(gen, prepare, task_queue, results), daemon=True)
                 for _ in range(workers)]
    for process in processes:
        process.start()
    segments: list = []
    finished = 0

    def receive(wait: float) -> None:
        nonlocal finished
        while True:
            try:
                kind, value = results.get(timeout=wait) if wait else results.get_nowait()
            except queue.Empty:
                dead = [p.exitcode for p in processes if p.exitcode not in (None, 0)]
                if wait and dead:
                    raise IndexingFailed(f"an index worker process died (exit code {dead[0]}; out of memory? "
                                         "try --jobs 1); the index was left as it was") from None
                return
            if kind == "prepared":
                absorb(value)
            elif kind == "segment":
                segments.append(value)
            elif kind == "done":
                finished += 1
            else:
                last = value.strip().splitlines()[-1]
                raise IndexingFailed(f"an index worker failed ({last}); the index was left as it was; "
                                     "--jobs 1 shows where")

    def send(task) -> None:
        """Queue ``task``, reading results while the queue is full (a worker that failed reads
        no more tasks: its error is among the results)."""
        while True:
            try:
                task_queue.put(task, timeout=0.2)
                return
            except queue.Full:
                receive(0.05)

    try:
        for task in tasks:
            send(task)
            receive(0)
        for _ in processes:
            send(None)
        while finished < len(processes):
            receive(0.5)
    except BaseException:
        # Interrupted or failed: nobody will read the queues again, so exiting must not wait to
        # flush them (Python's exit joins each queue's feeder thread), and no worker may linger.
        task_queue.cancel_join_thread()
        results.cancel_join_thread()
        for process in processes:
            process.terminate()
        for process in processes:
            process.join(timeout=1)
            if process.is_alive():
                process.kill()
        raise
    finally:
        for process in processes:
            process.join()
    return segments


def commit(writer, segments: list) -> None:
    """Commit ``writer`` together with segments other processes wrote for it, in one TOC."""
    if not segments:
        writer.commit(mergetype=merge_small_segments)
        return
    final = writer._merge_segments(merge_small_segments, None, None) + segments
    if writer._added:
        final.append(writer._finalize_segment())
    else:
        writer._close_segment()
    writer._commit_toc(final)
    writer._finish()


# A parallel build leaves one large segment per worker; small ones are what refreshes leave behind.
SMALL_SEGMENT_DOCS = 5_000


def merge_small_segments(writer, segments: list) -> list:
    """Whoosh merge policy: once there are four small segments they are merged into one, as is
    any segment mostly deleted; full segments are left alone. (Whoosh's MERGE_SMALL would, past
    some segment count, rewrite nearly the whole index during a small refresh.)"""
    from whoosh.reading import SegmentReader

    def mostly_deleted(segment) -> bool:
        return segment.deleted_count() * 2 > segment.doc_count_all()

    small = [s for s in segments if s.doc_count_all() < SMALL_SEGMENT_DOCS]
    chosen = small if len(small) >= 4 else []
    chosen += [s for s in segments if mostly_deleted(s) and all(s is not c for c in chosen)]
    if not chosen:
        return segments
    for segment in chosen:
        reader = SegmentReader(writer.storage, writer.schema, segment)
        writer.add_reader(reader)
        reader.close()
    return [s for s in segments if all(s is not c for c in chosen)]


def _ignore_interrupts() -> None:
    """Workers leave Ctrl-C to the main process, which cancels the run once, cleanly."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)


PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    """Ask Linux to kill this worker when the indexer dies (kill -9 included): a worker left
    alone blocks on a pipe nobody reads, holding memory and a discarded generation's files."""
    import signal

    if sys.platform.startswith("linux"):
        import ctypes

        try:
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        except (OSError, AttributeError):
            pass  # the worker's own check of its parent still ends it, within a second
