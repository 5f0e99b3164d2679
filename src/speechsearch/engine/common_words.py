"""The common words whose neighbours a phrase reads together with them (common grams).

A phrase costs what its terms' postings cost, and one common word in it (发展 in 高质量发展:
in a tenth of a policy corpus's passages) costs more than all its other terms together. As in
Lucene's CommonGrams filter and Sphinx's ``bigram_index``, the index also keeps each common
word joined with its neighbour as one term at the pair's first position (``analysis``: 量发展
for the bigrams 量发 发展, 高质量␣发展 for the words), and a phrase reads that rare pair in place
of the common word (``literal``).

The list is a fixed rule, not fitted to any corpus: the most frequent two-character entries of
jieba's dictionary (People's Daily and other general Chinese), which is also the segmenter's.
Each index keeps the list it was built with (its tokenizers carry it, pickled in the schema),
so a later list never misreads an older index. ``python -m speechsearch.engine.common_words``
prints the rule's list from the installed jieba.
"""

from __future__ import annotations

COMMON_COUNT = 32  # 64 made an index 8% larger, 32 5%: see benchmarks/README.md

COMMON_WORDS = frozenset("""
一个 中国 我们 他们 自己 没有 国家 可以 发展 工作 这个 什么 主要 问题 进行 地方 已经 这样 全国 经济
这些 不是 公司 人民 社会 知道 这种 起来 地区 如果 开始 技术
""".split())


def from_jieba(count: int = COMMON_COUNT) -> list[str]:
    """The ``count`` two-character words (letters or digits) that jieba's dictionary counts
    most often, most frequent first (ties in code point order)."""
    from pathlib import Path

    import jieba

    entries = []
    with open(Path(jieba.__file__).with_name("dict.txt"), encoding="utf-8") as dictionary:
        for line in dictionary:
            word, frequency = line.split()[:2]
            if len(word) == 2 and word.isalnum():
                entries.append((-int(frequency), word))
    return [word for _, word in sorted(entries)[:count]]


if __name__ == "__main__":
    print(" ".join(from_jieba()))
