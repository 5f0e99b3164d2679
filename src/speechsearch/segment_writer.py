"""Whoosh's segment writer, tuned for writing a whole corpus.

Per-posting costs of Whoosh's own writer, each a sizeable share of a build:

- The posting pool. Whoosh holds every posting as a tuple, sorts them, spills sorted runs to
  disk past a memory limit and merges the runs back at the end, then hands each posting to the
  postings writer one call at a time. The positional fields (bigrams and words: nearly all the
  postings) skip all of that here: ``KeyedPostingPool`` appends each posting's keys
  (``document << 32 | position``, the form ``codec.py`` stores) to an array per term, which
  stays sorted because documents arrive in order, and the writer hands each term's array to
  the codec whole (``SpeechPostingsWriter.add_keys``). Past the memory limit the arrays go
  into Whoosh's pool after all (an index worker starts a new segment before that).
- The pool's spilled runs, which Whoosh writes and reads one ``pickle`` call per posting;
  ``KeyedPostingPool`` writes and reads them in chunks.
- Field lengths, looked up once per posting written, and rare terms' postings: ``codec.py``.
"""

from __future__ import annotations

import itertools
import pickle
from array import array
from operator import itemgetter

from whoosh.writing import PostingPool, SegmentWriter

from .analysis import PassagePositions, encode_positions
from .codec import DOC_SHIFT, SpeechCodec, posting_keys_of, postings_of_keys

CHUNK_POSTINGS = 1 << 14  # a run being merged holds one chunk in memory
BYTES_PER_KEY = 24  # a key's share of the arrays, the terms and the dictionaries that hold them
KEYS_PER_CHARACTER = 2  # a passage's characters make about this many keys (bigrams, words, headings)


class KeyedPostingPool(PostingPool):
    def __init__(self, tempstore, segment, limitmb: int, keyed_fields=()):
        super().__init__(tempstore, segment, limitmb=limitmb)
        self.keyed: dict[str, dict[bytes, array]] = {name: {} for name in keyed_fields}
        # Each term's documents whose posting weighs more than its frequency (a heading's boost).
        self.boosts: dict[str, dict[bytes, dict[int, float]]] = {name: {} for name in keyed_fields}
        self.keys_held = 0
        self.keys_limit = limitmb * 2**20 // BYTES_PER_KEY

    def add(self, item):
        terms = self.keyed.get(item[0])
        if terms is None:
            return super().add(item)
        fieldname, text, docnum, weight, vbytes = item
        keys = terms.get(text)
        if keys is None:
            keys = terms[text] = array("Q")
        count = len(vbytes) >> 2
        if count == 1:  # most postings: one position
            keys.append(docnum << DOC_SHIFT | int.from_bytes(vbytes, "little"))
        else:
            keys.extend(posting_keys_of(docnum, vbytes))
        if weight != count:
            self.boosts[fieldname].setdefault(text, {})[docnum] = weight / count
        self.keys_held += count
        if self.keys_held > self.keys_limit:
            self.pool_keys()

    def pool_keys(self) -> None:
        """Move every key into Whoosh's own pool, which spills to disk, and send later ones there."""
        keyed, boosts = self.keyed, self.boosts
        self.keyed, self.boosts, self.keys_held = {}, {}, 0
        for fieldname, terms in keyed.items():
            for text, keys in terms.items():
                boost_of = boosts[fieldname].get(text, {}).get
                for document, positions in postings_of_keys(keys):
                    super().add((fieldname, text, document, len(positions) * boost_of(document, 1.0),
                                 encode_positions(positions)))

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
    """A SegmentWriter with the keyed pool and the codec of ``codec.py``; otherwise Whoosh's own."""

    def __init__(self, ix, limitmb: int, **kwargs):
        super().__init__(ix, limitmb=limitmb, codec=SpeechCodec(), **kwargs)
        keyed = [name for name, field in self.schema.items()
                 if field.indexed and isinstance(field.format, PassagePositions)]
        self.pool = KeyedPostingPool(self._tempstorage, self.newsegment, limitmb=limitmb, keyed_fields=keyed)

    def has_room_for(self, documents: list[dict]) -> bool:
        """Whether ``documents`` should fit in the pool's arrays without moving them to disk."""
        expected = KEYS_PER_CHARACTER * sum(len(fields.get("text") or "") for fields in documents)
        return self.pool.keys_held + expected <= self.pool.keys_limit

    def _flush_segment(self):
        self.perdocwriter.close()
        lengths = self.per_document_reader()
        keyed = {name: terms for name, terms in self.pool.keyed.items() if terms}
        fieldwriter = self.fieldwriter

        def write_keyed(fieldname):
            terms, boosts = keyed.pop(fieldname), self.pool.boosts[fieldname]
            no_boosts: dict = {}
            column = lengths.length_bytes(fieldname) or bytes(self.docnum)
            fieldwriter.start_field(fieldname, self.schema[fieldname])
            for text in sorted(terms):
                fieldwriter.start_term(text)
                fieldwriter._postwriter.add_keys(terms[text], boosts.get(text, no_boosts), column)
                fieldwriter.finish_term()
            fieldwriter.finish_field()

        # The term dictionary takes each field's terms together: fields go in name order, the
        # keyed ones from their arrays, the others through Whoosh's own path.
        for fieldname, postings in itertools.groupby(self.pool.iter_postings(), key=itemgetter(0)):
            for name in sorted(n for n in keyed if n < fieldname):
                write_keyed(name)
            fieldwriter.add_postings(self.schema, lengths, postings)
        for name in sorted(keyed):
            write_keyed(name)
        fieldwriter.close()
        lengths.close()
