"""Progress of `index`: a bar on a terminal, a line every tenth when piped, nothing with -q."""

import os
import re
import subprocess
import sys

import pytest

from tests.conftest import SEED, write_corpus
from tests.conftest import run_process as cli

FIGURES = re.compile(r"file (\d+)/(\d+)  [\d.]+/([\d.]+) MB  [\d.]+ MB/s  ETA \d+:\d\d")


def corpus_of(folder, copies=12):
    docs = []
    for number in range(copies):
        (folder / f"s{number:02d}.txt").write_text(SEED.read_text(encoding="utf-8") + f"\n附记{number}。\n",
                                                   encoding="utf-8")
        docs.append(f"s{number:02d}.txt")
    write_corpus(folder, docs)


def test_piped_progress_is_a_line_every_tenth_with_files_megabytes_rate_and_eta(tmp_path):
    corpus_of(tmp_path)
    result = cli(tmp_path, "index", "--jobs", "1")
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith("indexing: ")]
    phases = [line for line in lines if not FIGURES.search(line)]
    assert phases == ["indexing: committing 1 segment…", "indexing: writing the pinyin table of the index's words…"]
    lines = [line for line in lines if line not in phases]
    assert 5 <= len(lines) <= 10
    figures = [FIGURES.search(line) for line in lines]
    assert all(figures), lines
    reached = [int(f.group(1)) for f in figures]
    assert reached == sorted(reached) and reached[-1] == 12 and {f.group(2) for f in figures} == {"12"}
    assert "\x1b" not in result.stderr  # no terminal codes in a pipe

    (tmp_path / "s00.txt").write_text("讲话\n改了。\n", encoding="utf-8")
    quiet = cli(tmp_path, "index", "-q", "--rebuild", "--jobs", "1")
    assert quiet.returncode == 0 and "indexing" not in quiet.stderr


def test_a_terminal_gets_a_bar_redrawn_in_place(tmp_path):
    pty = pytest.importorskip("pty", reason="pseudo-terminals are POSIX")
    corpus_of(tmp_path)
    leader, follower = pty.openpty()
    process = subprocess.Popen([sys.executable, "-m", "speechsearch", "index", "--jobs", "1"], cwd=tmp_path,
                               stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=follower)
    os.close(follower)
    shown = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the terminal closed: the process is done with it
            break
        if not chunk:
            break
        shown += chunk
    os.close(leader)
    assert process.wait(timeout=120) == 0
    text = shown.decode("utf-8", "replace")
    bars = re.findall(r"\r\x1b\[2Kindexing \[([#.]{24})\] ", text)
    assert len(bars) >= 12  # redrawn for each file, in place
    assert bars[-1] == "#" * 24
    assert text.endswith("\r\x1b[2K")  # cleared when done
    last = FIGURES.findall(text)[-1]
    assert last[0] == last[1] == "12"
    # once the files are read, the steps that follow are named (the bar would sit full)
    assert re.search(r"\r\x1b\[2Kindexing: committing 1 segment…  \(\d+ s so far\)", text)
