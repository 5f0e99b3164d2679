"""Ranking that reads the outline: the passage about the term first.

The engine's score (BM25 of the query as a phrase of jieba words, a quarter of its bigram phrase,
headings doubled) decides the order among passages of one kind. Above it, each hit gets the
grade a reader would give it, from signals a reader names:

- 3: a heading that names the term (a section, point or sub-point heading, or the heading
  sentence of a run-in paragraph), or a paragraph whose lead sentence opens on the term: the
  term in its first clause, not as one item of a 、 list (推进X，…; X是…);
- 2: the term opening the first sentence of the body under a run-in heading or of an inline
  sub-point, or the first clause of a later sentence (a sentence devoted to it); or said twice;
- 1: anything else: a passing mention, a clause about something else; ½ for one item of a
  、 list (an enumeration of many items counts less).

The final score is ``grade × GRADE_WEIGHT + engine score``: a grade outranks any engine score
difference seen on these passages (BM25 here stays under 10), and the engine orders within a
grade. The grades follow the rubric of ../shared/relevance; nothing is fitted to its queries.
"""

from __future__ import annotations

from .engine.analysis import fold
from .markers import SENTENCE_END as SENTENCE_MARKS

GRADE_WEIGHT = 10.0
MAX_GRADE = 3
PAGE_CHECK_EVERY = 10  # graded hits between two checks of whether the page is settled
CLAUSE_ENDS = ",:"
LIST_SEPARATORS = "、"


class Reading:
    """What a reader sees in a hit for the query: a grade and the signals behind it."""

    __slots__ = ("grade", "signals")  # a plain class, as search.ParsedQuery says why

    def __init__(self, grade: float, signals: list[str]):
        self.grade, self.signals = grade, signals


def read_passage(text: str, kind: str, start: int, literals: list[str]) -> Reading:
    """The best reading of the passage for any of the query's positive literals."""
    folded = fold(text)
    best = Reading(0, ["no literal in the text"])
    for literal in literals:
        at = folded.find(literal)
        if at < 0:
            continue
        reading = _read(folded, kind, start, literal, at)
        if reading.grade > best.grade:
            best = reading
    return best


def _read(text: str, kind: str, start: int, literal: str, at: int) -> Reading:
    if kind in ("heading", "title"):
        return Reading(3, ["heading"])
    # Found with str methods: a character class of Han marks costs Python's regular expression
    # compiler a third of a millisecond, a search's whole grading a tenth of that.
    sentence_start = max(text.rfind(mark, 0, at) for mark in SENTENCE_MARKS) + 1
    lead = sentence_start == 0
    first_clause = all(text.find(mark, sentence_start, at) < 0 for mark in CLAUSE_ENDS)
    before, after = text[at - 1:at], text[at + len(literal):at + len(literal) + 1]
    list_item = LIST_SEPARATORS in (before, after)
    body = kind == "subpoint" or (kind == "paragraph" and start > 0)  # under a heading on its line
    signals = []
    if list_item:
        signals.append("an item of a list")
    if first_clause and not list_item:
        if lead and not body:
            return Reading(3, ["lead sentence opens on it"])
        if lead:
            return Reading(2, ["first sentence of a heading's body opens on it"])
        return Reading(2, ["first clause of a sentence"])
    if text.count(literal) > 1:
        return Reading(2, ["said more than once", *signals])
    if list_item:
        return Reading(0.5, signals)  # one item of an enumeration counts less than a mention
    return Reading(1, ["passing mention"])


def grade_result(result, literals: list[str], stored: dict) -> tuple[int, dict, float, dict]:
    """(document number, stored fields, score, its parts) of one of Whoosh's results. ``stored``
    holds the stored fields already read, by document number; this result's are kept there."""
    fields = stored.get(result.docnum)
    if fields is None:
        fields = stored[result.docnum] = result.fields()
    reading = read_passage(fields["text"], fields["passage_kind"], fields["start"], literals)
    engine = result.score or 0.0
    parts = {"engine": round(engine, 4), "grade": reading.grade, "grade_score": reading.grade * GRADE_WEIGHT,
             "signals": reading.signals}
    return result.docnum, fields, reading.grade * GRADE_WEIGHT + engine, parts


def reader_order(graded: tuple) -> tuple:
    """The order of graded hits: grade, then the engine's score, then document order."""
    return -graded[2], graded[1]["doc"], graded[1].get("ordinal", 0)


def grade_results(results, literals: list[str], page=None, stored: dict | None = None) -> list[tuple]:
    """Whoosh's ``results`` graded (``grade_result``), in the reader's order. ``stored`` (a
    dict of their stored fields by document number) serves a later grading by the same searcher.

    With ``page``, a function of graded hits in that order giving what it needs of them or None
    while they do not suffice, results are read in the engine's order only until ``page`` has
    an answer from the hits already certain of their place, and that answer is returned. No hit
    read later can pass one graded higher than the best grade plus its engine score, so a hit
    whose final score exceeds that is settled: everything before it is read."""
    graded, scored = [], results.scored_length()
    stored = {} if stored is None else stored
    for i, result in enumerate(results):
        graded.append(grade_result(result, literals, stored))
        if page is None or i + 1 == scored or (i + 1) % PAGE_CHECK_EVERY:
            continue
        ceiling = MAX_GRADE * GRADE_WEIGHT + (results[i + 1].score or 0.0)
        answer = page(sorted((g for g in graded if g[2] > ceiling), key=reader_order))
        if answer is not None:
            return answer
    graded.sort(key=reader_order)
    return graded if page is None else page(graded, complete=True)
