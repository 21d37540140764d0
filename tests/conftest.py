"""Shared fixtures. Heavy ones are session-scoped and built offline."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.fake_ollama import FakeOllamaServer

SEED_DIR = Path(__file__).resolve().parent.parent / "seeds"


@pytest.fixture(scope="session")
def tiny_st_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A random-weight sentence-transformers model directory (built once, loads offline)."""
    from tests.support.tiny_st import build_tiny_sentence_transformer

    texts = [p.read_text(encoding="utf-8") for p in sorted(SEED_DIR.glob("*.txt"))]
    return build_tiny_sentence_transformer(tmp_path_factory.mktemp("models") / "tiny-st", texts)


@pytest.fixture
def fake_ollama() -> Iterator[FakeOllamaServer]:
    """A running FakeOllamaServer; configure its attributes in the test."""
    with FakeOllamaServer() as server:
        yield server


# --- index build and CLI fixtures (tests/index/test_sync*.py, test_cli_index.py, ...)

import os  # noqa: E402
import random  # noqa: E402
import re  # noqa: E402
import shutil  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402

GENERATED_ARTICLES = 300


def _hoidap_command() -> list[str]:
    # The installed console script itself; `python -m ui.cli` when it is not beside the interpreter.
    script = Path(sys.executable).parent / "hoidap"
    return [str(script)] if script.exists() else [sys.executable, "-m", "ui.cli"]


@pytest.fixture(scope="session")
def hoidap_cmd() -> list[str]:
    """argv prefix that runs the real `hoidap` command."""
    return _hoidap_command()


@pytest.fixture(scope="session")
def cli_env() -> dict[str, str]:
    """Environment for `hoidap` subprocesses: no HOIDAP_* leaking in from the shell, hub offline."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOIDAP_")}
    env.update(HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", ANONYMIZED_TELEMETRY="False", PYTHONUNBUFFERED="1")
    return env


@pytest.fixture
def run_hoidap(hoidap_cmd: list[str], cli_env: dict[str, str], tmp_path: Path):
    """run_hoidap("index", "seeds", "--data-dir", d, timeout=..., env_extra={...}) → CompletedProcess (text)."""

    def run(*args, timeout: float = 120, env_extra: dict[str, str] | None = None) -> subprocess.CompletedProcess:
        return subprocess.run(
            [*hoidap_cmd, *map(str, args)],
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd=tmp_path,
            env={**cli_env, **(env_extra or {})},
        )

    return run


@pytest.fixture
def seed_copy(tmp_path: Path) -> Path:
    """A private copy of seeds/ that a test may add to, edit and delete from."""
    target = tmp_path / "articles"
    shutil.copytree(SEED_DIR, target)
    return target


def _seed_sentence_pool() -> list[str]:
    """Sentences of seeds 001–004, never one that answers the seed-000 questions
    ("553 đảng viên", "Phước Tân"), so those keep exactly one right answer."""
    pool: list[str] = []
    for path in sorted(SEED_DIR.glob("*.txt"))[1:]:
        for line in path.read_text(encoding="utf-8").splitlines():
            for sentence in re.split(r"(?<=[.!?])\s+(?=[A-ZÀ-Ỹ0-9])", line.strip()):
                if 40 <= len(sentence) <= 400 and "553" not in sentence and "Phước" not in sentence:
                    pool.append(sentence)
    return sorted(set(pool))


def write_generated_articles(folder: Path, count: int, seed: int = 7) -> list[Path]:
    """``count`` small, distinct articles built from seed sentences (deterministic).

    Article ``n`` states one unique fact: "mã hồ sơ lưu trữ HS<n:05d>".
    """
    rng = random.Random(seed)
    pool = _seed_sentence_pool()
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for n in range(count):
        date = f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/20{rng.randint(15, 24)}"
        body = "\n\n".join(rng.sample(pool, 10))
        text = (
            f"Bản tin tổng hợp số {n} về công tác xây dựng Đảng ở cơ sở\n\n{date}\n\n{body}\n\n"
            f"Bài viết này có mã hồ sơ lưu trữ HS{n:05d} tại phòng lưu trữ.\n"
        )
        path = folder / f"gen_{n:04d}.txt"
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


@pytest.fixture(scope="session")
def big_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The five seeds plus GENERATED_ARTICLES generated articles: an index run of a few seconds.
    Shared by tests: treat it as read-only."""
    folder = tmp_path_factory.mktemp("big-corpus")
    for path in SEED_DIR.glob("*.txt"):
        shutil.copy2(path, folder / path.name)
    write_generated_articles(folder, GENERATED_ARTICLES)
    return folder
