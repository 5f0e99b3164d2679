"""The CLI as a user drives it: real corpus folders, a real index, click's CliRunner."""

import json
import random
import shutil
import subprocess
import sys

import pytest

from tests.conftest import SEED, SEED_DOC, invoke, run_process, write_corpus


def run(folder, *args):
    return invoke("--corpus", str(folder / "corpus.yaml"), *args)


def test_index_summary(seed_corpus):
    result = run(seed_corpus, "index")
    assert result.exit_code == 0
    out = result.output
    assert "files: 1 in index; 0 indexed, 1 unchanged" in out
    assert "speeches: 3  sections: 10  points: 30" in out
    assert "annotations stripped: 2640  garbage spots: 33" in out
    assert f"{SEED_DOC}:7:837" in out


def test_search_text_output(seed_corpus):
    result = run(seed_corpus, "search", "抓落实", "--limit", "3")
    assert result.exit_code == 0
    assert "人社工作会议讲话稿(一) › " in result.output
    assert f"{SEED_DOC}:" in result.output
    assert "【抓落实】" in result.output  # piped output marks matches without colour codes
    assert "\x1b[" not in result.output


def test_search_jsonl_returns_every_passage_with_its_breadcrumb(seed_corpus, seed_document):
    result = run(seed_corpus, "search", "抓落实", "--format", "jsonl", "--limit", "1000")
    hits = [json.loads(line) for line in result.output.splitlines()]
    expected = {(p.line, p.start): p for p in seed_document.passages if "抓落实" in p.text}
    assert {(h["line"], h["start"]) for h in hits} == set(expected)
    for hit in hits:
        passage = expected[(hit["line"], hit["start"])]
        assert hit["doc"] == SEED_DOC
        assert hit["speech"] == passage.speech and hit["path"] == passage.path
        assert hit["text"] == passage.text and hit["end"] == passage.end
        assert all(hit["text"][s:e] == "抓落实" for s, e in hit["highlights"])
        assert set(hit) >= {"doc", "speech", "path", "line", "start", "end", "text", "score", "highlights"}
    scores = [h["score"] for h in hits]
    assert scores == sorted(scores, reverse=True)


def test_search_json_is_a_list(seed_corpus):
    result = run(seed_corpus, "search", "會議", "--format", "json", "-n", "2")
    hits = json.loads(result.output)
    assert len(hits) == 2 and all("会议" in h["text"] for h in hits)


def test_no_hits_exit_1(seed_corpus):
    result = run(seed_corpus, "search", "量子计算")
    assert result.exit_code == 1
    assert "no passage contains" in result.output


def test_show_json_shape(seed_corpus):
    result = run(seed_corpus, "show", SEED_DOC, "--format", "json")
    assert result.exit_code == 0
    outline = json.loads(result.output)
    assert outline["doc"] == SEED_DOC
    first = outline["speeches"][0]
    assert (first["title"], first["line"]) == ("人社工作会议讲话稿(一)", 3)
    section = first["sections"][0]
    assert (section["heading"], section["line"]) == ("一、为什么要抓落实", 6)
    point = section["points"][0]
    assert point["line"] == 7 and point["heading"].startswith("第一,抓落实")
    assert [s["heading"] for s in point["subpoints"]] == ["一是落实才能发展", "二是落实才有希望", "三是落实才有效果"]


def test_show_text_tree(seed_corpus):
    result = run(seed_corpus, "show", SEED_DOC)
    assert "  一、为什么要抓落实  :6" in result.output
    assert "      · 一是落实才能发展" in result.output


def test_first_search_builds_the_index(tmp_path):
    (tmp_path / "seeds").mkdir()
    shutil.copy(SEED, tmp_path / "seeds")
    write_corpus(tmp_path, [SEED_DOC])
    result = invoke("search", "抓落实", "-n", "1", cwd=tmp_path)  # corpus.yaml found in the working folder
    assert result.exit_code == 0
    assert "no index yet; building" in result.stderr
    assert (tmp_path / ".speechsearch" / "CURRENT").is_file()


# Errors: one line on stderr naming the problem, a non-zero exit, no traceback.

def assert_clean_error(result, code, *words):
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    message = result.stderr.strip()
    assert message.startswith("speechsearch: ") and "\n" not in message, message
    for word in words:
        assert word in message


def test_missing_corpus_file(tmp_path):
    assert_clean_error(invoke("index", cwd=tmp_path), 3, "no corpus.yaml")
    assert_clean_error(invoke("--corpus", str(tmp_path / "nope.yaml"), "index"), 3, "nope.yaml", "not found")


def test_a_search_through_a_mistyped_corpus_file_is_an_error(seed_corpus):
    """A search reads only the index beside the corpus file, but a file named with --corpus must
    exist: a mistyped name beside another corpus's index does not search that index."""
    assert invoke("--corpus", str(seed_corpus / "corpus.yaml"), "search", "抓落实").exit_code == 0
    for command in (["search", "抓落实"], ["show", "x"], ["trend", "抓落实"]):
        assert_clean_error(invoke("--corpus", str(seed_corpus / "corpus.yml"), *command), 3, "corpus.yml",
                           "not found")


def test_invalid_yaml(tmp_path):
    (tmp_path / "corpus.yaml").write_text("documents:\n  - path: [unclosed\n", encoding="utf-8")
    assert_clean_error(invoke("index", cwd=tmp_path), 3, "invalid YAML", "line")


def test_unknown_key(tmp_path):
    (tmp_path / "corpus.yaml").write_text("documents: []\ndocs: x\n", encoding="utf-8")
    assert_clean_error(invoke("index", cwd=tmp_path), 3, "unknown key 'docs'")
    (tmp_path / "corpus.yaml").write_text("documents:\n  - path: a.txt\n    author: x\n", encoding="utf-8")
    assert_clean_error(invoke("index", cwd=tmp_path), 3, "unknown key 'author'")


def test_missing_listed_file_does_not_stop_the_others(tmp_path):
    (tmp_path / "seeds").mkdir()
    shutil.copy(SEED, tmp_path / "seeds")
    write_corpus(tmp_path, ["gone.txt", SEED_DOC])
    result = invoke("index", cwd=tmp_path)
    assert result.exit_code == 1
    assert "failed: gone.txt: file not found" in result.output
    assert "files: 1 in index; 1 indexed" in result.output
    assert invoke("search", "抓落实", cwd=tmp_path).exit_code == 0


def test_no_index_where_one_is_needed(tmp_path):
    result = invoke("--index", str(tmp_path / "empty"), "search", "抓落实")
    assert_clean_error(result, 4, "no index", "speechsearch index")


def test_empty_query(seed_corpus):
    assert_clean_error(run(seed_corpus, "search", "  "), 2, "empty query")


def test_queries_that_do_not_parse(seed_corpus):
    for query, reason in [("(抓落实", "'(' without ')'"), ('"抓落实', "unbalanced quote"), ("抓落实 OR", "OR needs"),
                          ("AND 人社", "AND needs"), ("人社)", "')' without '('")]:
        assert_clean_error(run(seed_corpus, "search", query), 2, "does not parse", reason)
    assert_clean_error(run(seed_corpus, "search", "。,"), 2, "no letters or digits")


def _indexed_seed(folder):
    """The seed indexed in ``folder``; the folder of the index's current generation."""
    (folder / "seeds").mkdir()
    shutil.copy(SEED, folder / "seeds")
    write_corpus(folder, [SEED_DOC])
    assert invoke("index", "-q", cwd=folder).exit_code == 0
    return folder / ".speechsearch" / (folder / ".speechsearch" / "CURRENT").read_text().strip()


def test_corrupt_index_points_at_rebuild(tmp_path):
    gen = _indexed_seed(tmp_path)
    for toc in gen.glob("*.toc"):
        toc.write_bytes(b"garbage")
    assert_clean_error(invoke("search", "抓落实", cwd=tmp_path), 4, "corrupt", "--rebuild")
    assert invoke("index", "--rebuild", "-q", cwd=tmp_path).exit_code == 0
    assert invoke("search", "抓落实", cwd=tmp_path).exit_code == 0


def test_damaged_segment_file_points_at_rebuild(tmp_path):
    """Whoosh opens a segment's files only when a searcher is made; that is checked too."""
    gen = _indexed_seed(tmp_path)
    for terms in gen.glob("*.trm"):
        terms.write_bytes(b"garbage" + terms.read_bytes()[7:])
    assert_clean_error(invoke("search", "抓落实", cwd=tmp_path), 4, "corrupt", "--rebuild")
    assert_clean_error(invoke("index", "-q", cwd=tmp_path), 4, "corrupt", "--rebuild")
    assert invoke("index", "--rebuild", "-q", cwd=tmp_path).exit_code == 0
    assert invoke("search", "抓落实", cwd=tmp_path).exit_code == 0


def test_damaged_postings_point_at_rebuild(tmp_path):
    """Whoosh reads postings only while a query runs or a refresh deletes and merges."""
    gen = _indexed_seed(tmp_path)
    rng = random.Random(1)
    for postings in gen.glob("*.pst"):
        postings.write_bytes(rng.randbytes(postings.stat().st_size))
    for command in (["search", "抓落实"], ["search", "落实", "--format", "json"], ["export", "人社", "-o", "-"]):
        assert_clean_error(invoke(*command, cwd=tmp_path), 4, "corrupt", "--rebuild")
    with (tmp_path / SEED_DOC).open("a", encoding="utf-8") as source:
        source.write("\n新加的一段。\n")  # a refresh deletes the file's old passages: it reads postings
    assert_clean_error(invoke("index", "-q", cwd=tmp_path), 4, "corrupt", "--rebuild")
    assert invoke("index", "--rebuild", "-q", cwd=tmp_path).exit_code == 0
    assert invoke("search", "新加的一段", cwd=tmp_path).exit_code == 0


def test_one_damaged_byte_in_a_block_of_positions_is_caught(tmp_path):
    """Keyed blocks are not compressed, so no decoder would notice a changed byte inside them:
    their checksum does, where the search would otherwise answer from wrong positions."""
    from speechsearch.engine.store import IndexStore

    gen = _indexed_seed(tmp_path)
    before = invoke("search", "工作", "--format", "jsonl", "-n", "1000", cwd=tmp_path).output
    with IndexStore(tmp_path / ".speechsearch").open().searcher() as searcher:
        (reader,) = [r for r, _ in searcher.reader().leaf_readers() if ("chars", "工作") in r]
        offset, length = reader.term_info("chars", "工作").extent()
        length = length[0] if isinstance(length, tuple) else length  # Whoosh reads it back as a 1-tuple
        segment = reader.segment()
    (postings,) = [p for p in gen.glob("*.pst") if segment.segment_id() in p.name]
    damaged = bytearray(postings.read_bytes())
    damaged[offset + length // 2] ^= 0x04  # a position in the middle of the term's one block of keys
    postings.write_bytes(bytes(damaged))
    assert_clean_error(invoke("search", "工作", cwd=tmp_path), 4, "corrupt", "--rebuild")
    assert invoke("index", "--rebuild", "-q", cwd=tmp_path).exit_code == 0
    assert invoke("search", "工作", "--format", "jsonl", "-n", "1000", cwd=tmp_path).output == before


def test_whoosh_is_imported_without_the_modules_a_search_never_calls():
    """A cold search does not load what Whoosh imports for nothing; the real modules still work."""
    deferred = ("asyncio", "urllib.request", "cached_property", "whoosh.lang.morph_en", "hashlib", "tempfile",
                "shutil", "random", "calendar", "queue", "html", "whoosh.lang.porter", "whoosh.lang.dmetaphone",
                "whoosh.automata.lev", "whoosh.sorting", "whoosh.util.times", "whoosh.support.levenshtein",
                "speechsearch.corpus", "speechsearch.model")
    code = ("import sys, speechsearch.cli, speechsearch.search, speechsearch.render, whoosh.codec.whoosh3; "
            f"print(*[m for m in {deferred!r} if m in sys.modules]); "
            "import urllib.request; print(hasattr(urllib.request, 'Request')); "
            "from whoosh.query import terms; print('render' in terms.variations('rendering')); "
            "from whoosh.filedb import filetables; print(filetables.md5_hash(b'abc') == 0x28E17F72 or "
            "filetables.md5_hash(b'abc')); "
            "from whoosh.analysis import StemmingAnalyzer, morph; "
            "print([t.text for t in StemmingAnalyzer()('cats')], morph.double_metaphone('Smith')); "
            "from whoosh import compat, util; from whoosh.util import times; from whoosh.filedb import filestore; "
            "print(compat.htmlescape('<a>'), compat.queue.Queue.__name__, times.calendar.monthrange(2024, 2)[1], "
            "len(util.random_name(8)), filestore.tempfile.gettempdir() != '', 'shutil' in sys.modules); "
            "from whoosh import collectors, fields, reading; import datetime; "
            "print(collectors.sorting.FieldFacet('date').fieldname, reading.distance('abc', 'abd'), "
            "fields.long_to_datetime(fields.datetime_to_long(datetime.datetime(2024, 1, 2))).day)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split("\n")
    assert out[0] == ""  # none of them loaded
    assert out[1] == "True"
    assert out[2] == "True"  # Whoosh's Variations query still works, through the real morph_en
    assert out[3] == "True"  # and its md5 hash, through the real hashlib
    assert out[4] == "['cat'] ('SM0', 'XMT')"  # its English analyzers, through the real stemmers
    assert out[5] == "&lt;a&gt; Queue 29 8 True True"  # and the rest, each through the real module
    assert out[6] == "date 1 2"  # facets, edit distances, dates


def run_python(cwd, code: str, *args: str) -> subprocess.CompletedProcess:
    """``code`` in a fresh interpreter (a cold start), run in ``cwd`` with ``args``."""
    return subprocess.run([sys.executable, "-c", code, *args], cwd=cwd, capture_output=True, text=True)


def test_a_search_loads_neither_inspect_nor_uuid_nor_urllib_and_they_still_work(seed_corpus):
    """click imports inspect, uuid and (through pathlib) urllib.parse for what a search never
    calls; they stay stand-ins through a whole search, and the real modules answer afterwards.
    What did load is frozen out of the collector's walks, and collections go on. Nor does a
    search define a dataclass (``dataclasses`` stays unloaded), and numpy is for the index writer
    and reuse alone."""
    heavy = ("inspect", "ast", "dis", "uuid", "platform", "urllib.parse", "ipaddress", "dataclasses", "numpy")
    code = ("import sys; from speechsearch.cli import cli; "
            "cli(['search', '抓落实', '-n', '3'], standalone_mode=False); "
            f"print(*[m for m in {heavy!r} if type(sys.modules.get(m)).__name__ == 'module'], file=sys.stderr); "
            "import gc; print(gc.isenabled(), gc.get_freeze_count() > 1000, file=sys.stderr); "
            "import click, inspect, pathlib; "
            "print(click.UUID.convert('12345678123456781234567812345678', None, None), inspect.signature(len), "
            "pathlib.Path('/a b').as_uri(), file=sys.stderr)")
    done = run_python(seed_corpus, code)
    assert done.returncode == 0 and "【抓落实】" in done.stdout
    loaded, collecting, after = done.stderr.splitlines()
    assert loaded == ""
    assert collecting == "True True"  # the modules loaded are frozen, and collections resumed
    assert after == "12345678-1234-5678-1234-567812345678 (obj, /) file:///a%20b"
    usage = invoke("search", "--help").output  # command docstrings: the real inspect.cleandoc
    assert "\n  Fields work inside QUERY too" in usage and "\n      Fields" not in usage


def test_click_translates_nothing_without_loading_gettext_where_no_catalogue_exists(seed_corpus):
    """Where Python has no folder of message catalogues (pyenv's and python.org's builds), click
    imports a ``gettext`` that returns each message as it is, which is what the real one does
    there: a search loads neither gettext nor locale. Once the real gettext is loaded, click's
    messages go through it. Where the folder exists, click has the real gettext from the start."""
    code = ("import os, sys; from speechsearch.cli import cli; "
            "cli(['search', '抓落实', '-n', '3'], standalone_mode=False); "
            "folder = os.path.isdir(os.path.join(sys.base_prefix, 'share', 'locale')); "
            "print(folder, 'gettext' in sys.modules, 'locale' in sys.modules, file=sys.stderr); "
            "import click\ntry: cli(['search', '抓落实', '--nope'], standalone_mode=False)\n"
            "except click.UsageError as exc: print(exc.format_message(), file=sys.stderr)\n"
            "import gettext, click.exceptions as e; gettext.gettext = lambda m: m.upper(); "
            "print(e._('Missing argument'), e.ngettext('one', 'many', 2), file=sys.stderr)")
    done = run_python(seed_corpus, code)
    assert done.returncode == 0 and "【抓落实】" in done.stdout, done.stderr
    loaded, wrong, after = done.stderr.splitlines()
    assert loaded == ("True True True" if loaded.startswith("True") else "False False False")
    assert wrong.startswith("No such option '--nope'. (Did you mean one of: '--group'")
    assert after == ("MISSING ARGUMENT many" if loaded.startswith("False") else "Missing argument many")


def test_a_search_compiles_no_pattern_over_han_characters_but_its_query(seed_corpus):
    """Python's regular expression compiler takes a few hundred microseconds for a character
    class or alternation of Han characters; a search compiles only the pattern of its literal,
    and the outline's inline markers only for a literal that could hold one (一是 …)."""
    code = ("import sys, re._compiler as c; compiled = []; real = c.compile\n"
            "def logged(p, flags=0):\n"
            "    compiled.append(p if isinstance(p, str) else '')\n"
            "    return real(p, flags)\n"
            "c.compile = logged\n"
            "from speechsearch.cli import cli\n"
            "for query in sys.argv[1:]:\n"
            "    compiled.clear(); cli(['search', query, '-n', '3'], standalone_mode=False)\n"
            "    han = {p for p in compiled if any('\\u4e00' <= ch <= '\\u9fff' for ch in p)}\n"
            "    print(sorted(han), file=sys.stderr)\n")
    done = run_python(seed_corpus, code, "抓落实", "二是落实")
    assert done.returncode == 0, done.stderr
    first, second = done.stderr.splitlines()
    assert first == "['抓落实']"
    assert "是" in second and "首先" in second  # the markers, compiled for a literal with 是


def test_a_search_process_does_not_collect_while_the_command_runs(seed_corpus):
    """The console script ends a read-only command's process with os._exit, so collecting the
    search's objects before then is wasted; in-process callers (tests, the web page) keep it."""
    code = ("import gc, sys; from speechsearch import search; real = search.run_collapsed_search\n"
            "def seen(*args, **kwargs):\n"
            "    print('collecting', gc.isenabled(), file=sys.stderr)\n"
            "    return real(*args, **kwargs)\n"
            "search.run_collapsed_search = seen\n"
            "sys.argv = ['speechsearch', 'search', '抓落实', '-n', '1']\n"
            "from speechsearch.cli import main; main()\n")
    done = run_python(seed_corpus, code)
    assert done.returncode == 0 and "【抓落实】" in done.stdout
    assert done.stderr.strip() == "collecting False"
    assert invoke("search", "抓落实", "-n", "1", cwd=seed_corpus).exit_code == 0
    import gc

    assert gc.isenabled()  # a command run in this process leaves its collector alone


def test_the_one_line_cleandoc_click_calls_at_start_up_is_inspects():
    import inspect

    from speechsearch.stand_ins import _cleandoc

    for text in ("Show this message and exit.", "  leading", "trailing  ", "   ", "", "a\tb", "one\n  two\n",
                 "\n  Body.\n\n  More.\n  "):
        assert _cleandoc(text) == inspect.cleandoc(text), text


def test_a_search_process_writes_everything_and_keeps_its_exit_codes(seed_corpus):
    """A search process skips Python's teardown (os._exit): its output must still arrive whole,
    and its exit codes and error lines must not change."""
    from tests.conftest import run_process

    expected = invoke("search", "的", "--format", "jsonl", "--limit", "100000", cwd=seed_corpus).output
    done = run_process(seed_corpus, "search", "的", "--format", "jsonl", "--limit", "100000")
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout == expected and len(expected.encode()) > 65_536  # more than a pipe holds
    nothing = run_process(seed_corpus, "search", "量子计算")
    assert (nothing.returncode, nothing.stdout) == (1, "")
    broken = run_process(seed_corpus, "search", "(抓落实")
    assert broken.returncode == 2 and broken.stderr.startswith("speechsearch: query") and \
        len(broken.stderr.splitlines()) == 1


def test_a_reader_that_goes_away_ends_the_search_quietly_with_141(seed_corpus):
    process = subprocess.Popen([sys.executable, "-m", "speechsearch", "search", "的", "--format", "jsonl",
                                "--limit", "100000"], cwd=seed_corpus, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
    assert process.stdout.read(100)
    process.stdout.close()  # as head does once it has its lines
    assert process.wait(timeout=60) == 141
    assert process.stderr.read() == b""


BAD_CORPUS = [
    ("documents: 5\n", "'documents' must be a list"),
    ("documents:\n  - path: 5\n", "'path' must be a file name or glob"),
    ("documents:\n  - path: a.txt\n    date: 2024-13-45\n", "invalid date"),
    ("documents:\n  - path: a.txt\n    date: 2024-02-30\n", "invalid date"),
    ("documents:\n  - path: a.txt\n    date: yesterday\n", "is not an ISO date"),
    ("documents:\n  - path: a.txt\n    date: '2024-02-30'\n", "is not a day of the calendar"),
    ("documents:\n  - path: a.txt\n    tags: {a: 1}\n", "'tags' must be a word or a list of words"),
]


@pytest.mark.parametrize("text, message", BAD_CORPUS)
def test_a_bad_corpus_file_is_one_line_and_exit_3(tmp_path, text, message):
    (tmp_path / "a.txt").write_text("标题\n正文。\n", encoding="utf-8")
    (tmp_path / "corpus.yaml").write_text(text, encoding="utf-8")
    result = run_process(tmp_path, "index", "-q")
    assert result.returncode == 3, result.stderr
    assert message in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_bad_date_in_front_matter_fails_that_file_alone(tmp_path):
    (tmp_path / "bad.txt").write_text("---\ndate: 2024-02-30\n---\n标题\n正文甲乙。\n", encoding="utf-8")
    (tmp_path / "good.txt").write_text("标题\n正文丙丁。\n", encoding="utf-8")
    write_corpus(tmp_path, ["bad.txt", "good.txt"])
    result = run_process(tmp_path, "index", "-q")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "failed: bad.txt: front matter has an invalid date" in result.stdout + result.stderr
    assert run_process(tmp_path, "search", "丙丁").returncode == 0


@pytest.mark.parametrize("args", [["search", b"\xb9\xa4\xd7\xf7"], ["export", b"\xb9\xa4", "-o", "-"],
                                  ["search", "工作", "--speech", b"\xb9\xa4"], ["similar", b"\xb9\xa4"],
                                  ["keywords", "--speech", b"\xb9\xa4"]])
def test_an_argument_that_is_not_utf8_says_so(seed_corpus, args):
    """工作 typed in a GBK terminal reaches Python as bytes it cannot decode as UTF-8."""
    command = [sys.executable.encode(), b"-m", b"speechsearch"] + [a if isinstance(a, bytes) else a.encode()
                                                                   for a in args]
    result = subprocess.run(command, cwd=seed_corpus, capture_output=True)
    stderr = result.stderr.decode()
    assert result.returncode == 2 and "not UTF-8" in stderr and "Traceback" not in stderr


@pytest.mark.parametrize("damage", ["truncated", "flipped"])
def test_a_damaged_xz_file_fails_alone_and_keeps_what_comes_before_the_damage(tmp_path, damage):
    import lzma

    records = [json.dumps({"id": f"r{i}", "text": f"标题{i}\n第{i}篇正文，关键词甲乙{i:03d}。" + "内容" * 400},
                          ensure_ascii=False) for i in range(60)]
    data = bytearray(lzma.compress("\n".join(records).encode("utf-8"), preset=0))
    if damage == "truncated":
        data = data[: len(data) // 2]
    else:
        data[len(data) // 2] ^= 0xFF
    (tmp_path / "damaged.jsonl.xz").write_bytes(bytes(data))
    (tmp_path / "good.txt").write_text("标题\n正文丙丁。\n", encoding="utf-8")
    write_corpus(tmp_path, ["damaged.jsonl.xz", "good.txt"])
    result = run_process(tmp_path, "index")
    assert result.returncode == 1 and "Traceback" not in result.stderr and "Aborted" not in result.stderr
    assert "failed: damaged.jsonl.xz: cannot read past line" in result.stdout
    assert run_process(tmp_path, "search", "丙丁").returncode == 0
    found = run_process(tmp_path, "search", "关键词甲乙000", "--format", "json")
    assert found.returncode == 0 and json.loads(found.stdout)[0]["doc"] == "damaged.jsonl.xz#r0"


def test_a_symlink_loop_indexes_each_file_once(tmp_path):
    (tmp_path / "docs" / "sub").mkdir(parents=True)
    shutil.copy(SEED, tmp_path / "docs" / "a.txt")
    (tmp_path / "docs" / "sub" / "up").symlink_to("..")
    write_corpus(tmp_path, ["docs/**/*.txt"])
    result = run_process(tmp_path, "index")
    assert result.returncode == 0, result.stderr
    assert "files: 1 in index; 1 indexed" in result.stdout
    assert "more paths reach files already listed" in result.stdout + result.stderr
    hits = json.loads(run_process(tmp_path, "search", "谁来抓落实", "--format", "json").stdout)
    assert {h["doc"] for h in hits} == {"docs/a.txt"}


def test_filters_that_exclude_every_hit_say_so(seed_corpus):
    result = run(seed_corpus, "search", "抓落实", "--speaker", "张三", "--since", "2030")
    assert result.exit_code == 1
    assert "passages contain '抓落实', but the filters (--speaker 张三 --since 2030) exclude them all" in result.output
    assert "did you mean" not in result.output


@pytest.mark.parametrize("args, message", [
    (["抓落实 speaker:"], "speaker: in query '抓落实 speaker:' needs a value"),
    (["抓落实 date:[2024 TO 2023]"], "the date range 2024 to 2023 is empty"),
    (["抓落实", "--since", "2025", "--until", "2024"], "the date range 2025 to 2024 is empty"),
    (["抓落实", "--since", "2024-13"], "is not a day of the calendar"),
])
def test_queries_that_cannot_match_anything_are_usage_errors(seed_corpus, args, message):
    result = run(seed_corpus, "search", *args)
    assert result.exit_code == 2 and message in result.output


def test_an_emptied_column_or_a_damaged_pinyin_table_points_at_rebuild(tmp_path):
    gen = _indexed_seed(tmp_path)
    table = gen / "pinyin.tsv"
    original = table.read_bytes()
    damaged = bytearray(original)
    for at in range(100, len(damaged), 997):
        damaged[at] ^= 0xFF
    table.write_bytes(bytes(damaged))
    assert_clean_error(invoke("search", "量子计算", cwd=tmp_path), 4, "corrupt", "--rebuild")  # did-you-mean reads it
    table.write_bytes(original)
    for column in gen.glob("*._stored.col"):
        column.write_bytes(b"")
    assert_clean_error(invoke("search", "抓落实", cwd=tmp_path), 4, "corrupt", "--rebuild")


def test_a_full_disk_for_the_output_is_one_line(seed_corpus):
    with open("/dev/full", "w") as full:
        result = subprocess.run([sys.executable, "-m", "speechsearch", "search", "的", "-n", "50"], cwd=seed_corpus,
                                stdout=full, stderr=subprocess.PIPE, text=True)
    assert result.returncode == 3
    assert result.stderr.strip() == "speechsearch: cannot write: No space left on device"


def test_add_of_a_listed_file_updates_its_metadata_and_an_edited_corpus_re_reads_it(tmp_path):
    shutil.copy(SEED, tmp_path / "a.txt")
    write_corpus(tmp_path, ["a.txt"])
    assert invoke("index", "-q", cwd=tmp_path).exit_code == 0
    result = invoke("add", "a.txt", "--speaker", "张三", "-q", cwd=tmp_path)
    assert result.exit_code == 0 and "updated the metadata of: a.txt" in result.output
    assert "speaker: 张三" in (tmp_path / "corpus.yaml").read_text(encoding="utf-8")
    assert invoke("search", "抓落实", "--speaker", "张三", cwd=tmp_path).exit_code == 0
    corpus = tmp_path / "corpus.yaml"
    corpus.write_text(corpus.read_text(encoding="utf-8").replace("张三", "李四"), encoding="utf-8")
    assert "1 indexed" in invoke("index", cwd=tmp_path).output
    assert invoke("search", "抓落实", "--speaker", "李四", cwd=tmp_path).exit_code == 0
    assert invoke("search", "抓落实", "--speaker", "张三", cwd=tmp_path).exit_code == 1
    assert "nothing to change" in invoke("add", "a.txt", "-q", cwd=tmp_path).output


def test_doc_takes_corpus_spelling_or_a_path_from_here(tmp_path):
    from tests.conftest import invoke, write_corpus

    (tmp_path / "speeches").mkdir()
    (tmp_path / "speeches" / "a.txt").write_text("甲的讲话\n要抓落实。\n", encoding="utf-8")
    (tmp_path / "speeches" / "b.txt").write_text("乙的讲话\n也要抓落实。\n", encoding="utf-8")
    write_corpus(tmp_path, ["speeches/a.txt", "speeches/b.txt"])
    assert invoke("index", "-q", cwd=tmp_path).exit_code == 0
    corpus = str(tmp_path / "corpus.yaml")
    for spelling, cwd in (("speeches/a.txt", tmp_path), ("a.txt", tmp_path / "speeches"),
                          ("./speeches/a.txt", tmp_path), (str(tmp_path / "speeches" / "a.txt"), tmp_path)):
        result = invoke("--corpus", corpus, "search", "抓落实", "--doc", spelling, "--format", "json", cwd=cwd)
        assert result.exit_code == 0, (spelling, result.output)
        assert [h["doc"] for h in json.loads(result.output)] == ["speeches/a.txt"], spelling
        terms = invoke("--corpus", corpus, "keywords", spelling, "--format", "json", cwd=cwd)
        assert terms.exit_code == 0, (spelling, terms.output)
    missing = invoke("--corpus", corpus, "search", "抓落实", "--doc", "nope.txt", cwd=tmp_path)
    assert missing.exit_code == 1
