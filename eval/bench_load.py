"""`hoidap bench-load`: many clients on /api/ask while the language model hangs every chat.

The question it answers: does a hung model server stall anyone? A real `hoidap serve` process is
started on 127.0.0.1 against an index of the given articles, in auto mode, talking to a fake Ollama
(tests/support/fake_ollama.HangingOllama) that lists its model but never answers a chat. ``--clients``
clients then ask the gold questions in a closed loop for ``--seconds``: half of them in extractive mode,
half in auto mode (they try the model, and get the extractive answer at a deadline, at once when the
model's pool is busy, or once the circuit breaker is open). A monitor reads /healthz every second.

Passes when extractive-mode answers keep p95 under ``--p95-target`` seconds and no request fails.
Loopback only; every loop is bounded by the duration and every request by a timeout.
"""

from __future__ import annotations

import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Optional

import typer

REPO = Path(__file__).resolve().parents[1]
REQUEST_TIMEOUT = 150.0


def _percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 4)


def _summary(latencies: list[float]) -> dict:
    return {"n": len(latencies), "p50_s": _percentile(latencies, 0.5), "p95_s": _percentile(latencies, 0.95),
            "p99_s": _percentile(latencies, 0.99), "max_s": round(max(latencies), 4) if latencies else None,
            "mean_s": round(statistics.fmean(latencies), 4) if latencies else None}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _questions(gold: Path, limit: int = 200) -> list[str]:
    from eval.harness import load_gold

    return [item.question for item in load_gold(gold)][:limit]


def run_load(corpus: Path, gold: Path, clients: int, seconds: float, think: float, p95_target: float) -> dict:
    from index.builder import sync_index
    from index.config import Settings

    try:
        sys.path.insert(0, str(REPO))
        from tests.support.fake_ollama import HangingOllama
    except ImportError as exc:  # the fake ships with the tests, in a checkout of the repository
        raise typer.BadParameter(f"cần chạy từ bản sao kho mã (thiếu tests/support): {exc}") from None

    questions = _questions(gold)
    with tempfile.TemporaryDirectory(prefix="hoidap-load-") as tmp, HangingOllama(hang_seconds=600) as model:
        data_dir = Path(tmp) / "data"
        sync_index([corpus], Settings(data_dir=data_dir), embed_spec="lexical")
        port = _free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("HOIDAP_")}
        env.update(HOIDAP_DATA_DIR=str(data_dir), HOIDAP_PORT=str(port), HOIDAP_MODE="auto",
                   HOIDAP_OLLAMA_HOST=model.url, HOIDAP_RATE_LIMIT_PER_MINUTE="0", PYTHONUNBUFFERED="1")
        server = subprocess.Popen([sys.executable, "-m", "ui.cli", "serve"], env=env, cwd=str(REPO),
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_ready(url, server)
            return _drive(url, model, questions, clients, seconds, think, p95_target)
        finally:
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait(timeout=5)


def _wait_ready(url: str, server: subprocess.Popen) -> None:
    import httpx

    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"hoidap serve đã dừng: {server.stderr.read()[-2000:]}")
        try:
            if httpx.get(url + "/healthz", timeout=2, trust_env=False).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.25)
    raise RuntimeError("hoidap serve không trả lời /healthz trong 120 giây")


def _drive(url: str, model, questions: list[str], clients: int, seconds: float, think: float,
           p95_target: float) -> dict:
    import httpx

    records: list[dict] = []
    health: list[tuple[float, float, dict | None]] = []
    lock = threading.Lock()
    started = time.monotonic()
    stop_at = started + seconds

    def client(index: int) -> None:
        mode = "extractive" if index % 2 == 0 else "auto"
        with httpx.Client(base_url=url, timeout=REQUEST_TIMEOUT, trust_env=False) as http:
            n = index
            while time.monotonic() < stop_at:
                question = questions[n % len(questions)]
                n += clients
                t0 = time.monotonic()
                try:
                    response = http.post("/api/ask", json={"question": question, "mode": mode})
                    body = response.json() if response.headers.get("content-type", "").startswith(
                        "application/json") else {}
                    ok = response.status_code == 200
                    record = {"mode": mode, "status": response.status_code, "seconds": time.monotonic() - t0,
                              "answered_by": body.get("mode"), "warnings": body.get("warnings", []) if ok else [],
                              "error": None if ok else body.get("detail")}
                except httpx.HTTPError as exc:
                    record = {"mode": mode, "status": None, "seconds": time.monotonic() - t0, "answered_by": None,
                              "warnings": [], "error": f"{type(exc).__name__}: {exc}"}
                with lock:
                    records.append(record)
                if think > 0:
                    time.sleep(think)

    def monitor() -> None:
        with httpx.Client(base_url=url, timeout=30, trust_env=False) as http:
            while time.monotonic() < stop_at:
                t0 = time.monotonic()
                try:
                    body = http.get("/healthz").json()
                except httpx.HTTPError:
                    body = None
                health.append((t0 - started, time.monotonic() - t0, body))
                time.sleep(max(0.0, 1.0 - (time.monotonic() - t0)))

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(clients)]
    threads.append(threading.Thread(target=monitor, daemon=True))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + REQUEST_TIMEOUT + 30)

    extractive = [r["seconds"] for r in records if r["mode"] == "extractive" and r["status"] == 200]
    auto = [r for r in records if r["mode"] == "auto" and r["status"] == 200]
    waited = [r["seconds"] for r in auto if any("không bắt đầu trả lời" in w for w in r["warnings"])]
    not_waited = [r["seconds"] for r in auto if not any("không bắt đầu trả lời" in w for w in r["warnings"])]
    errors = [r for r in records if r["status"] != 200]
    breaker_states = sorted({(b or {}).get("llm", {}).get("breaker", {}).get("state", "?") for _, _, b in health})
    report = {
        "clients": clients, "seconds": seconds, "think_s": think, "requests": len(records),
        "errors": len(errors), "error_examples": [r["error"] for r in errors[:5]],
        "extractive_mode": _summary(extractive),
        "auto_mode_all": _summary([r["seconds"] for r in auto]),
        "auto_mode_waited_for_model_deadline": _summary(waited),
        "auto_mode_answered_without_waiting": _summary(not_waited),
        "auto_answered_by_llm": sum(1 for r in auto if r["answered_by"] == "llm"),
        "healthz": _summary([s for _, s, _ in health]),
        "healthz_breaker_states_seen": breaker_states,
        "model_chat_requests": model.chat_requests(),
        "p95_target_s": p95_target,
    }
    p95 = report["extractive_mode"]["p95_s"]
    report["passed"] = bool(extractive) and not errors and p95 is not None and p95 < p95_target
    return report


def register_bench_load(app: typer.Typer) -> None:
    @app.command("bench-load")
    def bench_load_command(
        corpus: Path = typer.Option(REPO / "seeds", "--corpus", help="Thư mục bài viết để lập chỉ mục."),
        gold: Path = typer.Option(REPO / "eval" / "gold" / "seeds.jsonl", "--gold", help="Câu hỏi (gold JSONL)."),
        clients: int = typer.Option(20, "--clients", min=1, max=200, help="Số máy khách đồng thời."),
        seconds: float = typer.Option(120.0, "--seconds", min=1.0, max=3600.0, help="Thời gian chạy (giây)."),
        think: float = typer.Option(0.0, "--think", min=0.0, help="Nghỉ giữa hai câu hỏi của một máy khách."),
        p95_target: float = typer.Option(1.0, "--p95-target", help="Mục tiêu p95 (giây) cho câu trả lời trích xuất."),
        out: Optional[Path] = typer.Option(None, "--out", help="Ghi báo cáo JSON vào tệp này."),
    ) -> None:
        """Đo tải: nhiều máy khách hỏi /api/ask trong khi mô hình treo (load benchmark, hung model)."""
        report = run_load(corpus, gold, clients, seconds, think, p95_target)
        text = json.dumps(report, ensure_ascii=False, indent=1)
        if out is not None:
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(text + "\n", encoding="utf-8")
        print(text)
        if not report["passed"]:
            raise typer.Exit(1)
