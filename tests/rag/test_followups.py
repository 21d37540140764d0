"""Follow-ups as people type them in a chat, answered without an LLM (rag/followup.py).

A follow-up leaves out what the previous question said: only a question phrase ("Ở đâu?"), a word pointing
back ("huyện này", "năm đó"), or another subject ("Còn phường Tây Sơn thì sao?"). hoidap asks the question
it stands for, and shows it ("Câu hỏi được hiểu là …").
"""

from __future__ import annotations

import pytest

from rag.followup import rewrite_followup

MEETING = "Hội nghị của phường Cầu Ông Lãnh diễn ra khi nào?"
PHU_XUYEN = "Năm 2020 huyện Phú Xuyên kết nạp được bao nhiêu đảng viên mới?"
TARGET = "Phường Cầu Ông Lãnh đạt chỉ tiêu giao quân bao nhiêu phần trăm?"


def asked(*questions: str) -> list[tuple[str, str]]:
    return [(q, "") for q in questions]  # the questions only: nothing answered to point at


@pytest.mark.parametrize("history, question, standalone", [
    # Only a question phrase: the previous question, asking that instead.
    (asked(MEETING), "Ở đâu?", "Hội nghị của phường Cầu Ông Lãnh diễn ra ở đâu?"),
    (asked(MEETING), "o dau?", "Hội nghị của phường Cầu Ông Lãnh diễn ra o dau?"),
    # … and a chain of them keeps the subject of the first.
    (asked(MEETING, "Ở đâu?"), "Như thế nào?", "Hội nghị của phường Cầu Ông Lãnh diễn ra như thế nào?"),
    # "Vì sao?" asks why the previous question's fact holds.
    (asked("Phường Cầu Ông Lãnh kết nạp được bao nhiêu đảng viên?"), "Vì sao?",
     "Vì sao phường Cầu Ông Lãnh kết nạp được đảng viên?"),
    # A word pointing back takes the name that followed the same head word.
    (asked(PHU_XUYEN), "Huyện này có bao nhiêu chi bộ?", "Huyện Phú Xuyên có bao nhiêu chi bộ?"),
    (asked(PHU_XUYEN), "Năm đó huyện Phú Xuyên có bao nhiêu chi bộ?", "Năm 2020 huyện Phú Xuyên có bao nhiêu chi bộ?"),
    (asked(TARGET), "Phường đó thuộc quận nào?", "Phường Cầu Ông Lãnh thuộc quận nào?"),
    (asked(MEETING), "Hội nghị này do ai chủ trì?", "Hội nghị của phường Cầu Ông Lãnh do ai chủ trì?"),
    (asked("Ông Nguyễn Duy An giữ chức vụ gì?"), "Ông ấy phát biểu gì tại hội nghị?",
     "Ông Nguyễn Duy An phát biểu gì tại hội nghị?"),
    # Typed without marks: "do" / "ay" point back, but "nam nay" is this year, not the year asked before.
    (asked("nam 2020 phuong Phuoc Tan co bao nhieu dang vien?"), "nam nay phuong do co bao nhieu chi bo?",
     "Nam nay phuong Phuoc Tan co bao nhieu chi bo?"),
    # Shown as the question understood, so it reads as a sentence: a capital first.
    (asked("Phường Phước Tân có bao nhiêu đảng viên?"), "Còn phường Tây Sơn thì sao?",
     "Phường Tây Sơn có bao nhiêu đảng viên?"),
    # Another subject, the same question, after a follow-up: the chain's subject is the one replaced.
    (asked("Phường Phước Tân có bao nhiêu đảng viên?", "Còn phường Tây Sơn thì sao?"), "Vì sao?",
     "Vì sao phường Tây Sơn có đảng viên?"),
])
def test_a_followup_is_asked_as_the_question_it_stands_for(history, question, standalone):
    assert rewrite_followup(history, question) == standalone


WHO = "Ai là Bí thư Huyện ủy huyện Phú Xuyên?"
SAID = "Trả lời ngắn: Lê Ngọc Anh\nPhát biểu chỉ đạo tại hội nghị, đồng chí Bí Thư Huyện ủy Lê Ngọc Anh nhấn mạnh … [1]."


@pytest.mark.parametrize("history, question, standalone", [
    ([(WHO, SAID)], "Ông ấy nhấn mạnh điều gì?", "Ông Lê Ngọc Anh nhấn mạnh điều gì?"),
    ([(WHO, SAID)], "Người đó nhấn mạnh điều gì?", "Lê Ngọc Anh nhấn mạnh điều gì?"),
    # a name asked about since then wins over the one answered before it
    ([(WHO, SAID), ("Ông Nguyễn Văn Cương giữ chức vụ gì?", "")], "Ông ấy phát biểu gì?",
     "Ông Nguyễn Văn Cương phát biểu gì?"),
    # the name answered two turns back, carried by the standalone question in between
    ([(WHO, SAID), ("Ông ấy nhấn mạnh điều gì?", "Trả lời ngắn: Năm 2020\n…")], "Ông ấy sinh năm nào?",
     "Ông Lê Ngọc Anh sinh năm nào?"),
])
def test_a_pronoun_after_a_who_question_is_the_person_answered(history, question, standalone):
    assert rewrite_followup(history, question) == standalone


@pytest.mark.parametrize("history, question", [
    ([("Phường Phước Tân có bao nhiêu đảng viên?", "Trả lời ngắn: 553 đảng viên\n…")], "Ông ấy là ai?"),  # not a who
    ([(WHO, "Trả lời ngắn: đồng chí đại diện\n…")], "Ông ấy nhấn mạnh điều gì?"),  # a phrase, not a name
    ([(WHO, "Xin lỗi, … không đoạn nào trả lời được câu hỏi này.")], "Ông ấy nhấn mạnh điều gì?"),  # refused
])
def test_a_pronoun_with_no_name_answered_stays_as_typed(history, question):
    assert rewrite_followup(history, question) == question


def test_the_chat_history_carries_the_name_a_pronoun_points_at(answerer):
    # Phú Xuyên's review: "đồng chí Bí Thư Huyện ủy Lê Ngọc Anh nhấn mạnh: …".
    first = answerer.answer(WHO)
    assert first.short_answer == "Lê Ngọc Anh"
    followup = answerer.answer("Ông ấy nhấn mạnh điều gì?", history=[(WHO, first.as_said())])
    assert followup.rewritten_question == "Ông Lê Ngọc Anh nhấn mạnh điều gì?"
    assert not followup.abstained and "Lê Ngọc Anh nhấn mạnh" in followup.answer


@pytest.mark.parametrize("history, question", [
    (asked(MEETING), "Năm nay phường Tây Sơn có bao nhiêu đảng viên?"),  # "năm nay": now, not a pointer
    (asked("Ai là Bí thư Đảng ủy phường Phước Tân?"), "Ông ấy phát biểu gì?"),  # no "ông <name>" to point at
    (asked(MEETING), "Phường Tây Sơn có bao nhiêu chi bộ?"),  # a question of its own
    ([], "Ở đâu?"),  # nothing before it
])
def test_a_question_with_nothing_to_borrow_stays_as_typed(history, question):
    assert rewrite_followup(history, question) == question


def test_a_followup_pointing_back_is_answered_from_the_article_asked_about(answerer):
    # Phước Tân's article says "553 đảng viên sinh hoạt tại 22 chi bộ".
    standalone = answerer.answer("Phường Phước Tân có bao nhiêu chi bộ?")
    followup = answerer.answer("Phường này có bao nhiêu chi bộ?",
                               history=[("Phường Phước Tân có bao nhiêu đảng viên?", "553 đảng viên [1].")])
    assert followup.rewritten_question == "Phường Phước Tân có bao nhiêu chi bộ?"
    assert not followup.abstained and "22 chi bộ" in followup.answer  # before: searched as typed, and refused
    assert followup.answer == standalone.answer
    assert {c.doc_id for c in followup.citations if c.cited} == {c.doc_id for c in standalone.citations if c.cited}


def test_a_pointer_to_a_year_asks_about_that_year(answerer):
    # Phú Xuyên's 2020 review: "tổ chức trao huy hiệu Đảng các đợt cho 532 đ[ả]ng viên".
    followup = answerer.answer("Năm đó có bao nhiêu đảng viên được trao huy hiệu Đảng?",
                               history=[("Năm 2020 huyện Phú Xuyên kết nạp được bao nhiêu đảng viên mới?", "")])
    assert followup.rewritten_question == "Năm 2020 có bao nhiêu đảng viên được trao huy hiệu Đảng?"
    assert not followup.abstained and "532" in (followup.short_answer or "")


def test_a_question_phrase_alone_is_answered_as_the_whole_question(eager_answerer):
    followup = eager_answerer.answer("Ở đâu?", history=[(MEETING, "Ngày 7/7/2020 [1].")])
    assert followup.rewritten_question == "Hội nghị của phường Cầu Ông Lãnh diễn ra ở đâu?"
    cited = {c.title for c in followup.citations if c.cited}
    assert cited and all("Cầu Ông Lãnh" in title for title in cited)


@pytest.mark.parametrize("previous, question, standalone", [
    # Another title, the same body: it was "Bí thư Chủ tịch UBND huyện là ai?" and
    # "Ai là bí thư đảng ủy phường tịch HĐND Quận 1?" (the first capitalised word taken for the subject).
    ("Bí thư Huyện ủy Phú Xuyên là ai?", "Còn Chủ tịch UBND huyện thì sao?", "Chủ tịch UBND huyện Phú Xuyên là ai?"),
    ("Bí thư Huyện ủy Phú Xuyên là ai?", "Còn Phó Bí thư Thường trực?", "Phó Bí thư Thường trực Huyện ủy Phú Xuyên là ai?"),
    ("Ai là Chủ tịch HĐND Quận 1?", "còn bí thư đảng ủy phường thì sao", "Ai là bí thư đảng ủy phường Quận 1?"),
    ("Chủ tịch UBND phường Cầu Ông Lãnh là ai?", "Còn Bí thư Đảng ủy?", "Bí thư Đảng ủy phường Cầu Ông Lãnh là ai?"),
    ("chu tich ubnd phuong cau ong lanh la ai", "con bi thu dang uy thi sao", "Bi thu dang uy phuong cau ong lanh la ai"),
    # A title with a body named its own: nothing of the old one is kept.
    ("Ai là Giám đốc Sở Y tế Hà Nội?", "Còn Giám đốc Bệnh viện Bạch Mai?", "Ai là Giám đốc Bệnh viện Bạch Mai?"),
])
def test_another_title_of_the_same_body(previous, question, standalone):
    assert rewrite_followup(asked(previous), question) == standalone


@pytest.mark.parametrize("previous, question, name", [
    ("Bí thư Huyện ủy Phú Xuyên là ai?", "Còn Chủ tịch UBND huyện thì sao?", "Nguyễn Xuân Thanh"),
    ("Chủ tịch UBND phường Cầu Ông Lãnh là ai?", "Còn Bí thư Đảng ủy?", "Phạm Xuân Khánh"),
])
def test_a_followup_about_another_title_is_answered_from_the_roster(answerer, previous, question, name):
    first = answerer.answer(previous)
    result = answerer.answer(question, history=[(previous, first.as_said())])
    assert not result.abstained and result.short_answer == name, (result.rewritten_question, result.answer)


@pytest.mark.parametrize("previous, question, standalone", [
    # "Còn X thì <a question of its own>": a whole question, asked as typed (it was taken whole for the subject).
    ("6 tháng đầu năm 2023 Tây Sơn kết nạp được mấy đảng viên mới?",
     "Thế còn Cầu Ông Lãnh 6 tháng đầu năm 2020 thì kết nạp được mấy người?",
     "Cầu Ông Lãnh 6 tháng đầu năm 2020 thì kết nạp được mấy người?"),
    # A subject and a bare question phrase: the previous question, of that subject ("là ai" was taken into it).
    ("Ai đang là Bí thư Huyện ủy Phú Xuyên?", "Còn chủ tịch HĐND huyện là ai?", "Ai đang là chủ tịch HĐND huyện Phú Xuyên?"),
    ("Chủ tịch UBND phường Cầu Ông Lãnh là ai?", "Còn bí thư đảng ủy phường thì ai?",
     "Bí thư đảng ủy phường Cầu Ông Lãnh là ai?"),
    ("Phường Phước Tân có bao nhiêu đảng viên?", "Còn phường Tây Sơn có bao nhiêu?", "Phường Tây Sơn có bao nhiêu đảng viên?"),
])
def test_a_followup_that_asks_with_its_own_words(previous, question, standalone):
    assert rewrite_followup(asked(previous), question) == standalone


BUDGET = "Tổng thu ngân sách nhà nước 6 tháng đầu năm 2023 của Tây Sơn là bao nhiêu?"
BUDGET_SAID = ("Trả lời ngắn: trên 49 tỷ 687 triệu đồng\nTổng thu ngân sách nhà nước 6 tháng ước đạt trên 49 tỷ 687 "
               "triệu đồng, đạt 790,2% [1].")
MEMBERS = "Phường Phước Tân có bao nhiêu đảng viên?"
MEMBERS_SAID = "Trả lời ngắn: 553 đảng viên\nPhường Phước Tân hiện có 553 đảng viên sinh hoạt tại 22 chi bộ [1]."


@pytest.mark.parametrize("previous, said, question, standalone", [
    # Words the conversation has just said, and a question phrase: asked of the same subject (was refused).
    (BUDGET, BUDGET_SAID, "Đạt bao nhiêu phần trăm?",
     "Tổng thu ngân sách nhà nước 6 tháng đầu năm 2023 của Tây Sơn đạt bao nhiêu phần trăm?"),
    (MEMBERS, MEMBERS_SAID, "Sinh hoạt ở bao nhiêu chi bộ?", "Phường Phước Tân sinh hoạt ở bao nhiêu chi bộ?"),
    # Words nobody said: a question of its own.
    (MEMBERS, MEMBERS_SAID, "Ai chủ trì hội nghị?", "Ai chủ trì hội nghị?"),
    (MEMBERS, MEMBERS_SAID, "Lạm phát bao nhiêu?", "Lạm phát bao nhiêu?"),
])
def test_a_followup_in_the_words_just_said(previous, said, question, standalone):
    assert rewrite_followup([(previous, said)], question) == standalone


def test_a_followup_in_the_words_just_said_is_answered(answerer):
    first = answerer.answer(BUDGET)
    result = answerer.answer("Đạt bao nhiêu phần trăm?", history=[(BUDGET, first.as_said())])
    assert not result.abstained and result.short_answer == "790,2%", (result.rewritten_question, result.answer)
