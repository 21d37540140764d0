"""Scoring, with one Vietnamese normaliser everywhere (NFC, case, tone marks, punctuation, spaces)."""

from __future__ import annotations

import re
from collections import Counter
from statistics import median

from index.textnorm import TOKEN_RE, normalize_for_compare

MARKER_RE = re.compile(r"\[\s*\d+(?:\s*[,\-–]\s*\d+)*\s*\]")


def norm(text: str | None) -> str:
    return normalize_for_compare(text or "")


def answer_tokens(text: str | None) -> list[str]:
    return TOKEN_RE.findall(norm(text))


def strip_markers(text: str) -> str:
    return MARKER_RE.sub(" ", text or "")


def cited_numbers(text: str) -> set[int]:
    numbers: set[int] = set()
    for marker in MARKER_RE.findall(text or ""):
        for a, b in re.findall(r"(\d+)(?:\s*[\-–]\s*(\d+))?", marker):
            numbers.update(range(int(a), int(b or a) + 1))
    return numbers


def exact_match(prediction: str | None, golds: list[str]) -> float:
    if not prediction:
        return 0.0
    predicted = " ".join(answer_tokens(prediction))
    return float(any(predicted == " ".join(answer_tokens(g)) for g in golds))


def token_f1(prediction: str | None, golds: list[str]) -> float:
    """SQuAD-style F1 on syllables, max over the gold answers."""
    predicted = answer_tokens(prediction)
    best = 0.0
    for gold in golds:
        expected = answer_tokens(gold)
        common = sum((Counter(predicted) & Counter(expected)).values())
        if not predicted or not expected or common == 0:
            continue
        precision, recall = common / len(predicted), common / len(expected)
        best = max(best, 2 * precision * recall / (precision + recall))
    return best


def short_answer_matches(prediction: str | None, golds: list[str], threshold: float) -> bool:
    """Syllable F1 ≥ ``threshold`` with a gold answer that says every number the prediction says: "4 đồng
    chí" shares two syllables of three with "6 đồng chí", but it is another answer."""
    def numbers(text: str | None) -> set[str]:
        return {t for t in answer_tokens(text) if any(c.isdigit() for c in t)}

    said = numbers(prediction)
    return any(token_f1(prediction, [gold]) >= threshold and said <= numbers(gold) for gold in golds)


def contains_any(text: str, needles: list[str]) -> bool:
    haystack = norm(strip_markers(text))
    return any(norm(n) and norm(n) in haystack for n in needles)


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    position = (len(ordered) - 1) * q
    low, high = int(position), min(int(position) + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def middle(values: list[float]) -> float:
    return float(median(values)) if values else 0.0
