"""A lexical generation: the chunk table plus its bm25s fields, written once.

``lexical/gen-000007/`` holds ``chunks.jsonl`` (one row per chunk, the row
number is the bm25s document id) and one bm25s folder per field. A generation
is built in a temporary folder and renamed into place before the manifest
names it, so readers never see half of one.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from index.lexical import LexicalIndex, field_tokens

CHUNKS_FILE = "chunks.jsonl"


def generation_name(number: int) -> str:
    return f"lexical/gen-{number:06d}"


def indexed_text(title: str, text: str) -> str:
    """What retrieval sees for a chunk: its article's title, then the passage."""
    return f"{title}\n{text}" if title and not text.startswith(title) else text


def write_generation(data_dir: Path, number: int, rows: list[dict]) -> str:
    """rows: dicts with chunk_id, doc_id, ordinal, start, end, text, title, date."""
    relative = generation_name(number)
    final = Path(data_dir) / relative
    staging = final.with_name(final.name + ".tmp")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    with open(staging / CHUNKS_FILE, "w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    LexicalIndex.build([field_tokens(indexed_text(r["title"], r["text"])) for r in rows], staging)
    shutil.rmtree(final, ignore_errors=True)
    staging.rename(final)
    return relative


def read_rows(directory: Path) -> list[dict]:
    with open(Path(directory) / CHUNKS_FILE, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


def prune_generations(data_dir: Path, keep: set[str]) -> None:
    """Keep the current and previous generations (a reader may still be on the previous)."""
    root = Path(data_dir) / "lexical"
    if not root.exists():
        return
    for folder in root.iterdir():
        if f"lexical/{folder.name}" not in keep:
            shutil.rmtree(folder, ignore_errors=True)
