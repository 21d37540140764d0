"""What `hoidap train --feedback` learns from the page's votes: the last vote on an answer, and none
when the voter took it back (the page writes every click; the trainer reads the outcome)."""

from __future__ import annotations

from eval.train_data import feedback_items
from ui.feedback import FeedbackLog

Q = "Đảng bộ phường Phước Tân có bao nhiêu đảng viên?"
ANSWER = "553 đảng viên [1]."
CITED = [{"n": 1, "doc_id": "000_phuoc_tan", "quote": "Đảng bộ phường hiện có 553 đảng viên."}]


def _votes(tmp_path, *votes):
    log = FeedbackLog(tmp_path)
    for vote, turn in votes:
        log.append(Q, ANSWER, CITED, vote, source="page", turn=turn)
    return feedback_items(log.path)


def test_a_vote_taken_back_teaches_nothing(tmp_path):
    up, down = _votes(tmp_path, ("down", "s1#1"), ("retract", "s1#1"))
    assert (up, down) == ([], [])


def test_a_changed_vote_counts_once_as_the_last_one(tmp_path):
    up, down = _votes(tmp_path, ("up", "s1#1"), ("down", "s1#1"))
    assert up == [] and [item.answers for item in down] == [[CITED[0]["quote"]]]


def test_votes_on_different_turns_or_from_the_api_each_count(tmp_path):
    up, down = _votes(tmp_path, ("up", "s1#1"), ("up", "s2#1"), ("up", None), ("up", None), ("retract", "s3#1"))
    assert len(up) == 4 and down == []
