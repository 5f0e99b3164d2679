"""Whoosh's codec, with field lengths read into memory and rare terms' postings inlined.

Whoosh looks up a document's field length once for each document it scores with BM25 and once
for each posting a segment writer writes; its per-document reader answers each with a seek and
a one-byte read from the length column (a quarter of the time of a frequent term's search, a
sixth of a segment writer's), and for a field without lengths with a check that the column file
exists. ``LengthsInMemory`` reads a field's whole column the first time it is asked.

Most character bigrams of a corpus occur in a handful of passages, and Whoosh writes each such
term a posting block of its own in the postings file and a pointer to it. Its codec can instead
keep a rare term's postings inside its dictionary entry (``inlinelimit``), but that path is
broken in Whoosh 2.7: the postings writer calls ``set_inline`` on a term info whose method is
``set_inlined``; and an inlined term of a field without values (ID, KEYWORD) reads back with
``""`` for its values where a block gives ``None``, which Whoosh's own segment merge then
rejects. Here the method gets its second name and only positional fields inline: a build
takes about a tenth less time, and reading inlined postings is Whoosh's own.

Segments record their codec, so this module is imported (and must stay importable under this
name) whenever such an index is opened; it imports nothing Whoosh has not loaded by then.
"""

from __future__ import annotations

from whoosh.codec.whoosh3 import W3Codec, W3PerDocReader, W3PostingsWriter, W3TermInfo, _lenfield
from whoosh.util.numeric import byte_to_length

INLINE_POSTINGS = 16  # terms in fewer documents than this are inlined

if not hasattr(W3TermInfo, "set_inline"):
    W3TermInfo.set_inline = W3TermInfo.set_inlined


class InliningPostingsWriter(W3PostingsWriter):
    def start_postings(self, format_, terminfo):
        super().start_postings(format_, terminfo)
        self._inlinelimit = INLINE_POSTINGS if format_.supports("positions") else 1


_LENGTH_OF_BYTE = [byte_to_length(b) for b in range(256)]


class LengthsInMemory(W3PerDocReader):
    def __init__(self, storage, segment):
        super().__init__(storage, segment)
        self._length_columns: dict[str, bytes | None] = {}

    def _length_column(self, fieldname: str) -> bytes | None:
        """One byte a document; documents past the last with a length (records without the
        field) have none written, as if 0."""
        column = _lenfield(fieldname)
        if not self.has_column(column):
            return None
        with self._storage.open_file(W3Codec.column_filename(self._segment, column)) as f:
            return f.read().ljust(self._doccount, b"\0")

    def doc_field_length(self, docnum, fieldname, default=0):
        try:
            column = self._length_columns[fieldname]
        except KeyError:
            column = self._length_columns[fieldname] = self._length_column(fieldname)
        return default if column is None else _LENGTH_OF_BYTE[column[docnum]]


class SpeechCodec(W3Codec):
    def per_document_reader(self, storage, segment):
        return LengthsInMemory(storage, segment)

    def postings_writer(self, dbfile, byteids=False):
        return InliningPostingsWriter(dbfile, blocklimit=self._blocklimit, byteids=byteids,
                                      compression=self._compression)
