"""An error nobody foresaw still reaches the user as one stderr line, and Ctrl-C stays "stopped" even
when it lands inside a library and surfaces as another exception (a SchemaError from an import it cut
short was printed as ten lines of "lỗi không mong đợi")."""

from __future__ import annotations

import sys

import pytest
import typer

import ui.cli as cli


def _run_raising(monkeypatch, capsys, error: Exception, interrupted: bool = False) -> tuple[int, list[str]]:
    def command(**_):
        raise error

    monkeypatch.setattr(typer.main, "get_command", lambda app: command)
    monkeypatch.setattr(cli, "_plain_help", lambda command: None)
    monkeypatch.setattr(cli, "_interrupted", interrupted)
    monkeypatch.setattr(sys, "argv", ["hoidap", "ask", "x"])
    monkeypatch.delenv("HOIDAP_DEBUG", raising=False)
    with pytest.raises(SystemExit) as exited:
        cli.main()
    return exited.value.code, [line for line in capsys.readouterr().err.splitlines() if line.strip()]


def test_an_unexpected_error_with_a_long_message_is_one_line(monkeypatch, capsys):
    code, lines = _run_raising(monkeypatch, capsys, RuntimeError("Error building validator:\n  nested\n  more"))
    assert code == 2
    assert len(lines) == 1 and lines[0].startswith("hoidap: lỗi không mong đợi: RuntimeError: Error building")
    assert "HOIDAP_DEBUG" in lines[0]


def test_an_error_after_ctrl_c_is_the_interrupt(monkeypatch, capsys):
    code, lines = _run_raising(monkeypatch, capsys, ValueError("'cls' must be valid"), interrupted=True)
    assert code == 130
    assert lines == ["hoidap: đã dừng (interrupted)"]


def test_ctrl_c_is_remembered_and_still_raised(monkeypatch):
    monkeypatch.setattr(cli, "_interrupted", False)
    with pytest.raises(KeyboardInterrupt):
        cli._on_interrupt(2, None)
    assert cli._interrupted is True
