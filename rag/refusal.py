"""When the extractive answerer refuses.

The threshold applies to the support score of the best sentence (the
IDF-weighted share of the question's content words it contains). It is
calibrated on the seed gold set's unanswerable questions with
``hoidap eval --calibrate`` and copied here; see docs/refusal.md.
"""

DEFAULT_REFUSAL_THRESHOLD = 0.381


def should_refuse(support: float, threshold: float | None = None) -> bool:
    return support < (DEFAULT_REFUSAL_THRESHOLD if threshold is None else threshold)
