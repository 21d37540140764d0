"""`hoidap eval` (and `hoidap bench`): registered into the product's CLI through an entry point."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Optional

import typer

from index.config import load_settings
from index.errors import HoidapError


def corpus_cache_dir(corpus: Path) -> Path:
    digest = hashlib.sha1(str(corpus.resolve()).encode()).hexdigest()[:12]
    return Path.home() / ".cache" / "hoidap" / f"eval-{corpus.resolve().name}-{digest}"


def register(app: typer.Typer) -> None:
    @app.command("eval")
    def eval_command(
        gold: Path = typer.Option(..., "--gold", help="Tệp gold JSONL."),
        corpus: Optional[Path] = typer.Option(None, "--corpus", help="Thư mục bài viết: lập/cập nhật chỉ mục trước."),
        data_dir: Optional[Path] = typer.Option(None, "--data-dir", help="Thư mục chỉ mục."),
        mode: Optional[str] = typer.Option("extractive", "--mode", help="auto | llm | extractive"),
        k: Optional[int] = typer.Option(None, "--k"),
        out: Optional[Path] = typer.Option(None, "--out", help="Ghi report.json, report.md, report.html vào đây."),
        as_json: bool = typer.Option(False, "--json", help="In báo cáo JSON ra stdout."),
        calibrate_refusal: bool = typer.Option(False, "--calibrate", help="Tìm ngưỡng từ chối tốt nhất."),
        limit: Optional[int] = typer.Option(None, "--limit", help="Chỉ chạy N câu đầu."),
        baseline: Optional[str] = typer.Option(None, "--baseline",
                                               help="bm25: thêm cột BM25 thuần trên đoạn văn (plain BM25 column)."),
        typos: bool = typer.Option(False, "--typos", help="Hỏi mỗi câu với một lỗi gõ cố định (eval/typos.py)."),
        unaccented: bool = typer.Option(False, "--no-accents",
                                        help="Hỏi mỗi câu không dấu, như gõ không có bộ gõ tiếng Việt (without diacritics)."),
        chatty: bool = typer.Option(False, "--chatty", help="Hỏi mỗi câu kèm lời chào, «cho tôi hỏi», «ạ» như khi "
                                    "chat (eval/chatty.py; questions wrapped in a chat's courtesies)."),
        hold_out: Optional[float] = typer.Option(None, "--hold-out", help="Lập chỉ mục --corpus thiếu tỉ lệ bài này; "
                                                 "câu hỏi về bài bị giữ lại phải được từ chối (eval/holdout.py)."),
    ) -> None:
        """Chấm điểm truy xuất, câu trả lời, trích dẫn và từ chối trên bộ gold (evaluate)."""
        from eval.harness import calibrate, evaluate, load_gold
        from index.progress import RichProgress
        from rag.pipeline import Answerer

        if not gold.exists():
            raise HoidapError(f"Không tìm thấy tệp gold: {gold}")
        if baseline not in (None, "bm25"):
            raise HoidapError(f"--baseline {baseline}: chỉ có 'bm25' (only 'bm25' is known).")
        if corpus is None and data_dir is None:
            raise HoidapError("Cần --corpus THƯ_MỤC hoặc --data-dir CHỈ_MỤC (need a corpus or an index).")
        if hold_out is not None and (corpus is None or data_dir is not None):
            raise HoidapError("--hold-out cần --corpus và tự lập chỉ mục riêng (needs --corpus, not --data-dir).")
        cache = corpus_cache_dir(corpus) if corpus else None
        if cache is not None and hold_out is not None:
            cache = cache.with_name(f"{cache.name}-holdout{hold_out:g}")
        settings = load_settings(data_dir=data_dir or cache, mode=mode, top_k=k)
        progress = RichProgress()
        held: set[str] = set()
        if corpus is not None:
            from index.builder import sync_index

            if not corpus.exists():
                raise HoidapError(f"Không tìm thấy thư mục: {corpus}")
            paths = [corpus]
            if hold_out is not None:
                from eval.holdout import split_corpus
                from index.sources import scan_sources

                paths, held = split_corpus(scan_sources([corpus])[0], hold_out)
            sync_index(paths, settings, progress=progress)
        items = load_gold(gold)[:limit] if limit else load_gold(gold)
        if held:
            from eval.holdout import with_held_out

            items = with_held_out(items, held)
        answerer = Answerer(settings)
        report, records = evaluate(answerer, items, mode=mode, k=k, progress=progress, baseline=baseline, typos=typos,
                                   unaccented=unaccented, chatty=chatty)
        report_meta = {"gold": str(gold), "mode": mode, "k": k or settings.top_k, "typos": typos,
                       "unaccented": unaccented, "chatty": chatty, "hold_out": hold_out,
                       "embedder": answerer.reader.manifest.embedder.get("name")}
        if calibrate_refusal:
            calibration = calibrate(records)
            progress.console.print(f"Ngưỡng từ chối tốt nhất: {calibration['best']}", highlight=False)
            report_meta["calibration"] = calibration["best"]
        if out is not None:
            from eval.report import write_reports

            write_reports(out, report, records, report_meta)
            progress.console.print(f"Đã ghi báo cáo vào {out}", highlight=False)
        if as_json:
            print(json.dumps(report, ensure_ascii=False, indent=1))
        else:
            from eval.report import markdown_tables

            print(markdown_tables(report, report_meta))

    @app.command("calibrate")
    def calibrate_command(reports: list[Path] = typer.Argument(..., help="report.json của các lần 'hoidap eval --out'.")) -> None:
        """Ngưỡng từ chối từ nhiều báo cáo gộp lại (refusal threshold over several eval reports)."""
        from eval.harness import calibrate_points

        points = []
        for report in reports:
            data = json.loads(report.read_text(encoding="utf-8"))
            points += [(q["confidence"] or 0.0, q["answerable"]) for q in data.get("questions", [])]
        result = calibrate_points(points)
        print(json.dumps({"questions": len(points), "unanswerable": sum(1 for _, a in points if not a),
                          "best": result["best"]}, ensure_ascii=False))

    from eval.train import register_train
    from eval.bench_load import register_bench_load

    register_train(app)
    register_bench_load(app)
    try:
        from eval.bench import register_bench
    except ImportError:
        return
    register_bench(app)
