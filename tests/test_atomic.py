"""An index run killed at any moment leaves the last good index searchable."""

import json
import shutil
import signal
import subprocess
import sys
import time

from tests.conftest import SEED, write_corpus
from tests.conftest import run_process as cli


def hits(folder, query):
    result = cli(folder, "search", query, "--format", "jsonl", "--limit", "100000", "--no-collapse")
    assert result.returncode == 0, result.stderr
    return sorted((h["doc"], h["line"], h["start"]) for h in map(json.loads, result.stdout.splitlines()))


def test_killed_rebuild_keeps_the_previous_index(tmp_path):
    docs = []
    for number in range(12):
        (tmp_path / f"s{number:02d}.txt").write_bytes(SEED.read_bytes())
        docs.append(f"s{number:02d}.txt")
    write_corpus(tmp_path, docs)
    assert cli(tmp_path, "index", "-q").returncode == 0
    before = hits(tmp_path, "抓落实")
    assert len(before) > 12

    for delay in (0.8, 1.6):
        process = subprocess.Popen([sys.executable, "-m", "speechsearch", "index", "--rebuild", "-q"], cwd=tmp_path,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.wait()
        assert hits(tmp_path, "抓落实") == before  # the live generation was never touched

    result = cli(tmp_path, "index", "--rebuild", "-q")
    assert result.returncode == 0, result.stderr
    assert hits(tmp_path, "抓落实") == before
    assert len(list((tmp_path / ".speechsearch").glob("gen-*"))) == 1  # leftovers were cleaned


def test_interrupted_refresh_keeps_the_previous_commit(tmp_path):
    docs = []
    for number in range(12):
        shutil.copy(SEED, tmp_path / f"s{number:02d}.txt")
        docs.append(f"s{number:02d}.txt")
    write_corpus(tmp_path, docs[:1])
    assert cli(tmp_path, "index", "-q").returncode == 0
    before = hits(tmp_path, "抓落实")
    write_corpus(tmp_path, docs)  # eleven new files: a refresh into the live generation
    process = subprocess.Popen([sys.executable, "-m", "speechsearch", "index", "-q"], cwd=tmp_path,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1.2)
    process.send_signal(signal.SIGINT)  # Ctrl-C
    process.wait()
    after = hits(tmp_path, "抓落实")
    assert after == before or len(after) == 12 * len(before)  # the old commit, or the whole new one
    assert cli(tmp_path, "index", "-q").returncode == 0
    assert len(hits(tmp_path, "抓落实")) == 12 * len(before)
