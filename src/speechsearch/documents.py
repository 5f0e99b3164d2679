"""A document of the corpus by name: as corpus.yaml spells it, or as a path from here.

``show`` and the web page read a document again from its source (the index keeps passages, not
the lines between them); ``--doc`` and ``keywords DOC`` take either spelling too.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from .errors import SpeechsearchError

if TYPE_CHECKING:
    from .corpus import Corpus, SourceFile
    from .model import Document


def find_source(corpus: Corpus, doc: str, any_file: bool = True) -> SourceFile:
    """The corpus entry ``doc`` names; with ``any_file``, a file outside the corpus too."""
    from .corpus import SourceFile

    sources, _ = corpus.sources()
    source = _listed(sources, doc)
    if source is not None:
        return source
    path = Path(doc)
    if any_file and path.is_file():
        return SourceFile(doc, path)
    names = ", ".join(s.doc for s in sources[:5])
    raise SpeechsearchError(f"{doc}: not in the corpus{' and not a file' if any_file else ''} (corpus has: {names})")


def _listed(sources: list[SourceFile], doc: str) -> SourceFile | None:
    for source in sources:
        if doc in (source.doc, str(source.path)):
            return source
    try:
        wanted = Path(doc).resolve()
    except (OSError, ValueError):  # a name no file system takes (NUL)
        return None
    return next((s for s in sources if s.path.resolve() == wanted), None)


def corpus_name(corpus: Corpus, doc: str) -> str:
    """``doc`` as the index knows it: corpus.yaml's spelling of a path given from the working
    directory (``#id`` of a JSONL record kept). A name the corpus does not list is kept as typed,
    so a filter on it finds nothing, as a filter should."""
    file, hash_, record = doc.partition("#")
    try:
        source = _listed(corpus.sources()[0], file)
    except SpeechsearchError:
        return doc
    return f"{source.doc}{hash_}{record}" if source is not None else doc


def read_document(corpus: Corpus, doc: str, any_file: bool = True) -> Document:
    """``doc`` read, repaired and outlined as ``index`` reads it; ``file#id`` is a JSONL record."""
    from .ingest import ingest_file

    file, _, record_id = doc.partition("#")
    source = find_source(corpus, file, any_file)
    if record_id:
        return _jsonl_document(source, doc, record_id, corpus)
    return ingest_file(source.path, source.doc, corpus.boilerplate_patterns(), source.metadata,
                       source.format, corpus.chrome_patterns())


def _jsonl_document(source: SourceFile, doc: str, record_id: str, corpus: Corpus) -> Document:
    from .ingest import ingest_record
    from .ingest.formats import iter_jsonl

    for number, record, _, _ in iter_jsonl(source.path, source.doc):
        if record is not None and str(record.get("id") or number) == record_id:
            return ingest_record(record, f"{source.doc}#{record_id}", corpus.boilerplate_patterns(), source.metadata,
                                 corpus.chrome_patterns())
    raise SpeechsearchError(f"{doc}: no document with id {record_id!r} in {source.doc}")
