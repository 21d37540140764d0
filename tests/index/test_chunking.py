"""Sentence spans and passage packing: offsets exact, sizes bounded, ids stable."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from index.chunking import chunk_article, split_sentences
from index.cleaning import clean_article
from index.documents import Article, Chunk, RawDocument
from index.loaders import load_file

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def _sentences(text: str) -> list[str]:
    return [text[s:e] for s, e in split_sentences(text)]


def _article(text: str, doc_id: str = "bai") -> Article:
    return Article(doc_id=doc_id, title="Tiêu đề", text=text, source_path=f"{doc_id}.txt", content_hash="ab" * 32)


def _seed_articles() -> list[Article]:
    articles = []
    for path in sorted(SEEDS.glob("*.txt")):
        raw = load_file(path, 10_000_000)
        assert isinstance(raw, RawDocument)
        articles.append(clean_article(raw))
    return articles


@pytest.mark.parametrize(
    "sentence",
    [
        "Đảng bộ phường Phước Tân (TP. Nha Trang) tổ chức hội nghị.",
        "Dự có TS. Nguyễn Văn An, ThS. Lê Thị Bình, PGS. Trần Cường và GS. Phạm Dũng.",
        "Trụ sở ở Q. 1, P. Bến Nghé, PGS.TS. Hoàng Minh chủ trì.",
        "Các ban, ngành, đoàn thể v.v. đều tham gia.",
        "Bài viết của V.THÀNH và N.T gửi về.",
        "Toàn huyện có 1.302 đảng viên, đạt 36,26% và tăng 2.5 lần, trích 18.700.000 đồng.",
        "Kiểm tra 4 chi bộ trực thuộc... và các đoàn thể khác… đều đạt.",
        "Tổng thu đạt 90%; chi đạt 80%; dư 10%.",
        "Ông Nguyễn V. Thành phát biểu.",
    ],
)
def test_no_split_inside_abbreviations_and_numbers(sentence: str) -> None:
    assert _sentences(sentence) == [sentence]


def test_splits_at_sentence_ends() -> None:
    text = (
        "Hội nghị khai mạc. Đại biểu phát biểu! Có ý kiến không? 6 tháng đầu năm đạt kết quả tốt. "
        "Kiểm tra chi bộ trực thuộc... Đảng uỷ luôn quan tâm… Trích Quỹ. “Đền ơn đáp nghĩa” được duy trì./. "
        "Hết."
    )
    assert _sentences(text) == [
        "Hội nghị khai mạc.",
        "Đại biểu phát biểu!",
        "Có ý kiến không?",
        "6 tháng đầu năm đạt kết quả tốt.",
        "Kiểm tra chi bộ trực thuộc...",
        "Đảng uỷ luôn quan tâm…",
        "Trích Quỹ.",
        "“Đền ơn đáp nghĩa” được duy trì./.",
        "Hết.",
    ]


def test_an_invisible_mark_before_the_next_sentence_does_not_join_the_two() -> None:
    # Pasted from a page with emoji: a variation selector or zero-width space sits before the capital.
    text = "Đây là một loại phospho hữu cơ. \ufe0fBác sĩ Thy cho biết. \u200bTheo bác sĩ, bé đã khỏe.\n\ufe0f\n"
    assert _sentences(text) == ["Đây là một loại phospho hữu cơ.", "Bác sĩ Thy cho biết.", "Theo bác sĩ, bé đã khỏe."]


def test_paragraph_breaks_split_and_spans_are_trimmed() -> None:
    text = "  Tiêu đề không dấu chấm\n\nCâu một.   Câu hai.  \nDòng mới"
    spans = split_sentences(text)
    assert [text[s:e] for s, e in spans] == ["Tiêu đề không dấu chấm", "Câu một.", "Câu hai.", "Dòng mới"]
    assert all(text[s:e] == text[s:e].strip() for s, e in spans)


def _check_chunks(article: Article, chunks: list[Chunk], limit: int) -> None:
    sentence_spans = split_sentences(article.text)
    starts = {s for s, _ in sentence_spans}
    ends = {e for _, e in sentence_spans}
    for i, chunk in enumerate(chunks):
        assert chunk.text == article.text[chunk.start : chunk.end]
        assert chunk.ordinal == i
        assert chunk.doc_id == article.doc_id
        assert chunk.chunk_id == f"{article.doc_id}:{article.content_hash[:10]}:{i:04d}"
        assert chunk.meta == {
            "title": article.title,
            "date": article.date,
            "author": article.author,
            "source_path": article.source_path,
        }
        inside = [(s, e) for s, e in sentence_spans if chunk.start <= s and e <= chunk.end]
        if len(inside) > 1:  # a lone sentence may exceed the limit; a tiny tail may add a quarter
            assert len(chunk.text) <= limit * 1.25
        # Chunks begin and end with sentences, except inside a sentence over twice the limit.
        for offset, boundaries in ((chunk.start, starts), (chunk.end, ends)):
            if offset not in boundaries:
                (sentence,) = [(s, e) for s, e in sentence_spans if s <= offset <= e]
                assert sentence[1] - sentence[0] > 2 * limit
                assert article.text[offset - 2 : offset] in ("; ", ", ") or article.text[offset - 1] in ";,"
    # Everything is covered, in order.
    assert chunks[0].start == sentence_spans[0][0] and chunks[-1].end == sentence_spans[-1][1]
    assert all(a.start < b.start for a, b in zip(chunks, chunks[1:]))


@pytest.mark.parametrize("limit", [200, 600, 1000])
@pytest.mark.parametrize("overlap", [0, 1, 2])
def test_seed_chunks_exact_and_bounded(limit: int, overlap: int) -> None:
    for article in _seed_articles():
        chunks = chunk_article(article, chunk_chars=limit, overlap_sentences=overlap)
        _check_chunks(article, chunks, limit)
        if overlap == 0:
            assert all(a.end < b.start for a, b in zip(chunks, chunks[1:]))


def test_paragraph_boundaries_respected() -> None:
    long_para_1 = " ".join(f"Câu thứ {i} của đoạn một nói về hội nghị." for i in range(8))
    long_para_2 = " ".join(f"Câu thứ {i} của đoạn hai nói về đảng viên." for i in range(8))
    text = f"Tiêu đề bài viết\n\n{long_para_1}\n\nQuang cảnh.\n\n{long_para_2}\n\nHà Vân"
    chunks = chunk_article(_article(text), chunk_chars=600)
    texts = [c.text for c in chunks]
    # The tiny heading joins the first paragraph, the tiny caption the next, the byline the last chunk.
    assert texts == [f"Tiêu đề bài viết\n\n{long_para_1}", f"Quang cảnh.\n\n{long_para_2}\n\nHà Vân"]


def test_no_chunk_crosses_between_large_paragraphs() -> None:
    para = " ".join(f"Câu số {i} về công tác xây dựng Đảng ở địa phương." for i in range(6))
    text = f"{para}\n\n{para.replace('Đảng', 'chính quyền')}"
    chunks = chunk_article(_article(text), chunk_chars=400)
    assert all("\n" not in c.text for c in chunks)
    _check_chunks(_article(text), chunks, 400)


def test_tiny_tail_sentence_joins_previous_chunk() -> None:
    long_sentence = "Trong 6 tháng đầu năm, " + ", ".join(f"nhiệm vụ {i} được thực hiện tốt" for i in range(21)) + "."
    text = f"{long_sentence} Kết nạp 2 đảng viên."
    assert 600 < len(long_sentence) < 700
    assert [c.text for c in chunk_article(_article(text))] == [text]


def test_long_sentence_is_its_own_chunk_and_very_long_one_is_cut() -> None:
    medium = "Đạt kết quả: " + "; ".join(f"chỉ tiêu {i} đạt yêu cầu đề ra" for i in range(25)) + "."
    assert 600 < len(medium) < 1200
    text = f"Câu mở đầu ngắn gọn nhưng đủ dài để không bị coi là đoạn nhỏ, vẫn là một câu trọn vẹn. {medium}"
    chunks = chunk_article(_article(text), chunk_chars=600)
    assert [c.text for c in chunks][-1] == medium

    huge = "Kết quả gồm: " + "; ".join(f"phường {i} hoàn thành, đạt chỉ tiêu, vượt kế hoạch" for i in range(40)) + "."
    assert len(huge) > 1200
    pieces = chunk_article(_article(huge), chunk_chars=600)
    assert len(pieces) > 1
    assert all(len(c.text) <= 600 for c in pieces)
    assert all(c.text.endswith(";") for c in pieces[:-1])
    assert "".join(c.text + " " for c in pieces).strip() == huge


def test_ids_stable_across_runs_and_change_with_content() -> None:
    article = _seed_articles()[0]
    first = [c.chunk_id for c in chunk_article(article)]
    again = [c.chunk_id for c in chunk_article(replace(article))]
    assert first == again
    assert len(set(first)) == len(first)
    changed = replace(article, content_hash="cd" * 32)
    assert [c.chunk_id for c in chunk_article(changed)][0] == f"{article.doc_id}:cdcdcdcdcd:0000"


def test_empty_article_has_no_chunks() -> None:
    assert chunk_article(_article("")) == []


def test_chunks_are_bounded_even_without_sentence_ends() -> None:
    # A scraped page flattened to one 2.9 MB line: no sentence end, no "; " or ", " to cut at.
    text = ("Phường Phước Tân tổng kết công tác xây dựng Đảng năm 2020 " * 50_000).strip()
    unbroken = "x" * 5000  # and a run with no space at all
    article = Article(doc_id="mot_dong", title="Một dòng", text=text + " " + unbroken, source_path="mot_dong.txt",
                      content_hash="0" * 64)
    chunks = chunk_article(article, chunk_chars=600)
    assert max(len(c.text) for c in chunks) <= 2 * 600
    assert all(article.text[c.start:c.end] == c.text for c in chunks)
    covered = sum(len(c.text) for c in chunks)
    assert covered >= len(article.text) - len(chunks)  # only the spaces between pieces are left out
