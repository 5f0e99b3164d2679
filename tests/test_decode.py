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
