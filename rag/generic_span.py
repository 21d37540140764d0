"""A short answer for untyped questions ("… là gì?", "… nào?", "vì sao …?").

The answer to such a question is usually the stretch of the answering sentence
that the question does not repeat, next to the words it does repeat. Runs of
words absent from the question, cut at punctuation, are scored by closeness to
the question's words (nearest occurrence of each, IDF-weighted).
"""

from __future__ import annotations

import re

from index.textnorm import fold

_WORD = re.compile(r"[\w'’-]+|[^\w\s]")
_BREAKS = set(",.;:!?()[]\"“”'‘’–—…")
# Function words trimmed from the ends of a span: they are never the answer themselves.
_EDGE_WORDS = set(fold(
    "là của và với được bị các những một đã đang sẽ có trong ở tại cho từ đến về theo như thì mà này đó "
    "khi nếu vì do bởi để rằng cũng rất nhiều hơn nhất vào ra lên qua sau trước nên"
).split())
_REASON_CUES = ("vi", "do", "boi vi", "boi", "nho", "de", "nham")
MAX_SPAN_WORDS = 8


def generic_span(question: str, sentence: str, weights: dict[str, float]) -> tuple[int, int] | None:
    """weights: folded question word → IDF. Returns (start, end) in ``sentence``."""
    folded_question = set(fold(question).split())
    pieces = [(m.start(), m.end(), m.group(0)) for m in _WORD.finditer(sentence)]
    if not pieces:
        return None
    folded = [fold(text) for _, _, text in pieces]
    in_question = [f in folded_question for f in folded]
    anchors = [(i, weights.get(f, 0.5)) for i, f in enumerate(folded) if in_question[i] and f not in _EDGE_WORDS]
    why = bool(re.search(r"\b(tai sao|vi sao|vi ly do gi|ly do)\b", fold(question)))
    best, best_score = None, 0.0
    for first, last in _runs(pieces, in_question):
        while first <= last and folded[first] in _EDGE_WORDS:
            first += 1
        while last >= first and folded[last] in _EDGE_WORDS:
            last -= 1
        if first > last:
            continue
        words = last - first + 1
        if words > MAX_SPAN_WORDS:
            last = first + MAX_SPAN_WORDS - 1
        score = 0.0
        for position, weight in anchors:
            distance = first - position if position < first else position - last
            score += weight / (1.0 + max(distance, 0) / 3.0)
        if why and first > 0 and folded[first - 1] in _REASON_CUES:
            score *= 2.0
        if pieces[first][2][:1].isupper() or pieces[first][2][:1].isdigit():
            score *= 1.2  # names and numbers are the usual answers
        if score > best_score:
            best, best_score = (pieces[first][0], pieces[last][1]), score
    return best


def _runs(pieces, in_question):
    """(first, last) index ranges of words absent from the question, not crossing punctuation."""
    start = None
    for index, (_, _, text) in enumerate(pieces):
        breaks = text in _BREAKS or in_question[index]
        if breaks:
            if start is not None:
                yield start, index - 1
            start = None
        elif start is None:
            start = index
    if start is not None:
        yield start, len(pieces) - 1
