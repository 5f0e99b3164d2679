"""Finding more than what was typed: related passages, key terms, and did-you-mean.

- ``similar``: Whoosh's more-like-this over the word field (Bo1 key terms of the passage),
  passages of the same speech masked out.
- ``key_terms``: TF-IDF of a document's or speech's words against the corpus's own document
  frequencies (the index's), not jieba's bundled IDF table.
- ``suggestions``: for a query with no hits, index words within one edit, or whose pinyin (full
  or initials: ``luoshi``, ``ls``) is the query. The pinyin of the vocabulary is worked out once
  at index time into ``pinyin.tsv`` beside the index, so no search loads pypinyin.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from .engine.store import IndexStore
from .errors import SpeechsearchError, UsageError
from .search import Hit, hit_from_fields, normalize_query_text

PINYIN_TABLE = "pinyin.tsv"
HAN_WORD = re.compile(r"[\u4e00-\u9fff]{2,6}")


def similar(store: IndexStore, hit_id: str, limit: int = 10) -> tuple[Hit, list[Hit]]:
    from whoosh import query as q
    from whoosh.classify import Bo1Model

    with store.searcher() as searcher:
        docnum = passage_number(searcher, hit_id)
        if docnum is None:
            raise SpeechsearchError(f"no passage with id {hit_id!r} (ids are shown with every hit)")
        fields = searcher.stored_fields(docnum)
        source = hit_from_fields(fields, 0.0, [])
        terms = searcher.key_terms_from_text("words", fields["text"], numterms=12, model=Bo1Model)
        terms = [(t, w) for t, w in terms if len(t) > 1] or terms
        if not terms:
            return source, []
        query = q.Or([q.Term("words", t, boost=w) for t, w in terms])
        results = searcher.search(query, limit=limit, filter=q.Term("kind", "passage"),
                                  mask=q.Term("speech_id", fields["speech_id"]))
        words = [t for t, _ in terms]
        return source, [hit_from_fields(r.fields(), r.score, words) for r in results]


def passage_number(searcher, hit_id: str) -> int | None:
    """The document number of the passage ``hit_id``, or None. Ids are not indexed (a term a
    passage cost a tenth of the index's dictionary): the id names its document by a hash,
    and that document's passages are read until one has the id."""
    from whoosh import query as q

    from .prepare import doc_hash

    head, _, _ = hit_id.partition(":")
    reader = searcher.reader()
    for doc in reader.field_terms("doc"):
        if doc_hash(doc) == head:
            for docnum in searcher.docs_for_query(q.Term("doc", doc)):
                if reader.stored_fields(docnum).get("id") == hit_id:
                    return docnum
    return None


@dataclass
class KeyTerm:
    term: str
    count: int  # occurrences in the selection
    passages: int  # passages of the whole corpus that hold it
    score: float

    def to_dict(self) -> dict:
        return {"term": self.term, "count": self.count, "passages": self.passages, "score": round(self.score, 3)}


def key_terms(store: IndexStore, doc: str | None = None, speech: str | None = None, limit: int = 20
              ) -> list[KeyTerm]:
    """The words that set a document or speech apart: count x log(passages / passages with it)."""
    from whoosh import query as q

    from .search import field_query

    if not doc and not speech:
        raise UsageError("name a DOC or give --speech WORDS")
    with store.searcher() as searcher:
        reader = searcher.reader()
        parts = [q.Term("kind", "passage")]
        if doc:
            parts.append(field_query("doc", doc))
        if speech:
            parts.append(field_query("speech", speech, reader))
        texts = [r["text"] for r in searcher.search(q.And(parts), limit=None)]
        if not texts:
            raise SpeechsearchError(f"no passages in {doc or ''}{' ' if doc and speech else ''}"
                                    f"{'speech ' + speech if speech else ''}")
        analyzer = searcher.schema["words"].analyzer
        counts: Counter[str] = Counter()
        for text in texts:
            counts.update(t.text for t in analyzer(text, mode="query") if _is_term(t.text))
        total = searcher.doc_frequency("kind", "passage") or 1
        scored = []
        for term, count in counts.items():
            df = reader.doc_frequency("words", term)
            scored.append(KeyTerm(term, count, df, count * math.log((1 + total) / (1 + df))))
    scored.sort(key=lambda k: (-k.score, k.term))
    return scored[:limit]


def _is_term(word: str) -> bool:
    return len(word) > 1 and not word.isdigit() and any(ch.isalpha() for ch in word)


def write_pinyin_table(ix, folder: Path) -> None:
    """term, full pinyin, initials for the word field's Chinese words; reuses earlier rows."""
    path = folder / PINYIN_TABLE
    known: dict[str, str] = {}
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            term, _, rest = line.partition("\t")
            known[term] = rest
    from pypinyin import lazy_pinyin

    rows = []
    with ix.reader() as reader:
        for term in reader.field_terms("words"):
            if not HAN_WORD.fullmatch(term):
                continue
            if term not in known:
                syllables = lazy_pinyin(term)
                known[term] = "".join(syllables) + "\t" + "".join(s[0] for s in syllables if s)
            rows.append(f"{term}\t{known[term]}\n")
    tmp = path.with_suffix(".tmp")
    try:
        tmp.write_text("".join(rows), encoding="utf-8")
        tmp.replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)  # a full disk keeps the old table, and no half of a new one
        raise


def suggestions(store: IndexStore, text: str, limit: int = 5) -> list[str]:
    """Index words the user may have meant by ``text`` (one that found nothing)."""
    literal = normalize_query_text(text).replace(" ", "")
    if not literal:
        return []
    with store.searcher() as searcher:
        reader = searcher.reader()
        found: set[str] = set()
        table = store.current() / PINYIN_TABLE
        if (re.fullmatch("[a-z]+", literal) or HAN_WORD.fullmatch(literal)) and table.exists():
            # The table lists the word field's Chinese words, a line each: one regular expression
            # over it is far quicker than Whoosh's terms_within (which merges every segment's
            # lexicon in Python) or a comparison per word.
            if literal.isascii():
                pattern = rf"^([^\t\n]+)\t(?:{literal}\t[^\n]*|[^\t\n]*\t{literal})$"
            else:
                pattern = rf"^({one_edit_pattern(literal)})\t"
            try:
                text = store.read_checked(PINYIN_TABLE).decode("utf-8")
            except UnicodeDecodeError:
                raise store._corrupt(ValueError(f"{PINYIN_TABLE} is not UTF-8")) from None
            found.update(m.group(1) for m in re.finditer(pattern, text, re.MULTILINE))
            found.discard(literal)
        else:
            found.update(t for t in reader.terms_within("words", literal, 1) if t != literal and len(t) > 1)
        ranked = sorted(found, key=lambda t: (-reader.doc_frequency("words", t), t))
    return ranked[:limit]


def one_edit_pattern(word: str) -> str:
    """A regular expression for the strings one insertion, deletion or substitution away from
    ``word`` (and ``word`` itself), none of them spanning a tab or a line end."""
    other = "[^\\t\\n]"
    variants = {re.escape(word[:i]) + other + re.escape(word[i:]) for i in range(len(word) + 1)}
    for i in range(len(word)):
        variants.add(re.escape(word[:i]) + other + re.escape(word[i + 1:]))
        variants.add(re.escape(word[:i] + word[i + 1:]))
    return "|".join(sorted(variants))
