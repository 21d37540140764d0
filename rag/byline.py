"""Who wrote an article: answered from the byline the index recorded, cited where it stands."""

from __future__ import annotations

import re

from index.textnorm import fold
from rag.answer_text import citations_for
from rag.result import AnswerResult, Span
from rag.retrieval import Passage

_AUTHOR_QUESTION = re.compile(r"\b(tac gia|ai viet|do ai viet|nguoi viet|ky ten|but danh|phong vien nao|ai la nguoi viet)\b")


def is_author_question(question: str) -> bool:
    return bool(_AUTHOR_QUESTION.search(fold(question)))


def answer_author(question: str, passages: list[Passage], reader) -> AnswerResult | None:
    """The byline of the best-ranked article that has one, citing the passage that holds it.
    The article must name everything the question names ("bài về phường Trần Phú")."""
    from rag.entities import question_entities

    entities = [fold(e) for e in question_entities(question)]
    for passage in passages:
        # The article's own cache holds its byline: no need for the catalog of every article.
        article = reader.article(passage.doc_id, passage.row)
        if not article.author:
            continue
        if not all(e in reader.folded_article(passage.doc_id, passage.row) for e in entities):
            continue
        start = article.text.rfind(article.author)
        if start < 0:
            continue
        end = start + len(article.author)
        found = _row_holding(reader, passage, start, end)
        if found is None:
            continue
        row, data = found
        holder = Passage(row=row, chunk_id=data["chunk_id"], doc_id=data["doc_id"], title=data.get("title") or "",
                         date=data.get("date"), text=data["text"], start=data["start"], end=data["end"],
                         score=passage.score)
        others = [p for p in passages if p.chunk_id != holder.chunk_id]
        citations = citations_for([holder] + others)
        span = Span(start=start, end=end, text=article.author)
        citations[0].cited = True
        citations[0].quote = span
        citations[0].answer_span = span
        answer = f"Bài “{article.title}” do {article.author} viết [1]."
        return AnswerResult(question=question, answer=answer, short_answer=article.author, mode="extractive",
                            citations=citations, confidence=1.0)
    return None


def _row_holding(reader, passage: Passage, start: int, end: int) -> tuple[int, dict] | None:
    """The row of the passage's article whose text holds [start, end): only that article's rows are read."""
    for row in reader.article_rows(passage.doc_id, passage.row):
        data = reader.rows[row]
        if data["start"] <= start and end <= data["end"]:
            return row, data
    return None
