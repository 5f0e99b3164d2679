"""Winnowed k-gram fingerprints of every passage: which passages share a run of characters.

Winnowing (Schleimer, Wilkerson and Aiken, the MOSS paper): hash every k-gram of a text, and in
each window of ``w`` consecutive hashes keep the smallest. Two texts sharing a run of at least
``k + w - 1`` characters then share a kept hash, and about 2 / (w + 1) of the positions are kept.
With k = 6 and w = 6 any shared run of 11 characters is found, so `reuse --min-chars 15` misses
none.

The table (hash, document number, position) for a whole index is built with numpy from the
passages' matching forms the caller gives, sorted by hash, and saved beside the index commit it
was made from (``fingerprints-<generation>.*.npy``, memory-mapped when read). It is derived data:
a new commit makes a new one, and a missing or damaged one is built again.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

K = 6
W = 6
BASE = np.uint64(0x100000001B3)
MIX = np.uint64(0x9E3779B97F4A7C15)
NONE = np.uint64(0xFFFFFFFFFFFFFFFF)
CHUNK_CHARS = 4_000_000  # passages hashed per numpy pass: bounds the build's memory


def kgram_hashes(codes: np.ndarray, k: int = K) -> np.ndarray:
    """A 64-bit hash of each k-gram of ``codes`` (code points as uint64), mixed so that the
    smallest in a window falls anywhere in it."""
    n = len(codes) - k + 1
    if n <= 0:
        return np.zeros(0, dtype=np.uint64)
    with np.errstate(over="ignore"):
        h = np.zeros(n, dtype=np.uint64)
        for j in range(k):
            h = h * BASE + codes[j:j + n]
        h ^= h >> np.uint64(29)
        h *= MIX
        h ^= h >> np.uint64(32)
    return h


def winnow(hashes: np.ndarray, w: int = W) -> np.ndarray:
    """The positions the winnowing keeps: those holding the smallest hash of a window of ``w``
    (on a tie, each of them: more kept, none lost)."""
    n = len(hashes)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    if n <= w:
        return np.flatnonzero(hashes == hashes.min())
    smallest = hashes[:n - w + 1].copy()  # smallest[j]: the minimum of window j
    for d in range(1, w):
        np.minimum(smallest, hashes[d:n - w + 1 + d], out=smallest)
    kept = np.zeros(n, dtype=bool)
    for d in range(w):  # position p is in windows p - w + 1 … p
        kept[d:d + len(smallest)] |= hashes[d:d + len(smallest)] == smallest
    return np.flatnonzero(kept)


def fingerprints_of(form: str) -> tuple[np.ndarray, np.ndarray]:
    """(hashes, positions) kept for one text's matching form."""
    codes = np.frombuffer(form.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    hashes = kgram_hashes(codes)
    kept = winnow(hashes)
    return hashes[kept], kept


@dataclass
class FingerprintTable:
    hashes: np.ndarray  # sorted
    docnums: np.ndarray
    positions: np.ndarray

    def lookup(self, hashes: np.ndarray, most: int) -> tuple[np.ndarray, np.ndarray]:
        """For each hash, the range of rows holding it; a hash in more than ``most`` passages
        (a stock phrase) gets an empty range."""
        left = np.searchsorted(self.hashes, hashes, side="left")
        right = np.searchsorted(self.hashes, hashes, side="right")
        common = right - left > most
        right[common] = left[common]
        return left, right

    @classmethod
    def build(cls, forms: Iterable[tuple[int, str]]) -> FingerprintTable:
        """From (document number, matching form) pairs."""
        parts_h, parts_d, parts_p = [], [], []

        def flush(batch: list[tuple[int, str]]) -> None:
            text = "\x00".join(form for _, form in batch)  # NUL: never a letter, so never in a form
            codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
            starts = np.cumsum([0] + [len(form) + 1 for _, form in batch[:-1]])
            hashes = kgram_hashes(codes)
            if len(hashes) == 0:
                return
            crossing = np.zeros(len(codes) + 1, dtype=np.int64)
            np.cumsum(codes == 0, out=crossing[1:])
            bad = crossing[K:K + len(hashes)] - crossing[:len(hashes)] > 0  # a k-gram over a separator
            hashes[bad] = NONE
            kept = winnow(hashes)
            kept = kept[hashes[kept] != NONE]
            owner = np.searchsorted(starts, kept, side="right") - 1
            parts_h.append(hashes[kept])
            parts_d.append(np.array([d for d, _ in batch], dtype=np.uint32)[owner])
            parts_p.append((kept - starts[owner]).astype(np.uint32))

        batch, size = [], 0
        for docnum, form in forms:
            if len(form) < K:
                continue
            batch.append((docnum, form))
            size += len(form) + 1
            if size >= CHUNK_CHARS:
                flush(batch)
                batch, size = [], 0
        if batch:
            flush(batch)
        if not parts_h:
            return cls(np.zeros(0, np.uint64), np.zeros(0, np.uint32), np.zeros(0, np.uint32))
        hashes, docnums, positions = np.concatenate(parts_h), np.concatenate(parts_d), np.concatenate(parts_p)
        order = np.argsort(hashes, kind="stable")
        return cls(hashes[order], docnums[order], positions[order])

    def save(self, folder: Path, stem: str) -> None:
        """Written under temporary names and renamed, so a reader never sees half a table."""
        for name in ("hashes", "docnums", "positions"):
            final = folder / f"{stem}.{name}.npy"
            tmp = folder / f"{stem}.{name}.{os.getpid()}.tmp.npy"
            np.save(tmp, getattr(self, name))
            os.replace(tmp, final)

    @classmethod
    def load(cls, folder: Path, stem: str) -> FingerprintTable | None:
        try:
            arrays = [np.load(folder / f"{stem}.{name}.npy", mmap_mode="r")
                      for name in ("hashes", "docnums", "positions")]
        except (OSError, ValueError):
            return None
        if not len(arrays[0]) == len(arrays[1]) == len(arrays[2]):
            return None
        return cls(*arrays)


def table_for(folder: Path, generation: int, forms: Callable[[], Iterable[tuple[int, str]]],
              on_build: Callable[[], None] | None = None) -> FingerprintTable:
    """The table of index commit ``generation`` in ``folder``: loaded, or built and saved (and
    the tables of older commits removed). A folder that cannot be written keeps it in memory."""
    stem = f"fingerprints-{generation}"
    table = FingerprintTable.load(folder, stem)
    if table is not None:
        return table
    if on_build:
        on_build()
    table = FingerprintTable.build(forms())
    try:
        table.save(folder, stem)
        for old in folder.glob("fingerprints-*.npy"):
            if not old.name.startswith(stem + "."):
                old.unlink(missing_ok=True)
    except OSError:
        pass  # a read-only index: this run uses it from memory
    return table
