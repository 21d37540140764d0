"""The plain-BM25 baseline every report shows beside hoidap: bm25s over paragraphs.

Paragraphs are the articles' blank-line separated blocks (title included as the
first one), tokens are NFC-lowercased syllables and numbers — no bigrams, no
diacritic folding, no question-word removal, no title weighting. It answers one
question: does everything hoidap adds on top of BM25 earn its place on these
questions? It is scored with the same ``doc_hit`` / ``evidence_hit`` / ``mrr``
definitions as hoidap's retrieval (eval/harness.py).
"""

from __future__ import annotations

import re
import unicodedata

import numpy as np

_TOKEN = re.compile(r"\w+", re.UNICODE)
_PARAGRAPH = re.compile(r"\n\s*\n")


def plain_tokens(text: str) -> list[str]:
    return _TOKEN.findall(unicodedata.normalize("NFC", text).lower())


class PlainBM25:
    """bm25s (lucene, k1=1.2, b=0.75) over the paragraphs of the given articles."""

    def __init__(self, articles: dict[str, str]):
        import bm25s

        self.paragraphs: list[tuple[str, str]] = []
        for doc_id in sorted(articles):
            for block in _PARAGRAPH.split(articles[doc_id]):
                if block.strip():
                    self.paragraphs.append((doc_id, block.strip()))
        self.model = bm25s.BM25(k1=1.2, b=0.75, method="lucene")
        self.model.index([plain_tokens(text) for _, text in self.paragraphs], show_progress=False)

    @classmethod
    def from_reader(cls, reader) -> "PlainBM25":
        """The baseline over the same articles an index holds (their cleaned display text)."""
        articles = {}
        for doc_id in reader.doc_ids:
            article = reader.article(doc_id)
            articles[doc_id] = f"{article.title}\n\n{article.text}" if article.title else article.text
        return cls(articles)

    def search(self, question: str, k: int = 10) -> list[dict]:
        known = [t for t in plain_tokens(question) if t in self.model.vocab_dict]
        if not known or not self.paragraphs:
            return []
        scores = np.asarray(self.model.get_scores(known))
        order = [i for i in np.argsort(-scores, kind="stable")[:k] if scores[i] > 0]
        return [{"doc_id": self.paragraphs[i][0], "text": self.paragraphs[i][1]} for i in order]
