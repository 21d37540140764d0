"""Who may ask, how often, from which origins — enforced before any route runs.

One pure-ASGI middleware covers the JSON API and the mounted Gradio page
alike (the page's own XHR/SSE calls go through it too), so there is no route
that forgets a check.

* Bearer token (``settings.api_token``): ``Authorization: Bearer <token>``; a browser
  opens the page once with ``/?token=<token>``, which sets an HttpOnly cookie and
  redirects to the clean URL so the token does not linger in history.
* Trusted reverse proxy (``settings.proxy_user_header``): a non-empty header names
  the user — honoured only on connections from ``settings.trusted_proxies``.
* Either one suffices when both are configured.

Forwarded headers (X-Forwarded-For, Forwarded, X-Real-IP and the proxy's user header) are believed
only on connections from ``settings.trusted_proxies``; from anyone else they are removed before any
route sees them, so a client cannot pick its own rate-limit identity. Rate limits are kept by the
``limits`` library (moving window, in memory), one budget for the page and one for the API, per
authenticated user (proxy user, or token holder) when there is one, else per client address.

Request bodies are capped whether or not they declare a Content-Length (a chunked body is counted as
it arrives), and the page's upload route is closed: the chat page takes no files.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import math
import time
from dataclasses import dataclass
from urllib.parse import parse_qsl, quote, unquote, urlencode

from limits import RateLimitItemPerMinute, RateLimitItemPerSecond
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

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
# The page's own calls carry the conversation shown so far; generous, but bounded.
MAX_PAGE_BODY = 4 * 1024 * 1024
# Gradio's file upload routes: the chat page has no file input, so nothing may be uploaded.
UPLOAD_PATHS = ("/gradio_api/upload", "/upload")
FORWARDED_HEADERS = {b"x-forwarded-for", b"forwarded", b"x-real-ip", b"x-forwarded-host", b"x-forwarded-proto"}

MSG_UNAUTHORIZED = ("Cần xác thực: thiếu hoặc sai mã truy cập (gửi «Authorization: Bearer <mã>» "
                    "hoặc truy cập qua cổng đăng nhập nội bộ).")
MSG_TOO_LARGE = "Yêu cầu quá lớn: nội dung gửi lên vượt quá giới hạn cho phép."
MSG_NO_UPLOAD = "Máy chủ hỏi đáp không nhận tệp tải lên."


def rate_message(retry_after: int) -> str:
    return f"Bạn gửi quá nhiều yêu cầu: vui lòng thử lại sau khoảng {retry_after} giây."


def length_message(question: str, settings: Settings) -> str | None:
    """What is said of a question over ``HOIDAP_MAX_QUESTION_CHARS`` (API and page); None when it fits."""
    if len(question) <= settings.max_question_chars:
        return None
    return f"Câu hỏi quá dài: tối đa {settings.max_question_chars} ký tự (câu hỏi hiện có {len(question)} ký tự)."


class RateLimiter:
    """At most ``limit`` hits per ``window`` seconds per key: a moving window kept by ``limits``."""

    def __init__(self, limit: int, window: int = 60, name: str = "ask"):
        self.limit = limit
        self.name = name
        self._item = None
        if limit > 0:
            self._item = RateLimitItemPerMinute(limit, window // 60) if window % 60 == 0 else \
                RateLimitItemPerSecond(limit, window)
        self._window = MovingWindowRateLimiter(MemoryStorage())

    def hit(self, key: str) -> int | None:
        """Record a hit; None when allowed, else whole seconds until one is allowed again."""
        if self._item is None:
            return None
        if self._window.hit(self._item, self.name, key):
            return None
        stats = self._window.get_window_stats(self._item, self.name, key)
        return max(1, math.ceil(stats.reset_time - time.time()))


@dataclass(frozen=True)
class Limiters:
    page: RateLimiter  # questions asked in the chat page
    api: RateLimiter  # /api/ask and /api/ask/stream
    feedback: RateLimiter  # /api/feedback (a disk write)


def client_key(headers, client_host: str | None, settings: Settings) -> str:
    """The rate-limit identity: the proxy's user, else the token holder, else the client address.

    ``headers`` and ``client_host`` are those the access middleware passed on: forwarded headers from
    untrusted peers are already gone, and behind a trusted proxy the address is the forwarded one."""
    if settings.proxy_user_header:
        user = (headers.get(settings.proxy_user_header) or "").strip()
        if user:
            return "user:" + user
    if settings.api_token:
        scheme, _, value = (headers.get("authorization") or "").partition(" ")
        presented = value.strip() if scheme.lower() == "bearer" else _cookies(headers).get(TOKEN_COOKIE)
        if token_ok(settings, presented):
            return "token:" + hashlib.sha256(settings.api_token.encode()).hexdigest()[:12]
    return "ip:" + (client_host or "?")


def _networks(settings: Settings) -> list:
    return [ipaddress.ip_network(entry.strip(), strict=False) for entry in settings.trusted_proxies if entry.strip()]


def _in(address: str | None, networks: list) -> bool:
    try:
        ip = ipaddress.ip_address((address or "").strip().strip("[]"))
    except ValueError:
        return False
    return any(ip in net for net in networks)


def forwarded_client(x_forwarded_for: str, networks: list) -> str | None:
    """The client a chain of trusted proxies forwarded for: the right-most address that is not a
    trusted proxy (the left ones could have been written by the client itself)."""
    hops = [hop.strip() for hop in x_forwarded_for.split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _in(hop, networks):
            return hop
    return hops[0] if hops else None


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


def _declared_length(headers: Headers) -> int | None:
    try:
        return int(headers["content-length"]) if "content-length" in headers else None
    except ValueError:
        return 1 << 62  # a garbled length is treated as too large rather than trusted


def _cookies(headers) -> dict[str, str]:
    jar = {}
    for part in (headers.get("cookie") or "").split(";"):
        name, _, value = part.strip().partition("=")
        if name:
            jar[name] = unquote(value)
    return jar


async def _read_capped(receive: Receive, cap: int) -> bytes | None:
    """The whole request body, or None as soon as it passes ``cap`` bytes."""
    parts: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break  # the client went away; the app will see the same
        size += len(message.get("body", b""))
        if size > cap:
            return None
        parts.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(parts)


def _replay(body: bytes, receive: Receive) -> Receive:
    """A receive that hands over the body read already, then listens to the client again."""
    sent = False

    async def replayed():
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replayed


async def _send_json(send: Send, status: int, detail: str, extra: list[tuple[bytes, bytes]] = ()) -> None:
    body = json.dumps({"detail": detail}, ensure_ascii=False).encode()
    headers = [(b"content-type", b"application/json; charset=utf-8"), (b"content-length", str(len(body)).encode()),
               *extra]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class AccessMiddleware:
    def __init__(self, app: ASGIApp, settings: Settings, limiters: Limiters):
        self.app = app
        self.settings = settings
        self.limiters = {"ask": limiters.api, "feedback": limiters.feedback}
        self.networks = _networks(settings)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        scope = self._forwarded(scope)
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
        if scope["type"] == "websocket":
            await self.app(scope, receive, send)
            return
        if page_get and path not in PUBLIC_PATHS and token_ok(self.settings, query_token):
            await self._set_cookie_and_redirect(scope, send, query)
            return
        if path.startswith(UPLOAD_PATHS):
            await _send_json(send, 403, MSG_NO_UPLOAD)
            return
        cap = MAX_API_BODY if path.startswith("/api/") else MAX_PAGE_BODY
        declared = _declared_length(headers)
        if declared is not None and declared > cap:
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
        if declared is None and scope.get("method") not in ("GET", "HEAD", "OPTIONS"):
            # No Content-Length (chunked): read the body here, counting, and refuse it past the cap.
            body = await _read_capped(receive, cap)
            if body is None:
                await _send_json(send, 413, MSG_TOO_LARGE, [(b"connection", b"close")])
                return
            receive = _replay(body, receive)
        await self.app(scope, receive, self._with_headers(send, path))

    def _forwarded(self, scope: Scope) -> Scope:
        """Believe forwarded headers only from a trusted proxy; drop them from everyone else."""
        peer = (scope.get("client") or (None,))[0]
        raw = scope.get("headers") or []
        if self.networks and _in(peer, self.networks):
            forwarded_for = Headers(scope=scope).get("x-forwarded-for")
            client = forwarded_client(forwarded_for, self.networks) if forwarded_for else None
            if client:
                return {**scope, "client": (client, 0)}
            return scope
        user_header = (self.settings.proxy_user_header or "").lower().encode("latin-1")
        kept = [(k, v) for k, v in raw if k not in FORWARDED_HEADERS and k != user_header]
        return scope if len(kept) == len(raw) else {**scope, "headers": kept}

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


def install(app, settings: Settings) -> Limiters:
    """Add the access middleware and the CORS allowlist; returns the limiters, so the chat page can
    keep its own budget (the API's is enforced here)."""
    page_limit = settings.page_rate_limit_per_minute
    limiters = Limiters(page=RateLimiter(settings.rate_limit_per_minute if page_limit is None else page_limit,
                                         name="page"),
                        api=RateLimiter(settings.rate_limit_per_minute, name="api"),
                        feedback=RateLimiter(settings.rate_limit_per_minute, name="feedback"))
    app.add_middleware(AccessMiddleware, settings=settings, limiters=limiters)
    # Always installed, even with an empty allowlist: Gradio then defers to this policy instead of
    # adding its own localhost-friendly CORS headers. Added last = outermost, so preflights are
    # answered before authentication (browsers never send credentials on a preflight).
    allow_headers = ["authorization", "content-type"] + ([settings.proxy_user_header] if settings.proxy_user_header else [])
    app.add_middleware(CORSMiddleware, allow_origins=list(settings.cors_origins), allow_methods=["GET", "POST"],
                       allow_headers=allow_headers, allow_credentials=False, max_age=600)
    return limiters
