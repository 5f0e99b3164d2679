"""The command line: a thin layer of click over the library.

Heavy modules (Whoosh, jieba, OpenCC) are imported inside the commands that need them, so that
``--help`` and start-up stay fast.
"""

from __future__ import annotations

import errno
import gc
import json
import sys

from .stand_ins import defer_for_click, loading

with loading():
    defer_for_click()
    from pathlib import Path

    import click

from . import __version__
from .errors import EXIT_INPUT, EXIT_INTERRUPTED, EXIT_NOTHING, SpeechsearchError, UsageError, require_utf8


class Group(click.Group):
    """Turns every SpeechsearchError into one line on stderr and its exit code."""

    command_run: str | None = None
    own_process = False  # run by ``main``, the console script, which ends the process after

    def resolve_command(self, ctx, args):
        name, command, rest = super().resolve_command(ctx, args)
        self.command_run = name
        if self.own_process and name in READ_ONLY_COMMANDS:
            # The process ends when the command does (os._exit): a collection would only walk
            # the objects of the one search, a dozen times (about 1% of a cold search).
            gc.disable()
        return name, command, rest

    def parse_args(self, ctx, args):
        # A terminal whose encoding is not UTF-8 hands Python bytes it keeps as lone surrogates;
        # every command's arguments are text, so say so once for all of them.
        try:
            for arg in args:
                require_utf8(arg, "argument")
        except UsageError as exc:
            click.echo(f"speechsearch: {exc}", err=True)
            ctx.exit(exc.exit_code)
        return super().parse_args(ctx, args)

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except SpeechsearchError as exc:
            click.echo(f"speechsearch: {exc}", err=True)
            ctx.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("speechsearch: interrupted", err=True)
            ctx.exit(EXIT_INTERRUPTED)
        except BrokenPipeError:  # before click's own handler, which exits 1 ("found nothing")
            ctx.exit(_reader_gone())
        except OSError as exc:
            if exc.errno not in (errno.ENOSPC, errno.EIO, errno.EDQUOT):
                raise
            ctx.exit(_cannot_write(exc))  # a full (or failing) disk, whatever was being written


class Context:
    def __init__(self, corpus_file: Path | None, index_dir: Path | None):
        self.corpus_file = corpus_file
        self.index_dir = index_dir
        self._corpus = None

    def reload(self):
        self._corpus = None

    @property
    def corpus(self):
        if self._corpus is None:
            from .corpus import load_corpus

            self._corpus = load_corpus(self.corpus_file)
        return self._corpus

    @property
    def store(self):
        from .engine.store import IndexStore

        if self.index_dir is not None:
            return IndexStore(self.index_dir)
        from .locate import corpus_file, index_dir_of

        # Only the corpus file's folder is needed here: searching never parses the YAML.
        return IndexStore(index_dir_of(corpus_file(self.corpus_file)))

    def doc_name(self, doc: str) -> str:
        """A document as the index names it (corpus.yaml's spelling), typed either way."""
        from .documents import corpus_name

        try:
            corpus = self.corpus
        except SpeechsearchError:  # --index without a corpus: names as typed
            return doc
        return corpus_name(corpus, doc)


def stdout_is_tty() -> bool:
    return sys.stdout.isatty()


def stderr_is_tty() -> bool:
    return sys.stderr.isatty()


FORMATS = click.Choice(["text", "json", "jsonl"])


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="speechsearch")
@click.option("--corpus", "corpus_file", type=click.Path(path_type=Path, dir_okay=False),
              help="The corpus file (default: corpus.yaml here or in a folder above).")
@click.option("--index", "index_dir", type=click.Path(path_type=Path, file_okay=False),
              help="The index folder (default: .speechsearch/ beside the corpus file).")
@click.pass_context
def cli(ctx, corpus_file, index_dir):
    """Search Chinese speeches and policy documents by keyword, with their outline."""
    ctx.obj = Context(corpus_file, index_dir)


@cli.command()
@click.option("--rebuild", is_flag=True, help="Build a new index from scratch (swapped in when complete).")
@click.option("--segmenter", type=click.Choice(["rjieba", "jieba"]), default="rjieba", show_default=True,
              help="Word segmenter; changing it rebuilds the index.")
@click.option("--wait", "lock_timeout", type=float, default=600, show_default=True,
              help="Seconds to wait for another index run to finish.")
@click.option("-j", "--jobs", type=click.IntRange(min=1),
              help="Worker processes [default: one per core when there is more than 2 MB to read].")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("-q", "--quiet", is_flag=True, help="No progress output.")
@click.pass_obj
def index(obj: Context, rebuild, segmenter, lock_timeout, jobs, fmt, quiet):
    """Build or refresh the index from the corpus file."""
    report = _build(obj, rebuild=rebuild, segmenter=segmenter, lock_timeout=lock_timeout, quiet=quiet, jobs=jobs)
    if fmt == "json":
        click.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        click.echo(_summary(report))
    if report.failed:
        sys.exit(EXIT_NOTHING)


def _build(obj: Context, *, rebuild=False, segmenter="rjieba", lock_timeout=600.0, quiet=False, jobs=None):
    from .index import build_index

    def on_wait():
        click.echo(f"speechsearch: waiting for another index run to finish (up to {lock_timeout:g} s)…",
                   err=True)

    progress = None if quiet else _progress_printer()
    try:
        return build_index(obj.corpus, obj.store, rebuild=rebuild, segmenter=segmenter,
                           lock_timeout=lock_timeout, on_wait=on_wait, progress=progress, workers=jobs,
                           phase=progress.phase if progress is not None else None)
    finally:
        if progress is not None:
            progress.close()


class _progress_printer:
    """A bar on a terminal (files, MB, rate, ETA); a plain line every tenth of the way when piped."""

    def __init__(self):
        import time

        self.clock = time.monotonic
        self.started = self.clock()
        self.tty = stderr_is_tty()
        self.shown = False
        self.last_tenth = 0

    def __call__(self, file: str, reached: int, files: int, done_bytes: int, total_bytes: int):
        elapsed = max(self.clock() - self.started, 1e-6)
        rate = done_bytes / elapsed
        share = done_bytes / total_bytes if total_bytes else 1.0
        eta = (total_bytes - done_bytes) / rate if rate else 0
        figures = (f"file {reached}/{files}  {done_bytes / 1e6:.1f}/{total_bytes / 1e6:.1f} MB  "
                   f"{rate / 1e6:.2f} MB/s  ETA {int(eta) // 60}:{int(eta) % 60:02d}")
        if self.tty:
            width = 24
            bar = "#" * int(width * share) + "." * (width - int(width * share))
            click.echo(f"\r\x1b[2Kindexing [{bar}] {figures}  {file[-30:]}", err=True, nl=False)
            self.shown = True
        elif int(share * 10) > self.last_tenth:
            self.last_tenth = int(share * 10)
            click.echo(f"indexing: {figures}  ({file})", err=True)

    def phase(self, message: str) -> None:
        """A step after the reading (the bar is full, the ETA 0:00): say what is going on."""
        elapsed = self.clock() - self.started
        if self.tty:
            click.echo(f"\r\x1b[2Kindexing: {message}  ({elapsed:.0f} s so far)", err=True, nl=False)
            self.shown = True
        else:
            click.echo(f"indexing: {message}", err=True)

    def close(self):
        if self.shown:
            click.echo("\r\x1b[2K", err=True, nl=False)


# Encodings a Chinese corpus is expected in; files read in any other are named in the summary.
USUAL_ENCODINGS = {"utf-8", "utf-8-sig", "gb18030", "big5", "utf-16"}


def _encodings_line(encodings: dict[str, list[str]]) -> str:
    """'read as: gb18030 3, shift_jis 1 (a.txt)': every encoding but UTF-8, the unusual ones
    with their files, so a misread file can be found."""
    parts = []
    for encoding, docs in sorted(encodings.items(), key=lambda e: -len(e[1])):
        if encoding in ("utf-8", "utf-8-sig"):
            continue
        named = "" if encoding in USUAL_ENCODINGS else f" ({', '.join(docs[:3])}{', …' if len(docs) > 3 else ''})"
        parts.append(f"{encoding} {len(docs)}{named}")
    return "read as: " + ", ".join(parts) if parts else ""


def _summary(report) -> str:
    lines = [
        f"index: {report.index_dir}" + (" (new build)" if report.rebuilt else ""),
        f"files: {report.files} in index; {len(report.indexed)} indexed, {report.unchanged} unchanged, "
        f"{len(report.removed)} removed, {len(report.failed)} failed",
        f"speeches: {report.speeches}  sections: {report.sections}  points: {report.points}  "
        f"passages: {report.passages}",
        f"annotations stripped: {report.annotations}  garbage spots: {len(report.garbage)}  "
        f"page chrome lines dropped: {report.chrome_lines}",
    ]
    read_as = _encodings_line(report.encodings)
    if read_as:
        lines.append(read_as)
    for doc, reason in report.failed:
        lines.append(f"failed: {doc}: {reason}")
    for warning in report.warnings:
        lines.append(f"warning: {warning}")
    if report.garbage:
        lines.append("garbage spots (kept as found):")
        lines += [f"  {doc}:{line}:{column}" for doc, line, column in report.garbage]
    return "\n".join(lines)


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--title")
@click.option("--speaker")
@click.option("--date", help="ISO date, YYYY-MM-DD.")
@click.option("--place")
@click.option("--source")
@click.option("--tag", "tags", multiple=True, help="Repeat for several tags.")
@click.option("-q", "--quiet", is_flag=True, help="No progress output.")
@click.pass_obj
def add(obj: Context, paths, title, speaker, date, place, source, tags, quiet):
    """Add files to corpus.yaml (comments and order kept) and index them."""
    from .corpus import add_entries, check_date

    if date:
        check_date(date)
    metadata = {"title": title, "speaker": speaker, "date": date, "place": place, "source": source,
                "tags": list(tags)}
    added, updated = add_entries(obj.corpus.file, list(paths), metadata)
    obj.reload()
    report = _build(obj, quiet=quiet)
    if added:
        click.echo(f"added: {', '.join(added)}")
    if updated:
        click.echo(f"updated the metadata of: {', '.join(updated)} (already in corpus.yaml)")
    if not added and not updated:
        click.echo(f"already in corpus.yaml, nothing to change: {', '.join(str(p) for p in paths)}")
    click.echo(_summary(report))
    if report.failed:
        sys.exit(EXIT_NOTHING)


def search_filters(f):
    for option in reversed([
        click.option("--speaker", help="Only passages of this speaker."),
        click.option("--since", help="Only documents dated on or after this (YYYY, YYYY-MM or YYYY-MM-DD)."),
        click.option("--until", help="Only documents dated on or before this."),
        click.option("--tag", "tags", multiple=True, help="Only documents with this tag (repeat: all of them)."),
        click.option("--doc", help="Only this document (its path as corpus.yaml names it)."),
        click.option("--speech", help="Only speeches whose title contains this."),
        click.option("--section", help="Only passages under a heading that contains this."),
        click.option("--level", type=click.Choice(["speech", "section", "point", "sub-point"]),
                     help="Only passages at this level of the outline."),
    ]):
        f = option(f)
    return f


@cli.command()
@click.argument("query", nargs=-1, required=True)
@click.option("-n", "--limit", type=click.IntRange(min=1), default=20, show_default=True)
@click.option("--format", "fmt", type=FORMATS, default="text", show_default=True)
@click.option("--full", is_flag=True, help="Print whole passages, not windows around the matches.")
@click.option("--color", type=click.Choice(["auto", "always", "never"]), default="auto", show_default=True)
@click.option("-C", "--context", type=click.IntRange(min=0), default=0, help="Show N neighbouring passages.")
@click.option("--group", type=click.Choice(["speech"]), help="Group hits under their speech, with a count.")
@click.option("--no-collapse", is_flag=True, help="Show every copy of a repeated passage (exact or near).")
@click.option("--explain", is_flag=True, help="Show the parts of each hit's score (JSON: an 'explain' key).")
@search_filters
@click.pass_obj
def search(obj: Context, query, limit, fmt, full, color, context, group, no_collapse, explain, **filter_options):
    """Ranked passages that contain QUERY (words ANDed; OR, NOT, "phrases", parentheses).

    Fields work inside QUERY too: speaker:张三 date:[2024 TO 2025] tag:人社 doc:FILE
    speech:WORDS section:WORDS level:point.
    """
    from .search import Filters, count_hits, group_by_speech, run_collapsed_search, run_search

    text = " ".join(query)
    _doc_as_indexed(obj, filter_options)
    find = run_search if no_collapse else run_collapsed_search
    hits = find(_ready_store(obj), text, limit=limit, filters=Filters.from_options(filter_options), context=context)
    use_color = color == "always" or (color == "auto" and stdout_is_tty())
    if fmt == "text" and group:
        from .render import format_group

        for doc, speech, items in group_by_speech(hits):
            click.echo(format_group(doc, speech, items, use_color, full), color=use_color)
    else:
        _print_hits(hits, fmt, use_color, full, explain)
    if not hits:
        filters = {k: v for k, v in filter_options.items() if v}
        unfiltered = count_hits(obj.store, text) if filters else 0
        if unfiltered:
            many = unfiltered != 1
            click.echo(f"{unfiltered} passage{'s contain' if many else ' contains'} {text!r}, "
                       f"but the filters ({_named_filters(filters)}) exclude {'them all' if many else 'it'}", err=True)
        else:
            found = _did_you_mean(obj.store, text)  # first: a damaged index says only that
            if fmt == "text":
                click.echo(f"no passage contains {text!r}", err=True)
            if found:
                click.echo(f"did you mean: {'  '.join(found)}", err=True)
        sys.exit(EXIT_NOTHING)


def _doc_as_indexed(obj: Context, filter_options: dict) -> None:
    """--doc as corpus.yaml spells it, whether typed that way or as a path from here."""
    if filter_options.get("doc"):
        filter_options["doc"] = obj.doc_name(filter_options["doc"])


def _named_filters(filters: dict) -> str:
    """The filter flags as typed: --speaker 张三 --tag a --tag b."""
    flags = []
    for name, value in filters.items():
        for item in value if isinstance(value, (list, tuple)) else [value]:
            flags.append(f"--{'tag' if name == 'tags' else name} {item}")
    return " ".join(flags)


def _did_you_mean(store, text: str) -> list[str]:
    """Index words near a one-word query that found nothing."""
    from .discover import suggestions

    words = [w for w in text.split() if w not in ("AND", "OR", "NOT") and ":" not in w]
    return suggestions(store, words[0]) if len(words) == 1 else []


@cli.command()
@click.argument("hit_id")
@click.option("-n", "--limit", type=click.IntRange(min=1), default=10, show_default=True)
@click.option("--format", "fmt", type=FORMATS, default="text", show_default=True)
@click.pass_obj
def similar(obj: Context, hit_id, limit, fmt):
    """Passages on the same subject as passage HIT_ID, from other speeches."""
    from .discover import similar as find_similar

    source, hits = find_similar(obj.store, hit_id, limit)
    _print_hits(hits, fmt, color=stdout_is_tty())
    if fmt == "text" and not hits:
        click.echo(f"nothing like {hit_id} in other speeches", err=True)
    if not hits:
        sys.exit(EXIT_NOTHING)


@cli.command()
@click.argument("doc", required=False)
@click.option("--speech", help="A speech whose title contains these words, instead of a whole DOC.")
@click.option("-n", "--limit", type=click.IntRange(min=1), default=20, show_default=True)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.pass_obj
def keywords(obj: Context, doc, speech, limit, fmt):
    """The terms that set DOC (or a speech) apart from the rest of the corpus (TF-IDF)."""
    from .discover import key_terms

    terms = key_terms(obj.store, doc=obj.doc_name(doc) if doc else None, speech=speech, limit=limit)
    if fmt == "json":
        click.echo(json.dumps([t.to_dict() for t in terms], ensure_ascii=False, indent=2))
        return
    width = max((len(t.term) for t in terms), default=0)
    for term in terms:
        click.echo(f"{term.term}{'　' * (width - len(term.term))}  {term.count:>5}×  in {term.passages:>6} passages  "
                   f"{term.score:8.2f}")


def _print_hits(hits, fmt: str, color: bool, full: bool = False, explain: bool = False) -> None:
    from .search import hit_json

    if fmt == "json":
        click.echo(json.dumps([hit_json(h, explain) for h in hits], ensure_ascii=False, indent=2))
    elif fmt == "jsonl":
        for hit in hits:
            click.echo(json.dumps(hit_json(hit, explain), ensure_ascii=False))
    else:
        from .render import format_hit

        for hit in hits:
            click.echo(format_hit(hit, color, full, explain), color=color)


@cli.command()
@click.argument("query", nargs=-1, required=True)
@click.option("-o", "--output", required=True, help="File to write; its suffix picks the format. '-' for stdout.")
@click.option("--format", "fmt", type=click.Choice(["json", "jsonl", "csv", "md", "docx"]),
              help="Format (default: from the file name; jsonl for stdout).")
@click.option("--context", type=click.IntRange(min=0), default=0, show_default=True,
              help="Neighbouring passages to include on each side of every hit.")
@click.option("--no-collapse", is_flag=True, help="Keep every copy of a repeated passage (exact or near).")
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
@search_filters
@click.pass_obj
def export(obj: Context, query, output, fmt, context, no_collapse, force, **filter_options):
    """Write every passage matching QUERY, with citations, to a file."""
    from .export import export_matches, format_for, write_output
    from .search import Filters

    fmt = format_for(output, fmt)
    if output != "-" and Path(output).exists() and not force:
        raise SpeechsearchError(f"{output}: exists; use --force to overwrite it")
    if output == "-" and fmt == "docx" and stdout_is_tty():
        raise SpeechsearchError("a .docx is binary: write it to a file with -o FILE.docx")
    text = " ".join(query)
    _doc_as_indexed(obj, filter_options)
    exported = export_matches(_ready_store(obj), text, fmt, Filters.from_options(filter_options), context,
                              collapse=not no_collapse)
    write_output(exported.data, output, force, sys.stdout.buffer)
    if output != "-":
        click.echo(f"wrote {exported.passages} passages ({exported.hits} hits) to {output}", err=True)
    if not exported.hits:
        sys.exit(EXIT_NOTHING)


def _ready_store(obj: Context):
    """The index, built first when there is none yet beside the corpus (never when --index names one)."""
    store = obj.store
    if not store.exists() and obj.index_dir is None:
        click.echo(f"speechsearch: no index yet; building {store.path} from {obj.corpus.file.name}…", err=True)
        report = _build(obj, quiet=not stderr_is_tty())  # a bar on a terminal; piped, this line only
        for doc, reason in report.failed:
            click.echo(f"speechsearch: failed: {doc}: {reason}", err=True)
    gen = store.current()
    if gen is not None:
        from .script import use_traditional_table

        use_traditional_table(gen)
    return store


@cli.command()
@click.argument("doc")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.pass_obj
def show(obj: Context, doc, fmt):
    """The outline of DOC (its path as corpus.yaml names it, or any file)."""
    from .documents import read_document

    document = read_document(obj.corpus, doc)
    if fmt == "json":
        click.echo(json.dumps(document.outline(), ensure_ascii=False, indent=2))
    else:
        from .render import format_outline

        color = stdout_is_tty()
        click.echo(format_outline(document, color), color=color, nl=False)


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (others see the corpus).")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True)
@click.option("--open", "open_browser", is_flag=True, help="Open the page in the default browser.")
@click.pass_obj
def serve(obj: Context, host, port, open_browser):
    """The corpus in a browser: search, documents and exports on a local web page."""
    from .web.serve import serve_corpus

    store = _ready_store(obj)
    serve_corpus(store, lambda: obj.corpus, host, port, open_browser)


@cli.command()
@click.argument("queries", nargs=-1, required=True)
@click.option("--by", type=click.Choice(["year", "quarter", "month"]), default="year", show_default=True)
@click.option("--count", "count", type=click.Choice(["passages", "documents"]), default="passages", show_default=True)
@click.option("--per", type=click.Choice(["1k", "10k", "100k"]), help="Divide by the period's own passage count.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "csv"]), default="text", show_default=True)
@click.option("--plot", "plot_file", help="Also draw a chart to FILE.png or FILE.svg.")
@search_filters
@click.pass_obj
def trend(obj: Context, queries, by, count, per, fmt, plot_file, **filter_options):
    """How often each QUERY was said, period by period (one query per argument; quote phrases).

    Counts are of the passages `search` finds, by the documents' dates.
    """
    from .search import Filters
    from .trend import format_trend, to_csv
    from .trend import trend as count_trend

    if plot_file and not plot_file.lower().endswith((".png", ".svg")):
        raise UsageError(f"--plot {plot_file}: name a .png or .svg file")
    _doc_as_indexed(obj, filter_options)
    per_passages = {"1k": 1000, "10k": 10000, "100k": 100000}.get(per)
    result = count_trend(_ready_store(obj), list(queries), by=by, count=count, per=per_passages,
                         filters=Filters.from_options(filter_options))
    if fmt == "json":
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
    elif fmt == "csv":
        click.echo(to_csv(result), nl=False)
    else:
        click.echo(format_trend(result), nl=False)
    if plot_file:
        from .trend import cjk_font, plot

        if cjk_font() is None:
            click.echo("speechsearch: no CJK font found: Chinese labels will not show (apt-get install fonts-noto-cjk)",
                       err=True)
        plot(result, plot_file)
        click.echo(f"wrote {plot_file}", err=True)
    if not any(s.total for s in result.series):
        sys.exit(EXIT_NOTHING)


@cli.command()
@click.argument("draft", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--min-chars", type=click.IntRange(min=6), default=15, show_default=True,
              help="Shortest verbatim run reported.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "md", "docx"]), default="text", show_default=True)
@click.option("-o", "--output", help="Write to this file ('-' for stdout; a .docx needs a file).")
@click.option("--color", type=click.Choice(["auto", "always", "never"]), default="auto", show_default=True)
@click.option("-q", "--quiet", is_flag=True, help="No progress output.")
@search_filters
@click.pass_obj
def reuse(obj: Context, draft, min_chars, fmt, output, color, quiet, **filter_options):
    """Which sentences of DRAFT (any format index reads) already stand in the corpus, and where.

    Verbatim runs of --min-chars characters or more, and near-duplicates (a few characters
    changed); punctuation, width and script do not count. DRAFT is not added to the index.
    """
    from .reuse import find_reuse
    from .search import Filters

    if fmt == "docx" and (output in (None, "-")):
        raise UsageError("a .docx is binary: write it to a file with -o FILE.docx")
    _doc_as_indexed(obj, filter_options)
    report = find_reuse(_ready_store(obj), draft, min_chars=min_chars, filters=Filters.from_options(filter_options),
                        quiet=quiet or not stderr_is_tty())
    if fmt == "json":
        data = (json.dumps(report.to_dict(), ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    elif fmt == "md":
        from .reuse_output import to_markdown

        data = to_markdown(report).encode("utf-8")
    elif fmt == "docx":
        from .reuse_output import to_docx

        data = to_docx(report)
    else:
        from .reuse_output import format_report

        use_color = color == "always" or (color == "auto" and output in (None, "-") and stdout_is_tty())
        data = format_report(report, use_color).encode("utf-8")
    if output in (None, "-"):
        sys.stdout.buffer.write(data)
    else:
        Path(output).write_bytes(data)
        click.echo(f"wrote {output}", err=True)
    if not report.reused_chars:
        sys.exit(EXIT_NOTHING)


# Commands that only read: once their output is written, nothing is left for Python's own
# shutdown to do but free memory and clear the modules Whoosh and click loaded, which takes
# 30-50 ms of a 0.25 s search. They end with os._exit after flushing instead.
READ_ONLY_COMMANDS = {"search", "similar", "keywords", "show", "trend"}


def main():  # pragma: no cover - console script entry
    code = 0
    Group.own_process = True
    try:
        cli(prog_name="speechsearch")
    except SystemExit as exc:
        code = exc.code
    except KeyboardInterrupt:
        click.echo("speechsearch: interrupted", err=True)
        code = EXIT_INTERRUPTED
    except BrokenPipeError:
        code = _reader_gone()
    if not isinstance(code, int):
        if code is not None:
            click.echo(code, err=True)
        code = 0 if code is None else 1
    if cli.command_run not in READ_ONLY_COMMANDS or _observed():
        sys.exit(code)
    import os

    try:
        sys.stdout.flush()
    except BrokenPipeError:
        code = _reader_gone()
    except OSError as exc:  # the last of the output met a full disk
        code = _cannot_write(exc)
    sys.stderr.flush()
    os._exit(code)


def _observed() -> bool:
    """A profiler or coverage tool is attached; it writes its report at Python's normal exit."""
    monitoring = getattr(sys, "monitoring", None)
    tools = (monitoring.get_tool(i) for i in range(6)) if monitoring else ()
    return bool(sys.getprofile() or sys.gettrace() or any(tools))


def _cannot_write(exc: OSError) -> int:
    click.echo(f"speechsearch: cannot write: {exc.strerror}", err=True)
    return EXIT_INPUT


def _reader_gone() -> int:
    """The reader (head, less) went away: stop quietly with 141, the code of a shell command
    that SIGPIPE ended (grep's, under the default signal handling)."""
    import os

    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 141


__all__ = ["cli", "main", "EXIT_INPUT"]
