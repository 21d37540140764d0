"""One FastAPI app: the JSON API, the widget and its pages, offline docs, and the
Gradio chat page mounted at ``/`` (mounted last, so it only sees the paths no
route above claimed).

Offline by construction: no share links, analytics off, system fonts, and
/docs rendered locally instead of FastAPI's CDN-hosted Swagger UI.
"""

from __future__ import annotations

import os

# Before gradio is imported: its telemetry reads this at import time (Blocks also gets
# analytics_enabled=False explicitly, for when gradio was imported earlier).
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import html
import socket
import sys
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from index.config import Settings
from index.errors import HoidapError
from rag.pipeline import Answerer
from ui.api import build_router, install_error_handlers
from ui.docs_page import docs_html
from ui.feedback import FeedbackLog
from ui.html_lang import HtmlLangMiddleware
from ui.runner import UNEXPECTED, AnswerRunner
from ui.security import install as install_security
from ui.status import StatusProbe

STATIC = Path(__file__).resolve().parent / "static"
NO_CACHE = {"Cache-Control": "no-cache"}


def _embed_csp(settings: Settings) -> str:
    # The embed page is meant to be framed by intranet pages; when origins are configured only
    # those may frame it.
    # 'self' too: the server's own /example page frames it.
    ancestors = " ".join(["'self'", *settings.cors_origins]) if settings.cors_origins else "*"
    return ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
            f"connect-src 'self'; frame-ancestors {ancestors}")


def create_app(settings: Settings, answerer: Answerer | None = None) -> FastAPI:
    check_proxy_settings(settings)
    import gradio as gr

    from ui.chat_page import build_chat_page, page_css, page_head, page_theme
    from ui.page_i18n import gradio_i18n

    answerer = answerer or Answerer(settings)
    # Room for the model calls on top: a question waiting for the model holds one of these threads, and
    # at most llm_max_calls do (the others are answered extractively at once), so answers that need no
    # model always find max_concurrency threads.
    runner = AnswerRunner(answerer, settings.max_concurrency + settings.llm_max_calls)
    probe = StatusProbe(settings, answerer)
    feedback = FeedbackLog(Path(settings.data_dir))

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        await run_in_threadpool(runner.warm_up)
        yield
        runner.close()

    app = FastAPI(title="Hỏi đáp API", version="0.1.0", docs_url=None, redoc_url=None, openapi_url="/openapi.json",
                  lifespan=lifespan, description="Hỏi đáp tiếng Việt trên kho bài viết, trả lời kèm trích dẫn.")
    app.state.settings, app.state.runner, app.state.probe = settings, runner, probe
    app.add_middleware(HtmlLangMiddleware, lang="vi")
    limiters = install_security(app, settings)
    install_error_handlers(app)

    @app.exception_handler(Exception)
    async def on_unexpected(request: Request, exc: Exception) -> JSONResponse:
        return JSONResponse({"detail": UNEXPECTED}, status_code=500)

    app.include_router(build_router(settings, runner, probe, feedback))

    @app.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        return HTMLResponse(docs_html(app.openapi()))

    @app.get("/widget.js", include_in_schema=False)
    async def widget() -> FileResponse:
        return FileResponse(STATIC / "widget.js", media_type="text/javascript; charset=utf-8", headers=NO_CACHE)

    @app.get("/embed", include_in_schema=False)
    async def embed() -> FileResponse:
        return FileResponse(STATIC / "embed.html", media_type="text/html; charset=utf-8",
                            headers={**NO_CACHE, "Content-Security-Policy": _embed_csp(settings)})

    @app.get("/example", include_in_schema=False)
    async def example() -> Response:
        # The configured public address, never the request's Host header (which any client can set);
        # without one, paths relative to this server.
        page = (STATIC / "intranet-example.html").read_text(encoding="utf-8")
        origin = html.escape((settings.public_url or "").rstrip("/"), quote=True)
        return HTMLResponse(page.replace("__HOIDAP_ORIGIN__", origin), headers=NO_CACHE)

    demo = build_chat_page(settings, runner, probe, feedback, limiters.page)
    gr.mount_gradio_app(app, demo, path="/", footer_links=[], run_history=False, show_error=False,
                        max_file_size="1mb", ssr_mode=False, pwa=False, mcp_server=False, theme=page_theme(),
                        css=page_css(), head=page_head(), i18n=gradio_i18n(), server_name=settings.host,
                        server_port=settings.port)
    return app


def check_proxy_settings(settings: Settings) -> None:
    """One Vietnamese sentence for proxy settings that cannot work, before anything starts."""
    import ipaddress

    for entry in settings.trusted_proxies:
        try:
            ipaddress.ip_network(entry.strip(), strict=False)
        except ValueError:
            raise HoidapError(f"HOIDAP_TRUSTED_PROXIES có giá trị không hợp lệ «{entry}»: hãy ghi địa chỉ IP "
                              "hoặc mạng (ví dụ 127.0.0.1 hoặc 10.0.0.0/8).") from None
    if settings.proxy_user_header and not settings.trusted_proxies:
        raise HoidapError("HOIDAP_PROXY_USER_HEADER chỉ được tin khi đến từ proxy đã khai báo: hãy đặt "
                          "HOIDAP_TRUSTED_PROXIES là địa chỉ của proxy (ví dụ 127.0.0.1).")


def uvicorn_options(settings: Settings) -> dict:
    """What run_server gives uvicorn besides the app: header/body deadlines on each connection, and no
    forwarded-header handling of its own (the access middleware believes them from trusted proxies only)."""
    from ui.http_timeouts import timed_protocol

    return {"http": timed_protocol(settings), "proxy_headers": False, "timeout_keep_alive": 5,
            "log_level": "warning", "access_log": False, "timeout_graceful_shutdown": 5}


def _check_port(settings: Settings) -> None:
    """Fail with one Vietnamese sentence instead of uvicorn's errno when the port is taken."""
    family = socket.AF_INET6 if ":" in settings.host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((settings.host, settings.port))
        except OSError as exc:
            raise HoidapError(f"Không mở được cổng {settings.host}:{settings.port} ({exc.strerror or exc}): "
                              "cổng đang được dùng hoặc địa chỉ không hợp lệ; hãy chọn --port khác.") from exc


def run_server(settings: Settings) -> None:
    import uvicorn

    _check_port(settings)
    app = create_app(settings)
    shown_host = "127.0.0.1" if settings.host in ("0.0.0.0", "::") else settings.host
    url = f"http://{shown_host}:{settings.port}/"
    print(f"hoidap: trang hỏi đáp ở {url} — API {url}api/ask, tài liệu {url}docs, widget {url}widget.js "
          f"(Ctrl+C để dừng)", file=sys.stderr)
    if settings.host not in ("127.0.0.1", "localhost", "::1"):
        print(f"hoidap: cảnh báo — đang lắng nghe trên {settings.host}, mọi máy trong mạng đều truy cập được"
              + ("" if settings.api_token or settings.proxy_user_header else " và chưa bật mã truy cập"),
              file=sys.stderr)
    uvicorn.run(app, host=settings.host, port=settings.port, **uvicorn_options(settings))
