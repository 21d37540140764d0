"""Choosing an embedder: from a user's spec at build time, from the manifest at query time.

Build time is forgiving: an unusable model falls back — loudly — to the
weightless lexical embedder, because a working index beats an error on an
offline machine. Query time is strict: the index's vectors only make sense
with the exact embedder that wrote them.
"""

from __future__ import annotations

import importlib.util
from typing import Any, Callable

from index.config import Settings
from index.embed_hashing import HashingEmbedder
from index.embed_ollama import OllamaEmbedder
from index.embed_st import SentenceTransformerEmbedder, model_is_available
from index.embedding import Embedder
from index.errors import HoidapError

LEXICAL_SPECS = {"lexical", HashingEmbedder.name}


def _st_installed() -> bool:
    # find_spec does not import: checking must not cost the multi-second torch import.
    return all(
        importlib.util.find_spec(m) is not None
        for m in ("sentence_transformers", "llama_index.embeddings.huggingface")
    )


def _ollama(model: str, settings: Settings) -> OllamaEmbedder:
    return OllamaEmbedder(
        model,
        host=settings.ollama_host,
        connect_timeout=settings.ollama_connect_timeout,
        read_timeout=settings.ollama_read_timeout,
        batch_size=settings.embed_batch_size,
    )


def _how_to_enable(spec: str) -> str:
    if spec.startswith("ollama:"):
        model = spec.removeprefix("ollama:")
        return f"chạy 'ollama serve' rồi 'ollama pull {model}' / start Ollama and pull the model"
    return (
        f"khi có mạng, tải sẵn '{spec}' vào bộ nhớ đệm Hugging Face hoặc dùng --embed-model <thư mục mô hình> "
        "/ download the model once while online, or pass a local model directory"
    )


def _fall_back(spec: str, reason: str, warn: Callable[[str], None]) -> HashingEmbedder:
    warn(
        f"⚠ CẢNH BÁO / WARNING: không dùng được mô hình nhúng '{spec}' ({reason}); "
        f"đang dùng bộ nhúng từ vựng không cần trọng số '{HashingEmbedder.name}' thay thế "
        f"(the weightless lexical embedder is used instead, semantic recall is lower). "
        f"Để bật mô hình / to enable it: {_how_to_enable(spec)}."
    )
    return HashingEmbedder()


def resolve_embedder(spec: str, settings: Settings, warn: Callable[[str], None]) -> Embedder:
    """The embedder for ``spec`` (auto | lexical | ollama:NAME | ST name or path), or the fallback.

    Returns within a few seconds when offline: availability is checked
    against the local cache and one bounded TCP connect before any load.
    """
    spec = spec.strip()
    if spec in LEXICAL_SPECS:
        return HashingEmbedder()

    if spec.startswith("ollama:"):
        embedder = _ollama(spec.removeprefix("ollama:"), settings)
        available, reason = embedder.is_available()
        return embedder if available else _fall_back(spec, reason, warn)

    model = settings.default_st_model if spec in ("", "auto") else spec
    if not _st_installed():
        return _fall_back(model, "chưa cài sentence-transformers (not installed)", warn)
    available, reason = model_is_available(model)
    if not available:
        return _fall_back(model, reason, warn)
    embedder = SentenceTransformerEmbedder(model, batch_size=settings.embed_batch_size)
    try:
        embedder.load()  # a cached but broken model should fall back now, not fail mid-build
    except HoidapError as exc:
        return _fall_back(model, str(exc), warn)
    return embedder


def embedder_from_name(name: str, settings: Settings, dimension: int | None = None) -> Embedder:
    """Reopen exactly the embedder an index manifest records, or explain how to rebuild.

    ``dimension`` only matters for the lexical embedder, whose size is a parameter.
    """
    rebuild = (
        "Hãy cài/tải lại mô hình đó, hoặc xây lại chỉ mục với bộ nhúng từ vựng: "
        "hoidap index <thư mục> --embed-model lexical"
    )
    if name == HashingEmbedder.name:
        return HashingEmbedder(dimension) if dimension else HashingEmbedder()

    if name.startswith("ollama:"):
        embedder = _ollama(name.removeprefix("ollama:"), settings)
        available, reason = embedder.is_available()
        if not available:
            raise HoidapError(f"Chỉ mục được xây bằng bộ nhúng '{name}' nhưng hiện không dùng được: {reason}. {rebuild}")
        return embedder

    if name.startswith("st:"):
        model = name.removeprefix("st:")
        available, reason = model_is_available(model) if _st_installed() else (False, "chưa cài sentence-transformers")
        if not available:
            raise HoidapError(f"Chỉ mục được xây bằng bộ nhúng '{name}' nhưng hiện không dùng được: {reason}. {rebuild}")
        embedder = SentenceTransformerEmbedder(model, batch_size=settings.embed_batch_size)
        try:
            return embedder.load()
        except HoidapError as exc:
            raise HoidapError(f"{exc} {rebuild}") from exc

    raise HoidapError(f"Không nhận ra bộ nhúng '{name}' ghi trong chỉ mục. {rebuild}")


def describe(embedder: Embedder) -> dict[str, Any]:
    """What the manifest records about an embedder."""
    name = embedder.name
    if name.startswith("st:"):
        kind = "sentence-transformers"
    elif name.startswith("ollama:"):
        kind = "ollama"
    elif name.startswith("lexical"):
        kind = "lexical"
    else:
        kind = "other"
    return {"name": name, "dimension": int(embedder.dimension), "kind": kind, "weightless": kind == "lexical"}
