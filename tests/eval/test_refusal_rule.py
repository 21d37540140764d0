"""How `hoidap train` chooses the refusal threshold from held-out probabilities.

Balanced accuracy is flat near its top: thresholds a few hundredths apart refuse and answer almost the same
share, while the right answers they give differ. The trainer takes the lowest threshold it cannot tell from
the best (within one standard error), so a small change of the training examples does not move it far and a
tie is decided for answering.
"""

from __future__ import annotations

import numpy as np

from eval.train_fit import balanced_accuracy_error, choose_refusal_threshold


def _points(answerable, negative, weight=1.0):
    return [(p, True, weight) for p in answerable] + [(p, False, weight) for p in negative]


def test_a_clear_gap_is_where_the_threshold_goes():
    rng = np.random.default_rng(0)
    answerable = rng.uniform(0.6, 0.9, 400)
    negative = rng.uniform(0.05, 0.3, 400)
    threshold = choose_refusal_threshold(_points(answerable, negative))
    assert (answerable >= threshold).all() and (negative < threshold).all()


def test_a_tie_within_the_error_is_decided_for_answering():
    # 200 answerable, 200 negatives. Refusing below 0.8 is the best cut (0.885), but refusing below 0.5
    # (0.880) answers 16 more of the answerable questions: the two differ by a third of a standard error.
    answerable = [0.8] * 184 + [0.5] * 16
    negative = [0.1] * 152 + [0.5] * 18 + [0.9] * 30
    points = _points(answerable, negative)

    def balanced(t):
        return (np.mean(np.array(answerable) >= t) + np.mean(np.array(negative) < t)) / 2

    assert balanced(0.8) > balanced(0.5) > balanced(0.8) - 0.01  # 0.8 is the argmax, 0.5 a hair below
    assert choose_refusal_threshold(points) == 0.5


def test_a_difference_larger_than_the_error_is_kept():
    # Refusing below 0.5 instead of below 0.9 would answer 40 % of the negatives: not a tie.
    answerable = [0.9] * 200
    negative = [0.1] * 120 + [0.5] * 80
    assert choose_refusal_threshold(_points(answerable, negative)) == 0.9


def test_the_error_counts_weighted_examples_by_their_effective_number():
    equal = balanced_accuracy_error(0.8, np.ones(100), 0.7, np.ones(100))
    assert abs(equal - np.sqrt(0.8 * 0.2 / 100 + 0.7 * 0.3 / 100) / 2) < 1e-12
    # one example carrying almost all the weight is worth about one example, not a hundred
    lopsided = balanced_accuracy_error(0.8, np.array([1000.0] + [1.0] * 99), 0.7, np.ones(100))
    assert lopsided > 3 * equal
