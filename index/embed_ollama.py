"""Embeddings from a local Ollama server (POST /api/embed), over plain httpx.

httpx directly rather than the ``ollama`` client: we need separate connect
and read timeouts and want every failure mapped to one Vietnamese sentence.
"""

from __future__ import annotations

import threading

import httpx
import numpy as np

from index.errors import HoidapError


def same_ollama_model(wanted: str, listed: str) -> bool:
    """Ollama names without a tag mean ":latest"."""
    def full(name: str) -> str:
        return name if ":" in name else f"{name}:latest"

    return full(wanted) == full(listed)


class OllamaEmbedder:
    """``ollama:<model>``: batched /api/embed calls, rows re-normalised here."""

    def __init__(
        self,
        model: str,
        host: str = "http://127.0.0.1:11434",
        connect_timeout: float = 2.0,
        read_timeout: float = 120.0,
        batch_size: int = 32,
    ) -> None:
        self.model = model
        self.name = f"ollama:{model}"
        self.host = host.rstrip("/")
        self.batch_size = max(1, batch_size)
        self._timeout = httpx.Timeout(read_timeout, connect=connect_timeout)
        self._dimension: int | None = None
        self._lock = threading.Lock()

    @property
    def dimension(self) -> int:
        if self._dimension is None:
            self.load()
        assert self._dimension is not None
        return self._dimension

    def load(self) -> "OllamaEmbedder":
        """Discover the dimension with one small request (and prove the model works)."""
        if self._dimension is None:
            self._embed_batch(["kiểm tra"])
        return self

    def is_available(self) -> tuple[bool, str]:
        """Is the server up and the model pulled? Never raises."""
        try:
            response = httpx.get(f"{self.host}/api/tags", timeout=self._timeout)
            response.raise_for_status()
            models = response.json().get("models", [])
        except (httpx.HTTPError, ValueError) as exc:
            return False, self._unreachable(exc)
        names = {m.get(key) for m in models for key in ("name", "model") if m.get(key)}
        if any(same_ollama_model(self.model, name) for name in names):
            return True, f"Ollama có mô hình '{self.model}'"
        return False, (
            f"Ollama tại {self.host} chưa có mô hình '{self.model}' "
            f"(chạy: ollama pull {self.model})"
        )

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        return self._embed(texts)

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        # /api/embed has no query/passage distinction; models needing prefixes are not special-cased.
        return self._embed(texts)

    def _embed(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), np.float32)
        parts = [self._embed_batch(texts[i : i + self.batch_size]) for i in range(0, len(texts), self.batch_size)]
        return np.concatenate(parts)

    def _embed_batch(self, batch: list[str]) -> np.ndarray:
        try:
            response = httpx.post(
                f"{self.host}/api/embed", json={"model": self.model, "input": batch}, timeout=self._timeout
            )
        except httpx.TimeoutException as exc:
            raise HoidapError(
                f"Ollama không trả lời kịp khi tạo vector nhúng bằng '{self.model}' (timeout): {exc}"
            ) from exc
        except httpx.HTTPError as exc:
            raise HoidapError(self._unreachable(exc)) from exc
        if response.status_code == 404:
            raise HoidapError(
                f"Ollama chưa có mô hình nhúng '{self.model}' — hãy chạy: ollama pull {self.model} "
                f"({_error_text(response)})"
            )
        if response.status_code >= 400:
            raise HoidapError(
                f"Ollama báo lỗi {response.status_code} khi tạo vector nhúng: {_error_text(response)}"
            )
        try:
            rows = np.asarray(response.json()["embeddings"], dtype=np.float32)
        except (ValueError, KeyError, TypeError) as exc:
            raise HoidapError(f"Ollama trả về dữ liệu nhúng không hợp lệ: {exc}") from exc
        if rows.ndim != 2 or len(rows) != len(batch):
            raise HoidapError(f"Ollama trả về {len(rows)} vector cho {len(batch)} đoạn văn.")
        with self._lock:
            if self._dimension is None:
                self._dimension = rows.shape[1]
            elif rows.shape[1] != self._dimension:
                raise HoidapError(f"Kích thước vector đổi từ {self._dimension} sang {rows.shape[1]}.")
        norms = np.linalg.norm(rows, axis=1, keepdims=True)
        return rows / np.where(norms > 0, norms, 1.0)

    def _unreachable(self, exc: BaseException) -> str:
        return (
            f"Không kết nối được Ollama tại {self.host} (hãy chạy: ollama serve) — "
            f"{type(exc).__name__}: {str(exc)[:160]}"
        )


def _error_text(response: httpx.Response) -> str:
    try:
        return str(response.json().get("error", response.text))[:200]
    except ValueError:
        return response.text[:200]
