"""The LLM answer checker: markers, facts against the cited passages, quotes, refusal."""

from __future__ import annotations

from prompts import load_prompt
from rag.citations import NO_MARKER, NO_SOURCE, NOT_FOUND, answer_sentences, build_llm_result, parse_markers
from rag.retrieval import Passage

ARTICLE = (
    "Chiều 7-1, Đảng bộ phường Phước Tân tổ chức hội nghị tổng kết năm 2020. "
    "Phường Phước Tân hiện có 553 đảng viên sinh hoạt tại 22 chi bộ. "
    "Bí thư Đảng uỷ phường là ông Nguyễn Văn Thành.\n\n"
    "Toàn thành phố kết nạp 1302 đảng viên mới, đạt 36,26% kế hoạch."
)
REFUSAL = load_prompt("refusal")


def passage(i: int, text: str, date: str | None = "2021-01-07") -> Passage:
    start = ARTICLE.index(text)
    return Passage(row=i, chunk_id=f"c{i}", doc_id="d1", title="Phước Tân tổng kết công tác Đảng", date=date,
                   text=text, start=start, end=start + len(text), score=1.0)


PASSAGES = [passage(0, ARTICLE.split("\n\n")[0]), passage(1, ARTICLE.split("\n\n")[1], date=None)]


def check(answer: str):
    return build_llm_result("Câu hỏi?", answer, PASSAGES, REFUSAL)


def test_marker_forms() -> None:
    assert parse_markers("a [1][2] b [1, 2] c [2-3] d [ 4 ]") == [1, 2, 3, 4]
    assert parse_markers("[1-9999]") == [1, 9999]  # not a range anyone meant
    sentences = answer_sentences("Có 553 đảng viên. [1] Có 1302 đảng viên mới [2].")
    assert [(s.text, s.markers) for s in sentences] == [("Có 553 đảng viên. [1]", [1]),
                                                          ("Có 1302 đảng viên mới [2].", [2])]


def test_valid_markers_are_cited_with_quotes() -> None:
    result = check("Phường Phước Tân có 553 đảng viên [1]. Thành phố kết nạp 1302 đảng viên mới, đạt 36,26% [2].")
    assert result.mode == "llm" and not result.abstained
    assert result.unsupported == [] and result.warnings == []
    assert [c.cited for c in result.citations] == [True, True]
    quote = result.citations[0].quote
    assert quote.text == "Phường Phước Tân hiện có 553 đảng viên sinh hoạt tại 22 chi bộ."
    assert ARTICLE[quote.start:quote.end] == quote.text  # offsets are into the article
    assert result.citations[1].quote.text.startswith("Toàn thành phố kết nạp 1302")


def test_uncited_passage_stays_uncited() -> None:
    result = check("Phường có 22 chi bộ [1].")
    assert [c.cited for c in result.citations] == [True, False]
    assert result.citations[1].quote is None


def test_out_of_range_marker_is_flagged() -> None:
    result = check("Phường có 553 đảng viên [1][3].")
    assert [(u.n, u.reason) for u in result.unsupported] == [([3], NO_SOURCE)]
    assert any("[3]" in w for w in result.warnings)
    assert result.citations[0].cited


def test_number_not_in_cited_passage_is_flagged() -> None:
    result = check("Phường Phước Tân có 600 đảng viên [1].")
    [item] = result.unsupported
    assert item.n == [1] and item.missing == ["600"] and item.reason == NOT_FOUND
    assert item.sentence == "Phường Phước Tân có 600 đảng viên [1]."


def test_number_must_be_in_the_passage_actually_cited() -> None:
    result = check("Phường có 553 đảng viên [2].")  # true, but passage 2 does not say it
    assert [u.missing for u in result.unsupported] == [["553"]]


def test_thousands_dot_and_decimal_comma_match_plain_forms() -> None:
    assert check("Thành phố kết nạp 1.302 đảng viên mới [2].").unsupported == []
    assert check("Tỷ lệ đạt 36,26 % [2].").unsupported == []
    assert check("Tỷ lệ đạt 36,3% [2].").unsupported[0].missing == ["36,3%"]


def test_dates_are_checked() -> None:
    # "7-1" in the passage, year from the text or the passage's date.
    assert check("Hội nghị diễn ra ngày 7/1/2021 [1].").unsupported == []
    assert check("Hội nghị diễn ra ngày 7 tháng 1 năm 2021 [1].").unsupported == []
    assert check("Hội nghị tổng kết năm 2020 [1].").unsupported == []
    assert check("Hội nghị diễn ra ngày 8/1 [1].").unsupported[0].missing == ["8/1"]
    assert check("Hội nghị tổng kết năm 2019 [1].").unsupported[0].missing == ["năm 2019"]


def test_names_are_checked() -> None:
    assert check("Bí thư Đảng ủy phường là ông Nguyễn Văn Thành [1].").unsupported == []  # ủy/uỷ alike
    assert check("Ngoài Phước Tân, không phường nào được nêu [1].").unsupported == []
    [item] = check("Bí thư là ông Trần Văn Bình [1].").unsupported
    assert item.missing == ["Trần Văn Bình"] and item.reason == NOT_FOUND


def test_sentence_with_facts_but_no_marker_is_flagged() -> None:
    result = check("Phường có 553 đảng viên [1]. Trong đó có 22 chi bộ.")
    [item] = result.unsupported
    assert item.reason == NO_MARKER and item.n == [] and item.missing == ["22"]
    assert item.sentence == "Trong đó có 22 chi bộ."


def test_sentence_without_facts_needs_no_marker() -> None:
    assert check("Phường có 553 đảng viên [1]. Đây là kết quả tốt.").unsupported == []


def test_refusal_is_abstention() -> None:
    for text in (REFUSAL, f"«{REFUSAL}»", REFUSAL.split(". ")[0] + ".",
                 "Xin lỗi, các đoạn trích không có thông tin về việc này."):
        result = check(text)
        assert result.abstained and result.unsupported == [] and not any(c.cited for c in result.citations)


def test_list_numbers_are_layout_not_facts() -> None:
    result = check("Kết quả:\n1. Phường có 553 đảng viên [1].\n2) Có 22 chi bộ [1].\n- Có 600 người [1].")
    assert [(u.missing, u.reason) for u in result.unsupported] == [(["600"], NOT_FOUND)]
