"""The Whoosh index: schema, atomic builds and incremental refreshes.

Layout of the index folder (``.speechsearch/`` beside corpus.yaml by default)::

    CURRENT          name of the live generation, replaced atomically
    LOCK             held by the one ``index`` run allowed at a time
    gen-000001/      a Whoosh index plus meta.json (schema version, segmenter)

A refresh writes into the live generation through one Whoosh writer; Whoosh publishes a commit
by renaming its table of contents, so a crash leaves the previous commit searchable. A rebuild
(or a change of segmenter or schema) writes a new generation and then swaps CURRENT, so the old
one answers searches until the new one is complete.

Each source file has one record (kind "file": its hash and statistics) committed together with
its passages, so the index itself says which version of each file it holds.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .analysis import DEFAULT_SEGMENTER
from .corpus import Corpus
from .errors import IndexMissing, IndexUnusable, SpeechsearchError
from .model import Document

SCHEMA_VERSION = 1
CURRENT = "CURRENT"
LOCK = "LOCK"
META = "meta.json"


def make_schema(segmenter: str = DEFAULT_SEGMENTER):
    from whoosh.fields import ID, NUMERIC, STORED, TEXT, Schema

    from .analysis import bigram_analyzer, word_analyzer

    return Schema(
        id=ID(stored=True, unique=True),
        kind=ID(stored=True),
        doc=ID(stored=True),
        title=STORED,
        speech=STORED,
        path=STORED,
        passage_kind=ID(stored=True),
        level=NUMERIC(stored=True),
        ordinal=NUMERIC(stored=True),
        line=NUMERIC(stored=True),
        start=STORED,
        end=STORED,
        text=STORED,
        words=TEXT(analyzer=word_analyzer(segmenter), phrase=True),
        chars=TEXT(analyzer=bigram_analyzer(), phrase=True),
        sha256=STORED,
        stats=STORED,
    )


def passage_id(doc: str, line: int, start: int) -> str:
    return f"{hashlib.sha1(doc.encode()).hexdigest()[:6]}:{line}:{start}"


@dataclass
class FileStats:
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

    @classmethod
    def of(cls, document: Document) -> FileStats:
        sections = [s for sp in document.speeches for s in sp.sections]
        points = [p for s in sections for p in s.points]
        return cls(
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
    garbage: list[tuple[str, int, int]] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)


class IndexStore:
    """The index folder: which generation is live, its lock, opening it for search."""

    def __init__(self, path: Path):
        self.path = Path(path)

    def current(self) -> Path | None:
        try:
            name = (self.path / CURRENT).read_text(encoding="utf-8").strip()
        except (FileNotFoundError, NotADirectoryError):
            return None
        return self.path / name if name else None

    def exists(self) -> bool:
        return self.current() is not None

    def meta(self) -> dict:
        gen = self.current()
        if gen is None:
            raise IndexMissing(f"no index in {self.path}: run 'speechsearch index' first")
        try:
            return json.loads((gen / META).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            raise IndexUnusable(f"index in {self.path} is damaged (no readable {META}): "
                                "run 'speechsearch index --rebuild'") from None

    def open(self):
        """The live Whoosh index, or a one-line error naming what is wrong with it."""
        meta = self.meta()
        if meta.get("schema_version") != SCHEMA_VERSION:
            raise IndexUnusable(f"index in {self.path} was built by another version of speechsearch "
                                f"(schema {meta.get('schema_version')}, this is {SCHEMA_VERSION}): "
                                "run 'speechsearch index --rebuild'")
        from whoosh import index as whoosh_index

        try:
            return whoosh_index.open_dir(str(self.current()))
        except Exception as exc:  # Whoosh raises many kinds for damaged files
            raise IndexUnusable(f"index in {self.path} is corrupt ({type(exc).__name__}): "
                                "run 'speechsearch index --rebuild'") from None

    def lock(self, timeout: float, on_wait: Callable[[], None] | None = None):
        """An exclusive lock on the index folder, waiting up to ``timeout`` seconds."""
        from filelock import FileLock, Timeout

        self.path.mkdir(parents=True, exist_ok=True)
        lock = FileLock(str(self.path / LOCK))
        try:
            lock.acquire(timeout=0)
        except Timeout:
            if on_wait:
                on_wait()
            try:
                lock.acquire(timeout=timeout)
            except Timeout:
                raise IndexUnusable(f"index in {self.path} is locked by another 'speechsearch index' "
                                    f"run; gave up after {timeout:g} s") from None
        return lock

    def _new_generation(self) -> Path:
        numbers = [int(p.name[4:]) for p in self.path.glob("gen-*") if p.name[4:].isdigit()]
        gen = self.path / f"gen-{max(numbers, default=0) + 1:06d}"
        gen.mkdir(parents=True)
        return gen

    def _publish(self, gen: Path) -> None:
        tmp = self.path / f"{CURRENT}.{os.getpid()}.tmp"
        tmp.write_text(gen.name + "\n", encoding="utf-8")
        os.replace(tmp, self.path / CURRENT)

    def _remove_stale(self, keep: Path | None) -> None:
        """Generations left by a rebuild that finished or died; called with the lock held."""
        for gen in self.path.glob("gen-*"):
            if keep is None or gen.name != keep.name:
                shutil.rmtree(gen, ignore_errors=True)
        for tmp in self.path.glob(f"{CURRENT}.*.tmp"):
            tmp.unlink(missing_ok=True)


def file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _passage_fields(document: Document) -> Iterable[dict]:
    for p in document.passages:
        yield dict(
            id=passage_id(p.doc, p.line, p.start), kind="passage", doc=p.doc, title=document.title,
            speech=p.speech, path=p.path, passage_kind=p.kind, level=p.level, ordinal=p.ordinal,
            line=p.line, start=p.start, end=p.end, text=p.text, words=p.text, chars=p.text,
        )


def _file_fields(document: Document, sha256: str) -> dict:
    return dict(id=f"file:{document.path}", kind="file", doc=document.path, title=document.title,
                sha256=sha256, stats=asdict(FileStats.of(document)))


Progress = Callable[[str, int, int], None]


def build_index(corpus: Corpus, store: IndexStore, *, rebuild: bool = False,
                segmenter: str = DEFAULT_SEGMENTER, lock_timeout: float = 600,
                on_wait: Callable[[], None] | None = None, progress: Progress | None = None
                ) -> IndexReport:
    """Bring the index in line with the corpus; only changed files are read again."""
    from whoosh import index as whoosh_index

    from .ingest import ingest_file

    report = IndexReport(index_dir=str(store.path))
    sources, report.warnings = corpus.sources()
    patterns = corpus.boilerplate_patterns()
    lock = store.lock(lock_timeout, on_wait)
    try:
        live = store.current()
        fresh = rebuild or live is None or not _compatible(store, segmenter)
        if fresh:
            store._remove_stale(keep=live)
            gen = store._new_generation()
            ix = whoosh_index.create_in(str(gen), make_schema(segmenter))
        else:
            gen = live
            ix = store.open()
        report.rebuilt = fresh
        known = {} if fresh else _file_hashes(ix)
        writer = ix.writer(limitmb=256)
        try:
            wanted = {s.doc for s in sources}
            for doc in sorted(set(known) - wanted):
                writer.delete_by_term("doc", doc)
                report.removed.append(doc)
            for number, source in enumerate(sources, start=1):
                if progress:
                    progress(source.doc, number, len(sources))
                try:
                    digest = file_digest(source.path)
                except OSError:
                    digest = None  # ingest_file names the problem
                if digest is not None and known.get(source.doc) == digest:
                    report.unchanged += 1
                    continue
                try:
                    document = ingest_file(source.path, source.doc, patterns, source.metadata)
                except SpeechsearchError as exc:
                    report.failed.append((source.doc, str(exc).removeprefix(f"{source.doc}: ")))
                    continue
                if source.doc in known:
                    writer.delete_by_term("doc", source.doc)
                for fields in _passage_fields(document):
                    writer.add_document(**fields)
                writer.add_document(**_file_fields(document, digest))
                report.indexed.append(source.doc)
            writer.commit()
        except BaseException:
            writer.cancel()
            if fresh:
                shutil.rmtree(gen, ignore_errors=True)
            raise
        if fresh:
            (gen / META).write_text(json.dumps({"schema_version": SCHEMA_VERSION, "segmenter": segmenter},
                                               indent=2) + "\n", encoding="utf-8")
            store._publish(gen)
            store._remove_stale(keep=gen)
        _totals(store.open(), report)
    finally:
        lock.release()
    return report


def _compatible(store: IndexStore, segmenter: str) -> bool:
    try:
        meta = store.meta()
    except SpeechsearchError:
        return False
    return meta.get("schema_version") == SCHEMA_VERSION and meta.get("segmenter") == segmenter


def _file_hashes(ix) -> dict[str, str]:
    with ix.searcher() as searcher:
        return {f["doc"]: f["sha256"] for f in searcher.documents(kind="file")}


def _totals(ix, report: IndexReport) -> None:
    with ix.searcher() as searcher:
        for record in searcher.documents(kind="file"):
            stats = record["stats"]
            report.files += 1
            report.speeches += stats["speeches"]
            report.sections += stats["sections"]
            report.points += stats["points"]
            report.passages += stats["passages"]
            report.annotations += stats["annotations"]
            report.garbage += [(record["doc"], line, col) for line, col in stats["garbage"]]
    report.garbage.sort()


def file_records(store: IndexStore) -> list[dict]:
    ix = store.open()
    with ix.searcher() as searcher:
        return sorted((dict(r) for r in searcher.documents(kind="file")), key=lambda r: r["doc"])
