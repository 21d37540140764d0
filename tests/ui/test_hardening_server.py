"""The server under hostile clients and a hung model (issue 11, items 1, 7, 8, 10): real `hoidap serve`
processes on 127.0.0.1, a fake Ollama that accepts questions and never answers, raw sockets for slow
clients. Every wait is bounded."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from index.builder import sync_index
from index.config import Settings
from tests.support.fake_ollama import HangingOllama

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
QUESTION = "Phường Phước Tân có bao nhiêu đảng viên?"
FEEDBACK = {"question": "q", "answer": "a", "citations": [], "vote": "up"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ServeProcess:
    """`hoidap serve` in a process of its own, with HOIDAP_* settings from ``env``."""

    def __init__(self, hoidap_cmd: list[str], cli_env: dict[str, str], data_dir: Path, **env: str):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.data_dir = data_dir
        settings = {"HOIDAP_DATA_DIR": str(data_dir), "HOIDAP_PORT": str(self.port), "HOIDAP_MODE": "extractive",
                    "HOIDAP_OLLAMA_HOST": "http://127.0.0.1:9", "HOIDAP_RATE_LIMIT_PER_MINUTE": "100000"}
        settings.update({f"HOIDAP_{k.upper()}": v for k, v in env.items()})
        self.proc = subprocess.Popen([*hoidap_cmd, "serve"], env={**cli_env, **settings}, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)

    def start(self) -> "ServeProcess":
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"hoidap serve exited: {self.proc.stderr.read()}")
            try:
                if httpx.get(self.url + "/healthz", timeout=2, trust_env=False).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.25)
        self.stop()
        raise RuntimeError("hoidap serve did not answer within 90 s")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=5)

    def client(self, timeout: float = 30, **kwargs) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=timeout, trust_env=False, **kwargs)


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory) -> Path:
    data = tmp_path_factory.mktemp("hardening-data")
    sync_index([SEEDS], Settings(data_dir=data), embed_spec="lexical")
    return data


@pytest.fixture(scope="module")
def hung_model() -> Iterator[HangingOllama]:
    with HangingOllama(hang_seconds=120) as fake:
        yield fake


@pytest.fixture(scope="module")
def server(hoidap_cmd, cli_env, data_dir, hung_model) -> Iterator[ServeProcess]:
    proc = ServeProcess(hoidap_cmd, cli_env, data_dir, mode="auto", ollama_host=hung_model.url,
                        llm_first_token_timeout="4", llm_max_calls="2", llm_breaker_failures="2",
                        llm_breaker_cooldown="600", max_concurrency="8", http_header_timeout="2",
                        http_body_timeout="2").start()
    yield proc
    proc.stop()


def test_extractive_answers_and_healthz_never_wait_behind_a_hung_model(server, hung_model):
    results: list[httpx.Response] = []

    def ask_auto() -> None:
        with server.client(timeout=60) as client:
            results.append(client.post("/api/ask", json={"question": QUESTION}))

    threads = [threading.Thread(target=ask_auto, daemon=True) for _ in range(9)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 10
    while hung_model.chat_requests() < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert hung_model.chat_requests() == 2, "two questions wait for the model, the pool's size"
    with server.client() as client:
        started = time.monotonic()
        extractive = client.post("/api/ask", json={"question": QUESTION, "mode": "extractive"})
        extractive_s = time.monotonic() - started
        started = time.monotonic()
        health = client.get("/healthz")
        health_s = time.monotonic() - started
    assert extractive.status_code == 200 and "553" in extractive.json()["answer"]
    assert extractive_s < 1.5, f"an extractive answer waited {extractive_s:.1f} s behind model calls"
    assert health.status_code == 200 and health_s < 1.5
    assert health.json()["llm"]["calls_in_flight"] == 2
    for thread in threads:
        thread.join(timeout=30)
    assert len(results) == 9 and all(r.status_code == 200 for r in results)
    answers = [r.json() for r in results]
    assert all(a["mode"] == "extractive" and "553" in a["answer"] for a in answers)
    warnings = " ".join(w for a in answers for w in a["warnings"])
    assert "không bắt đầu trả lời trong 4 giây" in warnings and "đang bận" in warnings
    # Two deadline misses in a row: the breaker is open, and /healthz says so.
    with server.client() as client:
        body = client.get("/healthz").json()
    assert body["llm"]["breaker"]["state"] == "open" and body["mode"] == "extractive"
    assert "tạm ngừng gọi" in body["mode_reason"]


def _chunked(total: int, piece: int = 64 * 1024) -> Iterator[bytes]:
    head = b'{"question": "' + b"a" * 10
    yield head
    sent = len(head)
    while sent < total:
        yield b"a" * piece
        sent += piece
    yield b'"}'


def test_chunked_bodies_are_capped_like_declared_ones(server):
    feedback_file = server.data_dir / "feedback.jsonl"
    before = feedback_file.stat().st_size if feedback_file.exists() else 0
    with server.client() as client:
        ask = client.post("/api/ask", content=_chunked(50_000_000), headers={"content-type": "application/json"})
        body = b'{"question": "q", "answer": "' + b"a" * 5_000_000 + b'", "citations": [], "vote": "up"}'
        feedback = client.post("/api/feedback", content=iter([body[i:i + 65536] for i in range(0, len(body), 65536)]),
                               headers={"content-type": "application/json"})
        small = client.post("/api/feedback", content=iter([json.dumps(FEEDBACK).encode()]),
                            headers={"content-type": "application/json"})
    assert ask.status_code == 413 and "quá lớn" in ask.json()["detail"]
    assert feedback.status_code == 413
    assert small.status_code == 201, "a small chunked body is still accepted"
    after = feedback_file.stat().st_size if feedback_file.exists() else 0
    assert after - before < 1000, "the 5 MB feedback was not written"


def test_the_upload_route_is_closed(server):
    with server.client() as client:
        response = client.post("/gradio_api/upload", files={"files": ("a.txt", b"x" * 1_000_000, "text/plain")})
    assert response.status_code == 403 and "tải lên" in response.json()["detail"]


def _closed_within(sock: socket.socket, seconds: float, drip: bytes) -> float | None:
    """Send one byte of ``drip`` every 0.25 s; the time at which the server closed, or None."""
    started = time.monotonic()
    sock.settimeout(0.25)
    for i in range(int(seconds / 0.25)):
        try:
            if sock.recv(1024) == b"":
                return time.monotonic() - started
        except socket.timeout:
            pass
        except OSError:
            return time.monotonic() - started
        try:
            sock.sendall(drip[i % len(drip): i % len(drip) + 1])
        except OSError:
            return time.monotonic() - started
    return None


def test_slow_headers_and_slow_bodies_are_cut_off(server):
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as slow_headers:
        slow_headers.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        closed = _closed_within(slow_headers, 8, b"X-Slow: aaaaaaaaaaaaaaaaaaaaaaaa")
    assert closed is not None and closed < 4, "a client dripping its headers is disconnected"
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as slow_body:
        slow_body.sendall(b"POST /api/ask HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                          b"Content-Length: 100000\r\n\r\n{")
        closed = _closed_within(slow_body, 8, b"a")
    assert closed is not None and closed < 4, "a client dripping its body is disconnected"
    with server.client() as client:  # and the server still answers everyone else
        assert client.get("/healthz").status_code == 200


def test_example_page_never_copies_the_host_header(server):
    with server.client() as client:
        page = client.get("/example", headers={"Host": "evil.example:666"})
    assert page.status_code == 200
    assert "evil.example" not in page.text
    assert 'src="/widget.js"' in page.text


# --- rate limits and forwarded headers: connections from 127.0.0.1 (a client) and 127.0.0.2 (the proxy)

def _from(address: str, server: ServeProcess) -> httpx.Client:
    return httpx.Client(base_url=server.url, timeout=30, trust_env=False,
                        transport=httpx.HTTPTransport(local_address=address))


@pytest.fixture(scope="module")
def limited(hoidap_cmd, cli_env, data_dir) -> Iterator[ServeProcess]:
    proc = ServeProcess(hoidap_cmd, cli_env, data_dir, rate_limit_per_minute="3",
                        trusted_proxies="[\"127.0.0.2\"]").start()
    yield proc
    proc.stop()


@pytest.fixture(scope="module")
def proxied(hoidap_cmd, cli_env, data_dir) -> Iterator[ServeProcess]:
    proc = ServeProcess(hoidap_cmd, cli_env, data_dir, rate_limit_per_minute="3",
                        trusted_proxies="[\"127.0.0.2\"]", proxy_user_header="X-Remote-User").start()
    yield proc
    proc.stop()


def test_a_client_cannot_escape_the_limit_by_rotating_x_forwarded_for(limited):
    with _from("127.0.0.1", limited) as client:
        codes = [client.post("/api/ask", json={"question": QUESTION, "mode": "extractive"},
                             headers={"X-Forwarded-For": f"203.0.113.{i}"}).status_code for i in range(4)]
    assert codes == [200, 200, 200, 429]


def test_a_trusted_proxy_gives_each_forwarded_client_its_own_budget(limited):
    with _from("127.0.0.2", limited) as proxy:
        first = [proxy.post("/api/ask", json={"question": QUESTION, "mode": "extractive"},
                            headers={"X-Forwarded-For": "198.51.100.7"}).status_code for _ in range(4)]
        other = proxy.post("/api/ask", json={"question": QUESTION, "mode": "extractive"},
                           headers={"X-Forwarded-For": "198.51.100.8"})
    assert first == [200, 200, 200, 429]
    assert other.status_code == 200


def test_the_proxy_user_header_is_believed_only_from_the_proxy(proxied):
    limited = proxied
    with _from("127.0.0.1", limited) as stranger:
        forged = stranger.post("/api/ask", json={"question": QUESTION, "mode": "extractive"},
                               headers={"X-Remote-User": "giam-doc"})
    with _from("127.0.0.2", limited) as proxy:
        codes = [proxy.post("/api/ask", json={"question": QUESTION, "mode": "extractive"},
                            headers={"X-Remote-User": "lan"}).status_code for _ in range(4)]
        other_user = proxy.post("/api/ask", json={"question": QUESTION, "mode": "extractive"},
                                headers={"X-Remote-User": "minh"})
    assert forged.status_code == 401
    assert codes == [200, 200, 200, 429], "the budget follows the proxy's user"
    assert other_user.status_code == 200


def test_proxy_header_without_trusted_proxies_is_refused_in_one_sentence(hoidap_cmd, cli_env, data_dir):
    env = {**cli_env, "HOIDAP_DATA_DIR": str(data_dir), "HOIDAP_PROXY_USER_HEADER": "X-Remote-User",
           "HOIDAP_PORT": str(free_port())}
    done = subprocess.run([*hoidap_cmd, "serve"], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert "HOIDAP_TRUSTED_PROXIES" in done.stderr and "Traceback" not in done.stderr
