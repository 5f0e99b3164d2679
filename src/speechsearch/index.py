"""The Whoosh index: schema, atomic builds and incremental refreshes.

The folder's layout (generations, CURRENT, LOCK) is in store.py. A refresh writes into the live
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
import re
import shutil
import sys
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from .analysis import DEFAULT_SEGMENTER
from .corpus import DEFAULT_CHROME
from .errors import IndexingFailed, SpeechsearchError
from .store import META, SCHEMA_VERSION, IndexStore

if TYPE_CHECKING:  # the search path imports this module; it needs none of these at run time
    from .corpus import Corpus, SourceFile
    from .model import Document

__all__ = ["IndexStore", "build_index", "make_schema", "SCHEMA_VERSION"]

HEADING_BOOST = 2.0  # a heading that says the query outranks a paragraph that mentions it
WRITER_MB = 256  # a writer's in-memory posting pool (Whoosh's estimate); past it, runs spill to disk
PARALLEL_BYTES = 2 << 20  # below this, starting worker processes costs more than it saves


def make_schema(segmenter: str = DEFAULT_SEGMENTER):
    from whoosh.analysis import KeywordAnalyzer, SpaceSeparatedTokenizer
    from whoosh.fields import ID, STORED, TEXT, Schema

    from .analysis import PassagePositions, bigram_analyzer, word_analyzer

    def positional(analyzer):
        field = TEXT(analyzer=analyzer, phrase=True)
        field.format = PassagePositions(field_boost=field.format.field_boost)
        return field

    # Every indexed field costs postings on each of the corpus's passages, and Whoosh's writer
    # spends its time per posting: only what a query or a filter looks up is indexed. (Numeric
    # fields index eight terms per value; level, line and ordinal are only displayed, and context
    # passages are found by document number.)
    return Schema(
        id=ID(stored=True, unique=True),
        kind=ID(stored=True),
        file=ID(stored=True),
        doc=ID(stored=True),
        speaker=ID(stored=True),
        date=ID(stored=True),
        tags=ID(stored=True, analyzer=KeywordAnalyzer(lowercase=True, commas=True)),
        place=STORED,
        source=STORED,
        title=STORED,
        speech=STORED,
        path=STORED,
        passage_kind=STORED,
        speech_id=ID(stored=True),
        heading_ids=ID(analyzer=SpaceSeparatedTokenizer()),
        unit=ID(stored=True),
        # One record per speech and per heading carries their text: --speech and --section find
        # the records, then filter passages by id. The same text on every passage doubled the
        # postings of the law corpus.
        target=ID(stored=True),
        speech_chars=positional(bigram_analyzer()),
        crumb_chars=positional(bigram_analyzer()),
        level=STORED,
        ordinal=STORED,
        line=STORED,
        start=STORED,
        end=STORED,
        text=STORED,
        words=positional(word_analyzer(segmenter)),
        chars=positional(bigram_analyzer()),
        sha256=STORED,
        stats=STORED,
    )


def passage_id(doc: str, line: int, start: int) -> str:
    return f"{hashlib.sha1(doc.encode()).hexdigest()[:6]}:{line}:{start}"


@dataclass
class FileStats:
    doc: str
    title: str
    encoding: str
    speeches: int
    sections: int
    points: int
    subpoints: int
    passages: int
    annotations: int
    boilerplate_lines: list[int]
    garbage: list[tuple[int, int]]
    chrome_lines: int = 0

    @classmethod
    def of(cls, document: Document) -> FileStats:
        sections = [s for sp in document.speeches for s in sp.sections]
        points, below = [], [p for s in sections for p in s.points]
        while below:  # every node under a section, however deep
            points += below
            below = [p for node in below for p in node.points]
        return cls(
            doc=document.path,
            title=document.title,
            encoding=document.encoding,
            speeches=len(document.speeches),
            sections=len(sections),
            points=len(points),
            subpoints=sum(len(n.subpoints) for n in sections + points),
            passages=len(document.passages),
            annotations=document.annotations_stripped,
            boilerplate_lines=list(document.boilerplate_lines),
            garbage=[(g.line, g.column) for g in document.garbage],
            chrome_lines=len(document.chrome_lines),
        )


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


@dataclass
class Task:
    """A unit of ingest work for one process: a whole file, or a chunk of a JSONL file's records."""

    file: str
    path: str
    fmt: str
    metadata: dict
    records: list[tuple[int, dict]] | None = None
    size: int = 0


@dataclass
class Prepared:
    """One task made ready for Whoosh: its documents (passages, then speech and heading
    records), the statistics of each source document, and what could not be read."""

    file: str
    documents: list[dict] = field(default_factory=list)
    stats: list[FileStats] = field(default_factory=list)
    failures: list[tuple[str, str]] = field(default_factory=list)
    size: int = 0


@lru_cache(maxsize=8)
def _patterns(boilerplate: tuple[str, ...]):
    return [re.compile(p) for p in boilerplate]


def prepare(task: Task, boilerplate: tuple[str, ...], segmenter: str, user_words: tuple[str, ...] = (),
            chrome: tuple[str, ...] = tuple(DEFAULT_CHROME)) -> Prepared:
    """Decode, repair and outline: everything before the Whoosh writer."""
    from .analysis import Analyzed, get_segmenter
    from .ingest import ingest_file, ingest_record

    patterns, chrome_patterns = _patterns(boilerplate), _patterns(chrome)
    out = Prepared(task.file, size=task.size)
    documents: list[Document] = []
    if task.records is None:
        try:
            documents.append(ingest_file(Path(task.path), task.file, patterns, task.metadata, task.fmt,
                                         chrome_patterns))
        except SpeechsearchError as exc:
            out.failures.append((task.file, str(exc).removeprefix(f"{task.file}: ")))
        except Exception as exc:  # a bug met on this text: see _unexpected
            out.failures.append((task.file, _unexpected(exc)))
    else:
        for number, record in task.records:
            doc = f"{task.file}#{record.get('id') or number}"
            try:
                documents.append(ingest_record(record, doc, patterns, task.metadata, chrome_patterns))
            except SpeechsearchError as exc:
                out.failures.append((doc, str(exc)))
            except Exception as exc:  # a bug met on this text: see _unexpected
                out.failures.append((doc, _unexpected(exc)))
    private = get_segmenter(segmenter, user_words) if user_words else None
    for document in documents:
        out.stats.append(FileStats.of(document))
        for fields in _passage_fields(document, task.file):
            words = Analyzed(fields["text"])
            words.segmenter = private
            fields["words"], fields["chars"] = words, fields["text"]
            out.documents.append(fields)
        out.documents += _record_fields(document, task.file)
    return out


def _unexpected(exc: Exception) -> str:
    """The reason given for a document whose reading raised what no reader expects (a bug met
    on its text): it fails alone, with the error named, and the run goes on."""
    return f"could not be read ({type(exc).__name__}: {exc}); please report this file"


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


@dataclass(frozen=True)
class WorkerSettings:
    gen: str
    boilerplate: tuple[str, ...]
    segmenter: str
    user_words: tuple[str, ...]
    chrome: tuple[str, ...] = tuple(DEFAULT_CHROME)


def _add_documents(writer, prepared: Prepared) -> Prepared:
    """Add a task's documents to ``writer``; what is left (statistics, failures) is small."""
    for fields in prepared.documents:
        writer.add_document(**fields)
    prepared.documents = []
    return prepared


def _segment_writer(ix):
    """A writer for one new segment that another process will commit (as Whoosh's own
    multiprocess writer does): no lock, no commit."""
    from .segment_writer import BulkSegmentWriter

    return BulkSegmentWriter(ix, WRITER_MB, _lk=False, compound=False)


def _segment_worker(settings: WorkerSettings, tasks, results) -> None:
    """A worker process: prepares tasks and writes their documents into a segment of its own.

    Whoosh's writer is pure Python and costs far more than reading and segmenting, so each core
    runs one. The parent commits every worker's segment in one table of contents, or none.
    """
    import queue
    import traceback

    from whoosh import index as whoosh_index

    _ignore_interrupts()
    parent = os.getppid()
    _die_with_parent()
    if os.getppid() != parent:
        return  # the indexer died before the request took effect
    try:
        ix = whoosh_index.open_dir(settings.gen)
        writer = None
        while True:
            try:
                task = tasks.get(timeout=1)
            except queue.Empty:
                if os.getppid() != parent:
                    return  # the indexer is gone; nobody will commit this work
                continue
            if task is None:
                break
            prepared = prepare(task, settings.boilerplate, settings.segmenter, settings.user_words, settings.chrome)
            if writer is not None and not writer.has_room_for(prepared.documents):
                # A new segment rather than a pool that moves its keys to disk.
                results.put(("segment", writer._finalize_segment()))
                writer = None
            if prepared.documents and writer is None:
                writer = _segment_writer(ix)
            results.put(("prepared", _add_documents(writer, prepared)))
        if writer is not None:
            results.put(("segment", writer._finalize_segment()))
        results.put(("done", None))
    except BaseException:
        results.put(("error", traceback.format_exc()))


def _write_in_workers(settings: WorkerSettings, tasks, workers: int, absorb: Callable[[Prepared], None]) -> list:
    """Run ``tasks`` through ``workers`` segment-writing processes; the segments they wrote."""
    import multiprocessing
    import queue

    context = multiprocessing.get_context()
    task_queue, results = context.Queue(2 * workers), context.Queue()
    processes = [context.Process(target=_segment_worker, args=(settings, task_queue, results), daemon=True)
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

    try:
        for task in tasks:
            while True:
                try:
                    task_queue.put(task, timeout=0.2)
                    break
                except queue.Full:
                    receive(0.05)
            receive(0)
        for _ in processes:
            task_queue.put(None)
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


def _commit(writer, segments: list) -> None:
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


def _passage_fields(document: Document, file: str) -> Iterable[dict]:
    meta = document.metadata
    common = dict(kind="passage", file=file, doc=document.path, title=document.title,
                  speaker=meta.get("speaker"), date=meta.get("date"),
                  tags=",".join(meta.get("tags", [])) or None, place=meta.get("place"), source=meta.get("source"))
    common = {k: v for k, v in common.items() if v is not None}
    for p in document.passages:
        fields = dict(common, id=passage_id(p.doc, p.line, p.start), speech=p.speech,
                      speech_id=speech_id(p.doc, p.speech), path=p.path,
                      heading_ids=" ".join(heading_id(p.doc, p.speech, h) for h in p.path) or None,
                      passage_kind=p.kind, unit=unit_of(p), level=p.level, ordinal=p.ordinal, line=p.line,
                      start=p.start, end=p.end, text=p.text)
        if fields["heading_ids"] is None:
            del fields["heading_ids"]
        if p.kind in ("title", "heading"):
            fields["_boost"] = HEADING_BOOST
        yield fields


def speech_id(doc: str, speech: str) -> str:
    return f"{doc}\x1f{speech}"


def heading_id(doc: str, speech: str, heading: str) -> str:
    return hashlib.sha1(f"{doc}\x1f{speech}\x1f{heading}".encode()).hexdigest()[:16]


def _record_fields(document: Document, file: str) -> list[dict]:
    """A record per speech (its title) and per heading on any breadcrumb (its text)."""
    records: dict[str, dict] = {}
    for p in document.passages:
        sid = speech_id(p.doc, p.speech)
        records.setdefault(f"speech:{sid}", dict(id=f"speech:{sid}", kind="speech", file=file, doc=p.doc,
                                                 target=sid, speech_chars=p.speech))
        for heading in p.path:
            hid = heading_id(p.doc, p.speech, heading)
            records.setdefault(f"heading:{hid}", dict(id=f"heading:{hid}", kind="heading", file=file,
                                                      doc=p.doc, target=hid, crumb_chars=heading))
    return list(records.values())


def unit_of(passage) -> str:
    """The outline unit a passage belongs to, for --level: speech, section, point or subpoint."""
    if passage.kind == "subpoint":
        return "subpoint"
    return ("speech", "section")[len(passage.path)] if len(passage.path) < 2 else "point"


def default_workers() -> int:
    return max(1, min(os.cpu_count() or 1, 8))


Progress = Callable[[str, int, int, int, int], None]  # file, files reached, files to read, bytes done, bytes total


def build_index(corpus: Corpus, store: IndexStore, *, rebuild: bool = False,
                segmenter: str = DEFAULT_SEGMENTER, lock_timeout: float = 600,
                on_wait: Callable[[], None] | None = None, progress: Progress | None = None,
                workers: int | None = None) -> IndexReport:
    """Bring the index in line with the corpus; only files whose content changed are read."""
    from whoosh import index as whoosh_index

    report = IndexReport(index_dir=str(store.path))
    sources, report.warnings = corpus.sources()
    user_words = corpus.user_words()
    dictionary = hashlib.sha256("\n".join(user_words).encode()).hexdigest()[:16] if user_words else ""
    filters = corpus.filters_fingerprint()
    lock = store.lock(lock_timeout, on_wait)
    try:
        with store.reading():  # a damaged segment met while refreshing: one line
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
            from .segment_writer import BulkSegmentWriter

            # compound=False: Whoosh reads a compound segment through BufferFile, which copies the
            # whole mmap into a BytesIO on every open (1.5 GB and 1.2 s per search on the bench corpus).
            writer = BulkSegmentWriter(ix, WRITER_MB, compound=False)
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
                settings = WorkerSettings(str(gen), tuple(corpus.boilerplate), segmenter, user_words,
                                          corpus.all_chrome())
                segments = []
                if workers > 1:
                    segments = _write_in_workers(settings, tasks, workers, absorb)
                else:
                    for task in tasks:
                        absorb(_add_documents(writer, prepare(task, settings.boilerplate, segmenter, user_words,
                                                              settings.chrome)))
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
                _commit(writer, segments)
            except BaseException:
                writer.cancel()
                if fresh:
                    shutil.rmtree(gen, ignore_errors=True)
                raise
            from .discover import write_pinyin_table

            write_pinyin_table(ix, gen)
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
    report.garbage.sort()

