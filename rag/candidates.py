"""Answer candidates: the sentences of the retrieved passages, and inside a sentence the short answers.

Short-answer spans are of two sorts. Typed spans come from the finders in
rag/spans.py (numbers with their unit, money, percentages, dates and terms of
office, people, places, ordinals); phrase spans are the runs of words inside
one clause, so an open "là gì / nào / vì sao" question has candidates too; remainder spans are
what the sentence says besides the question — each stretch between the question's own words,
across commas (a list, or "… tốt, sau đó đưa …", is one answer).
Nothing here decides: the learned scorer (rag/scorer.py) ranks what is listed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from index.chunking import split_sentences
from index.textnorm import fold
from rag.question import QuestionAnalysis, asked_form
from rag.roster import described_person, described_title
from rag.spans import (date_spans, era_spans, extend_with_unit, name_spans, number_spans, number_word_spans,
                       ordinal_spans, place_spans, range_spans)

WORD_RE = re.compile(r"\d+(?:[.,]\d+)*%?|[^\W\d_]+(?:'[^\W\d_]+)?", re.UNICODE)
_CLAUSE_BREAK = re.compile(r"[,;:()\[\]\"“”–—]|\s-\s|\.\s")
MAX_PHRASE_WORDS = 10
_MONEY_WORDS = re.compile(r"\b(tien|ngan sach|kinh phi|von|dong|thu nhap|chi phi|quy|gia)\b")
# Function words that neither open nor close an answer phrase.
EDGE_WORDS = frozenset(fold(
    "là của và với được bị các những một đã đang sẽ có trong ở tại cho từ đến về theo như thì mà này đó "
    "khi nếu vì do bởi để rằng cũng rất hơn nhất vào ra lên qua nên hay hoặc nhưng còn"
).split())


@dataclass
class SentenceCandidate:
    passage_index: int
    position: int  # the sentence's number inside its passage
    start: int  # offsets into the passage text
    end: int
    text: str
    line: int = 0  # line breaks before it in the passage: a title or another paragraph is never joined to it


@dataclass
class SpanCandidate:
    start: int  # offsets into the sentence text
    end: int
    kind: str  # number | date | person | place | ordinal | phrase | remainder
    prior: float  # how well the kind fits what is asked (unit, head, date granularity), 0..1


@lru_cache(maxsize=4096)
def _sentences_of(text: str) -> tuple[tuple[int, int], ...]:
    return tuple(split_sentences(text))  # a passage comes back for many questions: split it once


@lru_cache(maxsize=1024)
def _asked(question: str) -> tuple[bool, str]:
    """(asks about money, the date granularity asked) of a question, folded once."""
    asked = asked_form(question)
    want = ("range" if re.search(r"\b(nhiem ky|giai doan) nao\b", asked)
            else "year" if re.search(r"\bnam (nao|bao nhieu|may)\b", asked) else "day")
    return bool(_MONEY_WORDS.search(asked)), want


def sentence_candidates(passages) -> list[SentenceCandidate]:
    """Every sentence of the passages, except questions: a sentence ending in "?" asks, it does not
    answer (and a planted copy of the user's question would otherwise match it best)."""
    found = []
    for index, passage in enumerate(passages):
        for position, (start, end) in enumerate(_sentences_of(passage.text)):
            if passage.text[start:end].rstrip().endswith("?"):
                continue
            found.append(SentenceCandidate(index, position, start, end, passage.text[start:end],
                                           passage.text.count("\n", 0, start)))
    return found


def words(text: str) -> list[re.Match]:
    return list(WORD_RE.finditer(text))


def typed_spans(analysis: QuestionAnalysis, text: str, names=None) -> list[SpanCandidate]:
    """Candidates of the asked-for type, with a prior for the unit/head/granularity asked (``names``: the
    sentence's ``name_spans``, when the caller has them)."""
    qtype = analysis.qtype
    money, want = _asked(analysis.text)
    if qtype == "number":
        spans, near = [], set()

        def offer(s: int, e: int, number_end: int, percent: bool, otherwise: float = 0.0) -> bool:
            """Offer text[s:e], a count whose unit runs from ``number_end``; True when it is the unit asked."""
            hit = bool(analysis.unit) and (fold(text[number_end:e]).split() == analysis.unit
                                           or (analysis.unit == ["%"] and percent))
            spans.append(SpanCandidate(s, e, "number", 1.0 if hit else otherwise))
            if hit:
                near.add((s, e))
            return hit

        # "lần thứ 14", "khóa XII" and "năm 2021" say which one and when, never how many.
        not_counts = {s for s, _ in ordinal_spans(text)} | {e - 4 for s, e, kind in date_spans(text)
                                                            if kind == "year" and e - s > 4}
        for start, end in number_spans(text):
            if start in not_counts or re.search(r"\bthứ\s*$", text[max(0, start - 5):start], re.IGNORECASE):
                continue
            s, e = extend_with_unit(text, start, end, analysis.unit)
            money_hit = money and bool(re.search(r"dong|ty|trieu|usd", fold(text[s:e])))
            offer(s, e, end, text[s:e].endswith("%"), 0.6 if money_hit else 0.0)
            # A word of the unit in the two words after it: the unit typed with a slip ("532 đnagr viên").
            if set(fold(m.group(0)) for m in list(WORD_RE.finditer(text[end:end + 40]))[:2]) & set(analysis.unit):
                near.add((s, e))
        for start, end in range_spans(text):  # "18 đến 25 tuổi", "27-30%": with a unit after it, or a percentage
            s, e = extend_with_unit(text, start, end, analysis.unit)
            if e > end or text[start:end].endswith("%"):
                offer(s, e, end, text[start:end].endswith("%"))
        for start, end in number_word_spans(text):  # "ba người", "mười năm": only with a unit after them
            for last in (end, text.rfind(" ", start, end)):  # "mười năm": "năm" is five, and a year
                if last <= start:
                    continue
                s, e = extend_with_unit(text, start, last, analysis.unit)
                if e > last and text[last:e] == text[last:e].lower():  # "Ba Lan" is no "ba lần"
                    offer(s, e, last, False)
                    break
        # A count asked in a named unit ("bao nhiêu phần trăm", "bao nhiêu cá nhân") is answered by a count in
        # that unit when the sentence has one: "4 tỷ đồng" beside "36,26%" is another figure.
        if any(span.prior == 1.0 for span in spans):
            return [span for span in spans if (span.start, span.end) in near]
        return spans
    if qtype == "date":
        spans = [s for s in (*date_spans(text), *era_spans(text)) if want == "range" or s[2] != "range"]

        def prior(kind: str) -> float:
            return 1.0 if kind == want else 0.5 if want == "day" and kind not in ("year", "range") else 0.0

        return [SpanCandidate(s, e, "date", prior(kind)) for s, e, kind in spans]
    if qtype == "person":
        names = name_spans(text) if names is None else names
        holder = title_holder(analysis, text, names)
        return [SpanCandidate(s, e, "person", 1.0 if surname else 0.5) for s, e, surname in names
                if holder is None or (s, e) == holder]
    if qtype == "place":
        return [SpanCandidate(s, e, "place", 1.0 if head else 0.5) for s, e, head in place_spans(text, analysis.focus)]
    if qtype == "ordinal":
        # "lần thứ mấy" is answered by the number after "lần", not the one after "khóa".
        asked = set(fold(analysis.text).split())
        return [SpanCandidate(s, e, "ordinal", 1.0 if _ordinal_head(text, s) in asked else 0.3)
                for s, e in ordinal_spans(text)]
    return []


def _ordinal_head(text: str, start: int) -> str:
    """The word an ordinal counts: "lần" in "lần thứ 14", "khoa" in "khóa XII" (folded)."""
    before = [w for w in fold(text[max(0, start - 16):start]).split() if w != "thu"]
    return before[-1] if before else ""


def clauses(text: str) -> list[tuple[int, int]]:
    """(start, end) of the stretches between clause punctuation."""
    bounds, last = [], 0
    for match in _CLAUSE_BREAK.finditer(text):
        bounds.append((last, match.start()))
        last = match.end()
    bounds.append((last, len(text)))
    return [(s, e) for s, e in bounds if text[s:e].strip()]


def phrase_spans(text: str) -> list[SpanCandidate]:
    """Runs of up to MAX_PHRASE_WORDS words inside one clause, not opening or closing on a
    function word, plus each whole clause (long answers are often one clause)."""
    spans = []
    for c_start, c_end in clauses(text):
        found = [m for m in words(text[c_start:c_end])]
        folded = [fold(m.group(0)) for m in found]
        n = len(found)
        for i in range(n):
            if folded[i] in EDGE_WORDS:
                continue
            for j in range(i, min(n, i + MAX_PHRASE_WORDS)):
                if folded[j] in EDGE_WORDS:
                    continue
                spans.append(SpanCandidate(c_start + found[i].start(), c_start + found[j].end(), "phrase", 0.0))
        if n > MAX_PHRASE_WORDS:
            spans.append(SpanCandidate(c_start + found[0].start(), c_start + found[-1].end(), "phrase", 0.0))
    return spans


def remainder_spans(text: str, asked: set[str]) -> list[SpanCandidate]:
    """Each maximal stretch of words between the question's own words (crossing clause punctuation),
    not opening or closing on a function word: the part of the sentence the question does not say."""
    spans, run = [], []

    def close():
        while run and fold(run[0].group(0)) in EDGE_WORDS:
            run.pop(0)
        while run and fold(run[-1].group(0)) in EDGE_WORDS:
            run.pop()
        if len(run) > 1:
            spans.append(SpanCandidate(run[0].start(), run[-1].end(), "remainder", 0.0))
        run.clear()

    for match in words(text):
        if fold(match.group(0)) in asked:
            close()
        else:
            run.append(match)
    close()
    return spans


# Numbers and dates are found reliably: a question asking for one is answered by one or by nothing.
TYPED_ONLY = {"number", "date", "ordinal"}


def span_candidates(analysis: QuestionAnalysis, text: str) -> list[SpanCandidate]:
    """Typed spans, and for questions that do not ask a number or a date, phrase spans; a span made only
    of the question's own words is never the answer ("Cầu Ông Lãnh" to "… Cầu Ông Lãnh ở đâu?")."""
    asked = set(analysis.all_folded)
    names = name_spans(text)
    title = described_title(analysis, text, [(s, e) for s, e, surname in names if surname])
    if title is not None:  # a roster's titles for the one person the question names and asks about
        return [SpanCandidate(title[0], title[1], "phrase", 0.0)]
    typed = typed_spans(analysis, text, names)
    if analysis.qtype not in TYPED_ONLY and title_holder(analysis, text, names) is None:
        seen = {(s.start, s.end) for s in typed}
        typed += [s for s in phrase_spans(text) if (s.start, s.end) not in seen]
        seen = {(s.start, s.end) for s in typed}
        typed += [s for s in remainder_spans(text, asked) if (s.start, s.end) not in seen]
    return [s for s in typed if not _only_question_words(text[s.start:s.end], asked)]


def title_holder(analysis: QuestionAnalysis, text: str, names) -> tuple[int, int] | None:
    """In a roster ("A, Chủ tịch …; B, Phó Chủ tịch …") the title asked names its own holder (rag/roster.py):
    a person question is then answered by that name, and by no phrase of the roster around it. ``names``: the
    sentence's ``name_spans``."""
    if analysis.qtype != "person":
        return None
    return described_person(analysis, text, [(s, e) for s, e, surname in names if surname])


def _only_question_words(piece: str, asked: set[str]) -> bool:
    found = [fold(m.group(0)) for m in WORD_RE.finditer(piece)]
    return bool(found) and all(word in asked for word in found)
