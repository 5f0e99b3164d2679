"""The index's fields: what is indexed (and how), what is only stored.

Three positional fields carry a passage's text: ``words`` (segmented words, for ranking),
``chars`` (overlapping bigrams, for literal recall) and, on speech and heading records,
``speech_chars`` / ``crumb_chars`` (for --speech and --section). ``chars_joined`` and
``words_joined`` hold the common grams of ``chars`` and ``words`` (``common_words.py``), which
phrases read in place of a common word; they are not scored.
"""

from __future__ import annotations

from .analysis import DEFAULT_SEGMENTER


def make_schema(segmenter: str = DEFAULT_SEGMENTER):
    from whoosh.analysis import KeywordAnalyzer, SpaceSeparatedTokenizer
    from whoosh.fields import ID, STORED, TEXT, Schema

    from .analysis import JoinedBigramTokenizer, JoinedWordTokenizer, PassagePositions, bigram_analyzer, word_analyzer
    from .common_words import COMMON_WORDS

    def positional(analyzer, scorable=True):
        field = TEXT(analyzer=analyzer, phrase=True)
        field.format = PassagePositions(field_boost=field.format.field_boost)
        field.scorable = scorable  # a field no query scores keeps no lengths
        return field

    # Every indexed field costs postings on each of the corpus's passages, and Whoosh's writer
    # spends its time per posting: only what a query or a filter looks up is indexed. (Numeric
    # fields index eight terms per value; level, line and ordinal are only displayed, and context
    # passages are found by document number.)
    return Schema(
        id=STORED,  # found through its document (discover.passage_number), not a term a passage
        kind=ID(stored=True),
        file=ID(stored=True),
        doc=ID(stored=True),
        speaker=ID(stored=True),
        date=ID(stored=True),
        tags=ID(stored=True, analyzer=KeywordAnalyzer(lowercase=True, commas=True)),
        place=STORED,
        source=STORED,
        title=STORED,
        speech=STORED,
        path=STORED,
        passage_kind=STORED,
        speech_id=ID(stored=True),
        heading_ids=ID(analyzer=SpaceSeparatedTokenizer()),
        unit=ID(stored=True),
        # One record per speech and per heading carries their text: --speech and --section find
        # the records, then filter passages by the id the record stores (``target``). The same
        # text on every passage doubled the postings of the law corpus.
        target=STORED,
        speech_chars=positional(bigram_analyzer()),
        crumb_chars=positional(bigram_analyzer()),
        level=STORED,
        ordinal=STORED,
        line=STORED,
        start=STORED,
        end=STORED,
        text=STORED,
        words=positional(word_analyzer(segmenter)),
        chars=positional(bigram_analyzer()),
        words_joined=positional(JoinedWordTokenizer(segmenter, COMMON_WORDS), scorable=False),
        chars_joined=positional(JoinedBigramTokenizer(COMMON_WORDS), scorable=False),
        sha256=STORED,
        stats=STORED,
    )
