"""Ingest: a source file in, repaired and outlined Documents out.

formats (bytes -> lines) -> repair (readings, garbage, script) -> boilerplate -> outline.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..model import METADATA_KEYS, Document
from ..script import lines_to_convert
from .chrome import find_chrome
from .decode import DecodeError
from .formats import FormatError, SourceText, format_of, read_source
from .outline import parse_document
from .repair import repair_line

__all__ = ["DecodeError", "FormatError", "ingest_file", "ingest_lines", "ingest_record", "ingest_text"]



def ingest_lines(source: SourceText, doc: str, boilerplate: list[re.Pattern], metadata: dict | None = None,
                 chrome: list[re.Pattern] | None = None) -> Document:
    """Repair and outline ``source``; ``doc`` is the name passages carry (path as in corpus.yaml).

    Lines that match ``boilerplate`` anywhere, and lines of page chrome (``chrome`` patterns,
    default ``corpus.DEFAULT_CHROME``, and the shapes ``find_chrome`` knows), are never indexed.
    """
    meta = clean_metadata({**(metadata or {}), **source.metadata})
    lines: list[str] = []
    document = Document(path=doc, title="", encoding=source.encoding, lines=lines, metadata=meta)
    content: list[tuple[int, str]] = []
    convert = lines_to_convert(source.lines)
    for lineno, raw in enumerate(source.lines, start=1):
        repaired = repair_line(raw, lineno, convert[lineno - 1])
        lines.append(repaired.text)
        document.annotations_stripped += repaired.annotations
        document.garbage += repaired.garbage
        if any(p.search(repaired.text) for p in boilerplate):
            document.boilerplate_lines.append(lineno)
        else:
            content.append((lineno, repaired.text))
    document.chrome_lines = sorted(find_chrome(content, chrome))
    if document.chrome_lines:
        dropped = set(document.chrome_lines)
        content = [(lineno, text) for lineno, text in content if lineno not in dropped]
    fallback = meta.get("title") or Path(doc.split("#")[-1]).stem
    title, speeches, passages = parse_document(doc, content, fallback, source.hints, known_title=meta.get("title"))
    document.title = meta.get("title") or title
    document.speeches = speeches
    document.passages = passages
    return document


def ingest_text(text: str, doc: str, boilerplate: list[re.Pattern], *, encoding: str = "utf-8",
                metadata: dict | None = None, chrome: list[re.Pattern] | None = None) -> Document:
    lines = [line.rstrip("\r") for line in text.split("\n")]
    return ingest_lines(SourceText(lines, encoding), doc, boilerplate, metadata, chrome)


def ingest_file(path: Path, doc: str, boilerplate: list[re.Pattern], metadata: dict | None = None,
                fmt: str | None = None, chrome: list[re.Pattern] | None = None) -> Document:
    source = read_source(path, doc, format_of(path, fmt))
    return ingest_lines(source, doc, boilerplate, metadata, chrome)


def ingest_record(record: dict, doc: str, boilerplate: list[re.Pattern], metadata: dict | None = None,
                  chrome: list[re.Pattern] | None = None) -> Document:
    """One document of a JSONL file: ``text`` plus optional metadata keys."""
    own = {k: record[k] for k in METADATA_KEYS if record.get(k)}
    if record.get("category"):
        own["tags"] = [*_as_list(own.get("tags")), record["category"]]
    return ingest_text(record["text"], doc, boilerplate, metadata={**(metadata or {}), **own}, chrome=chrome)


def clean_metadata(meta: dict) -> dict:
    out = {k: meta[k] for k in METADATA_KEYS if meta.get(k) not in (None, "", [])}
    if "date" in out:
        out["date"] = str(out["date"])[:10]
    if "tags" in out:
        out["tags"] = [str(t) for t in _as_list(out["tags"])]
    for key in ("title", "speaker", "place", "source"):
        if key in out:
            out[key] = str(out[key])
    return out


def _as_list(value) -> list:
    if value is None:
        return []
    if isinstance(value, str):
        return [t.strip() for t in re.split("[,,、]", value) if t.strip()]
    if isinstance(value, (list, tuple)):
        return list(value)
    return [value]  # one tag given as a number or another scalar
