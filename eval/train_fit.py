"""Fit the answerer's three scorers and two thresholds, and score them on held-out examples.

``fit`` learns from a list of examples (eval/train_data.py); ``predict`` answers
one example with a fitted model exactly as the product would (rag/extractive.py's
``decide``), so a cross-validation fold measures the shipped behaviour.
"""

from __future__ import annotations

import random

import numpy as np

from eval.metrics import contains_any, token_f1
from rag.extractive import decide, spans_with_rows
from rag.features import ANSWER_FEATURES, SENTENCE_FEATURES, SPAN_FEATURES, answer_row, schema_hash
from rag.scorer import AnswererModel, LinearScorer, sigmoid

SPAN_NEGATIVES_PER_QUESTION = 60
SPAN_MATCH_F1 = 0.5  # a span "matches" a gold answer at this token F1 or above
FRAGMENT_COST = 0.5  # a wrong short answer shown costs half a right one (span threshold)


def set_weights(examples) -> dict[str, float]:
    """Each set weighs the same in every fit, whatever its size: the seeds' 100 local-government
    questions count as much as vinewsqa-dev's 2,500 health-news ones."""
    sizes: dict[str, int] = {}
    for e in examples:
        sizes[e.set_name] = sizes.get(e.set_name, 0) + 1
    total = sum(sizes.values())
    return {name: total / (len(sizes) * size) for name, size in sizes.items()}


def _logistic(rows: np.ndarray, labels: np.ndarray, names: list[str], weights: np.ndarray | None = None) -> LinearScorer:
    from sklearn.linear_model import LogisticRegression

    mean = rows.mean(axis=0)
    scale = rows.std(axis=0)
    scale[scale < 1e-9] = 1.0
    model = LogisticRegression(C=1.0, max_iter=2000)
    model.fit((rows - mean) / scale, labels, sample_weight=weights)
    return LinearScorer(names, mean, scale, model.coef_[0], float(model.intercept_[0]))


def _scorer(kind: str, rows, labels, names, weights=None):
    if kind != "linear":
        raise ValueError(f"unknown scorer kind {kind}")
    return _logistic(rows, labels, names, weights)


def spans_of(example, index: int):
    if index not in example.span_cache:
        text = example.candidates.sentences[index].text
        spans, rows = spans_with_rows(example.candidates.context, text)
        example.span_cache[index] = (spans, rows, [text[s.start:s.end] for s in spans])
    return example.span_cache[index]


# Which kind of scorer each stage uses (docs/answerer.md: trees were measured, linear kept).
KINDS = {"sentence": "linear", "span": "linear", "answer": "linear"}


def fit(examples, retrieval: dict, seed: int = 0, kinds: dict | None = None) -> AnswererModel:
    kinds = {**KINDS, **(kinds or {})}
    rng = random.Random(seed)
    labelled = [e for e in examples if e.kind in ("answerable", "feedback_down") and len(e.sentence_labels)]
    ranking = [e for e in labelled if e.kind == "feedback_down" or e.sentence_labels.any()]
    balance = set_weights(examples)
    sentence = _scorer(kinds["sentence"], np.vstack([e.candidates.features for e in ranking]),
                       np.concatenate([e.sentence_labels for e in ranking]), SENTENCE_FEATURES,
                       np.concatenate([np.full(len(e.sentence_labels), balance[e.set_name]) for e in ranking]))
    span_x, span_y, span_w = [], [], []
    for e in ranking:
        if e.kind != "answerable":
            continue
        positive = int(np.flatnonzero(e.sentence_labels)[0])
        _, rows, texts = spans_of(e, positive)
        if not len(rows):
            continue
        labels = np.array([token_f1(t, e.item.answers) >= SPAN_MATCH_F1 for t in texts], dtype=float)
        keep = list(np.flatnonzero(labels)) + rng.sample(list(np.flatnonzero(labels == 0)),
                                                         min(SPAN_NEGATIVES_PER_QUESTION, int((labels == 0).sum())))
        span_x.append(rows[keep])
        span_y.append(labels[keep])
        span_w.append(np.full(len(keep), balance[e.set_name]))
    span = _scorer(kinds["span"], np.vstack(span_x), np.concatenate(span_y), SPAN_FEATURES, np.concatenate(span_w))
    draft = AnswererModel(sentence, span, span, 0.0, 0.0, retrieval, schema_hash())
    answer_x, answer_y, answer_w, span_points = [], [], [], []
    for e in examples:
        if e.kind == "feedback_down":
            continue
        row, outcome = _answer_row(e, draft)
        if row is None:
            continue
        answer_x.append(row)
        answer_y.append(float(outcome["contains"]))
        answer_w.append(balance[e.set_name])
        if outcome["span_f1"] is not None:
            span_points.append((outcome["span_p"], outcome["span_f1"]))
    answer = _scorer(kinds["answer"], np.vstack(answer_x), np.asarray(answer_y), ANSWER_FEATURES, np.asarray(answer_w))
    model = AnswererModel(sentence, span, answer, choose_span_threshold(span_points), 0.0, retrieval, schema_hash())
    refusal_points = [(predict(e, model)["probability"], e.kind == "answerable", balance[e.set_name])
                      for e in examples if e.kind in ("answerable", "unanswerable", "out_of_corpus")]
    model.refusal_threshold = choose_refusal_threshold(refusal_points)
    return model


def _answer_row(example, model: AnswererModel):
    candidates = example.candidates
    if not candidates.sentences:
        return None, None
    logits = model.sentence.logits(candidates.features)
    best = int(np.argmax(logits))
    spans, rows, texts = spans_of(example, best)
    span_logit, span_text, span_prior = None, None, 0.0
    if len(rows):
        span_logits = model.span.logits(rows)
        chosen = int(np.argmax(span_logits))
        span_logit, span_text, span_prior = float(span_logits[chosen]), texts[chosen], spans[chosen].prior
    top = max((p.lexical_score for p in candidates.passages), default=0.0)
    row = answer_row(candidates.context, candidates.features, logits, best, top, span_logit, span_prior)
    answerable = example.kind == "answerable"
    contains = answerable and contains_any(candidates.sentences[best].text, example.item.answers)
    span_f1 = token_f1(span_text, example.item.answers) if answerable and span_text is not None else None
    return row, {"contains": contains, "span_f1": span_f1,
                 "span_p": float(sigmoid(span_logit)) if span_logit is not None else 0.0}


def choose_span_threshold(points: list[tuple[float, float]]) -> float:
    """The span probability above which a short answer is shown: the best mean of F1 minus
    FRAGMENT_COST for every shown answer that shares no word with the gold answer."""
    if not points:
        return 0.5
    best, best_value = 0.0, float("-inf")
    for threshold in np.linspace(0.0, 0.9, 46):
        value = np.mean([(f1 if f1 > 0 else -FRAGMENT_COST) if p >= threshold else 0.0 for p, f1 in points])
        if value > best_value:
            best, best_value = float(threshold), value
    return best


def choose_refusal_threshold(points: list[tuple[float, bool, float]]) -> float:
    """Highest balanced accuracy: (answerable answered + negatives refused) / 2, each set weighing the same."""
    answerable = np.array([(p, w) for p, a, w in points if a]).reshape(-1, 2)
    negative = np.array([(p, w) for p, a, w in points if not a]).reshape(-1, 2)
    if not len(answerable) or not len(negative):
        return 0.0
    best, best_value = 0.0, -1.0
    for threshold in np.unique(np.round(np.concatenate([answerable[:, 0], negative[:, 0]]), 4)):
        value = (np.average(answerable[:, 0] >= threshold, weights=answerable[:, 1])
                 + np.average(negative[:, 0] < threshold, weights=negative[:, 1])) / 2
        if value > best_value:
            best, best_value = float(threshold), value
    return best


def predict(example, model: AnswererModel) -> dict:
    """What the product would answer: right or wrong, refused or not, the short answer's F1."""
    decision = decide(example.candidates, model, lambda i: spans_of(example, i)[:2])
    answered = decision.sentence is not None and decision.probability >= model.refusal_threshold
    out = {"probability": decision.probability, "answered": answered, "contains": False, "f1": 0.0,
           "chars": None, "kind": example.kind, "set": example.set_name}
    if decision.sentence is not None and example.kind == "answerable":
        text = example.candidates.passages[decision.sentence.passage_index].text
        quote = text[decision.quote[0]:decision.quote[1]]
        out["chars"] = len(quote)
        out["contains"] = answered and contains_any(quote, example.item.answers)
        if answered and decision.short is not None:
            out["f1"] = token_f1(text[decision.short[0]:decision.short[1]], example.item.answers)
    return out


def summarise(outcomes: list[dict]) -> dict:
    answerable = [o for o in outcomes if o["kind"] == "answerable"]
    unanswerable = [o for o in outcomes if o["kind"] == "unanswerable"]
    outside = [o for o in outcomes if o["kind"] == "out_of_corpus"]
    answered_rate = np.mean([o["answered"] for o in answerable]) if answerable else None

    def share(rows, key):
        return round(float(np.mean([o[key] for o in rows])), 4) if rows else None

    chars = [o["chars"] for o in answerable if o["answered"] and o["chars"] is not None]
    summary = {"n": len(answerable), "contains": share(answerable, "contains"), "f1": share(answerable, "f1"),
               "chars_median": float(np.median(chars)) if chars else None,
               "false_abstain_rate": round(1 - float(answered_rate), 4) if answered_rate is not None else None}
    for name, rows in (("unanswerable", unanswerable), ("out_of_corpus", outside)):
        if rows and answerable:
            refused = float(np.mean([not o["answered"] for o in rows]))
            summary[f"{name}_refused"] = round(refused, 4)
            summary[f"{name}_balanced_accuracy"] = round((refused + float(answered_rate)) / 2, 4)
    return summary

