"""Incremental, crash-safe sync of a folder of articles into the index.

Order of work, chosen so that a run killed at any point leaves the previous
index answering and the next run finishes the job:

1. take the writer lock (a second writer fails at once);
2. read and chunk only new or changed articles (content hash of the bytes);
3. embed and store the chunks Chroma does not have yet — ids embed the
   content hash, so new chunks never overwrite ones a reader is using, and a
   resumed run skips what a killed run already stored;
4. write a new lexical generation beside the old one;
5. commit by replacing ``manifest.json`` atomically;
6. only then delete what the new manifest no longer names.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from index.article_cache import read_cached, sync_written, write_cached
from index.config import Settings
from index.documents import SkippedFile
from index.embed_st import local_model_dir
from index.embedders import LEXICAL_SPECS, describe, embedder_from_name, resolve_embedder
from index.errors import HoidapError, IndexMismatchError
from index.generation import prune_segments
from index.loaders import assign_doc_ids
from index.manifest import SCHEMA_VERSION, ArticleEntry, Manifest, ManifestError, read_manifest, write_manifest
from index.prepare import PrepareSettings, PrepareTask, default_workers, prepared_in_order
from index.progress import NullProgress, Progress
from index.repair import repair_segments
from index.segment_batch import SegmentBatch, merge_small_segments
from index.sources import read_regular, scan_sources
from index.store import ChunkStore
from index.writer_lock import writer_lock

IN_PROGRESS = ".in-progress"
_DATA_DIR_ERRORS = {errno.ENOSPC, errno.EROFS, errno.EDQUOT}


@dataclass
class SyncReport:
    indexed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    skipped: list[SkippedFile] = field(default_factory=list)
    chunks_embedded: int = 0
    chunks_tokenised: int = 0
    repaired: list[str] = field(default_factory=list)
    embedder: dict = field(default_factory=dict)
    seconds: float = 0.0

    def counts(self) -> dict[str, int]:
        return {
            "indexed": len(self.indexed),
            "skipped": len(self.skipped),
            "unchanged": len(self.unchanged),
            "removed": len(self.removed),
        }


def chunker_settings(settings: Settings) -> dict:
    return {"chunk_chars": settings.chunk_chars, "overlap_sentences": settings.chunk_overlap_sentences}


def article_version(content_hash: str, chunker: dict) -> str:
    """Changes when the file or the chunking changes: the unit of re-embedding."""
    # = json.dumps({"chunker", "hash", "schema"}, sort_keys=True), with the chunker part formatted once
    key = f'{{"chunker": {_chunker_json(chunker)}, "hash": {json.dumps(content_hash)}, "schema": {SCHEMA_VERSION}}}'
    return hashlib.sha256(key.encode()).hexdigest()


_CHUNKER_JSON: dict[str, str] = {}


def _chunker_json(chunker: dict) -> str:
    key = repr(sorted(chunker.items()))
    if key not in _CHUNKER_JSON:
        _CHUNKER_JSON[key] = json.dumps(chunker, sort_keys=True)
    return _CHUNKER_JSON[key]


def collection_prefix(data_dir: Path) -> str:
    digest = hashlib.sha1(str(Path(data_dir).resolve()).encode()).hexdigest()[:10]
    return f"hoidap-{digest}-"


def collection_name(data_dir: Path, generation: int, embedder_name: str) -> str:
    # The embedder is part of the name: a killed build leaves an uncommitted collection
    # behind, and a later build with another embedder must not reuse its vectors.
    embedder_digest = hashlib.sha1(embedder_name.encode()).hexdigest()[:8]
    return f"{collection_prefix(data_dir)}{generation}-{embedder_digest}"


def sync_index(
    paths: list[Path],
    settings: Settings,
    *,
    embed_spec: str | None = None,
    rebuild: bool = False,
    progress: Progress | None = None,
) -> SyncReport:
    progress = progress or NullProgress()
    data_dir = Path(settings.data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    with writer_lock(data_dir):
        report = _sync_locked(paths, settings, embed_spec or settings.embed_model, rebuild, progress, data_dir)
    report.seconds = time.perf_counter() - started
    return report


def wants_vectors(embedder, settings: Settings) -> bool:
    """Vectors are written only when something queries them: a real model, or a dense weight > 0."""
    return not describe(embedder).get("weightless") or (settings.dense_weight or 0) > 0


def _sync_locked(paths, settings, embed_spec, rebuild, progress, data_dir) -> SyncReport:
    report = SyncReport()
    files, refused = scan_sources(paths, allow_outside_links=settings.allow_outside_links)
    for skipped in refused:  # symlinks out of the folder, broken links, FIFOs, devices: never read
        report.skipped.append(skipped)
        progress.warn(f"Bỏ qua {skipped.source_path}: {skipped.reason}")
    if not files:
        # An empty or mistyped folder would otherwise remove every indexed article.
        raise HoidapError(
            f"Không tìm thấy tệp bài viết nào (.txt .md .html .docx .pdf) trong {', '.join(map(str, paths))}; "
            "chỉ mục giữ nguyên (no article files found; the index is unchanged)."
        )
    old_manifest = _readable_manifest(data_dir, progress)
    previous = None if rebuild else old_manifest
    chunker = chunker_settings(settings)
    embedder = _choose_embedder(previous, embed_spec, settings, progress)
    report.embedder = describe(embedder)
    if previous is not None and previous.store.get("url") != (settings.chroma_url or None):
        raise IndexMismatchError(
            "Chỉ mục này dùng kho Chroma khác (--chroma-url đã đổi); hãy chạy lại với --rebuild "
            "(the Chroma location changed: rebuild the index)."
        )
    generation = (old_manifest.generation if old_manifest else 0) + 1
    vectors = wants_vectors(embedder, settings)
    store_name = previous.store["collection"] if previous else collection_name(data_dir, generation, embedder.name)
    store = ChunkStore(data_dir, store_name, settings.chroma_url)
    marker = data_dir / IN_PROGRESS
    needs_gc = marker.exists()
    marker.write_text(datetime.now(timezone.utc).isoformat())

    old_entries = dict(previous.articles) if previous else {}
    records = {r["dir"]: dict(r, deleted=list(r.get("deleted", []))) for r in (previous.segments if previous else [])}
    reprocess = repair_segments(data_dir, records, old_entries, progress)
    repaired = bool(reprocess)
    backfill = vectors and previous is not None and not previous.store.get("vectors", True)
    if vectors and not store.usable(progress.warn):
        backfill = repaired = True
    elif vectors and not backfill and previous is not None and store.count() < _committed_chunks(previous):
        progress.warn("Kho vectơ thiếu vectơ của chỉ mục đã lưu: bổ sung (vectors missing: storing them again).")
        backfill = repaired = True
    report.repaired = sorted(reprocess)

    doc_ids = assign_doc_ids(files)
    entries: dict[str, ArticleEntry] = {}
    batch = SegmentBatch(data_dir, generation, store if vectors else None, embedder, progress)
    progress.start("Đọc tệp (reading)", len(files))
    try:
        tasks: list[PrepareTask] = []
        for path in files:  # unchanged articles are kept; the others are prepared below
            try:
                task = _unchanged_or_task(path, doc_ids[path], settings, data_dir, chunker, old_entries, entries,
                                          reprocess, backfill, batch, report)
            except OSError as exc:
                _unreadable(exc, str(path), doc_ids[path], old_entries, entries, reprocess, report, progress)
                task = None
            if task is None:
                progress.advance(1)
            else:
                tasks.append(task)
        workers = settings.ingest_workers or default_workers()
        for task, outcome in prepared_in_order(tasks, PrepareSettings.of(settings), workers, progress.warn):
            progress.advance(1)
            try:  # per-file problems are per-file, always: the rest of the folder goes on
                if isinstance(outcome, OSError):  # reading it failed in the worker
                    _unreadable(outcome, task.path, task.doc_id, old_entries, entries, reprocess, report, progress)
                else:
                    _stage(task, outcome, data_dir, old_entries, entries, reprocess, batch, report, progress)
            except OSError as exc:  # writing its cache failed
                _unreadable(exc, task.path, task.doc_id, old_entries, entries, reprocess, report, progress)
        new_records = batch.finish()
    except BaseException:
        batch.abort()
        raise
    progress.finish()
    report.chunks_embedded = batch.embedded
    report.chunks_tokenised = batch.tokenised_chunks
    report.removed = sorted(set(old_entries) - set(entries))

    changed = bool(report.indexed or report.removed or rebuild or previous is None or repaired or backfill)
    if changed:
        # Old rows of changed, removed or repaired articles are deleted from their segments.
        for doc_id, old in old_entries.items():
            if old.segment in records and entries.get(doc_id) is not old:
                records[old.segment]["deleted"].append(doc_id)
        segments = [r for r in records.values() if r["docs"] > len(r["deleted"])] + new_records
        segments = merge_small_segments(data_dir, segments, generation, entries, progress)
        manifest = Manifest(
            schema_version=SCHEMA_VERSION,
            embedder=report.embedder,
            chunker=chunker,
            store={"kind": store.kind, "url": settings.chroma_url or None, "collection": store_name,
                   "vectors": vectors},
            generation=generation,
            segments=segments,
            articles=dict(sorted(entries.items())),
            built_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
        )
        sync_written()  # the article caches, durable before the manifest names them
        write_manifest(data_dir, manifest)
        if rebuild and old_manifest is not None and old_manifest.store["collection"] != store_name:
            ChunkStore(data_dir, old_manifest.store["collection"], old_manifest.store.get("url")).drop()
    if changed or needs_gc:
        _collect_garbage(data_dir, store, entries, read_manifest(data_dir), old_manifest)
    marker.unlink(missing_ok=True)
    return report


def _readable_manifest(data_dir: Path, progress: Progress) -> Manifest | None:
    """The committed manifest, or None when there is none or it cannot be used (then the
    index is rebuilt from the articles, which is always possible)."""
    try:
        manifest = read_manifest(data_dir)
        if manifest is not None:
            len(manifest.articles)  # the catalog is read lazily: a damaged one must show here
        return manifest
    except ManifestError as exc:
        progress.warn(f"{exc} — dựng lại từ các bài viết (rebuilding from the articles).")
        return None


def _committed_chunks(manifest: Manifest) -> int:
    return sum(e.n_chunks for e in manifest.articles.values())


def _cache_ok(data_dir: Path, entry: ArticleEntry) -> bool:
    try:
        size = os.stat(os.path.join(data_dir, entry.cache_file)).st_size
    except OSError:
        return False
    return entry.cache_bytes is None or size == entry.cache_bytes


def _unchanged_or_task(path, doc_id, settings, data_dir, chunker, old_entries, entries, reprocess, backfill, batch,
                       report) -> PrepareTask | None:
    """Keep an unchanged article's entry (None), or say what to prepare."""
    content_hash = hashlib.sha256(read_regular(path, settings.max_file_bytes)).hexdigest()
    version = article_version(content_hash, chunker)
    old = old_entries.get(doc_id)
    if old is not None and old.version == version and doc_id not in reprocess and _cache_ok(data_dir, old):
        entries[doc_id] = old
        report.unchanged.append(doc_id)
        if backfill:
            batch.embed_only(read_cached(data_dir / old.cache_file)[1])
        return None
    return PrepareTask(str(path), doc_id, version)


def _stage(task: PrepareTask, outcome, data_dir, old_entries, entries, reprocess, batch, report, progress) -> None:
    """Write a prepared article's cache and add it to the segment batch (or record why it is skipped)."""
    doc_id = task.doc_id
    if isinstance(outcome, SkippedFile):
        _skip(outcome, doc_id, old_entries, entries, reprocess, report, progress)
        return
    article = outcome.article
    for quote in outcome.instructions[:1]:  # indexed as data, never obeyed: the admin should know
        progress.warn(f"Cảnh báo {article.source_path}: có câu giống chỉ dẫn cho trợ lý («{quote}»); "
                      "chỉ được dùng như dữ liệu, không bao giờ được làm theo (instruction-like text)")
    if not outcome.chunks:  # a page that was all chrome: nothing a user could be answered from
        _skip(SkippedFile(task.path, "không có văn bản sau khi làm sạch (no article text)"), doc_id, old_entries,
              entries, reprocess, report, progress)
        return
    relative = write_cached(data_dir, article, outcome.chunks, task.version)
    entries[doc_id] = ArticleEntry(
        version=task.version, source_path=article.source_path, title=article.title, date=article.date,
        author=article.author, n_chunks=len(outcome.chunks), cache_file=relative,
        segment=None, cache_bytes=(data_dir / relative).stat().st_size,
    )
    batch.add(entries[doc_id], doc_id, outcome.chunks, outcome.tokens)
    report.indexed.append(doc_id)


def _skip(skipped: SkippedFile, doc_id, old_entries, entries, reprocess, report, progress) -> None:
    report.skipped.append(skipped)
    progress.warn(f"Bỏ qua {skipped.source_path}: {skipped.reason}")
    _keep_old(doc_id, old_entries, entries, reprocess)


def _unreadable(exc: OSError, source: str, doc_id, old_entries, entries, reprocess, report, progress) -> None:
    if exc.errno in _DATA_DIR_ERRORS:
        raise exc  # the data dir itself (full, read-only): no file can be indexed, say so once
    reason = f"không đọc/ghi được: {exc.strerror or exc} (unreadable)"
    _skip(SkippedFile(source, reason), doc_id, old_entries, entries, reprocess, report, progress)


def _choose_embedder(previous: Manifest | None, spec: str, settings: Settings, progress: Progress):
    if previous is None:
        return resolve_embedder(spec, settings, progress.warn)
    recorded = previous.embedder["name"]
    same = spec in ("auto", recorded) or _recorded_name(spec) == recorded
    if same or (spec == "lexical" and previous.embedder.get("weightless")):
        return embedder_from_name(recorded, settings, previous.embedder.get("dimension"))
    raise IndexMismatchError(
        f"Chỉ mục đã xây bằng bộ nhúng '{recorded}', không phải '{spec}'. Muốn đổi, hãy chạy "
        f"'hoidap index <thư mục> --embed-model {spec} --rebuild' (the index was built with another embedder)."
    )


def _recorded_name(spec: str) -> str:
    """The name a manifest records for ``spec``: a model path or hub id is stored as
    "st:<resolved path or id>", so re-running with the same --embed-model matches."""
    spec = spec.strip()
    if spec in LEXICAL_SPECS or spec.startswith(("ollama:", "st:")):
        return spec
    local = local_model_dir(spec)
    return f"st:{local if local is not None else spec}"


def _keep_old(doc_id: str, old_entries: dict, entries: dict, reprocess: set[str]) -> None:
    # An article that was indexed before but cannot be read now keeps its old version
    # (unless its rows were lost with a damaged segment: then it is dropped until readable).
    if doc_id in old_entries and doc_id not in reprocess:
        entries[doc_id] = old_entries[doc_id]


def _collect_garbage(data_dir: Path, store: ChunkStore, entries, manifest: Manifest | None, old: Manifest | None):
    """Delete what no committed manifest names: stale chunks, caches, segments."""
    if manifest is None:
        return
    if manifest.store.get("vectors") or (data_dir / "chroma").exists() or manifest.store.get("url"):
        valid_prefixes = {manifest.chunk_id_prefix(doc_id) for doc_id in entries}
        if manifest.store.get("vectors"):
            stale = [cid for cid in store.all_ids() if cid[: cid.rfind(":") + 1] not in valid_prefixes]
            store.delete(stale)
        # Collections a killed first build or rebuild left behind (no manifest names them).
        for name in store.collection_names():
            if name.startswith(collection_prefix(data_dir)) and (
                name != manifest.store["collection"] or not manifest.store.get("vectors")
            ):
                ChunkStore(data_dir, name, store.url).drop()
    # The previous manifest's segments stay one more commit: a reader may still be on them.
    keep = {r["dir"] for r in manifest.segments}
    catalogs = {manifest.catalog["file"]} if manifest.catalog else set()
    if old is not None:
        keep |= {r["dir"] for r in old.segments}
        catalogs |= {old.catalog["file"]} if old.catalog else set()
    prune_segments(data_dir, keep)
    _prune_folder(data_dir, "catalog", catalogs)
    referenced = {e.cache_file for e in manifest.articles.values()}
    if old is not None:
        try:
            referenced |= {e.cache_file for e in old.articles.values()}
        except HoidapError:  # the old catalog was damaged (this run rebuilt from the articles)
            pass
    _prune_folder(data_dir, "articles", referenced)


def _prune_folder(data_dir: Path, folder: str, keep: set[str]) -> None:
    """Delete the files of ``data_dir/folder`` whose relative path ``keep`` does not hold."""
    path = os.path.join(data_dir, folder)
    if not os.path.isdir(path):
        return
    with os.scandir(path) as entries:
        for entry in entries:
            if f"{folder}/{entry.name}" not in keep:
                Path(entry.path).unlink(missing_ok=True)
