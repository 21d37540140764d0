"""What a question asks is read from its question words, and only from them: a word that folds like a
question word but was typed with its own marks ("máy", "đầu", "đau", "não") asks nothing."""

from __future__ import annotations

import pytest

from rag.question import analyse


@pytest.mark.parametrize("question, qtype", [
    ("Vì sao phải sử dụng máy định vị khi phẫu thuật?", "other"),  # "máy" is not "mấy": no count asked
    ("Hai chỉ tiêu Bộ Y tế đưa ra hồi đầu năm là gì?", "other"),  # "đầu" is not "đâu": no place asked
    ("Vì sao bệnh nhân bị đau bụng ở vùng thượng vị?", "other"),
    ("Các nhà máy của Ford sẽ đóng cửa khi nào?", "date"),
    ("Phong trào bắt đầu ở đâu?", "place"),  # the real "đâu" still asks
    ("Cầu Ông Lãnh kết nạp mấy đảng viên?", "number"),
    ("cau ong lanh ket nap may dang vien", "number"),  # typed without marks: still the question word
])
def test_look_alikes_typed_with_their_marks_ask_nothing(question, qtype):
    assert analyse(question).qtype == qtype


def test_the_slot_is_the_real_question_word():
    # The answer stands where "gì" stands, not where "đầu" does.
    analysis = analyse("Việc đầu tiên của mỗi dự án là gì?")
    start, end = analysis.wh
    assert analysis.all_folded[start:end] == ["gi"]


def test_a_content_word_that_looks_like_a_question_word_is_still_searched():
    assert "đầu" in analyse("Việc đầu tiên của mỗi dự án là gì?").content_accented
    assert "não" in analyse("Có bao nhiêu loại u não?").content_accented


@pytest.mark.parametrize("question, qtype", [
    ("Einstein trở thành trợ giảng vào năm bao nhiêu?", "date"),  # asks a year
    ("Nhà thờ được thành lập năm mấy?", "date"),
    ("Ông giữ chức vụ này bao nhiêu năm?", "number"),  # asks how long
    ("Trong năm bao nhiêu người tử vong?", "number"),  # "năm" is not the asked thing here
])
def test_which_year_is_a_date_and_how_many_years_a_count(question, qtype):
    assert analyse(question).qtype == qtype


def test_who_heads_still_reads_dung_dau():
    # "đứng đầu" is the word meant here: the title it asks for is still added to the search.
    analysis = analyse("Người đứng đầu tổ chức Đảng ở Tây Sơn tên là gì?")
    assert analysis.qtype == "person" and "bí" in analysis.content_accented


@pytest.mark.parametrize("question, kept, qtype", [
    ("Các nhà máy của Ford sẽ đóng cửa khi nào?", "cửa", "date"),  # "cửa" is not the "của" of "của … nào"
    ("Loại thuốc kháng sinh nào được dùng cho bệnh nhân?", "thuốc", "other"),  # "thuốc" is not "thuộc … nào"
    ("Mức ô nhiễm ở đâu cao nhất?", "ô", "place"),
])
def test_a_word_that_looks_like_a_frame_of_a_question_word_is_searched(question, kept, qtype):
    analysis = analyse(question)
    assert kept in analysis.content_accented and analysis.qtype == qtype


def test_the_frame_itself_is_still_dropped():
    # "thuộc quận nào": the frame asks; the head noun stays, the verb goes.
    analysis = analyse("Phường Tân An thuộc quận nào?")
    assert "quận" in analysis.content_accented and "thuộc" not in analysis.content_accented
    assert analysis.qtype == "place"


def test_who_heads_x_searches_the_title_not_the_words_stood_at_the_head():
    from rag.question import analyse

    analysis = analyse("Người đứng đầu tổ chức Đảng ở Tây Sơn tên là gì?")
    assert "bí thư" in " ".join(analysis.content_accented)
    assert "đứng" not in analysis.content_accented and "đầu" not in analysis.content_accented


@pytest.mark.parametrize("question, kept, qtype", [
    # The head words of asking phrases, typed as other words: "lực" is not the "lúc" of "lúc nào", "khí" not
    # the "khi" of "khi nào", "quân" not the "quận" of "quận nào" — they were date and place questions.
    ("Chính quyền Hốt Tất Liệt có sự phân chia quyền lực nào?", "lực", "other"),
    ("Loại khí nào đã làm lửa bùng phát trong cabin?", "khí", "other"),
    ("Quân nào chiến thắng trận đánh?", "quân", "other"),
    ("Hội nghị diễn ra lúc nào?", None, "date"),  # typed as the asking phrase, it still asks
    ("hoi nghi dien ra luc nao", None, "date"),  # and typed without marks
])
def test_a_word_that_looks_like_the_head_of_an_asking_phrase_asks_nothing(question, kept, qtype):
    analysis = analyse(question)
    assert analysis.qtype == qtype and (kept is None or kept in analysis.content_accented)


@pytest.mark.parametrize("question, qtype", [
    ("Sự kiện nào diễn ra vào ngày 23/12/2018?", "other"),  # the date is given, the event asked
    ("Bệnh nhân nhập viện vào ngày 10/6 trong tình trạng như thế nào?", "other"),
    ("Hội nghị diễn ra vào ngày nào?", "date"),
])
def test_a_date_the_question_gives_is_not_a_date_it_asks(question, qtype):
    assert analyse(question).qtype == qtype


@pytest.mark.parametrize("question, qtype", [
    ("Tỷ lệ tử vong của bệnh này?", "number"),  # a count named and nothing else asked: the count
    ("Tỷ lệ người hút thuốc ở Việt Nam là gì?", "number"),  # "là gì" asks the rate itself
    ("Khu vực nào của Brookhaven vẫn còn nổi tiếng với tỷ lệ tội phạm cao?", "other"),  # asks the area
    ("Tỷ lệ mắc bốn dạng bệnh tim sẽ giảm nếu có sự hiện diện của những thứ gì?", "other"),
    ("Các bệnh lây qua đường tình dục nào có số lượng ca mắc tăng gấp ba lần?", "other"),
])
def test_a_count_the_question_names_is_asked_only_when_nothing_else_is(question, qtype):
    assert analyse(question).qtype == qtype


def test_a_percent_sign_names_the_unit_asked():
    # "đạt bao nhiêu %" was a count of no unit: "hơn 4 tỷ đồng" beside "36,26%" was as good an answer.
    assert analyse("Cầu Ông Lãnh thu ngân sách đạt bao nhiêu %?").unit == ["%"]
    assert analyse("Cầu Ông Lãnh thu ngân sách đạt bao nhiêu phần trăm?").unit == ["%"]


def test_a_numbered_district_is_a_place():
    # "thuộc quận mấy" asks which district ("Quận 1"), not how many.
    found = analyse("Phường Cầu Ông Lãnh thuộc quận mấy?")
    assert (found.qtype, found.focus) == ("place", ["quan"])
    assert analyse("Phường có bao nhiêu quận?").qtype == "number"


def test_how_a_person_is_addressed_is_not_their_name():
    from rag.entities import question_entities

    assert question_entities("Anh Hứa Vĩnh Phúc làm chức gì?") == ["Hứa Vĩnh Phúc"]
    assert question_entities("Chị Uyên Linh giữ chức vụ gì?") == ["Uyên Linh"]
    assert question_entities("Anh Quốc có bao nhiêu dân?") == ["Anh Quốc"]  # a country: no family name after "Anh"
    assert question_entities("Lãnh đạo Tin lành Châu Âu nào?") == ["Châu Âu"]  # "Châu" is no "Cháu"
