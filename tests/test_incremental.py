"""Incremental indexing, `add`, the lock, and indexes from another version."""

import json

from filelock import FileLock

from tests.conftest import invoke, write_corpus


def make(folder, name, text):
    (folder / name).write_text(text, encoding="utf-8")


def report(folder, *args):
    result = invoke("index", "-q", "--format", "json", *args, cwd=folder)
    return result.exit_code, json.loads(result.output)


def docs(folder, query):
    result = invoke("search", query, "--format", "jsonl", "-n", "100", "--no-collapse", cwd=folder)
    return sorted({json.loads(line)["doc"] for line in result.output.splitlines()})


def test_only_changed_files_are_read(tmp_path):
    make(tmp_path, "a.txt", "讲话\n要抓落实。\n")
    make(tmp_path, "b.txt", "讲话\n要抓落实。\n")
    write_corpus(tmp_path, ["a.txt", "b.txt"])
    code, first = report(tmp_path)
    assert code == 0 and first["rebuilt"] and sorted(first["indexed"]) == ["a.txt", "b.txt"]

    code, again = report(tmp_path)
    assert (again["indexed"], again["unchanged"], again["rebuilt"]) == ([], 2, False)

    make(tmp_path, "b.txt", "讲话\n要推进改革。\n")
    make(tmp_path, "c.txt", "讲话\n要抓落实。\n")
    write_corpus(tmp_path, ["b.txt", "c.txt"])  # a.txt leaves the corpus
    code, changed = report(tmp_path)
    assert sorted(changed["indexed"]) == ["b.txt", "c.txt"] and changed["removed"] == ["a.txt"]
    assert changed["files"] == 2
    assert docs(tmp_path, "抓落实") == ["c.txt"]
    assert docs(tmp_path, "推进改革") == ["b.txt"]


def test_a_changed_file_leaves_no_trace_in_a_segment_that_keeps_the_others(tmp_path):
    """Its old passages stay in the segment as deleted documents, which searches skip."""
    from speechsearch.engine.store import IndexStore

    names = ["a.txt", "b.txt", "c.txt", "d.txt"]
    for name in names:
        make(tmp_path, name, "讲话\n要抓落实，抓落实。\n一是会议。\n")
    write_corpus(tmp_path, names)
    assert report(tmp_path)[0] == 0
    make(tmp_path, "b.txt", "讲话\n要推进改革。\n")
    assert report(tmp_path)[0] == 0
    with IndexStore(tmp_path / ".speechsearch").open().searcher() as searcher:
        assert searcher.reader().has_deletions()
    assert docs(tmp_path, "抓落实") == docs(tmp_path, "会") == ["a.txt", "c.txt", "d.txt"]
    assert docs(tmp_path, "推进改革") == ["b.txt"]


def test_globs_and_a_pattern_that_matches_nothing(tmp_path):
    (tmp_path / "speeches" / "2026").mkdir(parents=True)
    make(tmp_path / "speeches" / "2026", "x.txt", "讲话\n要抓落实。\n")
    make(tmp_path / "speeches", "y.txt", "讲话\n要抓落实。\n")
    (tmp_path / "corpus.yaml").write_text("documents:\n  - path: speeches/**/*.txt\n  - path: none/*.docx\n",
                                          encoding="utf-8")
    code, result = report(tmp_path)
    assert sorted(result["indexed"]) == ["speeches/2026/x.txt", "speeches/y.txt"]
    assert result["warnings"] == ["none/*.docx: no file matches this pattern"]


def test_add_keeps_comments_and_indexes_the_new_file(tmp_path):
    make(tmp_path, "a.txt", "讲话\n要抓落实。\n")
    (tmp_path / "corpus.yaml").write_text("# my speeches\ndocuments:\n  - path: a.txt  # the first one\n",
                                          encoding="utf-8")
    assert invoke("index", "-q", cwd=tmp_path).exit_code == 0
    make(tmp_path, "new.txt", "讲话\n要抓落实。\n")
    result = invoke("add", "new.txt", "--speaker", "张三", "--date", "2026-01-05", "--tag", "人社", "-q", cwd=tmp_path)
    assert result.exit_code == 0, result.output
    assert "added: new.txt" in result.output and "1 indexed, 1 unchanged" in result.output
    corpus = (tmp_path / "corpus.yaml").read_text(encoding="utf-8")
    assert corpus.startswith("# my speeches\ndocuments:\n  - path: a.txt  # the first one\n")
    assert "path: new.txt" in corpus and "speaker: 张三" in corpus
    assert docs(tmp_path, "抓落实") == ["a.txt", "new.txt"]
    assert invoke("search", "抓落实", "--speaker", "张三", "--format", "jsonl", cwd=tmp_path).output.count("\n") == 1


def test_add_rejects_a_bad_date_and_a_missing_file(tmp_path):
    write_corpus(tmp_path, [])
    make(tmp_path, "a.txt", "讲话\n")
    result = invoke("add", "a.txt", "--date", "5 March", cwd=tmp_path)
    assert result.exit_code == 3 and "not an ISO date" in result.stderr
    result = invoke("add", "nope.txt", cwd=tmp_path)
    assert result.exit_code == 3 and "nope.txt: file not found" in result.stderr


def test_a_second_index_run_waits_then_fails_clearly(tmp_path):
    make(tmp_path, "a.txt", "讲话\n要抓落实。\n")
    write_corpus(tmp_path, ["a.txt"])
    assert invoke("index", "-q", cwd=tmp_path).exit_code == 0
    with FileLock(str(tmp_path / ".speechsearch" / "LOCK")):
        result = invoke("index", "--wait", "0.3", cwd=tmp_path)
        assert result.exit_code == 4
        assert "waiting for another index run" in result.stderr
        assert "locked by another 'speechsearch index' run" in result.stderr
        assert invoke("search", "抓落实", cwd=tmp_path).exit_code == 0  # searching needs no lock


def test_index_from_another_version_points_at_rebuild(tmp_path):
    make(tmp_path, "a.txt", "讲话\n要抓落实。\n")
    write_corpus(tmp_path, ["a.txt"])
    assert invoke("index", "-q", cwd=tmp_path).exit_code == 0
    gen = tmp_path / ".speechsearch" / (tmp_path / ".speechsearch" / "CURRENT").read_text().strip()
    (gen / "meta.json").write_text(json.dumps({"schema_version": 0, "segmenter": "rjieba"}))
    result = invoke("search", "抓落实", cwd=tmp_path)
    assert result.exit_code == 4 and "another version" in result.stderr and "--rebuild" in result.stderr
    code, rebuilt = report(tmp_path)  # a plain index run notices and rebuilds
    assert code == 0 and rebuilt["rebuilt"]
    assert docs(tmp_path, "抓落实") == ["a.txt"]


def test_changing_segmenter_rebuilds_and_never_mixes(tmp_path):
    make(tmp_path, "a.txt", "讲话\n要抓落实。\n")
    write_corpus(tmp_path, ["a.txt"])
    assert report(tmp_path)[1]["rebuilt"]
    code, result = report(tmp_path, "--segmenter", "jieba")
    assert result["rebuilt"] and result["indexed"] == ["a.txt"]
    meta = json.loads(next((tmp_path / ".speechsearch").glob("gen-*/meta.json")).read_text())
    assert meta["segmenter"] == "jieba"
    assert docs(tmp_path, "抓落实") == ["a.txt"]
