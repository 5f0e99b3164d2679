"""Matched passages as files a speechwriter pastes from: JSON, JSONL, CSV, Markdown, Word.

Passages that several speeches repeat word for word are exported once, with every source listed.
Context passages (``--context N``) come in document order around their hit, marked as context.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import Path

from .errors import SpeechsearchError, UsageError
from .search import Hit, marked_pieces

FORMATS = ("json", "jsonl", "csv", "md", "docx")
SUFFIXES = {".json": "json", ".jsonl": "jsonl", ".csv": "csv", ".md": "md", ".markdown": "md", ".docx": "docx"}
CSV_COLUMNS = ["rank", "text", "title", "speech", "path", "doc", "line", "start", "end", "speaker", "date", "place",
               "source", "tags", "score", "context", "also_in", "id"]
SEPARATOR = " › "


@dataclass
class Entry:
    """One exported passage: a hit or a context passage, with the other places it stands in."""

    hit: Hit
    rank: int  # rank of the hit it belongs to (1-based)
    context: bool = False
    also_in: list[Hit] = field(default_factory=list)

    def sources(self) -> list[Hit]:
        return [self.hit, *self.also_in]

    def to_dict(self) -> dict:
        d = self.hit.to_dict()
        for key in ("before", "after", "also_in", "ordinal"):
            d.pop(key, None)
        meta = d.pop("metadata", {})
        d.update({k: meta.get(k) for k in ("speaker", "date", "place", "source", "tags")})
        d["rank"] = self.rank
        d["context"] = self.context
        d["also_in"] = [{"doc": h.doc, "speech": h.speech, "path": h.path, "line": h.line, "near": h.near}
                        for h in self.also_in]
        return d


@dataclass
class Exported:
    data: bytes
    passages: int  # matched passages written (context passages not counted)
    hits: int  # matches before repeats were collapsed


def export_matches(store, text: str, fmt: str, filters=None, context: int = 0, collapse: bool = True) -> Exported:
    """Every passage matching ``text`` as a file of format ``fmt``: what ``export`` writes and
    the web page's download links serve."""
    from .search import collapse as collapse_repeats
    from .search import run_search

    hits = run_search(store, text, limit=None, context=context, filters=filters)
    entries = entries_for(collapse_repeats(hits) if collapse else hits)
    return Exported(render(entries, fmt, text), sum(not e.context for e in entries), len(hits))


def format_for(path: str, fmt: str | None) -> str:
    if fmt:
        return fmt
    if path == "-":
        return "jsonl"
    suffix = Path(path).suffix.lower()
    if suffix not in SUFFIXES:
        raise UsageError(f"{path}: cannot tell the format from the name; use --format ({', '.join(FORMATS)})")
    return SUFFIXES[suffix]


def entries_for(hits: list[Hit]) -> list[Entry]:
    """Each hit with its context passages around it; a context passage appears once, and never
    when it is itself a hit."""
    hit_ids = {h.id for h in hits} | {o.id for h in hits for o in h.also_in}
    entries, seen = [], set()
    for rank, hit in enumerate(hits, start=1):
        for item in hit.before:
            if item.id not in seen and item.id not in hit_ids:
                seen.add(item.id)
                entries.append(Entry(item, rank, context=True))
        entries.append(Entry(hit, rank, also_in=list(hit.also_in)))
        for item in hit.after:
            if item.id not in seen and item.id not in hit_ids:
                seen.add(item.id)
                entries.append(Entry(item, rank, context=True))
    return entries


def render(entries: list[Entry], fmt: str, query: str) -> bytes:
    if fmt == "json":
        return (json.dumps([e.to_dict() for e in entries], ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    if fmt == "jsonl":
        return "".join(json.dumps(e.to_dict(), ensure_ascii=False) + "\n" for e in entries).encode("utf-8")
    if fmt == "csv":
        return to_csv(entries)
    if fmt == "md":
        return to_markdown(entries, query).encode("utf-8")
    if fmt == "docx":
        return to_docx(entries, query)
    raise UsageError(f"unknown export format {fmt!r}")


def to_csv(entries: list[Entry]) -> bytes:
    """UTF-8 with a BOM, so that Excel opens the Chinese correctly; columns as CSV_COLUMNS."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for entry in entries:
        d = entry.to_dict()
        d["path"] = SEPARATOR.join(d["path"])
        d["tags"] = ",".join(d["tags"] or [])
        d["also_in"] = "; ".join(f"{s['doc']}:{s['line']}" for s in d["also_in"])
        d["context"] = "context" if entry.context else ""
        writer.writerow(["" if d.get(c) is None else d[c] for c in CSV_COLUMNS])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def citation(hit: Hit) -> str:
    meta = hit.metadata
    parts = [f"《{hit.title or hit.speech}》"]
    if hit.speech and hit.speech != hit.title:
        parts.append(hit.speech)
    parts += [meta[k] for k in ("speaker", "date") if meta.get(k)]
    if hit.path:
        parts.append(SEPARATOR.join(hit.path))
    parts.append(f"{hit.doc}:{hit.line}")
    # a heading that ends in a comma (一是要真抓实干,) must not double the separator
    return ",".join(part.rstrip(",，、;；:： ") for part in parts)


def _groups(entries: list[Entry]) -> list[tuple[Hit, list[Entry]]]:
    """Entries grouped by speech, groups in the order of their best hit."""
    groups: dict[tuple[str, str], list[Entry]] = {}
    for entry in entries:
        groups.setdefault((entry.hit.doc, entry.hit.speech), []).append(entry)
    return [(items[0].hit, items) for items in groups.values()]


def _headed(items: list[Entry]):
    """(entry, the heading path to show above it, or None when the one above still applies):
    a passage stands under its breadcrumb without its own last heading (a point's body under
    the point), and consecutive passages of one section share one heading."""
    shown: list[str] | None = None
    for entry in items:
        path = entry.hit.path
        heading = (path[:-1] if len(path) > 1 else path) or None
        yield entry, (heading if heading is not None and heading != shown else None)
        if heading is not None:
            shown = heading


def to_markdown(entries: list[Entry], query: str) -> str:
    lines = [f"# {query}", "", f"{sum(not e.context for e in entries)} passages", ""]
    for first, items in _groups(entries):
        lines += [f"## {first.speech or first.title}", ""]
        for entry, heading in _headed(items):
            hit = entry.hit
            if heading:
                lines += [f"### {SEPARATOR.join(heading)}", ""]
            text = "".join(f"**{p}**" if matched else p for p, matched in marked_pieces(hit.text, hit.highlights))
            prefix = "> (context) " if entry.context else "> "
            lines += [prefix + text, ""]
            for source in entry.sources():
                lines.append(f"— {citation(source)}  ")
            lines.append("")
    return "\n".join(lines)


def to_docx(entries: list[Entry], query: str) -> bytes:
    import docx
    from docx.enum.text import WD_COLOR_INDEX
    from docx.oxml import OxmlElement
    from docx.text.paragraph import Paragraph

    document = docx.Document()
    section_properties = document.element.body.sectPr
    style_ids: dict[str, str] = {}

    def add_paragraph(style: str | None = None, text: str | None = None) -> Paragraph:
        # python-docx's add_paragraph searches the body for its insertion point and looks the
        # style up by name on every call, which grows with the document: 24,000 passages took
        # 146 s. The body's last child is always sectPr, and style ids are looked up once.
        element = OxmlElement("w:p")
        section_properties.addprevious(element)
        paragraph = Paragraph(element, document._body)
        if style:
            if style not in style_ids:
                style_ids[style] = document.styles[style].style_id
            element.get_or_add_pPr().style = style_ids[style]
        if text:
            paragraph.add_run(text)
        return paragraph

    document.core_properties.title = f"speechsearch: {query}"
    add_paragraph("Title", query)
    add_paragraph(None, f"{sum(not e.context for e in entries)} passages")
    for first, items in _groups(entries):
        add_paragraph("Heading 1", first.speech or first.title)
        for entry, heading in _headed(items):
            hit = entry.hit
            if heading:
                add_paragraph("Heading 2", SEPARATOR.join(heading))
            paragraph = add_paragraph("Quote" if entry.context else None)
            for piece, matched in marked_pieces(hit.text, hit.highlights):
                run = paragraph.add_run(piece)
                if matched:
                    run.bold = True
                    run.font.highlight_color = WD_COLOR_INDEX.YELLOW
            for source in entry.sources():
                cite = add_paragraph()
                cite_run = cite.add_run("— " + citation(source))
                cite_run.italic = True
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def write_output(data: bytes, path: str, force: bool, stdout) -> None:
    if path == "-":
        stdout.write(data)
        stdout.flush()
        return
    target = Path(path)
    if target.exists() and not force:
        raise SpeechsearchError(f"{path}: exists; use --force to overwrite it")
    tmp = target.with_name(f".{target.name}.tmp")
    try:
        tmp.write_bytes(data)
        tmp.replace(target)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise SpeechsearchError(f"{path}: cannot write: {exc.strerror}") from None
