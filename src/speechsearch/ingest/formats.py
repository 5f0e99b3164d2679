"""Readers for the formats speeches arrive in, each giving lines of text plus heading hints.

A reader returns a ``SourceText``: the text as numbered lines (for .docx a line is a paragraph,
for .pdf a line of the extracted text layer), the encoding it was read with, metadata found in
the file (YAML front matter in .txt and .md), and ``hints``: lines whose style already says they
are a heading (Word's Heading 1/2, HTML's h2/h3) and at which level, with 0 for the title.
"""

from __future__ import annotations

import io
import json
import lzma
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import SpeechsearchError
from .decode import decode_bytes

TEXT_SUFFIXES = {".txt", ".md", ".markdown", ".text", ""}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
JSONL_SUFFIXES = (".jsonl", ".jsonl.xz", ".ndjson")
FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?\r?\n)?---[ \t]*(\r?\n|\Z)", re.S)


class FormatError(SpeechsearchError):
    pass


@dataclass
class SourceText:
    lines: list[str]
    encoding: str
    metadata: dict = field(default_factory=dict)
    hints: dict[int, int] = field(default_factory=dict)  # line number -> heading level (0: title)


def format_of(path: Path, declared: str | None = None) -> str:
    if declared:
        return declared
    name = path.name.lower()
    if name.endswith(JSONL_SUFFIXES):
        return "jsonl"
    suffix = path.suffix.lower()
    if suffix == ".docx":
        return "docx"
    if suffix == ".pdf":
        return "pdf"
    if suffix in HTML_SUFFIXES:
        return "html"
    return "text"


def read_bytes(path: Path, doc: str) -> bytes:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise FormatError(f"{doc}: file not found") from None
    except IsADirectoryError:
        raise FormatError(f"{doc}: is a directory, not a file") from None
    except OSError as exc:
        raise FormatError(f"{doc}: cannot read: {exc.strerror}") from None
    if not data.strip():
        raise FormatError(f"{doc}: empty file")
    return data


def read_source(path: Path, doc: str, fmt: str) -> SourceText:
    data = read_bytes(path, doc)
    if fmt == "docx":
        return read_docx(data, doc)
    if fmt == "pdf":
        return read_pdf(data, doc)
    if fmt == "html":
        return read_html(data, doc)
    text, encoding = decode_bytes(data, doc)
    return read_text(text, encoding, doc)


def read_text(text: str, encoding: str, doc: str) -> SourceText:
    """Plain text; a YAML front-matter block gives metadata and is blanked, keeping line numbers."""
    metadata: dict = {}
    m = FRONT_MATTER.match(text)
    if m:
        import yaml

        try:
            metadata = yaml.safe_load(m.group(1) or "") or {}
        except yaml.YAMLError:
            raise FormatError(f"{doc}: front matter is not valid YAML") from None
        except ValueError as exc:  # PyYAML makes a date of 2024-02-30 while reading and fails there
            raise FormatError(f"{doc}: front matter has an invalid date ({exc})") from None
        if not isinstance(metadata, dict):
            raise FormatError(f"{doc}: front matter must be a mapping of keys to values")
        text = "\n" * m.group(0).count("\n") + text[m.end():]
    lines = [line.rstrip("\r") for line in text.split("\n")]
    if not any(line.strip() for line in lines):
        raise FormatError(f"{doc}: no text")
    return SourceText(lines, encoding, metadata)


def read_docx(data: bytes, doc: str) -> SourceText:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, KeyError, ValueError, OSError) as exc:
        raise FormatError(f"{doc}: not a readable .docx ({type(exc).__name__})") from None
    except Exception as exc:  # zipfile and lxml raise their own kinds on broken files
        raise FormatError(f"{doc}: not a readable .docx ({type(exc).__name__})") from None
    lines, hints = [], {}
    for number, paragraph in enumerate(document.paragraphs, start=1):
        lines.append(paragraph.text)
        style = (paragraph.style.name if paragraph.style is not None else "") or ""
        if style == "Title":
            hints[number] = 0
        elif m := re.fullmatch(r"Heading (\d)", style):
            hints[number] = int(m.group(1))
    props = document.core_properties
    metadata = {k: v for k, v in (("title", props.title), ("speaker", props.author)) if v}
    if not any(line.strip() for line in lines):
        raise FormatError(f"{doc}: no text")
    return SourceText(lines, "docx", metadata, hints)


def read_pdf(data: bytes, doc: str) -> SourceText:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise FormatError(f"{doc}: not a readable .pdf ({type(exc).__name__})") from None
    except Exception as exc:  # pypdf raises a wide range on damaged files
        raise FormatError(f"{doc}: not a readable .pdf ({type(exc).__name__})") from None
    lines = "\n".join(pages).split("\n")
    if not any(line.strip() for line in lines):
        raise FormatError(f"{doc}: no text layer (a scanned PDF needs OCR first)")
    return SourceText(lines, "pdf", {})


HTML_DROP = ("script", "style", "noscript", "nav", "header", "footer", "aside", "form", "iframe", "template")
HTML_HEADINGS = {"h1": 0, "h2": 1, "h3": 2, "h4": 3}


def read_html(data: bytes, doc: str) -> SourceText:
    """The page's text, one block element per line; scripts, styles and navigation dropped."""
    from bs4 import BeautifulSoup

    text, encoding = decode_bytes(data, doc)
    soup = BeautifulSoup(text, "html.parser")
    for tag in soup(HTML_DROP):
        tag.decompose()
    title = soup.title.get_text(strip=True) if soup.title else ""
    if soup.title:
        soup.title.decompose()
    lines: list[str] = []
    hints: dict[int, int] = {}
    body = soup.body or soup
    for block in body.find_all(["h1", "h2", "h3", "h4", "p", "li", "div", "td", "pre", "blockquote"]):
        if block.find(["p", "div", "li", "h1", "h2", "h3", "h4", "table", "blockquote"]):
            continue  # a container: its children are lines of their own
        line = re.sub(r"\s+", " ", block.get_text(" ", strip=True))
        if not line:
            continue
        lines.append(line)
        if block.name in HTML_HEADINGS:
            hints[len(lines)] = HTML_HEADINGS[block.name]
    if not lines:
        raise FormatError(f"{doc}: no text in the page")
    return SourceText(lines, encoding, {"title": title} if title else {})


# JSON may escape half of a UTF-16 pair on its own ("\ud83d"); json.loads keeps it as a lone
# surrogate, which no UTF-8 encoder downstream (OpenCC, the index) accepts.
SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _without_lone_surrogates(value):
    """``value`` with each lone surrogate in its strings replaced by U+FFFD, as a decoder does."""
    if isinstance(value, str):
        return LONE_SURROGATE.sub("\ufffd", value)
    if isinstance(value, list):
        return [_without_lone_surrogates(v) for v in value]
    if isinstance(value, dict):
        return {k: _without_lone_surrogates(v) for k, v in value.items()}
    return value


def iter_jsonl(path: Path, doc: str) -> Iterator[tuple[int, dict | None, int, str | None]]:
    """(line number, object, bytes of the line, problem) for each line of a .jsonl or .jsonl.xz file.

    A line that is not a document comes with its problem and no object, so that one bad line
    costs only itself.
    """
    opener = lzma.open if path.name.lower().endswith(".xz") else open
    number = 0
    try:
        with opener(path, "rt", encoding="utf-8") as stream:
            for number, line in enumerate(stream, start=1):
                if not line.strip():
                    continue
                size = len(line.encode("utf-8"))
                try:
                    record = json.loads(line)
                except ValueError:
                    yield number, None, size, f"line {number} is not valid JSON"
                    continue
                if not isinstance(record, dict) or not isinstance(record.get("text"), str):
                    yield number, None, size, f"line {number} has no 'text' string"
                    continue
                if not record["text"].strip():
                    yield number, None, size, f"line {number} has an empty 'text'"
                    continue
                if SURROGATE_ESCAPE.search(line):
                    record = _without_lone_surrogates(record)
                yield number, record, size, None
    except FileNotFoundError:
        raise FormatError(f"{doc}: file not found") from None
    except (OSError, lzma.LZMAError, UnicodeDecodeError, EOFError) as exc:
        where = f" past line {number} (the records up to it are indexed)" if number else ""
        raise FormatError(f"{doc}: cannot read{where}: {exc}") from None
