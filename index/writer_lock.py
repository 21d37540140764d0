"""One writer per data directory: a second one fails fast instead of waiting."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

from index.errors import IndexBusyError

LOCK_NAME = ".writer.lock"


@contextmanager
def writer_lock(data_dir: Path, timeout: float = 1.0):
    # flock-based: the kernel releases it when a killed writer dies, so no stale lock.
    lock = FileLock(str(Path(data_dir) / LOCK_NAME), timeout=timeout)
    try:
        lock.acquire()
    except Timeout as exc:
        raise IndexBusyError(
            f"Một tiến trình 'hoidap index' khác đang ghi vào {data_dir}; hãy chờ nó xong rồi chạy lại "
            "(another indexer is writing to this data directory)."
        ) from exc
    try:
        yield
    finally:
        lock.release()
