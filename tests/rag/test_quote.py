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
        return features[:, -1]


def _example(first: str, second: str, answer: str, set_name: str):
    text = f"{first} {second}"
    return SimpleNamespace(kind="answerable", set_name=set_name, item=SimpleNamespace(answers=[answer]),
                           candidates=SimpleNamespace(sentences=sentences(first, second),
                                                      features=np.array([[3.0], [-4.0]]),
                                                      passages=[SimpleNamespace(text=text, doc_id="a")]))


def test_the_trainer_joins_short_neighbours_that_hold_the_answer_within_the_length_budget():
    from eval.train_fit import QUOTE_JOIN_CHARS, QUOTE_MEDIAN_BUDGET, choose_quote

    examples = [_example(FIRST, SECOND, "nhiều ý kiến", name) for name in ("news", "wiki")]
    margin, join_chars, _ = choose_quote(examples, _ColumnRanker(), {"news": 1.0, "wiki": 1.0})
    assert join_chars is not None and join_chars >= len(FIRST) + 1 + len(SECOND)

    # The same answers, but each pair is longer than the median budget (each sentence alone is not):
    # joining would fit the longest join length, and it is not afforded.
    first = FIRST + " Hội nghị có sự tham dự của lãnh đạo quận và các ban ngành, đoàn thể của phường."
    second = SECOND[:-1] + " về công tác xây dựng Đảng và chính quyền năm 2023."
    assert len(first) < QUOTE_MEDIAN_BUDGET < len(first) + 1 + len(second) <= max(QUOTE_JOIN_CHARS)
    examples = [_example(first, second, "nhiều ý kiến", name) for name in ("news", "wiki")]
    assert choose_quote(examples, _ColumnRanker(), {"news": 1.0, "wiki": 1.0}) == (None, None, None)


# --- a second sentence of the same article

PASSAGE_A = "Đảng bộ phường Phước Tân hiện có 553 đảng viên. Phường có 12 khu phố. Toàn Đảng bộ sinh hoạt tại 29 chi bộ."
PASSAGE_B = "Đảng bộ phường Tây Sơn có 31 chi bộ trực thuộc."


def _candidates(passages: list[tuple[str, str]], logits: list[float], covers: list[float] | None = None):
    """Every sentence of the passages (doc id, text), with the given ranker logits (last feature column)
    and share of the question's words (the cover_unigram column; 0.5 unless given)."""
    from index.chunking import split_sentences
    from rag.features import SENTENCE_FEATURES

    assert SENTENCE_FEATURES.index("cover_unigram") == 0

    found = []
    for index, (_, text) in enumerate(passages):
        for position, (start, end) in enumerate(split_sentences(text)):
            found.append(SentenceCandidate(index, position, start, end, text[start:end]))
    assert len(found) == len(logits)
    covers = [0.5] * len(logits) if covers is None else covers
    return SimpleNamespace(sentences=found, features=np.column_stack([covers, logits]),
                           passages=[SimpleNamespace(doc_id=d, text=t) for d, t in passages])


def test_a_second_sentence_is_the_articles_best_other_one_within_the_margin():
    from rag.extractive import second_sentence

    c = _candidates([("a", PASSAGE_A), ("b", PASSAGE_B)], [3.0, 0.0, 2.5, 2.9])
    first = c.sentences[0]
    quote = (first.start, first.end)
    # Tây Sơn's sentence scores higher, but it is another article: "29 chi bộ" is quoted, not "31".
    third = c.sentences[2]
    assert second_sentence(c, c.features[:, -1], 0, quote, margin=1.0) == (0, third.start, third.end)
    assert second_sentence(c, c.features[:, -1], 0, quote, margin=0.25) is None  # 2.5 is 0.5 below 3.0
    assert second_sentence(c, c.features[:, -1], 0, quote, margin=None) is None


def test_a_duplicated_paragraph_or_the_quote_itself_is_never_the_second_sentence():
    from rag.extractive import second_sentence

    copy = "Đảng bộ phường Phước Tân hiện có 553 đảng viên."
    c = _candidates([("a", PASSAGE_A), ("a", copy)], [3.0, 0.0, 1.0, 2.9])
    first = c.sentences[0]
    third = c.sentences[2]
    # The copy in the article's next passage scores 2.9: skipped for the third sentence.
    assert second_sentence(c, c.features[:, -1], 0, (first.start, first.end), margin=5.0) == (0, third.start, third.end)
    # A quote already holding the first two sentences: the second is not quoted twice.
    c = _candidates([("a", PASSAGE_A)], [3.0, 2.9, -1.0])
    both = (c.sentences[0].start, c.sentences[1].end)
    assert second_sentence(c, c.features[:, -1], 0, both, margin=1.0) is None


def test_a_sentence_without_any_of_the_questions_words_is_never_the_second_sentence():
    from rag.extractive import second_sentence

    byline = PASSAGE_A + " Hoàng Bình"  # the article's byline, last: a name, which "Ai …?" ranks high
    c = _candidates([("a", byline)], [3.0, -1.0, 0.5, 2.8], covers=[0.6, 0.2, 0.4, 0.0])
    first, third = c.sentences[0], c.sentences[2]
    assert c.sentences[3].text == "Hoàng Bình"
    assert second_sentence(c, c.features[:, -1], 0, (first.start, first.end), margin=3.0) == (0, third.start, third.end)


def test_the_trainer_quotes_a_second_sentence_when_it_holds_answers_the_first_misses():
    from eval.train_fit import choose_quote

    def example(name, answer):
        c = _candidates([("a", PASSAGE_A)], [3.0, -2.0, 2.2])  # the runner-up is 0.8 below, two sentences on
        return SimpleNamespace(kind="answerable", set_name=name, item=SimpleNamespace(answers=[answer]), candidates=c)

    ranker = _ColumnRanker()
    split = [example(n, "29 chi bộ") for n in ("news", "wiki")] + [example(n, "553 đảng viên") for n in ("news", "wiki")]
    margin, join_chars, second = choose_quote(split, ranker, {"news": 1.0, "wiki": 1.0})
    assert second is not None and second >= 0.8
    # When the first sentence always holds the answer, a second one only lengthens the answer: not quoted.
    held = [example(n, "553 đảng viên") for n in ("news", "wiki")]
    assert choose_quote(held, ranker, {"news": 1.0, "wiki": 1.0})[2] is None


def test_the_answer_quotes_both_sentences_each_with_its_source():
    from rag.answer_text import extractive_result
    from rag.extractive import Decision
    from rag.retrieval import Passage

    other = "Đại hội nhiệm kỳ 2020–2025 thành công tốt đẹp. Toàn Đảng bộ sinh hoạt tại 29 chi bộ."
    passages = [Passage(0, "a:0", "a", "Phước Tân", None, PASSAGE_A, 0, len(PASSAGE_A), 1.0),
                Passage(1, "a:1", "a", "Phước Tân", None, other, 500, 500 + len(other), 0.9)]
    found = _candidates([("a", PASSAGE_A), ("a", other)], [3.0, 0.0, 1.0, 0.5, 2.6]).sentences
    first, in_other = found[0], found[4]
    decision = Decision(first, (first.text.index("553"), first.text.index(".")), (first.start, first.end), 0.9, True,
                        second=(1, in_other.start, in_other.end))
    result = extractive_result("Phước Tân có bao nhiêu đảng viên và chi bộ?", passages, decision, threshold=0.5)
    assert result.answer == f"{first.text[:-1]} [1]. {in_other.text[:-1]} [2]."
    assert result.short_answer == "553 đảng viên"
    assert [c.cited for c in result.citations] == [True, True]
    assert result.citations[1].quote.text == in_other.text and result.citations[1].quote.start == 500 + in_other.start

    # In the same passage: one source, both sentences quoted from it.
    third = found[2]
    decision.second = (0, third.start, third.end)
    result = extractive_result("Phước Tân có bao nhiêu đảng viên và chi bộ?", passages, decision, threshold=0.5)
    assert result.answer.endswith(f"{third.text[:-1]} [1].") and not result.citations[1].cited
    assert [q.text for q in result.citations[0].more_quotes] == [third.text]


def test_a_title_is_never_quoted_as_part_of_the_sentence_under_it(answerer):
    # Cầu Ông Lãnh's article: the title line "Phường Cầu Ông Lãnh quan tâm công tác phát triển đảng viên mới",
    # then "Ngày 7/7/2020, Đảng bộ phường Cầu Ông Lãnh tổ chức hội nghị …". Joined, they read as one run-on
    # sentence ("… đảng viên mới  Ngày 7/7/2020 …").
    result = answerer.answer("Hội nghị của phường Cầu Ông Lãnh diễn ra khi nào?")
    assert "7/7/2020" in result.answer
    assert "đảng viên mới" not in result.answer
