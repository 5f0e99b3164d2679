"""Whoosh's codec, with the postings of rare terms kept in the term dictionary.

Most character bigrams of a corpus occur in a handful of passages, and Whoosh writes each such
term a posting block of its own in the postings file and a pointer to it. Its codec can instead
keep a rare term's postings inside its dictionary entry (``inlinelimit``), but that path is
broken in Whoosh 2.7: the postings writer calls ``set_inline`` on a term info whose method is
``set_inlined``; and an inlined term of a field without values (ID, KEYWORD) reads back with
``""`` for its values where a block gives ``None``, which Whoosh's own segment merge then
rejects. Here the method gets its second name and only positional fields inline: a build
takes about a tenth less time, and reading is Whoosh's own.

Segments record their codec, so this module is imported (and must stay importable under this
name) whenever such an index is opened; it imports nothing Whoosh has not loaded by then.
"""

from __future__ import annotations

from whoosh.codec.whoosh3 import W3Codec, W3PostingsWriter, W3TermInfo

INLINE_POSTINGS = 16  # terms in fewer documents than this are inlined

if not hasattr(W3TermInfo, "set_inline"):
    W3TermInfo.set_inline = W3TermInfo.set_inlined


class InliningPostingsWriter(W3PostingsWriter):
    def start_postings(self, format_, terminfo):
        super().start_postings(format_, terminfo)
        self._inlinelimit = INLINE_POSTINGS if format_.supports("positions") else 1


class SpeechCodec(W3Codec):
    def postings_writer(self, dbfile, byteids=False):
        return InliningPostingsWriter(dbfile, blocklimit=self._blocklimit, byteids=byteids,
                                      compression=self._compression)
