"""A damaged index is repaired by the tool itself (issue 11, item 6), with real `hoidap`
processes on real files: `hoidap check` says what is wrong in one screen, `hoidap index`
rebuilds what is damaged, `--rebuild` works whatever state the data dir is in."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.conftest import SEED_DIR

QUESTION = "Phường Phước Tân có bao nhiêu đảng viên?"


@pytest.fixture
def indexed(tmp_path: Path, run_hoidap) -> Path:
    data = tmp_path / "data"
    done = run_hoidap("index", str(SEED_DIR), "--data-dir", str(data))
    assert done.returncode == 0, done.stderr
    return data


def answers_553(run_hoidap, data: Path) -> None:
    done = run_hoidap("ask", "--json", QUESTION, "--data-dir", str(data))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["short_answer"] == "553 đảng viên"


def check(run_hoidap, data: Path) -> tuple[int, dict]:
    done = run_hoidap("check", "--json", "--data-dir", str(data))
    assert "Traceback" not in done.stderr
    return done.returncode, json.loads(done.stdout)


def one_clean_error_line(done) -> str:
    assert done.returncode != 0
    assert "Traceback" not in done.stderr and "không mong đợi" not in done.stderr, done.stderr
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, done.stderr
    return lines[0]


def test_check_on_a_sound_index(indexed: Path, run_hoidap) -> None:
    code, report = check(run_hoidap, indexed)
    assert code == 0 and report["state"] == "ok" and not report["problems"]
    text = run_hoidap("check", "--data-dir", str(indexed)).stdout
    assert len(text.splitlines()) <= 12 and "tốt" in text


@pytest.mark.parametrize("content", ["{ not json", "[]", '{"schema_version": 4, "articles": 7}'])
def test_unusable_manifest_is_rebuilt_by_index_and_by_rebuild(indexed: Path, run_hoidap, content: str) -> None:
    manifest = indexed / "manifest.json"
    manifest.write_text(content, encoding="utf-8")
    line = one_clean_error_line(run_hoidap("ask", QUESTION, "--data-dir", str(indexed)))
    assert "hoidap index" in line
    code, report = check(run_hoidap, indexed)
    assert code == 1 and report["state"] == "damaged"
    done = run_hoidap("index", str(SEED_DIR), "--data-dir", str(indexed), "--rebuild")
    assert done.returncode == 0, done.stderr
    answers_553(run_hoidap, indexed)
    # Without --rebuild too: `hoidap index` does not trust a manifest it cannot read.
    manifest.write_text(content, encoding="utf-8")
    done = run_hoidap("index", str(SEED_DIR), "--data-dir", str(indexed))
    assert done.returncode == 0, done.stderr
    assert "dựng lại" in done.stderr
    answers_553(run_hoidap, indexed)
    assert check(run_hoidap, indexed)[0] == 0


@pytest.mark.parametrize("damage", ["delete", "truncate", "flip"])
def test_damaged_lexical_files_are_found_and_rebuilt(indexed: Path, run_hoidap, damage: str) -> None:
    segment = next((indexed / "lexical").iterdir())
    victims = [segment / "accented.tf.npy", segment / "chunks.jsonl"]
    for victim in victims:
        if damage == "delete":
            victim.unlink()
        elif damage == "truncate":
            victim.write_bytes(victim.read_bytes()[: victim.stat().st_size // 2])
        else:  # same size, one byte changed: only the checksum sees it
            data = bytearray(victim.read_bytes())
            data[-2] ^= 0x01
            victim.write_bytes(bytes(data))
    code, report = check(run_hoidap, indexed)
    assert code == 1 and any(segment.name in p for p in report["problems"])
    done = run_hoidap("index", "--json", str(SEED_DIR), "--data-dir", str(indexed))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.splitlines()[-1])["indexed"] == 5  # not "unchanged"
    assert "hỏng" in done.stderr
    answers_553(run_hoidap, indexed)
    assert check(run_hoidap, indexed)[0] == 0
    # --rebuild works from here too.
    assert run_hoidap("index", str(SEED_DIR), "--data-dir", str(indexed), "--rebuild").returncode == 0
    answers_553(run_hoidap, indexed)


def test_damaged_article_catalog_is_rebuilt(indexed: Path, run_hoidap) -> None:
    catalog = next((indexed / "catalog").iterdir())
    catalog.write_bytes(catalog.read_bytes()[:-40])
    assert check(run_hoidap, indexed)[0] == 1
    done = run_hoidap("index", str(SEED_DIR), "--data-dir", str(indexed))
    assert done.returncode == 0, done.stderr
    assert "dựng lại" in done.stderr
    answers_553(run_hoidap, indexed)
    assert check(run_hoidap, indexed)[0] == 0


def test_truncated_article_cache_is_rebuilt(indexed: Path, run_hoidap) -> None:
    cache = next(p for p in (indexed / "articles").iterdir() if p.name.startswith("000_"))
    cache.write_bytes(cache.read_bytes()[:100])
    assert check(run_hoidap, indexed)[0] == 1
    done = run_hoidap("index", "--json", str(SEED_DIR), "--data-dir", str(indexed))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.splitlines()[-1])["indexed"] == 1
    answers_553(run_hoidap, indexed)


def test_truncated_chroma_sqlite_is_rebuilt(tmp_path: Path, run_hoidap) -> None:
    data = tmp_path / "data"
    vectors = {"HOIDAP_DENSE_WEIGHT": "1"}  # the weightless vectors are stored only when a weight wants them
    assert run_hoidap("index", str(SEED_DIR), "--data-dir", str(data), env_extra=vectors).returncode == 0
    sqlite = data / "chroma" / "chroma.sqlite3"
    sqlite.write_bytes(sqlite.read_bytes()[:4096])
    code, report = check(run_hoidap, data)
    assert code == 1 and any("Chroma" in p for p in report["problems"])
    done = run_hoidap("index", str(SEED_DIR), "--data-dir", str(data), env_extra=vectors)
    assert done.returncode == 0, done.stderr
    assert "Chroma" in done.stderr
    assert check(run_hoidap, data)[0] == 0
    answers_553(run_hoidap, data)
    sqlite.write_bytes(sqlite.read_bytes()[:4096])
    done = run_hoidap("index", str(SEED_DIR), "--data-dir", str(data), "--rebuild", env_extra=vectors)
    assert done.returncode == 0, done.stderr
    assert check(run_hoidap, data)[0] == 0


def test_rebuild_from_an_emptied_data_dir(indexed: Path, run_hoidap) -> None:
    shutil.rmtree(indexed / "lexical")
    shutil.rmtree(indexed / "articles")
    done = run_hoidap("index", str(SEED_DIR), "--data-dir", str(indexed), "--rebuild")
    assert done.returncode == 0, done.stderr
    answers_553(run_hoidap, indexed)
