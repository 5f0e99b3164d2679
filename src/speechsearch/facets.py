"""Counts of matching passages by speaker, year, tag, document and outline level.

The web page shows them beside the hits, and ``trend`` counts by period with them. Each is read
once per index commit from the postings of the indexed ID fields (a term's postings list its
passages), never from stored fields: a table of a value per passage, then a count over the
query's matches is one pass over their document numbers.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

FACETS = ("speaker", "year", "tags", "doc", "unit")
# (column, the indexed field it is read from)
COLUMNS = (("speaker", "speaker"), ("year", "date"), ("doc", "doc"), ("unit", "unit"), ("date", "date"))


@dataclass
class FacetTable:
    """A value per document number for each facet (tags: a tuple of values)."""

    generation: tuple
    values: dict[str, list]

    @classmethod
    def read(cls, searcher, names: tuple[str, ...] = (*FACETS, "date")) -> FacetTable:
        """The columns ``names`` (of FACETS and "date", the whole date)."""
        reader = searcher.reader()
        size = reader.doc_count_all()
        values: dict[str, list] = {}
        for name, field in COLUMNS:
            if name not in names:
                continue
            column: list = [None] * size
            for term in reader.lexicon(field) if field in reader.indexed_field_names() else ():
                value = term.decode("utf-8")
                if name == "year":
                    value = value[:4]
                for docnum in reader.postings(field, term).all_ids():
                    column[docnum] = value
            values[name] = column
        if "tags" not in names:
            return cls(generation_of(searcher), values)
        tags: list = [()] * size
        if "tags" in reader.indexed_field_names():
            for term in reader.lexicon("tags"):
                value = term.decode("utf-8")
                for docnum in reader.postings("tags", term).all_ids():
                    tags[docnum] = (*tags[docnum], value)
        values["tags"] = tags
        return cls(generation_of(searcher), values)

    def count(self, docnums, facet: str) -> Counter:
        column = self.values[facet]
        if facet == "tags":
            return Counter(tag for n in docnums for tag in column[n])
        return Counter(column[n] for n in docnums if column[n] is not None)


def generation_of(searcher) -> tuple:
    """What identifies the commit a searcher reads: its folder and its TOC generation."""
    reader = searcher.reader()
    return (str(getattr(searcher._ix, "storage", None) and searcher._ix.storage.folder), reader.generation())
