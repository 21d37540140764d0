"""The LLM answer as a result object: parse its [n] markers and check what it claims.

The model is told to cite after every sentence; this checker keeps it honest
on the facts a reader would act on — numbers, dates, names — by requiring each
to appear in a passage the sentence cites. Wording is not checked: a
paraphrase is fine, a changed number is not.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from index.chunking import split_sentences
from index.textnorm import normalize_for_compare, tokens
from rag.answer_text import citations_for, span_in_article
from rag.result import AnswerResult, Unsupported
from rag.retrieval import Passage
from rag.spans import date_spans, name_spans, number_spans, parse_number

MARKER_RE = re.compile(r"\[\s*(\d+(?:\s*[,;–-]\s*\d+)*)\s*\]")
_MARKER_RUN = re.compile(rf"(?:\s*{MARKER_RE.pattern})+")
_SENTENCE_END_THEN_MARKERS = re.compile(rf"[.!?…]{_MARKER_RUN.pattern}(?=\s+\S)")
_BARE_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
# spans.name_spans compares folded words, so these family names read as "Chủ, Đảng, Tổ, Trận, Trình,
# Trưởng" and get trimmed off ("Trần Văn Bình" → "Văn Bình"); put them back.
_SURNAME_BEFORE = re.compile(r"(?<!\w)(Chu|Đặng|Tô|Trần|Trịnh|Trương)\s+\Z")
_LIST_ITEM = re.compile(r"^\s*(?:[-*•+]|\d{1,2}[.)])\s+")
_LIST_NUMBER_ONLY = re.compile(r"\s*\d{1,2}[.)]\s*")  # "1." split off a numbered list item
MAX_RANGE = 20  # "[1-9999]" is a typo, not a request to cite everything

NO_SOURCE = "trích dẫn không tồn tại"
NOT_FOUND = "không tìm thấy trong đoạn được trích"
NO_MARKER = "không có trích dẫn"


@dataclass
class AnswerSentence:
    text: str  # as the model wrote it, markers included
    markers: list[int] = field(default_factory=list)

    @property
    def bare(self) -> str:
        """The sentence without markers, same length, so marker digits never look like facts."""
        # A list number ("1. Phường…") is layout, not a claim.
        return _LIST_ITEM.sub(_blank, MARKER_RE.sub(_blank, self.text), count=1)


def _blank(match: re.Match) -> str:
    return " " * len(match.group(0))


def parse_markers(text: str) -> list[int]:
    found: list[int] = []
    for match in MARKER_RE.finditer(text):
        for part in re.split(r"\s*[,;]\s*", match.group(1)):
            bounds = [int(x) for x in re.split(r"\s*[–-]\s*", part) if x]
            if len(bounds) == 2 and 0 <= bounds[1] - bounds[0] <= MAX_RANGE:
                numbers = range(bounds[0], bounds[1] + 1)
            else:
                numbers = bounds
            found += [n for n in numbers if n not in found]
    return found


def answer_sentences(text: str) -> list[AnswerSentence]:
    """Sentences with their markers; a marker written after the full stop ("… 553 đảng viên. [1]")
    belongs to the sentence before it, not the next one."""
    spans: list[list[int]] = []
    for start, end in split_sentences(text):
        cut = start
        for match in _SENTENCE_END_THEN_MARKERS.finditer(text, start, end):
            spans.append([cut, match.end()])
            cut = match.end()
        lead = _MARKER_RUN.match(text, cut)
        if lead and spans and lead.end() > cut:
            spans[-1][1] = lead.end()
            cut = lead.end()
        if text[cut:end].strip() and not _LIST_NUMBER_ONLY.fullmatch(text[cut:end]):
            spans.append([cut, end])
    sentences = [AnswerSentence(text[s:e].strip()) for s, e in spans]
    for sentence in sentences:
        sentence.markers = parse_markers(sentence.text)
    return [s for s in sentences if s.text]


# --- facts
@dataclass
class Fact:
    kind: str  # "number" | "date" | "name"
    text: str
    start: int
    surname: bool = False  # a name run that starts with a family name is a person, first word included


def facts_of(sentence: str) -> list[Fact]:
    facts: list[Fact] = []
    dates = date_spans(sentence)
    for start, end, _ in dates:
        facts.append(Fact("date", sentence[start:end], start))
    for start, end in number_spans(sentence):
        if not any(s <= start < e or start <= s < end for s, e, _ in dates):
            facts.append(Fact("number", sentence[start:end].strip(), start))
    for start, end, surname in name_spans(sentence):
        before = _SURNAME_BEFORE.search(sentence, 0, start)
        if before:
            start, surname = before.start(1), True
        facts.append(Fact("name", sentence[start:end], start, surname))
    return sorted(facts, key=lambda f: f.start)


def _number_values(text: str) -> set[float]:
    return {v for v in (_value(m.group(0)) for m in _BARE_NUMBER.finditer(text)) if v is not None}


def _value(number: str) -> float | None:
    value = parse_number(number)
    return None if value is None else round(value, 6)


def _date_keys(text: str, iso_date: str | None = None) -> set[tuple]:
    """(day, month, year or None) for every date written in ``text``, plus the passage's own date."""
    keys = set()
    for start, end, kind in date_spans(text):
        if kind in ("dmy_words", "slash", "dash"):
            numbers = [int(x) for x in re.findall(r"\d+", text[start:end])]
            keys.add((numbers[0], numbers[1], numbers[2] if len(numbers) > 2 else None))
    match = re.match(r"(\d{4})-(\d{2})-(\d{2})", iso_date or "")
    if match:
        keys.add((int(match.group(3)), int(match.group(2)), int(match.group(1))))
    return keys


class Evidence:
    """What a set of cited passages can vouch for, in comparable forms."""

    def __init__(self, passages: list[Passage]):
        texts = [f"{p.title}\n{p.text}\n{p.date or ''}" for p in passages]
        self.text = normalize_for_compare(" \n ".join(texts))
        self.numbers: set[float] = set()
        self.dates: set[tuple] = set()
        for passage, text in zip(passages, texts):
            self.numbers |= _number_values(text)
            self.numbers |= {v for v in (_value(text[s:e]) for s, e in number_spans(text)) if v is not None}
            self.dates |= _date_keys(text, passage.date)
        self.years = {int(v) for v in self.numbers if v.is_integer() and 1800 <= v <= 2100}

    def supports(self, fact: Fact, sentence: str) -> bool:
        if fact.kind == "number":
            whole = _value(fact.text)
            # "49 tỷ" is fine when the passage says "49 tỷ 687 triệu": each written number must be there.
            return whole in self.numbers or _number_values(fact.text) <= self.numbers
        if fact.kind == "date":
            return self._supports_date(fact.text)
        return self._supports_name(fact, sentence)

    def _supports_date(self, text: str) -> bool:
        keys = _date_keys(text)
        if not keys:  # a year or a month/year: its numbers must be written in the passage
            return _number_values(text) <= self.numbers
        for day, month, year in keys:
            # "7-1" in the passage supports "7/1/2021" when 2021 is written there too (or is its date).
            if not any(d == day and m == month and y in (year, None) for d, m, y in self.dates):
                return False
            if year is not None and year not in self.years:
                return False
        return True

    def _supports_name(self, fact: Fact, sentence: str) -> bool:
        if normalize_for_compare(fact.text) in self.text:
            return True
        # A sentence's first word is capitalised anyway ("Ngoài Hà Nội…"), so unless it is a family
        # name it need not be part of the name; a lone capitalised word after it is no name to check.
        words = fact.text.split()
        at_start = not sentence[: fact.start].strip(" \"'“‘«(")
        if not at_start or fact.surname:
            return False
        return len(words) == 2 or normalize_for_compare(" ".join(words[1:])) in self.text


# --- the result
_REFUSAL_HINTS = ("không có thông tin", "không chứa thông tin", "không tìm thấy thông tin", "không đề cập")


def is_refusal(text: str, refusal: str) -> bool:
    answer = normalize_for_compare(text).strip(" \"'")
    first = normalize_for_compare(refusal).split(". ")[0].rstrip(".")
    if first and answer.startswith(first):
        return True
    # Models paraphrase the refusal; one that cites nothing and says "no information" is one too.
    return not MARKER_RE.search(text) and (answer.startswith("xin lỗi") or any(h in answer for h in _REFUSAL_HINTS))


def build_llm_result(question: str, text: str, passages: list[Passage], refusal: str) -> AnswerResult:
    citations = citations_for(passages)
    if is_refusal(text, refusal):
        return AnswerResult(question=question, answer=text, abstained=True, mode="llm", citations=citations)
    unsupported: list[Unsupported] = []
    warnings: list[str] = []
    citing: dict[int, list[str]] = {}
    for sentence in answer_sentences(text):
        valid = [n for n in sentence.markers if 1 <= n <= len(passages)]
        invalid = [n for n in sentence.markers if n not in valid]
        bare = sentence.bare
        facts = facts_of(bare)
        for n in valid:
            citing.setdefault(n, []).append(bare)
        if invalid:
            warnings.append(f"Câu trả lời trích dẫn đoạn {', '.join(f'[{n}]' for n in invalid)} không có trong "
                            f"các đoạn đã cho (chỉ có {len(passages)} đoạn).")
            missing = [] if valid else [f.text for f in facts]
            unsupported.append(Unsupported(sentence=sentence.text, n=invalid, missing=missing, reason=NO_SOURCE))
        if not valid:
            if facts and not invalid:
                unsupported.append(Unsupported(sentence=sentence.text, missing=[f.text for f in facts],
                                               reason=NO_MARKER))
            continue
        evidence = Evidence([passages[n - 1] for n in valid])
        missing = _unique([f.text for f in facts if not evidence.supports(f, bare)])
        if missing:
            unsupported.append(Unsupported(sentence=sentence.text, n=valid, missing=missing, reason=NOT_FOUND))
    for citation, passage in zip(citations, passages):
        if citation.n in citing:
            citation.cited = True
            best = best_quote(passage, citing[citation.n])
            if best is not None:
                citation.quote = span_in_article(passage, *best)
    return AnswerResult(question=question, answer=text, mode="llm", citations=citations,
                        unsupported=unsupported, warnings=warnings)


def best_quote(passage: Passage, sentences: list[str]) -> tuple[int, int] | None:
    """The passage sentence sharing most words with the answer sentences that cite it;
    shared numbers, dates and names count extra since they are what the reader checks."""
    wanted = set(tokens(" ".join(sentences)))
    per_sentence = [(s, facts_of(s)) for s in sentences]
    best, best_score = None, 0.0
    for start, end in split_sentences(passage.text):
        piece = passage.text[start:end]
        shared = len(wanted & set(tokens(piece)))
        if not shared:
            continue
        evidence = Evidence([Passage(row=-1, chunk_id="", doc_id="", title="", date=None, text=piece,
                                     start=0, end=len(piece), score=0.0)])
        score = shared + 3 * sum(evidence.supports(f, s) for s, facts in per_sentence for f in facts)
        if score > best_score:
            best, best_score = (start, end), score
    return best


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))
