"""The public yardsticks in ../shared: the outline truth set and its records in corpus-bench.

Used by tests/test_real_documents.py and benchmarks/bench_outline.py. The scoring is the truth
set's own (``check.py``: line, level and the heading's first six characters, one to one), loaded
from its folder rather than copied.
"""

from __future__ import annotations

import importlib.util
import json
import lzma
from collections import defaultdict
from functools import cache
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
OUTLINE_TRUTH = SHARED / "outline-truth"
CORPUS_BENCH = SHARED / "corpus-bench"


RELEVANCE = SHARED / "relevance"
REPORTS = CORPUS_BENCH / "gov_work_reports_2026_provinces.jsonl.xz"


@cache
def script_module(path: Path):
    """A yardstick's own script (check.py, ndcg.py), loaded as a module."""
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def checker():
    """The outline truth set's scorer, check.py."""
    return script_module(OUTLINE_TRUTH / "check.py")


@cache
def outline_truth() -> dict[str, dict]:
    """id -> the truth file's reading of that document."""
    assert (OUTLINE_TRUTH / "check.py").is_file(), f"the outline truth set is not at {OUTLINE_TRUTH}"
    out = {}
    for file in sorted(OUTLINE_TRUTH.glob("*.yaml")):
        reading = yaml.safe_load(file.read_text(encoding="utf-8"))
        out[reading["id"]] = reading
    return out


def records(wanted: set[str]) -> dict[str, dict]:
    """The corpus-bench records with these ids, read from the xz JSONL files."""
    out = {}
    for file in sorted(CORPUS_BENCH.glob("*.jsonl.xz")):
        with lzma.open(file, "rt", encoding="utf-8") as lines:
            for line in lines:
                if '"id"' not in line:
                    continue
                record = json.loads(line)
                if record.get("id") in wanted:
                    out[record["id"]] = record
    return out


def outline_nodes(document) -> list[dict]:
    """A parsed document's outline as check.py reads it: line, level (depth), heading."""
    nodes = []

    def walk(section, depth):
        nodes.append({"line": section.line, "level": depth, "heading": section.heading})
        for point in section.points:
            walk(point, depth + 1)

    for speech in document.speeches:
        for section in speech.sections:
            walk(section, 1)
    return nodes


def score(truth: dict[str, dict], predicted: dict[str, list[dict]]) -> dict:
    """level -> [matched, predicted, truth], summed over documents (check.py's score_doc)."""
    check = checker()
    total: dict = defaultdict(lambda: [0, 0, 0])
    for doc_id, reading in truth.items():
        for level, counts in check.score_doc(reading["nodes"], predicted.get(doc_id, [])).items():
            total[level] = [a + b for a, b in zip(total[level], counts, strict=True)]
    return total


def table(total: dict) -> str:
    return checker().table(total)[0]


def truth_chain(reading: dict, line: int) -> list[str]:
    """The headings above ``line`` in the truth's reading: the last node of each level before
    it (or on it), a node closing every deeper level."""
    chain: dict[int, str] = {}
    for node in reading["nodes"]:
        if node["line"] > line:
            break
        chain = {level: heading for level, heading in chain.items() if level < node["level"]}
        chain[node["level"]] = node["heading"]
    return [chain[level] for level in sorted(chain)]


def same_heading(truth_heading: str, heading: str) -> bool:
    return checker().head_ok(truth_heading, heading)


def ndcg_module():
    """The judged set's scorer, ndcg.py."""
    assert (RELEVANCE / "ndcg.py").is_file(), f"the judged queries are not at {RELEVANCE}"
    return script_module(RELEVANCE / "ndcg.py")


def judged_queries() -> list[str]:
    text = (RELEVANCE / "queries.txt").read_text(encoding="utf-8")
    return [q.strip() for q in text.splitlines() if q.strip()]


def qrels(file: str = "qrels.tsv") -> dict[str, dict[tuple[str, int], int]]:
    """query -> {(record id, line): grade}; also reads dropped_queries.tsv (same columns)."""
    out: dict[str, dict[tuple[str, int], int]] = {}
    rows = (RELEVANCE / file).read_text(encoding="utf-8").splitlines()[1:]
    for row in rows:
        query, doc, line, grade = row.split("\t")[:4]
        out.setdefault(query, {})[(doc, int(line))] = int(grade)
    return out


def ranked_lines(hits) -> list[tuple[str, int]]:
    """(record id, line) of each hit in rank order, each line once (its best passage)."""
    seen: dict[tuple[str, int], None] = {}
    for hit in hits:
        seen.setdefault((hit.doc.split("#", 1)[1], hit.line), None)
    return list(seen)


def ndcg_at_10(judged: dict[tuple[str, int], int], ranking: list[tuple[str, int]]) -> float:
    """nDCG@10, linear gain, a line listed twice counting once (ndcg.py's defaults)."""
    run = [(rank, rank, doc, line) for rank, (doc, line) in enumerate(ranking, 1)]
    return ndcg_module().ndcg_query(judged, run, 10, "linear", "zero")
