"""A committed generation: the manifest's list of segments, minus deleted articles.

Segments live in ``lexical/seg-<n>/`` and are written once (index/segment.py); a
generation is nothing but the manifest naming some of them plus, per segment, the
articles deleted from it since. A commit therefore writes only the new articles'
segment (and, now and then, a merge of small segments) and then the manifest.
Readers keep the files they opened (memory maps and an open chunk file), so pruning
a segment no manifest names any more never breaks a reader still using it.
"""

from __future__ import annotations

import shutil
import zlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from index.lexical import LexicalIndex
from index.segment import Segment


def indexed_text(title: str, text: str) -> str:
    """What retrieval sees for a chunk: its article's title, then the passage."""
    return f"{title}\n{text}" if title and not text.startswith(title) else text


def file_record(path: Path) -> list[int]:
    """[size, crc32] of a file: what the manifest records to verify it later."""
    crc = 0
    with open(path, "rb") as handle:
        while block := handle.read(1 << 22):
            crc = zlib.crc32(block, crc)
    return [path.stat().st_size, crc]


def segment_record(data_dir: Path, relative: str, n_rows: int, n_docs: int) -> dict:
    folder = Path(data_dir) / relative
    files = {f.name: file_record(f) for f in sorted(folder.iterdir()) if f.is_file()}
    return {"dir": relative, "rows": n_rows, "docs": n_docs, "deleted": [], "files": files}


def damaged_files(data_dir: Path, record: dict, checksums: bool = True) -> list[str]:
    """Files of a segment that are missing or differ from what the manifest recorded."""
    folder = Path(data_dir) / record["dir"]
    bad = []
    for name, (size, crc) in record["files"].items():
        path = folder / name
        try:
            if path.stat().st_size != size or (checksums and file_record(path)[1] != crc):
                bad.append(name)
        except OSError:
            bad.append(name)
    return bad


class ChunkRows(Sequence):
    """The live chunk rows of a generation: per-row columns on demand, whole rows (with the
    passage text) parsed from their segment's ``chunks.jsonl`` only when asked for."""

    def __init__(self, lexical: LexicalIndex):
        self._lexical = lexical
        self._cache: dict[int, dict] = {}
        self._columns: dict[str, list] = {}

    def __len__(self) -> int:
        return self._lexical.n_rows

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        if index not in self._cache:
            segment, local = self._lexical.locate(index)
            self._cache[index] = segment.row(local)
        return self._cache[index]

    def _per_doc(self, values_of) -> list:
        out: list = []
        for segment, live in zip(self._lexical.segments, self._lexical.live_local):
            counts = np.diff(segment.doc_rows)
            column = [value for value, count in zip(values_of(segment), counts) for _ in range(int(count))]
            out.extend(column if live is None else [column[i] for i in live])
        return out

    @property
    def doc_ids(self) -> list[str]:
        if "doc_ids" not in self._columns:
            self._columns["doc_ids"] = self._per_doc(lambda s: s.doc_ids)
        return self._columns["doc_ids"]

    @property
    def chunk_ids(self) -> list[str]:
        if "chunk_ids" not in self._columns:
            ids: list[str] = []
            for segment, live in zip(self._lexical.segments, self._lexical.live_local):
                column = [f"{prefix}{ordinal:04d}" for prefix, count in zip(segment.prefixes, np.diff(segment.doc_rows))
                          for ordinal in range(int(count))]
                ids.extend(column if live is None else [column[i] for i in live])
            self._columns["chunk_ids"] = ids
        return self._columns["chunk_ids"]

    @property
    def starts(self) -> np.ndarray:
        return self._column_array("starts")

    @property
    def ends(self) -> np.ndarray:
        return self._column_array("ends")

    @property
    def date_ints(self) -> np.ndarray:
        return self._column_array("dates")

    def _column_array(self, name: str) -> np.ndarray:
        if name not in self._columns:
            self._columns[name] = self._lexical.live_column(name)
        return self._columns[name]


def open_generation(data_dir: Path, records: list[dict]) -> tuple[LexicalIndex, ChunkRows]:
    segments = [Segment.open(Path(data_dir) / r["dir"]) for r in records]
    lexical = LexicalIndex(segments, [set(r.get("deleted", [])) for r in records])
    return lexical, ChunkRows(lexical)


def prune_segments(data_dir: Path, keep: set[str]) -> None:
    """Delete segment folders no kept manifest names (and any other leftover)."""
    root = Path(data_dir) / "lexical"
    if not root.exists():
        return
    for folder in root.iterdir():
        if f"lexical/{folder.name}" not in keep:
            if folder.is_dir():
                shutil.rmtree(folder, ignore_errors=True)
            else:
                folder.unlink(missing_ok=True)
