"""An immutable lexical segment: a batch of articles, their chunk rows and their postings.

A segment is written once into ``lexical/<name>/`` and never changed; an index is a
list of segments plus, per segment, the articles deleted from it since (recorded in
the manifest). What a segment stores for each field is the tokenised article itself —
per term, the rows holding it and how often (term frequency) and per row its length —
so that neither a later commit nor a merge ever tokenises an unchanged article again.
Scores are not stored: they depend on corpus-wide statistics and are computed at query
time (index/lexical.py), so any set of segments scores exactly like one bm25s index.

Files (all ``.npy`` are read with mmap):

* ``docs.json``: ``doc_ids``, ``prefixes`` (chunk-id prefix per article), ``doc_rows``
  (row where each article starts, plus the row count at the end), per-field ``total_len``;
* ``chunks.jsonl`` + ``offsets.npy``: one JSON row per chunk, parsed only when returned;
* ``starts.npy``, ``ends.npy``, ``dates.npy``: per-row columns a filter or a citation needs;
* per field: ``<field>.terms.npy`` (sorted 64-bit term hashes), ``<field>.indptr.npy``,
  ``<field>.rows.npy`` (int32), ``<field>.tf.npy`` (uint16), ``<field>.len.npy`` (int32).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import threading
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np

from index.errors import HoidapError

FIELDS = ("accented", "folded")
DOCS_FILE = "docs.json"
CHUNKS_FILE = "chunks.jsonl"
OFFSETS_FILE = "offsets.npy"


def term_hash(token: str) -> int:
    """A stable 64-bit id of a token (the same in every process and segment)."""
    return int.from_bytes(hashlib.blake2b(token.encode("utf-8"), digest_size=8).digest(), "little")


def term_hashes(tokens) -> np.ndarray:
    return np.fromiter((term_hash(t) for t in tokens), dtype=np.uint64)


@dataclass
class Postings:
    """One field of one segment: CSC-like postings keyed by sorted term hashes."""

    terms: np.ndarray  # uint64, sorted, unique
    indptr: np.ndarray  # int64, len(terms) + 1
    rows: np.ndarray  # int32 local rows
    tf: np.ndarray  # uint16 term frequency
    lengths: np.ndarray  # int32 tokens per row

    def lookup(self, hashed: int) -> tuple[np.ndarray, np.ndarray]:
        position = int(np.searchsorted(self.terms, np.uint64(hashed)))
        if position >= len(self.terms) or int(self.terms[position]) != hashed:
            return _EMPTY_I32, _EMPTY_U16
        start, end = int(self.indptr[position]), int(self.indptr[position + 1])
        return self.rows[start:end], self.tf[start:end]


_EMPTY_I32 = np.zeros(0, dtype=np.int32)
_EMPTY_U16 = np.zeros(0, dtype=np.uint16)


class PostingsBuilder:
    """Accumulates one field's tokens row by row (a local vocabulary, then numpy)."""

    def __init__(self) -> None:
        self.vocab: dict[str, int] = {}
        self.ids: list[np.ndarray] = []
        self.lengths: list[int] = []

    def add(self, tokens: list[str]) -> None:
        vocab = self.vocab
        for token in set(tokens).difference(vocab):  # few new terms per row once the batch is warm
            vocab[token] = len(vocab)
        self.ids.append(np.fromiter(map(vocab.__getitem__, tokens), dtype=np.int64, count=len(tokens)))
        self.lengths.append(len(tokens))

    def build(self) -> Postings:
        n_rows = len(self.lengths)
        hashes = term_hashes(self.vocab)  # dict order = local id order
        lengths = np.asarray(self.lengths, dtype=np.int64)
        row_of = np.repeat(np.arange(n_rows, dtype=np.int64), lengths)
        ids = np.concatenate(self.ids) if self.ids else np.zeros(0, dtype=np.int64)
        return _from_triples(hashes[ids] if len(ids) else np.zeros(0, dtype=np.uint64), row_of,
                             np.ones(len(ids), dtype=np.int64), lengths.astype(np.int32))


def _from_triples(hashes: np.ndarray, rows: np.ndarray, counts: np.ndarray, lengths: np.ndarray) -> Postings:
    """(term hash, row, count) triples, in any order and with repeats, to sorted postings."""
    if len(hashes) == 0:
        return Postings(np.zeros(0, np.uint64), np.zeros(1, np.int64), _EMPTY_I32, _EMPTY_U16, lengths)
    order = np.lexsort((rows, hashes))
    hashes, rows, counts = hashes[order], rows[order], counts[order]
    new_pair = np.ones(len(hashes), dtype=bool)
    new_pair[1:] = (hashes[1:] != hashes[:-1]) | (rows[1:] != rows[:-1])
    starts = np.flatnonzero(new_pair)
    tf = np.add.reduceat(counts, starts)
    hashes, rows = hashes[starts], rows[starts]
    new_term = np.ones(len(hashes), dtype=bool)
    new_term[1:] = hashes[1:] != hashes[:-1]
    term_starts = np.flatnonzero(new_term)
    indptr = np.append(term_starts, len(hashes)).astype(np.int64)
    return Postings(hashes[term_starts], indptr, rows.astype(np.int32),
                    np.minimum(tf, np.iinfo(np.uint16).max).astype(np.uint16), lengths.astype(np.int32))


@dataclass
class Segment:
    """A written segment, opened read-only (arrays memory-mapped, chunk file held open).

    Its article list (``docs.json``: ids, chunk-id prefixes, cache files, first rows) is parsed on
    first use — answering a question needs none of it for the segments it does not cite — from a
    file descriptor taken at open, so a segment pruned under a reader still reads whole."""

    name: str
    directory: Path
    postings: dict[str, Postings]
    starts: np.ndarray
    ends: np.ndarray
    dates: np.ndarray
    offsets: np.ndarray
    _fd: int | None = None
    _docs_fd: int | None = None
    _docs: dict | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def n_rows(self) -> int:
        return len(self.offsets) - 1

    @cached_property
    def total_len(self) -> dict[str, int]:
        """Tokens per field over all rows (as the writer summed them)."""
        return {name: int(np.asarray(p.lengths, dtype=np.int64).sum()) for name, p in self.postings.items()}

    @property
    def doc_ids(self) -> list[str]:
        return self._articles()["doc_ids"]

    @property
    def prefixes(self) -> list[str]:
        return self._articles()["prefixes"]

    @property
    def cache_files(self) -> list[str]:
        return self._articles()["cache_files"]

    @property
    def doc_rows(self) -> np.ndarray:  # int64, len(doc_ids) + 1
        return self._articles()["doc_rows"]

    def _articles(self) -> dict:
        if self._docs is None:
            with self._lock:
                if self._docs is None:
                    if self._docs_fd is None:
                        raise OSError(f"{self.directory / DOCS_FILE}: segment closed")
                    size = os.fstat(self._docs_fd).st_size
                    try:
                        meta = json.loads(os.pread(self._docs_fd, size, 0))
                        meta["doc_rows"] = np.asarray(meta["doc_rows"], dtype=np.int64)
                        meta["doc_ids"], meta["prefixes"], meta["cache_files"]  # noqa: B018 (all present)
                    except (ValueError, KeyError, TypeError) as exc:
                        raise HoidapError(
                            f"Chỉ mục hỏng: {self.directory / DOCS_FILE} ({exc.__class__.__name__}); hãy chạy "
                            "'hoidap index <thư mục bài viết>' để sửa (damaged index segment)."
                        ) from exc
                    os.close(self._docs_fd)
                    self._docs_fd = None
                    self._docs = meta
        return self._docs

    @classmethod
    def open(cls, directory: Path) -> "Segment":
        directory = Path(directory)
        # Memory-mapped, seen as plain arrays (a memmap subclass costs Python time on every slice).
        load = lambda name: np.asarray(np.load(directory / name, mmap_mode="r"))  # noqa: E731
        postings = {f: Postings(load(f"{f}.terms.npy"), load(f"{f}.indptr.npy"), load(f"{f}.rows.npy"),
                                load(f"{f}.tf.npy"), load(f"{f}.len.npy")) for f in FIELDS}
        # The chunk file and the article list stay open: a writer may prune this segment while a reader
        # still uses it.
        docs_fd = os.open(directory / DOCS_FILE, os.O_RDONLY)
        try:
            fd = os.open(directory / CHUNKS_FILE, os.O_RDONLY)
        except OSError:
            os.close(docs_fd)
            raise
        return cls(directory.name, directory, postings, load("starts.npy"), load("ends.npy"), load("dates.npy"),
                   load(OFFSETS_FILE), fd, docs_fd)

    def row(self, local: int) -> dict:
        start, end = int(self.offsets[local]), int(self.offsets[local + 1])
        return json.loads(os.pread(self._fd, end - start, start))

    def doc_index(self) -> dict[str, int]:
        return {doc_id: i for i, doc_id in enumerate(self.doc_ids)}

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
        with self._lock:
            if self._docs_fd is not None:
                os.close(self._docs_fd)
                self._docs_fd = None

    def __del__(self) -> None:
        try:
            self.close()
        except OSError:
            pass


class SegmentWriter:
    """Rows of whole articles, in order, into a staging folder renamed into place on finish."""

    def __init__(self, directory: Path):
        self.final = Path(directory)
        self.staging = self.final.with_name(self.final.name + ".tmp")
        shutil.rmtree(self.staging, ignore_errors=True)
        self.staging.mkdir(parents=True)
        self._chunks = open(self.staging / CHUNKS_FILE, "wb")
        self._offsets = [0]
        self.doc_ids: list[str] = []
        self.prefixes: list[str] = []
        self.cache_files: list[str] = []
        self.doc_rows: list[int] = [0]
        self.starts: list[int] = []
        self.ends: list[int] = []
        self.dates: list[int] = []
        self.fields = {f: PostingsBuilder() for f in FIELDS}

    @property
    def n_rows(self) -> int:
        return len(self.starts)

    def add_article(self, doc_id: str, prefix: str, cache_file: str, rows: list[dict],
                    tokens: list[dict[str, list[str]]]) -> None:
        """rows: chunk dicts (chunk_id, doc_id, ordinal, start, end, text, title, date); tokens per row."""
        from index.store import date_int

        for row, row_tokens in zip(rows, tokens):
            line = (json.dumps(row, ensure_ascii=False) + "\n").encode("utf-8")
            self._chunks.write(line)
            self._offsets.append(self._offsets[-1] + len(line))
            self.starts.append(row["start"])
            self.ends.append(row["end"])
            self.dates.append(date_int(row.get("date")))
            for name in FIELDS:
                self.fields[name].add(row_tokens[name])
        self.doc_ids.append(doc_id)
        self.prefixes.append(prefix)
        self.cache_files.append(cache_file)
        self.doc_rows.append(self.n_rows)

    def finish(self) -> Path:
        postings = {name: builder.build() for name, builder in self.fields.items()}
        return self._write(postings)

    def _write(self, postings: dict[str, Postings]) -> Path:
        self._chunks.close()
        save = lambda name, array: np.save(self.staging / name, array)  # noqa: E731
        save(OFFSETS_FILE, np.asarray(self._offsets, dtype=np.int64))
        save("starts.npy", np.asarray(self.starts, dtype=np.int32))
        save("ends.npy", np.asarray(self.ends, dtype=np.int32))
        save("dates.npy", np.asarray(self.dates, dtype=np.int32))
        total_len = {}
        for name, p in postings.items():
            for part in ("terms", "indptr", "rows", "tf"):
                save(f"{name}.{part}.npy", getattr(p, part))
            save(f"{name}.len.npy", p.lengths)
            total_len[name] = int(np.asarray(p.lengths, dtype=np.int64).sum())
        meta = {"doc_ids": self.doc_ids, "prefixes": self.prefixes, "cache_files": self.cache_files,
                "doc_rows": self.doc_rows, "total_len": total_len}
        (self.staging / DOCS_FILE).write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
        for file in self.staging.iterdir():
            _fsync(file)
        shutil.rmtree(self.final, ignore_errors=True)
        self.staging.rename(self.final)
        return self.final

    def abort(self) -> None:
        self._chunks.close()
        shutil.rmtree(self.staging, ignore_errors=True)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def merge_segments(parts: list[tuple[Segment, set[str]]], directory: Path) -> Path:
    """One segment holding the live articles of ``parts`` ((segment, deleted doc ids)),
    from their stored postings: nothing is read from the article files or tokenised."""
    writer = SegmentWriter(directory)
    pieces: dict[str, list[tuple[np.ndarray, np.ndarray, np.ndarray]]] = {f: [] for f in FIELDS}
    lengths: dict[str, list[np.ndarray]] = {f: [] for f in FIELDS}
    try:
        for segment, deleted in parts:
            keep = np.zeros(segment.n_rows, dtype=bool)
            live_docs = [i for i, d in enumerate(segment.doc_ids) if d not in deleted]
            for i in live_docs:
                keep[segment.doc_rows[i]:segment.doc_rows[i + 1]] = True
            new_row = np.full(segment.n_rows, -1, dtype=np.int64)
            new_row[keep] = np.arange(writer.n_rows, writer.n_rows + int(keep.sum()))
            for name in FIELDS:
                p = segment.postings[name]
                rows = np.asarray(p.rows)
                mapped = new_row[rows]
                alive = mapped >= 0
                term_of = np.repeat(np.asarray(p.terms), np.diff(np.asarray(p.indptr)))
                pieces[name].append((term_of[alive], mapped[alive], np.asarray(p.tf)[alive].astype(np.int64)))
                lengths[name].append(np.asarray(p.lengths)[keep])
            for i in live_docs:
                first, last = int(segment.doc_rows[i]), int(segment.doc_rows[i + 1])
                for local in range(first, last):
                    line = os.pread(segment._fd, int(segment.offsets[local + 1] - segment.offsets[local]),
                                    int(segment.offsets[local]))
                    writer._chunks.write(line)
                    writer._offsets.append(writer._offsets[-1] + len(line))
                writer.starts.extend(np.asarray(segment.starts[first:last]).tolist())
                writer.ends.extend(np.asarray(segment.ends[first:last]).tolist())
                writer.dates.extend(np.asarray(segment.dates[first:last]).tolist())
                writer.doc_ids.append(segment.doc_ids[i])
                writer.prefixes.append(segment.prefixes[i])
                writer.cache_files.append(segment.cache_files[i])
                writer.doc_rows.append(writer.n_rows)
        postings = {}
        for name in FIELDS:
            triples = pieces.pop(name)
            hashes = np.concatenate([t[0] for t in triples]) if triples else np.zeros(0, np.uint64)
            rows = np.concatenate([t[1] for t in triples]) if triples else np.zeros(0, np.int64)
            counts = np.concatenate([t[2] for t in triples]) if triples else np.zeros(0, np.int64)
            del triples
            row_lengths = np.concatenate(lengths[name]) if lengths[name] else np.zeros(0, np.int32)
            postings[name] = _from_triples(hashes, rows, counts, row_lengths)
        return writer._write(postings)
    except BaseException:
        writer.abort()
        raise
