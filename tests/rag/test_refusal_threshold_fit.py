"""The refusal threshold is chosen on probabilities from models that never saw the question's article.

A model scores its own training questions more confidently than a new user's; a threshold chosen on
them moved with every small change of the inputs (docs/answerer.md). The trainer now fits the scorers
again inside article-grouped folds of the training examples and chooses the threshold on the questions
each fold held out.
"""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DECIDING = ("answerable", "unanswerable", "out_of_corpus", "off_topic")  # the kinds the threshold is chosen on


@pytest.fixture(scope="module")
def seed_examples(answerer):
    from eval.harness import load_gold
    from eval.train_data import make_examples

    gold = load_gold(REPO / "eval" / "gold" / "seeds.jsonl")
    return make_examples(answerer, "seeds", gold[:45], out_of_corpus_share=0.5)


def test_every_threshold_point_comes_from_a_model_fitted_without_its_article(seed_examples, monkeypatch):
    import eval.train_fit as train_fit

    fitted_on: dict[int, set[str]] = {}
    scored: list[tuple[set[str], list[str]]] = []
    fit_scorers, refusal_points = train_fit._fit_scorers, train_fit._refusal_points

    def recording_fit(examples, *args):
        model = fit_scorers(examples, *args)
        fitted_on[id(model)] = {e.group for e in examples}
        return model

    def recording_points(examples, model, balance):
        scored.append((fitted_on[id(model)], [e.group for e in examples if e.kind in DECIDING]))
        return refusal_points(examples, model, balance)

    monkeypatch.setattr(train_fit, "_fit_scorers", recording_fit)
    monkeypatch.setattr(train_fit, "_refusal_points", recording_points)
    model = train_fit.fit(seed_examples, {}, threshold_folds=3)

    assert len(scored) == 3
    for seen, groups in scored:
        assert not seen & set(groups), "a threshold point was scored by a model fitted on its article"
    # every question that decides the threshold is scored once
    deciding = [e.group for e in seed_examples if e.kind in DECIDING]
    assert sorted(g for _, groups in scored for g in groups) == sorted(deciding)
    assert 0.0 < model.refusal_threshold < 1.0
