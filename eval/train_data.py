"""Training examples for the answerer, made by asking the product's own path every gold question.

For each question the retriever returns its passages and rag/ builds the very
candidates and features it builds at query time; the gold answers label them.
Four kinds of example come out:

* answerable questions over the whole corpus (sentence and span labels, and
  "was the chosen answer right" for the answerability model);
* unanswerable gold questions (viquad2-dev's adversarial ones, the seeds');
* out-of-corpus negatives made here: an answerable question asked with its own
  article(s) filtered out of retrieval — as if the article had never been
  indexed, the commonest real reason a question must be refused;
* off-topic negatives: questions of the *other* sets asked of this set's
  articles (a football question put to an archive of ward news), which share
  almost nothing with any article.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from eval.harness import GoldItem
from eval.metrics import contains_any, norm


@dataclass
class Example:
    set_name: str
    group: str  # the article the question was written against: folds never split an article
    item: GoldItem
    kind: str  # answerable | unanswerable | out_of_corpus | off_topic | feedback_down
    candidates: object  # rag.extractive.Candidates
    sentence_labels: np.ndarray  # 1 = the sentence holds a gold answer
    span_cache: dict = field(default_factory=dict)  # sentence index → (spans, rows, texts); ("f1", index) → F1s


@dataclass
class TrainingSet:
    """One gold file and the corpus its questions are about."""

    name: str
    gold: Path
    corpus: Path


def parse_set(spec: str) -> TrainingSet:
    """``DIR`` (holding gold.jsonl and corpus/) or ``GOLD.jsonl@CORPUS_DIR``."""
    from index.errors import HoidapError

    if "@" in spec:
        gold, corpus = spec.split("@", 1)
        gold_path, corpus_path = Path(gold), Path(corpus)
        name = gold_path.stem
    else:
        folder = Path(spec)
        gold_path, corpus_path, name = folder / "gold.jsonl", folder / "corpus", folder.name
    if not gold_path.is_file() or not corpus_path.is_dir():
        raise HoidapError(f"Bộ huấn luyện {spec}: cần tệp gold và thư mục bài viết (need DIR with gold.jsonl and "
                          "corpus/, or GOLD.jsonl@CORPUS_DIR).")
    return TrainingSet(name, gold_path, corpus_path)


def feedback_items(path: Path) -> tuple[list[GoldItem], list[GoldItem]]:
    """Thumbs-up: the cited sentence answers the question; thumbs-down: it does not. A voter's later vote
    on the same answer (same page turn, question and answer) replaces the earlier one, and a vote taken
    back ("retract") leaves none: a thumb clicked by mistake and undone teaches nothing."""
    latest: dict = {}
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        record = json.loads(line)
        key = (record.get("turn") or f"line-{number}", record.get("question"), record.get("answer"))
        latest.pop(key, None)  # re-inserted below, so the file's order is kept by the last vote
        latest[key] = (number, record)
    up, down = [], []
    for number, record in latest.values():
        cited = [c for c in record.get("citations", []) if c.get("quote")]
        if not cited or record.get("vote") not in ("up", "down"):
            continue
        first = cited[0]
        item = GoldItem(id=f"feedback-{number}", question=record["question"], answers=[first["quote"]],
                        doc_ids=[first["doc_id"]], evidence=first["quote"], category="feedback", answerable=True)
        (up if record["vote"] == "up" else down).append(item)
    return up, down


def make_examples(answerer, set_name: str, items: list[GoldItem], *, out_of_corpus_share: float, seed: int = 0,
                  k: int = 5, progress=None, kind_for_answerable: str = "answerable") -> list[Example]:
    from rag.retrieval import Filters

    rng = random.Random(seed)
    examples = []
    all_docs = answerer.reader.doc_ids
    for item in items:
        group = f"{set_name}:{item.doc_ids[0] if item.doc_ids else item.id}"
        kind = kind_for_answerable if item.answerable else "unanswerable"
        examples.append(_example(answerer, set_name, group, item, kind, None, k))
        if item.answerable and kind == "answerable" and rng.random() < out_of_corpus_share:
            others = [d for d in all_docs if d not in set(item.doc_ids)]
            if others:
                examples.append(_example(answerer, set_name, group, item, "out_of_corpus", Filters(doc_ids=others), k))
        if progress:
            progress.advance(1)
    return examples


def off_topic_examples(answerer, set_name: str, foreign: list[GoldItem], *, count: int, seed: int = 0,
                       k: int = 5) -> list[Example]:
    """``count`` questions written for other corpora, asked of this one: each must be refused."""
    rng = random.Random(seed)
    chosen = rng.sample(foreign, min(count, len(foreign)))
    return [_example(answerer, set_name, f"{set_name}:off-topic:{item.id}", item, "off_topic", None, k)
            for item in chosen]


def _example(answerer, set_name, group, item, kind, filters, k) -> Example:
    candidates = answerer.candidates(item.question, filters=filters, k=k)
    labels = np.zeros(len(candidates.sentences))
    if kind in ("answerable", "feedback_down"):
        texts = [s.text for s in candidates.sentences]
        labels = quoted_labels(texts, item.answers[0]) if item.category == "feedback" else sentence_labels(texts, item)
    return Example(set_name, group, item, kind, candidates, labels)


def quoted_labels(texts: list[str], quote: str) -> np.ndarray:
    """1 for a sentence the voted quote holds, or that holds it (a quote may span two sentences)."""
    quoted = norm(quote)
    return np.array([float(bool(norm(t)) and (norm(t) in quoted or quoted in norm(t))) for t in texts])


def sentence_labels(texts: list[str], item: GoldItem) -> np.ndarray:
    """1 for a sentence that holds a gold answer — and, when the gold names its evidence sentence and some
    candidate overlaps it, only for those: "2020" in another sentence is not where the answer was read."""
    holds = np.array([float(contains_any(t, item.answers)) for t in texts])
    evidence = set(norm(item.evidence).split()) if item.evidence else set()
    if not evidence or not holds.any():
        return holds
    overlap = np.array([len(set(norm(t).split()) & evidence) / len(evidence) for t in texts])
    strict = holds * (overlap >= 0.6)
    return strict if strict.any() else holds
