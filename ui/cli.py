"""The `hoidap` command: a thin layer over library functions.

Answers go to stdout, progress and warnings to stderr; a user error is one
line on stderr and a non-zero exit, never a traceback (HOIDAP_DEBUG=1 shows it).
"""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
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
HELP_TEXT = "Hiện trợ giúp này rồi thoát (show this help and exit)."


def index_summary(report, settings: Settings) -> str:
    """One line saying what an index run did (the same for `index` and `serve --index`)."""
    counts = report.counts()
    weightless = " (không trọng số / weightless)" if report.embedder.get("weightless") else ""
    return (f"Đã lập chỉ mục {counts['indexed']}, bỏ qua {counts['skipped']}, không đổi {counts['unchanged']}, "
            f"đã xoá {counts['removed']} (indexed / skipped / unchanged / removed) — bộ nhúng "
            f"{report.embedder.get('name')}{weightless}, {report.seconds:.1f} s, dữ liệu ở {settings.data_dir}")


def settings_from(**overrides) -> Settings:
    settings = load_settings(**overrides)
    data_dir = Path(settings.data_dir)
    if data_dir.exists() and not data_dir.is_dir():
        raise HoidapError(_file_not_dir(data_dir))
    return settings


def _file_not_dir(path) -> str:
    return (f"Thư mục dữ liệu {path} đang là một tệp, không phải thư mục: hãy chọn --data-dir (HOIDAP_DATA_DIR) "
            "khác (the data dir is a file).")


def system_error_message(exc: BaseException) -> str | None:
    """One Vietnamese sentence for what the machine refused (disk full, read-only or not writable data
    dir, a file where a folder should be), found anywhere in the exception's chain; None otherwise."""
    import errno

    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        where = getattr(current, "filename", None) or "thư mục dữ liệu"
        code = getattr(current, "errno", None) if isinstance(current, OSError) else None
        text = str(current).lower()
        short_write = "requested and" in text and "written" in text  # numpy's words for a short write
        if code == errno.ENOSPC or "disk is full" in text or "no space left" in text or short_write:
            return (f"Hết chỗ trống trên đĩa khi ghi vào {where}: hãy giải phóng dung lượng rồi chạy lại; chỉ mục "
                    "đã có không bị thay đổi (disk full).")
        if code == errno.EROFS or "read-only file system" in text or "readonly database" in text:
            return (f"Không ghi được vào {where} vì ổ đĩa chỉ cho đọc: hãy chọn --data-dir (HOIDAP_DATA_DIR) ở "
                    "nơi ghi được (read-only file system).")
        if code in (errno.EACCES, errno.EPERM):
            return (f"Không có quyền ghi vào {where}: hãy cấp quyền ghi hoặc chọn --data-dir khác "
                    "(permission denied).")
        if code in (errno.ENOTDIR, errno.EEXIST) and isinstance(current, OSError):
            return _file_not_dir(where)
        current = current.__cause__ or current.__context__
    return None


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
    progress.console.print(index_summary(report, settings), highlight=False)


@app.command("info")
def info_command(data_dir: Optional[Path] = DataDir,
                 as_json: bool = typer.Option(False, "--json", help="In danh sách JSON ra stdout.")) -> None:
    """Liệt kê các bài đã lập chỉ mục (list indexed articles)."""
    from index.instructions import flagged_articles
    from index.manifest import read_manifest

    settings = settings_from(data_dir=data_dir)
    manifest = read_manifest(Path(settings.data_dir))
    if manifest is None:
        raise HoidapError(f"Chưa có chỉ mục trong {settings.data_dir}: hãy chạy 'hoidap index <thư mục>' (no index yet).")
    flagged = flagged_articles(settings.data_dir, manifest)
    articles = [{"doc_id": d, "title": e.title, "date": e.date, "author": e.author, "chunks": e.n_chunks,
                 "source_path": e.source_path, "instruction_like": flagged.get(d, [])}
                for d, e in manifest.articles.items()]
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
    console = Console()
    console.print(table)
    for a in articles:
        if a["instruction_like"]:
            console.print(f"⚠ {a['doc_id']} ({a['source_path']}): có câu giống chỉ dẫn cho trợ lý "
                          f"«{a['instruction_like'][0]}» — chỉ là dữ liệu, không được làm theo.", highlight=False, markup=False)


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
    after: Optional[list[str]] = typer.Option(None, "--after",
                                              help="Câu hỏi trước trong cuộc hội thoại (lặp lại được), cho câu hỏi tiếp theo."),
) -> None:
    """Hỏi một câu, trả lời kèm nguồn (ask one question)."""
    from ui.ask import run_ask

    settings = settings_from(data_dir=data_dir, mode=mode, top_k=k)
    sys.exit(run_ask(settings, question, as_json=as_json, after=after or None))


@app.command("serve")
def serve_command(
    data_dir: Optional[Path] = DataDir,
    host: Optional[str] = typer.Option(None, "--host", help="Địa chỉ lắng nghe (mặc định 127.0.0.1)."),
    port: Optional[int] = typer.Option(None, "--port", help="Cổng (mặc định 7860)."),
    index_paths: Optional[list[Path]] = typer.Option(None, "--index", metavar="<path>",
                                                     help="Lập/cập nhật chỉ mục thư mục này trước khi chạy (lặp lại được)."),
    mode: Optional[str] = typer.Option(None, "--mode", help="auto | llm | extractive"),
) -> None:
    """Chạy trang hỏi đáp, API JSON và widget (serve the chat page, API and widget)."""
    settings = settings_from(data_dir=data_dir, host=host, port=port, mode=mode)
    if index_paths:
        from index.builder import sync_index
        from index.progress import RichProgress

        missing = [str(p) for p in index_paths if not p.exists()]
        if missing:
            raise HoidapError(f"Không tìm thấy: {', '.join(missing)} (path not found).")
        progress = RichProgress()
        report = sync_index(list(index_paths), settings, progress=progress)
        progress.console.print(index_summary(report, settings), highlight=False)
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


def _plain_help(command) -> None:
    """Help in one voice: `--help` described in Vietnamese like every other option, and flags
    shown without a `<bool>` type beside them (they take no value)."""
    original = command.get_help_option

    def get_help_option(ctx):
        option = original(ctx)
        if option is not None:
            option.help, option.metavar = HELP_TEXT, ""
        return option

    command.get_help_option = get_help_option
    for param in command.params:
        if getattr(param, "is_flag", False) and param.metavar is None:
            param.metavar = ""
    for sub in getattr(command, "commands", {}).values():
        _plain_help(sub)


def _asks_for_a_product_command(argv: list[str]) -> bool:
    """`hoidap ask …`, `hoidap index …`: the product's own command, so the plugins (which import the
    evaluation code and scan every installed package's entry points) are not needed to run it."""
    return bool(argv) and argv[0] in {info.name for info in app.registered_commands}


_interrupted = False


def _on_interrupt(signum, frame) -> None:
    """Ctrl-C, remembered: an interrupt that lands inside a library (an import half done, a schema half
    built) can surface as another exception, which is still the user stopping the run."""
    global _interrupted
    _interrupted = True
    signal.default_int_handler(signum, frame)


def main() -> None:
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, _on_interrupt)
    if not _asks_for_a_product_command(sys.argv[1:]):  # `hoidap --help` and plugin commands need them
        _register_plugins()
    try:
        command = typer.main.get_command(app)
        _plain_help(command)
        code = command(standalone_mode=False)
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

        if isinstance(exc, (click.exceptions.Exit, typer.Exit)):
            sys.exit(exc.exit_code)
        # A usage error (missing argument, unknown option): one line, with where to look.
        if isinstance(exc, (click.ClickException, typer.TyperException)) and hasattr(exc, "format_message"):
            command = " ".join(a for a in sys.argv[1:2] if not a.startswith("-"))
            reason = exc.format_message().rstrip(".")
            print(f"hoidap: lệnh không hợp lệ (usage error): {reason} — xem «hoidap "
                  f"{command + ' ' if command else ''}--help».", file=sys.stderr)
            sys.exit(getattr(exc, "exit_code", 2) or 2)
        if isinstance(exc, typer.Abort):
            print("hoidap: đã dừng (aborted)", file=sys.stderr)
            sys.exit(130)
        if isinstance(exc, click.exceptions.Abort):
            print("hoidap: đã dừng (aborted)", file=sys.stderr)
            sys.exit(130)
        if os.environ.get("HOIDAP_DEBUG"):
            raise
        if _interrupted:  # e.g. a SchemaError from a library import that Ctrl-C cut short
            print("hoidap: đã dừng (interrupted)", file=sys.stderr)
            sys.exit(130)
        explained = system_error_message(exc)
        if explained:
            print(f"hoidap: {explained}", file=sys.stderr)
            sys.exit(1)
        first = (str(exc).strip().splitlines() or [""])[0]  # one stderr line, whatever the library wrote
        print(f"hoidap: lỗi không mong đợi: {type(exc).__name__}: {first} (đặt HOIDAP_DEBUG=1 để xem chi tiết)",
              file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
