"""A "khi nào / năm nào" question about history is answered by a date of history: "năm 1263", "340 TCN",
"thế kỷ XV", "những năm 1970". The date formats of the news (1800–2099, day/month/year) left them out, so
Wikipedia's when-questions got no short answer at all, or a modern date from the same sentence."""

from __future__ import annotations

import pytest

from rag.candidates import typed_spans
from rag.question import analyse
from rag.spans import era_spans


def _offered(question: str, sentence: str) -> list[str]:
    return [sentence[s.start:s.end] for s in typed_spans(analyse(question), sentence)]


@pytest.mark.parametrize("sentence, date", [
    ("Văn phòng Tây y được thành lập năm 1263 dưới thời Hốt Tất Liệt.", "năm 1263"),
    ("Người Mông Cổ bị đánh bại vào 1288 trên sông Bạch Đằng.", "1288"),
    ("Cuộc tấn công vào Macedonia xảy ra năm 340 TCN.", "năm 340 TCN"),
    ("Họ đo khoảng cách ấy từ thế kỷ thứ II trước Công Nguyên.", "thế kỷ thứ II trước Công Nguyên"),
    ("Các lý thuyết này phát triển vào những năm 1970.", "những năm 1970"),
])
def test_a_date_of_history_is_offered_to_a_when_question(sentence, date):
    assert date in _offered("Chuyện đó xảy ra khi nào?", sentence)


@pytest.mark.parametrize("sentence", [
    "Năm 2020, phường có 553 đảng viên.",  # a modern year: date_spans has it, era_spans does not repeat it
    "Có 1.288 người tham gia.",  # a count with a thousands separator
    "Giá 1500,5 đồng.",
])
def test_no_second_copy_and_no_counts(sentence):
    assert era_spans(sentence) == []


def test_a_decade_holds_its_year():
    # "1990" alone is a date of date_spans; "thập niên 1990" says more, and is offered beside it.
    offered = _offered("Việc đó bắt đầu khi nào?", "Việc đó bắt đầu từ thập niên 1990.")
    assert "thập niên 1990" in offered and "1990" in offered


def test_a_count_question_is_not_given_history_dates():
    # Counts keep their own candidates: "năm 1263" is no answer to "bao nhiêu người".
    assert "năm 1263" not in _offered("Có bao nhiêu người?", "Năm 1263 có 40 người được chữa.")
