"""Which parts of a draft already stand in the corpus, and where.

For each sentence of the draft: the passages sharing a verbatim run of at least ``min_chars``
characters with it, and those holding a near-duplicate of it (a sentence with a few characters
changed, inserted or deleted: Jaccard ≥ 0.8 of character shingles), compared in matching form
(``shingles.matching_form``: width, case, script and punctuation folded).

Candidates come from the index's fingerprint table (``engine.fingerprints``): a passage shares
a kept hash with every sentence it shares a run of 11 characters with. The candidates that
share most are then compared exactly (difflib for the runs, shingles for near-duplicates).
"""

from __future__ import annotations

import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from pathlib import Path

from .errors import SpeechsearchError, UsageError
from .shingles import NEAR, form_of, jaccard, matching_form, sentences, shingles

CANDIDATES_PER_SENTENCE = 8
STOCK_PHRASE = 2_000  # a fingerprint in more passages than this says nothing about a source
MIN_NEAR_CHARS = 10  # shorter sentences (一、总体要求) are near-duplicates of too much


@dataclass
class Match:
    kind: str  # "verbatim" or "near"
    draft: tuple[int, int]  # the shared span, offsets in the sentence's line
    source: object  # search.Hit; its highlights are the shared span in the passage
    chars: int  # characters shared (matching form)
    similarity: float = 1.0


@dataclass
class Sentence:
    line: int
    start: int
    end: int
    text: str
    matches: list[Match] = field(default_factory=list)


@dataclass
class ReuseReport:
    draft: str
    lines: list[str]
    sentences: list[Sentence]
    draft_chars: int = 0  # characters of the draft in matching form
    reused_chars: int = 0

    @property
    def share(self) -> float:
        return self.reused_chars / self.draft_chars if self.draft_chars else 0.0

    def longest(self) -> Match | None:
        verbatim = [m for s in self.sentences for m in s.matches if m.kind == "verbatim"]
        return max(verbatim, key=lambda m: m.chars, default=None)

    def sources(self, n: int = 5) -> list[tuple[str, int]]:
        """The documents that account for most of the reuse: (doc, characters of the draft)."""
        counts: Counter[str] = Counter()
        for sentence in self.sentences:
            best: dict[str, int] = {}
            for match in sentence.matches:
                best[match.source.doc] = max(best.get(match.source.doc, 0), match.chars)
            counts.update(best)
        return counts.most_common(n)

    def to_dict(self) -> dict:
        from .search import hit_json

        longest = self.longest()
        return {
            "draft": self.draft, "draft_chars": self.draft_chars, "reused_chars": self.reused_chars,
            "share": round(self.share, 4),
            "longest": {"chars": longest.chars, "source": hit_json(longest.source)} if longest else None,
            "sources": [{"doc": d, "chars": c} for d, c in self.sources()],
            "sentences": [{"line": s.line, "start": s.start, "end": s.end, "text": s.text,
                           "matches": [{"kind": m.kind, "draft": list(m.draft), "chars": m.chars,
                                        "similarity": round(m.similarity, 3), "source": hit_json(m.source)}
                                       for m in s.matches]}
                          for s in self.sentences if s.matches],
        }


def read_draft(path: Path) -> list[str]:
    """The draft's lines as ``index`` would read them (any format it reads), not indexed."""
    from .ingest import ingest_file

    if not path.is_file():
        raise SpeechsearchError(f"{path}: no such file")
    document = ingest_file(path, str(path), [])
    return document.lines


def fingerprint_table(searcher, store_path: Path, quiet: bool = False):
    """The fingerprint table of the searcher's commit, built on first use after each commit."""
    from .engine.fingerprints import table_for
    from .facets import generation_of

    folder = Path(generation_of(searcher)[0] or store_path)

    def forms():
        reader = searcher.reader()
        for docnum, fields in reader.iter_docs():
            if fields.get("kind") == "passage":
                yield docnum, form_of(fields["text"])

    def announce():
        if not quiet:
            print("speechsearch: preparing the corpus for reuse (once after each index change)…",
                  file=sys.stderr, flush=True)

    return table_for(folder, searcher.reader().generation(), forms, announce)


def find_reuse(store, draft: Path, min_chars: int = 15, threshold: float = NEAR, filters=None,
               quiet: bool = False) -> ReuseReport:
    import numpy as np

    from .engine.fingerprints import fingerprints_of
    from .search import Filters, hit_from_fields

    if min_chars < 6:
        raise UsageError("--min-chars must be 6 or more")
    lines = read_draft(draft)
    units: list[Sentence] = []
    forms: list[tuple[str, list[int]]] = []
    for number, line in enumerate(lines, start=1):
        for start, end in sentences(line):
            form, offsets = matching_form(line[start:end])
            if form:
                units.append(Sentence(number, start, end, line[start:end]))
                forms.append((form, [start + o for o in offsets]))
    report = ReuseReport(str(draft), lines, units, draft_chars=sum(len(f) for f, _ in forms))
    with store.searcher() as searcher:
        condition = (filters or Filters()).query(searcher.reader())
        allowed = set(searcher.docs_for_query(condition)) if condition is not None else None
        table = fingerprint_table(searcher, store.path, quiet)
        hash_parts, owner_parts = [], []
        for index, (form, _) in enumerate(forms):
            hashes, _ = fingerprints_of(form)
            hash_parts.append(hashes)
            owner_parts.append(np.full(len(hashes), index, dtype=np.int64))
        candidates: dict[int, list[int]] = defaultdict(list)
        if hash_parts and len(table.hashes):
            hashes, owners = np.concatenate(hash_parts), np.concatenate(owner_parts)
            left, right = table.lookup(hashes, STOCK_PHRASE)
            lengths = right - left
            rows = np.repeat(left - np.cumsum(lengths) + lengths, lengths) + np.arange(lengths.sum())
            pairs = np.repeat(owners, lengths) << 32 | np.asarray(table.docnums)[rows].astype(np.int64)
            keys, counts = np.unique(pairs, return_counts=True)
            for key in keys[np.argsort(-counts, kind="stable")].tolist():  # most shared first
                sentence, docnum = key >> 32, key & 0xFFFFFFFF
                if len(candidates[sentence]) < CANDIDATES_PER_SENTENCE and (allowed is None or docnum in allowed):
                    candidates[sentence].append(docnum)
        passages: dict[int, Candidate] = {}
        covered: list[set[int]] = [set() for _ in units]
        for index, docnums in candidates.items():
            form, offsets = forms[index]
            unit = units[index]
            for docnum in docnums:
                if docnum not in passages:
                    passages[docnum] = Candidate(searcher.stored_fields(docnum))
                match = _compare(form, offsets, passages[docnum], min_chars, threshold, covered[index],
                                 hit_from_fields)
                if match is not None:
                    unit.matches.append(match)
            unit.matches.sort(key=lambda m: (-m.chars, m.source.doc, m.source.line))
    report.reused_chars = sum(len(c) for c in covered)
    return report


class Candidate:
    """A corpus passage several draft sentences may be compared with: its matching form, and
    its sentences' shingles, each made once."""

    def __init__(self, fields: dict):
        self.fields = fields
        self.form, self.offsets = matching_form(fields["text"])
        self._sentences: list[tuple[int, int, int, set[str]]] | None = None

    def sentences(self) -> list[tuple[int, int, int, set[str]]]:
        """(start, end, form length, shingles) of each sentence with letters in it."""
        if self._sentences is None:
            text, self._sentences = self.fields["text"], []
            for start, end in sentences(text):
                other, other_offsets = matching_form(text[start:end])
                if other:
                    self._sentences.append((start + other_offsets[0], start + other_offsets[-1] + 1, len(other),
                                            shingles(other)))
        return self._sentences


def _compare(form, offsets, candidate: Candidate, min_chars, threshold, covered, make_hit):
    """A match of the sentence ``form`` in one passage, or None; marks the form's characters
    it covers in ``covered``."""
    fields, passage_form, passage_offsets = candidate.fields, candidate.form, candidate.offsets
    blocks = [b for b in SequenceMatcher(None, form, passage_form, autojunk=False).get_matching_blocks()
              if b.size >= min_chars]
    if blocks:
        block = max(blocks, key=lambda b: b.size)
        covered.update(range(block.a, block.a + block.size))
        source = make_hit(fields, 0.0, [])
        source.highlights = [(passage_offsets[b.b], passage_offsets[b.b + b.size - 1] + 1) for b in blocks]
        draft = (offsets[block.a], offsets[block.a + block.size - 1] + 1)
        return Match("verbatim", draft, source, block.size)
    if len(form) < MIN_NEAR_CHARS:
        return None
    mine = shingles(form)
    best = None
    for start, end, length, theirs in candidate.sentences():
        if min(length, len(form)) < threshold * max(length, len(form)):
            continue
        similarity = jaccard(mine, theirs)
        if similarity >= threshold and (best is None or similarity > best[0]):
            best = (similarity, start, end)
    if best is None:
        return None
    covered.update(range(len(form)))
    source = make_hit(fields, 0.0, [])
    source.highlights = [(best[1], best[2])]
    return Match("near", (offsets[0], offsets[-1] + 1), source, len(form), best[0])
