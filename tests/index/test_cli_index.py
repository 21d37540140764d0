"""`hoidap index` and `hoidap info` as a user runs them: real subprocesses, real files."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

SEED_DIR = Path(__file__).resolve().parents[2] / "seeds"
EXPECTED_DATES = {"2021-01-07", "2021-10-11", "2023-07-12", "2020-12-31", "2020-07-07"}
EXPECTED_TITLES = {
    "000_550aa94c2a6765eb": "Đảng bộ phường Phước Tân tổng kết công tác xây dựng Đảng năm 2020",
    "001_4a8c05c5ccea599f": "Hội nghị BCH Phường Trần Phú lần thứ 14, khóa XII (mở rộng), nhiệm kỳ 2020- 2025",
    "003_62df8ad3059c1ffa": "Hội nghị tổng kết công tác Đảng năm 2020",
    "004_90a849cf94e29e94": "Phường Cầu Ông Lãnh quan tâm công tác phát triển đảng viên mới",
}
# Seed 002 has no headline: its title is the start of its first sentence.
TITLE_002_START = "Sáng 12/7, Đảng ủy phường Tây Sơn"
WIDE = {"COLUMNS": "250"}  # a wide terminal, so table cells are not folded


def lines_of(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


def flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def indexed(tmp_path_factory: pytest.TempPathFactory, hoidap_cmd: list[str], cli_env: dict[str, str]) -> Path:
    """An index of the seeds built by `hoidap index` (shared by this module's tests: no test changes it)."""
    root = tmp_path_factory.mktemp("cli")
    articles = root / "articles"
    shutil.copytree(SEED_DIR, articles)
    data = root / "data"
    done = subprocess.run(
        [*hoidap_cmd, "index", str(articles), "--data-dir", str(data), "--embed-model", "lexical"],
        capture_output=True, text=True, env=cli_env, cwd=root, timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert done.stdout == ""  # stdout stays clean for answers
    assert "Đã lập chỉ mục 5, bỏ qua 0, không đổi 0, đã xoá 0" in flat(done.stderr)
    assert "lexical-hash-v1" in flat(done.stderr)
    return data


def test_index_then_info_lists_the_five_seeds(indexed: Path, run_hoidap) -> None:
    done = run_hoidap("info", "--data-dir", indexed, env_extra=WIDE)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "5 bài" in out
    for doc_id, title in EXPECTED_TITLES.items():
        assert doc_id in out
        assert title in out
    assert TITLE_002_START in out
    assert set(re.findall(r"\d{4}-\d{2}-\d{2}", out)) >= EXPECTED_DATES
    for date in EXPECTED_DATES:
        assert out.count(date) >= 1
    # One table row per article.
    rows = [line for line in lines_of(out) if re.search(r"\b\d{3}_[0-9a-f]{16}\b", line)]
    assert len(rows) == 5


def test_info_json(indexed: Path, run_hoidap) -> None:
    done = run_hoidap("info", "--data-dir", indexed, "--json")
    assert done.returncode == 0, done.stderr
    info = json.loads(done.stdout)
    articles = {a["doc_id"]: a for a in info["articles"]}
    assert len(articles) == 5
    assert {a["date"] for a in articles.values()} == EXPECTED_DATES
    for doc_id, title in EXPECTED_TITLES.items():
        assert articles[doc_id]["title"] == title
    assert articles["002_6df8933de2da7189"]["title"].startswith(TITLE_002_START)
    assert all(a["chunks"] > 0 for a in articles.values())
    assert info["embedder"]["name"] == "lexical-hash-v1" and info["embedder"]["weightless"] is True
    assert info["store"]["kind"] == "persistent"


def test_index_rerun_and_json_report(indexed: Path, run_hoidap) -> None:
    done = run_hoidap("index", indexed.parent / "articles", "--data-dir", indexed, "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert {k: report[k] for k in ("indexed", "skipped", "unchanged", "removed")} == {
        "indexed": 0, "skipped": 0, "unchanged": 5, "removed": 0,
    }
    assert report["chunks_embedded"] == 0
    assert "không đổi 5" in flat(done.stderr)


def test_index_missing_folder_is_one_line(tmp_path: Path, run_hoidap) -> None:
    done = run_hoidap("index", tmp_path / "nonexistent", "--data-dir", tmp_path / "data")
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    lines = lines_of(done.stderr)
    assert len(lines) == 1, done.stderr
    assert "Không tìm thấy" in lines[0] and "nonexistent" in lines[0]
    assert not (tmp_path / "data" / "manifest.json").exists()


def test_info_on_empty_dir_is_one_vietnamese_line(tmp_path: Path, run_hoidap) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    done = run_hoidap("info", "--data-dir", empty)
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    lines = lines_of(done.stderr)
    assert len(lines) == 1, done.stderr
    assert "Chưa có chỉ mục" in lines[0]
    assert "hoidap index" in lines[0]


def test_an_empty_folder_leaves_the_index_as_it_was(run_hoidap, tmp_path):
    data = tmp_path / "data"
    assert run_hoidap("index", SEED_DIR, "--data-dir", data).returncode == 0
    manifest = (data / "manifest.json").read_text(encoding="utf-8")
    empty = tmp_path / "empty"
    empty.mkdir()
    done = run_hoidap("index", empty, "--data-dir", data)
    assert done.returncode != 0
    assert "Không tìm thấy tệp bài viết" in done.stderr and "Traceback" not in done.stderr
    assert (data / "manifest.json").read_text(encoding="utf-8") == manifest
