"""The shipped answerer model: it matches the feature code, has its card, loads without scikit-learn,
and `hoidap train` rebuilds one from gold questions that then answers."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from rag.features import FEATURE_SCHEMA, schema_hash
from rag.scorer import MODEL_PATH, read_model

REPO = Path(__file__).resolve().parents[2]


def test_shipped_model_was_trained_for_the_current_feature_code():
    # Fails whenever rag/features.py's feature lists change without `hoidap train` being run again.
    raw = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
    assert raw["schema_hash"] == schema_hash(), "features changed: retrain with `hoidap train`"
    assert raw["feature_schema"] == FEATURE_SCHEMA
    model = read_model(MODEL_PATH)
    assert len(model.sentence.coef) == len(FEATURE_SCHEMA["sentence"])
    assert len(model.span.coef) == len(FEATURE_SCHEMA["span"])
    assert len(model.answer.coef) == len(FEATURE_SCHEMA["answer"])
    assert 0.0 < model.refusal_threshold < 1.0


def test_model_card_names_its_training_files_and_held_out_figures():
    card = MODEL_PATH.with_suffix(".card.md").read_text(encoding="utf-8")
    assert schema_hash() in card
    for name in ("xquad-vi", "vinewsqa-dev", "viquad2-dev", "seeds"):
        assert re.search(rf"\| {name} \| \S+ \| `[0-9a-f]{{16}}…` \|", card), name
        assert f"| {name} | k-fold |" in card and f"| {name} | leave-one-set-out |" in card


def test_query_path_reads_the_model_without_scikit_learn(seed_data_dir):
    code = ("import sys; from index.config import Settings; from rag.pipeline import Answerer; "
            f"r = Answerer(Settings(data_dir={str(seed_data_dir)!r}, mode='extractive')).answer("
            "'Phường Phước Tân có bao nhiêu đảng viên?'); "
            "assert '553' in r.answer, r.answer; "
            "assert not [m for m in sys.modules if m.startswith(('sklearn', 'lightgbm', 'torch'))]")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=60)
    assert done.returncode == 0, done.stderr


def test_train_smoke_writes_a_model_that_answers(tmp_path, seed_data_dir):
    """A few dozen seed questions, three article-grouped folds: seconds, not the full training."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("HOIDAP_")}
    environment["HOME"] = str(tmp_path)  # the eval index cache goes under ~/.cache
    out = tmp_path / "model" / "answerer.json"
    done = subprocess.run([sys.executable, "-m", "ui.cli", "train", f"{REPO}/eval/gold/seeds.jsonl@{REPO}/seeds",
                           "--limit", "60", "--folds", "3", "--out", str(out), "--json"],
                          capture_output=True, text=True, cwd=REPO, timeout=300, env=environment)
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    held_out = summary["grouped_kfold"]["seeds"]
    assert held_out["n"] > 0 and 0.0 <= held_out["contains"] <= 1.0
    assert summary["examples"]["out_of_corpus"] > 0  # negatives made by leaving articles out
    assert summary["training_files"][0]["sha256"] and out.with_suffix(".card.md").exists()
    model = read_model(out)
    assert model.schema == schema_hash()
    ask = subprocess.run([sys.executable, "-m", "ui.cli", "ask", "--json", "--mode", "extractive",
                          "--data-dir", str(seed_data_dir), "Phường Phước Tân có bao nhiêu chi bộ?"],
                         capture_output=True, text=True, cwd=REPO, timeout=60,
                         env={**environment, "HOIDAP_ANSWERER_MODEL": str(out)})
    assert ask.returncode == 0, ask.stderr
    result = json.loads(ask.stdout)
    assert not result["abstained"] and "22" in result["answer"], result["answer"]
