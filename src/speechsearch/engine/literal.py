"""A literal's matches and scores, computed a segment at a time from position keys.

A query word is a literal: the passages that contain it are those where its character bigrams
stand at consecutive positions, and its rank comes from BM25 of the literal as a phrase of
bigrams (a quarter of the score) and as a phrase of the words jieba would cut it into.

``LiteralQuery`` is a Whoosh query. Its matcher reads each term's occurrences as integer keys
(``document << 32 | position``, see ``codec.py``), finds the phrase's starts with set
intersections of the keys shifted by each term's offset, counts them per document and scores
the documents, all with C-level loops over whole posting lists; the per-document Python work
left is one score. Whoosh's phrase matchers step through postings document by document, and a
literal in thousands of passages took a hundred milliseconds. A common word of a phrase (发展,
人民: ``common_words.py``) is read joined with its neighbour, a far rarer term.

Scoring follows Lucene's phrase query: BM25 of the phrase's frequency in the passage with the
sum of its terms' idf. A phrase of one term scores exactly as Whoosh's BM25F scores the term.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter
from functools import cache
from heapq import nlargest
from itertools import accumulate, chain, compress, repeat
from math import log
from operator import add, ge, mul, rshift, truediv

from whoosh import matching, query
from whoosh.scoring import bm25

from . import boolean  # noqa: F401  (mends Whoosh's compound matchers, which this one's floors exposed)
from .analysis import bigrams

LITERAL_BOOST = 0.25  # the bigram field decides what matches; the word field decides the order


def literal_parts(literal: str, reader, field: str = "chars") -> list[tuple[str, ...]] | None:
    """The terms at each position of ``literal`` in a bigram field: one bigram, or for a
    literal that ends on one character, every term that starts with it (in a passage that
    character may be followed by more text). None for a literal without letters or digits."""
    grams = list(bigrams(literal))
    if not grams:
        return None
    if len(grams[-1][0]) == 1 and len(grams) > 1 and len(grams[-2][0]) == 2 and grams[-2][3] == grams[-1][3]:
        grams.pop()  # the trailing single character is already inside the preceding bigram
    parts = [(gram,) for gram, _, _, _ in grams]
    last = grams[-1][0]
    if len(last) == 1:
        expanded = reader.expand_prefix(field, last) if reader is not None else ()
        parts[-1] = tuple(t.decode("utf-8") if isinstance(t, bytes) else t for t in expanded)
    return parts


class LiteralQuery(query.Query):
    """Documents whose ``field`` holds ``parts`` at consecutive positions, scored as that
    phrase times ``boost``, plus the phrase ``ranking`` of the word field where it occurs."""

    def __init__(self, field: str, parts, ranking=(), ranking_field: str = "words", boost: float = 1.0,
                 exact: str | None = None, continued: str | None = None):
        self.fieldname = field
        self.parts = [tuple(alternatives) for alternatives in parts]
        self.ranking = tuple(ranking)
        self.ranking_field = ranking_field
        self.boost = boost
        # A literal with symbols (5%, 5.5%, 人工智能+) whose bigrams match more than it does
        # (5.5% in 4.5%-5%): a regular expression every passage's folded text must hold.
        self.exact = exact
        # A literal that crosses from one passage into the next on the same line: ``parts``
        # and ``exact`` are its head, which must end the passage, and the next passage must
        # open with ``continued``, its folded tail.
        self.continued = continued

    def __repr__(self):
        return (f"{type(self).__name__}({self.fieldname!r}, {self.parts!r}, {self.ranking!r}, "
                f"boost={self.boost!r}, exact={self.exact!r}, continued={self.continued!r})")

    def _key(self):
        return (self.fieldname, tuple(self.parts), self.ranking, self.ranking_field, self.boost, self.exact,
                self.continued)

    def __eq__(self, other):
        return type(other) is type(self) and other._key() == self._key()

    def __hash__(self):
        return hash(self._key())

    def is_leaf(self):
        return True

    def field(self):
        return self.fieldname

    def terms(self, phrases=False):
        for alternatives in self.parts:
            for term in alternatives:
                yield self.fieldname, term

    def requires(self):
        return {self}

    def estimate_size(self, ixreader):
        return min((sum(ixreader.doc_frequency(self.fieldname, t) for t in alternatives)
                    for alternatives in self.parts), default=0)

    def estimate_min_size(self, ixreader):
        return self.estimate_size(ixreader)

    def matcher(self, searcher, context=None):
        weighting = context.weighting if context is not None else searcher.weighting
        limit = getattr(context, "limit", 0) if getattr(context, "top_query", None) is self else 0
        if limit and weighting is not None and self._one_term():
            best = heads_best(searcher, weighting, self._components(), limit)
            if best is not None:
                return ScoredDocsMatcher(*best) if best[0] else matching.NullMatcher()
        docs, scores = phrase_scores(searcher, weighting, self.fieldname, self.parts, self.boost, bigrams=True)
        if docs and self.continued is not None:
            docs, scores = _continuing(searcher.reader(), docs, scores, self.exact, self.continued)
        elif docs and self.exact:
            docs, scores = _holding(searcher.reader(), docs, scores, self.exact)
        if docs and self.ranking and weighting is not None:
            ranked_docs, ranked = phrase_scores(searcher, weighting, self.ranking_field,
                                                [(w,) for w in self.ranking], 1.0)
            if ranked_docs:
                extra = dict(zip(ranked_docs, ranked, strict=True))
                scores = list(map(add, scores, map(extra.get, docs, repeat(0.0))))
        if not docs:
            return matching.NullMatcher()
        if limit and len(docs) > limit:
            docs, scores = _best(docs, scores, limit)
        return ScoredDocsMatcher(docs, scores)


    def _one_term(self) -> bool:
        """Whether the literal is one term of its field, ranked by at most one word: a sum of
        two terms' scores, which ``heads_best`` can bound."""
        return (len(self.parts) == 1 and len(self.parts[0]) == 1 and len(self.ranking) <= 1
                and self.exact is None and self.continued is None)

    def _components(self) -> list[tuple[str, str, float]]:
        return [(self.fieldname, self.parts[0][0], self.boost)] + [(self.ranking_field, word, 1.0)
                                                                   for word in self.ranking]


def _best(docs: list[int], scores: list[float], limit: int) -> tuple[list[int], list[float]]:
    """The documents scoring at least the ``limit``-th best score (ties included), in
    document order: the only ones that can enter a top ``limit`` of this segment."""
    floor = _kth_best(scores, limit)
    keep = list(map(ge, scores, repeat(floor)))
    return _kept(docs, scores, keep)


def _kth_best(values: list[float], k: int) -> float:
    """The ``k``-th highest of ``values`` (there are at least ``k``). A sort is C throughout;
    heapq's ``nlargest`` steps through the values in Python, and is the quicker only past some
    sixteen values for each place (a frequent term's heads: 1,024 values for 200 places)."""
    if len(values) < 16 * k:
        return sorted(values, reverse=True)[k - 1]
    return nlargest(k, values)[-1]


def _kept(docs, values, keep: list[bool]) -> tuple[list[int], list]:
    """The documents, and their values, where ``keep`` is true."""
    return list(compress(docs, keep)), list(compress(values, keep))


def top_results(searcher, query, limit: int | None, condition=None):
    """Whoosh's results for the best ``limit`` documents of ``query`` under ``condition``.
    Without a condition the query is told the limit (``SearchContext.limit``, which Whoosh
    defines and leaves unset): a literal that is the whole query then hands the collector only
    the documents that can enter a segment's top ``limit``, not every match to step over."""
    collector = searcher.collector(limit=limit, filter=condition)
    context = searcher.context(top_query=query, limit=limit or 0) if condition is None else None
    searcher.search_with_collector(query, collector, context=context)
    return collector.results()


def _holding(reader, docs: list[int], scores: list[float], pattern: str) -> tuple[list[int], list[float]]:
    """The documents (and their scores) whose stored text, folded, holds ``pattern``."""
    from .analysis import fold

    search = re.compile(pattern).search
    keep = [bool(search(fold(reader.stored_fields(doc)["text"]))) for doc in docs]
    return _kept(docs, scores, keep)


def _continuing(reader, docs: list[int], scores: list[float], head: str, tail: str) -> tuple[list[int], list[float]]:
    """The documents (and their scores) whose text ends with ``head`` and whose next passage
    on the same line opens with ``tail`` (a line's passages are consecutive documents)."""
    from .analysis import fold

    ends = re.compile(f"(?:{head})\\s*$").search
    keep = []
    for doc in docs:
        fields = reader.stored_fields(doc)
        if doc + 1 >= reader.doc_count_all() or reader.is_deleted(doc + 1) or not ends(fold(fields["text"])):
            keep.append(False)
            continue
        after = reader.stored_fields(doc + 1)
        keep.append(after.get("kind") == "passage" and after.get("doc") == fields.get("doc")
                    and after.get("line") == fields.get("line") and fold(after["text"]).lstrip().startswith(tail))
    return _kept(docs, scores, keep)


def phrase_scores(searcher, weighting, field: str, parts, boost: float, bigrams: bool = False,
                  joined: bool = True) -> tuple[list[int], list[float]]:
    """The documents of ``searcher``'s segment holding the phrase ``parts`` of ``field``, in
    order, and each one's score; with no ``weighting`` (a filter, a NOT: only the documents
    count) every score is ``boost``. ``bigrams``: ``field`` holds character bigrams, so a
    match can imply some of its terms (``_implied_bigrams``). ``joined``: a common term is
    read joined with a neighbour where the field keeps common grams (``_pieces``); without,
    every term is read itself (the same answer, for tests and benchmarks)."""
    from .codec import DOC_SHIFT, term_postings

    reader = searcher.reader()
    implied = _implied_bigrams(reader, field, parts) if bigrams else {}
    pieces = _pieces(field, parts, implied, joined_field(searcher.schema, field) if joined else None)
    occurrences, exclusions, deleted, boosts = [], [], set(), None
    with_keys = len(pieces) > 1  # one term needs its counts, a phrase of more only their keys
    for offset, looked_up, alternatives in pieces:
        found = _alternatives_postings(reader, looked_up, alternatives, with_keys)
        if not found:
            return [], []
        deleted = found[0].deleted
        occurrences.append((offset, found))
        # A boost is its document's, the same in every term: the documents holding the phrase
        # hold a term at each offset, so any one offset's boosts cover them; the fewest are kept.
        held = found[0].boosts if len(found) == 1 else {k: v for p in found for k, v in p.boosts.items()}
        if boosts is None or len(held) < len(boosts):
            boosts = held
    for offset, (unigram, lone) in implied.items():
        if lone:  # a bigram in the segment (it is more frequent than another term)
            exclusions.append((offset, term_postings(reader.postings(field, unigram), keys=True)))
    if len(occurrences) == 1 and len(occurrences[0][1]) == 1:
        # One term: its ids are the documents, in order, and its counts the frequencies.
        postings = occurrences[0][1][0]
        docs, counts = postings.ids, postings.counts
    else:
        if len(occurrences) == 1:  # one term's alternatives: their counts add up
            frequency = Counter()
            for postings in occurrences[0][1]:
                frequency.update(dict(zip(postings.ids, postings.counts, strict=True)))
        else:
            frequency = Counter(map(rshift, _phrase_starts(occurrences, exclusions), repeat(DOC_SHIFT)))
            if not frequency:
                return [], []
        docs = sorted(frequency)
        counts = list(map(frequency.__getitem__, docs))
    if deleted:
        docs, counts = _kept(docs, counts, [doc not in deleted for doc in docs])
    if weighting is None:
        return docs, [boost] * len(docs)
    return docs, _bm25(searcher, weighting, field, parts, docs, counts, boosts, boost)


PREFIX_SCAN_FROM = 16  # alternatives read in one pass over the term table's entries


def _scanned_prefix(alternatives) -> str:
    """The prefix all of ``alternatives`` share, where they are many enough (a character's every
    bigram) to be read in one pass over the term table's entries under it; else ''."""
    from os.path import commonprefix

    return commonprefix(alternatives) if len(alternatives) >= PREFIX_SCAN_FROM else ""


def _alternatives_postings(reader, field: str, alternatives, keys: bool) -> list:
    """``term_postings`` of each of ``alternatives`` the segment holds (``_scanned_prefix``)."""
    from .codec import prefix_postings, term_postings

    if prefix := _scanned_prefix(alternatives):
        found = prefix_postings(reader, field, prefix, set(alternatives), keys)
        if found is not None:
            return found
    return [term_postings(reader.postings(field, term), keys=keys) for term in alternatives if (field, term) in reader]


def _phrase_starts(occurrences, exclusions=()) -> set[int]:
    """The keys where the phrase starts. Rarest first: the set of matches only shrinks. The
    matches so far are kept as keys of the last term intersected; for the next term that (small)
    set is shifted by the difference of the two terms' offsets and the next term's (large) list
    of keys is looked up in it. A key shifted below position 0 borrows from the document bits
    and lands past every real position of the document before: it finds nothing. Then the
    keys of each of ``exclusions`` (offset, postings) are taken out, shifted the same way."""
    occurrences.sort(key=lambda item: sum(len(postings.keys) for postings in item[1]))
    at, found = occurrences[0]
    matches = chain.from_iterable(postings.keys for postings in found)  # a set from the next term on
    for offset, found in occurrences[1:]:
        wanted = set(map(add, matches, repeat(offset - at)))
        if len(found) == 1:
            matches = wanted.intersection(found[0].keys)
        else:
            matches = set().union(*(wanted.intersection(postings.keys) for postings in found))
        at = offset
        if not matches:
            return matches
    if not isinstance(matches, set):  # one term and its exclusions
        matches = set(matches)
    for offset, postings in exclusions:
        matches.difference_update(map(add, postings.keys, repeat(at - offset)))
    return matches


def joined_field(schema, field: str):
    """The field that keeps ``field``'s common grams and its tokenizer
    (``analysis.JoinedTokenizer``), or None."""
    from .analysis import JoinedTokenizer

    name = f"{field}_joined"
    if name not in schema:
        return None
    tokenizer = schema[name].analyzer
    if isinstance(tokenizer, JoinedTokenizer) and tokenizer.base == schema[field].analyzer:
        return name, tokenizer
    return None


def _pieces(field: str, parts, implied, joined) -> list[tuple[int, str, tuple]]:
    """What a phrase looks up: (offset, field, alternative terms) for each of ``parts`` not
    ``implied``, where a common term (one alone at its offset) is read joined with the term
    after it, or else the one before, from ``joined`` (the pair stands at its first offset,
    and it is there exactly where both its terms are). The common term's own postings are
    the phrase's longest; the pair's are about as short as its other term's."""
    covered = set(implied)
    pieces = []
    if joined is not None:
        name, tokenizer = joined
        common = tokenizer.common

        def joinable(first):
            return (0 <= first < len(parts) - 1 and len(parts[first]) == 1 == len(parts[first + 1])
                    and tokenizer.joinable(parts[first][0], parts[first + 1][0]))

        for i, alternatives in enumerate(parts):
            if i in covered or len(alternatives) != 1 or alternatives[0] not in common:
                continue
            first = i if joinable(i) else i - 1 if joinable(i - 1) else None
            if first is not None:
                pieces.append((first, name, (tokenizer.join(parts[first][0], parts[first + 1][0]),)))
                covered.update((first, first + 1))
    pieces += [(i, field, alternatives) for i, alternatives in enumerate(parts) if i not in covered]
    return sorted(pieces)


def _implied_bigrams(reader, field: str, parts) -> dict[int, tuple[str, int]]:
    """Inner bigrams of a literal that its neighbours imply, each with the one character that
    must not stand alone in its place: offset -> that character and how often it stands alone.

    Every letter or digit of a passage has a position (``analysis.bigrams``): the bigram it
    starts, or itself alone where its run ends. The bigram at offset i of a literal, c c', is
    implied by a bigram ending on c at i - 1 and a term starting with c' at i + 1: the position
    between them holds a term starting with c, and it is either c followed by the character at
    i + 1, which is c', or c alone. So a match needs no lookup of c c' in the keys of a frequent
    bigram, only that c does not stand alone there, and lone characters (a run's last) are rare.
    An inner bigram is left implied when it occurs more often than the rarest term looked up
    and than its character alone, and neither neighbour is implied."""
    def single_bigram(i):
        return len(parts[i]) == 1 and len(parts[i][0]) == 2

    candidates = [i for i in range(1, len(parts) - 1)
                  if single_bigram(i) and single_bigram(i - 1) and parts[i - 1][0][1] == parts[i][0][0]
                  and all(term[:1] == parts[i][0][1] for term in parts[i + 1])]
    if not candidates:
        return {}
    # Frequencies are read in place from the terms' entries (0 for a term the segment lacks).
    frequency = {i: reader.frequency(field, parts[i][0]) for i in range(len(parts)) if single_bigram(i)}
    implied: dict[int, tuple[str, int]] = {}
    for i in sorted(candidates, key=frequency.__getitem__, reverse=True):
        if i - 1 in implied or i + 1 in implied:
            continue
        if frequency[i] <= min(frequency[j] for j in frequency if j != i and j not in implied):
            continue
        unigram = parts[i][0][0]
        lone = reader.frequency(field, unigram)
        if frequency[i] > lone:
            implied[i] = unigram, lone
    return implied


def _bm25(searcher, weighting, field, parts, docs: list[int], counts: list[int], boosts: dict,
          boost: float) -> list[float]:
    """BM25 of each document's phrase frequency."""
    return _scores(*_scorer(searcher, weighting, field, parts, boost), docs, counts, boosts)


def _scores(score: PhraseScore, lengths: bytes, docs, counts, boosts: dict) -> list[float]:
    """``score`` of each of ``docs`` (sorted), whose weight is its count times its boost where
    ``boosts`` has one (a heading's terms count double)."""
    weights = counts
    if boosts:
        weights = list(counts)
        for doc, doc_boost in boosts.items():
            i = bisect_left(docs, doc)
            if i < len(docs) and docs[i] == doc:
                weights[i] = counts[i] * doc_boost
    return score.many(weights, map(lengths.__getitem__, docs))


class PhraseScore:
    """``score(weight, length byte)``: the BM25 of a phrase of one field times ``boost``, as
    Whoosh's ``bm25`` computes it; ``many`` for many postings at once."""

    __slots__ = ("boost", "idf", "avgfl", "b", "k1", "_norms")

    def __init__(self, boost: float, idf: float, avgfl: float, b: float, k1: float):
        self.boost, self.idf, self.avgfl, self.b, self.k1 = boost, idf, avgfl, b, k1
        self._norms = _length_norms(avgfl, b, k1)

    def __call__(self, weight: float, length_byte: int) -> float:
        from .codec import LENGTH_OF_BYTE

        return self.boost * bm25(self.idf, weight, LENGTH_OF_BYTE[length_byte], self.avgfl, self.b, self.k1)

    def many(self, weights, length_bytes) -> list[float]:
        """``[self(w, l) for w, l in zip(weights, length_bytes)]``, the same floats: bm25's
        operations in its order, each a C-level map over the postings. A frequent term's heads
        are a thousand postings in every segment, and a Python call for each was a quarter of
        its search."""
        weights = list(weights)
        numerators = map(mul, weights, repeat(self.k1 + 1))
        denominators = map(add, weights, map(self._norms.__getitem__, length_bytes))
        return list(map(mul, repeat(self.boost), map(mul, repeat(self.idf), map(truediv, numerators, denominators))))


@cache
def _length_norms(avgfl: float, b: float, k1: float) -> tuple[float, ...]:
    """bm25's denominator is tf + K1 * ((1 - B) + B * fl / avgfl): the part after tf, for each
    length byte. A field's is the same in every segment and for every term of a search."""
    from .codec import LENGTH_OF_BYTE

    return tuple(k1 * ((1 - b) + b * length / avgfl) for length in LENGTH_OF_BYTE)


def _scorer(searcher, weighting, field: str, parts, boost: float) -> tuple[PhraseScore, bytes]:
    """The BM25 of the phrase ``parts`` of ``field`` times ``boost`` under the whole index's
    statistics (``PhraseScore``); and the segment's length bytes of the field."""
    from .codec import length_bytes

    parent = searcher.get_parent()
    idf = sum(_idf(parent, field, alternatives) for alternatives in parts)
    avgfl = parent.avg_field_length(field) or 1
    b = weighting._field_B.get(field, weighting.B) if hasattr(weighting, "_field_B") else weighting.B
    return PhraseScore(boost, idf, avgfl, b, weighting.K1), length_bytes(searcher.reader(), field)


def heads_best(searcher, weighting, components: list[tuple[str, str, float]], limit: int):
    """The documents of the segment that can enter its top ``limit`` (ties included) and their
    scores, in document order, for a sum of terms' scores (``components``: field, term, boost;
    the first term decides what matches), read from the terms' heads (``codec.TermHeads``)
    without scoring every posting. None where a term has no heads or they cannot settle it.

    Each term's heads give exact scores, and the frontier of the last tier read a bound on every
    other posting. A document among some term's heads has a floor (what is known of it) and a
    ceiling (the unknown terms at their bounds); the ``limit``-th floor of the documents known
    to match is the cut. A document in no term's heads has the sum of the bounds as its
    ceiling: above the cut, the tiers read cannot settle the top, and the next tier is read (or,
    after the last, None is the answer). Otherwise only the documents whose ceiling reaches the
    cut matter; their missing terms are read from the few posting blocks that hold them."""
    readings = []
    for number, (field, term, boost) in enumerate(components):
        reading = _term_heads(searcher, weighting, field, term, boost)
        if reading is None:
            if not number:
                return None  # a term without heads is rare: scoring it all is cheap
            docs, scores = phrase_scores(searcher, weighting, field, [(term,)], boost)
            reading = _HeadsRead(dict(zip(docs, scores, strict=True)))
        elif not number and not reading.scores and not reading.bound:
            return [], []  # the literal's term is not in the segment
        readings.append(reading)

    while True:
        known, bounds = [r.scores for r in readings], [r.bound for r in readings]
        if len(known[0]) >= limit and sum(bounds) < (cut := _cut(known, limit)):
            break
        deeper = [reading for reading in readings if reading.tiers]
        if not deeper:
            return None
        for reading in deeper:
            reading.read_tier()
    union = sorted(set().union(*known))
    ceilings = _summed([list(map(scores.get, union, repeat(bound)))
                        for scores, bound in zip(known, bounds, strict=True)])
    candidates = list(compress(union, map(ge, ceilings, repeat(cut))))
    for reading in readings:
        scores = reading.scores
        missing = [doc for doc in candidates if doc not in scores]
        if not missing or reading.leaf is None:
            continue
        score, lengths = reading.score, reading.lengths
        for doc, (count, boost) in reading.leaf.postings_of(missing).items():
            scores[doc] = score(count * boost if boost != 1.0 else count, lengths[doc])
    first = known[0]
    docs = [doc for doc in candidates if doc in first]  # the rest hold another term, not this one
    totals = list(map(first.__getitem__, docs))
    for scores in known[1:]:
        totals = list(map(add, totals, map(scores.get, docs, repeat(0.0))))
    return _best(docs, totals, limit) if len(docs) > limit else (docs, totals)


class _HeadsRead:
    """What is known of a term's scores in a segment: the exact ``scores`` of the postings read,
    and ``bound``, a bound on every other posting's; ``read_tier`` reads the next tier of heads.
    ``leaf``, ``score`` and ``lengths`` read any other posting. A term scored whole (one without
    heads) has a bound of 0 and nothing more to read."""

    def __init__(self, scores: dict, tiers=(), deleted=frozenset(), leaf=None, score=None, lengths=b""):
        self.scores, self.bound, self.tiers, self._deleted = scores, 0.0, list(tiers), deleted
        self.leaf, self.score, self.lengths = leaf, score, lengths
        if self.tiers:
            self.read_tier()

    def read_tier(self) -> None:
        heads = self.tiers.pop(0)
        ids, counts = heads.ids, heads.counts
        if self._deleted:
            ids, counts = _kept(ids, counts, [doc not in self._deleted for doc in ids])
        self.scores.update(zip(ids, _scores(self.score, self.lengths, ids, counts, heads.boosts), strict=True))
        self.bound = max((self.score(weight, code) for weight, code in heads.frontier), default=0.0)


def _term_heads(searcher, weighting, field: str, term: str, boost: float) -> _HeadsRead | None:
    """A term's heads in this segment, their first tier read (``_HeadsRead``). Nothing known
    and nothing to read for a term the segment lacks; None for a term without heads."""
    from whoosh.matching.wrappers import FilterMatcher
    from whoosh.reading import TermNotFound

    from .codec import KeyedLeafMatcher, SpeechTermInfo

    reader = searcher.reader()
    try:
        info = reader.term_info(field, term)
    except TermNotFound:
        return _HeadsRead({})
    tiers = info.heads() if isinstance(info, SpeechTermInfo) else None
    leaf = reader.postings(field, term)
    deleted = set()
    if isinstance(leaf, FilterMatcher):
        deleted, leaf = leaf._ids, leaf.child
    if tiers is None or not isinstance(leaf, KeyedLeafMatcher):
        return None
    score, lengths = _scorer(searcher, weighting, field, [(term,)], boost)
    return _HeadsRead({}, tiers, deleted, leaf, score, lengths)


def _cut(known: list[dict], limit: int) -> float:
    """The ``limit``-th best floor of the documents known to match (the first term's): what is
    known of each one's score."""
    first = known[0]
    docs = list(first)
    floors = _summed([list(map(first.__getitem__, docs))] + [list(map(scores.get, docs, repeat(0.0)))
                                                               for scores in known[1:]])
    return _kth_best(floors, limit)


def _summed(columns: list[list[float]]) -> list[float]:
    total = columns[0]
    for column in columns[1:]:
        total = list(map(add, total, column))
    return total


def _idf(parent, field: str, alternatives) -> float:
    if len(alternatives) == 1:
        return parent.idf(field, alternatives[0])
    # Whoosh's idf formula, for the documents holding any of the alternatives (at most all),
    # kept in Whoosh's cache of idfs, which every segment's searcher shares with the parent:
    # each segment scores the literal, and a character's alternatives (every bigram it starts,
    # hundreds) took a lookup in every segment for each.
    key = (field, tuple(alternatives))
    idf = parent._idf_cache.get(key)
    if idf is None:
        frequency = min(_documents_holding(parent.reader(), field, alternatives), parent.doc_count_all())
        idf = parent._idf_cache[key] = log(parent.doc_count_all() / (frequency + 1)) + 1
    return idf


def _documents_holding(reader, field: str, alternatives) -> int:
    """The alternatives' document counts summed over the index's segments (``_scanned_prefix``)."""
    from .codec import prefix_doc_frequency

    if prefix := _scanned_prefix(alternatives):
        wanted = set(alternatives)
        counts = [prefix_doc_frequency(segment, field, prefix, wanted) for segment, _ in reader.leaf_readers()]
        if None not in counts:
            return sum(counts)
    return sum(reader.doc_frequency(field, t) for t in alternatives)


class ScoredDocsMatcher(matching.Matcher):
    """Documents with their scores already computed, in document order. ``replace`` gives a
    matcher whose floor is a collector's current minimum score and which steps over documents
    below it, so a top-N search visits few documents once its heap is full."""

    def __init__(self, docs: list[int], scores: list[float], position: int = 0, floor: float = 0.0,
                 best: list[float] | None = None):
        self._docs, self._scores, self._floor = docs, scores, floor
        self._best = best  # the highest score from each position on, when first asked
        self._i = self._above_floor(position)

    def _above_floor(self, i: int) -> int:
        """The first position from ``i`` on whose score reaches the floor."""
        scores, floor, end = self._scores, self._floor, len(self._docs)
        while i < end and scores[i] < floor:
            i += 1
        return i

    def is_active(self):
        return self._i < len(self._docs)

    def reset(self):
        self._i = self._above_floor(0)

    def id(self):
        return self._docs[self._i]

    def score(self):
        return self._scores[self._i]

    def weight(self):
        return self._scores[self._i]

    def next(self):
        if self._i >= len(self._docs):
            raise matching.ReadTooFar
        self._i = self._above_floor(self._i + 1) if self._floor else self._i + 1
        return False

    def skip_to(self, docid):
        if self._i >= len(self._docs):
            raise matching.ReadTooFar
        self._i = self._above_floor(bisect_left(self._docs, docid, self._i))

    def all_ids(self):
        floor = self._floor
        return (doc for doc, score in zip(self._docs[self._i:], self._scores[self._i:], strict=True)
                if score >= floor)

    def copy(self):
        return ScoredDocsMatcher(self._docs, self._scores, self._i, self._floor, self._best)

    def depth(self):
        return 0

    def supports(self, astype):
        return False

    def supports_block_quality(self):
        return False

    def max_quality(self):
        if not self.is_active():
            return 0.0
        if self._best is None:
            self._best = list(accumulate(reversed(self._scores), max))[::-1]
        return self._best[self._i]

    def block_quality(self):
        return self.max_quality()

    def replace(self, minquality=0):
        """A matcher of the documents scoring at least ``minquality``. A matcher that has to
        move is a new one: the compound matchers above rebuild themselves on a new child,
        and their invariants (an AND's children on one document) hold again."""
        if not self.is_active():
            return matching.NullMatcher()
        if minquality <= self._floor:
            return self
        if self._scores[self._i] >= minquality:
            self._floor = minquality
            return self
        moved = ScoredDocsMatcher(self._docs, self._scores, self._i, minquality, self._best)
        return moved if moved.is_active() else matching.NullMatcher()
