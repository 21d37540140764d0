"""Fit the answerer's three scorers and two thresholds, and score them on held-out examples.

``fit`` learns from a list of examples (eval/train_data.py); ``predict`` answers
one example with a fitted model exactly as the product would (rag/extractive.py's
``decide``), so a cross-validation fold measures the shipped behaviour.
"""

from __future__ import annotations

import random

import numpy as np

from eval.metrics import contains_any, token_f1
from rag.extractive import decide, quoted_text, second_sentence, spans_with_rows, with_neighbour
from rag.features import ANSWER_FEATURES, SENTENCE_FEATURES, SPAN_FEATURES, schema_hash
from rag.scorer import AnswererModel, LinearScorer

SPAN_NEGATIVES_PER_QUESTION = 60
SPAN_MATCH_F1 = 0.5  # a span "matches" a gold answer at this token F1 or above
FRAGMENT_COST = 0.5  # a wrong short answer shown costs half a right one (span threshold)
QUOTE_MEDIAN_BUDGET = 220  # characters: the median quote of every set stays within it (quote rule)
# … and with a second sentence quoted: the 250 characters for the whole answer, less the [n] markers.
QUOTES_MEDIAN_BUDGET = 240
Z_CLIP = 5.0  # standardised features are clipped to ±Z_CLIP when fitting and scoring (rag/scorer.py)
QUOTE_MARGINS = (0.0, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 5.0)
THRESHOLD_FOLDS = 5  # article-grouped folds inside the training examples that choose the refusal threshold
QUOTE_JOIN_CHARS = (120, 160, 200, 240)  # characters: a neighbour joins, whatever it scores, when both fit
QUOTE_SECOND_MARGINS = (0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0)  # a second sentence of the article within this logit


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
    scorer = LinearScorer(names, mean, scale, np.zeros(len(names)), 0.0, "pointwise", Z_CLIP)
    model = LogisticRegression(C=1.0, max_iter=2000)
    model.fit(scorer.standardise(rows), labels, sample_weight=weights)
    scorer.coef, scorer.intercept = model.coef_[0], float(model.intercept_[0])
    return scorer


def _listwise(tables: list[np.ndarray], labels: list[np.ndarray], names: list[str], weights: np.ndarray,
              wrong: np.ndarray | None = None, l2: float = 1.0) -> LinearScorer:
    """A linear ranker fitted to choose within each question: softmax over the question's candidates,
    maximising the probability given to its right ones (several may be right) — or, for a question whose
    marked sentence is ``wrong`` (a thumbs-down), the probability left to the others. Same readable
    weights as the logistic scorer; only the objective differs (it compares sentences of one question)."""
    from scipy.optimize import minimize

    rows = np.vstack(tables)
    mean, scale = rows.mean(axis=0), rows.std(axis=0)
    scale[scale < 1e-9] = 1.0
    x = LinearScorer(names, mean, scale, np.zeros(len(names)), 0.0, "listwise", Z_CLIP).standardise(rows)
    bounds = np.cumsum([0] + [len(t) for t in tables])
    value_of = np.concatenate(labels).astype(float)
    group = np.repeat(np.arange(len(tables)), np.diff(bounds))
    w = np.asarray(weights, dtype=float) * len(tables) / float(np.sum(weights))
    flip = np.zeros(len(tables), dtype=bool) if wrong is None else np.asarray(wrong, dtype=bool)
    # What each candidate is worth (1 right / 0 wrong, or a graded value); the loss is minus the log of
    # the question's expected value under the softmax.
    target = np.where(flip[group], (value_of <= 0).astype(float), value_of)

    def loss(coef):
        z = x @ coef
        top = np.maximum.reduceat(z, bounds[:-1])
        e = np.exp(z - top[group])
        total, right = np.add.reduceat(e, bounds[:-1]), np.add.reduceat(e * target, bounds[:-1])
        right = np.maximum(right, 1e-300)
        value = -(w * (np.log(right) - np.log(total))).sum() + l2 * coef @ coef / 2
        gradient = -((w[group] * (e * target / right[group] - e / total[group]))[:, None] * x).sum(axis=0)
        return value, gradient + l2 * coef

    result = minimize(loss, np.zeros(x.shape[1]), jac=True, method="L-BFGS-B")
    return LinearScorer(names, mean, scale, result.x, 0.0, "listwise", Z_CLIP)


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


def span_f1s(example, index: int) -> np.ndarray:
    """Each span's token F1 against the gold answers, computed once per example (every fold reuses it)."""
    key = ("f1", index)
    if key not in example.span_cache:
        example.span_cache[key] = np.array([token_f1(t, example.item.answers) for t in spans_of(example, index)[2]])
    return example.span_cache[key]


# Which kind of scorer each stage uses (docs/answerer.md: trees were measured, linear kept).
KINDS = {"sentence": "listwise", "span": "listwise", "answer": "linear"}


def fit(examples, retrieval: dict, seed: int = 0, kinds: dict | None = None,
        threshold_folds: int = THRESHOLD_FOLDS) -> AnswererModel:
    """The three scorers fitted on ``examples``; the refusal threshold chosen on probabilities the model
    gives questions it was not fitted on (article-grouped folds inside ``examples``): its own training
    questions look easier to it than a new user's do, and a threshold chosen on them moves with every
    small change of the inputs (docs/answerer.md)."""
    model = _fit_scorers(examples, retrieval, seed, kinds)
    balance = set_weights(examples)
    groups = np.array([e.group for e in examples])
    if threshold_folds > 1 and len(set(groups)) >= threshold_folds:
        from sklearn.model_selection import GroupKFold

        points = []
        for inner, held in GroupKFold(n_splits=threshold_folds).split(examples, groups=groups):
            part = _fit_scorers([examples[i] for i in inner], retrieval, seed, kinds)
            points += _refusal_points([examples[i] for i in held], part, balance)
    else:
        points = _refusal_points(examples, model, balance)
    model.refusal_threshold = choose_refusal_threshold(points)
    return model


def _refusal_points(examples, model: AnswererModel, balance: dict[str, float]) -> list[tuple[float, bool, float]]:
    return [(predict(e, model)["probability"], e.kind == "answerable", balance[e.set_name])
            for e in examples if e.kind in ("answerable", "unanswerable", "out_of_corpus", "off_topic")]


def _fit_scorers(examples, retrieval: dict, seed: int, kinds: dict | None) -> AnswererModel:
    """The sentence, span and answer scorers, the quote rule and the span threshold (refusal threshold 0)."""
    kinds = {**KINDS, **(kinds or {})}
    rng = random.Random(seed)
    labelled = [e for e in examples if e.kind in ("answerable", "feedback_down") and len(e.sentence_labels)]
    ranking = [e for e in labelled if e.kind == "feedback_down" or e.sentence_labels.any()]
    balance = set_weights(examples)
    if kinds["sentence"] == "listwise":
        # A thumbs-down question needs another candidate to move its mass to.
        chosen = [e for e in ranking if e.sentence_labels.any()
                  and (e.kind != "feedback_down" or not e.sentence_labels.all())]
        sentence = _listwise([e.candidates.features for e in chosen], [e.sentence_labels for e in chosen],
                             SENTENCE_FEATURES, np.array([balance[e.set_name] for e in chosen]),
                             wrong=np.array([e.kind == "feedback_down" for e in chosen]))
    else:  # pointwise: a thumbs-down sentence is one wrong row, the rest of its question unknown
        tables = [e.candidates.features[e.sentence_labels > 0] if e.kind == "feedback_down" else e.candidates.features
                  for e in ranking]
        sentence = _scorer(kinds["sentence"], np.vstack(tables),
                           np.concatenate([np.zeros(len(t)) if e.kind == "feedback_down" else e.sentence_labels
                                           for e, t in zip(ranking, tables)]), SENTENCE_FEATURES,
                           np.concatenate([np.full(len(t), balance[e.set_name]) for e, t in zip(ranking, tables)]))
    span = _fit_span(kinds["span"], [e for e in ranking if e.kind == "answerable"], balance, rng)
    margin, join_chars, second = choose_quote(ranking, sentence, balance)
    draft = AnswererModel(sentence, span, None, 0.0, 0.0, retrieval, schema_hash(), margin, join_chars, second)
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
    return AnswererModel(sentence, span, answer, choose_span_threshold(span_points), 0.0, retrieval, schema_hash(),
                         margin, join_chars, second)


def choose_quote(examples, sentence, balance: dict[str, float]) -> tuple[float | None, int | None, float | None]:
    """When a neighbour joins the quote: within which sentence-logit margin (up to MAX_QUOTE_CHARS), and
    up to which length of the two together whatever it scores — the pair with the most quotes holding
    the answer while every set's median quote stays within QUOTE_MEDIAN_BUDGET characters; then, with
    that rule, within which margin a second sentence of the article is quoted too (same objective and budget)."""
    rows = [e for e in examples if e.kind == "answerable" and len(e.candidates.sentences)]
    if not rows:
        return None, None, None
    logits = [sentence.logits(e.candidates.features) for e in rows]
    holds: dict[tuple[int, tuple[int, int]], bool] = {}  # (row, quote) → the quote holds a gold answer
    best, best_value = (None, None), float("-inf")
    quotes: dict[tuple, list[tuple[int, int]]] = {}
    for join_chars in (None, *QUOTE_JOIN_CHARS):
        for margin in (None, *QUOTE_MARGINS):
            hits, lengths, spans = [], {}, []
            for n, (e, z) in enumerate(zip(rows, logits)):
                chosen = int(np.argmax(z))
                sentence_ = e.candidates.sentences[chosen]
                span = (with_neighbour(e.candidates.sentences, z, chosen, margin, join_chars)
                        or (sentence_.start, sentence_.end))
                spans.append(span)
                if (n, span) not in holds:
                    text = e.candidates.passages[sentence_.passage_index].text[span[0]:span[1]]
                    holds[n, span] = contains_any(text, e.item.answers)
                hits.append(balance[e.set_name] * holds[n, span])
                lengths.setdefault(e.set_name, []).append(span[1] - span[0])
            if max(np.median(v) for v in lengths.values()) > QUOTE_MEDIAN_BUDGET:
                continue
            quotes[margin, join_chars] = spans
            if np.mean(hits) > best_value + 1e-9:
                best, best_value = (margin, join_chars), float(np.mean(hits))
    if best not in quotes:
        return None, None, None
    # The second sentence each question would get with no margin, and how far below the first it scores:
    # a margin then only decides whether it is quoted (second_sentence takes the best one that qualifies).
    extras = []
    for n, (e, z, span) in enumerate(zip(rows, logits, quotes[best])):
        chosen = int(np.argmax(z))
        extra = second_sentence(e.candidates, z, chosen, span, float("inf"))
        if extra is None:
            extras.append(None)
            continue
        row = next(i for i, s_ in enumerate(e.candidates.sentences)
                   if (s_.passage_index, s_.start, s_.end) == extra)
        text = e.candidates.passages[extra[0]].text[extra[1]:extra[2]]
        extras.append((float(z[chosen] - z[row]), contains_any(text, e.item.answers), extra[2] - extra[1]))
    second_best = None
    for second in QUOTE_SECOND_MARGINS:
        hits, lengths = [], {}
        for n, (e, span, extra) in enumerate(zip(rows, quotes[best], extras)):
            hit, length = holds[n, span], span[1] - span[0]
            if extra is not None and extra[0] <= second:
                hit, length = hit or extra[1], length + extra[2]
            hits.append(balance[e.set_name] * hit)
            lengths.setdefault(e.set_name, []).append(length)
        if max(np.median(v) for v in lengths.values()) > QUOTES_MEDIAN_BUDGET:
            continue
        if np.mean(hits) > best_value + 1e-9:
            second_best, best_value = second, float(np.mean(hits))
    return best[0], best[1], second_best


def _fit_span(kind: str, examples, balance: dict[str, float], rng) -> LinearScorer:
    """The short-answer scorer, from the spans of each question's first right sentence: listwise, each span
    worth its squared token F1 against the gold answers; pointwise, those matching a gold answer (token
    F1 ≥ SPAN_MATCH_F1) against a sample of the others."""
    tables, labels, weights = [], [], []
    for e in examples:
        positive = int(np.flatnonzero(e.sentence_labels)[0])
        _, rows, texts = spans_of(e, positive)
        if not len(rows):
            continue
        f1 = span_f1s(e, positive)
        if kind == "listwise":
            # Graded: a span is worth its squared token F1, so the fit maximises the expected value of
            # its choice — a near-complete long answer beats a fragment, an exact one beats both.
            if f1.any():
                tables.append(rows)
                labels.append(f1 ** 2)
                weights.append(balance[e.set_name])
            continue
        matched = (f1 >= SPAN_MATCH_F1).astype(float)
        keep = list(np.flatnonzero(matched)) + rng.sample(list(np.flatnonzero(matched == 0)),
                                                          min(SPAN_NEGATIVES_PER_QUESTION, int((matched == 0).sum())))
        tables.append(rows[keep])
        labels.append(matched[keep])
        weights.append(np.full(len(keep), balance[e.set_name]))
    if kind == "listwise":
        return _listwise(tables, labels, SPAN_FEATURES, np.asarray(weights))
    return _scorer(kind, np.vstack(tables), np.concatenate(labels), SPAN_FEATURES, np.concatenate(weights))


def _answer_row(example, draft: AnswererModel):
    """The answer features of the product's own decision (draft model: every best span shown as the short
    answer), and whether that decision was right — the quote it would show, the short answer's F1."""
    decision = decide(example.candidates, draft, lambda i: spans_of(example, i)[:2], rival=False)
    if decision.sentence is None:
        return None, None
    text = example.candidates.passages[decision.sentence.passage_index].text
    answerable = example.kind == "answerable"
    contains = answerable and contains_any(quoted_text(example.candidates, decision), example.item.answers)
    span_f1 = (token_f1(text[decision.short[0]:decision.short[1]], example.item.answers)
               if answerable and decision.short is not None else None)
    return decision.row, {"contains": contains, "span_f1": span_f1, "span_p": decision.span_probability}


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
    answered = decision.passes(model.refusal_threshold)
    out = {"probability": decision.probability if decision.related else 0.0, "answered": answered, "contains": False, "f1": 0.0,
           "chars": None, "kind": example.kind, "set": example.set_name}
    if decision.sentence is not None and example.kind == "answerable":
        text = example.candidates.passages[decision.sentence.passage_index].text
        quote = quoted_text(example.candidates, decision)
        out["chars"] = len(quote)
        out["contains"] = answered and contains_any(quote, example.item.answers)
        if answered and decision.short is not None:
            out["f1"] = token_f1(text[decision.short[0]:decision.short[1]], example.item.answers)
    return out


def summarise(outcomes: list[dict]) -> dict:
    answerable = [o for o in outcomes if o["kind"] == "answerable"]
    unanswerable = [o for o in outcomes if o["kind"] == "unanswerable"]
    outside = [o for o in outcomes if o["kind"] == "out_of_corpus"]
    off_topic = [o for o in outcomes if o["kind"] == "off_topic"]
    answered_rate = np.mean([o["answered"] for o in answerable]) if answerable else None

    def share(rows, key):
        return round(float(np.mean([o[key] for o in rows])), 4) if rows else None

    chars = [o["chars"] for o in answerable if o["answered"] and o["chars"] is not None]
    summary = {"n": len(answerable), "contains": share(answerable, "contains"), "f1": share(answerable, "f1"),
               "chars_median": float(np.median(chars)) if chars else None,
               "false_abstain_rate": round(1 - float(answered_rate), 4) if answered_rate is not None else None}
    for name, rows in (("unanswerable", unanswerable), ("out_of_corpus", outside), ("off_topic", off_topic)):
        if rows and answerable:
            refused = float(np.mean([not o["answered"] for o in rows]))
            summary[f"{name}_refused"] = round(refused, 4)
            summary[f"{name}_balanced_accuracy"] = round((refused + float(answered_rate)) / 2, 4)
    return summary

