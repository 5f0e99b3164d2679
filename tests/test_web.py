"""The web page over a real index: statuses, escaping, facets, the JSON the CLI prints,
downloads opened with the export tests' readers, and requests that try to leave the corpus."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from starlette.testclient import TestClient

from speechsearch.corpus import load_corpus
from speechsearch.engine.store import IndexStore
from speechsearch.index import build_index
from speechsearch.search import Filters, run_search
from speechsearch.web.app import create_app
from tests.conftest import SEED_DOC, invoke
from tests.web_corpus import HOSTILE_DOC, HOSTILE_HTML, make_web_corpus


@pytest.fixture(scope="module")
def web_corpus(tmp_path_factory):
    folder = tmp_path_factory.mktemp("web")
    corpus_file = make_web_corpus(folder)
    report = build_index(load_corpus(corpus_file), IndexStore(folder / ".speechsearch"), workers=1)
    assert not report.failed, report.failed
    return folder


@pytest.fixture(scope="module")
def client(web_corpus):
    store = IndexStore(web_corpus / ".speechsearch", keep_open=True)
    corpus = load_corpus(web_corpus / "corpus.yaml")
    with TestClient(create_app(store, lambda: corpus), raise_server_exceptions=False) as test_client:
        yield test_client
    store.close()


def cli_json(folder, *args):
    result = invoke("--corpus", str(folder / "corpus.yaml"), *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def hit_items(html: str) -> list[str]:
    return re.findall(r'<li class="hit".*?</li>\s*(?=<li class="hit"|</ol>)', html, re.S)


def test_search_page_shows_ranked_hits_with_breadcrumbs_and_locations(client, web_corpus):
    response = client.get("/", params={"q": "抓落实"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    items = hit_items(response.text)
    assert len(items) == 20  # a page
    first = items[0]
    assert "人社工作会议讲话稿" in first and "二、怎么抓落实" in first
    assert f"{SEED_DOC}:10" in first
    assert "<mark>抓落实</mark>" in first
    total = len(run_search(IndexStore(web_corpus / ".speechsearch"), "抓落实", limit=None))
    assert total > 24  # the seed's 24 and the work reports'
    assert re.search(r'<span id="total">(\d+)</span>', response.text).group(1) == str(total)


def test_traditional_query_finds_simplified_text(client):
    simplified = client.get("/api/search", params={"q": "就业", "limit": 50}).json()
    traditional = client.get("/api/search", params={"q": "就業", "limit": 50}).json()
    assert simplified and [h["id"] for h in simplified] == [h["id"] for h in traditional]


def test_the_url_holds_the_state_and_pages_end(client):
    page1 = client.get("/", params={"q": "高质量发展"})
    page2 = client.get("/", params={"q": "高质量发展", "page": 2})
    assert page2.status_code == 200
    assert set(hit_items(page1.text)).isdisjoint(hit_items(page2.text))
    assert 'rel="next" href="/?q=' in page1.text and "page=2" in page1.text
    past = client.get("/", params={"q": "高质量发展", "page": 999})
    assert past.status_code == 404 and "past the last page" in past.text
    assert client.get("/", params={"q": "高质量发展", "page": "x"}).status_code == 400
    assert client.get("/", params={"q": "发展" * 501}).status_code == 400


def test_facet_counts_are_the_counts_of_the_filtered_search(client, web_corpus):
    html = client.get("/", params={"q": "就业"}).text
    store = IndexStore(web_corpus / ".speechsearch")
    speakers = dict(re.findall(r'speaker=([^"&]+)"[^>]*>[^<]*</a> <span class="count">(\d+)', html))
    assert speakers  # the seed's speaker
    docs = re.findall(r'doc=([^"&]+)"[^>]*>[^<]*</a> <span class="count">(\d+)', html)
    assert len(docs) == 10
    from urllib.parse import unquote_plus

    for encoded, count in docs[:4]:
        doc = unquote_plus(encoded)
        assert len(run_search(store, "就业", limit=None, filters=Filters(doc=doc))) == int(count)
        filtered = client.get("/", params={"q": "就业", "doc": doc}).text
        assert re.search(r'<span id="total">(\d+)</span>', filtered).group(1) == count
    years = dict(re.findall(r'year=(\d{4})"[^>]*>\d{4}</a> <span class="count">(\d+)', html))
    assert years["2014"] == str(len(run_search(store, "就业", limit=None, filters=Filters(since="2014", until="2014"))))


def test_api_search_is_the_cli_json(client, web_corpus):
    api = client.get("/api/search", params={"q": "抓落实", "limit": 5})
    assert api.status_code == 200 and api.headers["content-type"] == "application/json"
    assert api.json() == cli_json(web_corpus, "search", "抓落实", "-n", "5", "--format", "json")


def test_api_document_is_the_cli_outline(client, web_corpus):
    api = client.get(f"/api/doc/{SEED_DOC}")
    assert api.status_code == 200
    assert api.json() == cli_json(web_corpus, "show", SEED_DOC, "--format", "json")
    record = "gov_work_reports_2026_provinces.jsonl.xz#gwr2026-上海市"
    assert client.get(f"/api/doc/{record.replace('#', '%23')}").json()["speeches"][0]["sections"]


def test_document_page_has_the_outline_anchors_and_metadata(client):
    response = client.get(f"/doc/{SEED_DOC}", params={"q": "抓落实"})
    assert response.status_code == 200
    html = response.text
    assert '<a href="#L10">二、怎么抓落实</a>' in html  # the outline tree links to the line
    assert re.search(r'<h2 id="L10" class="line">.*?二、怎么<mark>抓落实</mark></h2>', html)
    assert "某厅长" in html and "2014-03-01" in html
    lines = [int(n) for n in re.findall(r' id="L(\d+)" class="line"', html)]
    assert lines == sorted(set(lines)) and len(lines) > 50
    assert 'href="/?q=' in html  # key terms link to searches


def test_similar_and_key_terms(client):
    hit = client.get("/api/search", params={"q": "抓落实", "limit": 1}).json()[0]
    page = client.get(f"/similar/{hit['id']}")
    assert page.status_code == 200 and "与此段相似" in page.text
    api = client.get(f"/api/similar/{hit['id']}").json()
    assert api["source"]["id"] == hit["id"] and api["similar"]
    assert client.get("/similar/nope:1:0").status_code == 404
    terms = client.get(f"/api/keywords/{SEED_DOC}").json()
    assert any(t["term"] == "落实" for t in terms)


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "md"])
def test_exports_are_the_cli_exports(client, web_corpus, fmt):
    download = client.get(f"/export.{fmt}", params={"q": "抓落实"})
    assert download.status_code == 200
    assert "attachment" in download.headers["content-disposition"]
    result = invoke("--corpus", str(web_corpus / "corpus.yaml"), "export", "抓落实", "-o", "-", "--format", fmt)
    assert download.content == result.stdout_bytes
    if fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(download.content.decode("utf-8-sig"))))
        assert rows and all("抓落实" in row["text"] for row in rows)


def test_docx_export_opens_with_python_docx(client):
    from docx import Document

    download = client.get("/export.docx", params={"q": "抓落实", "speaker": "某厅长"})
    assert download.status_code == 200
    document = Document(io.BytesIO(download.content))
    marked = [r for p in document.paragraphs for r in p.runs if r.bold and r.text == "抓落实"]
    assert len(marked) >= 20
    assert client.get("/export.exe", params={"q": "抓落实"}).status_code == 404


def test_hostile_text_is_shown_as_text(client):
    for q in ("注入检验", "链接检验", "恶意链接", "属性注入"):
        page = client.get("/", params={"q": q})
        assert page.status_code == 200
        assert "<script>alert" not in page.text and "<img src=x" not in page.text
        assert 'href="javascript:' not in page.text.lower() and "onclick=" not in page.text
    page = client.get("/", params={"q": "注入检验"}).text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in page
    doc = client.get(f"/doc/{HOSTILE_DOC}").text
    assert "&lt;b&gt;攻击者&lt;/b&gt;" in doc and "<b>攻击者" not in doc
    assert "javascript:alert(6)" in doc and 'href="javascript:' not in doc  # a source shown, not linked
    html_doc = client.get(f"/doc/{HOSTILE_HTML}").text
    assert "alert(3)" not in html_doc and 'href="javascript:' not in html_doc
    query = client.get("/", params={"q": '"><script>alert(7)</script>'}).text
    assert "<script>alert(7)" not in query
    csp = client.get("/").headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    scripts = re.findall(r"<script[^>]*>", client.get("/", params={"q": "注入检验"}).text)
    assert scripts == ['<script src="/static/app.js" defer>']


@pytest.mark.parametrize("path", ["/doc/..%2F..%2Fetc%2Fpasswd", "/doc/%2e%2e/%2e%2e/etc/passwd", "/doc//etc/passwd",
                                  "/doc/%00", "/doc/unknown.txt", "/doc/corpus.yaml", "/api/doc/..%2Fcorpus.yaml",
                                  "/doc/seeds", "/static/..%2F..%2Fapp.py", "/api/keywords/%2e%2e"])
def test_only_indexed_documents_are_served(client, path):
    response = client.get(path)
    assert response.status_code == 404, path
    assert "root:" not in response.text and "documents:" not in response.text and "def " not in response.text


def test_bad_queries_are_one_clear_message(client):
    for params in ({"q": "(抓落实"}, {"q": "speaker:"}, {"q": "date:[2025 TO 2024]"}, {"q": "抓落实", "year": "20x4"},
                   {"q": "抓落实", "level": "chapter"}):
        page = client.get("/", params=params)
        assert page.status_code == 400, params
        assert "Traceback" not in page.text and 'class="message"' in page.text
    api = client.get("/api/search", params={"q": ""})
    assert api.status_code == 400 and "empty query" in api.json()["error"]


def test_no_request_changes_the_disk(client, web_corpus):
    def snapshot():
        return {p: (p.stat().st_size, p.stat().st_mtime_ns) for p in web_corpus.rglob("*") if p.is_file()}

    before = snapshot()
    for url in ("/?q=抓落实", "/api/search?q=就业", f"/doc/{SEED_DOC}", "/export.md?q=抓落实", "/?q=(",
                f"/api/keywords/{SEED_DOC}"):
        client.get(url)
    client.post("/", data={"q": "x"})
    assert snapshot() == before


def test_a_missing_or_broken_index_is_one_message_page(tmp_path, web_corpus):
    corpus = load_corpus(web_corpus / "corpus.yaml")
    missing = IndexStore(tmp_path / "none", keep_open=True)
    with TestClient(create_app(missing, lambda: corpus), raise_server_exceptions=False) as test_client:
        page = test_client.get("/", params={"q": "抓落实"})
        assert page.status_code == 503 and "run &#39;speechsearch index&#39; first" in page.text
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "CURRENT").write_text("gen-000001\n")
    (broken / "gen-000001").mkdir()
    with TestClient(create_app(IndexStore(broken, keep_open=True), lambda: corpus),
                    raise_server_exceptions=False) as test_client:
        page = test_client.get("/api/search", params={"q": "抓落实"})
        assert page.status_code == 503 and "damaged" in page.json()["error"]


def test_a_new_commit_and_a_rebuild_are_picked_up_without_a_restart(tmp_path):
    folder = tmp_path / "live"
    corpus_file = make_web_corpus(folder)
    store = IndexStore(folder / ".speechsearch", keep_open=True)
    build_index(load_corpus(corpus_file), store, workers=1)
    app = create_app(store, lambda: load_corpus(corpus_file))
    with TestClient(app, raise_server_exceptions=False) as test_client:
        assert test_client.get("/api/search", params={"q": "新加的独特提法"}).status_code == 200
        assert test_client.get("/api/search", params={"q": "新加的独特提法"}).json() == []
        (folder / "new.txt").write_text("新加的讲话\n这里有新加的独特提法。\n", encoding="utf-8")
        with corpus_file.open("a", encoding="utf-8") as out:
            out.write("  - path: new.txt\n")
        build_index(load_corpus(corpus_file), IndexStore(folder / ".speechsearch"), workers=1)
        assert [h["doc"] for h in test_client.get("/api/search", params={"q": "新加的独特提法"}).json()] == ["new.txt"]
        build_index(load_corpus(corpus_file), IndexStore(folder / ".speechsearch"), rebuild=True, workers=1)
        assert [h["doc"] for h in test_client.get("/api/search", params={"q": "新加的独特提法"}).json()] == ["new.txt"]
    store.close()
