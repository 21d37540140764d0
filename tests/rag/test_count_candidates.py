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
    offered = _offered("Năm 2021, phường có 553 đảng viên, lần thứ 2 vượt chỉ tiêu; 2000 người dân tham gia.",
                       "Phường đạt được bao nhiêu?")  # no unit asked: every count is offered
    assert "553 đảng viên" in offered
    assert any(piece.startswith("2000") for piece in offered)  # a bare 2000 may be a count: it stays
    assert not any(piece.startswith("2 ") or piece == "2" for piece in offered)


@pytest.mark.parametrize("question, sentence, answer", [
    ("Phường Cầu Ông Lãnh thu ngân sách đạt bao nhiêu phần trăm?",
     "Thu ngân sách hơn 4 tỷ đồng – đạt 36,26%; chăm lo 627 suất quà.", "36,26%"),
    ("Ban thường vụ khen thưởng bao nhiêu cá nhân?", "Khen thưởng 2 tổ chức và 18 cá nhân.", "18 cá nhân"),
])
def test_a_count_asked_in_a_unit_is_answered_in_that_unit(question, sentence, answer):
    # Another figure of the same sentence ("4 tỷ đồng", "2 tổ chức") is not offered once one in the unit is there.
    assert _offered(sentence, question) == [answer]


def test_a_unit_typed_with_a_slip_still_counts_as_the_unit():
    # The seeds' own typo: "trao huy hiệu Đảng các đợt cho 532 đnagr viên" answers "… bao nhiêu đảng viên …?".
    offered = _offered("Toàn Đảng bộ kết nạp được 176 đảng viên; trao huy hiệu Đảng cho 532 đnagr viên.",
                       "Có bao nhiêu đảng viên được trao huy hiệu Đảng?")
    assert "176 đảng viên" in offered and "532" in offered


def test_without_a_count_in_the_unit_the_others_stay():
    offered = _offered("Khen thưởng 2 tổ chức.", "Ban thường vụ khen thưởng bao nhiêu cá nhân?")
    assert offered == ["2 tổ chức"]


def test_thu_collected_is_no_ordinal():
    # "thu" (collect) is not "thứ": the amount after it is the answer to "thu được bao nhiêu".
    offered = _offered("Thu ngân sách hơn 4 tỷ đồng, thu 49 tỷ 687 triệu đồng.", "Phường thu được bao nhiêu tiền?")
    assert any(piece.startswith("49") for piece in offered)


def test_a_year_is_still_the_answer_to_a_when_question():
    assert "2021" in " ".join(_offered("Năm 2021, phường có 553 đảng viên.", "Phường có 553 đảng viên vào năm nào?"))


@pytest.mark.parametrize("question, short", [
    ("Phường Cầu Ông Lãnh thu ngân sách đạt bao nhiêu phần trăm?", "36,26%"),  # was "4 tỷ đồng"
    ("Thu ngân sách 9 tháng của phường Trần Phú đạt bao nhiêu phần trăm?", "90%"),  # was "11 tỷ đồng"
])
def test_seed_short_answers_give_the_asked_unit(answerer, question, short):
    result = answerer.answer(question)
    assert not result.abstained and result.short_answer == short


@pytest.mark.parametrize("question, sentence, count", [
    ("Keira còn cứu sống bao nhiêu người?", "Ngoài Max, Keira còn cứu sống ba người khác.", "ba người"),
    ("Chứng chỉ kéo dài bao lâu?", "Chứng chỉ giảng dạy kéo dài mười năm.", "mười năm"),  # "năm": five, and a year
    ("Đã thử bao nhiêu lần?", "Đã thử hai mươi lăm lần.", "hai mươi lăm lần"),
])
def test_a_count_written_in_words_is_a_count(question, sentence, count):
    assert count in _offered(sentence, question)


@pytest.mark.parametrize("question, sentence", [
    ("Bao nhiêu nước tham gia?", "Ba Lan tham gia."),  # a name, not "ba lần"
    ("Còn bao nhiêu thời gian?", "Sau đó, từ sân nhà, họ tự do tấn công."),  # "sau" is no "sáu", "từ" no "tư"
    ("Có bao nhiêu người?", "Có một người đàn ông đứng đó."),  # "một" alone is "a"
    ("Ấn bản thứ bao nhiêu chưa công bố?", "Ấn bản thứ ba chưa công bố."),  # which one, not how many
])
def test_words_that_only_look_like_counts_are_not(question, sentence):
    assert _offered(sentence, question) == []


def test_a_figure_keeps_its_magnitude_word():
    # "8 triệu người": "triệu người" is not a second count.
    assert _offered("Mỗi năm có 8 triệu người chết vì thuốc lá.", "Mỗi năm có bao nhiêu người chết?") == [
        "8 triệu người chết"]


@pytest.mark.parametrize("question, sentence, count", [
    ("Bao nhiêu lượt người bệnh cần truyền máu mỗi ngày?", "Mỗi ngày cần 800-1.000 lượt người bệnh.",
     "800-1.000 lượt người"),  # the unit as the question names it: two words
    ("Động cơ đạt bao nhiêu phần trăm hiệu suất?", "Động cơ đạt hiệu suất 27-30%.", "27-30%"),
    ("Mổ cũ phải nằm viện bao nhiêu ngày?", "Mổ cũ phải nằm viện khoảng 7-10 ngày.", "7-10 ngày"),
    ("Trẻ dùng bao nhiêu chiếc tã?", "Trẻ dùng từ 3.800 đến 4.800 chiếc tã.", "từ 3.800 đến 4.800 chiếc tã"),
])
def test_a_range_is_one_count(question, sentence, count):
    assert count in _offered(sentence, question)


@pytest.mark.parametrize("sentence", [
    "Ngày 7-1, phường tổ chức hội nghị với 20 đại biểu.",  # a day and a month after "ngày"
    "Nhiệm kỳ 2020 – 2025 có 20 đại biểu.",  # a term of office
])
def test_dates_are_no_ranges(sentence):
    assert _offered(sentence, "Có bao nhiêu đại biểu?") == ["20 đại biểu"]
