"""The shipped answerer model: three scorers, two thresholds and the quote rule, read from plain JSON.

``rag/models/answerer.json`` is written by ``hoidap train`` (eval/train.py) and
evaluated here with numpy alone, so a cold ``hoidap ask`` never imports
scikit-learn. Each scorer is linear: standardised (clipped) features, one readable
weight each (shallow gradient-boosted trees were measured: a few points better
on short-answer F1, not better at choosing the sentence, and unreadable —
docs/answerer.md).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from index.errors import HoidapError
from rag.features import FEATURE_SCHEMA, schema_hash

MODEL_PATH = Path(__file__).parent / "models" / "answerer.json"


@dataclass
class LinearScorer:
    features: list[str]
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float
    # "pointwise": each candidate judged alone (a logistic probability); "listwise": candidates of one
    # question compete (a softmax over them gives each one's chance of being the right one).
    objective: str = "pointwise"
    # Standardised values are clipped to ±clip: a rare feature (tiny spread) far from its mean must not
    # outweigh all the others (a title match once scored 25 standard deviations).
    clip: float | None = None

    @classmethod
    def from_dict(cls, raw: dict) -> "LinearScorer":
        return cls(list(raw["features"]), np.asarray(raw["mean"]), np.asarray(raw["scale"]),
                   np.asarray(raw["coef"]), float(raw["intercept"]), raw.get("objective", "pointwise"),
                   None if raw.get("clip") is None else float(raw["clip"]))

    def to_dict(self) -> dict:
        return {"kind": "linear", "objective": self.objective, "clip": self.clip, "features": self.features,
                "mean": _rounded(self.mean), "scale": _rounded(self.scale), "coef": _rounded(self.coef),
                "intercept": round(float(self.intercept), 6)}

    def standardise(self, rows: np.ndarray) -> np.ndarray:
        z = (rows - self.mean) / self.scale
        return np.clip(z, -self.clip, self.clip) if self.clip is not None else z

    def choice(self, rows: np.ndarray) -> tuple[int, float, float] | None:
        """(index, logit, probability) of the best candidate among ``rows``; the probability is the
        softmax share for a listwise scorer, the logistic probability for a pointwise one."""
        if not len(rows):
            return None
        logits = self.logits(rows)
        best = int(np.argmax(logits))
        if self.objective == "listwise":
            shares = np.exp(logits - logits[best])
            return best, float(logits[best]), float(1.0 / shares.sum())
        return best, float(logits[best]), float(sigmoid(logits[best]))

    def logits(self, rows: np.ndarray) -> np.ndarray:
        if rows.size == 0:
            return np.zeros(len(rows))
        return self.standardise(rows) @ self.coef + self.intercept

    def probabilities(self, rows: np.ndarray) -> np.ndarray:
        return sigmoid(self.logits(rows))


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-np.clip(x, -30, 30)))


def _rounded(values) -> list[float]:
    return [round(float(v), 6) for v in values]


@dataclass
class AnswererModel:
    sentence: LinearScorer
    span: LinearScorer
    answer: LinearScorer | None  # None in the trainer's draft, before the answer scorer is fitted
    span_threshold: float  # below it no short answer is given
    refusal_threshold: float  # below it the question is refused
    retrieval: dict  # field weights chosen by cross-validation
    schema: str
    quote_margin: float | None = None  # a neighbour within this sentence logit joins the quote (None: never)
    quote_join_chars: int | None = None  # a neighbour joins whatever it scores when both fit in this (None: never)
    # Another sentence of the same article within this sentence logit is quoted after the first (None: never).
    quote_second_margin: float | None = None

    @classmethod
    def from_dict(cls, raw: dict) -> "AnswererModel":
        return cls(LinearScorer.from_dict(raw["sentence"]), LinearScorer.from_dict(raw["span"]),
                   LinearScorer.from_dict(raw["answer"]), float(raw["span_threshold"]),
                   float(raw["refusal_threshold"]), dict(raw.get("retrieval", {})), raw["schema_hash"],
                   None if raw.get("quote_margin") is None else float(raw["quote_margin"]),
                   None if raw.get("quote_join_chars") is None else int(raw["quote_join_chars"]),
                   None if raw.get("quote_second_margin") is None else float(raw["quote_second_margin"]))

    def to_dict(self) -> dict:
        return {"schema_hash": self.schema, "feature_schema": FEATURE_SCHEMA, "retrieval": self.retrieval,
                "span_threshold": round(self.span_threshold, 4),
                "refusal_threshold": round(self.refusal_threshold, 4),
                "quote_margin": None if self.quote_margin is None else round(self.quote_margin, 4),
                "quote_join_chars": self.quote_join_chars,
                "quote_second_margin": None if self.quote_second_margin is None else round(self.quote_second_margin, 4),
                "sentence": self.sentence.to_dict(), "span": self.span.to_dict(), "answer": self.answer.to_dict()}


def read_model(path: Path) -> AnswererModel:
    try:
        raw = json.loads(Path(path).read_text(encoding="utf-8"))
        model = AnswererModel.from_dict(raw)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise HoidapError(f"Không đọc được mô hình trả lời {path}: {exc} (run 'hoidap train').") from exc
    if model.schema != schema_hash():
        raise HoidapError(f"Mô hình trả lời {path} được huấn luyện cho bộ đặc trưng khác "
                          "(feature schema changed: run 'hoidap train').")
    return model


@lru_cache(maxsize=4)
def load_model(path: str | None = None) -> AnswererModel:
    """The shipped model, or the one at ``path`` (``HOIDAP_ANSWERER_MODEL``), read once per process."""
    return read_model(Path(path) if path else MODEL_PATH)
