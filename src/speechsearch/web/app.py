"""The corpus in a browser: search, documents, exports and the JSON the CLI prints.

A Starlette app over the same library the CLI calls: ``run_collapsed_search`` for hits,
``export_matches`` for downloads, ``read_document`` for a document's outline. It keeps one
searcher open (``IndexStore(keep_open=True)``), refreshed when ``index`` or ``add`` commits.

Document text came from the web and is treated as hostile: every value reaches the page through
Jinja2's autoescaping, the only script is the app's own file (the Content-Security-Policy allows
nothing else), and a document is found by its name in the index, never by a path on disk.
"""

from __future__ import annotations

import threading
import traceback
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import quote, urlencode

from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from ..errors import IndexMissing, IndexUnusable, SpeechsearchError, UsageError

PAGE_SIZE = 20
MAX_QUERY = 1000
FACET_ROWS = 10
EXPORT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "md": "text/markdown; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
    "jsonl": "application/x-ndjson; charset=utf-8",
}
LEVEL_NAMES = {"speech": "导语、结语（无小标题）", "section": "部分（一、）", "point": "要点（(一) 1.）",
               "subpoint": "分项（一是）"}
FILTER_PARAMS = ("speaker", "year", "tag", "doc", "level")
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
                               "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


@dataclass
class SearchState:
    """What the URL says: the query, the facet filters and the page."""

    q: str = ""
    speaker: str = ""
    year: str = ""
    tag: str = ""
    doc: str = ""
    level: str = ""
    page: int = 1

    @classmethod
    def from_request(cls, request: Request) -> SearchState:
        params = request.query_params
        if len(params.get("q", "")) > MAX_QUERY:
            raise HTTPException(400, f"the query is longer than {MAX_QUERY} characters")
        try:
            page = int(params.get("page", "1"))
        except ValueError:
            raise HTTPException(400, "page must be a number") from None
        if page < 1:
            raise HTTPException(400, "page must be 1 or more")
        return cls(q=params.get("q", "").strip(), page=page, **{k: params.get(k, "").strip() for k in FILTER_PARAMS})

    def filters(self):
        from ..search import Filters

        year = self.year if self.year.isdigit() and len(self.year) == 4 else None
        if self.year and not year:
            raise UsageError(f"year {self.year!r} is not a year")
        return Filters(speaker=self.speaker or None, since=year, until=year, tags=[self.tag] if self.tag else [],
                       doc=self.doc or None, level=self.level or None)

    def url(self, path: str = "/", **changes) -> str:
        values = {"q": self.q, **{k: getattr(self, k) for k in FILTER_PARAMS}, "page": self.page} | changes
        if values.get("page") == 1:
            del values["page"]
        query = urlencode({k: v for k, v in values.items() if v})
        return f"{path}?{query}" if query else path

    @property
    def active(self) -> list[tuple[str, str]]:
        return [(k, getattr(self, k)) for k in FILTER_PARAMS if getattr(self, k)]


class Engine:
    """The index and corpus behind the pages; one request at a time reads the searcher."""

    def __init__(self, store, corpus_loader):
        self.store = store
        self._corpus_loader = corpus_loader
        self.lock = threading.Lock()
        self._facets = None
        # A document read from its source, kept while its file is unchanged (``stamp``): a JSONL
        # record otherwise means reading the whole file again.
        self.document = lru_cache(maxsize=32)(self._read_document)

    def _read_document(self, doc: str, stamp):
        from ..documents import read_document

        return read_document(self.corpus, doc, any_file=False)

    @property
    def corpus(self):
        return self._corpus_loader()

    def facets(self, searcher):
        from ..facets import FACETS, FacetTable, generation_of

        if self._facets is None or self._facets.generation != generation_of(searcher):
            self._facets = FacetTable.read(searcher, FACETS)
        return self._facets


def create_app(store, corpus_loader) -> Starlette:
    """The web app over ``store`` (an ``IndexStore``, ideally ``keep_open``); ``corpus_loader``
    returns the Corpus (for reading a document again from its source)."""
    engine = Engine(store, corpus_loader)
    templates = Environment(loader=PackageLoader("speechsearch.web", "templates"),
                            autoescape=select_autoescape(default=True, default_for_string=True))
    templates.filters["doc_url"] = doc_url
    templates.globals["level_names"] = LEVEL_NAMES

    def page(name: str, status: int = 200, **context) -> HTMLResponse:
        return HTMLResponse(templates.get_template(name).render(**context), status_code=status,
                            headers=SECURITY_HEADERS)

    def search_page(request: Request) -> Response:
        state = SearchState.from_request(request)
        context = {"state": state, "hits": [], "facets": {}, "total": 0, "more": False}
        if state.q:
            context |= _results(engine, state)
            if state.page > 1 and not context["hits"]:
                raise HTTPException(404, f"page {state.page} is past the last page of hits")
        template = "_results.html" if request.query_params.get("partial") else "search.html"
        exports = {fmt: state.url(f"/export.{fmt}", page=1) for fmt in EXPORT_TYPES}
        return page(template, state=state, exports=exports, **{k: v for k, v in context.items() if k != "state"})

    def api_search(request: Request) -> Response:
        from ..search import hit_json, run_collapsed_search

        state = SearchState.from_request(request)
        if not state.q:
            raise UsageError("empty query: give q=WORDS")
        limit = _limit(request, 20)
        with engine.lock:
            hits = run_collapsed_search(engine.store, state.q, limit=limit, filters=state.filters())
        return JSONResponse([hit_json(h) for h in hits], headers=SECURITY_HEADERS)

    def export(request: Request) -> Response:
        from ..export import export_matches

        fmt = request.path_params["fmt"]
        if fmt not in EXPORT_TYPES:
            raise HTTPException(404, f"no export as .{fmt} (there are {', '.join(EXPORT_TYPES)})")
        state = SearchState.from_request(request)
        if not state.q:
            raise UsageError("empty query: nothing to export")
        with engine.lock:
            exported = export_matches(engine.store, state.q, fmt, state.filters())
        name = quote(f"speechsearch-{state.q[:40]}.{fmt}")
        headers = SECURITY_HEADERS | {"Content-Disposition": f"attachment; filename=\"export.{fmt}\"; "
                                                             f"filename*=UTF-8''{name}"}
        return Response(exported.data, media_type=EXPORT_TYPES[fmt], headers=headers)

    def document_page(request: Request) -> Response:
        document, terms = _document(engine, request.path_params["doc"], with_terms=True)
        q = request.query_params.get("q", "")[:MAX_QUERY]
        return page("doc.html", document=document, blocks=_blocks(document, q), terms=terms, q=q,
                    metadata=_shown_metadata(document.metadata), state=SearchState(q=q))

    def api_document(request: Request) -> Response:
        document, _ = _document(engine, request.path_params["doc"])
        return JSONResponse(document.outline(), headers=SECURITY_HEADERS)

    def similar_page(request: Request) -> Response:
        from ..discover import similar

        with engine.lock:
            source, hits = similar(engine.store, request.path_params["hit_id"], limit=_limit(request, 10))
        if request.url.path.startswith("/api/"):
            from ..search import hit_json

            return JSONResponse({"source": hit_json(source), "similar": [hit_json(h) for h in hits]},
                                headers=SECURITY_HEADERS)
        return page("similar.html", source=source, hits=hits, state=SearchState())

    def api_keywords(request: Request) -> Response:
        doc = request.path_params["doc"]
        _require_indexed(engine, doc)
        from ..discover import key_terms

        with engine.lock:
            terms = key_terms(engine.store, doc=doc, limit=_limit(request, 20))
        return JSONResponse([t.to_dict() for t in terms], headers=SECURITY_HEADERS)

    def error_page(request: Request, exc: Exception) -> Response:
        status, message = _status_of(exc)
        if status == 500:  # the server's log, on its stderr; the page says one line
            traceback.print_exception(exc)
        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": message}, status_code=status, headers=SECURITY_HEADERS)
        return page("error.html", status=status, status_code=status, message=message, state=SearchState())

    routes = [
        Route("/", search_page),
        Route("/doc/{doc:path}", document_page),
        Route("/similar/{hit_id:path}", similar_page),
        Route("/export.{fmt}", export),
        Route("/api/search", api_search),
        Route("/api/doc/{doc:path}", api_document),
        Route("/api/similar/{hit_id:path}", similar_page),
        Route("/api/keywords/{doc:path}", api_keywords),
        Mount("/static", StaticFiles(packages=[("speechsearch.web", "static")]), name="static"),
    ]
    handlers = {Exception: error_page, HTTPException: error_page, SpeechsearchError: error_page}
    app = Starlette(routes=routes, exception_handlers=handlers)
    app.state.engine = engine
    return app


def doc_url(doc: str, line: int | None = None, q: str = "") -> str:
    """The document page of ``doc`` (every character escaped, '/' kept), at ``line``."""
    url = "/doc/" + quote(doc, safe="/")
    if q:
        url += "?" + urlencode({"q": q})
    return url + (f"#L{line}" if line else "")


def _limit(request: Request, default: int) -> int:
    try:
        limit = int(request.query_params.get("limit", default))
    except ValueError:
        raise HTTPException(400, "limit must be a number") from None
    if not 1 <= limit <= 1000:
        raise HTTPException(400, "limit must be between 1 and 1000")
    return limit


def _status_of(exc: Exception) -> tuple[int, str]:
    if isinstance(exc, HTTPException):
        return exc.status_code, exc.detail
    if isinstance(exc, UsageError):
        return 400, str(exc)
    if isinstance(exc, IndexMissing | IndexUnusable):
        return 503, str(exc)
    if isinstance(exc, SpeechsearchError):
        return 404 if "no passage with id" in str(exc) or "not in the corpus" in str(exc) else 400, str(exc)
    return 500, f"the server met an error it did not expect ({type(exc).__name__}); the index was not changed"


def _results(engine: Engine, state: SearchState) -> dict:
    from ..search import matching_docnums, run_collapsed_search

    filters = state.filters()
    with engine.lock:
        hits = run_collapsed_search(engine.store, state.q, limit=state.page * PAGE_SIZE + 1, filters=filters)
        with engine.store.searcher() as searcher:
            matches = matching_docnums(searcher, state.q, filters)
            table = engine.facets(searcher)
            facets = {name: table.count(matches, name) for name in ("speaker", "year", "tags", "doc", "unit")}
            titles = _titles(searcher, table, matches, [doc for doc, _ in facets["doc"].most_common(FACET_ROWS)])
    first = (state.page - 1) * PAGE_SIZE
    shown = {
        "speaker": facets["speaker"].most_common(FACET_ROWS),
        "year": sorted(facets["year"].items(), reverse=True)[:FACET_ROWS],
        "tag": facets["tags"].most_common(FACET_ROWS),
        "doc": [(doc, n, titles.get(doc, doc)) for doc, n in facets["doc"].most_common(FACET_ROWS)],
        "level": [(level, facets["unit"][level]) for level in LEVEL_NAMES if facets["unit"][level]],
    }
    return {"hits": [_shown_hit(h, state.q) for h in hits[first:first + PAGE_SIZE]], "facets": shown,
            "total": len(matches), "more": len(hits) > first + PAGE_SIZE, "first": first}


def _titles(searcher, table, matches: list[int], docs: list[str]) -> dict[str, str]:
    """The titles of ``docs``, read from one matching passage of each (a term lookup of the
    document would walk every passage's postings)."""
    wanted, column, titles = set(docs), table.values["doc"], {}
    for docnum in matches:
        doc = column[docnum]
        if doc in wanted and doc not in titles:
            titles[doc] = searcher.stored_fields(docnum).get("title") or doc
            if len(titles) == len(wanted):
                break
    return titles


@dataclass
class ShownHit:
    hit: object
    pieces: list[tuple[str, bool]]  # the passage as (text, is a match)
    url: str


def _shown_hit(hit, q: str) -> ShownHit:
    from ..search import marked_pieces

    return ShownHit(hit, marked_pieces(hit.text, hit.highlights), doc_url(hit.doc, hit.line, q))


def _require_indexed(engine: Engine, doc: str) -> None:
    """Only a document the index holds is served: its name is looked up as a term, so '../',
    absolute paths and NUL are names like any other and are not found."""
    with engine.lock, engine.store.searcher() as searcher:
        if searcher.document_number(doc=doc) is None:
            raise HTTPException(404, f"no document {doc!r} in the index")


def _document(engine: Engine, doc: str, with_terms: bool = False):
    _require_indexed(engine, doc)
    corpus = engine.corpus
    try:
        document = engine.document(doc, _source_stamp(corpus, doc))
    except SpeechsearchError as exc:
        raise HTTPException(404, f"{doc}: its source can no longer be read ({exc})") from None
    terms = []
    if with_terms:
        from ..discover import key_terms

        with engine.lock:
            terms = key_terms(engine.store, doc=doc, limit=15)
    return document, terms


def _source_stamp(corpus, doc: str):
    from ..documents import find_source

    try:
        path = find_source(corpus, doc.partition("#")[0], any_file=False).path
        stat = path.stat()
    except (SpeechsearchError, OSError):
        return None
    return (str(path), stat.st_mtime_ns, stat.st_size)


@dataclass
class Block:
    """A line of the document as the page shows it: a heading or a paragraph of passages."""

    line: int
    tag: str  # h1 … h5 or p
    pieces: list[tuple[str, bool]]


def _blocks(document, q: str) -> list[Block]:
    from ..search import highlight_spans, marked_pieces, query_literals

    literals = query_literals(q) if q.strip() else []
    by_line: dict[int, list] = {}
    for passage in document.passages:
        by_line.setdefault(passage.line, []).append(passage)
    blocks = []
    for line, passages in by_line.items():
        first = passages[0]
        tag = "p"
        if first.kind == "title":
            tag = "h1"
        elif first.kind == "heading" and len(passages) == 1:
            tag = f"h{min(len(first.path) + 1, 5)}"
        pieces: list[tuple[str, bool]] = []
        for passage in passages:
            pieces += marked_pieces(passage.text, highlight_spans(passage.text, literals) if literals else [])
        blocks.append(Block(line, tag, pieces))
    return blocks


SHOWN_METADATA = ("speaker", "date", "place", "source", "tags")


def _shown_metadata(metadata: dict) -> list[tuple[str, str, str | None]]:
    """(name, value, link) for the page's header; only http(s) sources become links."""
    shown = []
    for name in SHOWN_METADATA:
        value = metadata.get(name)
        if not value:
            continue
        value = ", ".join(value) if isinstance(value, list) else str(value)
        link = value if name == "source" and value.lower().startswith(("http://", "https://")) else None
        shown.append((name, value, link))
    return shown
