"""The `hoidap` command: a thin layer over library functions.

Answers go to stdout, progress and warnings to stderr; a user error is one
line on stderr and a non-zero exit, never a traceback (HOIDAP_DEBUG=1 shows it).
"""

from __future__ import annotations

import json
import os
import sys
from importlib.metadata import entry_points
from pathlib import Path
from typing import Optional

import typer

from index.config import Settings, load_settings
from index.errors import HoidapError

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="Hỏi đáp: hỏi bằng tiếng Việt về một thư mục bài báo, trả lời kèm đoạn trích dẫn.",
)

DataDir = typer.Option(None, "--data-dir", help="Thư mục chỉ mục (mặc định: HOIDAP_DATA_DIR hoặc ./data).")


def settings_from(**overrides) -> Settings:
    return load_settings(**overrides)


@app.command("index")
def index_command(
    paths: list[Path] = typer.Argument(..., help="Tệp hoặc thư mục bài viết (.txt .md .html .docx .pdf)."),
    data_dir: Optional[Path] = DataDir,
    embed_model: Optional[str] = typer.Option(None, "--embed-model", help="auto | lexical | tên/đường dẫn mô hình | ollama:<tên>"),
    chroma_url: Optional[str] = typer.Option(None, "--chroma-url", help="URL máy chủ Chroma (chroma run)."),
    chunk_chars: Optional[int] = typer.Option(None, "--chunk-chars", help="Cỡ đoạn (ký tự)."),
    rebuild: bool = typer.Option(False, "--rebuild", help="Xây lại toàn bộ (đổi bộ nhúng)."),
    as_json: bool = typer.Option(False, "--json", help="In báo cáo JSON ra stdout."),
) -> None:
    """Xây hoặc cập nhật chỉ mục (build or refresh the index)."""
    from index.builder import sync_index
    from index.progress import RichProgress

    settings = settings_from(data_dir=data_dir, embed_model=embed_model, chroma_url=chroma_url, chunk_chars=chunk_chars)
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        raise HoidapError(f"Không tìm thấy: {', '.join(missing)} (path not found).")
    progress = RichProgress()
    report = sync_index(paths, settings, rebuild=rebuild, progress=progress)
    counts = report.counts()
    if as_json:
        print(json.dumps({**counts, "chunks_embedded": report.chunks_embedded, "embedder": report.embedder,
                          "skipped_files": [s.__dict__ for s in report.skipped], "seconds": round(report.seconds, 2)},
                         ensure_ascii=False))
    weightless = " (không trọng số / weightless)" if report.embedder.get("weightless") else ""
    progress.console.print(
        f"Đã lập chỉ mục {counts['indexed']}, bỏ qua {counts['skipped']}, không đổi {counts['unchanged']}, "
        f"đã xoá {counts['removed']} (indexed / skipped / unchanged / removed) — bộ nhúng "
        f"{report.embedder.get('name')}{weightless}, {report.seconds:.1f} s, dữ liệu ở {settings.data_dir}",
        highlight=False,
    )


@app.command("info")
def info_command(data_dir: Optional[Path] = DataDir, as_json: bool = typer.Option(False, "--json")) -> None:
    """Liệt kê các bài đã lập chỉ mục (list indexed articles)."""
    from index.manifest import read_manifest

    settings = settings_from(data_dir=data_dir)
    manifest = read_manifest(Path(settings.data_dir))
    if manifest is None:
        raise HoidapError(f"Chưa có chỉ mục trong {settings.data_dir}: hãy chạy 'hoidap index <thư mục>' (no index yet).")
    articles = [{"doc_id": d, "title": e.title, "date": e.date, "author": e.author, "chunks": e.n_chunks,
                 "source_path": e.source_path} for d, e in manifest.articles.items()]
    if as_json:
        print(json.dumps({"embedder": manifest.embedder, "chunker": manifest.chunker, "store": manifest.store,
                          "built_at": manifest.built_at, "articles": articles}, ensure_ascii=False, indent=1))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"{len(articles)} bài — bộ nhúng {manifest.embedder['name']} — {manifest.built_at}")
    for column in ("doc_id", "Ngày", "Tiêu đề", "Tác giả", "Đoạn"):
        table.add_column(column, overflow="fold")
    for a in articles:
        table.add_row(a["doc_id"], a["date"] or "—", a["title"], a["author"] or "—", str(a["chunks"]))
    Console().print(table)


@app.command("check")
def check_command(data_dir: Optional[Path] = DataDir, as_json: bool = typer.Option(False, "--json")) -> None:
    """Kiểm tra chỉ mục (kích thước, CRC-32) và cách sửa (verify the index; exit 1 when damaged)."""
    from index.repair import check_index

    report = check_index(settings_from(data_dir=data_dir))
    print(json.dumps(report.to_dict(), ensure_ascii=False, indent=1) if as_json else report.render())
    if report.state != "ok":
        sys.exit(1)


@app.command("ask")
def ask_command(
    question: str = typer.Argument(..., help="Câu hỏi tiếng Việt."),
    data_dir: Optional[Path] = DataDir,
    mode: Optional[str] = typer.Option(None, "--mode", help="auto | llm | extractive"),
    k: Optional[int] = typer.Option(None, "--k", help="Số đoạn trích dẫn."),
    as_json: bool = typer.Option(False, "--json", help="In đúng đối tượng kết quả JSON."),
) -> None:
    """Hỏi một câu, trả lời kèm nguồn (ask one question)."""
    from ui.ask import run_ask

    settings = settings_from(data_dir=data_dir, mode=mode, top_k=k)
    sys.exit(run_ask(settings, question, as_json=as_json))


@app.command("serve")
def serve_command(
    data_dir: Optional[Path] = DataDir,
    host: Optional[str] = typer.Option(None, "--host", help="Địa chỉ lắng nghe (mặc định 127.0.0.1)."),
    port: Optional[int] = typer.Option(None, "--port", help="Cổng (mặc định 7860)."),
    index_paths: Optional[list[Path]] = typer.Option(None, "--index", help="Lập/cập nhật chỉ mục thư mục này trước khi chạy."),
    mode: Optional[str] = typer.Option(None, "--mode", help="auto | llm | extractive"),
) -> None:
    """Chạy trang hỏi đáp, API JSON và widget (serve the chat page, API and widget)."""
    settings = settings_from(data_dir=data_dir, host=host, port=port, mode=mode)
    if index_paths:
        from index.builder import sync_index
        from index.progress import RichProgress

        progress = RichProgress()
        report = sync_index(list(index_paths), settings, progress=progress)
        counts = report.counts()
        progress.console.print(f"Chỉ mục: {counts} — {report.embedder.get('name')}", highlight=False)
    from ui.server import run_server

    run_server(settings)


def _register_plugins() -> None:
    """Sub-commands shipped outside the product (``hoidap eval``) register through
    entry points, so the product itself never imports ``eval``."""
    for entry in entry_points(group="hoidap.commands"):
        try:
            entry.load()(app)
        except Exception as exc:  # a broken plugin must not break the product's commands
            print(f"hoidap: bỏ qua lệnh '{entry.name}' ({exc})", file=sys.stderr)


def main() -> None:
    _register_plugins()
    try:
        code = app(standalone_mode=False)
        # typer turns Ctrl-C into a return code (130) when not in standalone mode.
        if isinstance(code, int) and code != 0:
            if code == 130:
                print("hoidap: đã dừng (interrupted)", file=sys.stderr)
            sys.exit(code)
    except HoidapError as exc:
        print(f"hoidap: {exc}", file=sys.stderr)
        sys.exit(1)
    except KeyboardInterrupt:
        print("hoidap: đã dừng (interrupted)", file=sys.stderr)
        sys.exit(130)
    except Exception as exc:
        import click

        if isinstance(exc, click.exceptions.Exit):
            sys.exit(exc.exit_code)
        if isinstance(exc, click.ClickException):
            exc.show()
            sys.exit(exc.exit_code)
        if isinstance(exc, click.exceptions.Abort):
            print("hoidap: đã dừng (aborted)", file=sys.stderr)
            sys.exit(130)
        if os.environ.get("HOIDAP_DEBUG"):
            raise
        print(f"hoidap: lỗi không mong đợi: {type(exc).__name__}: {exc} (đặt HOIDAP_DEBUG=1 để xem chi tiết)",
              file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
