"""Hybrid retrieval: bm25s (accented or folded field) and Chroma, fused by reciprocal rank.

The folded field carries questions typed without accents; for accented
questions it is added at a lower weight so a wrong tone mark in the question
still finds its passage. Words typed without marks are also searched in the
accented field as the archive writes them (rag/accents.py). Word pairs (bigrams) are scored as their own
query against the same field, so their weight is a choice made at query time:
both weights come from the shipped answerer model, chosen by cross-validation
(``hoidap train``), not by hand.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from index.errors import HoidapError
from index.reader import IndexReader
from rag.question import QuestionAnalysis, analyse

# restored_weight: words typed without marks are also searched in the accented field as the archive writes
# them (rag/accents.py), counted this much — chosen leave-one-set-out on the development sets' questions asked
# unaccented (docs/retrieval.md); the model's own weights say nothing of it.
DEFAULT_WEIGHTS = {"folded_weight": 0.5, "bigram_weight": 0.5, "restored_weight": 1.0}


@dataclass
class Filters:
    doc_ids: list[str] | None = None
    date_from: str | None = None  # ISO
    date_to: str | None = None


@dataclass
class Passage:
    row: int
    chunk_id: str
    doc_id: str
    title: str
    date: str | None
    text: str
    start: int
    end: int
    score: float
    lexical_score: float = 0.0
    dense_score: float | None = None
    ranks: dict = field(default_factory=dict)


class HybridRetriever:
    def __init__(self, reader: IndexReader, *, candidates: int = 30, rrf_k: int = 60,
                 dense_weight: float | None = None, reranker=None, weights: dict | None = None):
        self.reader = reader
        self.weights = {**DEFAULT_WEIGHTS, **(weights or {})}
        self.candidates = candidates
        self.rrf_k = rrf_k
        # The weightless embedder's vectors are a second, noisier lexical view: measured on both gold
        # sets and at 5,000 articles, giving them any weight lowered retrieval (docs/retrieval.md),
        # so by default only a real model's vectors take part in the fusion.
        self.dense_weight = dense_weight if dense_weight is not None else (0.0 if reader.weightless else 1.0)
        self.reranker = reranker
        self.warnings: list[str] = []

    def lexical_scores(self, analysis: QuestionAnalysis) -> np.ndarray:
        return combine_fields(field_scores(self.reader.lexical, analysis), self.weights)

    def retrieve(self, question: str | QuestionAnalysis, k: int = 5, filters: Filters | None = None,
                 warnings: list[str] | None = None) -> list[Passage]:
        """Top-k passages; problems that did not stop retrieval go to ``warnings`` (per call,
        so concurrent questions do not see each other's)."""
        warnings = self.warnings if warnings is None else warnings
        analysis = question if isinstance(question, QuestionAnalysis) else analyse(question)
        filters = filters or Filters()
        mask = self.reader.row_mask(filters.doc_ids, filters.date_from, filters.date_to)
        lexical = self.lexical_scores(analysis)
        if mask is not None:
            lexical = np.where(mask, lexical, 0.0)
        top = _top_rows(lexical, self.candidates)
        fused: dict[int, float] = {}
        ranks: dict[int, dict] = {}
        for rank, row in enumerate(top):
            fused[row] = fused.get(row, 0.0) + 1.0 / (self.rrf_k + rank + 1)
            ranks.setdefault(row, {})["lexical"] = rank + 1
        dense_scores: dict[int, float] = {}
        if self.dense_weight > 0:
            try:
                for rank, (row, score) in enumerate(self.reader.dense_search(analysis.text, self.candidates, mask)):
                    fused[row] = fused.get(row, 0.0) + self.dense_weight / (self.rrf_k + rank + 1)
                    ranks.setdefault(row, {})["dense"] = rank + 1
                    dense_scores[row] = score
            except HoidapError as exc:
                warnings.append(f"Chỉ dùng tìm kiếm từ khoá: {exc}")
        ordered = sorted(fused, key=lambda r: (-fused[r], r))
        passages = [self._passage(r, fused[r], float(lexical[r]), dense_scores.get(r), ranks[r]) for r in ordered]
        if self.reranker is not None and passages:
            try:
                passages = self.reranker.rerank(analysis.text, passages[: max(k * 3, 20)])
            except HoidapError as exc:
                warnings.append(str(exc))
                self.reranker = None  # say it once; retrieval goes on without it
        return passages[:k]

    def _passage(self, row: int, score: float, lexical: float, dense: float | None, ranks: dict) -> Passage:
        data = self.reader.rows[row]
        return Passage(
            row=row, chunk_id=data["chunk_id"], doc_id=data["doc_id"], title=data.get("title") or "",
            date=data.get("date"), text=data["text"], start=data["start"], end=data["end"],
            score=score, lexical_score=lexical, dense_score=dense, ranks=ranks,
        )


def field_scores(lexical, analysis: QuestionAnalysis) -> dict[str, np.ndarray]:
    """BM25 of the question's syllables and of its syllable pairs, in each field it can match."""
    parts = {}
    fields = ("accented", "folded") if analysis.accented else ("folded",)
    views = [(name, name, analysis.terms(name)) for name in fields]
    if analysis.restored:
        views.append(("restored", "accented", analysis.restored))
    for name, field_name, terms in views:
        parts[f"{name}_unigram"] = lexical.scores([t for t in terms if "_" not in t], field_name)
        parts[f"{name}_bigram"] = lexical.scores([t for t in terms if "_" in t], field_name)
    return parts


def combine_fields(parts: dict[str, np.ndarray], weights: dict) -> np.ndarray:
    """Accented question: accented + folded_weight × folded; unaccented: folded. Either way, words typed
    without marks add restored_weight × their restored reading in the accented field (for an accented
    question only the terms it adds). In each field the pairs count bigram_weight times a syllable."""
    def field(name: str) -> np.ndarray:
        return parts[f"{name}_unigram"] + weights["bigram_weight"] * parts[f"{name}_bigram"]

    typed = (field("accented") + weights["folded_weight"] * field("folded") if "accented_unigram" in parts
             else field("folded"))
    if "restored_unigram" not in parts:
        return typed
    return typed + weights.get("restored_weight", DEFAULT_WEIGHTS["restored_weight"]) * field("restored")


def _top_rows(scores: np.ndarray, n: int) -> list[int]:
    """The n best rows with a positive score, best first (ties: the earlier row). One selection over
    the scores (np.partition on one copy), no list of every positive row: in a large archive nearly
    every row shares a common word."""
    if n <= 0 or scores.size == 0:
        return []
    if scores.size > n:
        nth_best = float(np.partition(scores, scores.size - n)[scores.size - n])
        candidates = np.flatnonzero(scores >= nth_best) if nth_best > 0 else np.flatnonzero(scores > 0)
    else:
        candidates = np.flatnonzero(scores > 0)
    return sorted(candidates.tolist(), key=lambda r: (-scores[r], r))[:n]
