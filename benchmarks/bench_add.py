"""Adding a batch of new files, of mixed formats, to an existing index in one command.

    python benchmarks/bench_add.py --workdir DIR [--files 100]

DIR is a folder bench_index.py left. Writes --files new speeches (text from the bench corpus's
work reports, cut into pieces) as GB18030 .txt, Big5 .txt, .md with front matter, .docx and
.html under DIR/incoming/, runs `speechsearch add` on all of them, and prints what it reported,
its wall time, and whether a phrase from each format is then found.
"""

from __future__ import annotations

import argparse
import json
import lzma
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_index import DEFAULT_BENCH  # noqa: E402

FORMATS = ("gb18030.txt", "big5.txt", "md", "docx", "html")


def pieces(bench: Path, count: int) -> list[str]:
    with lzma.open(bench / "gov_work_reports_2026_provinces.jsonl.xz", "rt", encoding="utf-8") as stream:
        texts = [json.loads(line)["text"] for line in stream]
    paragraphs = [p for t in texts for p in t.split("\n") if len(p) > 40]
    size = max(1, len(paragraphs) // count)
    return ["\n".join(paragraphs[i * size:(i + 1) * size]) for i in range(count)]


def write(folder: Path, number: int, text: str) -> Path:
    kind = FORMATS[number % len(FORMATS)]
    title = f"新到讲话第{number}号"
    if kind == "gb18030.txt":
        path = folder / f"s{number:03d}.txt"
        path.write_bytes(f"{title}\n{text}\n".encode("gb18030", errors="replace"))
    elif kind == "big5.txt":
        import opencc

        path = folder / f"s{number:03d}.big5.txt"
        path.write_bytes(opencc.OpenCC("s2t").convert(f"{title}\n{text}\n").encode("big5", errors="replace"))
    elif kind == "md":
        path = folder / f"s{number:03d}.md"
        path.write_text(f"---\nspeaker: 测试{number}\ndate: 2026-11-{number % 28 + 1:02d}\n---\n{title}\n{text}\n",
                        encoding="utf-8")
    elif kind == "docx":
        import docx

        path = folder / f"s{number:03d}.docx"
        document = docx.Document()
        document.add_paragraph(title, style="Title")
        for line in text.split("\n"):
            document.add_paragraph(line)
        document.save(path)
    else:
        path = folder / f"s{number:03d}.html"
        body = "".join(f"<p>{line}</p>" for line in text.split("\n"))
        path.write_text(f"<html><head><title>{title}</title><script>x()</script></head><body><nav>首页</nav>"
                        f"<h1>{title}</h1>{body}</body></html>", encoding="utf-8")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bench", type=Path, default=DEFAULT_BENCH)
    parser.add_argument("--workdir", type=Path, required=True)
    parser.add_argument("--files", type=int, default=100)
    args = parser.parse_args()
    incoming = args.workdir / "incoming"
    incoming.mkdir(exist_ok=True)
    paths = [write(incoming, n, text) for n, text in enumerate(pieces(args.bench, args.files))]
    command = [sys.executable, "-m", "speechsearch", "--corpus", str(args.workdir / "corpus.yaml"), "add", "-q",
               *map(str, paths)]
    start = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    summary = [line for line in result.stdout.splitlines() if not line.startswith(("added:", "  "))]
    print("\n".join(summary))
    found = {}
    for number, kind in enumerate(FORMATS):
        search = subprocess.run([sys.executable, "-m", "speechsearch", "--corpus", str(args.workdir / "corpus.yaml"),
                                 "search", f"speech:新到讲话第{number}号", "--format", "jsonl", "-n", "5"],
                                capture_output=True, text=True)
        found[kind] = bool(search.stdout.strip())
    print(json.dumps({"files": len(paths), "add_exit_code": result.returncode, "add_s": round(seconds, 1),
                      "found_by_format": found}, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
