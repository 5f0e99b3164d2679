"""Whoosh's segment writer, tuned for writing a whole corpus.

Per-posting costs of Whoosh's own writer, each a sizeable share of a build:

- The posting pool. A pool past its memory limit is sorted and saved as a run file, and the runs
  are merged back at the end; Whoosh writes and reads those runs one ``pickle`` call per posting,
  which made spilling cost more than writing a new segment. ``ChunkedPostingPool`` writes and
  reads a run in chunks of postings, so a worker keeps one segment for everything it indexes:
  each term's dictionary entry and posting header is then written once per worker instead of once
  per segment, and a search opens two segments, not seventeen.
- Field lengths. Writing the postings asks for the document's field length once per posting
  (for the block's length bounds); Whoosh's per-document reader answers each with a seek and a
  one-byte read, and for a field without lengths with a check that the column file exists
  (a sixth of the writer's time). ``BulkSegmentWriter`` reads each length column into memory once.
- Rare terms: their postings are kept in the term dictionary (``codec.py``).
"""

from __future__ import annotations

import itertools
import pickle

from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.util.numeric import byte_to_length
from whoosh.writing import PostingPool, SegmentWriter

from .codec import SpeechCodec

CHUNK_POSTINGS = 1 << 14  # a run being merged holds one chunk in memory


class ChunkedPostingPool(PostingPool):
    def _write_run(self, f, items):
        items = iter(items)
        try:
            while chunk := list(itertools.islice(items, CHUNK_POSTINGS)):
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


class SegmentLengths:
    """The field lengths of a just-written segment, answering as Whoosh's per-document reader
    does (``doc_field_length``), from memory."""

    def __init__(self, perdoc_reader, schema):
        self._lengths: dict[str, list[int]] = {}
        for name in schema.scorable_names():
            column = _lenfield(name)
            if perdoc_reader.has_column(column):
                stored = perdoc_reader.column_reader(column, LENGTHS_COLUMN).load()
                self._lengths[name] = [byte_to_length(b) for b in stored]

    def doc_field_length(self, docnum: int, fieldname: str, default: int = 0) -> int:
        lengths = self._lengths.get(fieldname)
        return lengths[docnum] if lengths is not None else default


class BulkSegmentWriter(SegmentWriter):
    """A SegmentWriter with the chunked pool, in-memory lengths and rare terms inlined; otherwise
    Whoosh's own."""

    def __init__(self, ix, limitmb: int, **kwargs):
        super().__init__(ix, limitmb=limitmb, codec=SpeechCodec(), **kwargs)
        self.pool = ChunkedPostingPool(self._tempstorage, self.newsegment, limitmb=limitmb)

    def _flush_segment(self):
        # Whoosh's _flush_segment, with SegmentLengths in place of the per-document reader.
        self.perdocwriter.close()
        lengths = None
        if self.codec.length_stats:
            reader = self.per_document_reader()
            try:
                lengths = SegmentLengths(reader, self.schema)
            finally:
                reader.close()
        self.fieldwriter.add_postings(self.schema, lengths, self.pool.iter_postings())
        self.fieldwriter.close()
