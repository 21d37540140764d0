"""Turn the answerer's decision into the result object: quote, [n] marker, offsets, or a refusal."""

from __future__ import annotations

from prompts import load_prompt
from rag.extractive import Decision
from rag.result import AnswerResult, Citation, Span
from rag.retrieval import Filters, Passage


def citations_for(passages: list[Passage]) -> list[Citation]:
    return [
        Citation(n=i + 1, doc_id=p.doc_id, title=p.title, date=p.date, chunk_id=p.chunk_id, text=p.text,
                 start=p.start, end=p.end, score=round(p.score, 6))
        for i, p in enumerate(passages)
    ]


def span_in_article(passage: Passage, start: int, end: int) -> Span:
    return Span(start=passage.start + start, end=passage.start + end, text=passage.text[start:end])


def refusal_text(reason: str, filters: Filters | None) -> str:
    """The refusal sentence for its case, saying when filters narrowed the search."""
    text = load_prompt("refusal_no_match" if reason == "no_match" else "refusal_no_answer")
    if filters is not None and (filters.doc_ids or filters.date_from or filters.date_to):
        text += " " + load_prompt("refusal_filters")
    return text


def extractive_result(question: str, passages: list[Passage], decision: Decision, threshold: float,
                      filters: Filters | None = None, rival_threshold: float | None = None) -> AnswerResult:
    """``rival_threshold``: the calibrated bar another article's answer must pass to be reported as a
    disagreement (the model's own, even when ``threshold`` is overridden)."""
    citations = citations_for(passages)
    confidence = round(decision.probability, 4)
    if not decision.passes(threshold):
        reason = "no_answer" if passages and decision.related else "no_match"
        return AnswerResult(question=question, answer=refusal_text(reason, filters), abstained=True,
                            mode="extractive", citations=citations, confidence=confidence, refusal_reason=reason)
    answer, short = _cite(passages, citations, decision)
    rival = decision.rival
    if rival is not None and rival.probability >= (threshold if rival_threshold is None else rival_threshold):
        # Two articles answer with different values: say so and cite both, pick neither.
        other, _ = _cite(passages, citations, rival)
        answer, short = f"{load_prompt('disagreement').strip()} {answer} {other}", None
    elif decision.second is not None:
        answer += " " + _cite_second(passages, citations, decision.second)
    return AnswerResult(question=question, answer=answer, short_answer=short, abstained=False, mode="extractive",
                        citations=citations, confidence=confidence)


def _cite(passages: list[Passage], citations: list[Citation], decision: Decision) -> tuple[str, str | None]:
    """Mark the decision's passage cited, with its quote and short answer; the quoted sentence with [n]."""
    passage = passages[decision.sentence.passage_index]
    citation = citations[decision.sentence.passage_index]
    citation.cited = True
    citation.quote = span_in_article(passage, *decision.quote)
    short = None
    if decision.short is not None:
        citation.answer_span = span_in_article(passage, *decision.short)
        short = citation.answer_span.text
    quote = passage.text[decision.quote[0]:decision.quote[1]].rstrip(" .")
    prefix = "…" if decision.quote[0] > decision.sentence.start else ""
    return f"{prefix}{quote} [{citation.n}].", short


def _cite_second(passages: list[Passage], citations: list[Citation], second: tuple[int, int, int]) -> str:
    """The second quoted sentence with its [n]: its passage's quote, or one more quote of the first passage."""
    index, start, end = second
    passage, citation = passages[index], citations[index]
    span = span_in_article(passage, start, end)
    if citation.quote is None:
        citation.quote = span
    else:
        citation.more_quotes.append(span)
    citation.cited = True
    return f"{passage.text[start:end].rstrip(' .')} [{citation.n}]."
