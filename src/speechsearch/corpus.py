"""corpus.yaml: which files make the corpus, their metadata, and the boilerplate patterns.

    documents:
      - path: seeds/000_e31692385db164fe.txt
      - path: speeches/2026/**/*.txt     # a glob
        speaker: 张三
        date: 2026-03-01
        tags: [人社]
    boilerplate:                          # lines that match are never indexed
      - 下面是.{0,30}小编.{0,30}整理
    chrome:                               # more lines of page chrome, beyond DEFAULT_CHROME
      - 本文链接.{0,80}
"""

from __future__ import annotations

import datetime as dt
import glob
import re
from dataclasses import dataclass, field
from pathlib import Path

from .errors import CorpusError
from .locate import corpus_file
from .model import METADATA_KEYS

DEFAULT_BOILERPLATE = [
    r"下面是.{0,30}(小编|为大家|给大家).{0,30}整理",
    r"仅供参考",
    r"^看过.{0,60}的人还看了",
    r"学习啦",
]
# Lines of the page a document was saved from (toolbar, breadcrumb, 来源：, share links,
# related articles, captions): each is matched against a whole line, width-folded and stripped
# (（ reads as "("). ingest/chrome.py applies them with the shapes around such lines.
DEFAULT_CHROME = [
    # toolbars and their buttons
    r"(下载|打印|全屏|收藏|关闭|关闭窗口|打印本页|打印此页|打印文章|关闭本页|返回|返回顶部|返回首页|顶部|纠错|"
    r"我要纠错|分享|分享到|微信|微博|新浪微博|QQ空间|QQ|朋友圈|复制链接|手机看|手机版|字号|字体|加大|还原|减小|"
    r"默认|[大中小]|[|×>»›]|\[|\]|\[?字[号体]:?.*|\[[大中小]\]|扫一扫.{0,20}|分享到?\s*:?.{0,12})",
    r"(您的位置|当前位置|所在位置|你的位置)\s*[:：]?.{0,60}",
    r"首页\s*([>»›/].{0,60})?",
    # fields of the page, alone or with their value
    r"\(?(来源|稿源|文章来源|信息来源|时间|发布时间|日期|发布日期|编辑|责任编辑|责编|作者|审核|校对|浏览次数|"
    r"点击数|阅读数|访问量|字数)\s*[:：].{0,40}\)?",
    # a page's timestamp (a document's own date, 2026年1月27日, is its words)
    r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}(\s+\d{1,2}:\d{2}(:\d{2})?)?",
    # lists of other pages
    r"(相关|延伸|推荐|热点|更多|往期)(报道|文档|新闻|阅读|链接|文章|稿件|专题)\s*[:：]?",
    r"(上一篇|下一篇|上一条|下一条)\s*[:：].{0,60}",
    r"[》>]+.{0,20}[《<]+",
    r"(版权所有|Copyright|©).{0,80}",
    r".{0,40}(ICP备|网安备|公网安备).{0,40}",
    # photo captions: 本报记者 X 摄
    r".{0,80}(记者|摄影|通讯员).{0,16}摄",
    # a news lead standing alone on its line, its story on the next
    r"(央视网消息|新华社|本报讯|人民网|新华网|中新网|央广网)[^。]{0,24}[:：]",
    r"(新华社|中新社|人民网|新华网|央视网)[^。，,]{0,16}电",
]
TOP_KEYS = {"documents", "boilerplate", "chrome", "dictionary"}
ENTRY_KEYS = {*METADATA_KEYS, "path", "format"}
FORMATS = {"text", "docx", "pdf", "html", "jsonl"}


@dataclass
class SourceFile:
    """One file of the corpus: ``doc`` is its path as corpus.yaml names it (relative, posix)."""

    doc: str
    path: Path
    metadata: dict = field(default_factory=dict)
    format: str | None = None  # None: from the file name


@dataclass
class Corpus:
    file: Path
    entries: list[dict]
    boilerplate: list[str]
    dictionary: str | None = None  # a word list jieba should keep whole, one word a line
    chrome: list[str] = field(default_factory=list)  # page-chrome lines, beyond DEFAULT_CHROME

    def user_words(self) -> tuple[str, ...]:
        """The corpus dictionary's words (the first column of each line), sorted."""
        if not self.dictionary:
            return ()
        path = self.root / self.dictionary
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            raise CorpusError(f"{self.file}: dictionary {self.dictionary} not found") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise CorpusError(f"{self.file}: cannot read dictionary {self.dictionary}: {exc}") from None
        words = {line.split()[0] for line in lines if line.strip() and not line.lstrip().startswith("#")}
        return tuple(sorted(words))

    @property
    def root(self) -> Path:
        return self.file.parent

    def boilerplate_patterns(self) -> list[re.Pattern]:
        return [re.compile(p) for p in self.boilerplate]

    def all_chrome(self) -> tuple[str, ...]:
        """Whole-line patterns of page chrome: the built-in ones and the corpus's own."""
        return (*DEFAULT_CHROME, *self.chrome)

    def chrome_patterns(self) -> list[re.Pattern]:
        return [re.compile(p) for p in self.all_chrome()]

    def filters_fingerprint(self) -> str:
        """Changes when the lines never indexed (boilerplate, chrome) are chosen otherwise."""
        import hashlib  # 4 ms of OpenSSL start-up, which a search (it imports this module) never needs

        text = "\n".join(["boilerplate", *self.boilerplate, "chrome", *self.chrome])
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def sources(self) -> tuple[list[SourceFile], list[str]]:
        """Every file the entries name, and a warning for each pattern that names none.

        A plain path that does not exist is still returned, so that indexing reports it.
        """
        files: dict[str, SourceFile] = {}
        warnings: list[str] = []
        real_names: dict[Path, str] = {}  # a file reached through links is indexed once
        for entry in self.entries:
            pattern = entry["path"]
            metadata = {k: v for k, v in entry.items() if k in METADATA_KEYS}
            if glob.has_magic(pattern):
                matches = sorted(glob.glob(pattern, root_dir=self.root, recursive=True))
                matches = [m for m in matches if (self.root / m).is_file()]
                if not matches:
                    warnings.append(f"{pattern}: no file matches this pattern")
            else:
                matches = [pattern]
            repeated = 0
            for match in matches:
                doc = Path(match).as_posix()
                path = self.root / match
                real = path.resolve() if path.is_file() else None
                if real is not None and real_names.setdefault(real, doc) != doc:
                    repeated += 1
                    continue
                files[doc] = SourceFile(doc, path, metadata, entry.get("format"))
            if repeated:
                warnings.append(f"{pattern}: {repeated} more paths reach files already listed (symbolic links, "
                                "perhaps a loop); each file is indexed once")
        return list(files.values()), warnings


DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


def check_date(value: str, what: str = "date") -> str:
    """``value`` if it is a real ISO date, a month or a year (2024, 2024-03, 2024-03-01)."""
    if not DATE.match(value):
        raise CorpusError(f"{what} {value!r} is not an ISO date (YYYY, YYYY-MM or YYYY-MM-DD)")
    year, month, day = (int(p) for p in (value.split("-") + ["01", "01"])[:3])
    try:
        dt.date(year, month, day)
    except ValueError:
        raise CorpusError(f"{what} {value!r} is not a day of the calendar") from None
    return value


def load_corpus(path: Path | None = None) -> Corpus:
    import yaml

    file = corpus_file(path)
    try:
        raw = yaml.safe_load(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CorpusError(f"{file}: corpus file not found") from None
    except UnicodeDecodeError:
        raise CorpusError(f"{file}: not UTF-8 text") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise CorpusError(f"{file}: invalid YAML{where}: {problem}") from None
    except ValueError as exc:  # PyYAML makes a date of 2024-13-45 while reading and fails there
        raise CorpusError(f"{file}: invalid date ({exc}): write a real day, YYYY-MM-DD") from None
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise CorpusError(f"{file}: expected a mapping with 'documents:', found {type(raw).__name__}")
    unknown = set(raw) - TOP_KEYS
    if unknown:
        raise CorpusError(f"{file}: unknown key {sorted(unknown)[0]!r} (known: {', '.join(sorted(TOP_KEYS))})")
    documents = raw.get("documents") or []
    if not isinstance(documents, list):
        raise CorpusError(f"{file}: 'documents' must be a list of files, found {type(documents).__name__}")
    entries = [_entry(file, i, e) for i, e in enumerate(documents, start=1)]
    boilerplate = _patterns(file, raw, "boilerplate", DEFAULT_BOILERPLATE)
    chrome = _patterns(file, raw, "chrome", [])
    dictionary = raw.get("dictionary")
    if dictionary is not None and not isinstance(dictionary, str):
        raise CorpusError(f"{file}: 'dictionary' must be the path of a word list")
    return Corpus(file=file.resolve(), entries=entries, boilerplate=boilerplate, dictionary=dictionary, chrome=chrome)


def _patterns(file: Path, raw: dict, key: str, default: list[str]) -> list[str]:
    patterns = raw.get(key, default)
    if patterns is None:
        return []
    if not isinstance(patterns, list) or not all(isinstance(p, str) for p in patterns):
        raise CorpusError(f"{file}: {key!r} must be a list of regular expressions")
    for pattern in patterns:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise CorpusError(f"{file}: {key} pattern {pattern!r} is not a valid regex: {exc}") from None
    return patterns


def _entry(file: Path, number: int, entry) -> dict:
    if isinstance(entry, str):
        entry = {"path": entry}
    if not isinstance(entry, dict) or "path" not in entry:
        raise CorpusError(f"{file}: document {number} needs a 'path'")
    if not isinstance(entry["path"], str) or not entry["path"].strip():
        raise CorpusError(f"{file}: document {number}: 'path' must be a file name or glob, found {entry['path']!r}")
    unknown = set(entry) - ENTRY_KEYS
    if unknown:
        key = sorted(unknown)[0]
        raise CorpusError(f"{file}: document {number}: unknown key {key!r} (known: {', '.join(sorted(ENTRY_KEYS))})")
    entry = dict(entry)
    if entry.get("format") is not None and entry["format"] not in FORMATS:
        raise CorpusError(f"{file}: document {number}: format {entry['format']!r} is not one of "
                          f"{', '.join(sorted(FORMATS))}")
    if isinstance(entry.get("date"), (dt.date, dt.datetime)):
        entry["date"] = entry["date"].isoformat()[:10]
    if entry.get("date") is not None:
        entry["date"] = check_date(str(entry["date"]), f"{file}: document {number}: date")
    if isinstance(entry.get("tags"), str):
        entry["tags"] = [entry["tags"]]
    tags = entry.get("tags")
    if tags is not None and not (isinstance(tags, list) and all(isinstance(t, (str, int, float)) for t in tags)):
        raise CorpusError(f"{file}: document {number}: 'tags' must be a word or a list of words, found {tags!r}")
    return entry


def add_entries(corpus_file: Path, paths: list[Path], metadata: dict) -> tuple[list[str], list[str]]:
    """Append entries for ``paths`` to corpus.yaml, keeping its comments and order.

    Returns (documents added, documents already listed whose metadata was updated), as
    corpus.yaml names them. A listed path given no metadata is left as it is.
    """
    from ruamel.yaml import YAML

    yaml = YAML()  # round-trip mode: comments, order and quoting survive
    yaml.preserve_quotes = True
    yaml.indent(mapping=2, sequence=4, offset=2)
    data = yaml.load(corpus_file.read_text(encoding="utf-8")) or {}
    if "documents" not in data or data["documents"] is None:
        data["documents"] = []
    documents = data["documents"]
    listed = {str(e["path"] if isinstance(e, dict) else e) for e in documents}
    root = corpus_file.resolve().parent
    added: list[str] = []
    updated: list[str] = []
    given = {k: v for k, v in metadata.items() if v not in (None, "", [], ())}
    for path in paths:
        resolved = path.resolve()
        if not resolved.is_file():
            raise CorpusError(f"{path}: file not found")
        try:
            doc = resolved.relative_to(root).as_posix()
        except ValueError:
            doc = resolved.as_posix()
        if doc in listed:
            if given and _update_entry(documents, doc, given):
                updated.append(doc)
            continue
        added.append(doc)
        documents.append({"path": doc, **given})
        listed.add(doc)
    tmp = corpus_file.with_name(corpus_file.name + ".tmp")
    with tmp.open("w", encoding="utf-8") as stream:
        yaml.dump(data, stream)
    tmp.replace(corpus_file)
    return added, updated


def _update_entry(documents: list, doc: str, metadata: dict) -> bool:
    """Set ``metadata`` on the entry of ``doc`` (a bare path becomes a mapping); whether it
    changed anything."""
    for i, entry in enumerate(documents):
        if isinstance(entry, str) and entry == doc:
            documents[i] = {"path": doc, **metadata}
            return True
        if isinstance(entry, dict) and str(entry.get("path")) == doc:
            changed = any(entry.get(k) != v for k, v in metadata.items())
            entry.update(metadata)
            return changed
    return False
