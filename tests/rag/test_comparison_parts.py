"""How a comparison question is split into one question per subject (rag/compare.py), as typed."""

from __future__ import annotations

from rag.compare import comparison_parts


def test_a_comparison_typed_without_accents_is_split_without_adding_accents():
    parts = comparison_parts("Giua phuong Tran Phu va phuong Tay Son, phuong nao co so thu ngan sach "
                             "duoc bao cao lon hon?")
    assert parts is not None and parts.kind == "number"
    # The comparative is the one next to "hơn" ("lớn"), not the "cao" of "báo cáo" typed "bao cao".
    assert parts.word == "lớn"
    # A sub-question stays unaccented (one accented phrase would make the whole question read as accented).
    assert parts.sub_questions == ["phuong Tran Phu co so thu ngan sach duoc bao cao bao nhieu?",
                                   "phuong Tay Son co so thu ngan sach duoc bao cao bao nhieu?"]


def test_the_accented_grammar_is_unchanged():
    parts = comparison_parts("Phường nào có nhiều đảng viên hơn, Phước Tân hay Tây Sơn?")
    assert parts.sub_questions == ["Phường Phước Tân có bao nhiêu đảng viên?", "Phường Tây Sơn có bao nhiêu đảng viên?"]
    assert parts.word == "nhiều"
    dated = comparison_parts("Hội nghị sơ kết của phường Cầu Ông Lãnh và của phường Tây Sơn, hội nghị nào diễn ra trước?")
    assert dated.kind == "date" and dated.sub_questions[0] == "Hội nghị sơ kết của phường Cầu Ông Lãnh diễn ra khi nào?"


def test_a_number_typed_with_marks_is_no_comparative():
    # "sáu" (six) folds to "sau" (after): with marks typed it is read as written, never as a comparison.
    assert comparison_parts("Phường nào tổ chức hội nghị sáu tháng, Phước Tân hay Tây Sơn?") is None
    # Unaccented and without a comparative, no comparison either.
    assert comparison_parts("phuong nao co 553 dang vien, phuoc tan hay tay son?") is None
