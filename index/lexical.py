"""Lexical retrieval with bm25s over Vietnamese syllables and syllable bigrams.

Two fields are indexed: the accented match form and the diacritic-folded form,
so "phuong phuoc tan" finds "phường Phước Tân". Each field is a plain bm25s
folder; scoring is bm25s's, nothing hand-written.
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np

from index.textnorm import token_forms, with_bigrams

FIELDS = ("accented", "folded")


def field_tokens(text: str) -> dict[str, list[str]]:
    accented, folded = token_forms(text)
    return {"accented": with_bigrams(accented), "folded": with_bigrams(folded)}


def _quiet_bm25s() -> None:
    logging.getLogger("bm25s").setLevel(logging.ERROR)


class LexicalIndex:
    """One bm25s model per field, rows aligned with the generation's chunk list."""

    def __init__(self, models: dict, n_rows: int):
        self._models = models
        self.n_rows = n_rows

    @classmethod
    def build(cls, rows: list[dict[str, list[str]]], out_dir: Path) -> "LexicalIndex":
        import bm25s

        _quiet_bm25s()
        models = {}
        for name in FIELDS:
            model = bm25s.BM25(k1=1.2, b=0.75, method="lucene")
            if rows:
                model.index([row[name] for row in rows], show_progress=False)
                model.save(str(Path(out_dir) / name), show_progress=False)
            models[name] = model
        return cls(models, len(rows))

    @classmethod
    def load(cls, directory: Path, n_rows: int) -> "LexicalIndex":
        import bm25s

        _quiet_bm25s()
        models = {}
        for name in FIELDS:
            folder = Path(directory) / name
            # mmap: a cold `hoidap ask` touches only the columns of the question's words.
            models[name] = bm25s.BM25.load(str(folder), mmap=True, show_progress=False) if folder.exists() else None
        return cls(models, n_rows)

    def scores(self, query_tokens: list[str], field: str) -> np.ndarray:
        """BM25 score of every row; tokens outside the vocabulary are ignored."""
        model = self._models.get(field)
        if model is None or self.n_rows == 0:
            return np.zeros(self.n_rows, dtype=np.float32)
        known = [t for t in query_tokens if t in model.vocab_dict]
        if not known:
            return np.zeros(self.n_rows, dtype=np.float32)
        return np.asarray(model.get_scores(known), dtype=np.float32)

    def vocabulary(self, field: str) -> list[str]:
        """Every token of a field (syllables and pairs), for spelling correction."""
        model = self._models.get(field)
        return list(model.vocab_dict) if model is not None else []

    def document_frequency(self, token: str, field: str) -> int:
        # bm25s keeps one CSC column per vocabulary entry: its length is the df.
        model = self._models.get(field)
        if model is None or token not in model.vocab_dict:
            return 0
        column = model.vocab_dict[token]
        indptr = model.scores["indptr"]
        return int(indptr[column + 1] - indptr[column])

    def idf(self, token: str, field: str) -> float:
        df = self.document_frequency(token, field)
        return float(np.log(1.0 + (self.n_rows - df + 0.5) / (df + 0.5)))
