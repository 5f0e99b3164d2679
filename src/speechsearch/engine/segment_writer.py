"""Whoosh's segment writer, tuned for writing a whole corpus.

Per-posting costs of Whoosh's own writer, each a sizeable share of a build:

- The posting pool. Whoosh holds every posting as a tuple, sorts them, spills sorted runs to
  disk past a memory limit and merges the runs back at the end, then hands each posting to the
  postings writer one call at a time. The positional fields (bigrams and words: nearly all the
  postings) skip all of that here (``occurrences.py``): ``KeyedPostingPool`` appends each
  word's key (``document << 32 | position``, the form ``codec.py`` stores) and its term's
  number to two flat arrays (``KeyedTerms``), and keeps a bigram field's folded texts
  (``BigramTexts``), whose grams numpy cuts at the flush; one sort groups the keys by term,
  each term's still in document order, and the codec takes them a run of terms at a time
  (``SpeechFieldWriter.add_keyed_terms``). ID fields (kind, file ...: a posting or more on
  every passage) keep an array of documents per term (``add_documents``). Past the memory
  limit the arrays go into Whoosh's pool after all (an index worker starts a new segment
  before that).
- The posting itself. Whoosh's ``add_document`` asks a field for (term, frequency, weight,
  encoded value) per distinct term, then makes a tuple of each; ``BulkSegmentWriter`` takes a
  keyed field's terms and positions from the tokenizer as two lists and appends the keys (or a
  bigram field's text), and an ID field's value as its term.
- The pool's spilled runs, which Whoosh writes and reads one ``pickle`` call per posting;
  ``KeyedPostingPool`` writes and reads them in chunks.
- Field lengths, looked up once per posting written, and rare terms' postings: ``codec.py``.
"""

from __future__ import annotations

import pickle
from array import array
from collections import defaultdict
from collections.abc import Callable, Iterable
from functools import partial
from itertools import groupby, islice
from operator import itemgetter

from whoosh.analysis import IDTokenizer, RegexTokenizer
from whoosh.formats import Existence
from whoosh.writing import PostingPool, SegmentWriter

from .analysis import (
    BigramTokenizer,
    JoinedBigramTokenizer,
    JoinedTokenizer,
    PassagePositions,
    decode_positions,
    encode_positions,
)
from .codec import DOC_SHIFT, SpeechCodec, postings_of_keys
from .occurrences import BigramTexts, KeyedTerms, folded_with_grams

CHUNK_POSTINGS = 1 << 14  # a run being merged holds one chunk in memory
BYTES_PER_KEY = 24  # a key's share of the arrays, the terms and the dictionaries that hold them
# A passage's characters make about this many keys (bigrams, words, the common grams of words,
# the speech's and headings' records): 2.4 on a sample of the bench corpus.
KEYS_PER_CHARACTER = 2.5

_new_documents = partial(array, "I")


def text_characters(documents: list[dict]) -> int:
    """The characters of the documents' passage texts, what their keys are reckoned by."""
    return sum(len(fields.get("text") or "") for fields in documents)


def is_document_set(field) -> bool:
    """Whether a field's postings are documents alone (ID fields: Whoosh's Existence format)."""
    return field.indexed and type(field.format) is Existence and not field.scorable


def id_terms_function(field) -> Callable[[str], Iterable[bytes]]:
    """How an ID field's value becomes its distinct terms: through Whoosh's analyzer, or for
    the bare tokenizers on every passage (IDTokenizer, RegexTokenizer), the same done directly."""
    analyzer = field.analyzer
    if type(analyzer) is IDTokenizer:
        return lambda value: (value.encode("utf-8"),)
    if type(analyzer) is RegexTokenizer and not analyzer.gaps and not analyzer.expression.groups:
        findall = analyzer.expression.findall
        return _once_per_run(lambda value: [term.encode("utf-8") for term in set(findall(value))])
    return _once_per_run(lambda value: [text for text, *_ in field.index(value)])


def _once_per_run(terms_of: Callable[[str], list[bytes]]) -> Callable[[str], list[bytes]]:
    """``terms_of``, worked out once for a run of equal values: a document's passages come one
    after another with its tags, and a heading's with its ids (Whoosh's analyzer chain on
    every passage's tags was 4% of a build)."""
    last_value, last_terms = None, []

    def terms(value: str) -> list[bytes]:
        nonlocal last_value, last_terms
        if value != last_value:
            last_value, last_terms = value, terms_of(value)
        return last_terms

    return terms


class KeyedPostingPool(PostingPool):
    """Whoosh's posting pool, with two kinds of field held in arrays per term instead:
    positional fields (``keyed``: a key per occurrence) and fields whose postings are only
    documents (``document_sets``: ID fields, Whoosh's Existence format)."""

    def __init__(self, tempstore, segment, limitmb: int, keyed_fields=(), set_fields=(), text_fields=None):
        """``text_fields``: the keyed fields whose grams are cut from texts at the flush
        (``occurrences.BigramTexts``), with the common words of those that hold common grams."""
        super().__init__(tempstore, segment, limitmb=limitmb)
        text_fields = text_fields or {}
        self.keyed: dict[str, KeyedTerms | BigramTexts] = {
            name: BigramTexts(text_fields[name]) if name in text_fields else KeyedTerms() for name in keyed_fields}
        self.document_sets: dict[str, defaultdict[bytes, array]] = {name: defaultdict(_new_documents)
                                                                   for name in set_fields}
        # Each term's documents whose posting weighs more than its frequency (a heading's boost),
        # once ``boosts_by_term`` is called.
        self.boosts: dict[str, defaultdict[str | bytes, dict[int, float]]] = {
            name: defaultdict(dict) for name in (*keyed_fields, *set_fields)}
        # A field's boosts by document, while its postings come from its documents (a
        # document's one boost for all its terms) and all are one value; None once they are
        # kept by term.
        self.document_boosts: dict[str, dict[int, float] | None] = {name: {} for name in (*keyed_fields, *set_fields)}
        self.keys_held = 0
        self.keys_limit = limitmb * 2**20 // BYTES_PER_KEY

    def add_occurrences(self, fieldname: str, docnum: int, terms: list[str], positions, boost: float) -> None:
        """Add one document's tokens of a keyed field: ``terms[i]`` at ``positions[i]``."""
        if len(terms) != len(positions):
            raise ValueError(f"{fieldname}: {len(terms)} terms but {len(positions)} positions")
        self.keyed[fieldname].add(docnum, terms, positions)
        if boost != 1.0:
            self._boost_document(fieldname, docnum, boost, lambda: terms)
        self._held(len(terms))

    def add_text(self, fieldname: str, docnum: int, folded: str, grams: int, boost: float) -> None:
        """Add one document's text (folded) of a bigram field, ``grams`` grams."""
        held = self.keyed[fieldname]
        held.add_text(docnum, folded, grams)
        if boost != 1.0:
            self._boost_document(fieldname, docnum, boost, lambda: held.terms_of(folded)[0])
        # (A field of common grams holds few keys, and counting them means cutting the grams.)
        self._held(grams if held.common is None else 0)

    def _boost_document(self, fieldname: str, docnum: int, boost: float, terms: Callable[[], list]) -> None:
        by_document = self.document_boosts[fieldname]
        if by_document and boost != next(iter(by_document.values())):
            self.boosts_by_term(fieldname)  # by document, a field keeps one boost value only
            by_document = None
        if by_document is not None:
            by_document[docnum] = boost
        else:
            self._boost_terms(fieldname, docnum, terms(), boost)

    def add_document_terms(self, fieldname: str, docnum: int, terms, boost: float) -> None:
        """Add one document's distinct terms (bytes) of a document-set field."""
        table = self.document_sets[fieldname]
        for term in terms:
            table[term].append(docnum)
        if boost != 1.0:
            self._boost_document(fieldname, docnum, boost, lambda: terms)
        self._held(len(terms))

    def _boost_terms(self, fieldname, docnum, terms, boost):
        boosts = self.boosts[fieldname]
        for term in set(terms):
            boosts[term][docnum] = boost

    def _held(self, keys: int) -> None:
        self.keys_held += keys
        if self.keys_held > self.keys_limit:
            self.pool_keys()

    def boosts_by_term(self, fieldname: str) -> None:
        """Keep a field's boosts by term from now on (postings merged in from another segment
        each bring their own), those held so far included."""
        by_document = self.document_boosts[fieldname]
        if by_document is None:
            return
        self.document_boosts[fieldname] = None
        if not by_document:
            return
        if fieldname in self.keyed:
            documents_of_terms = ((term, {key >> DOC_SHIFT for key in keys})
                                  for term, keys in self.keyed[fieldname].items())
        else:
            documents_of_terms = self.document_sets[fieldname].items()
        for term, documents in documents_of_terms:
            own = {doc: by_document[doc] for doc in documents if doc in by_document}
            if own:
                self.boosts[fieldname][term] = own

    def boost_of(self, fieldname: str, term) -> Callable[[int, float], float]:
        """A document's boost in ``term``'s postings (``get(document, default)``)."""
        by_document = self.document_boosts.get(fieldname)
        return (by_document if by_document is not None else self.boosts[fieldname].get(term, {})).get

    def add(self, item):
        """A posting of Whoosh's form (merged in from another segment)."""
        fieldname, text, docnum, weight, vbytes = item
        if fieldname in self.keyed:
            self.boosts_by_term(fieldname)
            count = len(vbytes) >> 2
            self.add_occurrences(fieldname, docnum, [text.decode("utf-8")] * count, decode_positions(vbytes),
                                 weight / count)
        elif fieldname in self.document_sets:
            self.boosts_by_term(fieldname)
            self.add_document_terms(fieldname, docnum, (text,), weight)
        else:
            super().add(item)

    def pool_keys(self) -> None:
        """Move every posting into Whoosh's own pool, which spills to disk, and send later ones there."""
        keyed, document_sets = self.keyed, self.document_sets
        self.keyed, self.document_sets, self.keys_held = {}, {}, 0
        for fieldname, terms in keyed.items():
            for term, keys in terms.items(release=True):
                boost_of = self.boost_of(fieldname, term)
                text = term.encode("utf-8")
                for document, positions in postings_of_keys(keys):
                    super().add((fieldname, text, document, len(positions) * boost_of(document, 1.0),
                                 encode_positions(positions)))
        for fieldname, terms in document_sets.items():
            for text, documents in terms.items():
                boost_of = self.boost_of(fieldname, text)
                for document in documents:
                    super().add((fieldname, text, document, boost_of(document, 1.0), b""))
        self.boosts, self.document_boosts = {}, {}

    def _write_run(self, f, items):
        items = iter(items)
        try:
            while chunk := list(islice(items, CHUNK_POSTINGS)):
                pickle.dump(chunk, f, pickle.HIGHEST_PROTOCOL)
        finally:
            f.close()

    def _read_run(self, path):
        f = self._open_run(path)
        try:
            while True:
                try:
                    chunk = pickle.load(f)
                except EOFError:
                    return
                yield from chunk
        finally:
            f.close()
            self._remove_run(path)


def bigram_fields(schema, keyed: list[str]) -> dict[str, frozenset[str] | None]:
    """The keyed fields of our bigram tokenizers (their grams cut at the flush), with the common
    words of those holding common grams."""
    fields = {}
    for name in keyed:
        analyzer = schema[name].analyzer
        if type(analyzer) is BigramTokenizer:
            fields[name] = None
        elif type(analyzer) is JoinedBigramTokenizer:
            fields[name] = analyzer.common
    return fields


KEYED, DOCUMENT_SET, WHOOSH_POSTINGS, STORED_ONLY = "keyed", "document set", "Whoosh's postings", "stored only"


class _FieldPlan:
    """How ``BulkSegmentWriter.add_document`` writes a field: its way into the pool (or none),
    and what the per-document writer keeps of it."""

    __slots__ = ("way", "field", "format", "analyzer", "base", "texts", "boost_key", "stored", "scorable", "id_terms")

    def __init__(self, name: str, field, pool: KeyedPostingPool):
        if not field.indexed:
            self.way = STORED_ONLY
        elif name in pool.keyed:
            self.way = KEYED
        elif name in pool.document_sets:
            self.way = DOCUMENT_SET
        else:
            self.way = WHOOSH_POSTINGS
        self.field, self.format, self.analyzer = field, field.format, getattr(field, "analyzer", None)
        # Common grams come from the tokens their base tokenizer gave the same text.
        self.base = self.analyzer.base if isinstance(self.analyzer, JoinedTokenizer) else None
        self.texts = self.way is KEYED and isinstance(pool.keyed[name], BigramTexts)
        self.boost_key = f"_{name}_boost"  # Whoosh's per-field boost keyword
        self.stored, self.scorable = field.stored, field.scorable
        self.id_terms = id_terms_function(field) if self.way is DOCUMENT_SET else None


class BulkSegmentWriter(SegmentWriter):
    """A SegmentWriter with the keyed pool and the codec of ``codec.py``; otherwise Whoosh's own."""

    def __init__(self, ix, limitmb: int, **kwargs):
        unsupported = [name for name, field in ix.schema.items()
                       if field.vector or field.column_type or field.separate_spelling()]
        if unsupported:  # add_document below writes neither vectors, nor columns, nor spellings
            raise ValueError(f"fields {unsupported} need Whoosh's own SegmentWriter")
        super().__init__(ix, limitmb=limitmb, codec=SpeechCodec(), **kwargs)
        keyed = [name for name, field in self.schema.items()
                 if field.indexed and isinstance(field.format, PassagePositions)]
        sets = [name for name, field in self.schema.items() if is_document_set(field)]
        self.pool = KeyedPostingPool(self._tempstorage, self.newsegment, limitmb=limitmb, keyed_fields=keyed,
                                     set_fields=sets, text_fields=bigram_fields(self.schema, keyed))
        self._plans = {name: _FieldPlan(name, field, self.pool) for name, field in sorted(self.schema.items())}
        self.characters = 0  # of the documents added, for has_room_for

    def add_document(self, **fields):
        """Whoosh's ``add_document``, but the pool's own fields go into its arrays as they come
        from the analyzer (no (term, frequency, weight, value) per term, no posting tuple), and
        each field's way is decided once per writer, not per document."""
        self._check_state()
        plans, perdocwriter, pool, docnum = self._plans, self.perdocwriter, self.pool, self.docnum
        unknown = [name for name in fields.keys() - plans.keys() if name[0] != "_"]
        if unknown:
            self._check_fields(self.schema, unknown)  # Whoosh's error for the unknown one
        docboost = self._doc_boost(fields)
        stored, lengths = {}, []
        tokens = {}  # id(value) -> (analyzer, terms, positions) of this document's keyed fields
        folded = {}  # id(value) -> (folded value, its grams) of its bigram fields
        perdocwriter.start_doc(docnum)
        try:
            for fieldname, plan in plans.items():  # in name order, as Whoosh takes them
                value = fields.get(fieldname)
                if value is None:
                    continue
                length = 0
                if plan.way is not STORED_ONLY:
                    boost = float(fields[plan.boost_key]) if plan.boost_key in fields else docboost
                    if plan.texts and pool.keyed:
                        if id(value) not in folded:
                            folded[id(value)] = folded_with_grams(value)
                        text, length = folded[id(value)]
                        pool.add_text(fieldname, docnum, text, length, boost * plan.format.field_boost)
                    elif plan.way is KEYED and pool.keyed:  # (past the memory limit, Whoosh's pool)
                        seen = tokens.get(id(value)) if plan.base is not None else None
                        if seen is not None and seen[0] == plan.base:
                            terms, positions = plan.analyzer.joined_terms(seen[1], seen[2])
                        else:
                            terms, positions = plan.format.term_positions(value, plan.analyzer)
                            tokens[id(value)] = plan.analyzer, terms, positions
                        pool.add_occurrences(fieldname, docnum, terms, positions, boost * plan.format.field_boost)
                        length = len(terms)
                    elif plan.way is DOCUMENT_SET and pool.document_sets:
                        terms = plan.id_terms(value)
                        pool.add_document_terms(fieldname, docnum, terms, boost * plan.format.field_boost)
                    else:
                        for text, frequency, weight, encoded in plan.field.index(value):
                            length += frequency
                            pool.add((fieldname, text, docnum, weight * boost, encoded))
                if plan.stored:
                    stored[fieldname] = value
                if length and plan.scorable:
                    lengths.append((fieldname, length))
            perdocwriter.add_fields(stored, lengths)
        except Exception:
            perdocwriter.cancel_doc()
            raise
        perdocwriter.finish_doc()
        self._added = True
        self.docnum += 1

    def has_room_for(self, documents: list[dict]) -> bool:
        """Whether ``documents`` should fit in the pool's arrays without moving them to disk, at
        the keys per character of the documents added so far (``characters``: as
        ``parallel.add_documents`` counts them), or KEYS_PER_CHARACTER where that is more."""
        per_character = max(KEYS_PER_CHARACTER, self.pool.keys_held / self.characters if self.characters else 0)
        return self.pool.keys_held + per_character * text_characters(documents) <= self.pool.keys_limit

    def _flush_segment(self):
        self.perdocwriter.close()
        lengths = self.per_document_reader()
        pool, fieldwriter = self.pool, self.fieldwriter

        def write_keyed(fieldname):
            column = lengths.length_bytes(fieldname) or bytes(self.docnum)
            fieldwriter.add_keyed_terms(pool.keyed[fieldname], pool.boosts[fieldname], column,
                                        pool.document_boosts[fieldname])

        def write_document_set(fieldname):
            fieldwriter.add_document_set_terms(pool.document_sets[fieldname], pool.boosts[fieldname],
                                               pool.document_boosts[fieldname], self.docnum)

        ours = {name: write_keyed for name, terms in pool.keyed.items() if terms}
        ours |= {name: write_document_set for name, terms in pool.document_sets.items() if terms}

        def write_ours(names):
            for name in sorted(names):
                fieldwriter.start_field(name, self.schema[name])
                ours.pop(name)(name)
                fieldwriter.finish_field()

        # The term dictionary takes each field's terms together: fields go in name order, ours
        # from their arrays, the others through Whoosh's own path.
        for fieldname, postings in groupby(pool.iter_postings(), key=itemgetter(0)):
            write_ours([name for name in ours if name < fieldname])
            fieldwriter.add_postings(self.schema, lengths, postings)
        write_ours(list(ours))
        fieldwriter.close()
        lengths.close()
