"""From a query string to ranked, highlighted passages.

The query language is Whoosh's: words are ANDed; OR, NOT, "quoted phrases" and parentheses
work. Each word or phrase is a literal string: it is folded (width, case) and converted to
simplified script, then must occur in the passage as written (the bigram field guarantees
this), while the jieba word field adds its BM25 phrase score for ranking (``literal.py``).
"""

from __future__ import annotations

import math
import re
from copy import deepcopy
from functools import lru_cache

from .engine.analysis import fold
from .engine.boolean import and_not
from .engine.literal import LITERAL_BOOST, LiteralQuery, literal_parts, top_results
from .engine.store import IndexStore
from .errors import CorpusError, UsageError, require_utf8
from .script import query_forms

OPERATORS = {"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE"}
METADATA_FIELDS = ("speaker", "date", "place", "source", "tags")


class Hit:
    """A matched passage: where it stands (document, breadcrumb, line, offsets), its text and score.

    A plain class where the speech model's records are dataclasses: a search makes a few dozen
    hits, and defining a dataclass of this many fields took 2% of a cold search's instructions."""

    __slots__ = ("id", "doc", "title", "speech", "path", "kind", "line", "start", "end", "text", "score",
                 "highlights", "metadata", "ordinal", "before", "after", "also_in", "explain", "near")

    def __init__(self, id: str, doc: str, title: str, speech: str, path: list[str], kind: str, line: int,
                 start: int, end: int, text: str, score: float, highlights: list[tuple[int, int]] | None = None,
                 metadata: dict | None = None, ordinal: int = 0, explain: dict | None = None):
        self.id, self.doc, self.title, self.speech, self.path, self.kind = id, doc, title, speech, path, kind
        self.line, self.start, self.end, self.text, self.score = line, start, end, text, score
        self.highlights = highlights if highlights is not None else []  # offsets into ``text``
        self.metadata = metadata if metadata is not None else {}  # speaker, date, place, source, tags
        self.ordinal = ordinal  # the passage's place in its document
        self.before: list[Hit] = []  # context passages (search -C, export --context)
        self.after: list[Hit] = []
        self.also_in: list[Hit] = []  # the same text elsewhere (collapsed repeats)
        self.explain = explain  # the parts of ``score`` (ranking.grade_results)
        self.near = False  # in another hit's also_in: a near-duplicate of it, not the same text

    def __repr__(self):
        return f"Hit({self.id!r}, {self.doc!r}, line={self.line}, score={self.score:.4f}, text={self.text[:20]!r})"

    def breadcrumb(self) -> list[str]:
        return [self.speech, *self.path]

    def to_dict(self) -> dict:
        d = {name: None if name in ("before", "after", "also_in") else deepcopy(getattr(self, name))
             for name in self.__slots__}
        d["highlights"] = [list(h) for h in self.highlights]
        d["score"] = round(self.score, 4)
        for key in ("before", "after"):
            d[key] = [h.to_dict() for h in getattr(self, key)]
        d["also_in"] = [{"doc": h.doc, "speech": h.speech, "path": h.path, "line": h.line, "id": h.id,
                         "near": h.near} for h in self.also_in]
        return d


def collapse(hits: list[Hit], near: bool = True) -> list[Hit]:
    """One hit per text: passages that several speeches repeat word for word list every source
    in ``also_in``; with ``near``, so do passages that differ by a few characters (a date, a
    place name: Jaccard ≥ 0.8 of character shingles), marked ``near``."""
    kept: dict[str, Hit] = {}
    for hit in hits:
        if hit.text in kept:
            kept[hit.text].also_in.append(hit)
        else:
            kept[hit.text] = hit
    distinct = list(kept.values())
    if not near or len(distinct) < 2:
        return distinct
    from .shingles import near_duplicate_of, shingle_form, shingles

    heads = near_duplicate_of([shingles(shingle_form(h.text)) for h in distinct])
    out = []
    for hit, head in zip(distinct, heads, strict=True):
        if head is None:
            out.append(hit)
            continue
        hit.near = True
        for copy in hit.also_in:
            copy.near = True
        distinct[head].also_in += [hit, *hit.also_in]
        hit.also_in = []
    return out


def group_by_speech(hits: list[Hit]) -> list[tuple[str, str, list[Hit]]]:
    """(doc, speech, hits) in the order of each speech's best hit."""
    groups: dict[tuple[str, str], list[Hit]] = {}
    for hit in hits:
        groups.setdefault((hit.doc, hit.speech), []).append(hit)
    return [(doc, speech, items) for (doc, speech), items in groups.items()]


def normalize_query_text(text: str) -> str:
    """The form a literal takes in the index: simplified script, folded width and case."""
    return query_literals(text)[-1]


def query_literals(text: str) -> list[str]:
    """Every form ``text`` is looked up in (``script.query_forms``), width and case folded."""
    return list(dict.fromkeys(fold(form) for form in query_forms(text)))


class ParsedQuery:
    """A query string as Whoosh's query, and the literals to highlight."""

    # Records on a search's path are plain classes: a typing.NamedTuple compiles each of its
    # annotations and builds its class from generated code as its module loads, 0.1-0.3 ms
    # each of a cold search.
    __slots__ = ("query", "literals")

    def __init__(self, query, literals: list[str]):
        self.query = query  # a whoosh.query.Query
        self.literals = literals  # the positive literals, for highlighting


def check_syntax(text: str) -> None:
    """Reject what Whoosh's lenient parser would silently reinterpret."""
    require_utf8(text)
    if not text.strip():
        raise UsageError("empty query")
    if text.count('"') % 2:
        raise UsageError(f"query {text!r} does not parse: unbalanced quote")
    depth = 0
    for ch in _quoted_replaced(text, ""):
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if depth < 0:
            raise UsageError(f"query {text!r} does not parse: ')' without '('")
    if depth:
        raise UsageError(f"query {text!r} does not parse: '(' without ')'")
    words = _quoted_replaced(text, " x ").replace("(", " ( ").replace(")", " ) ").split()
    for i, word in enumerate(words):
        if word in OPERATORS:
            before = words[i - 1] if i else None
            after = words[i + 1] if i + 1 < len(words) else None
            if after is None or after in OPERATORS - {"NOT"} or after == ")":
                raise UsageError(f"query {text!r} does not parse: {word} needs a term after it")
            if word != "NOT" and (before is None or before in OPERATORS or before == "("):
                raise UsageError(f"query {text!r} does not parse: {word} needs a term before it")


def _quoted_replaced(text: str, replacement: str) -> str:
    """``text`` with each quoted phrase replaced (the pattern is compiled only for a query with quotes)."""
    return re.sub(r'"[^"]*"', replacement, text) if '"' in text else text


LEVELS = {"speech": "speech", "section": "section", "point": "point", "subpoint": "subpoint",
          "sub-point": "subpoint", "sub_point": "subpoint"}
FIELD_NAMES = ("speaker", "date", "tag", "doc", "speech", "section", "level")


def field_query(name: str, value: str, reader=None):
    """The condition ``name:value`` puts on passages (flags and query fields share it)."""
    from whoosh import query as q


    if name == "speaker":
        return q.Term("speaker", value)
    if name in ("tag", "tags"):
        return q.Term("tags", value.lower())
    if name == "doc":
        return q.Or([q.Term("doc", value), q.Term("file", value)])
    if name in ("speech", "section"):
        literal = normalize_query_text(value)
        field = "speech_chars" if name == "speech" else "crumb_chars"
        parts = literal_parts(literal, reader, field)
        if parts is None:
            raise UsageError(f"{name}:{value} has no letters or digits to search for")
        found = LiteralQuery(field, parts)
        key = "speech_id" if name == "speech" else "heading_ids"
        targets = sorted(_record_targets(reader, found)) or ["\x00none"]  # no record: nothing matches
        return q.Or([q.Term(key, t) for t in targets]) if len(targets) > 1 else q.Term(key, targets[0])
    if name == "level":
        if value.lower() not in LEVELS:
            raise UsageError(f"level {value!r} is not one of speech, section, point, sub-point")
        return q.Term("unit", LEVELS[value.lower()])
    if name == "date":
        return q.Prefix("date", _query_date(value, "date"))
    raise UsageError(f"unknown field {name!r} (known: {', '.join(FIELD_NAMES)})")


def _record_targets(reader, found) -> set[str]:
    """The ids that the speech or heading records matching ``found`` stand for."""
    if reader is None:
        return set()
    from whoosh.searching import Searcher

    searcher = Searcher(reader, closereader=False)
    return {reader.stored_fields(n)["target"] for n in searcher.docs_for_query(found)}


def date_range(since: str | None, until: str | None):
    from whoosh import query as q

    low = _query_date(since, "since") if since else None
    # "2025" must take in 2025-12-31: pad an open end past every longer date.
    high = _query_date(until, "until") + "\uffff" if until else None
    if low and high and low > high:
        raise UsageError(f"the date range {since} to {until} is empty: its start is after its end")
    return q.TermRange("date", low, high)


def _query_date(value: str, what: str) -> str:
    """A date in a query or a filter flag; a malformed one is a usage error (exit 2)."""
    from .corpus import check_date

    try:
        return check_date(value, what)
    except CorpusError as exc:
        raise UsageError(str(exc)) from None


MAX_WORD = 8


def lexicon_words(literal: str, reader) -> list[str]:
    """Segment ``literal`` as jieba would, using the index's own vocabulary and counts.

    jieba picks the path through the sentence's word graph with the highest product of word
    probabilities; here the words are the terms of the index's word field and the probabilities
    their counts in the corpus. This keeps jieba's dictionary load (about 0.1 s with rjieba, 1 s
    with jieba) off the start-up of every search; the word field only ranks, so where this differs
    from jieba no hit is lost.
    """
    total = max(reader.field_length("words"), 1) if reader else 1
    words: list[str] = []
    for run in re.findall(r"[^\W_]+", literal):
        units = re.findall(r"[a-z0-9]+|.", run)  # letters and digits stay together, as in jieba
        best: list[tuple[float, int]] = [(0.0, 0)] + [(-math.inf, 0)] * len(units)
        for i in range(len(units)):
            for j in range(i + 1, min(len(units), i + MAX_WORD) + 1):
                word = "".join(units[i:j])
                count = reader.frequency("words", word) if reader else 0
                if not count and j - i > 1:
                    continue
                score = best[i][0] + math.log(max(count, 1) / total)
                if score > best[j][0]:
                    best[j] = (score, i)
        cuts, j = [], len(units)
        while j > 0:
            i = best[j][1]
            cuts.append("".join(units[i:j]))
            j = i
        words += reversed(cuts)
    return words


def plus_minus(text: str) -> str:
    """``+word`` (required) and ``-word`` (excluded), as most engines read them, in Whoosh's
    words: words are required anyway, and ``-word`` is ``NOT word``. Only a sign that opens a
    word counts; 4.5%-5% keeps its hyphen, and so does any sign inside quotes."""
    if "+" not in text and "-" not in text:
        return text
    pieces = re.split(r'("[^"]*")', text)
    for i in range(0, len(pieces), 2):  # the parts outside quotes
        opens = r"(?=[^\s+-]|$)" if i + 1 < len(pieces) else r"(?=[^\s+-])"  # -"a phrase" too
        pieces[i] = re.sub(r"(^|[\s(])\+" + opens, r"\1", pieces[i])
        pieces[i] = re.sub(r"(^|[\s(])-" + opens, r"\1NOT ", pieces[i])
    return "".join(pieces)


# Words of letters and digits between spaces, none an operator: Whoosh's parser makes them one
# Term, or an And of Terms, of the default field ``q``.
PLAIN_QUERY = re.compile(r"[^\W_]+(?:\s+[^\W_]+)*")
NOT_PLAIN = OPERATORS | {"TO"}  # words Whoosh's parser reads as syntax


def plain_tree(text: str):
    """Whoosh's parse of a query of plain words, built without loading its parser (5 ms of a
    cold search); None for a query with any syntax in it."""
    from whoosh import query as q

    words = text.split()
    if not PLAIN_QUERY.fullmatch(text.strip()) or NOT_PLAIN.intersection(words):
        return None
    return q.Term("q", words[0]) if len(words) == 1 else q.And([q.Term("q", w) for w in words])


def whoosh_tree(text: str):
    """Whoosh's parse of ``text`` (already checked), its fields' words taken verbatim."""
    from whoosh.analysis import IDTokenizer
    from whoosh.fields import TEXT, Schema
    from whoosh.qparser import QueryParser
    from whoosh.qparser import plugins as qplugins

    unquoted = re.sub(r'"[^"]*"', "", text)
    for name in re.findall(r"(?<![\w\"])([A-Za-z_]+):", unquoted):
        if name not in FIELD_NAMES:
            raise UsageError(f"unknown field {name!r} in query (known: {', '.join(FIELD_NAMES)})")
    empty = re.search(r"(?<![\w\"])([A-Za-z_]+):(?=\s|\)|$)", re.sub(r'"[^"]*"', "x", text))
    if empty:
        raise UsageError(f"{empty.group(1)}: in query {text!r} needs a value ({empty.group(1)}:WORD)")
    verbatim = TEXT(analyzer=IDTokenizer())
    parser = QueryParser("q", Schema(q=verbatim, **{name: verbatim for name in FIELD_NAMES}))
    for plugin in (qplugins.SingleQuotePlugin, qplugins.WildcardPlugin, qplugins.BoostPlugin,
                   qplugins.EveryPlugin):
        parser.remove_plugin_class(plugin)
    return parser.parse(text)


def parse_query(text: str, reader=None) -> ParsedQuery:
    """Parse ``text`` with Whoosh's syntax, then make each word a literal-plus-ranking query."""
    from whoosh import query as q

    check_syntax(text)
    text = plus_minus(text)
    tree = plain_tree(text)
    if tree is None:
        tree = whoosh_tree(text)
    literals: list[str] = []

    def leaf(raw: str, negated: bool):
        found = []
        for literal in query_literals(raw):
            parts = literal_parts(literal, reader)
            if parts is None:
                raise UsageError(f"query term {raw!r} has no letters or digits to search for")
            if not negated:
                literals.append(literal)
            exact = literal_pattern(literal).pattern if has_symbols(literal) else None
            words = lexicon_words(literal, reader)
            found.append(LiteralQuery("chars", parts, words, boost=LITERAL_BOOST, exact=exact))
            for head, tail in passage_splits(literal):
                head_parts = literal_parts(head, reader)
                if head_parts is not None:
                    if not negated:
                        literals.append(head)  # what such a hit shows of the literal
                    found.append(LiteralQuery("chars", head_parts, words, boost=LITERAL_BOOST,
                                              exact=literal_pattern(head).pattern, continued=tail))
        return found[0] if len(found) == 1 else q.Or(found)

    def convert(node, negated=False):
        if isinstance(node, q.TermRange):
            if node.fieldname != "date":
                raise UsageError(f"ranges work on date only, not on {node.fieldname}")
            return date_range(node.start, node.end)
        if isinstance(node, (q.Term, q.Phrase)) and node.fieldname != "q":
            value = node.text if isinstance(node, q.Term) else " ".join(node.words)
            return field_query(node.fieldname, value, reader)
        if isinstance(node, q.Term):
            return leaf(node.text, negated)
        if isinstance(node, q.Phrase):
            return leaf(" ".join(node.words), negated)
        if isinstance(node, q.Not):
            return q.Not(convert(node.query, not negated))
        if isinstance(node, q.AndNot):
            return q.AndNot(convert(node.a, negated), convert(node.b, not negated))
        if isinstance(node, q.AndMaybe):
            return q.AndMaybe(convert(node.a, negated), convert(node.b, negated))
        if isinstance(node, q.And):
            return and_not([convert(sub, negated) for sub in node.subqueries])
        if isinstance(node, q.compound.CompoundQuery):
            return type(node)([convert(sub, negated) for sub in node.subqueries])
        if node is q.NullQuery:
            raise UsageError(f"query {text!r} does not parse")
        raise UsageError(f"query {text!r} uses syntax speechsearch does not support ({type(node).__name__})")

    converted = convert(tree)
    if _only_negative(converted) or not literals:
        # Only NOT terms or only fields: every passage, then the conditions.
        conditions = converted.subqueries if isinstance(converted, q.And) else [converted]
        converted = and_not([q.Term("kind", "passage"), *conditions])
    return ParsedQuery(converted, literals)


def _only_negative(node) -> bool:
    from whoosh import query as q

    if isinstance(node, q.Not):
        return True
    if isinstance(node, q.And):
        return all(_only_negative(s) for s in node.subqueries)
    return False


def highlight_spans(text: str, literals: list[str]) -> list[tuple[int, int]]:
    """Where the literals occur in ``text``, merged; matching ignores width, case and punctuation
    between letters exactly as the bigram field does."""
    folded = fold(text)
    spans: list[tuple[int, int]] = []
    for literal in literals:
        pattern = literal_pattern(literal)
        if pattern is not None:
            spans += [(m.start(), m.end()) for m in pattern.finditer(folded)]
    return merge_spans(spans)


def merge_spans(spans) -> list[tuple[int, int]]:
    """``spans`` sorted, with those that overlap or touch joined."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def marked_pieces(text: str, spans) -> list[tuple[str, object]]:
    """``text`` cut into (piece, mark) runs at sorted ``spans``: the mark is True for a span
    (start, end), its label for a span (start, end, label), False between them. A span that
    starts inside the one before it is left out."""
    pieces, at = [], 0
    for start, end, *label in spans:
        if start < at:
            continue
        if start > at:
            pieces.append((text[at:start], False))
        pieces.append((text[start:end], label[0] if label else True))
        at = end
    if at < len(text):
        pieces.append((text[at:], False))
    return pieces


def passage_splits(literal: str) -> list[tuple[str, str]]:
    """(head, tail) for each place ``literal`` may cross from one passage into the next on a
    line: after a heading's sentence end (体系。推进) and before an inline sub-point (领导。二是)."""
    from .markers import SENTENCE_END, inline_markers, may_hold_inline_marker

    cuts = {i + 1 for i, ch in enumerate(literal[:-1]) if ch in SENTENCE_END}
    for _, _, pattern in inline_markers() if may_hold_inline_marker(literal) else ():
        cuts |= {m.start() for m in pattern.finditer(literal) if m.start() > 0}
    return [(literal[:k].rstrip(), literal[k:].lstrip()) for k in sorted(cuts)
            if literal[:k].strip() and literal[k:].strip()]


def has_symbols(literal: str) -> bool:
    """Whether ``literal`` holds characters the bigram field does not index (% + . “”)."""
    return bool(re.search(r"[^\w\s]|_", literal))


@lru_cache(maxsize=256)
def literal_pattern(literal: str):
    """Where a folded literal occurs in folded text, as Ctrl-F finds it: letters, digits and
    symbols as typed (5.5% is not in 4.5%-5%), a space as any run of punctuation (a quoted
    "抓 落实" finds 抓、落实), as the bigram field matches it."""
    pieces = re.findall(r"[^\W_]+|\s+|[\W_]", literal.strip())
    if not any(re.match(r"[^\W_]", p) for p in pieces):
        return None
    return re.compile("".join(r"[\W_]+" if p.isspace() else re.escape(p) for p in pieces))


class Filters:
    """Conditions every hit must meet, whatever the query (the search and export flags)."""

    __slots__ = ("speaker", "since", "until", "tags", "doc", "speech", "section", "level")

    def __init__(self, speaker: str | None = None, since: str | None = None, until: str | None = None,
                 tags: tuple[str, ...] = (), doc: str | None = None, speech: str | None = None,
                 section: str | None = None, level: str | None = None):
        self.speaker, self.since, self.until, self.tags = speaker, since, until, tags
        self.doc, self.speech, self.section, self.level = doc, speech, section, level

    @classmethod
    def from_options(cls, options: dict) -> Filters:
        options = dict(options)
        options["tags"] = tuple(options.get("tags") or ())
        return cls(**options)

    def query(self, reader=None):
        """The filter, or None when there is none: file records hold no text, so a query that
        needs a literal never meets one, and an empty filter spares Whoosh a set of every docnum."""
        from whoosh import query as q

        for name in ("speaker", "doc", "speech", "section", "level", "since", "until"):
            if getattr(self, name):
                require_utf8(getattr(self, name), f"--{name} value")
        for tag in self.tags:
            require_utf8(tag, "--tag value")
        parts = []
        if self.since or self.until:
            parts.append(date_range(self.since, self.until))
        for name in ("speaker", "doc", "speech", "section", "level"):
            if getattr(self, name):
                parts.append(field_query(name, getattr(self, name), reader))
        parts += [field_query("tag", t) for t in self.tags]
        if not parts:
            return None
        return q.And(parts) if len(parts) > 1 else parts[0]


RERANK_POOL = 200  # a page of N is chosen from the engine's best max(10 N, this)


def run_search(store: IndexStore, text: str, limit: int | None = 20, filters: Filters | None = None,
               context: int = 0) -> list[Hit]:
    """Ranked hits for ``text``; with ``context``, each carries that many neighbours each side."""
    with store.searcher() as searcher:
        parsed = parse_query(text, searcher.reader())
        # The engine's best RERANK_POOL (or every hit) are read as a reader would (ranking.py)
        pool = None if limit is None else max(limit * 10, RERANK_POOL)

        def page(graded: list, complete: bool = False) -> list | None:
            return graded[:limit] if complete or len(graded) >= limit else None

        graded = _graded(searcher, parsed, pool, filters, page if limit is not None else None)[1]
        return [_hit(searcher, *item, parsed.literals, context) for item in graded]


def _graded(searcher, parsed: ParsedQuery, pool: int | None, filters: Filters | None, page=None,
            stored: dict | None = None):
    """The engine's best ``pool`` hits as (docnum, fields, score, parts), in the reader's order;
    with ``page``, what it makes of as many of them as it needs (``ranking.grade_results``)."""
    from .ranking import grade_results

    results = top_results(searcher, parsed.query, pool, (filters or Filters()).query(searcher.reader()))
    return results.scored_length(), grade_results(results, parsed.literals, page, stored)


def _hit(searcher, docnum: int, fields: dict, score: float, parts: dict, literals: list[str], context: int) -> Hit:
    hit = hit_from_fields(fields, score, literals)
    hit.explain = parts
    if context > 0:
        _add_context(searcher.reader(), docnum, hit, context, literals)
    return hit


def matching_docnums(searcher, text: str, filters: Filters | None = None) -> list[int]:
    """Every passage ``text`` matches under ``filters``, unranked: what counts are made of."""
    from whoosh import query as q

    reader = searcher.reader()
    query = parse_query(text, reader).query
    condition = (filters or Filters()).query(reader)
    if condition is not None:
        query = q.And([query, condition])
    return list(searcher.docs_for_query(query))


def count_hits(store: IndexStore, text: str) -> int:
    """How many passages ``text`` matches, without reading or grading them."""
    with store.searcher() as searcher:
        return sum(1 for _ in searcher.docs_for_query(parse_query(text, searcher.reader()).query))


def run_collapsed_search(store: IndexStore, text: str, limit: int | None = 20, filters: Filters | None = None,
                         context: int = 0) -> list[Hit]:
    """The first ``limit`` hits once repeats are collapsed (``collapse``). The graded pool is
    read in order until it holds ``limit`` texts that are not repeats or near-duplicates of an
    earlier one (their repeats come too, for ``also_in``); a pool that runs out first is read
    again four times as deep, by the same searcher, which reads no hit's stored fields twice."""
    if limit is None:
        return collapse(run_search(store, text, None, filters, context))
    pool = max(limit * 10, RERANK_POOL)
    page, stored = _collapsed_page(limit), {}
    with store.searcher() as searcher:
        parsed = parse_query(text, searcher.reader())
        while True:
            read, (chosen, full) = _graded(searcher, parsed, pool, filters, page, stored)
            if full or read < pool:
                break
            pool *= 4  # more matches than the pool held: read deeper
        hits = [_hit(searcher, *item, parsed.literals, context) for item in chosen]
    return collapse(hits)[:limit]


def _collapsed_page(limit: int):
    """A ``grade_results`` page: the graded hits up to the first text after ``limit`` that are
    not repeats or near-duplicates of an earlier one (their repeats come too, for ``also_in``),
    and whether ``limit`` such texts were found."""
    from .shingles import near_one_of, shingle_form, shingles

    forms: dict[str, set] = {}  # a text's shingles, kept across the checks of one search

    def page(graded: list, complete: bool = False) -> tuple[list, bool] | None:
        chosen, seen, kept, heads = [], set(), [], []  # heads: the texts collapse keeps
        for item in graded:
            passage = item[1]["text"]
            if passage not in seen:
                if len(heads) >= limit:
                    return chosen, True
                seen.add(passage)
                if passage not in forms:
                    forms[passage] = shingles(shingle_form(passage))
                kept.append(forms[passage])
                if near_one_of(kept[-1], kept, heads) is None:
                    heads.append(len(kept) - 1)
            chosen.append(item)
        return (chosen, len(heads) >= limit) if complete else None

    return page


def _add_context(reader, docnum: int, hit: Hit, n: int, literals: list[str]) -> None:
    """The ``n`` passages each side of ``hit`` in its document. A document's passages are
    written one after another and Whoosh keeps that order when it merges segments, so they
    are the passages of the same document on the nearest document numbers."""
    for step, side in ((-1, hit.before), (1, hit.after)):
        number = docnum + step
        while len(side) < n and 0 <= number < reader.doc_count_all():
            if not reader.is_deleted(number):
                fields = reader.stored_fields(number)
                if fields.get("doc") != hit.doc or fields.get("kind") not in ("passage", "speech", "heading"):
                    break
                if fields["kind"] == "passage":
                    side.append(hit_from_fields(fields, 0.0, literals))
            number += step
    hit.before.reverse()


def hit_from_fields(f: dict, score: float, literals: list[str]) -> Hit:
    return Hit(id=f["id"], doc=f["doc"], title=f.get("title", ""), speech=f["speech"], path=list(f["path"]),
               kind=f["passage_kind"], line=f["line"], start=f["start"], end=f["end"], text=f["text"],
               score=score or 0.0, highlights=highlight_spans(f["text"], literals),
               metadata=_metadata(f), ordinal=f.get("ordinal", 0))


def _metadata(fields: dict) -> dict:
    meta = {k: fields[k] for k in METADATA_FIELDS if fields.get(k)}
    if "tags" in meta:
        meta["tags"] = meta["tags"].split(",")
    return meta


HIT_KEYS = ("id", "doc", "speech", "path", "line", "start", "end", "text", "score", "highlights", "kind", "title",
            "metadata", "also_in")


def hit_json(hit: Hit, explain: bool = False) -> dict:
    """A hit as --format json prints it and /api/search answers."""
    d = hit.to_dict()
    out = {key: d[key] for key in HIT_KEYS}
    if explain and d.get("explain"):
        out["explain"] = d["explain"]
    for key in ("before", "after"):
        if d[key]:
            out[key] = [{k: c[k] for k in HIT_KEYS} for c in d[key]]
    return out
