"""Example questions drawn from whatever is indexed, so they always have an answer.

Two shapes read naturally in Vietnamese and suit extractive answering:
"<X> có bao nhiêu <noun>?" from a sentence "<X> (hiện) có <number> <noun>",
and "<event title> được tổ chức vào ngày nào?" for titles that name an event. Each
candidate is asked once (extractive, fast) and kept only if it is answered
without a refusal and with the short answer it was built for (the sentence's figure, a day for an event),
so a clicked example never shows the refusal state or a wrong answer.
"""

from __future__ import annotations

import re
import threading

from index.chunking import split_sentences
from index.errors import HoidapError
from rag.pipeline import Answerer

MAX_EXAMPLES = 5
MAX_CANDIDATES = 14
_COUNT = re.compile(
    r"^(?P<subj>[^\W\d_][^,;:()\d]{3,60}?)\s+(?:hiện\s+)?có\s+(?P<num>\d[\d.,]*)\s+"
    r"(?P<noun>[^\W\d_]\w*(?:\s+[^\W\d_]\w*)?)", re.UNICODE)
_EVENT_WORDS = ("hội nghị", "tổng kết", "sơ kết", "tổ chức", "khai mạc", "đại hội", "hội thi", "ra quân", "lễ ")
_GENERIC_CAPS = {"Đảng", "Nhà", "Hiện", "Trong", "Năm", "Ngày", "Tại", "Theo"}
_cache: dict[str, list[str]] = {}
_lock = threading.Lock()


def _named(subject: str) -> bool:
    """A subject that names a place or body ("Phường Phước Tân"), not "Đảng bộ phường"."""
    words = subject.split()
    caps = [w for w in words[1:] if w[:1].isupper() and w not in _GENERIC_CAPS]
    return len(caps) >= 2 and len(words) <= 8


def count_questions(text: str) -> list[str]:
    return [question for question, _ in _counts(text)]


def _counts(text: str) -> list[tuple[str, str]]:
    """(question, the figure the sentence gives)."""
    out = []
    for start, end in split_sentences(text):
        m = _COUNT.match(text[start:end].strip())
        if m and _named(m["subj"]):
            subject = m["subj"].strip()
            subject = subject[0].upper() + subject[1:]
            out.append((f"{subject} có bao nhiêu {m['noun'].strip()}?", m["num"].rstrip(".,")))
    return out


_DAY = re.compile(r"\b\d{1,2}\s*[/-]\s*\d{1,2}\b|\bngày\s+\d", re.IGNORECASE)  # "31/12/2020", "7-1", "ngày 7"


def _answers_as_built(expected: str | None, short_answer: str | None) -> bool:
    """The short answer is the one the example was built for: the sentence's figure, or a day for an event
    (a suggested question answered "năm 2021" for "vào ngày nào?" is worse than none)."""
    if not short_answer:
        return False
    if expected is None:
        return bool(_DAY.search(short_answer))
    return re.search(rf"(?<![\d.,]){re.escape(expected)}(?![\d.,]*\d)", short_answer) is not None


def event_question(title: str) -> str | None:
    title = " ".join(title.split()).rstrip(" .…")
    if len(title) > 60 and "," in title:  # "Hội nghị BCH …, khóa XII (mở rộng), nhiệm kỳ …": keep the name
        title = title.split(",")[0]
    lowered = title.lower()
    if not (15 <= len(title) <= 90) or re.match(r"^(sáng|chiều|tối|ngày)\b", lowered):
        return None
    if not any(word in lowered + " " for word in _EVENT_WORDS):
        return None
    if re.match(r"^(hội nghị|đại hội|hội thi|lễ)\b", lowered):  # a noun phrase: it "is held"
        return f"{title} được tổ chức vào ngày nào?"
    return f"{title} vào ngày nào?"  # a clause: "<who> <did what> … on which day?"


def candidates(answerer: Answerer) -> list[tuple[str, str | None]]:
    """(question, the figure it was built from — None for an event's day), round robin over the articles."""
    reader = answerer.reader
    per_doc: list[list[tuple[str, str | None]]] = []
    for doc_id in reader.doc_ids:
        article = reader.article(doc_id)
        found: list[tuple[str, str | None]] = _counts(article.text)[:2]
        event = event_question(article.title)
        if event:
            found.append((event, None))
        per_doc.append(found)
    ordered: list[tuple[str, str | None]] = []
    for rank in range(3):  # round robin: one from each article before a second from any
        ordered += [qs[rank] for qs in per_doc if len(qs) > rank]
    seen, unique = set(), []
    for q, expected in ordered:
        if q.lower() not in seen:
            seen.add(q.lower())
            unique.append((q, expected))
    return unique[:MAX_CANDIDATES]


def example_questions(answerer: Answerer) -> list[str]:
    """Up to MAX_EXAMPLES answerable questions; [] when there is no index."""
    try:
        manifest = answerer.reader.manifest
    except HoidapError:
        return []
    key = f"{manifest.built_at}:{manifest.generation}:{len(manifest.articles)}"
    with _lock:
        if key in _cache:
            return _cache[key]
    kept = []
    for question, expected in candidates(answerer):
        try:
            result = answerer.answer(question, mode="extractive", k=3)
        except HoidapError:
            continue
        if not result.abstained and _answers_as_built(expected, result.short_answer):
            kept.append(question)
        if len(kept) >= MAX_EXAMPLES:
            break
    with _lock:
        _cache[key] = kept
    return kept
