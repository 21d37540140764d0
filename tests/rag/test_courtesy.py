"""Questions asked the way people write to a colleague: "Cho tôi hỏi …", "Tôi cần viết báo cáo: …", "… ạ" get
the bare question's answer, and the words inside a question that look like courtesies stay."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from rag.courtesy import without_courtesy

BARE = "Phường Tây Sơn có bao nhiêu đảng viên?"


@pytest.mark.parametrize("asked", [
    "Cho tôi hỏi phường Tây Sơn có bao nhiêu đảng viên?",
    "Xin hỏi, phường Tây Sơn có bao nhiêu đảng viên?",
    "Tôi cần viết báo cáo: phường Tây Sơn có bao nhiêu đảng viên?",
    "Bạn ơi, phường Tây Sơn có bao nhiêu đảng viên vậy bạn?",
    "Chào bạn, mình là sinh viên, cho mình hỏi phường Tây Sơn có bao nhiêu đảng viên nhé?",
    "Em chào anh chị ạ, em muốn hỏi phường Tây Sơn có bao nhiêu đảng viên ạ?",
    "Nhờ bạn trả lời giúp: phường Tây Sơn có bao nhiêu đảng viên? Cảm ơn bạn!",
    "Phường Tây Sơn có bao nhiêu đảng viên, giúp em với?",
    "Theo bài viết, phường Tây Sơn có bao nhiêu đảng viên?",  # the archive named as the source
    "Hỏi nhanh: phường Tây Sơn có bao nhiêu đảng viên?",  # a clause that announces the question
    "Phường Tây Sơn có bao nhiêu đảng viên, bạn biết không?",
    "Phường Tây Sơn có bao nhiêu đảng viên, trả lời ngắn gọn thôi?",
    # "vậy" as the Centre and the South say it and chat spells it, and "thế" / "đấy" closing a question.
    "Phường Tây Sơn có bao nhiêu đảng viên rứa?",
    "Phường Tây Sơn có bao nhiêu đảng viên dị?",
    "Phường Tây Sơn có bao nhiêu đảng viên zậy ta?",
    "Phường Tây Sơn có bao nhiêu đảng viên thế nhỉ?",
    "Phường Tây Sơn có bao nhiêu đảng viên đấy ạ?",
])
def test_the_words_of_the_exchange_are_not_the_question(asked):
    assert without_courtesy(asked) == BARE


def test_a_question_typed_without_marks_loses_its_frame_too():
    assert without_courtesy("cho em hoi phuong tay son co bao nhieu dang vien a") == \
        "phuong tay son co bao nhieu dang vien"


@pytest.mark.parametrize("question", [
    "Em bé sinh ra nặng bao nhiêu kg?",  # "em" is the baby, not the speaker
    "Có bao nhiêu trẻ em?",
    "Hội nghị diễn ra ở đâu?",  # "hội" is not "hỏi"
    "hoi nghi dien ra o dau",
    "Người mang thai hộ phải có những điều kiện nào?",  # "hộ" of the question, not "giúp hộ"
    "Chính sách nào của Stalin được Kim Nhật Thành ủng hộ?",
    "Bác sĩ dùng phương pháp gì để gắp viên pin cho bệnh nhi?",  # "nhi" is not "nhỉ"
    "Fort Caroline được đổi tên thành gì sau cuộc tấn công của Tây Ban Nha?",
    "Đa số phiếu phải chiếm bao nhiêu để khiển trách Ủy ban?",
    "Tại sao lại như vậy?",
    "Ai đã gặp ông ấy?",  # a pointer back, read by the follow-up rewriting
    "Con đường này, ai xây?",  # "con" is the road
    "Tôi ở phường Tây Sơn, phường có bao nhiêu đảng viên?",  # the preamble names the ward: kept
    "Y học chính xác có đặc điểm gì đặc biệt ưu thế?",
    "Chào bạn",  # nothing but a greeting: left as typed
    "Theo bài viết của huyện Phú Xuyên, Đại hội Đảng toàn quốc lần thứ XIII diễn ra vào năm nào?",  # names one
    "Nếu bạn đang ngồi yên, vì sao không nên đứng dậy?",  # "bạn" of the question, not the assistant
    "Vì sao cơ thể bạn lại mệt mỏi, uể oải vào buổi sáng?",
    "Nhờ vào khả năng chống oxy hóa, zirconi được sử dụng để làm gì?",  # "nhờ vào": thanks to
    "Trong quá trình bác sĩ rửa dạ dày, bệnh nhi đã xuất hiện tình trạng gì?",  # "dạ dày" is no "dạ"
    "Trong 6 tháng đầu năm, phường nào kết nạp nhiều hơn: Tây Sơn hay Cầu Ông Lãnh?",
    "Ai đã thay thế?",  # "thay thế", "ưu thế", "kỳ dị" are words: no particle there
    "Nhân vật có gì kỳ dị?",
    "Hội nghị diễn ra ở đấy?",  # "ở đấy": there, pointing back
    "Vì sao lại như thế?",
])
def test_words_of_the_question_that_look_like_courtesies_stay(question):
    assert without_courtesy(question) == question


def test_the_framed_question_gets_the_bare_questions_answer_and_is_not_shown_as_rewritten(answerer):
    bare = answerer.answer(BARE)
    assert not bare.abstained and "314" in (bare.short_answer or "")
    for asked in ("Tôi cần viết báo cáo: phường Tây Sơn có bao nhiêu đảng viên?",
                  "Cho em hỏi phường Tây Sơn có bao nhiêu đảng viên ạ?"):
        framed = answerer.answer(asked)
        assert (framed.answer, framed.short_answer) == (bare.answer, bare.short_answer)
        assert framed.confidence == pytest.approx(bare.confidence)
        assert framed.rewritten_question is None  # only the courtesies went: nothing to show the user


def test_a_follow_up_with_a_particle_is_still_a_follow_up(answerer):
    first = "Phường Phước Tân có bao nhiêu đảng viên?"
    said = answerer.answer(first).as_said()
    followed = answerer.answer("Còn phường Tây Sơn thì sao ạ?", history=[(first, said)])
    assert followed.rewritten_question and "Tây Sơn" in followed.rewritten_question
    assert "bao nhiêu đảng viên" in followed.rewritten_question


def test_the_cli_answers_a_framed_question(seed_data_dir, tmp_path):
    """Through `hoidap ask --json`, as the issue's seed questions are checked."""
    out = subprocess.run([sys.executable, "-m", "ui.cli", "ask", "--json", "--data-dir", str(seed_data_dir),
                          "Tôi cần viết báo cáo: phường Tây Sơn có bao nhiêu đảng viên?"],
                         capture_output=True, text=True, env={**os.environ, "HOME": str(tmp_path)}, timeout=120)
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert not result["abstained"] and "314" in (result["short_answer"] or "")


def test_a_closing_ay_after_a_question_word_is_a_particle():
    assert without_courtesy("Bí thư Lê Ngọc Anh là bí thư huyện ủy huyện nào ấy nhỉ?") == \
        "Bí thư Lê Ngọc Anh là bí thư huyện ủy huyện nào?"
    assert without_courtesy("Ai đã gặp ông ấy?") == "Ai đã gặp ông ấy?"  # "ông ấy" points back
