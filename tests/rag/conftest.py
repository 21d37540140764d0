"""A real index of the five seeds (weightless embedder, real Chroma and bm25s), built once."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.builder import sync_index
from index.config import Settings

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


@pytest.fixture(scope="session")
def seed_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data_dir = tmp_path_factory.mktemp("seed-index")
    sync_index([SEEDS], Settings(data_dir=data_dir), embed_spec="lexical")
    return data_dir


@pytest.fixture(scope="session")
def seed_settings(seed_data_dir: Path) -> Settings:
    return Settings(data_dir=seed_data_dir, mode="extractive")


@pytest.fixture(scope="session")
def answerer(seed_settings: Settings):
    from rag.pipeline import Answerer

    return Answerer(seed_settings)


@pytest.fixture(scope="session")
def eager_answerer(seed_data_dir: Path):
    """Never refuses: for tests of what is extracted and cited, apart from the refusal decision
    (which the calibrated default makes, and which tests/rag and the eval gate check)."""
    from rag.pipeline import Answerer

    return Answerer(Settings(data_dir=seed_data_dir, mode="extractive", refusal_threshold=0.0))
