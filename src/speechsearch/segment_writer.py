"""Whoosh's segment writer, tuned for writing a whole corpus.

Per-posting costs of Whoosh's own writer, each a sizeable share of a build:

- The posting pool. A pool past its memory limit is sorted and saved as a run file, and the runs
  are merged back at the end; Whoosh writes and reads those runs one ``pickle`` call per posting,
  which made spilling cost more than writing a new segment. ``ChunkedPostingPool`` writes and
  reads a run in chunks of postings, so a worker keeps one segment for everything it indexes:
  each term's dictionary entry and posting header is then written once per worker instead of once
  per segment, and a search on the bench index opens three segments, not seventeen.
- Field lengths, looked up once per posting written, and rare terms' postings: ``codec.py``.
"""

from __future__ import annotations

import itertools
import pickle

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


class BulkSegmentWriter(SegmentWriter):
    """A SegmentWriter with the chunked pool and the codec of ``codec.py``; otherwise Whoosh's own."""

    def __init__(self, ix, limitmb: int, **kwargs):
        super().__init__(ix, limitmb=limitmb, codec=SpeechCodec(), **kwargs)
        self.pool = ChunkedPostingPool(self._tempstorage, self.newsegment, limitmb=limitmb)
