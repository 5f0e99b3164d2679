"""The index folder: which generation is live, its lock, and opening it for search.

Layout (``.speechsearch/`` beside corpus.yaml by default)::

    CURRENT          name of the live generation, replaced atomically
    LOCK             held by the one ``index`` run allowed at a time
    gen-000001/      a Whoosh index plus meta.json (schema version, segmenter), pinyin.tsv and
                     manifest-N.json (each file's size, and a checksum of the small ones, as of
                     Whoosh commit N)

Every search opens the index through this module, so it imports nothing it does not need.
"""

from __future__ import annotations

import errno
import json
import os
import zlib
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

from whoosh.index import FileIndex

from ..errors import IndexMissing, IndexUnusable
from .packing import DamagedBlock

# BM25's length normalisation. A passage is a paragraph of a speech, and a long one is not
# wordier about its term than a short one: Whoosh's default 0.75 let length decide too much.
# nDCG@10 on ../shared/relevance (15 judged / 2 held-out queries, benchmarks/bench_ranking.py):
# B 0.75 0.943 / 0.815, 0.5 0.944 / 0.875, 0.3 0.948 / 0.879, 0.1 0.952 / 0.883. Not 0: then a
# long paragraph's passing mention would weigh as much as a short one's.
BM25_B, BM25_K1 = 0.3, 1.2
# Schema 24: heads in tiers; 23: common grams (chars_joined, words_joined); 22: frequent terms keep heads
# (codec.TermHeads); 21: ids packed as the first and its gaps; 20: stored fields in blocks
# (stored.py); 19: boosts once, counts and ID gaps through zlib, 3-byte term entry lengths;
# 18: passage ids stored only; 17: terms in a sorted table (terms.py); 16: inlined entries'
# shorter head; 15: packed ID-field blocks, target not indexed; 14: packed postings and stored
# fields; 13: a manifest per commit; 12: engine/ package (the schema pickles module paths).
SCHEMA_VERSION = 24
CURRENT = "CURRENT"
LOCK = "LOCK"
META = "meta.json"
# Files a reader reads whole and Whoosh does not check (field lengths, the TOC) are small; the
# large ones (postings, stored fields) are checked block by block as they are read.
CHECKSUM_BYTES = 8 << 20
NOT_IN_MANIFEST = ("manifest-", "fingerprints-", "MAIN_WRITELOCK", "MAIN.tmp")
# Files whose every read checks what it reads (stored fields: each block's zlib stream ends with
# an Adler-32 of its records, and the directory must add up to the column): the manifest keeps
# their size only. Checksummed at every open, the stored fields of the bench corpus's two smaller
# segments (12 MB) were a tenth of a cold search.
CHECKED_BY_BLOCKS = ("_stored.col",)
# Files only some searches read whole (a field's lengths, the pinyin table of did-you-mean):
# opening the index checks their size, and whoever reads one checks its checksum then.
CHECKED_WHEN_READ = ("_len.col", "pinyin.tsv")
# A manifest is written just after its commit; a commit younger than this without one is a
# commit still being finished, not damage.
COMMIT_GRACE_S = 120


class _Index(FileIndex):
    """Whoosh's index of a generation, without the trial read of its table of contents that
    ``FileIndex.__init__`` makes: every reader and writer reads (and unpickles) it again, and a
    damaged one fails there, where the store names it in one line as well."""

    def __init__(self, storage):
        self.storage, self._schema, self.indexname = storage, None, "MAIN"


def _checked_files(gen: Path):
    for path in sorted(gen.iterdir()):
        if path.is_file() and not path.name.startswith(NOT_IN_MANIFEST) and not path.name.endswith(".tmp"):
            yield path


def _crc(path: Path) -> int:
    with path.open("rb") as stream:
        crc = 0
        for block in iter(lambda: stream.read(1 << 20), b""):
            crc = zlib.crc32(block, crc)
    return crc


def write_manifest(gen: Path, commit: int) -> None:
    """Record what commit ``commit`` of ``gen`` is made of; older records are removed."""
    files = {}
    for path in _checked_files(gen):
        size = path.stat().st_size
        checksummed = size <= CHECKSUM_BYTES and not path.name.endswith(CHECKED_BY_BLOCKS)
        files[path.name] = [size, _crc(path) if checksummed else None]
    target = gen / f"manifest-{commit}.json"
    tmp = gen / f"manifest-{commit}.{os.getpid()}.tmp"
    try:
        tmp.write_text(json.dumps({"commit": commit, "files": files}), encoding="utf-8")
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    for old in gen.glob("manifest-*.json"):
        if old.name != target.name:
            old.unlink(missing_ok=True)


def latest_commit(gen: Path) -> int:
    """The newest commit of ``gen`` with a manifest (-1 for none)."""
    numbers = [int(m.stem[9:]) for m in gen.glob("manifest-*.json") if m.stem[9:].isdigit()]
    return max(numbers, default=-1)


def manifest_problem(gen: Path, commit: int, deferred: dict[str, int] | None = None) -> str | None:
    """What does not match commit ``commit``'s manifest (a file missing, cut, changed), or None.
    With ``deferred``, the checksums of the files CHECKED_WHEN_READ go there, not computed."""
    import time

    try:
        record = json.loads((gen / f"manifest-{commit}.json").read_text(encoding="utf-8"))
        files = record["files"]
    except FileNotFoundError:
        if latest_commit(gen) > commit:
            return None  # a commit finished while this reader opened the one before it
        toc = gen / f"_MAIN_{commit}.toc"
        try:
            young = time.time() - toc.stat().st_mtime < COMMIT_GRACE_S
        except OSError:
            young = False
        return None if young else "no manifest of its files"
    except (OSError, ValueError, KeyError, TypeError):
        return "its manifest is damaged"
    for name, (size, crc) in files.items():
        path = gen / name
        try:
            actual = path.stat().st_size
        except OSError:
            return f"{name} is missing"
        if actual != size:
            return f"{name} has {actual} bytes, not {size}"
        if crc is None:
            continue
        if deferred is not None and name.endswith(CHECKED_WHEN_READ):
            deferred[name] = crc
        elif _crc(path) != crc:
            return f"{name} was changed"
    return None


class IndexStore:
    """The index folder: which generation is live, its lock, opening it for search."""

    def __init__(self, path: Path, keep_open: bool = False):
        """With ``keep_open`` (a server), ``searcher()`` hands out one searcher, refreshed when
        ``index`` commits and replaced when a rebuild swaps the generation."""
        self.path = Path(path)
        self.keep_open = keep_open
        self._held: tuple[Path, object] | None = None  # (generation, its searcher)
        self._deferred: dict[str, int] = {}  # checksums of the files CHECKED_WHEN_READ

    def current(self) -> Path | None:
        try:
            name = (self.path / CURRENT).read_text(encoding="utf-8").strip()
        except (FileNotFoundError, NotADirectoryError):
            return None
        return self.path / name if name else None

    def exists(self) -> bool:
        return self.current() is not None

    def meta(self, gen: Path | None = None) -> dict:
        gen = gen or self.current()
        if gen is None:
            raise IndexMissing(f"no index in {self.path}: run 'speechsearch index' first")
        try:
            return json.loads((gen / META).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            raise IndexUnusable(f"index in {self.path} is damaged (no readable {META}): "
                                "run 'speechsearch index --rebuild'") from None

    def open(self):
        """The live Whoosh index, or a one-line error naming what is wrong with it."""
        gen = self.current()  # read once: a rebuild may swap CURRENT while we open
        meta = self.meta(gen)
        if meta.get("schema_version") != SCHEMA_VERSION:
            raise IndexUnusable(f"index in {self.path} was built by another version of speechsearch "
                                f"(schema {meta.get('schema_version')}, this is {SCHEMA_VERSION}): "
                                "run 'speechsearch index --rebuild'")
        from .mapped import MappedStorage

        ix = _Index(MappedStorage(str(gen), self._deferred))
        try:
            commit = ix.latest_generation()
        except Exception as exc:  # Whoosh raises many kinds for damaged files
            raise self._corrupt(exc) from None
        problem = manifest_problem(gen, commit, self._deferred)
        if problem:
            raise IndexUnusable(f"index in {self.path} is corrupt ({problem}): run 'speechsearch index --rebuild'")
        return ix

    @contextmanager
    def searcher(self):
        """A searcher on the live index. Whoosh opens a segment's files only here, not in
        ``open``, so a damaged segment is found here and named in one line like the rest."""
        if self.keep_open:
            searcher = self._live_searcher()
            with self.reading():
                yield searcher
            return
        searcher = self._new_searcher(self.open())
        with searcher, self.reading():
            yield searcher

    def _new_searcher(self, ix):
        from whoosh.scoring import BM25F

        try:
            return _reading_stored_fields_directly(ix.searcher(weighting=BM25F(B=BM25_B, K1=BM25_K1)))
        except Exception as exc:
            raise self._corrupt(exc) from None

    def _live_searcher(self):
        gen = self.current()
        if self._held is not None and self._held[0] == gen:
            searcher = self._held[1]
            try:
                if searcher.up_to_date():
                    return searcher
                # A new commit: Whoosh reopens only the segments that changed and closes the
                # rest of the old searcher itself.
                fresh = _reading_stored_fields_directly(searcher.refresh())
            except Exception as exc:
                raise self._corrupt(exc) from None
            problem = manifest_problem(gen, fresh.reader().generation(), self._deferred)
            if problem:
                fresh.close()
                self._held = None
                raise IndexUnusable(f"index in {self.path} is corrupt ({problem}): "
                                    "run 'speechsearch index --rebuild'")
        else:
            fresh = self._new_searcher(self.open())
            self.close()
        self._held = (gen, fresh)
        return fresh

    def close(self) -> None:
        """Close the searcher a ``keep_open`` store holds."""
        if self._held is not None:
            self._held[1].close()
            self._held = None

    @contextmanager
    def reading(self):
        """Whoosh reads postings and lengths only when they are used (by a query, or by a refresh
        that deletes and merges): damage found then is named in one line too."""
        try:
            yield
        except Exception as exc:
            if _raised_reading_index_files(exc):
                raise self._corrupt(exc) from None
            raise

    def read_checked(self, name: str) -> bytes:
        """A file of the live generation, whole, once it matches its manifest's checksum (or
        the newest manifest's: a commit may have rewritten it since this store opened)."""
        gen = self.current()
        data = (gen / name).read_bytes()
        crc = self._deferred.get(name)
        if crc is not None and zlib.crc32(data) != crc:
            latest = {}
            if manifest_problem(gen, latest_commit(gen), latest) is not None or latest.get(name) != zlib.crc32(data):
                raise IndexUnusable(f"index in {self.path} is corrupt ({name} was changed): "
                                    "run 'speechsearch index --rebuild'")
        return data

    def _corrupt(self, exc: Exception) -> IndexUnusable:
        what = str(exc) if isinstance(exc, DamagedBlock) else type(exc).__name__
        return IndexUnusable(f"index in {self.path} is corrupt ({what}): run 'speechsearch index --rebuild'")

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
        import shutil  # not at the top: a search never removes anything

        for gen in self.path.glob("gen-*"):
            if keep is None or gen.name != keep.name:
                shutil.rmtree(gen, ignore_errors=True)
        for tmp in self.path.glob(f"{CURRENT}.*.tmp"):
            tmp.unlink(missing_ok=True)


# Where Whoosh decodes index files. A damaged file raises whatever its decoder meets (a bare
# Exception for a bad block tag, pickle, zlib and struct errors...), so the place says more than
# the type. Errors of the disk or of memory say what they are and pass through.
_INDEX_FILE_CODE = ("whoosh/codec/", "whoosh/filedb/", "whoosh/columns.py", "speechsearch/engine/codec.py",
                    "speechsearch/engine/stored.py", "speechsearch/engine/terms.py", "speechsearch/engine/packing.py",
                    "speechsearch/engine/mapped.py")


def _reading_stored_fields_directly(searcher):
    """``searcher``, its segments reading stored fields straight from their column. Whoosh's
    segment reader filters every field read against the schema, for fields a schema has lost;
    the schema version is checked at open, so there are none, and the filter took 27 of a read's
    40 µs (a page of ten grades some sixty hits)."""
    from .codec import SpeechPerDocReader

    for reader, _ in searcher.reader().leaf_readers():
        if isinstance(getattr(reader, "_perdoc", None), SpeechPerDocReader):
            reader.stored_fields = reader._perdoc.stored_fields
    return searcher


def _raised_reading_index_files(exc: Exception) -> bool:
    if isinstance(exc, DamagedBlock):
        return True
    if isinstance(exc, MemoryError):
        return False
    if isinstance(exc, OSError) and exc.errno != errno.EINVAL:
        return False  # a full disk, a permission: the disk's errors say what they are
    # EINVAL from Whoosh's files is an emptied or cut file (mmap of zero bytes, a seek past the end)
    tb = exc.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    where = tb.tb_frame.f_code.co_filename.replace(os.sep, "/") if tb else ""
    return any(part in where for part in _INDEX_FILE_CODE)
