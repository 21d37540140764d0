"""Live servers for the UI tests: a real index of the seeds (plus one hostile article), the real
app, served by uvicorn on 127.0.0.1 from a background thread.

Servers are session-scoped and keyed by their settings, so each variant (token, proxy header,
CORS, tight rate limit, LLM through the fake Ollama) starts once.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
import uvicorn

from index.builder import sync_index
from index.config import Settings
from rag.pipeline import Answerer
from tests.support.fake_ollama import FakeOllamaServer

REPO_ROOT = Path(__file__).resolve().parents[2]
SEED_DIR = REPO_ROOT / "seeds"
ARTIFACTS = REPO_ROOT / "test-artifacts"

PHUOC_TAN_Q = "Phường Phước Tân có bao nhiêu đảng viên?"
XSS_Q = "Xã Hòa Bình Xanh có bao nhiêu hộ dân tham gia thử nghiệm?"
XSS_DOC_ID = "900_xss_test"
# Markup written as plain text in a .txt article: it must come back from the API as data and be
# shown by every renderer as the characters themselves. "${7*7}" guards against template evaluation.
XSS_ARTICLE = """Xã Hòa Bình Xanh thử nghiệm hệ thống thông tin

Ngày 15/3/2024, Ủy ban nhân dân xã Hòa Bình Xanh tổ chức buổi thử nghiệm hệ thống thông tin nội bộ.

Trong biên bản, cán bộ ghi lại đoạn mã <img src=x onerror=alert(1)> như một ví dụ về nội dung độc hại cần chặn.

Xã Hòa Bình Xanh hiện có 777 hộ dân tham gia thử nghiệm, kèm ghi chú <script>alert('xss')</script> <img src=x onerror=alert(1)> ${7*7} được giữ nguyên.
"""


@pytest.fixture(scope="session")
def ui_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    extra = tmp_path_factory.mktemp("ui-extra")
    (extra / f"{XSS_DOC_ID}.txt").write_text(XSS_ARTICLE, encoding="utf-8")
    data_dir = tmp_path_factory.mktemp("ui-data")
    settings = Settings(data_dir=data_dir, mode="extractive")
    report = sync_index([SEED_DIR, extra], settings, embed_spec="lexical")
    assert report.counts()["indexed"] == 6, report.counts()
    return data_dir


def ui_settings(data_dir: Path, **overrides) -> Settings:
    values = dict(data_dir=data_dir, mode="extractive", host="127.0.0.1", port=0,
                  # Nothing listens on the discard port: /healthz reports Ollama unreachable, fast.
                  ollama_host="http://127.0.0.1:9", ollama_connect_timeout=0.5,
                  rate_limit_per_minute=100_000, max_concurrency=8)
    values.update(overrides)
    return Settings(**values)


class LiveServer:
    """The real app under uvicorn, on a socket bound before start (no port race)."""

    def __init__(self, settings: Settings, answerer: Answerer | None = None):
        from ui.server import create_app

        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.settings = settings.model_copy(update={"port": self.port})
        self.url = f"http://127.0.0.1:{self.port}"
        self.app = create_app(self.settings, answerer)
        config = uvicorn.Config(self.app, log_level="warning", access_log=False, lifespan="on",
                                timeout_graceful_shutdown=2)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)

    def start(self) -> "LiveServer":
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the hoidap test server did not start")
            time.sleep(0.05)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.sock.close()

    def client(self, **kwargs) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=30, trust_env=False, **kwargs)


@pytest.fixture(scope="session")
def shared_answerer(ui_data_dir: Path) -> Answerer:
    return Answerer(ui_settings(ui_data_dir))


@pytest.fixture(scope="session")
def server_factory(ui_data_dir: Path, shared_answerer: Answerer) -> Iterator:
    started: dict[str, LiveServer] = {}

    def make(answerer: Answerer | None = None, **overrides) -> LiveServer:
        key = repr(sorted(overrides.items())) + (f"/{id(answerer)}" if answerer else "")
        if key not in started:
            data_dir = overrides.pop("data_dir", ui_data_dir)
            started[key] = LiveServer(ui_settings(data_dir, **overrides), answerer or shared_answerer).start()
        return started[key]

    yield make
    for server in started.values():
        server.stop()


@pytest.fixture(scope="session")
def live(server_factory) -> LiveServer:
    """The default server: no auth, no CORS origins, generous rate limit."""
    return server_factory()


@pytest.fixture(scope="session")
def fake_ollama_session() -> Iterator[FakeOllamaServer]:
    with FakeOllamaServer() as fake:
        fake.reply = "Phường Phước Tân hiện có 553 đảng viên [1]."
        fake.token_delay = 0.01
        yield fake


@pytest.fixture(scope="session")
def llm_live(server_factory, ui_data_dir: Path, fake_ollama_session: FakeOllamaServer) -> LiveServer:
    """Mode auto with the fake Ollama: the LLM path, streamed token by token."""
    settings = ui_settings(ui_data_dir, mode="auto", ollama_host=fake_ollama_session.url)
    return server_factory(answerer=Answerer(settings), mode="auto", ollama_host=fake_ollama_session.url)


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


# --- the browser: Debian's chromium driven by playwright (see test_browser.py)

CHROMIUM = os.environ.get("HOIDAP_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
TIMEOUT_MS = 30_000


@pytest.fixture(scope="session")
def browser() -> Iterator:
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium not found at {CHROMIUM}: install it with `apt-get install -y chromium` "
                    "(the browser tests drive Debian's chromium; playwright must not download its own).")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


class Recorder:
    def __init__(self):
        self.urls: list[str] = []
        self.dialogs: list[str] = []

    def foreign(self) -> list[str]:
        return [u for u in self.urls if urlsplit(u).scheme not in ("data", "blob", "about")
                and urlsplit(u).hostname != "127.0.0.1"]


@pytest.fixture
def session(browser) -> Iterator[tuple]:
    """A fresh context (Vietnamese locale) whose every request and dialog is recorded; after the
    test, nothing may have gone anywhere but 127.0.0.1 and no dialog may have opened."""
    yield from recorded_session(browser, {"width": 1400, "height": 1000})


def recorded_session(browser, viewport: dict) -> Iterator[tuple]:
    context = browser.new_context(locale="vi-VN", viewport=viewport,
                                  permissions=["clipboard-read", "clipboard-write"])
    context.set_default_timeout(TIMEOUT_MS)
    record = Recorder()
    context.on("request", lambda request: record.urls.append(request.url))

    def on_page(page) -> None:
        page.on("websocket", lambda ws: record.urls.append(ws.url))

        def on_dialog(dialog) -> None:
            record.dialogs.append(f"{dialog.type}: {dialog.message}")
            dialog.dismiss()

        page.on("dialog", on_dialog)

    context.on("page", on_page)
    page = context.new_page()
    yield page, record
    context.close()
    assert record.dialogs == [], record.dialogs
    assert record.foreign() == [], record.foreign()


def ask_on_page(page, question: str) -> None:
    box = page.locator("#hd-question textarea")
    box.fill(question)
    box.press("Enter")


def pytest_configure(config: pytest.Config) -> None:
    # Gradio's queue calls pandas options that pandas 3 deprecates: noise, not ours to fix.
    config.addinivalue_line("filterwarnings", "ignore:.*future.no_silent_downcasting.*")
    config.addinivalue_line("filterwarnings", "ignore:The copy keyword is deprecated.*")


def ask_widget(page, question: str) -> None:
    """Open the widget and ask: click its button, type, Enter."""
    page.locator("hoidap-widget .fab").click()
    page.locator("hoidap-widget textarea").fill(question)
    page.locator("hoidap-widget textarea").press("Enter")
