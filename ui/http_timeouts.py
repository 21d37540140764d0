"""Time limits uvicorn does not have: a client must finish sending its request headers, and then its
body, within a few seconds, or the connection is closed.

Without them a client that opens connections and sends one header byte every few seconds (slowloris),
or declares a body and never sends it, holds a connection and its memory for as long as it likes.
uvicorn only times out idle keep-alive connections, so its h11 protocol is extended here: a timer is
armed when a connection opens (or a new request starts arriving on a kept-alive one) and cancelled
when the headers are complete; a second timer runs from the end of the headers to the end of the body.
"""

from __future__ import annotations

import asyncio

from uvicorn.protocols.http.h11_impl import H11Protocol

from index.config import Settings


class TimedH11Protocol(H11Protocol):
    header_timeout: float = 10.0
    body_timeout: float = 30.0

    def connection_made(self, transport) -> None:  # type: ignore[override]
        self._header_timer: asyncio.TimerHandle | None = None
        self._body_timer: asyncio.TimerHandle | None = None
        super().connection_made(transport)
        self._arm_header_timer()

    def data_received(self, data: bytes) -> None:
        if self._header_timer is None and (self.cycle is None or self.cycle.response_complete):
            self._arm_header_timer()  # the next request on a kept-alive connection is starting
        cycle = self.cycle
        super().data_received(data)
        if self.transport.get_protocol() is not self:  # upgraded (WebSocket): no longer ours to time
            self._cancel(header=True)
            self._cancel(header=False)
        elif self.cycle is not cycle and self.cycle is not None:  # its headers are complete
            self._cancel(header=True)
            self._body_timer = self.loop.call_later(self.body_timeout, self._body_expired, self.cycle)

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel(header=True)
        self._cancel(header=False)
        super().connection_lost(exc)

    def _arm_header_timer(self) -> None:
        self._cancel(header=True)
        self._header_timer = self.loop.call_later(self.header_timeout, self._header_expired)

    def _cancel(self, *, header: bool) -> None:
        timer = self._header_timer if header else self._body_timer
        if timer is not None:
            timer.cancel()
        if header:
            self._header_timer = None
        else:
            self._body_timer = None

    def _header_expired(self) -> None:
        self._header_timer = None
        if self.cycle is None or self.cycle.response_complete:  # still waiting for a request's headers
            self.transport.close()

    def _body_expired(self, cycle) -> None:
        self._body_timer = None
        if self.cycle is cycle and cycle.more_body and not cycle.response_started:
            cycle.disconnected = True
            cycle.message_event.set()  # the app waiting for the body sees a disconnect
            self.transport.close()


def timed_protocol(settings: Settings) -> type[TimedH11Protocol]:
    """The protocol class for uvicorn's ``http=`` option, with the configured limits."""
    return type("HoidapH11Protocol", (TimedH11Protocol,), {
        "header_timeout": settings.http_header_timeout, "body_timeout": settings.http_body_timeout})
