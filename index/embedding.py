"""The Embedder seam: anything that turns passages and questions into unit vectors."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

import numpy as np


@runtime_checkable
class Embedder(Protocol):
    #: Stable identifier stored in the manifest, e.g. "lexical-hash-v1",
    #: "st:intfloat/multilingual-e5-small", "ollama:nomic-embed-text".
    name: str

    @property
    def dimension(self) -> int: ...

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        """float32 array (len(texts), dimension), rows L2-normalised."""
        ...

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        """Same as passages, with the model's query prefix where it has one."""
        ...
