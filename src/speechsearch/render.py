"""Human-readable output for a terminal or a pipe: hits and outlines.

Matches are coloured on a terminal and wrapped in 【】 when the output is piped, so that the
highlight survives into a file or a pager without escape codes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from .model import Document, Section
    from .search import Hit

SEPARATOR = " › "
SNIPPET_CONTEXT = 60
SNIPPET_MAX = 240


def snippet(text: str, spans: list[tuple[int, int]], full: bool) -> tuple[str, list[tuple[int, int]]]:
    """The passage, or windows around its matches when it is long; spans are moved along."""
    if full or len(text) <= SNIPPET_MAX or not spans:
        if not full and len(text) > SNIPPET_MAX:
            return text[:SNIPPET_MAX] + "…", []
        return text, spans
    windows: list[list[int]] = []
    for start, end in spans[:4]:
        lo, hi = max(0, start - SNIPPET_CONTEXT), min(len(text), end + SNIPPET_CONTEXT)
        if windows and lo <= windows[-1][1]:
            windows[-1][1] = hi
        else:
            windows.append([lo, hi])
    out, moved, offset = [], [], 0
    for lo, hi in windows:
        prefix = "…" if lo > 0 else ""
        out.append(prefix + text[lo:hi])
        base = offset + len(prefix) - lo
        moved += [(s + base, e + base) for s, e in spans if lo <= s and e <= hi]
        offset += len(prefix) + hi - lo
    if windows[-1][1] < len(text):
        out.append("…")
    return "".join(out), moved


def mark(text: str, spans: list[tuple[int, int]], color: bool) -> str:
    pieces, pos = [], 0
    for start, end in spans:
        pieces.append(text[pos:start])
        match = text[start:end]
        pieces.append(click.style(match, fg="red", bold=True) if color else f"【{match}】")
        pos = end
    pieces.append(text[pos:])
    return "".join(pieces)


def format_hit(hit: Hit, color: bool, full: bool = False, explain: bool = False) -> str:
    """Breadcrumb, ``file:line:column``, score and id, then the passage; context passages (-C)
    stand before and after it marked with '-', as grep marks context lines."""
    crumb = SEPARATOR.join(hit.breadcrumb())
    where = f"{hit.doc}:{hit.line}:{hit.start + 1}"
    text, spans = snippet(hit.text, hit.highlights, full)
    if color:
        crumb = click.style(crumb, fg="cyan", bold=True)
        where = click.style(where, fg="magenta")
    lines = [crumb, f"{where}  score {hit.score:.2f}  id {hit.id}"]
    lines += [_context_line(c, color, full) for c in hit.before]
    lines.append(("> " if hit.before or hit.after else "  ") + mark(text, spans, color))
    lines += [_context_line(c, color, full) for c in hit.after]
    lines += [f"  {_also(o)} {o.doc}:{o.line} ({SEPARATOR.join(o.breadcrumb())})" for o in hit.also_in]
    if explain and hit.explain:
        lines.append("  " + explain_line(hit.explain))
    return "\n".join(lines) + "\n"


def _also(copy: Hit) -> str:
    return "≈ also (near)" if copy.near else "= also"


def explain_line(parts: dict) -> str:
    """score = grade × weight (the reader's signals) + the engine's BM25."""
    signals = ", ".join(parts["signals"])
    return (f"why: grade {parts['grade']:g} ({signals}) {parts['grade_score']:.0f} "
            f"+ BM25 {parts['engine']:.2f} (words as a phrase, ¼ bigrams, headings ×2)")


def format_group(doc: str, speech: str, hits: list[Hit], color: bool, full: bool = False) -> str:
    """A speech with its hit count, then each hit without the speech in its breadcrumb."""
    head = f"{speech}  ({len(hits)} hit{'s' if len(hits) != 1 else ''})  {doc}"
    out = [click.style(head, bold=True) if color else head]
    for hit in hits:
        text, spans = snippet(hit.text, hit.highlights, full)
        crumb = SEPARATOR.join(hit.path) or "(opening)"
        where = f":{hit.line}"
        if color:
            crumb, where = click.style(crumb, fg="cyan"), click.style(where, fg="magenta")
        out.append(f"  {crumb}  {where}")
        out.append(f"    {mark(text, spans, color)}")
        out += [f"    {_also(o)} {o.doc}:{o.line} ({o.speech})" for o in hit.also_in]
    return "\n".join(out) + "\n"


def _context_line(hit: Hit, color: bool, full: bool) -> str:
    text = hit.text if full or len(hit.text) <= SNIPPET_MAX else hit.text[:SNIPPET_MAX] + "…"
    line = f"- {hit.line}: {text}"
    return click.style(line, dim=True) if color else line


def format_outline(document: Document, color: bool) -> str:
    def head(text: str, line: int | None, depth: int) -> str:
        label = click.style(text, bold=True) if color and depth == 0 else text
        suffix = f"  :{line}" if line else ""
        return "  " * depth + label + (click.style(suffix, fg="magenta") if color else suffix)

    out = [f"{document.path}  {document.title}"]
    for speech in document.speeches:
        out.append(head(speech.title, speech.line, 0))

        def walk(node: Section, depth: int) -> None:
            out.append(head(node.heading, node.line, depth))
            for sub in node.points:
                walk(sub, depth + 1)
            for sub in node.subpoints:
                out.append("  " * (depth + 1) + "· " + sub.heading)

        for section in speech.sections:
            walk(section, 1)
    return "\n".join(out) + "\n"
