"""Lexical segments: scores equal one bm25s index over the same live rows, however the
index was grown (several segments, deletions, merges), and a sync tokenises only the
articles it adds or changes."""

from __future__ import annotations

import shutil
from pathlib import Path

import bm25s
import numpy as np
import pytest

from index import segment_batch
from index.builder import sync_index
from index.config import Settings
from index.generation import indexed_text
from index.lexical import FIELDS, field_tokens
from index.reader import IndexReader
from tests.conftest import SEED_DIR, write_generated_articles

QUERIES = [
    "Phường Phước Tân có bao nhiêu đảng viên?",
    "phuong phuoc tan co bao nhieu dang vien",
    "mã hồ sơ lưu trữ HS00007",
    "Tổng thu ngân sách nhà nước 6 tháng",
    "công tác xây dựng Đảng ở cơ sở của của",  # a repeated word counts twice, as in bm25s
    "từkhôngcótrongkho",
]


def bm25s_scores(reader: IndexReader, query: str, field: str) -> np.ndarray:
    """One plain bm25s index (lucene, k1=1.2, b=0.75) over the reader's live rows, in its row order."""
    corpus = [field_tokens(indexed_text(reader.rows[i]["title"], reader.rows[i]["text"]))[field]
              for i in range(len(reader.rows))]
    model = bm25s.BM25(k1=1.2, b=0.75, method="lucene")
    model.index(corpus, show_progress=False)
    tokens = [t for t in field_tokens(query)[field] if t in model.vocab_dict]
    return np.asarray(model.get_scores(tokens), dtype=np.float32) if tokens else np.zeros(len(corpus), np.float32)


def assert_same_as_bm25s(reader: IndexReader) -> None:
    for field in FIELDS:
        corpus = [set(field_tokens(indexed_text(reader.rows[i]["title"], reader.rows[i]["text"]))[field])
                  for i in range(len(reader.rows))]
        for token in {t for q in QUERIES for t in field_tokens(q)[field]}:
            df = sum(token in row for row in corpus)
            assert reader.lexical.document_frequency(token, field) == df, token
            assert reader.lexical.idf(token, field) == pytest.approx(np.log(1 + (len(corpus) - df + 0.5) / (df + 0.5)))
    for query in QUERIES:
        for field in FIELDS:
            ours = reader.lexical.scores(field_tokens(query)[field], field)
            theirs = bm25s_scores(reader, query, field)
            # Frequent terms' vectors are cached after the first question: the second answer is the same.
            np.testing.assert_array_equal(reader.lexical.scores(field_tokens(query)[field], field), ours)
            assert ours.shape == theirs.shape
            np.testing.assert_allclose(ours, theirs, rtol=2e-5, atol=1e-5, err_msg=f"{query!r} / {field}")
            if theirs.max() > 0:
                assert np.argmax(ours) == np.argmax(theirs)


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "articles"
    shutil.copytree(SEED_DIR, folder)
    write_generated_articles(folder, 40)
    return folder


def test_segments_with_deletions_score_like_one_bm25s_index(corpus: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(segment_batch, "SEGMENT_ROWS", 50)  # several segments from the first run
    settings = Settings(data_dir=tmp_path / "data")
    sync_index([corpus], settings, embed_spec="lexical")
    reader = IndexReader.open(settings)
    assert len(reader.manifest.segments) > 1
    assert_same_as_bm25s(reader)

    # Change two articles, remove one, add one: old rows become deletions in their segments.
    for name in ("gen_0003.txt", "gen_0017.txt"):
        path = corpus / name
        path.write_text(path.read_text(encoding="utf-8") + "\nBổ sung: đã kiểm tra lại số liệu.\n", encoding="utf-8")
    (corpus / "gen_0020.txt").unlink()
    write_generated_articles(tmp_path / "more", 45)
    shutil.copy(tmp_path / "more" / "gen_0044.txt", corpus / "gen_0044.txt")
    report = sync_index([corpus], settings, embed_spec="lexical")
    assert sorted(report.indexed) == ["gen_0003", "gen_0017", "gen_0044"]
    assert report.removed == ["gen_0020"]
    reader = IndexReader.open(settings)
    assert any(r["deleted"] for r in reader.manifest.segments)
    assert len(reader.rows) == sum(e.n_chunks for e in reader.manifest.articles.values())
    assert "gen_0020" not in set(reader.rows.doc_ids)
    assert_same_as_bm25s(reader)
    every_term_cached = IndexReader.open(settings)
    every_term_cached.lexical.dense_min_df = 1  # the cached whole-row path for every term
    assert_same_as_bm25s(every_term_cached)
    assert every_term_cached.lexical._dense
    # The row table agrees with itself: chunk ids derived from the segment match the stored rows.
    assert reader.rows.chunk_ids == [reader.rows[i]["chunk_id"] for i in range(len(reader.rows))]
    # From any of its rows, an article's rows are found within its segment (deletions before it included).
    doc_ids = reader.rows.doc_ids
    for row in range(0, len(reader.rows), 7):
        expected = [i for i, d in enumerate(doc_ids) if d == doc_ids[row]]
        assert list(reader.article_rows(doc_ids[row], row)) == expected


def test_merging_segments_keeps_the_scores(corpus: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(segment_batch, "SEGMENT_ROWS", 20)
    monkeypatch.setattr(segment_batch, "MERGE_FACTOR", 3)
    settings = Settings(data_dir=tmp_path / "data")
    sync_index([corpus], settings, embed_spec="lexical")
    reader = IndexReader.open(settings)
    names = {r["dir"] for r in reader.manifest.segments}
    merged = [n for n in names if Path(n).name.split("-")[-1].startswith("9")]
    # Three segments per merge, never all at once: a merge's memory does not grow with the archive.
    assert len(merged) >= 2, names
    assert max(r["rows"] for r in reader.manifest.segments) < len(reader.rows) // 2
    assert_same_as_bm25s(reader)
    assert {e.segment for e in reader.manifest.articles.values()} == names


def test_adding_articles_tokenises_only_those(corpus: Path, tmp_path: Path, monkeypatch) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    sync_index([corpus], settings, embed_spec="lexical")
    texts: list[str] = []
    real = field_tokens

    def counting(text: str):
        texts.append(text)
        return real(text)

    monkeypatch.setattr("index.lexical.field_tokens", counting)
    write_generated_articles(tmp_path / "more", 48)
    for n in (45, 46, 47):
        shutil.copy(tmp_path / "more" / f"gen_{n:04d}.txt", corpus)
    report = sync_index([corpus], settings, embed_spec="lexical")
    assert sorted(report.indexed) == ["gen_0045", "gen_0046", "gen_0047"]
    reader = IndexReader.open(settings)
    new_chunks = sum(reader.manifest.articles[d].n_chunks for d in report.indexed)
    assert len(texts) == new_chunks == report.chunks_tokenised
    assert all("HS0004" in t or "Bản tin tổng hợp số 4" in t for t in texts[:1])
    # Nothing changed: nothing is tokenised.
    texts.clear()
    sync_index([corpus], settings, embed_spec="lexical")
    assert texts == []
