"""`hoidap bench-load` end to end at its smallest size (a few seconds, four clients): the real server
and the hanging fake model start, every request is answered, and the report has its sections. The
latency target itself is the benchmark's to report (README), not this test's."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path


def test_bench_load_runs_and_reports(hoidap_cmd, cli_env, tmp_path):
    out = tmp_path / "load.json"
    done = subprocess.run([*hoidap_cmd, "bench-load", "--seconds", "4", "--clients", "4", "--p95-target", "60",
                           "--out", str(out)], capture_output=True, text=True, timeout=300, env=cli_env,
                          cwd=Path(__file__).resolve().parents[2])
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report == json.loads(done.stdout)
    assert report["errors"] == 0 and report["passed"] is True
    assert report["extractive_mode"]["n"] > 0 and report["auto_mode_all"]["n"] > 0
    assert report["model_chat_requests"] >= 1, "auto-mode questions reached the hanging model"
    assert report["healthz"]["n"] >= 2
