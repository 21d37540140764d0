"""A short answer never ends or starts halfway through a word of the language ("4 tập" of "4 tập thể"), nor
leaves a bracket it opened unclosed ("(ASL").

The span ranker scores runs of syllables; Vietnamese words are mostly two syllables, so a run can stop inside
one. The chosen span is widened to whole words with pyvi's word list (rag/lexicon.py)."""

from __future__ import annotations

import pytest

import rag.lexicon
from index.textnorm import normalize_for_compare as norm
from rag.candidates import SpanCandidate
from rag.extractive import closed, shown_span
from rag.lexicon import whole_words


def widened(text: str, piece: str) -> str:
    start = text.index(piece)
    a, b = whole_words(text, start, start + len(piece))
    return text[a:b]


@pytest.mark.parametrize("text, piece, whole", [
    ("Đảng ủy khen thưởng 4 tập thể xuất sắc.", "4 tập", "4 tập thể"),  # the unit cut after its first syllable
    ("Nữ hoàng khai trương vào năm 1981 một cây cầu.", "trương vào năm 1981", "khai trương vào năm 1981"),
    ("Lực lượng Hồng Vệ binh được thành lập.", "Hồng Vệ", "Hồng Vệ binh"),
    ("Bệnh nhân bị phình to động mạch.", "nhân bị phình to", "Bệnh nhân bị phình to"),
])
def test_a_cut_word_is_made_whole(text, piece, whole):
    assert widened(text, piece) == whole


@pytest.mark.parametrize("text, piece", [
    ("Phường kết nạp 03 đảng viên mới.", "03 đảng viên"),  # already whole words
    ("Thành phố Nha Trang, tỉnh Khánh Hòa.", "Nha Trang"),  # a comma is no word boundary to cross
    ("Toàn Đảng bộ có 553 đảng viên.", "553"),  # "có 553" is no word
])
def test_a_span_of_whole_words_stays_as_it_is(text, piece):
    assert widened(text, piece) == piece


def test_a_syllable_that_belongs_to_either_neighbour_is_left_alone():
    # "học sinh" and "sinh viên" are both words: which one a span "sinh viên giỏi" means is not ours to guess.
    assert widened("Các học sinh viên giỏi.", "sinh viên giỏi") == "sinh viên giỏi"


def _shown(text: str, piece: str, kind: str) -> str:
    start = text.index(piece)
    a, b = shown_span(text, SpanCandidate(start, start + len(piece), kind, 1.0))
    return text[a:b]


def test_a_date_keeps_the_edges_of_its_pattern():
    # "sang năm" (next year) is a word of the list; the year is the answer to "khi nào", not "Sang năm 167 TCN".
    text = "Sang năm 167 TCN, quân Tần tiến đánh nước Triệu."
    assert _shown(text, "năm 167 TCN", "date") == "năm 167 TCN"
    assert _shown("Đảng ủy khen thưởng 4 tập thể xuất sắc.", "4 tập", "number") == "4 tập thể"


@pytest.mark.parametrize("text, piece, shown", [
    ("Thu ngân sách hơn 4 tỷ đồng – đạt 36,26%.", "4 tỷ đồng", "hơn 4 tỷ đồng"),  # not "4 tỷ đồng": more than that
    ("Mỗi năm có trên 165.000 người mắc mới.", "165.000 người", "trên 165.000 người"),
    ("Ca mổ kéo dài khoảng 30 phút.", "30 phút", "khoảng 30 phút"),
    ("Phường có 553 đảng viên.", "553 đảng viên", "553 đảng viên"),  # no bound: as chosen
])
def test_a_count_keeps_the_word_that_bounds_it(text, piece, shown):
    assert _shown(text, piece, "number") == shown


def test_without_the_word_list_spans_are_kept(monkeypatch):
    monkeypatch.setattr(rag.lexicon, "word_pairs", lambda: frozenset())
    assert widened("Đảng ủy khen thưởng 4 tập thể xuất sắc.", "4 tập") == "4 tập"


@pytest.mark.parametrize("question, short", [
    # Typed without marks, as users do: the short answer was "4 tập".
    ("dang uy phuong phuoc tan khen thuong bao nhieu tap the tai hoi nghi tong ket nam 2020", "4 tập thể"),
])
def test_seed_short_answers_are_whole_words(answerer, question, short):
    result = answerer.answer(question)
    assert not result.abstained and norm(result.short_answer) == norm(short)


@pytest.mark.parametrize("text, piece, shown", [
    ("Ngôn ngữ Ký hiệu Mỹ (ASL) là ngôn ngữ chính.", "Ngôn ngữ Ký hiệu Mỹ (ASL", "Ngôn ngữ Ký hiệu Mỹ (ASL)"),
    ("trị giá 240 bảng Anh (hơn 7 triệu đồng).", "240 bảng Anh (hơn 7 triệu đồng", "240 bảng Anh (hơn 7 triệu đồng)"),
    ("tên gọi «Quỹ vì người nghèo» được dùng", "«Quỹ vì người nghèo", "«Quỹ vì người nghèo»"),
    ("Phường có 553 đảng viên (tăng 11).", "553 đảng viên", "553 đảng viên"),  # nothing opened: as it is
    ("Quỹ (Đền ơn đáp nghĩa và an sinh xã hội", "Quỹ (Đền ơn đáp nghĩa", "Quỹ (Đền ơn đáp nghĩa"),  # no ")" next
])
def test_a_bracket_the_answer_opens_is_closed(text, piece, shown):
    start = text.index(piece)
    a, b = closed(text, start, start + len(piece))
    assert text[a:b] == shown


@pytest.mark.parametrize("text, piece, shown", [
    # The ranker stopped inside a name: "Lan là một xã", "Ba", "Tyne" were shown.
    ("Đơn vị cơ bản của phân chia lãnh thổ ở Ba Lan là một xã (gmina).", "Lan là một xã", "Ba Lan là một xã"),
    ("Khoa học địa chất bắt nguồn từ Ba Tư cổ đại.", "Ba", "Ba Tư"),
    ("Một cây cầu bắc qua Sông Tyne thời La Mã.", "Tyne", "Sông Tyne"),
    ("Ngày 7/7/2020, Đảng bộ phường Cầu Ông Lãnh tổ chức hội nghị.", "Lãnh tổ chức", "Cầu Ông Lãnh tổ chức"),
])
def test_a_phrase_cut_inside_a_name_takes_the_whole_name(text, piece, shown):
    assert _shown(text, piece, "phrase") == shown


@pytest.mark.parametrize("text, piece", [
    # An acronym or a numeral ends a name: two names side by side are not one.
    ("Họ đánh bại đương kim vô địch Super Bowl XLIX New England Patriots.", "New England Patriots"),
    ("Tổng thư ký LHQ Ban Ki-moon từng học tại đây.", "Ban Ki-moon"),
    # The sentence's first word is capitalised as the first word, not as a name's.
    ("Theo Dunbar, người cổ đại thường tổ chức tiệc.", "Dunbar"),
    ("Anh ấy đến Hà Nội.", "Hà Nội"),  # already whole
])
def test_a_whole_name_stays_as_it_is(text, piece):
    assert _shown(text, piece, "phrase") == piece
