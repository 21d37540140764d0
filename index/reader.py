"""Read side of the index: what the query-time code (``rag``) is allowed to see.

Opening is cheap (manifest, chunk table, bm25s arrays); the vector store and
the embedder open on first dense query, so the weightless path never imports
torch and a lexical-only caller never pays for Chroma.
"""

from __future__ import annotations

import threading
from functools import cached_property
from pathlib import Path

import numpy as np

from index.article_cache import read_cached
from index.config import Settings
from index.documents import Article
from index.errors import HoidapError, IndexMissingError
from index.generation import open_generation
from index.manifest import Manifest, read_manifest
from index.store import ChunkStore, date_int
from index.textnorm import fold


class IndexDamagedError(HoidapError):
    """The committed index names files that are missing or unreadable."""


class IndexReader:
    def __init__(self, settings: Settings, manifest: Manifest):
        self.settings = settings
        self.data_dir = Path(settings.data_dir)
        self.manifest = manifest
        try:
            self.lexical, self.rows = open_generation(self.data_dir, manifest.segments)
        except (OSError, ValueError, KeyError) as exc:
            raise IndexDamagedError(
                f"Chỉ mục trong {self.data_dir} bị hỏng ({exc.__class__.__name__}): hãy chạy 'hoidap check' rồi "
                "'hoidap index <thư mục bài viết>' để sửa (damaged index: hoidap index repairs it)."
            ) from exc
        self._articles: dict[str, Article] = {}
        self._folded: dict[str, str] = {}
        # Chroma's client and the embedder are opened on first use; concurrent first questions
        # (a web server) must not open them twice.
        self._open_lock = threading.Lock()

    @cached_property
    def _doc_number(self) -> dict[str, int]:
        return {doc_id: i for i, doc_id in enumerate(sorted(self.manifest.articles))}

    @cached_property
    def _doc_location(self) -> dict:
        return self.lexical.doc_locations()

    @cached_property
    def row_of(self) -> dict[str, int]:
        return {chunk_id: i for i, chunk_id in enumerate(self.rows.chunk_ids)}

    @cached_property
    def row_doc(self) -> np.ndarray:
        return np.array([self._doc_number[d] for d in self.rows.doc_ids], dtype=np.int32)

    @property
    def row_date(self) -> np.ndarray:
        return self.rows.date_ints

    @classmethod
    def open(cls, settings: Settings) -> "IndexReader":
        data_dir = Path(settings.data_dir)
        for attempt in range(5):
            manifest = read_manifest(data_dir)
            if manifest is None or not manifest.segments:
                raise IndexMissingError(
                    f"Chưa có chỉ mục trong {settings.data_dir}: hãy chạy 'hoidap index <thư mục bài viết>' trước "
                    "(no index yet: run 'hoidap index' first)."
                )
            try:
                return cls(settings, manifest)
            except IndexDamagedError:
                # Two commits by another process between reading the manifest and opening its
                # segments prune them: the newer manifest names segments that exist.
                latest = read_manifest(data_dir)
                if attempt == 4 or latest is None or latest.generation == manifest.generation:
                    raise
        raise AssertionError("unreachable")

    # --- articles
    @property
    def doc_ids(self) -> list[str]:
        return sorted(self.manifest.articles)

    def article(self, doc_id: str, row: int | None = None) -> Article:
        """``row``: one of the article's rows, when the caller has one (a passage): its segment then
        names the cache file, with no look-up over every article of the archive."""
        if doc_id not in self._articles:
            # The article's cache file is named in its segment: no need to read the whole catalog.
            location = self._row_location(doc_id, row) if row is not None else None
            location = location or self._doc_location.get(doc_id)
            cache_file = location[0].cache_files[location[1]] if location else self.manifest.articles[doc_id].cache_file
            try:
                self._articles[doc_id] = read_cached(self.data_dir / cache_file)[0]
            except (OSError, ValueError) as exc:  # pruned by two commits since this reader opened, or damaged
                raise IndexDamagedError(f"Không đọc được bài {doc_id} trong chỉ mục ({exc.__class__.__name__}); "
                                        "hãy hỏi lại (the index changed under this question: ask again).") from exc
        return self._articles[doc_id]

    def _row_location(self, doc_id: str, row: int):
        if not 0 <= row < len(self.rows):
            return None
        segment, local = self.lexical.locate(row)
        index = int(np.searchsorted(segment.doc_rows, local, side="right")) - 1
        return (segment, index) if 0 <= index < len(segment.doc_ids) and segment.doc_ids[index] == doc_id else None

    def article_rows(self, doc_id: str, row: int) -> range:
        """The live rows of the article that ``row`` belongs to (an article's rows are consecutive)."""
        location = self._row_location(doc_id, row)
        if location is None:
            return range(0)
        segment, index = location
        _, local = self.lexical.locate(row)
        first = row - (local - int(segment.doc_rows[index]))
        return range(first, first + int(segment.doc_rows[index + 1] - segment.doc_rows[index]))

    def folded_article(self, doc_id: str, row: int | None = None) -> str:
        """Title and text without diacritics, for "does this article name X?" checks; folded once."""
        if doc_id not in self._folded:
            article = self.article(doc_id, row)
            self._folded[doc_id] = fold(article.title + "\n" + article.text)
        return self._folded[doc_id]

    def row_mask(self, doc_ids: list[str] | None = None, date_from: str | None = None,
                 date_to: str | None = None) -> np.ndarray | None:
        """Rows allowed by the filters, or None when nothing is filtered."""
        if not doc_ids and not date_from and not date_to:
            return None
        mask = np.ones(len(self.rows), dtype=bool)
        if doc_ids:
            wanted = [self._doc_number[d] for d in doc_ids if d in self._doc_number]
            mask &= np.isin(self.row_doc, wanted)
        if date_from:
            mask &= self.row_date >= date_int(date_from)
        if date_to:
            mask &= (self.row_date <= date_int(date_to)) & (self.row_date > 0)
        return mask

    # --- dense side
    @property
    def embedder_name(self) -> str:
        return self.manifest.embedder["name"]

    @property
    def weightless(self) -> bool:
        return bool(self.manifest.embedder.get("weightless"))

    @cached_property
    def embedder(self):
        from index.embedders import embedder_from_name

        with self._open_lock:
            return embedder_from_name(self.embedder_name, self.settings, self.manifest.embedder.get("dimension"))

    @cached_property
    def store(self) -> ChunkStore:
        store = self.manifest.store
        with self._open_lock:
            # fresh: this manifest may have been committed by another process after this
            # one last loaded the embedded store.
            chunk_store = ChunkStore(self.data_dir, store["collection"], store.get("url"), fresh=True)
            chunk_store.collection()
            return chunk_store

    def dense_search(self, question: str, n: int, mask: np.ndarray | None = None) -> list[tuple[int, float]]:
        """(row, cosine) best first; hits the manifest does not name are dropped."""
        if not self.manifest.store.get("vectors", True):
            raise HoidapError(
                "chỉ mục này không lưu vectơ (bộ nhúng không trọng số, HOIDAP_DENSE_WEIGHT=0 khi lập chỉ mục); "
                "đặt HOIDAP_DENSE_WEIGHT>0 rồi chạy lại 'hoidap index' để có (this index stores no vectors)."
            )
        vector = self.embedder.embed_queries([question])[0]
        where = None
        if mask is not None:
            allowed = sorted({self.rows.doc_ids[i] for i in np.flatnonzero(mask)})
            if not allowed:
                return []
            where = {"doc_id": {"$in": allowed}}
        # Chroma may also hold chunks no committed manifest names (a writer is running, or
        # was killed): they can fill the first page, so widen it until n hits or no more.
        wanted = n * 2
        while True:
            found = self.store.query(vector, wanted, where)
            hits = []
            for chunk_id, score in found:
                row = self.row_of.get(chunk_id)
                if row is not None and (mask is None or mask[row]):
                    hits.append((row, score))
            if len(hits) >= n or len(found) < wanted:
                return hits[:n]
            wanted *= 4
