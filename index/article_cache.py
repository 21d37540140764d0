"""Per-article cache files: the cleaned article and its chunks, content-addressed.

A changed article gets a new file name, so the file a committed manifest
points at is never rewritten in place.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from index.documents import Article, Chunk

_UNSAFE = re.compile(r"[^\w.-]+", re.UNICODE)


def write_cached(data_dir: Path, article: Article, chunks: list[Chunk], version: str) -> str:
    """Written with a rename but not synced: the builder syncs once before its commit
    (``sync_written``), instead of one fsync per article."""
    relative = f"articles/{_UNSAFE.sub('_', article.doc_id)}.{version[:16]}.json"
    payload = {"article": article.to_dict(), "chunks": [_chunk_dict(c) for c in chunks]}
    path = Path(data_dir) / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, path)
    return relative


def sync_written() -> None:
    """Make every cache file written so far durable before the manifest names them."""
    os.sync()


def _chunk_dict(chunk: Chunk) -> dict:
    return {"chunk_id": chunk.chunk_id, "doc_id": chunk.doc_id, "ordinal": chunk.ordinal, "start": chunk.start,
            "end": chunk.end, "text": chunk.text, "meta": dict(chunk.meta)}


def read_cached(path: Path) -> tuple[Article, list[Chunk]]:
    payload = json.loads(Path(path).read_text(encoding="utf-8"))
    return Article(**payload["article"]), [Chunk(**c) for c in payload["chunks"]]
