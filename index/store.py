"""The vector store: Chroma, embedded (PersistentClient) or a server (HttpClient).

Writes go through llama-index's ChromaVectorStore (nodes with offsets and
metadata); reads and deletes use the Chroma collection directly, so a query
does not pay llama-index's import time. Chroma's default embedding function
downloads a model, so it is never used: every call passes vectors.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from urllib.parse import urlparse

import numpy as np

from index.documents import Chunk
from index.errors import HoidapError

# Chroma reads these at import time; telemetry must be off before that.
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("CHROMA_TELEMETRY", "False")

WRITE_BATCH = 2000


def date_int(iso_date: str | None) -> int:
    """2021-01-07 → 20210107 (0 when unknown), for range filters in Chroma."""
    return int(iso_date.replace("-", "")) if iso_date else 0


def _forget_cached_system(path: str) -> None:
    """Chroma keeps one in-memory system per embedded path, and its vector index never
    sees what another process added after it loaded. Forgetting it makes the next client
    load afresh; stores still holding the old one keep using it until they are dropped."""
    try:
        from chromadb.api.shared_system_client import SharedSystemClient

        SharedSystemClient._identifier_to_system.pop(path, None)
    except (ImportError, AttributeError):  # a chromadb without this cache: nothing to forget
        pass


class ChunkStore:
    def __init__(self, data_dir: Path, collection_name: str, url: str | None = None, *, fresh: bool = False):
        """``fresh``: see the embedded store as it is on disk now (a reader opened for a
        manifest another process committed), not as this process last loaded it."""
        self.data_dir = Path(data_dir)
        self.collection_name = collection_name
        self.url = url or None
        self.fresh = fresh
        self._collection = None
        self._lock = threading.Lock()

    @property
    def kind(self) -> str:
        return "http" if self.url else "persistent"

    def _client(self):
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        settings = ChromaSettings(anonymized_telemetry=False)
        try:
            if self.url:
                parsed = urlparse(self.url)
                return chromadb.HttpClient(
                    host=parsed.hostname or "127.0.0.1",
                    port=parsed.port or 8000,
                    ssl=parsed.scheme == "https",
                    settings=settings,
                )
            path = str(self.data_dir / "chroma")
            if self.fresh:
                _forget_cached_system(path)
                self.fresh = False
            return chromadb.PersistentClient(path=path, settings=settings)
        except Exception as exc:  # chromadb raises many types; the user needs one sentence
            where = self.url or str(self.data_dir / "chroma")
            raise HoidapError(f"Không mở được kho Chroma ở {where}: {exc}") from exc

    def collection(self):
        if self._collection is None:
            with self._lock:  # one client per store, even when first used from several threads
                if self._collection is None:
                    self._collection = self._client().get_or_create_collection(
                        self.collection_name, embedding_function=None, metadata={"hnsw:space": "cosine"}
                    )
        return self._collection

    def usable(self, warn, *, repair: bool = True) -> bool:
        """Can the collection be opened and counted? A damaged embedded store is moved out of
        the way when ``repair`` (the caller then stores every vector again); a server's is reported."""
        try:
            self.collection().count()
            return True
        except Exception as exc:  # chromadb raises many types for a damaged sqlite file
            where = self.url or str(self.data_dir / "chroma")
            reason = str(exc).splitlines()[0][:200] if str(exc) else exc.__class__.__name__
            self._collection = None
            if not repair or self.url:
                warn(f"Không mở được kho Chroma ở {where}: {reason}")
                if self.url:
                    raise HoidapError(f"Không mở được kho Chroma ở {where}: {reason}") from exc
                return False
            warn(f"Kho Chroma ở {where} hỏng ({reason}): dựng lại các vectơ (damaged vector store: rebuilding).")
            import shutil

            path = self.data_dir / "chroma"
            _forget_cached_system(str(path))
            shutil.rmtree(path, ignore_errors=True)
            self.fresh = True
            return False

    def count(self) -> int:
        return self.collection().count()

    def existing_ids(self, ids: list[str]) -> set[str]:
        found: set[str] = set()
        for start in range(0, len(ids), WRITE_BATCH):
            found.update(self.collection().get(ids=ids[start : start + WRITE_BATCH], include=[])["ids"])
        return found

    def all_ids(self) -> set[str]:
        return set(self.collection().get(include=[])["ids"])

    def add(self, chunks: list[Chunk], vectors: np.ndarray) -> None:
        from llama_index.core.schema import NodeRelationship, RelatedNodeInfo, TextNode
        from llama_index.vector_stores.chroma import ChromaVectorStore

        nodes = [
            TextNode(
                id_=chunk.chunk_id,
                text=chunk.text,
                embedding=vector.tolist(),
                start_char_idx=chunk.start,
                end_char_idx=chunk.end,
                metadata={
                    "title": chunk.meta.get("title") or "",
                    "date_int": date_int(chunk.meta.get("date")),
                    "ordinal": chunk.ordinal,
                },
                relationships={NodeRelationship.SOURCE: RelatedNodeInfo(node_id=chunk.doc_id)},
            )
            for chunk, vector in zip(chunks, vectors)
        ]
        store = ChromaVectorStore(chroma_collection=self.collection())
        for start in range(0, len(nodes), WRITE_BATCH):
            store.add(nodes[start : start + WRITE_BATCH])

    def delete(self, ids: list[str]) -> None:
        for start in range(0, len(ids), WRITE_BATCH):
            self.collection().delete(ids=ids[start : start + WRITE_BATCH])

    def query(self, vector: np.ndarray, n: int, where: dict | None = None) -> list[tuple[str, float]]:
        """(chunk_id, cosine similarity) best first."""
        collection = self.collection()
        count = collection.count()
        if count == 0:
            return []
        result = collection.query(
            query_embeddings=[vector.tolist()], n_results=min(n, count), where=where or None, include=["distances"]
        )
        return [(cid, 1.0 - float(dist)) for cid, dist in zip(result["ids"][0], result["distances"][0])]

    def collection_names(self) -> list[str]:
        return [c.name if hasattr(c, "name") else str(c) for c in self._client().list_collections()]

    def drop(self) -> None:
        try:
            self._client().delete_collection(self.collection_name)
        except Exception:  # a missing collection is what we wanted anyway
            pass
        self._collection = None
