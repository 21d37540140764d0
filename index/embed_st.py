"""Sentence-transformers embedders, loaded through llama-index's HuggingFaceEmbedding.

A hub id and a local model directory go through exactly the same code. The
model loads lazily (first embed, ``dimension`` or ``.load()``) so building
the object is free. Availability is decided without the hub's own retries:
on an offline machine a plain hub lookup stalls for over a minute, so we
check the local cache first and then one quick TCP connect.
"""

from __future__ import annotations

import os
import re
import socket
import threading
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import numpy as np

from index.errors import HoidapError

# (pattern on the model name, query prefix, passage prefix). e5 models were trained
# with these prefixes and lose recall without them; bge-m3 and most others use none.
# "e5" must be its own name component so a snapshot hash like "a1e5…" does not match.
PREFIX_RULES: list[tuple[re.Pattern[str], str, str]] = [
    (re.compile(r"(?:^|[^a-z0-9])e5(?:[^a-z0-9]|$)", re.IGNORECASE), "query: ", "passage: "),
]
_WEIGHT_FILES = ("model.safetensors", "pytorch_model.bin")
_HUB_ID_RE = re.compile(r"^[A-Za-z0-9][\w.-]*(/[\w.-]+)?$")
OFFLINE_REASON = "ngoại tuyến, mô hình chưa có trong bộ nhớ đệm (offline and not cached)"


def default_prefixes(model: str) -> tuple[str, str]:
    """(query prefix, passage prefix) for a model name or path."""
    for pattern, query, passage in PREFIX_RULES:
        if pattern.search(model):
            return query, passage
    return "", ""


def local_model_dir(model: str) -> Path | None:
    path = Path(model).expanduser()
    return path.resolve() if path.is_dir() else None


def looks_like_hub_id(model: str) -> bool:
    return bool(_HUB_ID_RE.match(model)) and not model.startswith((".", "~"))


def _hf_cache_dir(cache_dir: str | Path | None) -> str:
    if cache_dir is not None:
        return str(cache_dir)
    from huggingface_hub import constants  # light: no torch

    return constants.HF_HUB_CACHE


def cached_in_hub_cache(model: str, cache_dir: str | Path | None = None) -> bool:
    """True when config and weights of a hub model are already on disk."""
    from huggingface_hub import try_to_load_from_cache

    cache = _hf_cache_dir(cache_dir)
    # sentence-transformers resolves a bare name like "all-MiniLM-L6-v2" under its org.
    candidates = [model] if "/" in model else [model, f"sentence-transformers/{model}"]
    for repo in candidates:
        def has(filename: str) -> bool:
            return isinstance(try_to_load_from_cache(repo, filename, cache_dir=cache), str)

        if has("config.json") and any(has(f) for f in _WEIGHT_FILES):
            return True
    return False


def hub_is_reachable(timeout: float = 1.5) -> bool:
    """One TCP connect to the hub host; DNS included, bounded by ``timeout`` overall."""
    host = urlparse(os.environ.get("HF_ENDPOINT", "https://huggingface.co")).hostname or "huggingface.co"
    result: list[bool] = []

    def attempt() -> None:
        try:
            socket.create_connection((host, 443), timeout=timeout).close()
            result.append(True)
        except OSError:
            result.append(False)

    # getaddrinfo ignores socket timeouts, so the deadline is enforced by the join.
    worker = threading.Thread(target=attempt, daemon=True)
    worker.start()
    worker.join(timeout)
    return bool(result and result[0])


def mark_hub_offline() -> None:
    """Make every later hub call fail fast instead of retrying for ~75 s."""
    os.environ["HF_HUB_OFFLINE"] = "1"
    # huggingface_hub reads the variable once at import; transformers asks it through
    # constants/is_offline_mode(), so updating the module attribute reaches both.
    from huggingface_hub import constants

    constants.HF_HUB_OFFLINE = True


def model_is_available(model: str, cache_dir: str | Path | None = None) -> tuple[bool, str]:
    """Can ``model`` be loaded now? Decides in at most ~1.5 s, never hits hub retries."""
    if local_model_dir(model) is not None:
        return True, "thư mục mô hình cục bộ (local model directory)"
    if not looks_like_hub_id(model):
        return False, f"không tìm thấy thư mục mô hình '{model}' (model directory not found)"
    if cached_in_hub_cache(model, cache_dir):
        return True, "đã có trong bộ nhớ đệm Hugging Face (cached)"
    if not hub_is_reachable():
        mark_hub_offline()
        return False, OFFLINE_REASON
    return True, "chưa có trong bộ nhớ đệm, sẽ tải về từ Hugging Face (will download)"


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return (text[0] if text else type(exc).__name__)[:200]


class SentenceTransformerEmbedder:
    """A sentence-transformers model by hub id or local path, on CPU, unit vectors."""

    def __init__(
        self,
        model: str,
        batch_size: int = 32,
        cache_dir: str | Path | None = None,
        query_prefix: str | None = None,
        passage_prefix: str | None = None,
    ) -> None:
        local = local_model_dir(model)
        self.model = str(local) if local is not None else model
        self.is_local = local is not None
        self.name = f"st:{self.model}"
        self.batch_size = batch_size
        self.cache_dir = cache_dir
        # From the resolved name, so building and reopening an index agree on prefixes.
        default_query, default_passage = default_prefixes(self.model)
        self.query_prefix = default_query if query_prefix is None else query_prefix
        self.passage_prefix = default_passage if passage_prefix is None else passage_prefix
        self._encoder: Any = None
        self._dimension: int | None = None
        self._lock = threading.Lock()

    @property
    def dimension(self) -> int:
        self.load()
        assert self._dimension is not None
        return self._dimension

    def load(self) -> "SentenceTransformerEmbedder":
        with self._lock:
            if self._encoder is None:
                self._encoder = self._build_encoder()
                self._dimension = len(self._encoder.get_text_embedding("kiểm tra"))
        return self

    def _build_encoder(self) -> Any:
        extra: dict[str, Any] = {}
        if not self.is_local:
            available, reason = model_is_available(self.model, self.cache_dir)
            if not available:
                raise HoidapError(f"Không tải được mô hình nhúng '{self.model}': {reason}.")
            if cached_in_hub_cache(self.model, self.cache_dir):
                # Already on disk: skip the hub's freshness checks entirely.
                extra["local_files_only"] = True
        try:
            from llama_index.embeddings.huggingface import HuggingFaceEmbedding
        except ImportError as exc:
            raise HoidapError(
                "Chưa cài llama-index-embeddings-huggingface / sentence-transformers "
                f"(not installed): {_one_line(exc)}"
            ) from exc
        try:
            return HuggingFaceEmbedding(
                model_name=self.model,
                device="cpu",
                normalize=True,
                # An empty instruction would let llama-index substitute its own default.
                query_instruction=self.query_prefix or None,
                text_instruction=self.passage_prefix or None,
                embed_batch_size=self.batch_size,
                cache_folder=_hf_cache_dir(self.cache_dir),
                **extra,
            )
        except Exception as exc:  # torch/transformers raise many types; the user needs one line
            raise HoidapError(f"Không tải được mô hình nhúng '{self.model}': {_one_line(exc)}") from exc

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        self.load()
        if not texts:
            return np.zeros((0, self.dimension), np.float32)
        return _unit_rows(self._encoder.get_text_embedding_batch(list(texts)))

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        self.load()
        if not texts:
            return np.zeros((0, self.dimension), np.float32)
        # llama-index has no public batched query call; questions come one or a few at a time.
        return _unit_rows([self._encoder.get_query_embedding(t) for t in texts])


def _unit_rows(rows: list[list[float]]) -> np.ndarray:
    arr = np.asarray(rows, dtype=np.float32)
    norms = np.linalg.norm(arr, axis=1, keepdims=True)
    return arr / np.where(norms > 0, norms, 1.0)
