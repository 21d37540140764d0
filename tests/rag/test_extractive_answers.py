"""Extractive answers on the seeds: numbers, names, dates, places, no-diacritic questions, refusals."""

from __future__ import annotations

import pytest

from index.textnorm import normalize_for_compare as norm
from prompts import load_prompt


def cited(result):
    return [c for c in result.citations if c.cited]


@pytest.mark.parametrize(
    "question, short, doc_prefix",
    [
        ("Phường Phước Tân có bao nhiêu đảng viên?", "553 đảng viên", "000_"),
        ("phuong phuoc tan co bao nhieu dang vien", "553 đảng viên", "000_"),
        # "ước đạt trên 49 tỷ …": the bound is part of the figure the article gives.
        ("Tổng thu ngân sách của phường Tây Sơn 6 tháng là bao nhiêu?", "trên 49 tỷ 687 triệu đồng", "002_"),
        ("Phường Tây Sơn trích bao nhiêu tiền từ Quỹ Đền ơn đáp nghĩa?", "18.700.000 đồng", "002_"),
        ("Toàn huyện Phú Xuyên có bao nhiêu đảng viên hoàn thành xuất sắc nhiệm vụ?", "1.302 đảng viên", "003_"),
        ("Ai là Bí thư Đảng ủy phường Tây Sơn?", "Phạm Duy Phong", "002_"),
        ("Bí thư Huyện ủy Phú Xuyên là ai?", "Lê Ngọc Anh", "003_"),
        ("Hội nghị BCH phường Trần Phú lần thứ mấy?", "14", "001_"),
        ("Phường Phước Tân thuộc thành phố nào?", "Nha Trang", "000_"),
        ("Ai viết bài về hội nghị BCH phường Trần Phú?", "Hà Vân", "001_"),
    ],
)
def test_short_answer_is_cited_at_exact_offsets(eager_answerer, question, short, doc_prefix):
    answerer = eager_answerer
    result = answerer.answer(question)
    assert not result.abstained, result.answer
    assert result.short_answer == short
    sources = cited(result)
    assert sources and sources[0].doc_id.startswith(doc_prefix)
    article = answerer.reader.article(sources[0].doc_id).text
    span = sources[0].answer_span
    assert article[span.start:span.end] == short
    # The quoted sentence is the article's own text and holds the short answer.
    assert article[sources[0].quote.start:sources[0].quote.end] == sources[0].quote.text
    assert short in sources[0].quote.text
    assert f"[{sources[0].n}]" in result.answer


def test_accented_and_unaccented_questions_agree(answerer):
    accented = answerer.answer("Đảng bộ phường Phước Tân có bao nhiêu chi bộ?")
    plain = answerer.answer("dang bo phuong phuoc tan co bao nhieu chi bo")
    assert accented.short_answer == plain.short_answer == "22 chi bộ"
    assert cited(accented)[0].chunk_id == cited(plain)[0].chunk_id


@pytest.mark.parametrize(
    "question",
    [
        "Đội tuyển bóng đá Việt Nam vô địch AFF Cup năm nào?",
        "Thủ tướng Chính phủ năm 2023 là ai?",
        "Giá vàng hôm nay bao nhiêu?",
    ],
)
def test_unanswered_questions_are_refused_with_nearest_passages(answerer, question):
    result = answerer.answer(question)
    assert result.abstained
    assert result.refusal_reason in ("no_match", "no_answer")
    assert result.answer == load_prompt(f"refusal_{result.refusal_reason}").strip()
    assert result.short_answer is None
    assert result.citations, "the nearest passages are still shown"
    assert not cited(result)


def test_answer_quotes_article_text_not_normalised_text(answerer):
    result = answerer.answer("Đảng uỷ phường Phước Tân khen thưởng bao nhiêu cá nhân?")
    quote = cited(result)[0].quote.text
    assert norm(quote) in norm(answerer.reader.article(cited(result)[0].doc_id).text)
    assert quote in answerer.reader.article(cited(result)[0].doc_id).text
