"""An index run killed at any moment leaves the last good index searchable."""

import json
import shutil
import signal

from tests.conftest import SEED, signal_under_way, write_corpus
from tests.conftest import run_process as cli


def hits(folder, query):
    result = cli(folder, "search", query, "--format", "jsonl", "--limit", "100000", "--no-collapse")
    assert result.returncode == 0, result.stderr
    return sorted((h["doc"], h["line"], h["start"]) for h in map(json.loads, result.stdout.splitlines()))


def live_generation(folder) -> str:
    return (folder / ".speechsearch" / "CURRENT").read_text().strip()


def test_killed_rebuild_keeps_the_previous_index(tmp_path):
    docs = []
    for number in range(12):
        (tmp_path / f"s{number:02d}.txt").write_bytes(SEED.read_bytes())
        docs.append(f"s{number:02d}.txt")
    write_corpus(tmp_path, docs)
    assert cli(tmp_path, "index", "-q").returncode == 0
    before, live = hits(tmp_path, "抓落实"), live_generation(tmp_path)
    assert len(before) > 12

    for tenths in (1, 6):
        signal_under_way(tmp_path, ["index", "--rebuild", "--jobs", "1"], signal.SIGKILL, tenths)
        assert live_generation(tmp_path) == live  # killed before the new generation was published
        assert hits(tmp_path, "抓落实") == before  # the live generation was never touched

    generations = tmp_path / ".speechsearch"
    assert len(list(generations.glob("gen-*"))) > 1  # the killed runs' unfinished generations
    assert cli(tmp_path, "index", "-q").returncode == 0  # nothing changed: no new generation
    assert len(list(generations.glob("gen-*"))) == 1  # and the leftovers are gone
    assert hits(tmp_path, "抓落实") == before

    result = cli(tmp_path, "index", "--rebuild", "-q")
    assert result.returncode == 0, result.stderr
    assert live_generation(tmp_path) != live
    assert hits(tmp_path, "抓落实") == before
    assert len(list(generations.glob("gen-*"))) == 1


def test_interrupted_refresh_keeps_the_previous_commit(tmp_path):
    docs = []
    for number in range(12):
        shutil.copy(SEED, tmp_path / f"s{number:02d}.txt")
        docs.append(f"s{number:02d}.txt")
    write_corpus(tmp_path, docs[:1])
    assert cli(tmp_path, "index", "-q").returncode == 0
    before = hits(tmp_path, "抓落实")
    write_corpus(tmp_path, docs)  # eleven new files: a refresh into the live generation
    stderr = signal_under_way(tmp_path, ["index", "--jobs", "1"], signal.SIGINT, tenths=3)  # Ctrl-C
    assert "interrupted" in stderr.lower() and "Traceback" not in stderr
    assert hits(tmp_path, "抓落实") == before  # the old commit answers
    assert cli(tmp_path, "index", "-q").returncode == 0
    assert len(hits(tmp_path, "抓落实")) == 12 * len(before)
