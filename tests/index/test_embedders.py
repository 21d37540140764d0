"""Embedders: the weightless default, a real sentence-transformers load, and the fallbacks."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from index.config import Settings
from index.embed_hashing import HashingEmbedder
from index.embed_ollama import OllamaEmbedder
from index.embed_st import SentenceTransformerEmbedder, default_prefixes
from index.embedders import describe, embedder_from_name, resolve_embedder
from index.embedding import Embedder
from index.errors import HoidapError

REPO = Path(__file__).resolve().parents[2]
PASSAGE = "Đảng bộ phường Phước Tân tổng kết công tác xây dựng Đảng năm 2020"
UNRELATED = "Giá xăng dầu tăng mạnh trong tuần qua do biến động thị trường thế giới"


@pytest.fixture
def hub_offline(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """An empty HF cache and an unresolvable hub, whatever this machine's network is."""
    from huggingface_hub import constants

    cache = tmp_path / "hf-cache"
    cache.mkdir()
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(cache))
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", constants.HF_HUB_OFFLINE)  # restored after the test
    monkeypatch.setenv("HF_HUB_OFFLINE", os.environ.get("HF_HUB_OFFLINE", "0"))
    monkeypatch.setenv("HF_ENDPOINT", "https://hub.hoidap-test.invalid")
    return cache


def _closed_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}"


# --- HashingEmbedder

def test_hashing_vectors_are_unit_float32_of_the_given_dimension() -> None:
    embedder = HashingEmbedder(dimension=256)
    vectors = embedder.embed_passages([PASSAGE, UNRELATED, "", "!!!"])
    assert isinstance(embedder, Embedder)
    assert embedder.name == "lexical-hash-v1" and embedder.dimension == 256
    assert vectors.shape == (4, 256) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, rtol=1e-5)
    assert embedder.embed_queries([]).shape == (0, 256)


def test_hashing_is_identical_in_another_process() -> None:
    code = (
        "import json; from index.embed_hashing import HashingEmbedder;"
        f"print(json.dumps(HashingEmbedder().embed_queries([{PASSAGE!r}])[0].tolist()))"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONHASHSEED": "12345"}
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=REPO, capture_output=True, text=True, check=True)
    other = np.array(json.loads(out.stdout), dtype=np.float32)
    np.testing.assert_array_equal(other, HashingEmbedder().embed_queries([PASSAGE])[0])


def test_unaccented_and_misspelt_queries_find_their_passage() -> None:
    embedder = HashingEmbedder()
    passages = embedder.embed_passages([PASSAGE, UNRELATED])
    for query in ("dang bo phuong phuoc tan tong ket", "Phuoc Tna tong kte nam 2020"):
        scores = passages @ embedder.embed_queries([query])[0]
        assert scores[0] > scores[1] + 0.05, (query, scores)


def test_weightless_modules_do_not_import_torch() -> None:
    code = (
        "import sys, index.embedders, index.embed_hashing;"
        "heavy = [m for m in ('torch', 'transformers', 'sentence_transformers', 'llama_index') if m in sys.modules];"
        "print(heavy)"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=REPO, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# --- SentenceTransformerEmbedder on a real (tiny, random) model directory

def test_sentence_transformer_loads_a_local_model(tiny_st_model: Path) -> None:
    embedder = SentenceTransformerEmbedder(str(tiny_st_model), batch_size=4)
    assert embedder.name == f"st:{tiny_st_model.resolve()}"
    assert (embedder.query_prefix, embedder.passage_prefix) == ("", "")
    passages = embedder.embed_passages([PASSAGE, UNRELATED] * 5)
    queries = embedder.embed_queries(["phường Phước Tân"])
    assert passages.shape == (10, 32) and queries.shape == (1, 32) and embedder.dimension == 32
    assert passages.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(passages, axis=1), 1.0, rtol=1e-5)
    assert describe(embedder) == {"name": embedder.name, "dimension": 32, "kind": "sentence-transformers",
                                  "weightless": False}


def test_e5_models_get_query_and_passage_prefixes(tiny_st_model: Path, tmp_path: Path) -> None:
    assert default_prefixes("intfloat/multilingual-e5-small") == ("query: ", "passage: ")
    assert default_prefixes("BAAI/bge-m3") == ("", "")
    assert default_prefixes("/cache/snapshots/a1e5f00d") == ("", "")  # a hash is not a model name
    e5_dir = shutil.copytree(tiny_st_model, tmp_path / "tiny-e5-small")
    embedder = SentenceTransformerEmbedder(str(e5_dir))
    assert (embedder.query_prefix, embedder.passage_prefix) == ("query: ", "passage: ")

    from sentence_transformers import SentenceTransformer

    plain = SentenceTransformer(str(e5_dir), device="cpu")
    expected = plain.encode(["query: Phước Tân", "passage: Phước Tân"], normalize_embeddings=True)
    np.testing.assert_allclose(embedder.embed_queries(["Phước Tân"])[0], expected[0], atol=1e-5)
    np.testing.assert_allclose(embedder.embed_passages(["Phước Tân"])[0], expected[1], atol=1e-5)
    overridden = SentenceTransformerEmbedder(str(e5_dir), query_prefix="", passage_prefix="")
    assert (overridden.query_prefix, overridden.passage_prefix) == ("", "")


def test_broken_model_directory_is_a_one_line_hoidap_error(tmp_path: Path) -> None:
    with pytest.raises(HoidapError) as err:
        SentenceTransformerEmbedder(str(tmp_path)).load()
    assert "Không tải được mô hình nhúng" in str(err.value) and "\n" not in str(err.value)


# --- resolve_embedder

def test_auto_falls_back_fast_and_loudly_when_offline_and_not_cached(hub_offline: Path) -> None:
    warnings: list[str] = []
    started = time.monotonic()
    embedder = resolve_embedder("auto", Settings(), warnings.append)
    assert time.monotonic() - started < 10  # the hub's own retries would take ~75 s
    assert isinstance(embedder, HashingEmbedder)
    assert len(warnings) == 1
    message = warnings[0]
    assert "WARNING" in message and "intfloat/multilingual-e5-small" in message
    assert "lexical-hash-v1" in message and "ngoại tuyến" in message
    assert os.environ["HF_HUB_OFFLINE"] == "1"


def test_lexical_and_local_paths_resolve_without_warnings(tiny_st_model: Path) -> None:
    warnings: list[str] = []
    assert isinstance(resolve_embedder("lexical", Settings(), warnings.append), HashingEmbedder)
    embedder = resolve_embedder(str(tiny_st_model), Settings(), warnings.append)
    assert isinstance(embedder, SentenceTransformerEmbedder) and warnings == []


def test_missing_local_path_falls_back() -> None:
    warnings: list[str] = []
    embedder = resolve_embedder("./khong-co/mo-hinh", Settings(), warnings.append)
    assert isinstance(embedder, HashingEmbedder) and "không tìm thấy" in warnings[0]


def test_ollama_spec_uses_the_server_when_the_model_is_pulled(fake_ollama) -> None:
    warnings: list[str] = []
    embedder = resolve_embedder("ollama:nomic-embed-text", Settings(ollama_host=fake_ollama.url), warnings.append)
    assert isinstance(embedder, OllamaEmbedder) and warnings == []
    vectors = embedder.embed_passages([PASSAGE, UNRELATED, "ba"])
    assert vectors.shape == (3, fake_ollama.embed_dimension) and embedder.dimension == fake_ollama.embed_dimension
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, rtol=1e-5)
    assert fake_ollama.requests[-1] == {"model": "nomic-embed-text", "input": [PASSAGE, UNRELATED, "ba"]}
    assert describe(embedder)["kind"] == "ollama"


def test_ollama_spec_falls_back_for_a_missing_model_or_a_dead_server(fake_ollama) -> None:
    warnings: list[str] = []
    missing = resolve_embedder("ollama:bge-m3", Settings(ollama_host=fake_ollama.url), warnings.append)
    assert isinstance(missing, HashingEmbedder) and "ollama pull bge-m3" in warnings[-1]
    down = resolve_embedder("ollama:bge-m3", Settings(ollama_host=_closed_port_url()), warnings.append)
    assert isinstance(down, HashingEmbedder) and "Không kết nối được Ollama" in warnings[-1]
    assert all("lexical-hash-v1" in w for w in warnings)


# --- embedder_from_name and describe

def test_embedder_from_name_reopens_what_the_manifest_records(tiny_st_model: Path, fake_ollama) -> None:
    settings = Settings(ollama_host=fake_ollama.url)
    lexical = embedder_from_name("lexical-hash-v1", settings)
    assert isinstance(lexical, HashingEmbedder)
    assert describe(lexical) == {"name": "lexical-hash-v1", "dimension": 256, "kind": "lexical", "weightless": True}
    built = SentenceTransformerEmbedder(str(tiny_st_model))
    reopened = embedder_from_name(built.name, settings)
    assert reopened.name == built.name
    np.testing.assert_allclose(reopened.embed_queries(["Nha Trang"]), built.embed_queries(["Nha Trang"]), atol=1e-6)
    assert isinstance(embedder_from_name("ollama:qwen2.5:7b-instruct", settings), OllamaEmbedder)


@pytest.mark.parametrize("name", ["st:/khong/ton/tai/mo-hinh", "ollama:bge-m3", "fasttext:vi"])
def test_embedder_from_name_explains_how_to_rebuild(name: str, fake_ollama) -> None:
    with pytest.raises(HoidapError) as err:
        embedder_from_name(name, Settings(ollama_host=fake_ollama.url))
    assert "--embed-model lexical" in str(err.value)


def test_embedder_from_name_for_an_uncached_hub_model_fails_fast(hub_offline: Path) -> None:
    with pytest.raises(HoidapError) as err:
        embedder_from_name("st:intfloat/multilingual-e5-small", Settings())
    assert "ngoại tuyến" in str(err.value)
