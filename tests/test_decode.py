import pytest

from speechsearch.ingest.decode import DecodeError, decode_bytes

SIMPLIFIED = "同志们:今天召开全县人力资源和社会保障工作会议,主要任务是抓落实。"
TRADITIONAL = "同志們:今天召開全縣人力資源和社會保障工作會議,主要任務是抓落實。"


@pytest.mark.parametrize(
    "data, text, encoding",
    [
        (SIMPLIFIED.encode("utf-8"), SIMPLIFIED, "utf-8"),
        (b"\xef\xbb\xbf" + SIMPLIFIED.encode("utf-8"), SIMPLIFIED, "utf-8-sig"),
        (SIMPLIFIED.encode("utf-16"), SIMPLIFIED, "utf-16"),
        (SIMPLIFIED.encode("gb18030"), SIMPLIFIED, "gb18030"),
        (SIMPLIFIED.encode("gbk"), SIMPLIFIED, "gb18030"),
        (TRADITIONAL.encode("big5"), TRADITIONAL, "big5"),
        # Short texts are where general-purpose detectors guess wrong.
        ("抓落实".encode("gb18030"), "抓落实", "gb18030"),
        ("會議".encode("big5"), "會議", "big5"),
    ],
)
def test_decodes_without_being_told(data, text, encoding):
    assert decode_bytes(data) == (text, encoding)


def test_whole_seed_in_gb18030_decodes_back():
    from tests.conftest import SEED

    text = SEED.read_text(encoding="utf-8")
    assert decode_bytes(text.encode("gb18030")) == (text, "gb18030")


def test_undecodable_bytes_name_the_file():
    with pytest.raises(DecodeError, match="bad.txt: cannot decode"):
        decode_bytes(b"abc\x80\xff\xfe\xfa\x81" * 20 + b"\xff", "bad.txt")


def test_binary_file_is_refused():
    with pytest.raises(DecodeError, match="x.bin: binary"):
        decode_bytes(b"PK\x03\x04\x00\x00binary", "x.bin")


ZH = "关于进一步加强人力资源和社会保障工作的通知。各地要认真落实，抓好就业工作，2024年要见成效。"


@pytest.mark.parametrize("order", ["utf-16-le", "utf-16-be"])
def test_utf16_without_a_bom_is_read_by_its_byte_order(order):
    assert decode_bytes(ZH.encode(order), "x.txt") == (ZH, order)
    english = "A memo in plain ASCII, sent as UTF-16.\n" * 3
    assert decode_bytes(english.encode(order), "x.txt") == (english, order)


def test_shift_jis_is_read_as_japanese_not_as_gb18030_mojibake():
    japanese = "日本の経済政策について、政府は新しい方針を発表しました。これは重要な会議です。"
    assert decode_bytes(japanese.encode("shift_jis"), "ja.txt") == (japanese, "shift_jis")
    assert decode_bytes(ZH.encode("gb18030"), "zh.txt") == (ZH, "gb18030")  # Chinese stays Chinese


def test_a_text_that_reads_as_rare_characters_in_every_encoding_is_refused():
    from speechsearch.ingest.decode import decode_bytes as decode

    korean = ("정부는 새로운 경제 정책을 발표했습니다. 국민의 삶을 개선합니다. " * 6).encode("euc-kr")
    # EUC-KR reads as GB2312 hanzi, many of them common: what can be told apart is told apart.
    text, _ = decode(korean, "ko.txt")
    assert text
    # bytes of GBK's third region (rare hanzi in GB18030, no Big5, no Shift-JIS text)
    garbled = bytes(b for i in range(200) for b in (0x81 + i % 32, 0x80 + (i * 7) % 0x7E))
    with pytest.raises(DecodeError, match="garbled.txt: cannot decode"):
        decode(garbled, "garbled.txt")


def test_index_names_the_files_read_in_unusual_encodings(tmp_path):
    from tests.conftest import invoke, write_corpus

    (tmp_path / "ja.txt").write_bytes("日本の会議について、政府は新しい方針を発表しました。".encode("shift_jis"))
    (tmp_path / "le.txt").write_bytes(("讲话\n" + ZH + "\n").encode("utf-16-le"))
    (tmp_path / "gb.txt").write_bytes(("讲话\n" + ZH + "\n").encode("gb18030"))
    write_corpus(tmp_path, ["ja.txt", "le.txt", "gb.txt"])
    result = invoke("index", "-q", cwd=tmp_path)
    assert result.exit_code == 0
    line = next(line for line in result.output.splitlines() if line.startswith("read as: "))
    assert "shift_jis 1 (ja.txt)" in line and "utf-16-le 1 (le.txt)" in line and "gb18030 1" in line
    assert "(gb.txt)" not in line
    found = invoke("search", "人力资源", "--format", "json", "--no-collapse", cwd=tmp_path)
    assert sorted(h["doc"] for h in __import__("json").loads(found.output)) == ["gb.txt", "le.txt"]
