"""The weightless answerer: quote the sentence that answers, cite it, and for typed
questions pull out the short answer (a number with its unit, a name, a date, a place).

Sentences are scored by the IDF-weighted share of the question's content words
they contain (their passage's other sentences and title count a little, for
context); the share of the best sentence is the support score that the
calibrated refusal threshold applies to.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

from index.chunking import split_sentences
from index.textnorm import fold, folded_tokens, tokens, with_bigrams
from rag.generic_span import generic_span
from rag.question import QuestionAnalysis
from rag.retrieval import Passage
from rag.spans import (capitalised_runs, date_spans, extend_with_unit, name_spans, number_spans, ordinal_spans,
                       place_spans)

_MONEY_WORDS = re.compile(r"\b(tien|ngan sach|kinh phi|von|dong|thu nhap|chi phi|quy)\b")
CONTEXT_WEIGHT = 0.3
TITLE_WEIGHT = 0.3  # measured: 0.6 separated answerable from unanswerable worse (docs/refusal.md)
NO_TYPE_FACTOR = 0.5
MISSING_ENTITY_FACTOR = 0.5
NO_SHORT_ANSWER_FACTOR = 0.5
WEAK_TYPE_FACTOR = 0.75
CLAUSE_DISTANCE = 40  # characters added per ";" between a candidate and a question word
# Words that open a capitalised run without naming anyone in particular.
_GENERIC_HEADS = set(fold(
    "Phường Xã Huyện Quận Tỉnh TP Đảng Ban Hội Đại Chủ Phó Bí Ủy Uỷ Thường Ai Năm Ngày Tháng Tại Trong Theo "
    "Bài Giữa Nửa Cả Còn Vậy Thế Những Các Một Người Đồng Ông Bà"
).split())
LENGTH_PENALTY = 0.05
MAX_QUOTE_CHARS = 320


@dataclass
class SentenceCandidate:
    passage_index: int
    start: int  # offsets into the passage text
    end: int
    text: str
    support: float
    score: float


@dataclass
class ExtractedAnswer:
    passage_index: int
    sentence: SentenceCandidate
    quote: tuple[int, int]  # offsets into the passage text
    short: tuple[int, int] | None  # offsets into the passage text
    support: float


class TermWeights:
    """IDF of question terms from the bm25s index, in the field the question was typed in."""

    def __init__(self, analysis: QuestionAnalysis, idf):
        self.field = "accented" if analysis.accented else "folded"
        self.terms = list(dict.fromkeys(analysis.terms(self.field)))
        self.weights = {t: max(idf(t, self.field), 0.1) for t in self.terms}
        self.total = sum(self.weights.values()) or 1.0

    def sentence_terms(self, text: str) -> set[str]:
        syllables = tokens(text) if self.field == "accented" else folded_tokens(text)
        return set(with_bigrams(syllables))

    def coverage(self, terms: set[str], context: set[str], title: set[str] = frozenset()) -> float:
        """Share of the question's weight found in the sentence; words found only in the
        article's title (what the article is about) or only nearby count for less."""
        total = 0.0
        for term, weight in self.weights.items():
            if term in terms:
                total += weight
            elif term in title:
                total += TITLE_WEIGHT * weight
            elif term in context:
                total += CONTEXT_WEIGHT * weight
        return total / self.total


def rank_sentences(analysis: QuestionAnalysis, passages: list[Passage], weights: TermWeights,
                   article_folded: Callable[[str], str] | None = None) -> list[SentenceCandidate]:
    """``article_folded(doc_id)``: the article's title and text, folded (cached by the caller)."""
    candidates, priors = [], []
    entities = [fold(entity) for entity in question_entities(analysis.text)]
    for index, passage in enumerate(passages):
        spans = split_sentences(passage.text)
        # Each sentence is normalised once; the passage's words are the union of its sentences'.
        sentence_terms = [weights.sentence_terms(passage.text[start:end]) for start, end in spans]
        context = set().union(*sentence_terms)
        title = weights.sentence_terms(passage.title)
        # A passage from an article that never names the question's subject (another ward,
        # another person) cannot answer it, however many other words it shares.
        missing = 0
        if entities:
            whole = article_folded(passage.doc_id) if article_folded else fold(passage.title + "\n" + passage.text)
            missing = sum(1 for entity in entities if entity not in whole)
        entity_factor = MISSING_ENTITY_FACTOR ** missing
        for (start, end), terms in zip(spans, sentence_terms):
            text = passage.text[start:end]
            support = weights.coverage(terms, context, title) * entity_factor
            # Longer sentences match more words by chance: a mild length normalisation, as in BM25.
            score = support + 0.02 / (1 + index) - LENGTH_PENALTY * min(len(text) / 500.0, 1.0)
            typed = _typed_spans(analysis, text) if analysis.qtype != "other" else []
            priors.append(max((prior for _, _, prior in typed), default=None))
            candidates.append(SentenceCandidate(index, start, end, text, support, score))
    if analysis.qtype != "other":
        # A typed question is answered by a sentence holding something of that type, and
        # best by one whose candidate carries the asked-for unit or head.
        best_prior = max((p for p in priors if p is not None), default=None)
        for candidate, prior in zip(candidates, priors):
            if prior is None:
                candidate.score *= NO_TYPE_FACTOR
            elif best_prior is not None and prior < best_prior:
                candidate.score *= max(NO_TYPE_FACTOR, 1.0 - 0.5 * (best_prior - prior))
    return sorted(candidates, key=lambda c: -c.score)


def _typed_spans(analysis: QuestionAnalysis, text: str) -> list[tuple[int, int, float]]:
    """(start, end, prior) candidates of the asked-for type inside one sentence."""
    qtype = analysis.qtype
    if qtype == "number":
        spans = []
        money = bool(_MONEY_WORDS.search(fold(analysis.text)))
        for start, end in number_spans(text):
            s, e = extend_with_unit(text, start, end, analysis.unit)
            piece = fold(text[s:e])
            unit_hit = bool(analysis.unit) and (fold(text[end:e]).split() == analysis.unit
                                                or (analysis.unit == ["%"] and piece.endswith("%")))
            money_hit = money and bool(re.search(r"dong|ty|trieu|usd", piece))
            spans.append((s, e, 1.0 if unit_hit else 0.6 if money_hit else 0.0))
        return spans
    if qtype == "date":
        asked = fold(analysis.text)
        want = "range" if re.search(r"\b(nhiem ky|giai doan) nao\b", asked) else "year" if "nam nao" in asked else "day"
        spans = date_spans(text)
        if want != "range":
            spans = [span for span in spans if span[2] != "range"]

        def prior(kind: str) -> float:
            return 1.0 if kind == want else 0.5 if want == "day" and kind not in ("year", "range") else 0.0

        return [(s, e, prior(kind)) for s, e, kind in spans]
    if qtype == "person":
        return [(s, e, 0.5 if surname else 0.0) for s, e, surname in name_spans(text)]
    if qtype == "place":
        return [(s, e, 1.0 if head else 0.0) for s, e, head in place_spans(text, analysis.focus)]
    if qtype == "ordinal":
        return [(s, e, 0.0) for s, e in ordinal_spans(text)]
    return []


def pick_short_answer(analysis: QuestionAnalysis, sentence: str,
                      weights: TermWeights) -> tuple[tuple[int, int], float] | None:
    """(span, prior) of the candidate closest to the question's words, preferring the asked-for
    unit or head (prior 1.0 when the candidate carries it)."""
    spans = _typed_spans(analysis, sentence)
    if not spans:
        return None
    question_folded = set(folded_tokens(analysis.text))
    # The asked-for unit belongs to the answer ("553 đảng viên"), so it is not a pointer to it.
    anchors = [(pos, w, term) for pos, w, term in _anchor_positions(sentence, weights)
               if fold(term) not in analysis.unit]
    best, best_score, best_prior = None, float("-inf"), 0.0
    for start, end, prior in spans:
        candidate_words = set(folded_tokens(sentence[start:end]))
        if candidate_words and candidate_words <= question_folded:
            continue  # the question already names it, so it is not the answer
        nearest: dict[str, float] = {}
        for pos, weight, term in anchors:
            if start <= pos < end:
                continue
            low, high = sorted((pos, start))
            distance = _distance(start, end, pos) + CLAUSE_DISTANCE * sentence.count(";", low, high)
            nearest[term] = max(nearest.get(term, 0.0), weight / (1.0 + distance / 20.0))
        closeness = sum(nearest.values())
        # In lists ("Name, title; Name, title") the clause holding the asked-for title is what counts.
        clause_start = sentence.rfind(";", 0, start) + 1
        clause_end = sentence.find(";", end)
        clause = sentence[clause_start: clause_end if clause_end >= 0 else len(sentence)]
        clause_cover = weights.coverage(weights.sentence_terms(clause), set())
        score = prior * 2.0 + clause_cover + closeness / weights.total
        if score > best_score:
            best, best_score, best_prior = (start, end), score, prior
    return (best, best_prior) if best is not None else None


def _anchor_positions(sentence: str, weights: TermWeights) -> list[tuple[int, float, str]]:
    """(position, idf, term) of every question word in the sentence."""
    anchors = []
    for match in re.finditer(r"\w+", sentence):
        word = match.group(0)
        key = tokens(word) if weights.field == "accented" else folded_tokens(word)
        if key and key[0] in weights.weights:
            anchors.append((match.start(), weights.weights[key[0]], key[0]))
    return anchors


def _distance(start: int, end: int, position: int) -> int:
    if start <= position < end:
        return 0
    return start - position if position < start else position - end


def extract(analysis: QuestionAnalysis, passages: list[Passage], idf,
            article_folded: Callable[[str], str] | None = None) -> ExtractedAnswer | None:
    if not passages:
        return None
    weights = TermWeights(analysis, idf)
    ranked = rank_sentences(analysis, passages, weights, article_folded)
    if not ranked:
        return None
    best = ranked[0]
    picked = pick_short_answer(analysis, best.text, weights)
    short, prior = picked if picked else (None, 0.0)
    if short is None and analysis.qtype == "other":
        folded_weights = {fold(t): w for t, w in weights.weights.items() if "_" not in t}
        short = generic_span(analysis.text, best.text, folded_weights)
    short_in_passage = (best.start + short[0], best.start + short[1]) if short else None
    quote = _trim_quote(passages[best.passage_index].text, best, short_in_passage, weights)
    support = best.support
    if analysis.qtype != "other" and short is None:
        support *= NO_SHORT_ANSWER_FACTOR  # asked for a number, a name, a date… and found none
    elif short is not None and _asks_specific(analysis) and prior < 1.0:
        support *= WEAK_TYPE_FACTOR  # asked for "bao nhiêu đảng viên" / "quận nào", found another kind
    return ExtractedAnswer(best.passage_index, best, quote, short_in_passage, support)


def _asks_specific(analysis: QuestionAnalysis) -> bool:
    return (analysis.qtype == "number" and bool(analysis.unit)) or (analysis.qtype == "place" and bool(analysis.focus))


def question_entities(question: str) -> list[str]:
    """Proper names in the question ("Tây Sơn", "Nguyễn Duy An", "Quận 1"), without generic heads."""
    entities = []
    for _, _, words in capitalised_runs(question, allow_digits=True):
        # Acronyms (UBND, HĐND) and heads (Phường, Chủ tịch) name kinds of bodies, not a particular one.
        while len(words) > 1 and (fold(words[0]) in _GENERIC_HEADS or words[0].isupper()) and not words[1].isdigit():
            words = words[1:]
        # One capitalised word is too often a title word or the sentence's first word to be trusted.
        if len(words) >= 2:
            entities.append(" ".join(words))
    return entities


def _trim_quote(text: str, sentence: SentenceCandidate, short: tuple[int, int] | None, weights: TermWeights) -> tuple[int, int]:
    """Long sentences are cut to the clauses around the answer, so the quote stays readable."""
    if sentence.end - sentence.start <= MAX_QUOTE_CHARS:
        return sentence.start, sentence.end
    clauses = [(m.start(), m.end()) for m in re.finditer(r"[^;:]+[;:]?", text[sentence.start : sentence.end])]
    clauses = [(sentence.start + s, sentence.start + e) for s, e in clauses if text[sentence.start + s : sentence.start + e].strip()]
    if short is not None:
        centre = next((c for c in clauses if c[0] <= short[0] < c[1]), clauses[0])
    else:
        centre = max(clauses, key=lambda c: weights.coverage(weights.sentence_terms(text[c[0]:c[1]]), set()))
    start, end = centre
    if end - start > MAX_QUOTE_CHARS:  # one very long clause: cut at commas around the answer
        focus = short[0] if short else start
        pieces = [(m.start() + start, m.end() + start) for m in re.finditer(r"[^,]+,?", text[start:end])]
        around = [p for p in pieces if abs(p[0] - focus) < MAX_QUOTE_CHARS // 2]
        start, end = (around[0][0], around[-1][1]) if around else (start, end)
    while start < end and text[start] in " ,;:":
        start += 1
    while end > start and text[end - 1] in " ,;:":
        end -= 1
    return start, end
