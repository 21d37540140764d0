"""Which files of a folder may be read at all: the scan that runs before any byte is read.

Refused with a reason (shown to the user, the rest of the folder is indexed): symlinks that leave the
indexed folder (an administrator may allow them), broken and looping symlinks, special files (a FIFO
would block the indexer forever while it holds the writer lock, /dev/zero never ends) and files over
the size limit. Hard links and bind mounts are the administrator's business: they are ordinary files.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from index.documents import SkippedFile
from index.errors import HoidapError

SUPPORTED_SUFFIXES = {".txt", ".md", ".html", ".htm", ".docx", ".pdf"}


class RefusedFile(OSError):
    """A path that is not read: not a regular file, or over the size limit. ``strerror`` says why."""

    def __init__(self, reason: str):
        super().__init__(errno.EINVAL, reason)


def scan_sources(paths: list[Path], max_bytes: int | None = None, *,
                 allow_outside_links: bool = False) -> tuple[list[Path], list[SkippedFile]]:
    """Supported files among ``paths`` (folders searched recursively, hidden entries skipped), and the
    candidates refused before any byte is read: symlinks leaving the folder (unless allowed), broken
    or looping symlinks, special files (FIFO, device, socket) and files over ``max_bytes``.

    Paths named explicitly are the user's choice and may be symlinks; they must still be regular files.
    """
    found: set[Path] = set()
    refused: dict[str, SkippedFile] = {}

    def refuse(candidate: Path, base: Path | None, reason: str) -> None:
        try:
            source = candidate.relative_to(base).as_posix() if base else str(candidate)
        except ValueError:
            source = str(candidate)
        refused.setdefault(source, SkippedFile(source, reason))

    for path in paths:
        if not path.exists() and not path.is_symlink():
            raise HoidapError(f"Không tìm thấy đường dẫn: {path} (path not found)")
        if not path.is_dir():
            if path.suffix.lower() in SUPPORTED_SUFFIXES:
                reason = _refusal(path, None, max_bytes, True)
                found.add(path) if reason is None else refuse(path, None, reason)
            continue
        root = path.resolve()

        def unreadable_folder(exc: OSError, base=path) -> None:
            refuse(Path(exc.filename or base), base, f"không đọc được thư mục: {exc.strerror} (unreadable folder)")

        for folder, dirnames, filenames in os.walk(path, onerror=unreadable_folder):
            visible = [d for d in dirnames if not d.startswith(".")]
            for name in visible:  # os.walk does not follow them: say so instead of silently leaving them out
                if (Path(folder) / name).is_symlink():
                    refuse(Path(folder) / name, path, "liên kết tới thư mục: không duyệt theo (symlinked folder "
                                                      "not followed)")
            dirnames[:] = visible
            for name in filenames:
                candidate = Path(folder) / name
                if name.startswith(".") or candidate.suffix.lower() not in SUPPORTED_SUFFIXES:
                    continue
                reason = _refusal(candidate, root, max_bytes, allow_outside_links)
                found.add(candidate) if reason is None else refuse(candidate, path, reason)
    return sorted(found), sorted(refused.values(), key=lambda s: s.source_path)


def _refusal(candidate: Path, root: Path | None, max_bytes: int | None, allow_outside: bool) -> str | None:
    """Why ``candidate`` must not be read, or None; looks only at metadata (lstat, readlink, stat)."""
    try:
        if candidate.is_symlink():
            try:
                target = candidate.resolve(strict=True)
            except RuntimeError:  # Python < 3.13 reports a loop this way
                return "liên kết tượng trưng vòng lặp (symlink loop)"
            except OSError as exc:
                if exc.errno == errno.ELOOP:
                    return "liên kết tượng trưng vòng lặp (symlink loop)"
                return "liên kết tượng trưng trỏ tới tệp không tồn tại (dangling symlink)"
            if root is not None and not allow_outside and not target.is_relative_to(root):
                return ("liên kết trỏ ra ngoài thư mục được lập chỉ mục, không đọc (symlink out of the folder; "
                        "đặt HOIDAP_ALLOW_OUTSIDE_LINKS=true để cho phép)")
        info = candidate.stat()
    except OSError as exc:
        return f"không đọc được tệp: {exc.strerror or _short(exc)} (unreadable file)"
    if not stat.S_ISREG(info.st_mode):
        return _not_regular(info.st_mode)
    if max_bytes is not None and info.st_size > max_bytes:
        return _too_large(info.st_size, max_bytes)
    return None


def _not_regular(mode: int) -> str:
    kind = ("FIFO" if stat.S_ISFIFO(mode) else "thiết bị (device)" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
            else "socket" if stat.S_ISSOCK(mode) else "thư mục (folder)" if stat.S_ISDIR(mode) else "tệp đặc biệt")
    return f"không phải tệp thường: {kind} (not a regular file)"


def _too_large(size: int, max_bytes: int) -> str:
    return f"quá lớn: {_mb(size)} > giới hạn {_mb(max_bytes)} (too large)"


def read_regular(path: Path, max_bytes: int) -> bytes:
    """The bytes of a regular file of at most ``max_bytes``; raises RefusedFile otherwise.

    Opened without blocking (a FIFO swapped in after the scan cannot hang the reader), checked with
    fstat on the open descriptor, and read with a bound (a file that grows is not read past it).
    """
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    with os.fdopen(fd, "rb", buffering=0) as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise RefusedFile(_not_regular(info.st_mode))
        if info.st_size > max_bytes:
            raise RefusedFile(_too_large(info.st_size, max_bytes))
        chunks, total = [], 0
        while total <= max_bytes:
            chunk = handle.read(min(1 << 20, max_bytes + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
    if total > max_bytes:
        raise RefusedFile(_too_large(total, max_bytes))
    return b"".join(chunks)




def _mb(size: int) -> str:
    return f"{size / 1_000_000:.1f}".rstrip("0").rstrip(".").replace(".", ",") + " MB"


def _short(exc: BaseException) -> str:
    message = " ".join(str(exc).split()) or type(exc).__name__
    return message if len(message) <= 120 else message[:117] + "..."
