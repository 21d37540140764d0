"""Optional cross-encoder reranking (sentence-transformers ``CrossEncoder``, by name or path).

Used only when configured (``HOIDAP_RERANKER``) and loadable; a model that cannot be
loaded now (offline and not cached, broken folder) leaves retrieval as it was and
says so once, instead of failing the question.
"""

from __future__ import annotations

from dataclasses import replace

from index.embed_st import model_is_available
from index.errors import HoidapError


class CrossEncoderReranker:
    def __init__(self, model: str, batch_size: int = 16):
        self.model_name = model
        self.batch_size = batch_size
        self._model = None

    def load(self):
        if self._model is None:
            usable, reason = model_is_available(self.model_name)
            if not usable:
                raise HoidapError(f"Không dùng được mô hình xếp hạng lại '{self.model_name}': {reason}")
            try:
                from sentence_transformers import CrossEncoder

                self._model = CrossEncoder(self.model_name, device="cpu")
            except Exception as exc:  # any loading failure is one sentence for the user
                raise HoidapError(f"Không nạp được mô hình xếp hạng lại '{self.model_name}': {exc}") from exc
        return self._model

    def rerank(self, question: str, passages: list) -> list:
        """Passages ordered by the cross-encoder's score (stored in ``score``)."""
        if not passages:
            return passages
        scores = self.load().predict([(question, p.text) for p in passages], batch_size=self.batch_size,
                                     show_progress_bar=False)
        scored = [replace(p, score=float(s), ranks={**p.ranks, "rerank_input": i + 1})
                  for i, (p, s) in enumerate(zip(passages, scores))]
        return sorted(scored, key=lambda p: -p.score)


def load_reranker(model: str) -> CrossEncoderReranker:
    return CrossEncoderReranker(model)
