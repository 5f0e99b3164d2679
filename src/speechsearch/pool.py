"""Whoosh's posting pool, spilling to disk in large chunks.

A Whoosh writer collects a segment's postings in a pool and sorts them when the segment is
written. A pool past its memory limit is sorted and saved as a run file, and the runs are merged
back at the end; Whoosh writes and reads those runs one ``pickle`` call per posting, which made
spilling cost more than writing a new segment. This pool writes and reads a run in chunks of
postings, so a worker keeps one segment for everything it indexes: each term's dictionary entry
and posting header is then written once per worker instead of once per segment, and a search
opens two segments, not seventeen.
"""

from __future__ import annotations

import itertools
import pickle

from whoosh.writing import PostingPool

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


def with_chunked_pool(writer, limitmb: int):
    """``writer`` (a Whoosh SegmentWriter, no postings added yet) with this pool."""
    writer.pool = ChunkedPostingPool(writer._tempstorage, writer.newsegment, limitmb=limitmb)
    return writer
