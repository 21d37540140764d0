"""The CLI speaks in one voice: `--help` without `<bool>` or click's English line, `serve --index`
saying what it indexed in words, usage errors on one stderr line."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
COMMANDS = ["", "index", "info", "ask", "serve", "eval", "calibrate", "bench"]


def hoidap(*args: str, timeout: float = 120, **env) -> subprocess.CompletedProcess:
    environment = {**os.environ, "HF_HUB_OFFLINE": "1", "COLUMNS": "160", **env}
    return subprocess.run([sys.executable, "-m", "ui.cli", *args], capture_output=True, text=True, cwd=REPO,
                          env=environment, timeout=timeout)


@pytest.mark.parametrize("command", COMMANDS)
def test_help_is_in_one_voice(command):
    done = hoidap(*([command] if command else []), "--help")
    assert done.returncode == 0, done.stderr
    assert "<bool>" not in done.stdout and "Show this message" not in done.stdout
    assert "Hiện trợ giúp này rồi thoát" in done.stdout


def test_serve_index_reports_in_words(tmp_path):
    # The port is taken, so serve stops right after indexing, with its one-line reason.
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        done = hoidap("serve", "--index", "seeds", "--data-dir", str(tmp_path / "data"), "--port", str(port),
                      timeout=300, HOIDAP_EMBED_MODEL="lexical", HOIDAP_OLLAMA_HOST="http://127.0.0.1:9")
    assert done.returncode == 1
    assert re.search(r"Đã lập chỉ mục 5, bỏ qua 0, không đổi 0, đã xoá 0 .* bộ nhúng lexical-hash-v1", done.stderr), done.stderr
    assert "{'" not in done.stderr and "Traceback" not in done.stderr
    assert f"Không mở được cổng 127.0.0.1:{port}" in done.stderr.strip().splitlines()[-1]


def test_usage_error_is_one_line_with_where_to_look():
    done = hoidap("ask")
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "lệnh không hợp lệ" in lines[0] and "hoidap ask --help" in lines[0], done.stderr
    assert "lỗi không mong đợi" not in done.stderr
