"""Questions that compare two subjects ("Phường nào có nhiều đảng viên hơn, Phước Tân hay Tây Sơn?").

Each subject gets its own question and its own retrieval, so both facts are
found and each is cited; the numbers are then compared.
"""

from __future__ import annotations

import re

from rag.answer_text import citations_for, span_in_article
from rag.extractive import extract
from rag.question import analyse
from rag.refusal import should_refuse
from rag.result import AnswerResult
from rag.spans import parse_number

_COMPARATIVE = re.compile(r"\b(nhiều|ít|cao|thấp|lớn|nhỏ)\s+(.*?)\s*hơn\b", re.IGNORECASE)
_ALTERNATIVES = re.compile(r"^(?P<base>.+?\bnào\b.+?)[,:]\s*(?P<a>.+?)\s+(?:hay|hoặc)\s+(?P<b>.+?)\s*\??$", re.IGNORECASE)
_MORE = {"nhiều", "cao", "lớn"}


def comparison_parts(question: str):
    """(base, [subject_a, subject_b], word) or None when the question is not a two-way comparison."""
    match = _ALTERNATIVES.match(question.strip())
    if not match or not _COMPARATIVE.search(match.group("base")):
        return None
    return match.group("base"), [match.group("a").strip(), match.group("b").strip()], _COMPARATIVE.search(match.group("base")).group(1).lower()


def _sub_question(base: str, subject: str) -> str:
    asked = re.sub(r"\bnào\b", subject, base, count=1, flags=re.IGNORECASE)
    return _COMPARATIVE.sub(lambda m: f"bao nhiêu {m.group(2)}", asked, count=1) + "?"


def answer_comparison(answerer, question: str, parts, filters, k: int) -> AnswerResult | None:
    base, subjects, word = parts
    facts = []
    for subject in subjects:
        analysis = analyse(_sub_question(base, subject))
        passages = answerer.retriever.retrieve(analysis, k=k, filters=filters)
        extracted = extract(analysis, passages, answerer.reader.lexical.idf)
        if extracted is None or extracted.short is None or should_refuse(extracted.support, answerer.settings.refusal_threshold):
            return None
        passage = passages[extracted.passage_index]
        value = parse_number(passage.text[extracted.short[0]:extracted.short[1]])
        if value is None:
            return None
        facts.append((subject, value, passage, extracted))
    seen: dict[str, int] = {}
    passages_all = []
    for _, _, passage, _ in facts:
        if passage.chunk_id not in seen:
            seen[passage.chunk_id] = len(passages_all)
            passages_all.append(passage)
    citations = citations_for(passages_all)
    clauses = []
    for subject, value, passage, extracted in facts:
        citation = citations[seen[passage.chunk_id]]
        citation.cited = True
        citation.quote = span_in_article(passage, *extracted.quote)
        citation.answer_span = span_in_article(passage, *extracted.short)
        clauses.append(f"{subject}: {citation.answer_span.text} [{citation.n}]")
    (a, va, *_), (b, vb, *_) = facts
    if va == vb:
        verdict, winner = f"{a} và {b} bằng nhau", None
    else:
        more = va > vb
        winner = a if (more == (word in _MORE)) else b
        verdict = f"{winner} {word} hơn"
    return AnswerResult(question=question, answer=f"{verdict} — " + "; ".join(clauses) + ".", short_answer=winner,
                        abstained=False, mode="extractive", citations=citations,
                        confidence=round(min(f[3].support for f in facts), 4))
