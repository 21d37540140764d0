"""sync_index end to end on real files: real Chroma (embedded), real bm25s, no mocks.

Each test builds its own index from a private copy of seeds/ in tmp_path.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from index.builder import collection_prefix, sync_index
from index.config import Settings
from index.errors import HoidapError, IndexMismatchError
from index.lexical import field_tokens
from index.manifest import read_manifest
from index.reader import IndexReader
from index.store import ChunkStore

SEED_000 = "000_550aa94c2a6765eb"
SEED_003 = "003_62df8ad3059c1ffa"
SEED_004 = "004_90a849cf94e29e94"

NEW_ARTICLE = """Hợp tác xã Bình Minh thu hoạch thanh long ruột đỏ

15/08/2022

Sáng 15-8, Hợp tác xã Bình Minh tổ chức ngày hội thu hoạch thanh long ruột đỏ trên cánh đồng mẫu lớn.

Năm nay hợp tác xã thu hoạch được 4.321 tấn thanh long ruột đỏ, tăng gần gấp đôi so với năm trước.

Thanh long của hợp tác xã được xuất khẩu sang nhiều thị trường trong khu vực.

Minh Châu
"""
# Added to seed 003 as a new paragraph before its author line.
NEW_FACT = "Cũng tại hội nghị, Huyện ủy công bố toàn huyện đã trồng 7.531 cây sao đen dọc các tuyến đường liên xã."
SEED_003_AUTHOR = "Thu Nghĩa – Trung tâm VHTT&TT huyện"


def settings_for(tmp_path: Path, **overrides) -> Settings:
    # A dense weight > 0 makes the weightless embedder's vectors wanted, so these tests keep
    # checking the vector side (the default stores none: test_weightless_default_stores_no_vectors).
    return Settings(data_dir=tmp_path / "data", **{"dense_weight": 1.0, **overrides})


def lexical_top(reader: IndexReader, query: str, field: str = "accented") -> dict:
    scores = reader.lexical.scores(field_tokens(query)[field], field)
    assert scores.shape == (len(reader.rows),)
    assert float(scores.max()) > 0, f"no lexical hit for {query!r} in field {field}"
    return reader.rows[int(np.argmax(scores))]


def chroma_ids(reader: IndexReader) -> set[str]:
    return reader.store.all_ids()


def row_ids(reader: IndexReader) -> set[str]:
    return {row["chunk_id"] for row in reader.rows}


def collections_of(settings: Settings) -> list[str]:
    names = ChunkStore(Path(settings.data_dir), "hoidap-probe", settings.chroma_url).collection_names()
    return sorted(n for n in names if n.startswith(collection_prefix(Path(settings.data_dir))))


def test_first_index_of_the_seeds(seed_copy: Path, tmp_path: Path) -> None:
    settings = settings_for(tmp_path)
    report = sync_index([seed_copy], settings, embed_spec="lexical")

    assert report.counts() == {"indexed": 5, "skipped": 0, "unchanged": 0, "removed": 0}
    assert report.chunks_embedded > 0
    assert report.embedder["weightless"] is True

    reader = IndexReader.open(settings)
    assert len(reader.doc_ids) == 5
    assert sorted(p.stem for p in seed_copy.glob("*.txt")) == reader.doc_ids
    assert len(reader.rows) == report.chunks_embedded
    for row in reader.rows:
        article = reader.article(row["doc_id"])
        assert article.text[row["start"] : row["end"]] == row["text"], row["chunk_id"]
    assert {e.n_chunks for e in reader.manifest.articles.values()} and sum(
        e.n_chunks for e in reader.manifest.articles.values()
    ) == len(reader.rows)
    # Every committed chunk is in Chroma, and Chroma holds nothing else.
    assert chroma_ids(reader) == row_ids(reader)

    hit = lexical_top(reader, "553 đảng viên")
    assert hit["doc_id"] == SEED_000
    assert "553 đảng viên" in hit["text"]
    folded = lexical_top(reader, "phuong phuoc tan", field="folded")
    assert folded["doc_id"] == SEED_000
    assert not (Path(settings.data_dir) / ".in-progress").exists()


def test_rerun_on_unchanged_folder_does_no_work(seed_copy: Path, tmp_path: Path) -> None:
    settings = settings_for(tmp_path)
    sync_index([seed_copy], settings, embed_spec="lexical")
    data = Path(settings.data_dir)
    before = read_manifest(data)
    manifest_bytes = (data / "manifest.json").read_bytes()

    report = sync_index([seed_copy], settings, embed_spec="lexical")

    assert report.counts() == {"indexed": 0, "skipped": 0, "unchanged": 5, "removed": 0}
    assert report.chunks_embedded == 0
    after = read_manifest(data)
    assert after.generation == before.generation
    assert after.segments == before.segments
    assert (data / "manifest.json").read_bytes() == manifest_bytes  # not even rewritten
    # "auto" on an existing index means "whatever it was built with": also no work.
    assert sync_index([seed_copy], settings, embed_spec="auto").counts()["unchanged"] == 5


def test_add_modify_delete(seed_copy: Path, tmp_path: Path) -> None:
    settings = settings_for(tmp_path)
    sync_index([seed_copy], settings, embed_spec="lexical")
    before = IndexReader.open(settings)
    old_003 = {cid for cid in row_ids(before) if cid.startswith(f"{SEED_003}:")}
    old_004 = {cid for cid in row_ids(before) if cid.startswith(f"{SEED_004}:")}
    assert old_003 and old_004

    (seed_copy / "005_thanh_long.txt").write_text(NEW_ARTICLE, encoding="utf-8")
    path_003 = seed_copy / f"{SEED_003}.txt"
    text_003 = path_003.read_text(encoding="utf-8")
    assert text_003.count(SEED_003_AUTHOR) == 1
    path_003.write_text(text_003.replace(SEED_003_AUTHOR, f"{NEW_FACT}\n\n{SEED_003_AUTHOR}"), encoding="utf-8")
    (seed_copy / f"{SEED_004}.txt").unlink()

    report = sync_index([seed_copy], settings, embed_spec="lexical")

    assert report.counts() == {"indexed": 2, "skipped": 0, "unchanged": 3, "removed": 1}
    assert sorted(report.indexed) == sorted(["005_thanh_long", SEED_003])
    assert report.removed == [SEED_004]

    reader = IndexReader.open(settings)
    assert reader.doc_ids == sorted([*(set(before.doc_ids) - {SEED_004}), "005_thanh_long"])
    assert NEW_FACT in reader.article(SEED_003).text

    # The new fact and the new article: lexical and dense.
    hit = lexical_top(reader, "7.531 cây sao đen")
    assert hit["doc_id"] == SEED_003 and "7.531 cây sao đen" in hit["text"]
    hit = lexical_top(reader, "thanh long ruột đỏ 4.321 tấn")
    assert hit["doc_id"] == "005_thanh_long" and "4.321 tấn" in hit["text"]
    dense = reader.dense_search("huyện đã trồng bao nhiêu cây sao đen", 3)
    assert dense and reader.rows[dense[0][0]]["doc_id"] == SEED_003
    assert "7.531" in reader.rows[dense[0][0]]["text"]
    dense = reader.dense_search("Hợp tác xã Bình Minh thu hoạch bao nhiêu tấn thanh long", 3)
    assert dense and reader.rows[dense[0][0]]["doc_id"] == "005_thanh_long"

    # Deleted and superseded chunks are gone from Chroma and from the rows.
    ids = chroma_ids(reader)
    assert ids == row_ids(reader)
    assert not ids & old_004
    assert not ids & old_003
    assert not any(row["doc_id"] == SEED_004 for row in reader.rows)
    new_003 = {cid for cid in ids if cid.startswith(f"{SEED_003}:")}
    assert new_003 and all(cid.startswith(reader.manifest.chunk_id_prefix(SEED_003)) for cid in new_003)
    # The untouched seed still answers.
    assert lexical_top(reader, "553 đảng viên")["doc_id"] == SEED_000
    # Only the article caches the current and previous manifests name are kept.
    cache_files = {p.name for p in (Path(settings.data_dir) / "articles").iterdir()}
    wanted = {Path(e.cache_file).name for m in (reader.manifest, before.manifest) for e in m.articles.values()}
    assert cache_files == wanted


def test_unreadable_files_are_skipped_with_a_reason(seed_copy: Path, tmp_path: Path) -> None:
    (seed_copy / "empty.txt").write_bytes(b"")
    (seed_copy / "blob.txt").write_bytes(bytes(range(256)) * 40)
    (seed_copy / "broken.pdf").write_bytes(b"%PDF-1.4\n" + bytes(range(256)) * 8)
    settings = settings_for(tmp_path)

    report = sync_index([seed_copy], settings, embed_spec="lexical")

    assert report.counts() == {"indexed": 5, "skipped": 3, "unchanged": 0, "removed": 0}
    reasons = {Path(s.source_path).name: s.reason for s in report.skipped}
    assert set(reasons) == {"empty.txt", "blob.txt", "broken.pdf"}
    assert all(reason.strip() for reason in reasons.values())
    assert "rỗng" in reasons["empty.txt"]
    assert "nhị phân" in reasons["blob.txt"]
    reader = IndexReader.open(settings)
    assert len(reader.doc_ids) == 5
    assert lexical_top(reader, "553 đảng viên")["doc_id"] == SEED_000

    # A file that was indexed and turns unreadable keeps its previous version.
    (seed_copy / f"{SEED_000}.txt").write_bytes(b"")
    report = sync_index([seed_copy], settings, embed_spec="lexical")
    assert report.counts() == {"indexed": 0, "skipped": 4, "unchanged": 4, "removed": 0}
    reader = IndexReader.open(settings)
    assert SEED_000 in reader.doc_ids
    assert lexical_top(reader, "553 đảng viên")["doc_id"] == SEED_000
    assert chroma_ids(reader) == row_ids(reader)


def test_embedder_mismatch_needs_rebuild(seed_copy: Path, tmp_path: Path, tiny_st_model: Path) -> None:
    settings = settings_for(tmp_path)
    sync_index([seed_copy], settings, embed_spec="lexical")
    data = Path(settings.data_dir)
    lexical_manifest = (data / "manifest.json").read_bytes()
    lexical_collection = read_manifest(data).store["collection"]

    with pytest.raises(IndexMismatchError) as caught:
        sync_index([seed_copy], settings, embed_spec=str(tiny_st_model))
    assert "--rebuild" in str(caught.value)
    assert "lexical-hash" in str(caught.value)
    # The refused run changed nothing.
    assert (data / "manifest.json").read_bytes() == lexical_manifest
    assert not (data / ".in-progress").exists()
    assert lexical_top(IndexReader.open(settings), "553 đảng viên")["doc_id"] == SEED_000

    report = sync_index([seed_copy], settings, embed_spec=str(tiny_st_model), rebuild=True)

    assert report.counts() == {"indexed": 5, "skipped": 0, "unchanged": 0, "removed": 0}
    manifest = read_manifest(data)
    assert manifest.embedder == {
        "name": f"st:{tiny_st_model.resolve()}",
        "dimension": 32,
        "kind": "sentence-transformers",
        "weightless": False,
    }
    reader = IndexReader.open(settings)
    assert chroma_ids(reader) == row_ids(reader)
    hits = reader.dense_search("Đảng bộ phường Phước Tân có bao nhiêu đảng viên", 5)
    assert len(hits) == 5 and all(0 <= row < len(reader.rows) for row, _ in hits)
    # The lexical index's vectors were dropped with its collection.
    assert collections_of(settings) == [manifest.store["collection"]]
    assert manifest.store["collection"] != lexical_collection

    # Re-running with the same --embed-model (a path, recorded as "st:<path>") is no work.
    again = sync_index([seed_copy], settings, embed_spec=str(tiny_st_model))
    assert again.counts() == {"indexed": 0, "skipped": 0, "unchanged": 5, "removed": 0}
    assert again.chunks_embedded == 0
    # And asking for the weightless embedder now is the mismatch.
    with pytest.raises(IndexMismatchError, match="--rebuild"):
        sync_index([seed_copy], settings, embed_spec="lexical")


def test_interrupted_first_build_then_other_embedder(seed_copy: Path, tmp_path: Path, tiny_st_model: Path,
                                                     monkeypatch) -> None:
    """A first build killed mid-embedding leaves vectors behind; a build with another
    embedder must not reuse them (or fail on their dimension)."""
    from index import segment_batch
    from index.progress import NullProgress

    class InterruptWhileEmbedding(NullProgress):
        files = 0

        def advance(self, n: int) -> None:
            self.files += n
            if self.files == 3:  # two articles read, their vectors stored (one write per article)
                raise KeyboardInterrupt

    monkeypatch.setattr(segment_batch, "EMBED_BATCH", 1)
    settings = settings_for(tmp_path, embed_batch_size=1)
    with pytest.raises(KeyboardInterrupt):
        sync_index([seed_copy], settings, embed_spec="lexical", progress=InterruptWhileEmbedding())
    assert read_manifest(Path(settings.data_dir)) is None
    assert len(collections_of(settings)) == 1  # a partial, uncommitted collection

    report = sync_index([seed_copy], settings, embed_spec=str(tiny_st_model))

    assert report.counts()["indexed"] == 5
    reader = IndexReader.open(settings)
    assert report.chunks_embedded == len(reader.rows)  # nothing reused from the lexical run
    assert chroma_ids(reader) == row_ids(reader)
    assert collections_of(settings) == [reader.manifest.store["collection"]]
    assert reader.dense_search("Phước Tân", 3)


def test_chunk_size_change_rechunks_everything(seed_copy: Path, tmp_path: Path) -> None:
    settings = settings_for(tmp_path)
    sync_index([seed_copy], settings, embed_spec="lexical")
    old_ids = row_ids(IndexReader.open(settings))

    smaller = settings_for(tmp_path, chunk_chars=300)
    report = sync_index([seed_copy], smaller, embed_spec="lexical")

    assert report.counts() == {"indexed": 5, "skipped": 0, "unchanged": 0, "removed": 0}
    reader = IndexReader.open(smaller)
    assert reader.manifest.chunker["chunk_chars"] == 300
    assert len(reader.rows) > len(old_ids)
    ids = chroma_ids(reader)
    assert ids == row_ids(reader)
    assert not ids & old_ids  # no stale chunk id survives
    for row in reader.rows:
        assert reader.article(row["doc_id"]).text[row["start"] : row["end"]] == row["text"]
    assert lexical_top(reader, "553 đảng viên")["doc_id"] == SEED_000


def test_weightless_default_stores_no_vectors(seed_copy: Path, tmp_path: Path) -> None:
    """Nothing queries the weightless vectors by default (dense weight 0), so none are written;
    asking for them later (a dense weight > 0) stores them for every article."""
    settings = Settings(data_dir=tmp_path / "data")
    report = sync_index([seed_copy], settings, embed_spec="lexical")
    assert report.chunks_embedded == 0
    assert not (Path(settings.data_dir) / "chroma").exists()
    reader = IndexReader.open(settings)
    assert reader.manifest.store["vectors"] is False
    assert lexical_top(reader, "553 đảng viên")["doc_id"] == SEED_000
    with pytest.raises(HoidapError, match="không lưu vectơ"):
        reader.dense_search("Phước Tân", 3)

    weighted = settings.model_copy(update={"dense_weight": 0.5})
    report = sync_index([seed_copy], weighted, embed_spec="lexical")
    reader = IndexReader.open(weighted)
    assert reader.manifest.store["vectors"] is True
    assert report.chunks_embedded == len(reader.rows) and chroma_ids(reader) == row_ids(reader)
    hits = reader.dense_search("Phường Phước Tân có 553 đảng viên sinh hoạt tại 22 chi bộ", 3)
    assert hits and reader.rows[hits[0][0]]["doc_id"] == SEED_000
