"""Preparing an article for the index — read, clean, chunk, tokenise — as pure work on one file, run
in worker processes when a sync has many articles to prepare (the machine's other cores).

The sync keeps everything that writes (article caches, segments, the manifest) in its own process and
receives prepared articles in the order of the files, so an index built with workers is the same,
byte for byte, as one built without (tested). Workers ignore Ctrl-C (the sync handles it and stops
them) and die with the sync if it is killed (Linux: PR_SET_PDEATHSIG), so no orphan keeps running.
"""

from __future__ import annotations

import itertools
import os
import signal
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from index import lexical
from index.chunking import chunk_article
from index.cleaning import clean_article
from index.documents import Article, Chunk, SkippedFile
from index.generation import indexed_text
from index.instructions import find_instructions
from index.loaders import load_file

# Below this many articles to prepare, starting worker processes (~0.5 s) costs more than it saves.
PARALLEL_MIN_ARTICLES = 64
TASKS_PER_MESSAGE = 8  # articles sent to a worker at once: fewer, larger messages
IN_FLIGHT_PER_WORKER = 4  # messages queued per worker: bounds the prepared articles held in memory


@dataclass(frozen=True)
class PrepareTask:
    path: str
    doc_id: str
    version: str  # the article version (content hash + chunker): chunk ids are made from it


@dataclass(frozen=True)
class PrepareSettings:
    max_file_bytes: int
    max_unzipped_bytes: int
    max_zip_entries: int
    chunk_chars: int
    overlap_sentences: int

    @classmethod
    def of(cls, settings) -> PrepareSettings:
        return cls(settings.max_file_bytes, settings.max_unzipped_bytes, settings.max_zip_entries,
                   settings.chunk_chars, settings.chunk_overlap_sentences)


@dataclass
class Prepared:
    article: Article
    chunks: list[Chunk]  # empty: the page was all chrome
    tokens: list[dict[str, list[str]]]  # per chunk, the lexical fields' tokens
    instructions: list[str]  # instruction-like sentences (indexed as data; the administrator is warned)


Outcome = Prepared | SkippedFile | OSError


def prepare(task: PrepareTask, config: PrepareSettings) -> Outcome:
    """One file → its prepared article, the reason it is skipped, or the OSError reading it raised."""
    try:
        loaded = load_file(Path(task.path), config.max_file_bytes, max_unzipped_bytes=config.max_unzipped_bytes,
                           max_zip_entries=config.max_zip_entries)
    except OSError as exc:
        return exc
    if isinstance(loaded, SkippedFile):
        return loaded
    if loaded.doc_id != task.doc_id:
        loaded = replace(loaded, doc_id=task.doc_id)
    article = clean_article(loaded)
    chunks = chunk_article(replace(article, content_hash=task.version), config.chunk_chars, config.overlap_sentences)
    # The only place an article is tokenised: its tokens then live in its segment.
    tokens = [lexical.field_tokens(indexed_text(article.title, c.text)) for c in chunks]
    return Prepared(article, chunks, tokens, find_instructions(article.text))


def _prepare_many(tasks: list[PrepareTask], config: PrepareSettings) -> list[Outcome]:
    return [prepare(task, config) for task in tasks]


def _worker_start(parent: int) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:  # die with the parent (kill -9 of a sync must not leave workers behind)
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:  # the parent died before the line above: nobody will ever send work
        os._exit(1)


def default_workers() -> int:
    return max(1, min(4, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1))


def prepared_in_order(tasks: list[PrepareTask], config: PrepareSettings, workers: int,
                      warn=None) -> Iterator[tuple[PrepareTask, Outcome]]:
    """(task, outcome) for every task, in order; in worker processes when there are enough tasks."""
    if workers <= 1 or len(tasks) < PARALLEL_MIN_ARTICLES:
        yield from ((task, prepare(task, config)) for task in tasks)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    # spawn, not fork: a worker must not inherit the writer lock, Chroma's threads or open segment files.
    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"),
                               initializer=_worker_start, initargs=(os.getpid(),))
    messages = _batched(tasks, TASKS_PER_MESSAGE)
    window: deque = deque()
    try:
        for batch in itertools.islice(messages, workers * IN_FLIGHT_PER_WORKER):
            window.append((batch, pool.submit(_prepare_many, batch, config)))
        while window:
            batch, future = window.popleft()
            try:
                outcomes = future.result()
            except BrokenProcessPool:  # a worker died (out of memory, killed): finish here, lose nothing
                if warn:
                    warn("Tiến trình phụ dừng bất thường; xử lý tiếp trong tiến trình chính (a worker died).")
                rest = [t for b, _ in window for t in b] + [t for b in messages for t in b]
                window.clear()
                yield from ((task, prepare(task, config)) for task in [*batch, *rest])
                return
            following = next(messages, None)
            if following is not None:
                window.append((following, pool.submit(_prepare_many, following, config)))
            yield from zip(batch, outcomes)
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


def _batched(items: Iterable, size: int) -> Iterator[list]:
    iterator = iter(items)
    while batch := list(itertools.islice(iterator, size)):
        yield batch
