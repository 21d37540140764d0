"""Questions that compare two subjects.

"Phường nào có nhiều đảng viên hơn, Phước Tân hay Tây Sơn?", "Giữa A và B, phường
nào … cao hơn?", "Hội nghị … của A và của B, hội nghị nào diễn ra trước?"

Each subject gets its own question, answered by the one learned answerer
(rag/extractive.py) with its own retrieval, so both facts are found in the
subject's own article and each is cited; then the numbers (or the dates) are
compared. Each fact must pass the same calibrated refusal threshold.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from index.textnorm import fold
from rag.answer_text import citations_for, span_in_article
from rag.extractive import decide
from rag.result import AnswerResult
from rag.spans import MONEY_RE, extend_with_unit, number_spans, parse_number

_NUMBER_COMPARATIVE = re.compile(r"\b(nhiều|ít|cao|thấp|lớn|nhỏ)\s+(.*?)\s*hơn\b", re.IGNORECASE)
_DATE_COMPARATIVE = re.compile(r"\b(trước|sớm hơn|sau|muộn hơn)\b", re.IGNORECASE)
_PATTERNS = [
    re.compile(r"^(?P<base>.+?\bnào\b.+?)[,:]\s*(?P<a>[^,:]+?)\s+(?:hay|hoặc)\s+(?P<b>[^,:?]+?)\s*\??$", re.IGNORECASE),
    re.compile(r"^(?:giữa|trong số)\s+(?P<a>.+?)\s+(?:và|với)\s+(?P<b>.+?),\s*(?P<base>.+?\bnào\b.+?)\s*\??$", re.IGNORECASE),
    re.compile(r"^(?P<pre>.+?)\s+của\s+(?P<a>.+?)\s+và\s+(?:của\s+)?(?P<b>.+?),\s*(?P<base>.+?\bnào\b.+?)\s*\??$",
               re.IGNORECASE),
]
_MORE = {"nhiều", "cao", "lớn"}
_HEADS = ("phường", "xã", "huyện", "quận", "tỉnh", "thành phố", "thị xã", "đơn vị", "nơi")


@dataclass
class Comparison:
    subjects: list[str]
    sub_questions: list[str]
    kind: str  # "number" | "date"
    word: str  # the comparative as asked: "nhiều", "trước"…


def comparison_parts(question: str) -> Comparison | None:
    text = question.strip()
    for pattern in _PATTERNS:
        match = pattern.match(text)
        if not match:
            continue
        base = match.group("base")
        subjects = [match.group("a").strip(), match.group("b").strip()]
        number = _NUMBER_COMPARATIVE.search(base)
        date = _DATE_COMPARATIVE.search(base)
        if not number and not date:
            continue
        kind, word = ("number", number.group(1).lower()) if number else ("date", date.group(1).lower())
        prefix = match.groupdict().get("pre")
        subs = [_sub_question(base, subject, kind, prefix) for subject in subjects]
        return Comparison(subjects, subs, kind, word)
    return None


def _sub_question(base: str, subject: str, kind: str, prefix: str | None) -> str:
    if prefix:  # "Hội nghị X của A và của B, hội nghị nào diễn ra trước" → "Hội nghị X của A diễn ra khi nào"
        asked = f"{prefix} của {subject} " + re.sub(r"^.*?\bnào\b\s*", "", base, flags=re.IGNORECASE)
    else:
        folded_subject = fold(subject)
        head = next((h for h in _HEADS if folded_subject.startswith(fold(h) + " ")), None)
        pattern = rf"\b{head}\s+nào\b" if head else r"\bnào\b"
        asked = re.sub(pattern, subject, base, count=1, flags=re.IGNORECASE)
        if asked == base:
            asked = re.sub(r"\bnào\b", subject, base, count=1, flags=re.IGNORECASE)
    if kind == "number":
        return _NUMBER_COMPARATIVE.sub(lambda m: f"bao nhiêu {m.group(2)}".strip(), asked, count=1) + "?"
    return _DATE_COMPARATIVE.sub("khi nào", asked, count=1) + "?"


def _display_subject(subject: str) -> str:
    """"phường Phước Tân (năm 2020)" → "Phước Tân": the short answer names the subject only."""
    subject = re.sub(r"\s*\(.*?\)\s*", " ", subject).strip()
    for head in _HEADS:
        if fold(subject).startswith(fold(head) + " "):
            return subject[len(head) + 1 :].strip()
    return subject


def answer_comparison(answerer, question: str, parts: Comparison, filters, k: int) -> AnswerResult | None:
    facts = []
    for subject, sub_question in zip(parts.subjects, parts.sub_questions):
        candidates = answerer.candidates(sub_question, filters=filters, k=k)
        extracted = decide(candidates, answerer.model)
        if not extracted.passes(answerer.refusal_threshold):
            return None
        passages = candidates.passages
        passage = passages[extracted.sentence.passage_index]
        if fold(_display_subject(subject)) not in answerer.reader.folded_article(passage.doc_id, passage.row):
            return None  # the fact found is about someone else
        value = _value(parts.kind, passage, extracted)
        if value is None:
            return None
        facts.append((subject, value, passage, extracted))
    if parts.kind == "number":
        facts = _same_unit(facts)
        if facts is None:
            return None  # no figure of one kind in both quotes: "115%" is not compared with "18 thanh niên"
    return _compose(question, parts, facts)


def _figures(passage, extracted) -> list[tuple[str, float, tuple[int, int]]]:
    """(unit, value, span) of each number in the fact's quote, its short answer first."""
    start, end = extracted.quote
    sentence = passage.text[start:end]
    found = []
    for s, e in number_spans(sentence):
        s2, e2 = extend_with_unit(sentence, s, e, [])
        value = parse_number(sentence[s:e])
        if value is not None:
            found.append((_unit(sentence[s:e2]), value, (start + s, start + e2)))
    if extracted.short is not None:
        found.sort(key=lambda f: not (f[2][0] <= extracted.short[0] < f[2][1]))
    return found


def _unit(figure: str) -> str:
    """"138,5%" → "%", "49 tỷ 687 triệu đồng" and "11 tỷ đồng" → "đồng", "18 thanh niên" → "thanh nien",
    "1.302" → ""."""
    folded = fold(figure).strip()
    if folded.endswith("%"):
        return "%"
    if MONEY_RE.fullmatch(figure.strip()):
        return "usd" if re.search(r"\b(usd|do la)\b", folded) else "đồng"
    return re.sub(r"^[\d.,\s]+", "", folded)


def _same_unit(facts):
    """Both facts as figures of the same unit: each short answer's when they agree; otherwise the
    first unit (the first fact's, then the second's) that both quotes hold a figure of."""
    figures = [_figures(passage, extracted) for _, _, passage, extracted in facts]
    if not all(figures):
        return None
    preferred = [figures[0][0][0], figures[1][0][0]]
    for unit in dict.fromkeys(preferred):
        chosen = [next((f for f in fs if f[0] == unit), None) for fs in figures]
        if all(chosen):  # a short answer that was not the chosen figure is moved onto it
            return [(subject, figure[1], passage,
                     extracted if figure is own[0] else replace(extracted, short=figure[2]))
                    for (subject, _, passage, extracted), figure, own in zip(facts, chosen, figures)]
    return None


def _value(kind: str, passage, extracted):
    if kind == "date":
        return passage.date  # the article's ISO date orders events across years
    if extracted.short is None:
        return None
    return parse_number(passage.text[extracted.short[0]:extracted.short[1]])


def _compose(question: str, parts: Comparison, facts) -> AnswerResult:
    seen: dict[str, int] = {}
    ordered = []
    for _, _, passage, _ in facts:
        if passage.chunk_id not in seen:
            seen[passage.chunk_id] = len(ordered)
            ordered.append(passage)
    citations = citations_for(ordered)
    clauses = []
    for subject, value, passage, extracted in facts:
        citation = citations[seen[passage.chunk_id]]
        citation.cited = True
        citation.quote = span_in_article(passage, *extracted.quote)
        if extracted.short is not None:
            citation.answer_span = span_in_article(passage, *extracted.short)
        shown = citation.answer_span.text if citation.answer_span else value
        if parts.kind == "date" and passage.date and shown != passage.date:
            shown = f"{shown} ({passage.date})"
        clauses.append(f"{_display_subject(subject)}: {shown} [{citation.n}]")
    (a, va, *_), (b, vb, *_) = facts
    if va == vb:
        verdict, winner = f"{_display_subject(a)} và {_display_subject(b)} bằng nhau", None
    else:
        first_bigger = va > vb
        wants_bigger = parts.word in _MORE or parts.word in ("sau", "muộn hơn")
        winner = _display_subject(a if first_bigger == wants_bigger else b)
        verdict = f"{winner} {parts.word}" + ("" if parts.word.endswith("hơn") or parts.kind == "date" else " hơn")
    return AnswerResult(question=question, answer=f"{verdict} — " + "; ".join(clauses) + ".", short_answer=winner,
                        abstained=False, mode="extractive", citations=citations,
                        confidence=round(min(f[3].probability for f in facts), 4))
