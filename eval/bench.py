"""`hoidap bench`: ingest, latency, memory, disk and quality of hoidap at several corpus sizes,
beside plain llama-index pipelines, a Chroma server and a real-size dense embedder.

Everything timed runs in its own process — ``hoidap index`` for ingest, ``hoidap ask`` for cold
start, workers in ``eval.bench_baselines`` for query latency and quality, profiles, the baselines
and the dense embedder — so one measurement's imports, caches and memory never flatter the next.
Only light modules are imported at the top: every `hoidap` command imports this one to register it.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Optional

import typer

from index.errors import HoidapError

REPO = Path(__file__).resolve().parent.parent
GOLD = REPO / "eval" / "gold" / "seeds.jsonl"
SEEDS = REPO / "seeds"
SLOW_RUN_S = 60.0  # an ingest slower than this is not repeated: the whole bench must stay < 20 min
COLD_RUNS = 5
WORKERS = "eval.bench_baselines"


_STARTED = [time.perf_counter()]


def _say(message: str) -> None:
    print(f"[bench {time.perf_counter() - _STARTED[0]:7.1f} s] {message}", file=sys.stderr, flush=True)


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOIDAP_")}
    env.update(HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", ANONYMIZED_TELEMETRY="False", PYTHONUNBUFFERED="1")
    return env


def _hoidap() -> list[str]:
    script = Path(sys.executable).parent / "hoidap"
    return [str(script)] if script.exists() else [sys.executable, "-m", "ui.cli"]


def run_measured(cmd: list[str], log: Path, env_extra: dict[str, str] | None = None) -> dict:
    """Wall time and peak RSS of one child process (wait4 gives that child's own rusage)."""
    with open(log, "a", encoding="utf-8") as err, tempfile.TemporaryFile("w+", encoding="utf-8") as out:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, env={**_env(), **(env_extra or {})}, cwd=log.parent)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        stdout = out.read()
    if proc.returncode != 0:
        tail = log.read_text(encoding="utf-8", errors="replace")[-1500:]
        raise HoidapError(f"bench: {' '.join(map(str, cmd[:3]))}… failed ({proc.returncode}):\n{tail}")
    return {"wall_s": wall, "peak_rss_mb": usage.ru_maxrss / 1024, "stdout": stdout}


def ingest(corpus: Path, data: Path, log: Path, chroma_url: str | None = None, dense_weight: float | None = None) -> dict:
    """One `hoidap index` run; a dense weight makes it store the weightless vectors (the default stores none)."""
    cmd = [*_hoidap(), "index", str(corpus), "--data-dir", str(data), "--embed-model", "lexical", "--json"]
    extra = {"HOIDAP_DENSE_WEIGHT": str(dense_weight)} if dense_weight is not None else {}
    run = run_measured(cmd + (["--chroma-url", chroma_url] if chroma_url else []), log, extra)
    report = json.loads(run["stdout"].strip().splitlines()[-1])
    return {"wall_s": run["wall_s"], "sync_s": report["seconds"], "peak_rss_mb": run["peak_rss_mb"],
            "indexed": report["indexed"], "unchanged": report["unchanged"], "removed": report["removed"],
            "chunks": report["chunks_embedded"]}


def indexed_chunks(data: Path) -> int:
    """Chunks the committed index holds (vectors may not be stored: chunks_embedded is then 0)."""
    from index.manifest import read_manifest

    return sum(entry.n_chunks for entry in read_manifest(data).articles.values())


def _worker(module: str, kind: str, args: dict, work: Path, log: Path) -> dict:
    args_file, result_file = work / f"{kind}-args.json", work / f"{kind}-result.json"
    args_file.write_text(json.dumps(args, ensure_ascii=False), encoding="utf-8")
    run_measured([sys.executable, "-m", module, kind, str(args_file), str(result_file)], log)
    return json.loads(result_file.read_text(encoding="utf-8"))


def measure_size(size: int, ctx: dict) -> dict:
    from eval.bench_corpus import build_corpus, change_articles, synthetic_article
    from eval.bench_report import disk_usage, median_runs

    work, log, repeats = ctx["work"], ctx["log"], ctx["repeats"]
    corpus, data = work / f"corpus-{size}", work / f"data-{size}"
    info = build_corpus(corpus, size, ctx["pool"], SEEDS, ctx["seed"])
    _say(f"{size} articles: corpus written ({info['bytes'] / 2**20:.1f} MB); first ingest")
    first: list[dict] = []
    while len(first) < repeats and (not first or first[-1]["wall_s"] < SLOW_RUN_S):
        shutil.rmtree(data, ignore_errors=True)
        first.append(ingest(corpus, data, log))
    chunks = indexed_chunks(data)
    _say(f"{size} articles: {chunks} chunks in {first[-1]['wall_s']:.1f} s; unchanged re-runs")
    unchanged = [ingest(corpus, data, log) for _ in range(repeats)]
    _say(f"{size} articles: add 5, remove 5")
    added = [synthetic_article(size - len(list(SEEDS.glob("*.txt"))) + k, ctx["pool"], ctx["seed"]) for k in range(5)]
    for name, text in added:
        (corpus / name).write_text(text, encoding="utf-8")
    add5 = ingest(corpus, data, log)
    for name, _ in added:
        (corpus / name).unlink()
    remove5 = ingest(corpus, data, log)
    if add5["indexed"] != 5 or remove5["removed"] != 5:
        raise HoidapError(f"bench: added/removed 5 articles but hoidap indexed {add5['indexed']}, removed {remove5['removed']}")
    changed = []
    for round_no in range(repeats):
        n = change_articles(corpus, info["synthetic_names"], 0.01, round_no, ctx["pool"])
        changed.append(ingest(corpus, data, log))
        if changed[-1]["indexed"] != n:
            raise HoidapError(f"bench: changed {n} articles but hoidap re-indexed {changed[-1]['indexed']}")
        if changed[-1]["wall_s"] > SLOW_RUN_S:
            break
    _say(f"{size} articles: query worker (quality, latency{', profile' if size == ctx['profile_size'] else ''})")
    query = _worker(WORKERS, "query", {"data_dir": str(data), "repeats": repeats,
                                           "profile": size == ctx["profile_size"]}, work, log)
    cold = [run_measured([*_hoidap(), "ask", ctx["cold_question"], "--data-dir", str(data)], log)["wall_s"]
            for _ in range(COLD_RUNS)]
    first_row = median_runs(first, size, chunks)
    row = {"articles": size, "chunks": chunks, "corpus_mb": round(info["bytes"] / 2**20, 2),
           "ingest": {"first": first_row, "unchanged": median_runs(unchanged, size, 0),
                      "add5": median_runs([add5], 5, 0), "remove5": median_runs([remove5], 5, 0),
                      "changed": {**median_runs(changed, size, 0), "articles_changed": changed[0]["indexed"]}},
           "query": {k: query[k] for k in ("open_ms", "retrieval_ms", "answer_ms", "peak_rss_mb", "ann_recall@30")},
           "fusion_ablation": query["fusion_ablation"],
           "quality": query["quality"], "cold_ask_s": {"median": round(statistics.median(cold), 3),
                                                       "runs": [round(c, 3) for c in cold]},
           "disk": disk_usage(data)}
    row["ingest"]["unchanged"]["percent_of_first"] = round(
        100 * row["ingest"]["unchanged"]["seconds"] / first_row["seconds"], 2)
    if "profile" in query:
        ctx["profile"]["query"] = {"articles": size, **query["profile"]}
    if size == ctx["profile_size"]:
        _say(f"{size} articles: profiling a fresh ingest")
        prof = _worker(WORKERS, "ingest_profile", {"corpus": str(corpus), "data_dir": str(work / "data-profile")},
                       work, log)
        ctx["profile"]["ingest"] = {"articles": size, **prof}
        shutil.rmtree(work / "data-profile", ignore_errors=True)
    return row


def measure_server(size: int, ctx: dict, rows: dict[int, dict]) -> dict:
    """The same corpus into a `chroma run` server: ingest and query beside the embedded store."""
    work, log = ctx["work"], ctx["log"]
    if size not in rows:
        rows[size] = measure_size(size, {**ctx, "repeats": 1, "profile_size": -1})
    chroma = Path(sys.executable).parent / "chroma"
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    cmd = [str(chroma) if chroma.exists() else "chroma", "run", "--path", str(work / "chroma-server"),
           "--host", "127.0.0.1", "--port", str(port)]
    with open(log, "a") as err:
        server = subprocess.Popen(cmd, stdout=err, stderr=err, env=_env(), start_new_session=True)
    try:
        import httpx

        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                raise HoidapError("bench: the chroma server did not start (see bench.log)")
            time.sleep(0.2)
        _say(f"chroma server on port {port}: ingest {size} articles")
        data = work / f"data-{size}-server"
        run = ingest(work / f"corpus-{size}", data, log, chroma_url=f"http://127.0.0.1:{port}", dense_weight=1.0)
        query = _worker(WORKERS, "query", {"data_dir": str(data), "repeats": ctx["repeats"]}, work, log)
        status = Path(f"/proc/{server.pid}/status").read_text() if Path(f"/proc/{server.pid}/status").exists() else ""
        hwm = next((int(line.split()[1]) / 1024 for line in status.splitlines() if line.startswith("VmHWM")), None)
    finally:
        os.killpg(server.pid, 15)
        server.wait(timeout=30)
    embedded = rows[size]
    return {"articles": size, "server_peak_rss_mb": hwm,
            "server": {"ingest_s": round(run["wall_s"], 3), "retrieval_ms": query["retrieval_ms"],
                       "answer_ms": query["answer_ms"], "quality": query["quality"]},
            "embedded": {"ingest_s": embedded["ingest"]["first"]["seconds"], "retrieval_ms": embedded["query"]["retrieval_ms"],
                         "answer_ms": embedded["query"]["answer_ms"], "quality": embedded["quality"]}}


def dense_cost(ctx: dict, rows: dict[int, dict], sample: int) -> dict:
    """Throughput of e5-small's architecture with random weights, extrapolated to each size."""
    from eval.bench_corpus import passages_near

    passages = passages_near(ctx["work"] / f"data-{max(rows)}", 600, sample, ctx["seed"])
    passages_file = ctx["work"] / "dense-passages.json"
    passages_file.write_text(json.dumps(passages, ensure_ascii=False), encoding="utf-8")
    result = _worker(WORKERS, "dense", {"passages": str(passages_file), "gold": str(GOLD),
                                                       "work": str(ctx["work"] / "dense"), "batch": 32}, ctx["work"], ctx["log"])
    shutil.rmtree(ctx["work"] / "dense", ignore_errors=True)
    result["note"] = ("Measured on a sample of ~600-character passages (title + chunk, as hoidap embeds them) and "
                      "extrapolated linearly to every size's chunk count; real chunks are shorter on average, so the "
                      "estimate is an upper bound. est. ingest = measured weightless ingest + dense embedding time.")
    result["extrapolated"] = [
        {"articles": a, "chunks": r["chunks"], "embed_s": round(r["chunks"] / result["passages_per_s"], 1),
         "ingest_s": round(r["ingest"]["first"]["seconds"] + r["chunks"] / result["passages_per_s"], 1)}
        for a, r in sorted(rows.items())]
    return result


def baselines(ctx: dict, rows: dict[int, dict], limit: int) -> list[dict]:
    from eval.bench_report import RETRIEVAL_KEYS

    out = []
    for size in sorted(a for a in rows if a <= limit):
        _say(f"{size} articles: llama-index baselines (vector on Chroma, BM25)")
        row, work = rows[size], ctx["work"] / f"llama-{size}"
        result = _worker(WORKERS, "llama", {"corpus": str(ctx["work"] / f"corpus-{size}"), "gold": str(GOLD),
                                            "work": str(work), "k": 5, "repeats": ctx["repeats"]}, ctx["work"], ctx["log"])
        shutil.rmtree(work, ignore_errors=True)
        # In-process build time on both sides: hoidap's own sync seconds, not its process start.
        ours = {"nodes": row["chunks"], "build_s": row["ingest"]["first"]["sync_s"],
                "retrieval_ms": row["query"]["retrieval_ms"], "quality": {k: row["quality"][k] for k in RETRIEVAL_KEYS}}
        for name in ("llama_vector", "llama_bm25"):
            theirs = result[name]
            theirs["build_ratio"] = round(theirs["build_s"] / ours["build_s"], 3)
            theirs["latency_ratio"] = round(theirs["retrieval_ms"]["p50"] / ours["retrieval_ms"]["p50"], 3)
            theirs["latency_p95_ratio"] = round(theirs["retrieval_ms"]["p95"] / ours["retrieval_ms"]["p95"], 3)
        out.append({"articles": size, "hoidap": ours, **result})
    return out


def run_bench(sizes: list[int], *, repeats: int, baseline_max: int, server_size: int | None, out: Path,
              xquad: Path | None, seed: int, dense_sample: int, work_dir: Path | None, keep_work: bool,
              profile: bool = True) -> dict:
    from eval.bench_corpus import find_xquad, sentence_pool
    from eval.bench_report import cpu_check, machine_info, markdown, plot, targets
    from eval.harness import load_gold

    started = _STARTED[0] = time.perf_counter()
    xquad_dir = find_xquad(xquad)
    if xquad_dir is None:
        raise HoidapError("Không tìm thấy XQuAD-vi (../shared/benchmarks/xquad-vi): dùng --xquad THƯ_MỤC.")
    gold = load_gold(GOLD)
    out.mkdir(parents=True, exist_ok=True)
    log = (out / "bench.log").resolve()
    log.write_text("", encoding="utf-8")
    if work_dir is not None:
        Path(work_dir).mkdir(parents=True, exist_ok=True)  # --work names a folder to use, made if new
    work = Path(tempfile.mkdtemp(prefix="hoidap-bench-", dir=work_dir))
    pool = sentence_pool(SEEDS, xquad_dir, gold)
    ctx = {"work": work, "log": log, "repeats": repeats, "pool": pool, "seed": seed, "profile": {},
           "profile_size": min(sizes, key=lambda s: (abs(s - 1000), s)) if profile else -1,
           "cold_question": gold[0].question}
    if server_size is None:
        server_size = min([s for s in sizes if s >= 1000] or [max(sizes)])
    report: dict = {
        "machine": {**machine_info(), "cpu_check_start": cpu_check()},
        "settings": {"sizes": sizes, "repeats": repeats, "baseline_max": baseline_max, "server_size": server_size,
                     "seed": seed, "slow_run_s": SLOW_RUN_S, "cold_runs": COLD_RUNS, "k": 5,
                     "embedder": "lexical-hash-v1 (the weightless default), extractive answers"},
        "corpus": {"xquad": str(xquad_dir), "xquad_sentences": len(pool.xquad),
                   "seed_generic_sentences": len(pool.seed_generic), "gold": str(GOLD), "questions": len(gold)},
    }
    try:
        _say("seeds only: reference quality without distractors")
        ingest(SEEDS, work / "data-seeds", log)
        reference = _worker(WORKERS, "query", {"data_dir": str(work / "data-seeds"), "repeats": 1}, work, log)
        report["reference"] = {"articles": len(list(SEEDS.glob("*.txt"))), "quality": reference["quality"],
                               "fusion_ablation": reference["fusion_ablation"]}
        rows: dict[int, dict] = {}
        for size in sizes:
            rows[size] = measure_size(size, ctx)
            # What finished survives a later failure or a run stopped at a deadline.
            (out / "bench-partial.json").write_text(json.dumps({**report, "sizes": [rows[s] for s in sorted(rows)]},
                                                               ensure_ascii=False, indent=1), encoding="utf-8")
        report["baselines"] = baselines(ctx, rows, baseline_max)
        report["server"] = measure_server(server_size, ctx, rows) if server_size > 0 else {"skipped": True}
        report["sizes"] = [rows[s] for s in sorted(rows)]
        if dense_sample > 0:
            _say(f"dense embedder cost on {dense_sample} passages (random-weight e5-small architecture)")
            report["dense"] = dense_cost(ctx, rows, dense_sample)
        else:
            report["dense"] = {"skipped": True}
    finally:
        if keep_work:
            _say(f"work directory kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    report["machine"]["cpu_check_end"] = cpu_check()
    report["profile"] = ctx["profile"]
    report["targets"] = targets(report)
    report["wall_seconds"] = round(time.perf_counter() - started, 1)
    (out / "bench.json").write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    (out / "bench.md").write_text(markdown(report), encoding="utf-8")
    plot(report, out / "bench.png")
    _say(f"done in {report['wall_seconds']} s: {out}/bench.json, bench.md, bench.png")
    return report


def register_bench(app: typer.Typer) -> None:
    @app.command("bench")
    def bench_command(
        sizes: str = typer.Option("100,1000,5000,20000", "--sizes", help="Cỡ kho bài (số bài), phân cách bằng dấu phẩy."),
        repeats: int = typer.Option(3, "--repeats", min=1, help="Số lần lặp mỗi phép đo (lấy trung vị)."),
        baseline_max: int = typer.Option(5000, "--baseline-max", help="Chạy baseline llama-index tới cỡ này."),
        server_size: Optional[int] = typer.Option(None, "--server-size", help="Cỡ đo với máy chủ Chroma; 0 = bỏ qua."),
        dense_sample: int = typer.Option(256, "--dense-sample", help="Số đoạn đo bộ nhúng e5-small ngẫu nhiên; 0 = bỏ qua."),
        out: Path = typer.Option(Path("bench-out"), "--out", help="Ghi bench.json, bench.md, bench.png vào đây."),
        xquad: Optional[Path] = typer.Option(None, "--xquad", help="Thư mục XQuAD-vi (corpus/, gold.jsonl)."),
        seed: int = typer.Option(0, "--seed", help="Hạt ngẫu nhiên của kho tổng hợp."),
        work: Optional[Path] = typer.Option(None, "--work", help="Thư mục tạm (mặc định: thư mục tạm hệ thống)."),
        keep_work: bool = typer.Option(False, "--keep-work", help="Giữ lại kho và chỉ mục đã tạo."),
        as_json: bool = typer.Option(False, "--json", help="In bench.json ra stdout."),
        profile: bool = typer.Option(True, "--profile/--no-profile", help="Đo hồ sơ (profile) ở cỡ gần 1.000 bài."),
    ) -> None:
        """Đo tốc độ, bộ nhớ, dung lượng và chất lượng theo cỡ kho (benchmark at several corpus sizes)."""
        try:
            parsed = sorted({int(s) for s in sizes.split(",") if s.strip()})
        except ValueError as exc:
            raise HoidapError(f"--sizes phải là các số nguyên, ví dụ 100,1000,5000 ({exc}).") from exc
        if not parsed or parsed[0] < len(list(SEEDS.glob("*.txt"))):
            raise HoidapError("--sizes: mỗi cỡ phải ít nhất bằng số bài mẫu (5), ví dụ 100,1000,5000.")
        report = run_bench(parsed, repeats=repeats, baseline_max=baseline_max, server_size=server_size, out=out,
                           xquad=xquad, seed=seed, dense_sample=dense_sample, work_dir=work, keep_work=keep_work,
                           profile=profile)
        if as_json:
            print(json.dumps(report, ensure_ascii=False, indent=1))
