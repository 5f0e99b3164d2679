"""Faults a real user meets: a disk that fills up during `index`, index files damaged on disk.

Each fault must give the same answer as before or one line and exit code 4 (3 for a full
disk), never a different answer and never a traceback.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import SEED, invoke
from tests.truth_sets import REPORTS


def mount_tmpfs(folder: Path, size: str) -> None:
    if os.geteuid() != 0 or not shutil.which("mount"):
        pytest.skip("mounting a small tmpfs needs root (CI runs as root)")
    folder.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")


@pytest.fixture
def small_disk(tmp_path):
    disk = tmp_path / "disk"
    mount_tmpfs(disk, "6m")
    yield disk
    subprocess.run(["umount", "-l", str(disk)], check=False)


def listing(folder: Path) -> dict[str, int]:
    return {str(p.relative_to(folder)): p.stat().st_size for p in folder.rglob("*") if p.is_file()}


@pytest.mark.parametrize("rebuild", [False, True])
def test_a_full_disk_during_index_leaves_the_last_good_index_as_it_was(tmp_path, small_disk, rebuild):
    shutil.copy(SEED, tmp_path / "seed.txt")
    (tmp_path / "corpus.yaml").write_text("documents:\n  - path: seed.txt\n", encoding="utf-8")
    index = ["--corpus", str(tmp_path / "corpus.yaml"), "--index", str(small_disk)]
    assert invoke(*index, "index", "-q").exit_code == 0
    before, answer = listing(small_disk), invoke(*index, "search", "抓落实", "--format", "json").output
    free_before = shutil.disk_usage(small_disk).free
    shutil.copy(REPORTS, tmp_path / REPORTS.name)  # 27 reports: far more than the disk holds
    (tmp_path / "corpus.yaml").write_text(f"documents:\n  - path: seed.txt\n  - path: {REPORTS.name}\n",
                                          encoding="utf-8")
    result = invoke(*index, "index", "-q", *(["--rebuild"] if rebuild else []), "--jobs", "1")
    assert result.exit_code == 3, result.output
    assert result.output.strip().splitlines()[-1] == "speechsearch: cannot write: No space left on device"
    assert listing(small_disk) == before  # no segment, no MAIN.tmp, no new generation left behind
    assert shutil.disk_usage(small_disk).free == free_before
    assert invoke(*index, "search", "抓落实", "--format", "json").output == answer


def test_the_last_output_meeting_a_full_disk_is_one_line(tmp_path):
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full here")
    shutil.copy(SEED, tmp_path / "seed.txt")
    (tmp_path / "corpus.yaml").write_text("documents:\n  - path: seed.txt\n", encoding="utf-8")
    with open("/dev/full", "w") as full:
        done = subprocess.run([sys.executable, "-m", "speechsearch", "search", "的", "-n", "50"], cwd=tmp_path,
                              stdout=full, stderr=subprocess.PIPE, text=True, timeout=120)
    assert done.returncode == 3
    assert done.stderr.strip().splitlines()[-1] == "speechsearch: cannot write: No space left on device"
    assert "Traceback" not in done.stderr


READ_COMMANDS = [
    ("search", "抓落实", "-n", "50", "--format", "json"),
    ("search", "会议", "--speech", "人社", "--format", "json"),
    ("export", "落实", "-o", "-", "--format", "jsonl"),
    ("keywords", "seeds/000_e31692385db164fe.txt", "--format", "json"),
    ("trend", "抓落实", "--format", "json"),
]


def damaged(path: Path, how: str) -> None:
    data = path.read_bytes()
    if how == "delete":
        path.unlink()
    elif how == "truncate":
        path.write_bytes(data[: len(data) // 2])
    elif how == "empty":
        path.write_bytes(b"")
    else:  # flip a byte in the middle
        middle = len(data) // 2
        path.write_bytes(data[:middle] + bytes([data[middle] ^ 0x5A]) + data[middle + 1:] if data else b"\x5a")


@pytest.fixture(scope="module")
def pristine(tmp_path_factory, seed_corpus):
    answers = {args: invoke("--corpus", str(seed_corpus / "corpus.yaml"), *args) for args in READ_COMMANDS}
    assert all(r.exit_code == 0 for r in answers.values())
    return seed_corpus, {args: r.output for args, r in answers.items()}


def index_files(folder: Path) -> list[str]:
    gen = folder / ".speechsearch" / (folder / ".speechsearch" / "CURRENT").read_text().strip()
    return sorted(p.name for p in gen.iterdir() if p.is_file())


def test_every_damaged_index_file_gives_the_same_answer_or_exit_4(pristine, tmp_path):
    source, answers = pristine
    files = index_files(source)
    assert len(files) >= 8
    wrong, tried = [], 0
    for name in files:
        for how in ("delete", "truncate", "empty", "flip"):
            folder = tmp_path / f"{name}-{how}"
            shutil.copytree(source, folder, ignore=shutil.ignore_patterns("__pycache__"))
            gen = folder / ".speechsearch" / (folder / ".speechsearch" / "CURRENT").read_text().strip()
            damaged(gen / name, how)
            for args in READ_COMMANDS:
                tried += 1
                result = invoke("--corpus", str(folder / "corpus.yaml"), *args)
                ok = (result.exit_code == 0 and result.output == answers[args]) or (
                    result.exit_code == 4 and len(result.output.strip().splitlines()) == 1
                    and "run 'speechsearch index --rebuild'" in result.output)
                if not ok:
                    wrong.append((name, how, args[0], result.exit_code, result.output[-200:]))
            shutil.rmtree(folder)
    assert not wrong, f"{len(wrong)} of {tried}: " + json.dumps([w[:4] for w in wrong], ensure_ascii=False)
