"""Ask every gold question, score it, aggregate: the `hoidap eval` contract.

Per question, retrieval is measured on the top 10 passages of the same
retriever the answerer uses; the answer, its citations and its refusal come
from the answerer with the requested k.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path

from eval.metrics import (cited_numbers, contains_any, exact_match, mean, middle, norm, percentile, token_f1)

RETRIEVAL_DEPTH = 10


@dataclass
class GoldItem:
    id: str
    question: str
    answers: list[str]
    doc_ids: list[str]
    evidence: str
    category: str
    answerable: bool


def load_gold(path: Path) -> list[GoldItem]:
    items = []
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if line.strip():
                try:
                    items.append(GoldItem(**json.loads(line)))
                except (ValueError, TypeError) as exc:
                    from index.errors import HoidapError

                    raise HoidapError(f"Dòng {number} của {path} không hợp lệ: {exc}") from exc
    return items


@dataclass
class QuestionRecord:
    item: GoldItem
    result: dict
    passages: list[dict]  # top-10 retrieval: doc_id, text
    latency_ms: float
    scores: dict = field(default_factory=dict)
    miss: str | None = None  # retrieval miss | answer miss | wrong refusal | wrong answer


def score_question(item: GoldItem, result: dict, passages: list[dict]) -> tuple[dict, str | None]:
    gold_docs = set(item.doc_ids)
    needles = [item.evidence] if item.evidence else []

    def has_evidence(p):
        return p["doc_id"] in gold_docs and any(norm(n) in norm(p["text"]) for n in needles)

    scores: dict = {}
    returned = {c["n"]: c for c in result["citations"]}
    markers = cited_numbers(result["answer"])
    scores["citation_valid"] = float(all(n in returned for n in markers))
    abstained = bool(result["abstained"])
    if item.answerable:
        docs = [p["doc_id"] in gold_docs for p in passages]
        evidence = [has_evidence(p) for p in passages]
        scores["doc_hit@1"] = float(any(docs[:1]))
        scores["doc_hit@5"] = float(any(docs[:5]))
        scores["evidence_hit@1"] = float(any(evidence[:1]))
        scores["evidence_hit@5"] = float(any(evidence[:5]))
        first = next((i for i, hit in enumerate(evidence[:RETRIEVAL_DEPTH]) if hit), None)
        scores["mrr@10"] = 1.0 / (first + 1) if first is not None else 0.0
        answered = not abstained
        scores["contains"] = float(answered and contains_any(result["answer"], item.answers))
        scores["em"] = exact_match(result.get("short_answer"), item.answers) if answered else 0.0
        scores["f1"] = token_f1(result.get("short_answer"), item.answers) if answered else 0.0
        cited = [c for c in result["citations"] if c["n"] in markers]
        scores["citation_hit"] = float(any(
            c["doc_id"] in gold_docs and (contains_any(c["text"], needles) or contains_any(c["text"], item.answers))
            for c in cited))
        scores["abstained"] = float(abstained)
        if abstained:
            miss = "wrong refusal"
        elif not scores["evidence_hit@5"] and not scores["contains"]:
            miss = "retrieval miss"
        elif not scores["contains"]:
            miss = "answer miss"
        else:
            miss = None
    else:
        scores["abstained"] = float(abstained)
        miss = None if abstained else "wrong answer"
    return scores, miss


def aggregate(records: list[QuestionRecord]) -> dict:
    answerable = [r for r in records if r.item.answerable]
    unanswerable = [r for r in records if not r.item.answerable]

    def avg(rows, key):
        return round(mean([r.scores[key] for r in rows if key in r.scores]), 4)

    report = {
        "n": len(records),
        "retrieval": {k: avg(answerable, k) for k in ("doc_hit@1", "doc_hit@5", "evidence_hit@1", "evidence_hit@5", "mrr@10")},
        "answer": {
            "contains": avg(answerable, "contains"),
            "em": avg(answerable, "em"),
            "f1": avg(answerable, "f1"),
            "chars_median": middle([len(r.result["answer"]) for r in answerable if not r.result["abstained"]]),
        },
        "citation": {"valid": avg(records, "citation_valid"), "hit": avg(answerable, "citation_hit")},
        "abstention": {
            "noans_accuracy": avg(unanswerable, "abstained") if unanswerable else None,
            "false_abstain_rate": avg(answerable, "abstained"),
        },
        "latency_ms": {
            "p50": round(percentile([r.latency_ms for r in records], 0.5), 2),
            "p95": round(percentile([r.latency_ms for r in records], 0.95), 2),
        },
    }
    return report


def retrieval_scores(item: GoldItem, passages: list[dict]) -> dict:
    """The retrieval part of ``score_question``, for any ranked list of passages (hoidap's or a baseline's)."""
    scores, _ = score_question(item, {"answer": "", "citations": [], "abstained": False}, passages)
    return {k: scores[k] for k in ("doc_hit@1", "doc_hit@5", "evidence_hit@1", "evidence_hit@5", "mrr@10")}


def baseline_report(answerer, items: list[GoldItem], questions: list[str]) -> dict:
    """Plain BM25 over paragraphs (eval/baseline.py) on the same questions, same metrics."""
    from eval.baseline import PlainBM25

    baseline = PlainBM25.from_reader(answerer.reader)
    rows = [retrieval_scores(item, baseline.search(question, RETRIEVAL_DEPTH))
            for item, question in zip(items, questions) if item.answerable]
    keys = ("doc_hit@1", "doc_hit@5", "evidence_hit@1", "evidence_hit@5", "mrr@10")
    return {"name": "bm25", "retrieval": {k: round(mean([r[k] for r in rows]), 4) for k in keys}}


def evaluate(answerer, items: list[GoldItem], *, mode: str | None = None, k: int | None = None,
             progress=None, baseline: str | None = None, typos: bool = False,
             unaccented: bool = False, chatty: bool = False) -> tuple[dict, list[QuestionRecord]]:
    """``typos``: ask each question with one deterministic typo (eval/typos.py); ``unaccented``: without
    any diacritic, as typed with no Vietnamese input method (after the typo, when both); ``chatty``: with a
    greeting or "cho tôi hỏi" and "ạ" around it (eval/chatty.py; after the typo, which falls on the question);
    ``baseline="bm25"``: add plain BM25's retrieval figures on the same questions."""
    from eval.chatty import as_in_chat
    from eval.typos import mistype, without_marks

    records = []
    asked = [mistype(item.question, item.id) if typos else item.question for item in items]
    if chatty:
        asked = [as_in_chat(question, item.id) for item, question in zip(items, asked)]
    if unaccented:
        asked = [without_marks(question) for question in asked]
    if progress:
        progress.start("Đánh giá (evaluating)", len(items))
    for item, question_text in zip(items, asked):
        started = time.perf_counter()
        result = answerer.answer(question_text, mode=mode, k=k)
        latency = (time.perf_counter() - started) * 1000
        question = result.rewritten_question or question_text
        top = answerer.retriever.retrieve(answerer.analyse(question)[0], k=RETRIEVAL_DEPTH)
        passages = [{"doc_id": p.doc_id, "text": p.text, "chunk_id": p.chunk_id} for p in top]
        payload = result.model_dump()
        scores, miss = score_question(item, payload, passages)
        records.append(QuestionRecord(item, payload, passages, latency, scores, miss))
        if progress:
            progress.advance(1)
    if progress:
        progress.finish()
    report = aggregate(records)
    categories = sorted({r.item.category for r in records})
    report["by_category"] = {c: aggregate([r for r in records if r.item.category == c]) for c in categories}
    if baseline == "bm25":
        report["baseline"] = baseline_report(answerer, items, asked)
    elif baseline:
        raise ValueError(f"unknown baseline {baseline}")
    return report, records


def calibrate(records: list[QuestionRecord]) -> dict:
    return calibrate_points([(r.result.get("confidence") or 0.0, r.item.answerable) for r in records])


def calibrate_points(points_in: list[tuple[float, bool]]) -> dict:
    """The refusal threshold that best separates answerable from unanswerable questions:
    the highest balanced accuracy ((refused unanswerable + answered answerable) / 2) over
    the confidences the answerer reported, ties going to fewer wrong refusals."""
    values = sorted({round(c, 4) for c, _ in points_in})
    # Midpoints between observed confidences: the threshold sits in the gap, not on a question.
    points = [0.0] + [round((a + b) / 2, 4) for a, b in zip(values, values[1:])] + [1.01]
    rows = []
    for threshold in points:
        refused_unans = [c < threshold for c, answerable in points_in if not answerable]
        refused_ans = [c < threshold for c, answerable in points_in if answerable]
        noans = mean([float(x) for x in refused_unans]) if refused_unans else 0.0
        false = mean([float(x) for x in refused_ans]) if refused_ans else 0.0
        rows.append({"threshold": threshold, "noans_accuracy": round(noans, 4), "false_abstain_rate": round(false, 4),
                     "balanced": round((noans + 1 - false) / 2, 4)})
    best = max(rows, key=lambda row: (row["balanced"], -row["false_abstain_rate"]))
    return {"best": best, "table": rows}
