"""The quote: the chosen sentence, and the sentence next to it when the answer may stand there.

Native news sentences are short and the answer is often one sentence on from the one that repeats the
question; two short sentences still make a short quote, so the neighbour joins them whatever the ranker
scores it — up to a length the trainer fits under the quote-length budget.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from rag.candidates import SentenceCandidate

FIRST = "Hội nghị tổng kết công tác năm 2022 của phường đã diễn ra sáng nay."
SECOND = "Đại biểu đã thảo luận nhiều ý kiến."


def sentences(first: str, second: str) -> list[SentenceCandidate]:
    return [SentenceCandidate(0, 0, 0, len(first), first),
            SentenceCandidate(0, 1, len(first) + 1, len(first) + 1 + len(second), second)]


def test_a_short_neighbour_joins_whatever_it_scores_only_when_the_two_fit_the_join_length():
    from rag.extractive import with_neighbour

    pair = sentences(FIRST, SECOND)
    logits = np.array([3.0, -4.0])  # the neighbour scores far below the chosen sentence
    assert with_neighbour(pair, logits, 0, margin=1.0) is None
    assert with_neighbour(pair, logits, 0, margin=1.0, join_chars=200) == (0, pair[1].end)
    assert with_neighbour(pair, logits, 0, margin=1.0, join_chars=len(FIRST)) is None  # the two do not fit
    assert with_neighbour(pair, logits, 0, margin=None, join_chars=None) is None


def test_a_neighbour_within_the_margin_joins_only_while_the_quote_stays_readable():
    from rag.extractive import MAX_QUOTE_CHARS, with_neighbour

    long_second = "Đại biểu " + "thảo luận nhiều ý kiến, " * 20 + "thống nhất."
    assert len(FIRST) + len(long_second) > MAX_QUOTE_CHARS
    close = np.array([3.0, 2.5])
    assert with_neighbour(sentences(FIRST, SECOND), close, 0, margin=1.0) == (0, len(FIRST) + 1 + len(SECOND))
    assert with_neighbour(sentences(FIRST, long_second), close, 0, margin=1.0) is None


class _ColumnRanker:
    """The sentence ranker's one method choose_quote uses: a logit per sentence (here, given)."""

    def logits(self, features: np.ndarray) -> np.ndarray:
        return features[:, 0]


def _example(first: str, second: str, answer: str, set_name: str):
    text = f"{first} {second}"
    return SimpleNamespace(kind="answerable", set_name=set_name, item=SimpleNamespace(answers=[answer]),
                           candidates=SimpleNamespace(sentences=sentences(first, second),
                                                      features=np.array([[3.0], [-4.0]]),
                                                      passages=[SimpleNamespace(text=text)]))


def test_the_trainer_joins_short_neighbours_that_hold_the_answer_within_the_length_budget():
    from eval.train_fit import QUOTE_JOIN_CHARS, QUOTE_MEDIAN_BUDGET, choose_quote

    examples = [_example(FIRST, SECOND, "nhiều ý kiến", name) for name in ("news", "wiki")]
    margin, join_chars = choose_quote(examples, _ColumnRanker(), {"news": 1.0, "wiki": 1.0})
    assert join_chars is not None and join_chars >= len(FIRST) + 1 + len(SECOND)

    # The same answers, but each pair is longer than the median budget (each sentence alone is not):
    # joining would fit the longest join length, and it is not afforded.
    first = FIRST + " Hội nghị có sự tham dự của lãnh đạo quận và các ban ngành, đoàn thể của phường."
    second = SECOND[:-1] + " về công tác xây dựng Đảng và chính quyền năm 2023."
    assert len(first) < QUOTE_MEDIAN_BUDGET < len(first) + 1 + len(second) <= max(QUOTE_JOIN_CHARS)
    examples = [_example(first, second, "nhiều ý kiến", name) for name in ("news", "wiki")]
    assert choose_quote(examples, _ColumnRanker(), {"news": 1.0, "wiki": 1.0}) == (None, None)
