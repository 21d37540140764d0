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
