"""A file or a run of records made ready for the index: read, outlined, turned into documents.

This is the work a worker process does before Whoosh's writer: decode, repair and outline the
text (``ingest``), then lay each passage out as the index's fields, with one record per speech
and per heading for --speech and --section.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from .corpus import DEFAULT_CHROME
from .errors import SpeechsearchError

if TYPE_CHECKING:
    from .model import Document

HEADING_BOOST = 2.0  # a heading that says the query outranks a paragraph that mentions it


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
    from .engine.analysis import Analyzed, get_segmenter
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
            fields["words"] = fields["words_joined"] = words
            fields["chars"] = fields["chars_joined"] = fields["text"]
            out.documents.append(fields)
        out.documents += _record_fields(document, task.file)
    return out


def _unexpected(exc: Exception) -> str:
    """The reason given for a document whose reading raised what no reader expects (a bug met
    on its text): it fails alone, with the error named, and the run goes on."""
    return f"could not be read ({type(exc).__name__}: {exc}); please report this file"


def passage_id(doc: str, line: int, start: int) -> str:
    return f"{doc_hash(doc)}:{line}:{start}"


def doc_hash(doc: str) -> str:
    """The head of a passage id: which document it is in."""
    return hashlib.sha1(doc.encode()).hexdigest()[:6]


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


@lru_cache(maxsize=4096)  # a speech's passages name the same headings over and over
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
