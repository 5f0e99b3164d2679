"""The storage engine: Whoosh and what this project adds to it.

Nothing here knows about speeches. The pipeline above (ingest, outline, search semantics, export,
CLI, web) hands it documents as fields and asks it queries.

- ``whoosh_import``: imports Whoosh cleanly on current Python.
- ``analysis``: the analyzers (jieba words, overlapping bigrams) and the positions format.
- ``codec`` and ``segment_writer``: a codec with compact positional postings, and a bulk writer.
- ``literal``: literal (Ctrl-F) matching from bigram positions; ``boolean``: Whoosh's compound matchers, mended.
- ``schema``: the fields; ``parallel``: worker processes and the commit; ``store``: the index
  folder's generations, lock and errors.
"""
