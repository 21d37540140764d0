"""Per-article cache files: the cleaned article and its chunks, content-addressed.

A changed article gets a new file name, so the file a committed manifest
points at is never rewritten in place.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from index.documents import Article, Chunk
from index.manifest import atomic_write_text

_UNSAFE = re.compile(r"[^\w.-]+", re.UNICODE)


def cache_path(data_dir: Path, relative: str) -> Path:
    return Path(data_dir) / relative


def write_cached(data_dir: Path, article: Article, chunks: list[Chunk], version: str) -> str:
    relative = f"articles/{_UNSAFE.sub('_', article.doc_id)}.{version[:16]}.json"
    payload = {"article": article.to_dict(), "chunks": [c.to_dict() for c in chunks]}
    atomic_write_text(Path(data_dir) / relative, json.dumps(payload, ensure_ascii=False))
    return relative


def read_cached(path: Path) -> tuple[Article, list[Chunk]]:
    payload = json.loads(Path(path).read_text(encoding="utf-8"))
    return Article(**payload["article"]), [Chunk(**c) for c in payload["chunks"]]
