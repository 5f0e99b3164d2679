"""Text as reuse sees it: letters and digits only, width, case and script folded.

Two passages that differ only in punctuation, full-width digits or traditional characters
have the same matching form. ``matching_form`` also keeps, for each character it keeps, its
offset in the text as written, so a shared run found in the forms is highlighted in the text.
Character shingles (overlapping 3-grams) of the form measure near-duplicates: Jaccard ≥ 0.8.
"""

from __future__ import annotations

import re

from .engine.analysis import fold
from .markers import SENTENCE_END
from .script import simplify_chars
from .width import fold_width

SHINGLE = 3
NEAR = 0.8  # Jaccard of character shingles at which two passages are near-duplicates
ENDS = SENTENCE_END + "\n"
VERIFIED = 5  # LSH candidates checked exactly per passage


NOT_LETTER = re.compile(r"[\W_]+")
LETTER = re.compile(r"[^\W_]")


def matching_form(text: str) -> tuple[str, list[int]]:
    """(form, offsets): ``text`` folded, simplified and stripped of everything but letters and
    digits; ``offsets[i]`` is where the form's character ``i`` stands in ``text``."""
    folded = simplify_chars(fold(text))
    offsets = [m.start() for m in LETTER.finditer(folded)]
    return "".join(folded[i] for i in offsets), offsets


def form_of(text: str) -> str:
    """``matching_form``'s form alone, at the speed of a regular expression (the corpus side)."""
    return NOT_LETTER.sub("", simplify_chars(fold(text)))


def shingle_form(text: str) -> str:
    """The form without the script fold, for passages of the index (stored as indexed, so
    already simplified): comparing hits never loads OpenCC."""
    return NOT_LETTER.sub("", fold(text))


def shingles(form: str, k: int = SHINGLE) -> set[str]:
    if len(form) <= k:
        return {form} if form else set()
    return {form[i:i + k] for i in range(len(form) - k + 1)}


def jaccard(a: set[str], b: set[str]) -> float:
    if not a or not b:
        return 0.0
    shared = len(a & b)
    return shared / (len(a) + len(b) - shared)


def sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence of ``text``, its closing mark included (in either width)."""
    spans, start = [], 0
    for i, c in enumerate(fold_width(text)):  # one character for one: offsets hold
        if c in ENDS:
            if text[start:i + 1].strip():
                spans.append((start, i + 1))
            start = i + 1
    if text[start:].strip():
        spans.append((start, len(text)))
    return spans


PAIRWISE = 400  # up to this many sets are compared pairwise


def near_one_of(shingle_set: set[str], forms: list[set[str]], heads: list[int], threshold: float = NEAR) -> int | None:
    """The first of ``heads`` (indexes into ``forms``) that ``shingle_set`` near-duplicates, or None."""
    size = len(shingle_set)
    for j in heads:
        other = len(forms[j])
        if min(size, other) >= threshold * max(size, other) and jaccard(shingle_set, forms[j]) >= threshold:
            return j
    return None


def near_duplicate_of(forms: list[set[str]], threshold: float = NEAR) -> list[int | None]:
    """For each shingle set, the index of an earlier one it near-duplicates (Jaccard ≥
    ``threshold``), or None: the first of a group stands for it.

    Few sets (a page of hits) are compared pairwise; many (an export) go through MinHash LSH
    (datasketch) for candidates, each candidate confirmed by its exact Jaccard."""
    found: list[int | None] = [None] * len(forms)
    if len(forms) <= PAIRWISE:
        heads: list[int] = []
        for i, shingle_set in enumerate(forms):
            found[i] = near_one_of(shingle_set, forms, heads, threshold)
            if found[i] is None:
                heads.append(i)
        return found
    from datasketch import MinHash, MinHashLSH

    lsh = MinHashLSH(threshold=threshold - 0.1, num_perm=128)  # below: LSH is approximate
    sketches = MinHash.bulk([[s.encode("utf-8") for s in shingle_set] or [b""] for shingle_set in forms],
                            num_perm=128)  # one set of permutations for all
    import numpy as np

    values = np.array([sketch.hashvalues for sketch in sketches])
    for i, (shingle_set, sketch) in enumerate(zip(forms, sketches, strict=True)):
        # the likeliest few by the sketches' estimate, each confirmed exactly
        candidates = np.array(sorted(int(key) for key in lsh.query(sketch)), dtype=np.int64)
        if len(candidates) > VERIFIED:
            estimate = (values[candidates] == values[i]).mean(axis=1)
            candidates = candidates[np.argsort(-estimate, kind="stable")[:VERIFIED]]
        match = next((j for j in candidates.tolist() if jaccard(shingle_set, forms[j]) >= threshold), None)
        if match is None:
            lsh.insert(str(i), sketch)
        else:
            found[i] = match
    return found
