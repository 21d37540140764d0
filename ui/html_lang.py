"""Serve Gradio's page as Vietnamese: ``<html lang="vi">`` in the HTML itself.

Gradio's page template hard-codes ``lang="en"``; screen readers would read the Vietnamese
page with English pronunciation. A small ASGI wrapper rewrites that one attribute in HTML
responses (nothing else is touched; other responses stream through unchanged).
"""

from __future__ import annotations

import re

from starlette.types import ASGIApp, Message, Receive, Scope, Send

_LANG = re.compile(rb'(<html\b[^>]*?\blang=")en(")', re.IGNORECASE)


class HtmlLangMiddleware:
    def __init__(self, app: ASGIApp, lang: str = "vi"):
        self.app = app
        self.lang = lang.encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") != "GET":
            await self.app(scope, receive, send)
            return
        start: Message | None = None
        chunks: list[bytes] = []

        async def wrapped(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                headers = dict((k.lower(), v) for k, v in message.get("headers", []))
                if headers.get(b"content-type", b"").startswith(b"text/html") and b"content-encoding" not in headers:
                    start = message  # hold it until the body is complete
                    return
                await send(message)
                return
            if start is None or message["type"] != "http.response.body":
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body"):
                return
            body = _LANG.sub(rb"\g<1>" + self.lang + rb"\g<2>", b"".join(chunks), count=1)
            headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
            headers.append((b"content-length", str(len(body)).encode()))
            await send({**start, "headers": headers})
            await send({"type": "http.response.body", "body": body})

        await self.app(scope, receive, wrapped)
