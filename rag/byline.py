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
        entry = reader.manifest.articles.get(passage.doc_id)
        if entry is None or not entry.author:
            continue
        text = reader.article(passage.doc_id).text
        if not all(e in reader.folded_article(passage.doc_id) for e in entities):
            continue
        start = text.rfind(entry.author)
        if start < 0:
            continue
        end = start + len(entry.author)
        rows = reader.rows
        row = next((i for i, doc_id in enumerate(rows.doc_ids)
                    if doc_id == passage.doc_id and rows.starts[i] <= start and end <= rows.ends[i]), None)
        if row is None:
            continue
        data = reader.rows[row]
        holder = Passage(row=row, chunk_id=data["chunk_id"], doc_id=data["doc_id"], title=data.get("title") or "",
                         date=data.get("date"), text=data["text"], start=data["start"], end=data["end"],
                         score=passage.score)
        others = [p for p in passages if p.chunk_id != holder.chunk_id]
        citations = citations_for([holder] + others)
        span = Span(start=start, end=end, text=entry.author)
        citations[0].cited = True
        citations[0].quote = span
        citations[0].answer_span = span
        answer = f"Bài “{entry.title}” do {entry.author} viết [1]."
        return AnswerResult(question=question, answer=answer, short_answer=entry.author, mode="extractive",
                            citations=citations, confidence=1.0)
    return None
