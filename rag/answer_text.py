"""Turn an extracted sentence into the result object: quote, [n] marker, offsets."""

from __future__ import annotations

from prompts import load_prompt
from rag.extractive import extract
from rag.question import QuestionAnalysis
from rag.refusal import should_refuse
from rag.result import AnswerResult, Citation, Span
from rag.retrieval import Passage


def citations_for(passages: list[Passage]) -> list[Citation]:
    return [
        Citation(n=i + 1, doc_id=p.doc_id, title=p.title, date=p.date, chunk_id=p.chunk_id, text=p.text,
                 start=p.start, end=p.end, score=round(p.score, 6))
        for i, p in enumerate(passages)
    ]


def span_in_article(passage: Passage, start: int, end: int) -> Span:
    return Span(start=passage.start + start, end=passage.start + end, text=passage.text[start:end])


def extractive_result(question: str, analysis: QuestionAnalysis, passages: list[Passage], idf,
                      threshold: float | None = None, article_folded=None) -> AnswerResult:
    citations = citations_for(passages)
    extracted = extract(analysis, passages, idf, article_folded)
    if extracted is None or should_refuse(extracted.support, threshold):
        return AnswerResult(question=question, answer=load_prompt("refusal"), abstained=True, mode="extractive",
                            citations=citations, confidence=round(extracted.support, 4) if extracted else 0.0)
    passage = passages[extracted.passage_index]
    citation = citations[extracted.passage_index]
    citation.cited = True
    citation.quote = span_in_article(passage, *extracted.quote)
    short = None
    if extracted.short is not None:
        citation.answer_span = span_in_article(passage, *extracted.short)
        short = citation.answer_span.text
    quote = passage.text[extracted.quote[0]:extracted.quote[1]].rstrip(" .")
    prefix = "…" if extracted.quote[0] > extracted.sentence.start else ""
    answer = f"{prefix}{quote} [{citation.n}]."
    return AnswerResult(question=question, answer=answer, short_answer=short, abstained=False, mode="extractive",
                        citations=citations, confidence=round(extracted.support, 4))
