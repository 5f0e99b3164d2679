"""A reuse report for a terminal (like ``search``: ``file:line``, 【marks】), and the draft itself
as Markdown or .docx with the reused spans highlighted and a numbered citation for each."""

from __future__ import annotations

import io

from .export import citation
from .render import SEPARATOR, mark, snippet
from .reuse import ReuseReport
from .search import marked_pieces, merge_spans


def summary_lines(report: ReuseReport) -> list[str]:
    lines = [f"{report.reused_chars:,} of {report.draft_chars:,} characters ({report.share:.1%}) of the draft "
             f"stand in the corpus"]
    longest = report.longest()
    if longest:
        lines.append(f"longest shared run: {longest.chars} characters, {longest.source.doc}:{longest.source.line} "
                     f"({SEPARATOR.join(longest.source.breadcrumb())})")
    sources = report.sources()
    if sources:
        lines.append("most reused from: " + "; ".join(f"{doc} ({chars} chars)" for doc, chars in sources))
    return lines


def format_report(report: ReuseReport, color: bool) -> str:
    out = []
    for sentence in report.sentences:
        if not sentence.matches:
            continue
        spans = sorted({(m.draft[0] - sentence.start, m.draft[1] - sentence.start) for m in sentence.matches})
        where = f"{report.draft}:{sentence.line}:{sentence.start + 1}"
        out.append(f"{where}  {mark(sentence.text, merge_spans(spans), color)}")
        for match in sentence.matches:
            source = match.source
            sign = f"= {match.chars} chars" if match.kind == "verbatim" else f"≈ near {match.similarity:.2f}"
            out.append(f"  {sign}  {source.doc}:{source.line}  {SEPARATOR.join(source.breadcrumb())}")
            text, marks = snippet(source.text, source.highlights, False)
            out.append("      " + mark(text, marks, color))
        out.append("")
    out += summary_lines(report)
    return "\n".join(out) + "\n"


def _annotated_lines(report: ReuseReport) -> tuple[list[list[tuple[str, int | bool]]], list[str]]:
    """Each draft line as pieces of (text, note number, or False where nothing is reused), and
    the notes' citations."""
    by_line: dict[int, list] = {}
    for sentence in report.sentences:
        if sentence.matches:
            by_line.setdefault(sentence.line, []).append(sentence)
    notes: list[str] = []
    lines = []
    for number, line in enumerate(report.lines, start=1):
        spans = []
        for sentence in by_line.get(number, []):
            best = sentence.matches[0]
            others = len({m.source.doc for m in sentence.matches}) - 1
            kind = "原文" if best.kind == "verbatim" else f"近似（{best.similarity:.0%}）"
            note = f"{kind}：{citation(best.source)}" + (f"；另见 {others} 处" if others > 0 else "")
            notes.append(note)
            for start, end in merge_spans(sorted({m.draft for m in sentence.matches})):
                spans.append((start, end, len(notes)))
        lines.append(marked_pieces(line, sorted(spans)))  # a reused span's mark is its note's number
    return lines, notes


def to_markdown(report: ReuseReport) -> str:
    out = []
    lines, notes = _annotated_lines(report)
    for pieces in lines:
        out.append("".join(f"**{text}**[^{note}]" if note else text for text, note in pieces))
    body = "\n\n".join(line for line in out if line.strip())  # each draft line a paragraph of its own
    tail = ["", "---", "", *[f"- {line}" for line in summary_lines(report)], ""]
    tail += [f"[^{n}]: {note}" for n, note in enumerate(notes, start=1)]
    return body + "\n" + "\n".join(tail) + "\n"


def to_docx(report: ReuseReport) -> bytes:
    import docx
    from docx.enum.text import WD_COLOR_INDEX

    document = docx.Document()
    document.core_properties.title = f"speechsearch reuse: {report.draft}"
    lines, notes = _annotated_lines(report)
    for pieces in lines:
        paragraph = document.add_paragraph()
        for text, note in pieces:
            run = paragraph.add_run(text)
            if note:
                run.font.highlight_color = WD_COLOR_INDEX.YELLOW
                paragraph.add_run(f"[{note}]").font.superscript = True
    document.add_heading("出处", level=1)
    for line in summary_lines(report):
        document.add_paragraph(line)
    for number, note in enumerate(notes, start=1):
        document.add_paragraph(f"[{number}] {note}")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
