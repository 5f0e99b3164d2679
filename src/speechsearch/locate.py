"""Where the corpus file and its index are: the little a search needs of ``corpus.py``.

A search never parses corpus.yaml; it only needs the folder the file is in. Kept apart so that a
search does not import the corpus model (its dataclasses, glob, dates).
"""

from __future__ import annotations

from pathlib import Path

from .errors import CorpusError

CORPUS_FILE = "corpus.yaml"
INDEX_DIR = ".speechsearch"


def find_corpus(start: Path | None = None) -> Path:
    """corpus.yaml in ``start`` (the working directory) or the nearest folder above it."""
    start = (start or Path.cwd()).resolve()
    for folder in (start, *start.parents):
        candidate = folder / CORPUS_FILE
        if candidate.is_file():
            return candidate
    raise CorpusError(f"no {CORPUS_FILE} in {start} or above it (use --corpus FILE)")


def corpus_file(named: Path | str | None = None) -> Path:
    """The corpus file named with --corpus, which must exist (a mistyped name is not another
    corpus's index), or else the one ``find_corpus`` finds."""
    if named is None:
        return find_corpus()
    if not Path(named).is_file():
        raise CorpusError(f"{named}: corpus file not found")
    return Path(named)


def index_dir_of(corpus_file: Path | str) -> Path:
    """The index beside a corpus file."""
    return Path(corpus_file).resolve().parent / INDEX_DIR
