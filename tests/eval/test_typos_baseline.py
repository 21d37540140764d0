"""The typo'd questions and the plain-BM25 baseline that `hoidap eval --typos --baseline bm25` uses."""

from __future__ import annotations

from eval.baseline import PlainBM25, plain_tokens
from eval.typos import mistype


def test_one_deterministic_edit_in_one_content_word():
    question = "Đảng bộ phường Phước Tân có bao nhiêu chi bộ?"
    first, again = mistype(question, "seed-001"), mistype(question, "seed-001")
    assert first == again != question
    before, after = question.split(), first.split()
    assert len(before) == len(after)
    changed = [(a, b) for a, b in zip(before, after) if a != b]
    assert len(changed) == 1
    assert changed[0][0].lower() not in {"bao", "nhiêu", "có"}


def test_typos_differ_across_questions():
    questions = [f"Phường Phước Tân tổ chức hội nghị tổng kết lần {i}?" for i in range(20)]
    assert len({mistype(q, str(i)) for i, q in enumerate(questions)}) > 5


def test_plain_bm25_ranks_paragraphs_by_plain_syllables():
    assert plain_tokens("Đảng UỶ phường, 36,26%") == ["đảng", "uỷ", "phường", "36", "26"]
    baseline = PlainBM25({"a": "Tiêu đề A\n\nMèo ăn cá.\n\nChó sủa to.", "b": "Tiêu đề B\n\nCá bơi dưới nước."})
    top = baseline.search("chó sủa", 3)
    assert top[0] == {"doc_id": "a", "text": "Chó sủa to."}
    assert baseline.search("xyz") == []
