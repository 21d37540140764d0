"""Offline by construction: the server itself opens no connection beyond this machine."""

from __future__ import annotations

import socket

import pytest

from tests.ui.conftest import PHUOC_TAN_Q, LiveServer, ui_settings

pytestmark = pytest.mark.server
LOCAL = {"127.0.0.1", "::1", "localhost"}


def test_server_opens_no_outbound_connection(monkeypatch, ui_data_dir, shared_answerer):
    seen: list = []
    for name in ("connect", "connect_ex"):
        original = getattr(socket.socket, name)

        def spy(self, address, _original=original):
            seen.append(address)
            return _original(self, address)

        monkeypatch.setattr(socket.socket, name, spy)
    # Built inside the spy: importing and mounting Gradio is when telemetry or update checks would run.
    server = LiveServer(ui_settings(ui_data_dir, mode="auto"), shared_answerer).start()
    try:
        with server.client() as client:
            for path in ("/", "/config", "/healthz", "/docs", "/example", "/embed", "/widget.js"):
                assert client.get(path).status_code == 200, path
            assert client.post("/api/ask", json={"question": PHUOC_TAN_Q}).status_code == 200
    finally:
        server.stop()
    remote = [a for a in seen if isinstance(a, tuple) and a[0] not in LOCAL]
    assert remote == [], remote
