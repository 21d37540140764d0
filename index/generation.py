"""A lexical generation: the chunk table plus its bm25s fields, written once.

``lexical/gen-000007/`` holds ``chunks.jsonl`` (one row per chunk, the row
number is the bm25s document id), ``columns.json`` (the small per-row fields a
query needs for every row: id, article, offsets, date), ``offsets.npy`` (byte
offset of each row in ``chunks.jsonl``, so a reader parses only the passages it
returns) and one bm25s folder per field. A generation
is built in a temporary folder and renamed into place before the manifest
names it, so readers never see half of one.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from index.lexical import LexicalIndex, field_tokens

CHUNKS_FILE = "chunks.jsonl"
COLUMNS_FILE = "columns.json"
OFFSETS_FILE = "offsets.npy"
COLUMNS = ("chunk_id", "doc_id", "start", "end", "date")


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
    offsets, position = [], 0
    with open(staging / CHUNKS_FILE, "wb") as handle:
        for row in rows:
            line = (json.dumps(row, ensure_ascii=False) + "\n").encode("utf-8")
            offsets.append(position)
            position += len(line)
            handle.write(line)
    np.save(staging / OFFSETS_FILE, np.asarray(offsets, dtype=np.int64))
    columns = {name: [row.get(name) for row in rows] for name in COLUMNS}
    (staging / COLUMNS_FILE).write_text(json.dumps(columns, ensure_ascii=False), encoding="utf-8")
    LexicalIndex.build([field_tokens(indexed_text(r["title"], r["text"])) for r in rows], staging)
    shutil.rmtree(final, ignore_errors=True)
    staging.rename(final)
    return relative


class ChunkRows(Sequence):
    """The chunk table of a generation: the per-row columns in memory, whole rows
    (with the passage text) parsed from ``chunks.jsonl`` only when asked for."""

    def __init__(self, directory: Path):
        self.path = Path(directory) / CHUNKS_FILE
        columns = json.loads((Path(directory) / COLUMNS_FILE).read_text(encoding="utf-8"))
        self.chunk_ids: list[str] = columns["chunk_id"]
        self.doc_ids: list[str] = columns["doc_id"]
        self.starts: list[int] = columns["start"]
        self.ends: list[int] = columns["end"]
        self.dates: list[str | None] = columns["date"]
        self._offsets = np.load(Path(directory) / OFFSETS_FILE)
        self._cache: dict[int, dict] = {}

    def __len__(self) -> int:
        return len(self.chunk_ids)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if index not in self._cache:
            with open(self.path, "rb") as handle:
                handle.seek(int(self._offsets[index]))
                self._cache[index] = json.loads(handle.readline())
        return self._cache[index]


def read_rows(directory: Path) -> ChunkRows:
    return ChunkRows(directory)


def prune_generations(data_dir: Path, keep: set[str]) -> None:
    """Keep the current and previous generations (a reader may still be on the previous)."""
    root = Path(data_dir) / "lexical"
    if not root.exists():
        return
    for folder in root.iterdir():
        if f"lexical/{folder.name}" not in keep:
            shutil.rmtree(folder, ignore_errors=True)
