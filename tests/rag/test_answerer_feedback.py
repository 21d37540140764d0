"""`hoidap train --feedback`: a thumbs-down on the page teaches the answerer that the cited sentence is not
the answer to that question (issue 9: "a site that uses hoidap can teach it its own questions")."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
QUESTION = "Phường Phước Tân có bao nhiêu chi bộ?"


def _environment(home: Path) -> dict:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("HOIDAP_")}
    environment.update({"HOME": str(home), "HOIDAP_OLLAMA_HOST": "http://127.0.0.1:9", "HF_HUB_OFFLINE": "1"})
    return environment


def _train(home: Path, out: Path, *extra: str) -> None:
    done = subprocess.run([sys.executable, "-m", "ui.cli", "train", f"{REPO}/eval/gold/seeds.jsonl@{REPO}/seeds",
                           "--limit", "40", "--folds", "2", "--out", str(out), *extra],
                          capture_output=True, text=True, cwd=REPO, timeout=300, env=_environment(home))
    assert done.returncode == 0, done.stderr


def _ask(home: Path, model: Path, data_dir: Path) -> dict:
    done = subprocess.run([sys.executable, "-m", "ui.cli", "ask", "--json", "--mode", "extractive",
                           "--data-dir", str(data_dir), QUESTION], capture_output=True, text=True, cwd=REPO,
                          timeout=60, env={**_environment(home), "HOIDAP_ANSWERER_MODEL": str(model)})
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def _cited(result: dict) -> dict:
    return next(c for c in result["citations"] if c["cited"])


def test_a_thumbs_down_moves_the_answer_off_the_wrong_sentence(tmp_path, seed_data_dir):
    before = tmp_path / "before" / "answerer.json"
    _train(tmp_path, before)
    first = _ask(tmp_path, before, seed_data_dir)
    assert not first["abstained"]
    wrong = _cited(first)
    # What the page writes on a thumbs-down (ui/feedback.py), for the sentence it quoted.
    log = tmp_path / "feedback.jsonl"
    record = {"time": "2026-12-01T10:00:00+07:00", "vote": "down", "question": QUESTION, "answer": first["answer"],
              "citations": [{"n": 1, "doc_id": wrong["doc_id"], "quote": wrong["quote"]["text"]}], "source": "page"}
    log.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    after = tmp_path / "after" / "answerer.json"
    _train(tmp_path, after, "--feedback", f"{log}@{seed_data_dir}")
    card = after.with_suffix(".card.md").read_text(encoding="utf-8")
    assert "feedback" in card and "'feedback_down': 1" in card
    second = _ask(tmp_path, after, seed_data_dir)
    quoted = _cited(second)["quote"]["text"] if not second["abstained"] else None
    assert quoted != wrong["quote"]["text"], "the down-voted sentence is still the answer"
