"""The optional cross-encoder reranker, with a tiny random-weight model loaded like a real one."""

from __future__ import annotations

from pathlib import Path

from index.config import Settings
from rag.pipeline import Answerer
from tests.support.tiny_st import build_tiny_cross_encoder

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def test_configured_reranker_orders_passages_by_its_scores(seed_data_dir, tmp_path):
    texts = [p.read_text(encoding="utf-8") for p in SEEDS.glob("*.txt")]
    model_dir = build_tiny_cross_encoder(tmp_path / "tiny-ce", texts)
    answerer = Answerer(Settings(data_dir=seed_data_dir, mode="extractive", reranker=str(model_dir)))
    passages = answerer.retriever.retrieve("Phường Phước Tân có bao nhiêu đảng viên?", k=5)
    scores = [p.score for p in passages]
    assert scores == sorted(scores, reverse=True)
    assert all("rerank_input" in p.ranks for p in passages), "every passage went through the cross-encoder"
    from sentence_transformers import CrossEncoder

    expected = CrossEncoder(str(model_dir), device="cpu").predict(
        [("Phường Phước Tân có bao nhiêu đảng viên?", passages[0].text)])[0]
    assert abs(float(expected) - passages[0].score) < 1e-4


def test_unloadable_reranker_warns_once_and_answers_anyway(seed_data_dir, tmp_path):
    answerer = Answerer(Settings(data_dir=seed_data_dir, mode="extractive", reranker=str(tmp_path / "missing")))
    first = answerer.answer("Phường Phước Tân có bao nhiêu đảng viên?")
    second = answerer.answer("Phường Phước Tân có bao nhiêu đảng viên?")
    assert first.short_answer == "553 đảng viên"
    assert len(first.warnings) == 1 and "xếp hạng lại" in first.warnings[0]
    assert second.warnings == []
