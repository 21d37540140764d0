"""The quality gate: the seed gold set on the weightless extractive default, through the real
`hoidap eval` command, must not fall below eval/thresholds.json."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CEILINGS = {"false_abstain_rate"}


@pytest.fixture(scope="module")
def seed_report(tmp_path_factory) -> dict:
    out = tmp_path_factory.mktemp("eval-out")
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOIDAP_")}
    env.update(HF_HUB_OFFLINE="1", HOIDAP_EMBED_MODEL="lexical", HOIDAP_OLLAMA_HOST="http://127.0.0.1:9")
    done = subprocess.run(
        [sys.executable, "-m", "ui.cli", "eval", "--corpus", "seeds", "--gold", "eval/gold/seeds.jsonl",
         "--data-dir", str(out / "index"), "--mode", "extractive", "--json", "--out", str(out / "report")],
        capture_output=True, text=True, timeout=600, cwd=REPO, env=env)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    report["_out"] = out / "report"
    return report


def test_json_has_exactly_the_contract_groups(seed_report):
    keys = set(seed_report) - {"_out"}
    assert keys == {"n", "retrieval", "answer", "citation", "abstention", "latency_ms", "by_category"}
    assert set(seed_report["retrieval"]) == {"doc_hit@1", "doc_hit@5", "evidence_hit@1", "evidence_hit@5", "mrr@10"}
    assert set(seed_report["answer"]) == {"contains", "em", "f1", "chars_median"}
    assert set(seed_report["citation"]) == {"valid", "hit"}
    assert set(seed_report["abstention"]) == {"noans_accuracy", "false_abstain_rate"}
    assert set(seed_report["latency_ms"]) == {"p50", "p95"}
    assert seed_report["n"] == sum(1 for line in (REPO / "eval/gold/seeds.jsonl").open() if line.strip())
    assert {"number", "multi_doc", "paraphrase", "no_diacritics", "unanswerable"} <= set(seed_report["by_category"])


def gate_rows():
    thresholds = json.loads((REPO / "eval" / "thresholds.json").read_text())
    return [(group, key, value) for group, metrics in thresholds.items() if not group.startswith("_")
            for key, value in metrics.items()]


@pytest.mark.parametrize("group, key, limit", gate_rows())
def test_seed_metrics_meet_the_gate(seed_report, group, key, limit):
    value = seed_report[group][key]
    if key in CEILINGS:
        assert value <= limit, f"{group}.{key} = {value} is above its ceiling {limit}"
    else:
        assert value >= limit, f"{group}.{key} = {value} fell below {limit}"


def test_reports_are_written_and_misses_are_classified(seed_report):
    out = seed_report["_out"]
    assert json.loads((out / "report.json").read_text())["n"] == seed_report["n"]
    markdown = (out / "report.md").read_text()
    assert "| retrieval | doc_hit@1 |" in markdown
    page = (out / "report.html").read_text()
    assert "<svg" in page and "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")
    questions = json.loads((out / "report.json").read_text())["questions"]
    wrong = [q for q in questions if not q["right"]]
    assert page.count('class="missrow"') == len(wrong)
    # Every harness miss is a wrong row; a right row needs a contained answer and no mismatched short answer.
    assert all(not q["right"] for q in questions if q["miss"])
    assert all(q["contains"] and q["short_match"] is not False for q in questions if q["right"] and q["answerable"])
    for cause in {q["miss"] for q in wrong if q["miss"]}:
        assert cause in {"retrieval miss", "answer miss", "wrong refusal", "wrong answer"}
        assert f"<small>({cause})</small>" in page
