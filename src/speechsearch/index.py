"""Building the index: atomic builds and incremental refreshes of a corpus.

The folder's layout (generations, CURRENT, LOCK) is in engine/store.py, the fields in
engine/schema.py, the worker processes and the commit in engine/parallel.py, and what each
file becomes in prepare.py. A refresh writes into the live
generation; Whoosh publishes a commit by renaming its table of contents, so a crash leaves the
previous commit searchable. A rebuild (or a change of segmenter or schema) writes a new
generation and then swaps CURRENT, so the old one answers searches until the new one is complete.

With more than a little to read, worker processes (one per core) each prepare files and write
their documents into Whoosh segments of their own; the indexing process commits those segments,
its deletions and the file records in one table of contents.

Each source file has one record (kind "file": its hash and statistics) committed together with
its passages, so the index itself says which version of each file it holds.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from functools import partial
from typing import TYPE_CHECKING

from .engine import parallel
from .engine.analysis import DEFAULT_SEGMENTER
from .engine.parallel import add_documents, commit, write_in_workers
from .engine.schema import make_schema
from .engine.store import META, SCHEMA_VERSION, IndexStore, write_manifest
from .errors import SpeechsearchError
from .prepare import FileStats, Prepared, Task, prepare

if TYPE_CHECKING:  # the search path imports this module; it needs none of these at run time
    from pathlib import Path

    from .corpus import Corpus, SourceFile

__all__ = ["IndexStore", "build_index", "make_schema", "SCHEMA_VERSION", "prepare", "Task"]

PARALLEL_BYTES = 2 << 20  # below this, starting worker processes costs more than it saves


@dataclass
class IndexReport:
    """What an ``index`` run did, and what the index now holds."""

    index_dir: str = ""
    rebuilt: bool = False
    indexed: list[str] = field(default_factory=list)
    unchanged: int = 0
    removed: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    files: int = 0
    speeches: int = 0
    sections: int = 0
    points: int = 0
    passages: int = 0
    annotations: int = 0
    chrome_lines: int = 0
    garbage: list[tuple[str, int, int]] = field(default_factory=list)
    encodings: dict[str, list[str]] = field(default_factory=dict)  # encoding -> documents read in it

    def to_dict(self) -> dict:
        return asdict(self)


def source_digest(source: SourceFile) -> str:
    """What decides whether a file is read again: its bytes, and what corpus.yaml says of it
    (speaker, date, tags …, format): a new speaker in corpus.yaml re-reads that file."""
    said = json.dumps([source.metadata, source.format], sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(f"{file_digest(source.path)}\n{said}".encode()).hexdigest()


def file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _tasks(changed: list[tuple[SourceFile, str | None]], report: IndexReport, chunk_chars: int = 1 << 20):
    from .ingest import FormatError
    from .ingest.formats import iter_jsonl

    for source, _ in changed:
        fmt = format_of(source)
        if fmt != "jsonl":
            size = source.path.stat().st_size if source.path.is_file() else 0
            yield Task(source.doc, str(source.path), fmt, source.metadata, size=size)
            continue
        records, size = [], 0
        try:
            for number, record, line_bytes, problem in iter_jsonl(source.path, source.doc):
                if problem:
                    report.failed.append((source.doc, problem))
                    continue
                records.append((number, record))
                size += line_bytes
                if size >= chunk_chars:
                    yield Task(source.doc, str(source.path), fmt, source.metadata, records, size)
                    records, size = [], 0
        except FormatError as exc:
            report.failed.append((source.doc, str(exc).removeprefix(f"{source.doc}: ")))
        if records:
            yield Task(source.doc, str(source.path), fmt, source.metadata, records, size)


def _text_size(source: SourceFile) -> int:
    """Bytes of text a source holds (uncompressed for .jsonl.xz), for progress and worker choice."""
    if format_of(source) == "jsonl" and source.path.name.lower().endswith(".xz"):
        import lzma

        try:
            with lzma.open(source.path) as stream:
                return sum(len(block) for block in iter(lambda: stream.read(1 << 22), b""))
        except (lzma.LZMAError, EOFError, OSError):
            pass  # damaged: reading it reports where, with every record before the damage kept
    return source.path.stat().st_size if source.path.is_file() else 0


def format_of(source: SourceFile) -> str:
    from .ingest.formats import format_of as by_suffix

    return by_suffix(source.path, source.format)


def default_workers() -> int:
    return max(1, min(os.cpu_count() or 1, 8))


Progress = Callable[[str, int, int, int, int], None]  # file, files reached, files to read, bytes done, bytes total


def build_index(corpus: Corpus, store: IndexStore, *, rebuild: bool = False,
                segmenter: str = DEFAULT_SEGMENTER, lock_timeout: float = 600,
                on_wait: Callable[[], None] | None = None, progress: Progress | None = None,
                workers: int | None = None, phase: Callable[[str], None] | None = None) -> IndexReport:
    """Bring the index in line with the corpus; only files whose content changed are read.
    ``progress`` hears of each file read, ``phase`` of the steps after reading (a commit of a
    large corpus takes a while with nothing read)."""
    say = phase or (lambda message: None)
    from whoosh import index as whoosh_index

    report = IndexReport(index_dir=str(store.path))
    sources, report.warnings = corpus.sources()
    user_words = corpus.user_words()
    dictionary = hashlib.sha256("\n".join(user_words).encode()).hexdigest()[:16] if user_words else ""
    filters = corpus.filters_fingerprint()
    lock = store.lock(lock_timeout, on_wait)
    try:
        with store.reading(), parallel.few_collections():  # a damaged segment met while refreshing: one line
            live = store.current()
            # Another segmenter or corpus dictionary segments differently, and other boilerplate
            # or chrome patterns keep other lines: start afresh.
            fresh = rebuild or live is None or not _compatible(store, segmenter, dictionary, filters)
            store._remove_stale(keep=live)  # what a killed rebuild left behind
            if fresh:
                gen = store._new_generation()
                ix = whoosh_index.create_in(str(gen), make_schema(segmenter))
            else:
                gen = live
                ix = store.open()
            report.rebuilt = fresh
            known = {} if fresh else _file_hashes(store)
            changed: list[tuple[SourceFile, str | None]] = []
            for source in sources:
                try:
                    digest = source_digest(source)
                except OSError:
                    digest = None  # reading it again names the problem
                if digest is not None and known.get(source.doc) == digest:
                    report.unchanged += 1
                else:
                    changed.append((source, digest))
            digests = dict((s.doc, d) for s, d in changed)
            total_bytes = sum(_text_size(s) for s, d in changed if d is not None)
            if workers is None:
                workers = default_workers() if total_bytes > PARALLEL_BYTES else 1
            if not fresh and not changed and not set(known) - {s.doc for s in sources}:
                _totals(store, report)  # nothing to do: no writer, no new commit
                return report
            from .engine.segment_writer import BulkSegmentWriter

            # compound=False: Whoosh reads a compound segment through BufferFile, which copies the
            # whole mmap into a BytesIO on every open (1.5 GB and 1.2 s per search on the bench corpus).
            files_before, commit_before = {p.name for p in gen.iterdir()}, ix.latest_generation()
            writer = BulkSegmentWriter(ix, parallel.WRITER_MB, compound=False)  # opens its files
            try:
                wanted = {s.doc for s in sources}
                for doc in sorted(set(known) - wanted):
                    writer.delete_by_term("file", doc)
                    report.removed.append(doc)
                stats: dict[str, list[FileStats]] = {}
                failures: dict[str, list[tuple[str, str]]] = {}
                done_bytes = 0

                def absorb(prepared: Prepared) -> None:
                    nonlocal done_bytes
                    file = prepared.file
                    if file not in stats:
                        stats[file], failures[file] = [], []
                    stats[file] += prepared.stats
                    failures[file] += prepared.failures
                    done_bytes += prepared.size
                    if progress:
                        progress(file, len(stats), len(changed), done_bytes, total_bytes)

                for source, _ in changed:
                    if source.doc in known:
                        writer.delete_by_term("file", source.doc)
                tasks = _tasks(changed, report)
                prepare_task = partial(prepare, boilerplate=tuple(corpus.boilerplate), segmenter=segmenter,
                                       user_words=user_words, chrome=corpus.all_chrome())
                segments = []
                if workers > 1:
                    segments = write_in_workers(str(gen), prepare_task, tasks, workers, absorb)
                elif total_bytes > PARALLEL_BYTES:  # what may not fit one pool: segments as a worker writes them
                    series = parallel.SegmentSeries(ix, segments.append)
                    for task in tasks:
                        absorb(series.add(prepare_task(task)))
                    series.finish()
                else:
                    for task in tasks:
                        absorb(add_documents(writer, prepare_task(task)))
                for file, file_stats in stats.items():
                    if not file_stats:  # nothing of it could be read
                        report.failed += failures[file]
                        continue
                    report.failed += [f for f in failures[file] if f[0] != file]
                    writer.add_document(id=f"file:{file}", kind="file", file=file, doc=file, sha256=digests[file],
                                        stats=[asdict(s) for s in file_stats])
                    report.indexed.append(file)
                for source, _ in changed:
                    if source.doc not in stats and not any(f[0] == source.doc for f in report.failed):
                        report.failed.append((source.doc, "no documents in the file"))
                pieces = len(segments) + (1 if writer._added or not segments else 0)
                say(f"committing {pieces} segment{'s' if pieces != 1 else ''}…")
                commit(writer, segments)
            except BaseException:
                try:
                    writer.cancel()  # may itself fail on a full disk (closing flushes)
                except Exception:
                    pass
                if fresh:
                    shutil.rmtree(gen, ignore_errors=True)
                else:
                    _remove_uncommitted(ix, gen, files_before, commit_before)
                raise
            from .discover import write_pinyin_table
            from .script import write_traditional_table

            say("writing the pinyin table of the index's words…")
            write_pinyin_table(ix, gen)
            write_traditional_table(gen)
            write_manifest(gen, ix.latest_generation())
            if fresh:
                meta = {"schema_version": SCHEMA_VERSION, "segmenter": segmenter, "dictionary": dictionary,
                        "filters": filters}
                (gen / META).write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
                store._publish(gen)
                store._remove_stale(keep=gen)
            _totals(store, report)
    finally:
        lock.release()
    return report


def _remove_uncommitted(ix, gen: Path, files_before: set[str], commit_before: int) -> None:
    """What a failed refresh wrote into the live generation (segments, Whoosh's MAIN.tmp): no
    table of contents names it unless a commit happened, so it goes, and a disk that filled up
    is as free as before the run."""
    if ix.latest_generation() != commit_before:
        return  # it committed: its files are the index now
    for path in gen.iterdir():
        if path.name not in files_before:
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)


def _compatible(store: IndexStore, segmenter: str, dictionary: str, filters: str) -> bool:
    try:
        meta = store.meta()
    except SpeechsearchError:
        return False
    return (meta.get("schema_version") == SCHEMA_VERSION and meta.get("segmenter") == segmenter
            and meta.get("dictionary", "") == dictionary and meta.get("filters") == filters)


def _file_hashes(store: IndexStore) -> dict[str, str]:
    with store.searcher() as searcher:
        return {f["file"]: f["sha256"] for f in searcher.documents(kind="file")}


def _totals(store: IndexStore, report: IndexReport) -> None:
    with store.searcher() as searcher:
        for record in searcher.documents(kind="file"):
            report.files += 1
            for stats in record["stats"]:
                report.speeches += stats["speeches"]
                report.sections += stats["sections"]
                report.points += stats["points"]
                report.passages += stats["passages"]
                report.annotations += stats["annotations"]
                report.chrome_lines += stats.get("chrome_lines", 0)
                report.garbage += [(stats["doc"], line, col) for line, col in stats["garbage"]]
                report.encodings.setdefault(stats["encoding"], []).append(stats["doc"])
    report.garbage.sort()

