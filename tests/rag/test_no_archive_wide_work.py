"""Answering a question touches only what it retrieved: never the catalog of every article nor a table
over every article of the archive (what keeps a cold `hoidap ask` flat at 100,000 articles; the time
itself is measured by `hoidap bench`, this checks the path)."""

from __future__ import annotations

from pathlib import Path

from index.config import Settings
from rag.pipeline import Answerer

QUESTIONS = [
    "Phường Phước Tân có bao nhiêu đảng viên?",  # a number
    "Ai là tác giả bài viết về hội nghị BCH phường Trần Phú lần thứ 14?",  # a byline
    "Phường nào đạt chỉ tiêu giao quân cao hơn, Phước Tân hay Cầu Ông Lãnh?",  # a comparison
    "Thủ đô của nước Pháp là thành phố nào?",  # nothing in the articles
]


def test_questions_read_no_archive_wide_table(seed_data_dir: Path) -> None:
    answerer = Answerer(Settings(data_dir=seed_data_dir, mode="extractive"))
    results = [answerer.answer(q) for q in QUESTIONS]
    assert "Hà Vân" in (results[1].short_answer or "")
    assert all(r.citations for r in results[:3])
    reader = answerer.reader
    assert reader.manifest.articles._entries is None, "a question read the catalog of every article"
    assert "_doc_location" not in reader.__dict__, "a question built the table of every article's location"
