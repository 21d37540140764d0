"""The widget embedded in an intranet page served from another origin (another port on 127.0.0.1), in
Debian's chromium: what it says when the hoidap server does not allow that origin, when it does, and when
the server is stopped. Screenshots go to test-artifacts/."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.ui.conftest import PHUOC_TAN_Q, ask_widget

pytestmark = [pytest.mark.browser, pytest.mark.server]


class _HostPage(BaseHTTPRequestHandler):
    """An intranet page on its own port, embedding the widget of the hoidap server named in ?api=."""

    def do_GET(self) -> None:  # noqa: N802 - the http.server interface
        api = re.search(r"api=(http://127\.0\.0\.1:\d+)", self.path)
        body = ("<!doctype html><html lang=\"vi\"><head><meta charset=\"utf-8\"><title>Cổng nội bộ</title></head>"
                "<body><main><h1>Cổng thông tin nội bộ</h1><p>Trang ở một cổng khác máy chủ hỏi đáp.</p></main>"
                f"<script src=\"{api.group(1) if api else ''}/widget.js\"></script></body></html>").encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def other_origin() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _HostPage)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_widget_on_another_origin_says_what_to_set_then_answers(session, live, server_factory, other_origin, artifacts):
    page, _ = session
    page.goto(f"{other_origin}/?api={live.url}")  # the default server allows no other origin
    ask_widget(page, PHUOC_TAN_Q)
    error = page.locator("hoidap-widget .box.error")
    error.wait_for()
    message = error.inner_text()
    assert "HOIDAP_CORS_ORIGINS" in message and other_origin in message and "đang chạy" in message, message
    assert "HOIDAP_CORS_ORIGINS" in page.locator("hoidap-widget .mode").inner_text()
    page.screenshot(path=str(artifacts / "widget-cors-blocked.png"))

    allowed = server_factory(cors_origins=[other_origin])
    page.goto(f"{other_origin}/?api={allowed.url}")
    ask_widget(page, PHUOC_TAN_Q)
    page.locator("hoidap-widget .src mark").first.wait_for()
    assert "553" in page.locator("hoidap-widget .bot .answer").last.inner_text()
    assert page.locator("hoidap-widget .box.error").count() == 0
    page.screenshot(path=str(artifacts / "widget-cors-allowed.png"))


def test_widget_on_another_origin_tells_a_stopped_server_from_a_cors_block(session, server_factory, other_origin):
    page, _ = session
    doomed = server_factory(cors_origins=[other_origin], max_question_chars=499)  # its own server, stopped below
    page.goto(f"{other_origin}/?api={doomed.url}")
    page.locator("hoidap-widget .fab").wait_for()
    doomed.stop()
    ask_widget(page, PHUOC_TAN_Q)
    error = page.locator("hoidap-widget .box.error")
    error.wait_for()
    assert "Không kết nối được máy chủ hỏi đáp" in error.inner_text() and doomed.url in error.inner_text()
    assert "HOIDAP_CORS_ORIGINS" not in error.inner_text()
