"""Streaming ingest: new articles go into segments of bounded size, vectors (when wanted)
in batches beside them, so peak memory does not grow with the archive.

And the merge policy: small segments are merged (from their stored postings, never
re-tokenised) when ``MERGE_FACTOR`` of them sit in the same size tier, and a segment
mostly made of deleted articles is rewritten, so the segment count stays logarithmic.
"""

from __future__ import annotations

import math
from pathlib import Path

from index.documents import Chunk
from index.generation import indexed_text, segment_record
from index.manifest import ArticleEntry, chunk_prefix
from index.progress import Progress
from index.segment import Segment, SegmentWriter, merge_segments

SEGMENT_ROWS = 20_000  # rows (chunks) per segment written by one ingest batch
EMBED_BATCH = 2_000  # chunks per Chroma write
MERGE_FACTOR = 10
MOSTLY_DELETED = 0.5


def segment_name(generation: int, number: int) -> str:
    return f"lexical/seg-{generation:06d}-{number:04d}"


def chunk_row(chunk: Chunk, entry: ArticleEntry) -> dict:
    return {"chunk_id": chunk.chunk_id, "doc_id": chunk.doc_id, "ordinal": chunk.ordinal, "start": chunk.start,
            "end": chunk.end, "text": chunk.text, "title": entry.title, "date": entry.date}


class SegmentBatch:
    """Articles of one sync, written segment by segment; ``store`` None = no vectors."""

    def __init__(self, data_dir: Path, generation: int, store, embedder, progress: Progress):
        self.data_dir = Path(data_dir)
        self.generation = generation
        self.store = store
        self.embedder = embedder
        self.progress = progress
        self.records: list[dict] = []
        self.embedded = 0
        self.tokenised_chunks = 0
        self._writer: SegmentWriter | None = None
        self._entries: list[ArticleEntry] = []
        self._pending: list[Chunk] = []
        self._number = 0

    def add(self, entry: ArticleEntry, doc_id: str, chunks: list[Chunk], tokens: list[dict[str, list[str]]]) -> None:
        """tokens: per chunk, its lexical fields' tokens (index/prepare.py makes them)."""
        if self._writer is None:
            self._writer = SegmentWriter(self.data_dir / segment_name(self.generation, self._number))
        rows = [chunk_row(c, entry) for c in chunks]
        self.tokenised_chunks += len(chunks)
        self._writer.add_article(doc_id, chunk_prefix(doc_id, entry.version), entry.cache_file, rows, tokens)
        self._entries.append(entry)
        if self.store is not None:
            self.embed_only(chunks)
        if self._writer.n_rows >= SEGMENT_ROWS:
            self._close_segment()

    def embed_only(self, chunks: list[Chunk]) -> None:
        if self.store is None:
            return
        self._pending.extend(chunks)
        if len(self._pending) >= EMBED_BATCH:
            self._flush_vectors()

    def _flush_vectors(self) -> None:
        chunks, self._pending = self._pending, []
        if not chunks:
            return
        present = self.store.existing_ids([c.chunk_id for c in chunks])
        missing = [c for c in chunks if c.chunk_id not in present]
        if missing:
            vectors = self.embedder.embed_passages([indexed_text(c.meta.get("title") or "", c.text) for c in missing])
            self.store.add(missing, vectors)
            self.embedded += len(missing)

    def _close_segment(self) -> None:
        writer, self._writer = self._writer, None
        folder = writer.finish()
        relative = f"lexical/{folder.name}"
        for entry in self._entries:
            entry.segment = relative
        self.records.append(segment_record(self.data_dir, relative, writer.n_rows, len(writer.doc_ids)))
        self._entries = []
        self._number += 1

    def finish(self) -> list[dict]:
        if self._writer is not None and self._writer.doc_ids:
            self._close_segment()
        self._flush_vectors()
        return self.records

    def abort(self) -> None:
        if self._writer is not None:
            self._writer.abort()


def merge_small_segments(data_dir: Path, segments: list[dict], generation: int, entries: dict[str, ArticleEntry],
                         progress: Progress) -> list[dict]:
    """Segments after merging what the policy says; entries are pointed at their new segment."""
    live: dict[str, int] = {}
    for entry in entries.values():
        if entry.segment is not None:
            live[entry.segment] = live.get(entry.segment, 0) + entry.n_chunks
    tiers: dict[int, list[dict]] = {}
    rewrite: list[dict] = []
    for record in segments:
        rows = live.get(record["dir"], 0)
        if record["rows"] and rows < (1 - MOSTLY_DELETED) * record["rows"]:
            rewrite.append(record)
        tiers.setdefault(int(math.log(max(rows, 1), MERGE_FACTOR)), []).append(record)
    # MERGE_FACTOR segments at a time, smallest first: a merge's memory is bounded by
    # MERGE_FACTOR times a tier's size, never by the whole archive.
    groups = []
    for group in tiers.values():
        group = sorted(group, key=lambda r: live.get(r["dir"], 0))
        groups += [group[i:i + MERGE_FACTOR] for i in range(0, len(group) - MERGE_FACTOR + 1, MERGE_FACTOR)]
    grouped = {r["dir"] for g in groups for r in g}
    loose = [r for r in rewrite if r["dir"] not in grouped]
    if loose:
        groups.append(loose)
    if not groups:
        return segments
    merged_dirs = {r["dir"] for g in groups for r in g}
    out = [r for r in segments if r["dir"] not in merged_dirs]
    for number, group in enumerate(groups):
        relative = segment_name(generation, 9000 + number)
        progress.start(f"Gộp {len(group)} phân đoạn (merging segments)", 1)
        opened = [(Segment.open(data_dir / r["dir"]), set(r["deleted"])) for r in group]
        try:
            merge_segments(opened, data_dir / relative)
        finally:
            for segment, _ in opened:
                segment.close()
        progress.advance(1)
        progress.finish()
        members = {r["dir"] for r in group}
        n_rows = n_docs = 0
        for entry in entries.values():
            if entry.segment in members:
                entry.segment = relative
                n_rows += entry.n_chunks
                n_docs += 1
        out.append(segment_record(data_dir, relative, n_rows, n_docs))
    return out
