"""A real HTTP server that speaks enough of Ollama's API for hoidap and its tests.

No Ollama (nor any model) can run in CI, so the LLM and embedding paths are
exercised against this stand-in through the real network stack and the
official ``ollama`` client. Behaviour is plain attributes, settable per test::

    with FakeOllamaServer() as fake:
        fake.reply = "Xin chào [1]."
        fake.token_delay = 0.01
        client = ollama.Client(host=fake.url)
        ...
        assert fake.requests[-1]["options"]["num_ctx"] == 4096
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
import time
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable

from index.embed_hashing import HashingEmbedder
from index.embed_ollama import same_ollama_model

DEFAULT_MODELS = ["qwen2.5:7b-instruct", "nomic-embed-text:latest"]
DEFAULT_REPLY = "Đây là câu trả lời thử nghiệm [1]."
_PIECE_RE = re.compile(r"\S+\s*|\s+")


def _now() -> str:
    return datetime.now(timezone.utc).isoformat().replace("+00:00", "Z")


def split_tokens(text: str) -> list[str]:
    """Whitespace-preserving pieces: ''.join(split_tokens(t)) == t."""
    return _PIECE_RE.findall(text)


class FakeOllamaServer:
    """Ollama look-alike on 127.0.0.1 (random port), served from a daemon thread.

    Attributes tests may set at any time:

    * ``models`` — names listed by /api/tags and accepted elsewhere (":latest" optional).
    * ``reply`` — the assistant text, or ``callable(request_json) -> str``.
    * ``first_token_delay`` / ``token_delay`` — seconds before the first / each later piece
      (``first_token_delay`` also delays /api/embed answers, to provoke client timeouts).
    * ``drop_after_tokens`` — close the socket after N pieces, without the final line.
    * ``fail_status`` / ``fail_message`` — chat, generate and embed answer with this error.
    * ``embed_dimension`` — size of the deterministic /api/embed vectors.
    * ``context_length`` — reported by /api/show.

    Recorded: ``requests`` (every POST body, parsed) and ``calls`` ((method, path) of all).
    """

    def __init__(self, models: list[str] | None = None, reply: str | Callable[[dict], str] = DEFAULT_REPLY,
                 embed_dimension: int = 64) -> None:
        self.models: list[str] = list(DEFAULT_MODELS if models is None else models)
        self.reply = reply
        self.first_token_delay = 0.0
        self.token_delay = 0.0
        self.drop_after_tokens: int | None = None
        self.fail_status: int | None = None
        self.fail_message = "lỗi giả lập (simulated failure)"
        self.embed_dimension = embed_dimension
        self.context_length = 32768
        self.requests: list[dict[str, Any]] = []
        self.calls: list[tuple[str, str]] = []
        self._stopping = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._embedders: dict[int, HashingEmbedder] = {}

    # --- lifecycle
    def start(self) -> "FakeOllamaServer":
        server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        server.daemon_threads = True
        server.fake = self  # type: ignore[attr-defined]
        server.handle_error = lambda request, address: None  # clients hanging up is part of the tests
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="fake-ollama", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # wakes handlers sleeping in a delay
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> "FakeOllamaServer":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        assert self._server is not None, "start() the server first"
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    # --- behaviour helpers (used by the handler)
    def find_model(self, name: str) -> str | None:
        return next((m for m in self.models if same_ollama_model(name or "", m)), None)

    def reply_text(self, body: dict[str, Any]) -> str:
        return self.reply(body) if callable(self.reply) else str(self.reply)

    def embedding(self, texts: list[str]) -> list[list[float]]:
        # Lexical hashing, so similar texts get similar vectors and retrieval tests mean something.
        embedder = self._embedders.setdefault(self.embed_dimension, HashingEmbedder(self.embed_dimension))
        return embedder.embed_passages(texts).tolist()

    def sleep(self, seconds: float) -> bool:
        """Sleep unless the server stops first; True when it is stopping."""
        return self._stopping.wait(seconds) if seconds > 0 else self._stopping.is_set()

    def model_entry(self, name: str) -> dict[str, Any]:
        return {
            "name": name, "model": name, "modified_at": _now(), "size": 4_683_087_332,
            "digest": hashlib.sha256(name.encode()).hexdigest(), "details": _details(),
        }


def _details() -> dict[str, Any]:
    return {"parent_model": "", "format": "gguf", "family": "qwen2", "families": ["qwen2"],
            "parameter_size": "7.6B", "quantization_level": "Q4_K_M"}


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # chunked streaming, so a dropped stream is detectably incomplete
    server_version = "FakeOllama/0.1"

    @property
    def fake(self) -> FakeOllamaServer:
        return self.server.fake  # type: ignore[attr-defined]

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - keep test output clean
        pass

    # --- plumbing
    def _send_json(self, status: int, payload: Any) -> None:
        data = json.dumps(payload, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _write_chunk(self, payload: dict[str, Any]) -> None:
        data = json.dumps(payload, ensure_ascii=False).encode() + b"\n"
        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()

    def _not_found(self, model: str) -> None:
        self._send_json(404, {"error": f"model '{model}' not found"})

    def do_HEAD(self) -> None:
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self) -> None:
        self.fake.calls.append(("GET", self.path))
        if self.path == "/api/tags":
            self._send_json(200, {"models": [self.fake.model_entry(m) for m in self.fake.models]})
        elif self.path == "/api/version":
            self._send_json(200, {"version": "0.6.0-fake"})
        elif self.path == "/api/ps":
            self._send_json(200, {"models": []})
        elif self.path == "/":
            data = b"Ollama is running"
            self.send_response(200)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        else:
            self._send_json(404, {"error": "404 page not found"})

    def do_POST(self) -> None:
        self.fake.calls.append(("POST", self.path))
        length = int(self.headers.get("Content-Length") or 0)
        try:
            body = json.loads(self.rfile.read(length) or b"{}")
        except ValueError:
            return self._send_json(400, {"error": "invalid JSON body"})
        self.fake.requests.append(body)
        routes = {"/api/show": self._show, "/api/chat": self._chat, "/api/generate": self._generate,
                  "/api/embed": self._embed, "/api/embeddings": self._embed}
        route = routes.get(self.path)
        if route is None:
            return self._send_json(404, {"error": "404 page not found"})
        model = self.fake.find_model(body.get("model") or body.get("name") or "")
        if model is None:
            return self._not_found(body.get("model") or body.get("name") or "")
        if self.fake.fail_status and route is not self._show:
            return self._send_json(self.fake.fail_status, {"error": self.fake.fail_message})
        try:
            route(body, model)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client gave up (timeout); nothing to report

    # --- endpoints
    def _show(self, body: dict[str, Any], model: str) -> None:
        fake = self.fake
        self._send_json(200, {
            "modelfile": f"FROM {model}", "parameters": "temperature 0.7", "template": "{{ .Prompt }}",
            "details": _details(), "modified_at": _now(), "capabilities": ["completion", "embedding"],
            "model_info": {"general.architecture": "qwen2", "qwen2.context_length": fake.context_length},
        })

    def _embed(self, body: dict[str, Any], model: str) -> None:
        if self.fake.sleep(self.fake.first_token_delay):
            return
        if self.path == "/api/embeddings":  # the legacy single-prompt endpoint
            return self._send_json(200, {"embedding": self.fake.embedding([body.get("prompt", "")])[0]})
        texts = body.get("input", [])
        texts = [texts] if isinstance(texts, str) else list(texts)
        self._send_json(200, {"model": model, "embeddings": self.fake.embedding(texts),
                              "total_duration": 1_000_000, "load_duration": 0,
                              "prompt_eval_count": sum(len(t.split()) for t in texts)})

    def _chat(self, body: dict[str, Any], model: str) -> None:
        prompt = " ".join(str(m.get("content", "")) for m in body.get("messages", []))
        self._stream(body, model, prompt, lambda piece: {"message": {"role": "assistant", "content": piece}})

    def _generate(self, body: dict[str, Any], model: str) -> None:
        prompt = f"{body.get('system', '')} {body.get('prompt', '')}"
        self._stream(body, model, prompt, lambda piece: {"response": piece})

    def _stream(self, body: dict[str, Any], model: str, prompt: str, content: Callable[[str], dict]) -> None:
        fake, started = self.fake, time.monotonic_ns()
        text = fake.reply_text(body)
        pieces = split_tokens(text)
        if fake.sleep(fake.first_token_delay):
            return
        final = {"model": model, "created_at": _now(), **content(""), "done": True, "done_reason": "stop",
                 "load_duration": 1_000_000, "prompt_eval_count": len(prompt.split()),
                 "prompt_eval_duration": 5_000_000, "eval_count": len(pieces), "eval_duration": 0}
        if not body.get("stream", True):
            if fake.drop_after_tokens is not None:
                self.close_connection = True  # hang up without any response
                return
            if fake.sleep(fake.token_delay * max(len(pieces) - 1, 0)):
                return
            final.update(content(text), total_duration=time.monotonic_ns() - started)
            return self._send_json(200, final)
        self.send_response(200)
        self.send_header("Content-Type", "application/x-ndjson")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        for i, piece in enumerate(pieces):
            if fake.drop_after_tokens is not None and i >= fake.drop_after_tokens:
                self.close_connection = True  # no final line, no terminating chunk
                return
            if i and fake.sleep(fake.token_delay):
                return
            self._write_chunk({"model": model, "created_at": _now(), **content(piece), "done": False})
        final["total_duration"] = time.monotonic_ns() - started
        self._write_chunk(final)
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()


class HangingOllama(FakeOllamaServer):
    """Lists its models (so a probe says the model is there) but never answers a chat or generate call:
    the request is accepted and the handler waits ``hang_seconds`` (bounded; stop() ends it at once)."""

    def __init__(self, hang_seconds: float = 600.0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.first_token_delay = hang_seconds

    def chat_requests(self) -> int:
        return sum(1 for method, path in self.calls if (method, path) == ("POST", "/api/chat"))


class TricklingOllama(FakeOllamaServer):
    """Answers, but one token every ``interval`` seconds for ``tokens`` tokens (a model that would take
    ``interval * tokens`` seconds to finish; both bounded)."""

    def __init__(self, interval: float = 1.0, tokens: int = 600, **kwargs: Any) -> None:
        super().__init__(reply="Phường Phước Tân " + "có " * max(tokens - 3, 0) + "[1].", **kwargs)
        self.token_delay = interval

    def chat_requests(self) -> int:
        return sum(1 for method, path in self.calls if (method, path) == ("POST", "/api/chat"))
