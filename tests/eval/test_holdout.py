"""`hoidap eval --hold-out F`: the corpus is indexed without a fraction of its articles, and the questions
about those must be refused — what a user gets when the article was never indexed (eval/holdout.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from eval.harness import load_gold
from eval.holdout import CATEGORY, split_corpus, with_held_out
from index.errors import HoidapError

REPO = Path(__file__).resolve().parents[2]
SEEDS = sorted((REPO / "seeds").glob("*.txt"))


def test_the_split_holds_out_that_share_of_articles_the_same_way_every_time():
    kept, held = split_corpus(SEEDS, 0.4)
    assert len(held) == 2 and len(kept) == 3
    assert {p.stem for p in kept}.isdisjoint(held) and {p.stem for p in kept} | held == {p.stem for p in SEEDS}
    again_kept, again_held = split_corpus(list(reversed(SEEDS)), 0.4)
    assert again_held == held and sorted(again_kept) == sorted(kept)
    assert split_corpus(SEEDS, 0.8)[1] > held  # a larger share holds out these and more


@pytest.mark.parametrize("fraction", [0.0, 1.0, 1.5, 0.05])
def test_a_share_that_leaves_nothing_to_index_or_hold_out_is_refused(fraction):
    with pytest.raises(HoidapError):
        split_corpus(SEEDS, fraction)


def test_only_questions_about_held_out_articles_must_be_refused():
    items = load_gold(REPO / "eval" / "gold" / "seeds.jsonl")
    held = {SEEDS[0].stem}
    changed = with_held_out(items, held)
    for before, after in zip(items, changed):
        about_held = before.answerable and bool(before.doc_ids) and set(before.doc_ids) <= held
        assert (after.category == CATEGORY) == about_held
        assert after.answerable == (before.answerable and not about_held)
    assert any(after.category == CATEGORY for after in changed)
    # a question that needs a held-out article and a kept one stays answerable (its answer may be half there)
    multi = [i for i in items if len(i.doc_ids) > 1 and SEEDS[0].stem in i.doc_ids]
    assert multi and all(after.answerable for after in with_held_out(multi, held))


def _run(home: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOIDAP_")}
    env.update(HOME=str(home), HF_HUB_OFFLINE="1", HOIDAP_EMBED_MODEL="lexical", HOIDAP_OLLAMA_HOST="http://127.0.0.1:9")
    return subprocess.run([sys.executable, "-m", "ui.cli", *args], capture_output=True, text=True, timeout=600,
                          cwd=REPO, env=env)


def test_eval_indexes_the_rest_and_scores_the_held_out_questions_as_refusals(tmp_path):
    done = _run(tmp_path, "eval", "--corpus", "seeds", "--gold", "eval/gold/seeds.jsonl", "--hold-out", "0.4",
                "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    kept, held = split_corpus(SEEDS, 0.4)
    expected = [i for i in load_gold(REPO / "eval" / "gold" / "seeds.jsonl")
                if i.answerable and set(i.doc_ids) <= held]
    group = report["by_category"][CATEGORY]
    assert group["n"] == len(expected) > 0
    assert 0.0 <= group["abstention"]["noans_accuracy"] <= 1.0
    # the index it built holds the kept articles only, beside (never inside) the full corpus's
    index = next((tmp_path / ".cache" / "hoidap").glob("*-holdout0.4"))
    listed = _run(tmp_path, "info", "--json", "--data-dir", str(index))
    assert {a["doc_id"] for a in json.loads(listed.stdout)["articles"]} == {p.stem for p in kept}


def test_hold_out_never_touches_an_index_named_by_the_user(tmp_path):
    done = _run(tmp_path, "eval", "--corpus", "seeds", "--gold", "eval/gold/seeds.jsonl", "--hold-out", "0.4",
                "--data-dir", str(tmp_path / "mine"))
    assert done.returncode != 0 and not (tmp_path / "mine").exists()
    assert len(done.stderr.strip().splitlines()) == 1 and "--hold-out" in done.stderr
