import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from speechsearch.cli import cli
from speechsearch.corpus import DEFAULT_BOILERPLATE

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "000_e31692385db164fe.txt"
SEED_DOC = "seeds/000_e31692385db164fe.txt"
EXPECTED_OUTLINE = Path(__file__).parent / "data" / "seed.outline.yaml"
BOILERPLATE = [re.compile(p) for p in DEFAULT_BOILERPLATE]


def write_corpus(folder: Path, docs: list[str], extra: str = "") -> Path:
    lines = ["documents:"] + [f"  - path: {d}" for d in docs]
    corpus = folder / "corpus.yaml"
    corpus.write_text("\n".join(lines) + "\n" + extra, encoding="utf-8")
    return corpus


def run_process(folder: Path, *args, **kwargs) -> subprocess.CompletedProcess:
    """Run the CLI as its own process from ``folder`` (for kills, signals and worker processes)."""
    return subprocess.run([sys.executable, "-m", "speechsearch", *args], cwd=folder, capture_output=True,
                          text=True, **kwargs)


def interruptible() -> None:
    # A shell starts background jobs with Ctrl-C ignored, and a child inherits that; Python
    # then never turns SIGINT into KeyboardInterrupt. The tests of Ctrl-C need the default.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def signal_under_way(folder: Path, args: list[str], sig: int, tenths: int = 1) -> str:
    """Run ``speechsearch *args`` in ``folder`` with its progress piped, send ``sig`` once it
    reports ``tenths`` tenths of the way done, and return its stderr. (A run that ends first is
    not signalled: the caller's checks of what a finished run changes then fail.)"""
    process = subprocess.Popen([sys.executable, "-m", "speechsearch", *args], cwd=folder,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                               preexec_fn=interruptible)
    seen = []
    for line in process.stderr:
        seen.append(line)
        if sum(line.startswith("indexing:") for line in seen) == tenths:
            process.send_signal(sig)
            break
    return "".join(seen) + process.communicate(timeout=120)[1]


def invoke(*args, cwd: Path | None = None):
    """Run the CLI in-process as a user would, from ``cwd`` (default: the current folder)."""
    runner = CliRunner()
    if cwd is None:
        return runner.invoke(cli, list(args), catch_exceptions=False)
    with chdir(cwd):
        return runner.invoke(cli, list(args), catch_exceptions=False)


@contextlib.contextmanager
def chdir(folder: Path):  # contextlib.chdir needs Python 3.11
    old = os.getcwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(old)


@pytest.fixture(scope="session")
def seed_corpus(tmp_path_factory) -> Path:
    """A corpus folder holding the seed, indexed once for the session."""
    folder = tmp_path_factory.mktemp("seedcorpus")
    (folder / "seeds").mkdir()
    shutil.copy(SEED, folder / "seeds" / SEED.name)
    write_corpus(folder, [SEED_DOC])
    result = invoke("--corpus", str(folder / "corpus.yaml"), "index", "--quiet")
    assert result.exit_code == 0, result.output
    return folder


@pytest.fixture(scope="session")
def seed_document():
    from speechsearch.ingest import ingest_file

    return ingest_file(SEED, SEED_DOC, BOILERPLATE)
