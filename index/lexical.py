"""Lexical retrieval: BM25 over Vietnamese syllables and syllable bigrams, across segments.

Two fields are indexed: the accented match form and the diacritic-folded form,
so "phuong phuoc tan" finds "phường Phước Tân". The index is a list of immutable
segments (index/segment.py) minus deleted articles; scores use corpus-wide
statistics over the live rows (N, average length, document frequency), so a set
of segments scores exactly as one bm25s index (``method="lucene"``, k1=1.2,
b=0.75) over the same rows would — tests/index/test_lexical_segments.py checks
that against bm25s itself.
"""

from __future__ import annotations

from collections import Counter

import numpy as np

from index.segment import FIELDS, Segment, term_hash
from index.term_cache import TermCache
from index.textnorm import token_forms, with_bigrams

K1, B = 1.2, 0.75
DENSE_CACHE_BYTES = 512 * 2**20  # frequent terms' score vectors kept per open index


def field_tokens(text: str) -> dict[str, list[str]]:
    accented, folded = token_forms(text)
    return {"accented": with_bigrams(accented), "folded": with_bigrams(folded)}


class LexicalIndex:
    """Live rows of several segments, numbered segment after segment (deleted rows skipped)."""

    def __init__(self, segments: list[Segment], deleted: list[set[str]]):
        self.segments = segments
        self.deleted = deleted
        self.global_of: list[np.ndarray | None] = []  # local row → live row (-1 deleted); None = offset only
        self.offsets: list[int] = []
        self.live_local: list[np.ndarray | None] = []
        n = 0
        for segment, gone in zip(segments, deleted):
            self.offsets.append(n)
            gone_docs = [i for i, d in enumerate(segment.doc_ids) if d in gone] if gone else []
            if not gone_docs:
                self.global_of.append(None)
                self.live_local.append(None)
                n += segment.n_rows
                continue
            keep = np.ones(segment.n_rows, dtype=bool)
            for i in gone_docs:
                keep[segment.doc_rows[i]:segment.doc_rows[i + 1]] = False
            mapping = np.full(segment.n_rows, -1, dtype=np.int64)
            live = np.flatnonzero(keep)
            mapping[live] = np.arange(n, n + len(live))
            self.global_of.append(mapping)
            self.live_local.append(live)
            n += len(live)
        self.n_rows = n
        self._deleted_len = {f: self._deleted_length(f) for f in FIELDS}
        self.avg_len = {}
        for name in FIELDS:
            total = sum(s.total_len[name] for s in segments) - self._deleted_len[name]
            self.avg_len[name] = total / n if n else 1.0
        self._norm_cache: dict[tuple[int, str], np.ndarray] = {}
        self._df_cache: dict[tuple[str, str], int] = {}
        # Terms in at least this many rows get their whole-row contribution cached (see scores).
        self.dense_min_df = max(256, n // 32)
        self._dense = TermCache(DENSE_CACHE_BYTES)

    def _deleted_length(self, name: str) -> int:
        total = 0
        for segment, live in zip(self.segments, self.live_local):
            if live is not None:
                total += int(np.asarray(segment.postings[name].lengths, dtype=np.int64).sum()) - int(
                    np.asarray(segment.postings[name].lengths, dtype=np.int64)[live].sum())
        return total

    def doc_locations(self) -> dict[str, tuple[Segment, int]]:
        """Live article → (segment, index in it); an article changed since sits deleted in an older one."""
        found: dict[str, tuple[Segment, int]] = {}
        for segment, gone in zip(self.segments, self.deleted):
            for i, doc_id in enumerate(segment.doc_ids):
                if doc_id not in gone:
                    found[doc_id] = (segment, i)
        return found

    # --- where a live row lives
    def locate(self, row: int) -> tuple[Segment, int]:
        index = int(np.searchsorted(self.offsets, row, side="right")) - 1
        live = self.live_local[index]
        local = row - self.offsets[index]
        return self.segments[index], int(live[local]) if live is not None else local

    def live_column(self, column: str) -> np.ndarray:
        """A per-row column (starts, ends, dates) over live rows."""
        parts = []
        for segment, live in zip(self.segments, self.live_local):
            values = np.asarray(getattr(segment, column))
            parts.append(values if live is None else values[live])
        return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int32)

    # --- statistics and scores
    def document_frequency(self, token: str, field: str) -> int:
        """Live rows holding ``token`` (counted, never copied; remembered per open index)."""
        key = (field, token)
        df = self._df_cache.get(key)
        if df is None:
            df, hashed = 0, term_hash(token)
            for index, segment in enumerate(self.segments):
                postings = segment.postings[field]
                position = int(np.searchsorted(postings.terms, np.uint64(hashed)))
                if position >= len(postings.terms) or int(postings.terms[position]) != hashed:
                    continue
                start, end = int(postings.indptr[position]), int(postings.indptr[position + 1])
                mapping = self.global_of[index]
                df += end - start if mapping is None else int(np.count_nonzero(mapping[postings.rows[start:end]] >= 0))
            if len(self._df_cache) > 500_000:
                self._df_cache.clear()
            self._df_cache[key] = df
        return df

    def idf(self, token: str, field: str) -> float:
        df = self.document_frequency(token, field)
        return float(np.log(1.0 + (self.n_rows - df + 0.5) / (df + 0.5)))

    def _norm(self, index: int, name: str) -> np.ndarray:
        key = (index, name)
        if key not in self._norm_cache:
            lengths = np.asarray(self.segments[index].postings[name].lengths, dtype=np.float64)
            self._norm_cache[key] = K1 * ((1 - B) + B * lengths / self.avg_len[name])
        return self._norm_cache[key]

    def _postings_many(self, hashes: np.ndarray, name: str) -> list[list[tuple]]:
        """For each hash: [(segment index, local rows, tf, live rows)], one sorted lookup per segment."""
        found: list[list[tuple]] = [[] for _ in range(len(hashes))]
        for index, segment in enumerate(self.segments):
            postings = segment.postings[name]
            if len(postings.terms) == 0:
                continue
            positions = np.searchsorted(postings.terms, hashes)
            positions[positions >= len(postings.terms)] = 0
            hit = np.asarray(postings.terms[positions]) == hashes
            mapping = self.global_of[index]
            for q in np.flatnonzero(hit):
                position = int(positions[q])
                start, end = int(postings.indptr[position]), int(postings.indptr[position + 1])
                rows, tf = postings.rows[start:end], postings.tf[start:end]
                if mapping is None:
                    found[q].append((index, rows, tf, rows.astype(np.int64) + self.offsets[index]))
                else:
                    mapped = mapping[rows]
                    alive = mapped >= 0
                    found[q].append((index, rows[alive], tf[alive], mapped[alive]))
        return found

    def scores(self, query_tokens: list[str], field: str) -> np.ndarray:
        """BM25 score of every live row; tokens outside the vocabulary are ignored.
        A token repeated in the question counts as many times (as bm25s does).

        A frequent term's contribution over all rows is kept (bounded, per generation:
        index/term_cache.py): those few terms hold most of the postings a question touches, and recur
        in every question."""
        if self.n_rows == 0:
            return np.zeros(0, dtype=np.float32)
        counts = Counter(query_tokens)
        hashes = np.fromiter((term_hash(t) for t in counts), dtype=np.uint64, count=len(counts))
        out = np.zeros(self.n_rows, dtype=np.float32)
        missing = [i for i, h in enumerate(hashes) if (field, int(h)) not in self._dense]
        found = dict(zip(missing, self._postings_many(hashes[missing], field))) if missing else {}
        for i, (hashed, times) in enumerate(zip(hashes, counts.values())):
            cached = self._dense.get((field, int(hashed)))
            if cached is not None:
                out += cached if times == 1 else cached * np.float32(times)
                continue
            hits = found[i] if i in found else self._postings_many(hashes[i:i + 1], field)[0]  # evicted meanwhile
            df = sum(len(live) for _, _, _, live in hits)
            if df == 0:
                continue
            # bm25s keeps idf in float32 and computes the tf part in float64.
            idf = float(np.float32(np.log(1.0 + (self.n_rows - df + 0.5) / (df + 0.5))))
            if df >= self.dense_min_df:
                vector = self._term_vector(hits, idf, field)
                self._dense.put((field, int(hashed)), vector)
                out += vector if times == 1 else vector * np.float32(times)
                continue
            for index, local, tf, live in hits:  # a term's live rows are distinct: a plain indexed add
                tf = tf.astype(np.float64)
                out[live] += (idf * times * tf / (self._norm(index, field)[local] + tf)).astype(np.float32)
        return out

    def _term_vector(self, hits, idf: float, field: str) -> np.ndarray:
        vector = np.zeros(self.n_rows, dtype=np.float32)
        for index, local, tf, live in hits:
            tf = tf.astype(np.float64)
            vector[live] = idf * tf / (self._norm(index, field)[local] + tf)
        return vector
