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
import unicodedata
from dataclasses import dataclass, replace

from index.textnorm import fold, has_diacritics
from rag.answer_text import citations_for, span_in_article
from rag.candidates import WORD_RE
from rag.extractive import decide
from rag.result import AnswerResult
from rag.spans import MONEY_RE, extend_with_unit, number_spans, parse_number

_NUMBER_WORDS = r"\b(nhiều|ít|cao|thấp|lớn|nhỏ)\s+(.*?)\s*hơn\b"
_DATE_WORDS = r"\b(trước|sớm hơn|sau|muộn hơn)\b"
_PATTERN_SOURCES = [
    r"^(?P<base>.+?\bnào\b.+?)[,:]\s*(?P<a>[^,:]+?)\s+(?:hay|hoặc)\s+(?P<b>[^,:?]+?)\s*\??$",
    r"^(?:giữa|trong số)\s+(?P<a>.+?)\s+(?:và|với)\s+(?P<b>.+?),\s*(?P<base>.+?\bnào\b.+?)\s*\??$",
    r"^(?P<pre>.+?)\s+của\s+(?P<a>.+?)\s+và\s+(?:của\s+)?(?P<b>.+?),\s*(?P<base>.+?\bnào\b.+?)\s*\??$",
]
_MORE = {"nhiều", "cao", "lớn"}
_HEADS = ("phường", "xã", "huyện", "quận", "tỉnh", "thành phố", "thị xã", "đơn vị", "nơi")


def _bare(text: str) -> str:
    """Diacritics off, case and regex syntax kept: the grammar of a question typed without accents."""
    stripped = "".join(ch for ch in unicodedata.normalize("NFD", text) if not unicodedata.combining(ch))
    return stripped.replace("đ", "d").replace("Đ", "D")


@dataclass(frozen=True)
class _Grammar:
    """The comparison patterns in one spelling: as written, or without accents ("phuong nao … hon, A hay B")
    — matched on the question only when it is typed without any mark, so "sáu" is never read as "sau"."""

    number: re.Pattern
    date: re.Pattern
    patterns: list
    words: dict  # the comparative as matched → as written ("nhieu" → "nhiều")
    how_many: str
    when: str
    which: str
    of: str

    @classmethod
    def build(cls, plain: bool) -> "_Grammar":
        spell = _bare if plain else (lambda text: text)
        words = {spell(w): w for w in ("nhiều", "ít", "cao", "thấp", "lớn", "nhỏ", "trước", "sớm hơn", "sau", "muộn hơn")}
        return cls(re.compile(spell(_NUMBER_WORDS), re.IGNORECASE), re.compile(spell(_DATE_WORDS), re.IGNORECASE),
                   [re.compile(spell(source), re.IGNORECASE) for source in _PATTERN_SOURCES], words,
                   spell("bao nhiêu"), spell("khi nào"), spell("nào"), spell("của"))


_ACCENTED, _PLAIN = _Grammar.build(False), _Grammar.build(True)


@dataclass
class Comparison:
    subjects: list[str]
    sub_questions: list[str]
    kind: str  # "number" | "date"
    word: str  # the comparative as asked: "nhiều", "trước"…


def comparison_parts(question: str) -> Comparison | None:
    text = question.strip()
    grammar = _ACCENTED if has_diacritics(text) else _PLAIN
    for pattern in grammar.patterns:
        match = pattern.match(text)
        if not match:
            continue
        base = match.group("base")
        subjects = [match.group("a").strip(), match.group("b").strip()]
        number = _comparative(grammar, base)
        date = grammar.date.search(base)
        if not number and not date:
            continue
        found = number or date
        kind, word = ("number" if number else "date"), grammar.words.get(found.group(1).lower(), found.group(1).lower())
        prefix = match.groupdict().get("pre")
        subs = [_sub_question(base, subject, kind, prefix, grammar) for subject in subjects]
        return Comparison(subjects, subs, kind, word)
    return None


def _comparative(grammar: _Grammar, text: str) -> re.Match | None:
    """The comparative nearest its "hơn": in "báo cáo lớn hơn" (typed "bao cao lon hon") it is "lớn", not
    the "cao" of "báo cáo"."""
    found = grammar.number.search(text)
    while found is not None:
        inner = grammar.number.search(text, found.start() + 1)
        if inner is None or inner.end() != found.end():
            break
        found = inner
    return found


def _sub_question(base: str, subject: str, kind: str, prefix: str | None, grammar: _Grammar = _ACCENTED) -> str:
    which = grammar.which
    if prefix:  # "Hội nghị X của A và của B, hội nghị nào diễn ra trước" → "Hội nghị X của A diễn ra khi nào"
        asked = f"{prefix} {grammar.of} {subject} " + re.sub(
            rf"^.*?\b{which}\b\s*", "", base, flags=re.IGNORECASE)
    else:
        folded_subject = fold(subject)
        head = next((h for h in _HEADS if folded_subject.startswith(fold(h) + " ")), None)
        if head and grammar is _PLAIN:
            head = _bare(head)
        pattern = rf"\b{head}\s+{which}\b" if head else rf"\b{which}\b"
        asked = re.sub(pattern, subject, base, count=1, flags=re.IGNORECASE)
        if asked == base:
            asked = re.sub(rf"\b{which}\b", subject, base, count=1, flags=re.IGNORECASE)
    if kind == "number":
        found = _comparative(grammar, asked)
        if found is None:
            return asked + "?"
        return asked[:found.start()] + f"{grammar.how_many} {found.group(2)}".strip() + asked[found.end():] + "?"
    return grammar.date.sub(grammar.when, asked, count=1) + "?"


def _display_subject(subject: str) -> str:
    """"phường Phước Tân (năm 2020)" → "Phước Tân": the short answer names the subject only."""
    subject = re.sub(r"\s*\(.*?\)\s*", " ", subject).strip()
    for head in _HEADS:
        if fold(subject).startswith(fold(head) + " "):
            return subject[len(head) + 1 :].strip()
    return subject


def _as_written(subject: str, passage) -> str:
    """The subject as its article writes it ("phuoc tan" typed without accents is shown "Phước Tân"):
    the first run of words in the passage's title or text that folds like it; else as typed."""
    wanted = fold(subject).split()
    if not wanted:
        return subject
    for text in (passage.title or "", passage.text):
        found = list(WORD_RE.finditer(text))
        folded = [fold(m.group(0)) for m in found]
        for i in range(len(found) - len(wanted) + 1):
            if folded[i:i + len(wanted)] == wanted:
                return text[found[i].start():found[i + len(wanted) - 1].end()]
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
        facts.append((_as_written(_display_subject(subject), passage), value, passage, extracted))
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
