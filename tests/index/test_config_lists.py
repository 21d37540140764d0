"""List settings read the way administrators write them, and a bad setting is named in one
Vietnamese sentence (not pydantic's traceback) — through the real CLI as well."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from index.config import SettingError, Settings, _is_list_field, load_settings

FORMS = [
    ("http://intranet.local", ["http://intranet.local"]),
    ("http://a.local, http://b.local:8080", ["http://a.local", "http://b.local:8080"]),
    ('["http://a.local", "http://b.local"]', ["http://a.local", "http://b.local"]),
    ("", []),
]
LIST_FIELDS = [name for name, field in Settings.model_fields.items() if _is_list_field(field.annotation)]


def test_there_are_list_settings_to_check():
    assert "cors_origins" in LIST_FIELDS


@pytest.mark.parametrize("field", LIST_FIELDS)
@pytest.mark.parametrize(("raw", "expected"), FORMS)
def test_every_list_setting_accepts_one_value_commas_or_json(monkeypatch, field, raw, expected):
    monkeypatch.setenv(f"HOIDAP_{field.upper()}", raw)
    assert list(getattr(load_settings(), field)) == expected


def test_list_setting_from_code_keeps_lists_and_splits_strings():
    assert Settings(cors_origins=["http://a"]).cors_origins == ["http://a"]
    assert Settings(cors_origins="http://a,http://b").cors_origins == ["http://a", "http://b"]


@pytest.mark.parametrize(("name", "raw", "says"), [
    ("HOIDAP_CORS_ORIGINS", '["http://a"', "danh sách JSON"),
    ("HOIDAP_PORT", "bảy nghìn", "số nguyên"),
    ("HOIDAP_MODE", "fast", "'extractive'"),
    ("HOIDAP_TOP_K", "0", "lớn hơn hoặc bằng 1"),
])
def test_bad_setting_is_named_in_one_vietnamese_sentence(monkeypatch, name, raw, says):
    monkeypatch.setenv(name, raw)
    with pytest.raises(SettingError) as caught:
        load_settings()
    message = str(caught.value)
    assert message.startswith("Thiết lập không hợp lệ: ") and name in message and says in message
    assert "\n" not in message and "pydantic" not in message.lower()


def test_cli_names_the_bad_setting_on_one_stderr_line(tmp_path):
    env = {**os.environ, "HOIDAP_CORS_ORIGINS": "[not json", "HOIDAP_DATA_DIR": str(tmp_path)}
    done = subprocess.run([sys.executable, "-m", "ui.cli", "info"], capture_output=True, text=True, env=env,
                          timeout=60)
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "HOIDAP_CORS_ORIGINS" in lines[0] and "Traceback" not in done.stderr, done.stderr


def test_cli_accepts_a_single_origin(tmp_path):
    """The natural way of writing it, which used to stop the server from starting."""
    env = {**os.environ, "HOIDAP_CORS_ORIGINS": "http://intranet.local", "HOIDAP_DATA_DIR": str(tmp_path)}
    done = subprocess.run([sys.executable, "-m", "ui.cli", "info"], capture_output=True, text=True, env=env,
                          timeout=60)
    assert "HOIDAP_CORS_ORIGINS" not in done.stderr and "Chưa có chỉ mục" in done.stderr, done.stderr


class _WithMoreFields(Settings):
    """Settings as another engineer may extend them: new list and dict fields parse the same way."""

    extra_hosts: list[str] | None = None
    labels: dict[str, str] = {}


def test_new_list_and_dict_fields_get_the_same_parsing(monkeypatch):
    monkeypatch.setenv("HOIDAP_EXTRA_HOSTS", "a.local,b.local")
    monkeypatch.setenv("HOIDAP_LABELS", '{"phòng": "văn thư"}')
    settings = _WithMoreFields()
    assert settings.extra_hosts == ["a.local", "b.local"] and settings.labels == {"phòng": "văn thư"}
