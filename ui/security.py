"""Who may ask, how often, from which origins — enforced before any route runs.

One pure-ASGI middleware covers the JSON API and the mounted Gradio page
alike (the page's own XHR/SSE calls go through it too), so there is no route
that forgets a check.

* Bearer token (``settings.api_token``): ``Authorization: Bearer <token>``; a browser
  opens the page once with ``/?token=<token>``, which sets an HttpOnly cookie and
  redirects to the clean URL so the token does not linger in history.
* Trusted reverse proxy (``settings.proxy_user_header``): a non-empty header names
  the user. Only safe when the server is reachable through that proxy alone
  (keep binding 127.0.0.1 behind it), since any client could send the header.
* Either one suffices when both are configured.
"""

from __future__ import annotations

import hmac
import json
import threading
import time
from collections import deque
from urllib.parse import parse_qsl, quote, unquote, urlencode

from starlette.datastructures import Headers
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from index.config import Settings

TOKEN_COOKIE = "hoidap_token"
# Static shells and the health check carry no article data; the widget needs its
# script before it can present a token, and monitoring should not need one.
PUBLIC_PATHS = {"/healthz", "/widget.js", "/embed", "/example", "/favicon.ico"}
# Paths whose calls cost an answer (or a disk write): limited per client.
LIMITED_PATHS = {"/api/ask": "ask", "/api/ask/stream": "ask", "/api/feedback": "feedback"}
MAX_API_BODY = 256 * 1024

MSG_UNAUTHORIZED = ("Cần xác thực: thiếu hoặc sai mã truy cập (gửi «Authorization: Bearer <mã>» "
                    "hoặc truy cập qua cổng đăng nhập nội bộ).")
MSG_TOO_LARGE = "Yêu cầu quá lớn: nội dung gửi lên vượt quá giới hạn cho phép."


def rate_message(retry_after: int) -> str:
    return f"Bạn gửi quá nhiều yêu cầu: vui lòng thử lại sau khoảng {retry_after} giây."


class RateLimiter:
    """Sliding window: at most ``limit`` hits per ``window`` seconds per key."""

    def __init__(self, limit: int, window: float = 60.0):
        self.limit = limit
        self.window = window
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()
        self._last_sweep = time.monotonic()

    def hit(self, key: str) -> int | None:
        """Record a hit; None when allowed, else seconds until the oldest hit leaves the window."""
        if self.limit <= 0:
            return None
        now = time.monotonic()
        with self._lock:
            self._sweep(now)
            hits = self._hits.setdefault(key, deque())
            while hits and now - hits[0] >= self.window:
                hits.popleft()
            if len(hits) >= self.limit:
                return max(1, int(self.window - (now - hits[0])) + 1)
            hits.append(now)
            return None

    def _sweep(self, now: float) -> None:
        # Forget idle clients now and then so the table cannot grow without bound.
        if now - self._last_sweep < self.window:
            return
        self._last_sweep = now
        for key in [k for k, v in self._hits.items() if not v or now - v[-1] >= self.window]:
            del self._hits[key]


def client_key(headers, client_host: str | None, settings: Settings) -> str:
    """The rate-limit identity: the proxy's user when there is one, else the peer address."""
    if settings.proxy_user_header:
        user = (headers.get(settings.proxy_user_header) or "").strip()
        if user:
            return "user:" + user
    return "ip:" + (client_host or "?")


def token_ok(settings: Settings, candidate: str | None) -> bool:
    return bool(settings.api_token and candidate) and hmac.compare_digest(
        candidate.encode(), settings.api_token.encode())


def authorized(settings: Settings, headers, cookies: dict[str, str], query_token: str | None = None) -> bool:
    if not settings.api_token and not settings.proxy_user_header:
        return True
    if settings.proxy_user_header and (headers.get(settings.proxy_user_header) or "").strip():
        return True
    if settings.api_token:
        scheme, _, value = (headers.get("authorization") or "").partition(" ")
        if scheme.lower() == "bearer" and token_ok(settings, value.strip()):
            return True
        if token_ok(settings, cookies.get(TOKEN_COOKIE)) or token_ok(settings, query_token):
            return True
    return False


def _declared_length(headers: Headers) -> int:
    try:
        return int(headers.get("content-length") or 0)
    except ValueError:
        return MAX_API_BODY + 1  # a garbled length is treated as too large rather than trusted


def _cookies(headers: Headers) -> dict[str, str]:
    jar = {}
    for part in (headers.get("cookie") or "").split(";"):
        name, _, value = part.strip().partition("=")
        if name:
            jar[name] = unquote(value)
    return jar


async def _send_json(send: Send, status: int, detail: str, extra: list[tuple[bytes, bytes]] = ()) -> None:
    body = json.dumps({"detail": detail}, ensure_ascii=False).encode()
    headers = [(b"content-type", b"application/json; charset=utf-8"), (b"content-length", str(len(body)).encode()),
               *extra]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class AccessMiddleware:
    def __init__(self, app: ASGIApp, settings: Settings, ask_limiter: RateLimiter, feedback_limiter: RateLimiter):
        self.app = app
        self.settings = settings
        self.limiters = {"ask": ask_limiter, "feedback": feedback_limiter}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        headers = Headers(scope=scope)
        query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1")))
        # A token in the URL only opens pages (it becomes a cookie); API calls must use the header.
        page_get = scope.get("method") == "GET" and not path.startswith("/api/")
        query_token = query.get("token") if page_get else None
        if path not in PUBLIC_PATHS and not authorized(self.settings, headers, _cookies(headers), query_token):
            if scope["type"] == "websocket":
                await send({"type": "websocket.close", "code": 1008})
                return
            await _send_json(send, 401, MSG_UNAUTHORIZED, [(b"www-authenticate", b"Bearer")])
            return
        if scope["type"] == "http" and page_get and path not in PUBLIC_PATHS and token_ok(self.settings, query_token):
            await self._set_cookie_and_redirect(scope, send, query)
            return
        if path.startswith("/api/") and _declared_length(headers) > MAX_API_BODY:
            await _send_json(send, 413, MSG_TOO_LARGE)
            return
        bucket = LIMITED_PATHS.get(path)
        if bucket and scope.get("method") == "POST":
            client = scope.get("client")
            key = client_key(headers, client[0] if client else None, self.settings)
            retry = self.limiters[bucket].hit(key)
            if retry is not None:
                await _send_json(send, 429, rate_message(retry), [(b"retry-after", str(retry).encode())])
                return
        await self.app(scope, receive, self._with_headers(send, path))

    async def _set_cookie_and_redirect(self, scope: Scope, send: Send, query: dict) -> None:
        token = query.pop("token")
        rest = urlencode(query)
        location = scope.get("root_path", "") + scope["path"] + (f"?{rest}" if rest else "")
        cookie = f"{TOKEN_COOKIE}={quote(token, safe='')}; Path=/; HttpOnly; SameSite=Strict"
        await send({"type": "http.response.start", "status": 303,
                    "headers": [(b"location", location.encode()), (b"set-cookie", cookie.encode()),
                                (b"content-length", b"0")]})
        await send({"type": "http.response.body", "body": b""})

    @staticmethod
    def _with_headers(send: Send, path: str) -> Send:
        extra = [(b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"no-referrer")]
        if path != "/embed":  # /embed is the page meant for other sites' iframes; the rest is not
            extra.append((b"x-frame-options", b"SAMEORIGIN"))

        async def wrapped(message) -> None:
            if message["type"] == "http.response.start":
                names = {k.lower() for k, _ in message.get("headers", [])}
                message = {**message, "headers": list(message.get("headers", []))
                           + [h for h in extra if h[0] not in names]}
            await send(message)
        return wrapped


def install(app, settings: Settings) -> tuple[RateLimiter, RateLimiter]:
    """Add the access middleware and the CORS allowlist; returns (ask, feedback) limiters so the
    Gradio page can share the ask budget with the API."""
    ask = RateLimiter(settings.rate_limit_per_minute)
    feedback = RateLimiter(settings.rate_limit_per_minute)
    app.add_middleware(AccessMiddleware, settings=settings, ask_limiter=ask, feedback_limiter=feedback)
    # Always installed, even with an empty allowlist: Gradio then defers to this policy instead of
    # adding its own localhost-friendly CORS headers. Added last = outermost, so preflights are
    # answered before authentication (browsers never send credentials on a preflight).
    allow_headers = ["authorization", "content-type"] + ([settings.proxy_user_header] if settings.proxy_user_header else [])
    app.add_middleware(CORSMiddleware, allow_origins=list(settings.cors_origins), allow_methods=["GET", "POST"],
                       allow_headers=allow_headers, allow_credentials=False, max_age=600)
    return ask, feedback
