"""Ingest: a source file in, a repaired and outlined Document out.

decode (bytes -> text) -> repair (readings, garbage, script) -> boilerplate -> outline.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..errors import SpeechsearchError
from ..model import Document
from .decode import DecodeError, decode_bytes
from .outline import parse_document
from .repair import repair_line

__all__ = ["DecodeError", "IngestError", "ingest_file", "ingest_text"]


class IngestError(SpeechsearchError):
    pass


def ingest_text(text: str, doc: str, boilerplate: list[re.Pattern], *, encoding: str = "utf-8",
                metadata: dict | None = None) -> Document:
    """Repair and outline ``text``; ``doc`` is the name passages carry (path as in corpus.yaml)."""
    lines: list[str] = []
    document = Document(path=doc, title="", encoding=encoding, lines=lines, metadata=dict(metadata or {}))
    content: list[tuple[int, str]] = []
    for lineno, raw in enumerate(text.split("\n"), start=1):
        repaired = repair_line(raw.rstrip("\r"), lineno)
        lines.append(repaired.text)
        document.annotations_stripped += repaired.annotations
        document.garbage += repaired.garbage
        if any(p.search(repaired.text) for p in boilerplate):
            document.boilerplate_lines.append(lineno)
        else:
            content.append((lineno, repaired.text))
    fallback = document.metadata.get("title") or Path(doc).stem
    title, speeches, passages = parse_document(doc, content, fallback)
    document.title = document.metadata.get("title") or title
    document.speeches = speeches
    document.passages = passages
    return document


def read_source(path: Path, doc: str) -> tuple[str, str]:
    """Read and decode ``path``; every failure becomes one IngestError naming the file."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise IngestError(f"{doc}: file not found") from None
    except IsADirectoryError:
        raise IngestError(f"{doc}: is a directory, not a file") from None
    except OSError as exc:
        raise IngestError(f"{doc}: cannot read: {exc.strerror}") from None
    if not data.strip():
        raise IngestError(f"{doc}: empty file")
    return decode_bytes(data, doc)


def ingest_file(path: Path, doc: str, boilerplate: list[re.Pattern], metadata: dict | None = None) -> Document:
    text, encoding = read_source(path, doc)
    return ingest_text(text, doc, boilerplate, encoding=encoding, metadata=metadata)
