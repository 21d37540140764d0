"""A count question ("bao nhiêu đảng viên") is answered by a count: "lần thứ 14", "khóa XII" and "năm 2021"
say which one and when, never how many, so they are not offered as its short answer (Trần Phú's article,
which never gives its party membership, was answered "14" from "hội nghị BCH lần thứ 14")."""

from __future__ import annotations

import pytest

from rag.candidates import typed_spans
from rag.question import analyse

QUESTION = "Phường Trần Phú có bao nhiêu đảng viên?"


def _offered(sentence, question=QUESTION):
    return [sentence[s.start:s.end] for s in typed_spans(analyse(question), sentence)]


@pytest.mark.parametrize("sentence, not_a_count", [
    ("Đảng ủy phường Trần Phú đã tổ chức hội nghị BCH lần thứ 14, khóa XII.", "14"),
    ("Năm 2021, Đảng bộ phường kết nạp thêm đảng viên mới.", "2021"),
    ("Phường đứng thứ 3 toàn quận về phát triển đảng viên.", "3"),
])
def test_ordinals_and_years_are_not_counts(sentence, not_a_count):
    assert not any(not_a_count in piece for piece in _offered(sentence))


def test_counts_beside_them_still_are():
    offered = _offered("Năm 2021, phường có 553 đảng viên, lần thứ 2 vượt chỉ tiêu; 2000 người dân tham gia.")
    assert "553 đảng viên" in offered
    assert any(piece.startswith("2000") for piece in offered)  # a bare 2000 may be a count: it stays


def test_thu_collected_is_no_ordinal():
    # "thu" (collect) is not "thứ": the amount after it is the answer to "thu được bao nhiêu".
    offered = _offered("Thu ngân sách hơn 4 tỷ đồng, thu 49 tỷ 687 triệu đồng.", "Phường thu được bao nhiêu tiền?")
    assert any(piece.startswith("49") for piece in offered)


def test_a_year_is_still_the_answer_to_a_when_question():
    assert "2021" in " ".join(_offered("Năm 2021, phường có 553 đảng viên.", "Phường có 553 đảng viên vào năm nào?"))
