"""`hoidap bench` output: machine facts, profile hotspots, targets, bench.md and bench.png."""

from __future__ import annotations

import os
import platform
import resource
from collections import defaultdict
from datetime import datetime, timezone
from pathlib import Path

from eval.harness import GoldItem, score_question
from eval.metrics import mean, percentile

PROJECT_PACKAGES = ("index", "rag", "ui", "eval")
RETRIEVAL_KEYS = ("doc_hit@1", "doc_hit@5", "evidence_hit@1", "evidence_hit@5")


def machine_info() -> dict:
    import psutil

    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "cpu": cpu or "unknown",
        "cores": os.cpu_count(),
        "ram_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "gpu": "no GPU",
        "os": platform.platform(),
        "python": platform.python_version(),
    }


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def latency_summary(values_ms: list[float]) -> dict:
    return {"p50": round(percentile(values_ms, 0.5), 3), "p95": round(percentile(values_ms, 0.95), 3),
            "mean": round(mean(values_ms), 3)}


def retrieval_quality(items: list[GoldItem], retrieved: dict[str, list[dict]]) -> dict:
    """eval.harness scoring of retrieval only: answer fields are left empty on purpose."""
    empty = {"answer": "", "citations": [], "abstained": True}
    rows = [score_question(item, empty, retrieved[item.id])[0] for item in items if item.answerable]
    return {key: round(mean([r[key] for r in rows]), 4) for key in RETRIEVAL_KEYS}


def _short_path(path: str | None) -> str:
    """index/store.py for our files, chromadb/… for libraries: stable across checkouts and cwd."""
    if not path or path.startswith("<"):
        return path or "?"
    if "site-packages/" in path:
        return path.split("site-packages/", 1)[1]
    parts = Path(path).parts
    for i in range(len(parts) - 1, -1, -1):
        if parts[i] in PROJECT_PACKAGES:
            return "/".join(parts[i:])
    return Path(path).name


def cpu_check() -> dict:
    """A fixed pure-Python and numpy workload: shared VMs change speed between runs, and
    this says whether two bench reports were taken on an equally fast machine."""
    import time

    import numpy as np

    started = time.perf_counter()
    total = 0
    for i in range(2_000_000):
        total += i % 7
    python_ms = (time.perf_counter() - started) * 1000
    a = np.random.default_rng(0).standard_normal((512, 512), dtype=np.float32)
    started = time.perf_counter()
    for _ in range(20):
        a @ a
    return {"python_loop_ms": round(python_ms, 1), "matmul_512_x20_ms": round((time.perf_counter() - started) * 1000, 1)}


def hotspots(profiler, top: int = 12) -> dict:
    """Two views, as % of the profiled wall time: "self" is where the CPU actually is (often a C
    call); "project" credits that time to the innermost index/rag/ui function above it — the
    call to change. The bench's own worker frames are left out of the project view."""
    root = profiler.last_session.root_frame()
    if root is None:
        return {"seconds": 0.0, "self": [], "project": []}
    total = root.time or 1e-9
    self_time: dict[str, float] = defaultdict(float)
    attributed: dict[str, float] = defaultdict(float)

    def name(frame) -> str:
        function = f"{frame.class_name}.{frame.function}" if frame.class_name else frame.function
        return f"{function} ({_short_path(frame.file_path)}:{frame.line_no})"

    def is_project(frame) -> bool:
        path = frame.file_path or ""
        return "site-packages" not in path and "/eval/bench" not in path and any(
            f"/{p}/" in path for p in PROJECT_PACKAGES)

    stack = [(root, None)]
    while stack:
        frame, owner = stack.pop()
        if frame.is_synthetic:  # "[self]" leaves: already in their parent's total_self_time
            continue
        owner = name(frame) if is_project(frame) else owner
        self_time[name(frame)] += frame.total_self_time
        if owner is not None:
            attributed[owner] += frame.total_self_time
        stack.extend((child, owner) for child in frame.children)

    def rows(table):
        best = sorted(table.items(), key=lambda item: -item[1])[:top]
        return [{"function": key, "seconds": round(t, 3), "percent": round(100 * t / total, 1)} for key, t in best]

    return {"seconds": round(total, 3), "self": rows(self_time), "project": rows(attributed)}


def median_runs(runs: list[dict], articles: int, chunks: int) -> dict:
    import statistics

    wall = statistics.median(r["wall_s"] for r in runs)
    return {"seconds": round(wall, 3), "sync_s": round(statistics.median(r["sync_s"] for r in runs), 3),
            "runs": [round(r["wall_s"], 3) for r in runs], "articles_per_s": round(articles / wall, 1),
            "chunks_per_s": round(chunks / wall, 1) if chunks else None,
            "peak_rss_mb": round(max(r["peak_rss_mb"] for r in runs), 1)}


def disk_usage(path: Path) -> dict:
    sizes: dict[str, int] = {}
    for file in path.rglob("*"):
        if file.is_file():
            top = file.relative_to(path).parts[0]
            sizes[top] = sizes.get(top, 0) + file.stat().st_size
    return {"total_mb": round(sum(sizes.values()) / 2**20, 2),
            "parts_mb": {k: round(v / 2**20, 2) for k, v in sorted(sizes.items())}}


def _fmt(value, digits: int = 1) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return f"{value:,}" if isinstance(value, int) else str(value)


def targets(report: dict) -> list[dict]:
    """Pass/fail against the scale issue's targets, at every size run (reported, not asserted)."""
    sizes = report.get("sizes") or []
    ref = report.get("reference", {}).get("quality", {})
    n_answerable = max(1, ref.get("n_answerable", 1))
    out = []
    for row in sizes:
        ingest, n = row["ingest"], row["articles"]
        checks = [
            ("answer latency p50 ≤ 30 ms", row["query"]["answer_ms"]["p50"], lambda v: v <= 30),
            ("answer latency p95 ≤ 100 ms", row["query"]["answer_ms"]["p95"], lambda v: v <= 100),
            ("cold `hoidap ask` ≤ 1.0 s", row["cold_ask_s"]["median"], lambda v: v <= 1.0),
            ("first ingest ≥ 500 chunks/s", ingest["first"]["chunks_per_s"], lambda v: v >= 500),
        ]
        if "add5" in ingest and n == 20_000:  # the target is set at 20,000 articles
            checks += [("add 5 articles ≤ 10 s", ingest["add5"]["seconds"], lambda v: v <= 10),
                       ("add 5 articles peak RSS ≤ 1 GB", ingest["add5"]["peak_rss_mb"], lambda v: v <= 1024),
                       ("remove 5 articles ≤ 10 s", ingest["remove5"]["seconds"], lambda v: v <= 10)]
        if n in (20_000, 100_000):
            limit = 3 * 1024 if n == 20_000 else 8 * 1024
            checks.append((f"first ingest peak RSS ≤ {limit // 1024} GB", ingest["first"]["peak_rss_mb"],
                           lambda v, limit=limit: v <= limit))
        out += [{"target": name, "articles": n, "value": value, "pass": bool(test(value))}
                for name, value, test in checks if value is not None]
        for metric in ("contains", "doc_hit@5"):
            value, base = row["quality"].get(metric), ref.get(metric)
            if value is not None and base is not None:
                out.append({"target": f"seed {metric} as without distractors ({base:.3f}, −1 question allowed)",
                            # counted in questions: the figures are rounded to 4 decimals
                            "articles": n, "value": value,
                            "pass": round(value * n_answerable) >= round(base * n_answerable) - 1})
    return out


def markdown(report: dict) -> str:
    m = report["machine"]
    lines = [f"# hoidap bench — {m['date']}", "",
             f"Machine: {m['cpu']}, {m['cores']} cores, {m['ram_gb']} GB RAM, {m['gpu']}; {m['os']}, Python {m['python']}. "
             "CPU check (python loop / numpy matmul ms, lower is faster): "
             + " → ".join(f"{c['python_loop_ms']}/{c['matmul_512_x20_ms']}" for c in
                          (m.get("cpu_check_start"), m.get("cpu_check_end")) if c) + " (start → end).",
             f"Embedder: {report['settings']['embedder']}. Latencies are medians over {report['settings']['repeats']} "
             "passes of the 100 seed gold questions; ingest runs as a `hoidap index` subprocess.", "",
             "| articles | chunks | first ingest s | chunks/s | ingest RSS MB | add 5 s (RSS MB) | remove 5 s | "
             "unchanged s (% first) | 1 % changed s | "
             "retrieve p50/p95 ms | answer p50/p95 ms | cold ask s | query RSS MB | disk MB |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for s in report["sizes"]:
        i, q = s["ingest"], s["query"]
        add5, remove5 = i.get("add5") or {}, i.get("remove5") or {}
        lines.append(
            f"| {s['articles']:,} | {s['chunks']:,} | {_fmt(i['first']['seconds'])} | {_fmt(i['first']['chunks_per_s'], 0)} | "
            f"{_fmt(i['first']['peak_rss_mb'], 0)} | {_fmt(add5.get('seconds'))} ({_fmt(add5.get('peak_rss_mb'), 0)}) | "
            f"{_fmt(remove5.get('seconds'))} | "
            f"{_fmt(i['unchanged']['seconds'])} ({_fmt(i['unchanged']['percent_of_first'])} %) | {_fmt(i['changed']['seconds'])} | "
            f"{_fmt(q['retrieval_ms']['p50'])}/{_fmt(q['retrieval_ms']['p95'])} | {_fmt(q['answer_ms']['p50'])}/{_fmt(q['answer_ms']['p95'])} | "
            f"{_fmt(s['cold_ask_s']['median'], 2)} | {_fmt(q['peak_rss_mb'], 0)} | "
            f"{_fmt(s['disk']['total_mb'])} |")
    lines += ["", "## Seed gold questions among distractors (extractive)", "",
              "| articles | doc_hit@1 | doc_hit@5 | evidence_hit@5 | contains | false_abstain_rate | noans_accuracy |",
              "|---:|---:|---:|---:|---:|---:|---:|"]
    ref = report.get("reference", {})
    rows = ([("seeds only", ref["quality"])] if ref else []) + [(f"{s['articles']:,}", s["quality"]) for s in report["sizes"]]
    for label, qd in rows:
        lines.append(f"| {label} | " + " | ".join(_fmt(qd.get(k), 3) for k in (
            "doc_hit@1", "doc_hit@5", "evidence_hit@5", "contains", "false_abstain_rate", "noans_accuracy")) + " |")
    lines += _ablation_lines(report["sizes"])
    lines += _dense_lines(report.get("dense")) + _baseline_lines(report.get("baselines")) + _server_lines(report.get("server"))
    lines += ["", "## Targets (reported, not asserted)", "", "| target | at | value | result |", "|---|---:|---:|---|"]
    for t in report.get("targets", []):
        lines.append(f"| {t['target']} | {t['articles']:,} | {_fmt(t['value'], 3 if isinstance(t['value'], float) and t['value'] < 1.01 else 1)} | "
                     f"{'PASS' if t['pass'] else 'FAIL'} |")
    for phase, prof in (report.get("profile") or {}).items():
        lines += ["", f"## Profile: {phase} at {prof.get('articles')} articles ({prof['seconds']} s profiled)", "",
                  "| self time | % | | project function (self + library calls it makes) | % |", "|---|---:|---|---|---:|"]
        for a, b in zip(prof["self"][:10], prof["project"][:10] + [None] * 10):
            lines.append(f"| `{a['function']}` | {a['percent']} | | `{b['function'] if b else ''}` | {b['percent'] if b else ''} |")
    lines += ["", f"Total bench wall time: {_fmt(report.get('wall_seconds'))} s.", ""]
    return "\n".join(lines)


def _ablation_lines(sizes: list[dict]) -> list[str]:
    sizes = [s for s in sizes if not s["fusion_ablation"].get("skipped")]
    if not sizes:
        return []
    first = sizes[0]["fusion_ablation"]
    out = ["", f"## Ablation: the same questions with dense weight {first['dense_weight']} in the fusion "
               f"(default {first['default_dense_weight']})", "",
           "ANN recall@30 = share of Chroma's HNSW top 30 that an exact search over all stored vectors also ranks top 30.", "",
           "| articles | doc_hit@1 | doc_hit@5 | evidence_hit@5 | contains | noans_accuracy | retrieve p50 ms "
           "| default retrieve p50 ms | ANN recall@30 |", "|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for s in sizes:
        ab = s["fusion_ablation"]
        out.append(f"| {s['articles']:,} | " + " | ".join(_fmt(ab.get(k), 3) for k in (
            "doc_hit@1", "doc_hit@5", "evidence_hit@5", "contains", "noans_accuracy")) +
            f" | {_fmt(ab['retrieval_ms']['p50'])} | {_fmt(s['query']['retrieval_ms']['p50'])} | "
            f"{_fmt(s['query'].get('ann_recall@30'), 3)} |")
    return out


def _dense_lines(dense: dict | None) -> list[str]:
    if not dense or dense.get("skipped"):
        return []
    out = ["", "## Dense embedder cost (random-weight multilingual-e5-small architecture, CPU)", "",
           f"{dense['note']}", "",
           f"Passages: {dense['passages_per_s']:.1f}/s at batch {dense['batch']} ({dense['sample']} passages, "
           f"median {dense['tokens_median']} tokens); one query: p50 {dense['query_ms']['p50']:.1f} ms, "
           f"p95 {dense['query_ms']['p95']:.1f} ms; model load {dense['load_s']:.1f} s; RSS {dense['peak_rss_mb']:.0f} MB.", "",
           "| articles | chunks | est. dense embedding s | est. ingest s (weightless ingest + dense) |", "|---:|---:|---:|---:|"]
    for row in dense.get("extrapolated", []):
        out.append(f"| {row['articles']:,} | {row['chunks']:,} | {_fmt(row['embed_s'])} | {_fmt(row['ingest_s'])} |")
    return out


def _baseline_lines(baselines: list | None) -> list[str]:
    if not baselines:
        return []
    out = ["", "## Plain llama-index baselines (same corpus, same questions, same weightless embedder)", "",
           "| articles | pipeline | nodes | build s | retrieve p50/p95 ms | doc_hit@1 | doc_hit@5 | evidence_hit@5 | "
           "build × hoidap | p50 × hoidap |", "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for b in baselines:
        for name in ("hoidap", "llama_vector", "llama_bm25"):
            r = b[name]
            out.append(f"| {b['articles']:,} | {name} | {_fmt(r.get('nodes'))} | {_fmt(r['build_s'])} | "
                       f"{_fmt(r['retrieval_ms']['p50'])}/{_fmt(r['retrieval_ms']['p95'])} | "
                       + " | ".join(_fmt(r["quality"].get(k), 3) for k in ("doc_hit@1", "doc_hit@5", "evidence_hit@5"))
                       + f" | {_fmt(r.get('build_ratio'), 2)} | {_fmt(r.get('latency_ratio'), 2)} |")
    return out


def _server_lines(server: dict | None) -> list[str]:
    if not server or server.get("skipped"):
        return []
    out = ["", f"## Chroma server mode at {server['articles']:,} articles (`chroma run` on 127.0.0.1)", "",
           "| store | first ingest s | retrieve p50/p95 ms | answer p50/p95 ms |", "|---|---:|---:|---:|"]
    for name in ("embedded", "server"):
        r = server[name]
        out.append(f"| {name} | {_fmt(r['ingest_s'])} | {_fmt(r['retrieval_ms']['p50'])}/{_fmt(r['retrieval_ms']['p95'])} | "
                   f"{_fmt(r['answer_ms']['p50'])}/{_fmt(r['answer_ms']['p95'])} |")
    return out


def plot(report: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sizes = report["sizes"]
    x = [s["articles"] for s in sizes]
    fig, ((lat, ing), (mem, disk)) = plt.subplots(2, 2, figsize=(11, 8))
    for key, label in (("retrieval_ms", "retrieve"), ("answer_ms", "answer")):
        lat.plot(x, [s["query"][key]["p50"] for s in sizes], marker="o", label=f"{label} p50")
        lat.plot(x, [s["query"][key]["p95"] for s in sizes], marker="o", linestyle="--", label=f"{label} p95")
    lat.plot(x, [s["cold_ask_s"]["median"] * 1000 for s in sizes], marker="s", label="cold `hoidap ask` (ms)")
    lat.set(xscale="log", yscale="log", xlabel="articles", ylabel="ms", title="Answer latency and cold ask")
    lat.legend(fontsize=8)
    ing.plot(x, [s["ingest"]["first"]["seconds"] for s in sizes], marker="o", label="first ingest")
    for key, label in (("add5", "add 5 articles"), ("remove5", "remove 5 articles"), ("changed", "1 % changed"),
                       ("unchanged", "unchanged re-run")):
        ing.plot(x, [(s["ingest"].get(key) or {}).get("seconds") for s in sizes], marker="o", label=label)
    ing.set(xscale="log", yscale="log", xlabel="articles", ylabel="seconds", title="Ingest time")
    ing.legend(fontsize=8)
    mem.plot(x, [s["ingest"]["first"]["peak_rss_mb"] for s in sizes], marker="o", label="first ingest")
    mem.plot(x, [(s["ingest"].get("add5") or {}).get("peak_rss_mb") for s in sizes], marker="o", label="add 5")
    mem.plot(x, [s["query"]["peak_rss_mb"] for s in sizes], marker="o", label="query worker")
    mem.set(xscale="log", xlabel="articles", ylabel="MB", title="Peak RSS")
    mem.legend(fontsize=8)
    disk.plot(x, [s["disk"]["total_mb"] for s in sizes], marker="o", label="index on disk")
    disk.set(xscale="log", yscale="log", xlabel="articles", ylabel="MB", title="Disk")
    disk.legend(fontsize=8)
    m = report["machine"]
    fig.suptitle(f"hoidap bench {m['date'][:10]} — {m['cpu']}, {m['cores']} cores, {m['gpu']}", fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
