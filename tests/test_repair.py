import re

from speechsearch.ingest.repair import ANNOTATION, find_garbage, repair_line, strip_annotations


def test_seed_annotation_and_garbage_counts(seed_document):
    # 2,640 readings follow a character pypinyin confirms; 14 more follow a byte that is itself
    # damaged and stay inside the garbage spots; the remaining parentheses are real text.
    assert seed_document.annotations_stripped == 2640
    assert len(seed_document.garbage) == 33
    assert all(g.text.startswith("?") or "(" in g.text for g in seed_document.garbage)


def test_no_confirmed_reading_survives(seed_document):
    text = "\n".join(seed_document.lines)
    assert "會" not in text.replace("".join(g.text for g in seed_document.garbage), "")
    leftovers = [m.group(0) for m in ANNOTATION.finditer(text)]
    assert leftovers == []


def test_real_parentheses_survive(seed_document):
    text = "\n".join(seed_document.lines)
    assert "(一)" in text
    assert "(50分,其中职能职责45分," in text
    assert "(民生为本、人才优先工作主线)" in text


def test_converted_to_simplified_with_tw2s(seed_document):
    text = "\n".join(seed_document.lines)
    assert "会议" in text and "著力" not in text and "着力" in text and "随着" in text
    assert "显著" in text  # 著 stays where it is the simplified character too


def test_garbage_spot_reported_with_line_and_column(seed_document):
    spots = {(g.line, g.column) for g in seed_document.garbage}
    assert (7, 837) in spots  # 我們?nèi)松缦到y(tǒng): the example from the issue
    line7 = seed_document.lines[6]
    assert "?nèi)松缦到y(tǒng)" in line7  # kept as found


def test_a_real_question_mark_is_not_garbage():
    assert find_garbage("为什么我们排不上更好地位次?全县综合考评分", 1) == []
    assert find_garbage("湖南民生网?——这是", 1) == []


def test_unconfirmed_reading_is_kept():
    assert strip_annotations("會(huì)議") == ("會議", 1)
    assert strip_annotations("室(中心)") == ("室(中心)", 0)
    assert strip_annotations("稿(yī)") == ("稿(yī)", 0)  # yī is not a reading of 稿


def test_repair_line_counts_and_converts():
    repaired = repair_line("人社工作會(huì)議講(jiǎng)話稿", 1)
    assert repaired.text == "人社工作会议讲话稿"
    assert repaired.annotations == 2
    assert re.search("[會講]", repaired.text) is None
