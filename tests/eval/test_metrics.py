"""The scoring functions, on cases whose right answer is known by hand."""

from __future__ import annotations

from eval.harness import GoldItem, calibrate_points, score_question
from eval.metrics import cited_numbers, contains_any, exact_match, token_f1


def test_normaliser_ignores_case_tone_placement_and_unicode_punctuation():
    assert exact_match("Đảng Uỷ", ["đảng ủy"]) == 1.0
    assert contains_any("Theo báo cáo, “553 đảng viên” [1].", ["553 Đảng viên"])
    assert not contains_any("Có 55 đảng viên [1].", ["553 đảng viên"])


def test_token_f1_is_max_over_gold_answers_on_syllables():
    assert token_f1("553 đảng viên", ["553", "553 đảng viên"]) == 1.0
    assert abs(token_f1("553", ["553 đảng viên"]) - 0.5) < 1e-9
    assert token_f1(None, ["553"]) == 0.0


def test_citation_markers_and_ranges():
    assert cited_numbers("a [1] b [2, 3] c [4-5].") == {1, 2, 3, 4, 5}


def item(**kwargs) -> GoldItem:
    base = dict(id="q", question="?", answers=["553 đảng viên"], doc_ids=["000"], evidence="có 553 đảng viên",
                category="number", answerable=True)
    return GoldItem(**{**base, **kwargs})


def citation(n, doc, text, cited=True):
    return {"n": n, "doc_id": doc, "text": text, "cited": cited}


def test_a_right_answer_scores_everywhere():
    result = {"answer": "Phường hiện có 553 đảng viên [1].", "short_answer": "553 đảng viên", "abstained": False,
              "citations": [citation(1, "000", "Phường hiện có 553 đảng viên sinh hoạt")]}
    passages = [{"doc_id": "111", "text": "khác"}, {"doc_id": "000", "text": "Phường hiện có 553 đảng viên"}]
    scores, miss = score_question(item(), result, passages)
    assert miss is None
    assert scores["doc_hit@1"] == 0 and scores["doc_hit@5"] == 1 and scores["mrr@10"] == 0.5
    assert scores["contains"] == scores["em"] == scores["citation_hit"] == scores["citation_valid"] == 1


def test_misses_are_classified():
    refused = {"answer": "Xin lỗi", "short_answer": None, "abstained": True, "citations": []}
    assert score_question(item(), refused, [])[1] == "wrong refusal"
    wrong = {"answer": "Có 22 chi bộ [7].", "short_answer": "22", "abstained": False,
             "citations": [citation(1, "000", "Phường hiện có 553 đảng viên")]}
    scores, miss = score_question(item(), wrong, [{"doc_id": "000", "text": "Phường hiện có 553 đảng viên"}])
    assert miss == "answer miss" and scores["citation_valid"] == 0
    assert score_question(item(), wrong, [{"doc_id": "9", "text": "x"}])[1] == "retrieval miss"
    answered = {"answer": "Có 5 [1].", "short_answer": "5", "abstained": False, "citations": [citation(1, "0", "5")]}
    assert score_question(item(answerable=False, answers=[], evidence=""), answered, [])[1] == "wrong answer"


def test_calibration_picks_the_gap_between_the_two_groups():
    points = [(0.9, True), (0.8, True), (0.7, True), (0.3, False), (0.2, False), (0.6, True)]
    best = calibrate_points(points)["best"]
    assert 0.3 < best["threshold"] < 0.6
    assert best["noans_accuracy"] == 1.0 and best["false_abstain_rate"] == 0.0
