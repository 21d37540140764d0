"""The index manifest: the one file that says what the index holds.

Writing it (atomically, with ``os.replace``) is the commit point of a build:
whatever a killed run left behind that the manifest does not name is ignored
by readers and collected by the next run.
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from index.errors import HoidapError

SCHEMA_VERSION = 4  # 2: abbreviations spelt out in lexical tokens; 4: lexical segments, article catalog
MANIFEST_NAME = "manifest.json"


@dataclass
class ArticleEntry:
    version: str  # hash of the file bytes and the chunker settings
    source_path: str
    title: str
    date: str | None
    author: str | None
    n_chunks: int
    cache_file: str  # relative to the data dir
    segment: str | None = None  # the lexical segment holding its rows
    cache_bytes: int | None = None  # size of the cache file, checked before it is trusted


class ArticleTable(Mapping):
    """The manifest's articles, read from its catalog file on first use: opening an index to
    answer one question never parses the whole catalog (a cold `hoidap ask` stays flat)."""

    def __init__(self, path: Path, size: int | None):
        self.path, self.size = path, size
        self._entries: dict[str, ArticleEntry] | None = None
        self._lock = threading.Lock()  # a server's threads may ask for it at once
        try:  # opened now: a writer may prune this generation's catalog before it is read
            self._handle = open(path, "rb")
        except OSError:
            self._handle = None

    def _load(self) -> dict[str, ArticleEntry]:
        with self._lock:
            return self._load_locked()

    def __del__(self) -> None:
        if getattr(self, "_handle", None) is not None:
            self._handle.close()

    def _load_locked(self) -> dict[str, ArticleEntry]:
        if self._entries is None:
            try:
                if self._handle is None:
                    raise FileNotFoundError(str(self.path))
                with self._handle:
                    data = self._handle.read()
                if self.size is not None and len(data) != self.size:
                    raise ValueError(f"{len(data)} bytes, the manifest recorded {self.size}")
                self._entries = {k: ArticleEntry(**v) for k, v in json.loads(data).items()}
            except (OSError, ValueError, TypeError, AttributeError) as exc:
                raise ManifestError(f"Danh mục bài {self.path} hỏng ({exc}): hãy chạy lại 'hoidap index <thư mục>' "
                                    "để dựng lại (damaged article catalog: re-run hoidap index).") from exc
        return self._entries

    def __getitem__(self, key: str) -> ArticleEntry:
        return self._load()[key]

    def __iter__(self):
        return iter(self._load())

    def __len__(self) -> int:
        return len(self._load())


@dataclass
class Manifest:
    schema_version: int
    embedder: dict  # {"name", "dimension", "kind", "weightless"}
    chunker: dict  # {"chunk_chars", "overlap_sentences"}
    store: dict  # {"kind": "persistent"|"http", "url", "collection", "vectors": bool}
    generation: int = 0
    # [{"dir", "rows", "docs", "deleted": [doc ids], "files": {name: [size, crc32]}}], see index/generation.py
    segments: list[dict] = field(default_factory=list)
    articles: Mapping[str, ArticleEntry] = field(default_factory=dict)
    built_at: str | None = None
    catalog: dict | None = None  # {"file", "size"}: the articles, one JSON file per generation

    def to_json(self) -> str:
        head = {k: v for k, v in self.__dict__.items() if k != "articles"}
        return json.dumps(head, ensure_ascii=False, indent=1, sort_keys=True)

    def articles_json(self) -> str:
        return json.dumps({k: v.__dict__ for k, v in self.articles.items()}, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_dict(cls, raw: dict, data_dir: Path | None = None) -> "Manifest":
        if "articles" in raw:
            articles = {k: ArticleEntry(**v) for k, v in raw["articles"].items()}
        elif raw.get("catalog") and data_dir is not None:
            articles = ArticleTable(Path(data_dir) / raw["catalog"]["file"], raw["catalog"].get("size"))
        else:
            raise ValueError("no article catalog")
        return cls(**{**raw, "articles": articles})

    def chunk_id_prefix(self, doc_id: str) -> str | None:
        entry = self.articles.get(doc_id)
        return chunk_prefix(doc_id, entry.version) if entry else None


def chunk_prefix(doc_id: str, version: str) -> str:
    """Chunk ids embed the article's content hash, so a changed article's new
    chunks never collide with the old ones a reader may still be using."""
    return f"{doc_id}:{version[:10]}:"


class ManifestError(HoidapError):
    """manifest.json exists but cannot be used (damaged, or written by another schema);
    ``hoidap index`` rebuilds from the articles when it meets one."""

    def __init__(self, message: str, raw: dict | None = None):
        super().__init__(message)
        self.raw = raw  # what could be parsed (a dict), to reuse its embedder on rebuild


def read_manifest(data_dir: Path) -> Manifest | None:
    path = Path(data_dir) / MANIFEST_NAME
    if not path.exists():
        return None
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ManifestError(f"Không đọc được {path} ({exc}): hãy chạy lại 'hoidap index <thư mục>' để dựng lại "
                            "(damaged manifest: re-run hoidap index to rebuild).") from exc
    if not isinstance(raw, dict):
        raise ManifestError(f"{path} hỏng (không phải một đối tượng JSON): hãy chạy lại 'hoidap index <thư mục>' "
                            "để dựng lại (damaged manifest: re-run hoidap index to rebuild).")
    if raw.get("schema_version") != SCHEMA_VERSION:
        raise ManifestError(
            f"Chỉ mục ở {data_dir} có phiên bản {raw.get('schema_version')}, cần {SCHEMA_VERSION}: "
            "hãy chạy lại 'hoidap index <thư mục>' để dựng lại (index schema changed: re-run hoidap index).", raw)
    try:
        return Manifest.from_dict(raw, data_dir)
    except (TypeError, AttributeError, ValueError) as exc:
        raise ManifestError(f"{path} hỏng ({exc}): hãy chạy lại 'hoidap index <thư mục>' để dựng lại "
                            "(damaged manifest: re-run hoidap index to rebuild).", raw) from exc


def atomic_write_text(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    # mkstemp makes 0600 files; the index must stay readable by a server running as another user.
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    _fsync_dir(path.parent)


def _fsync_dir(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def catalog_name(generation: int) -> str:
    return f"catalog/articles-{generation:06d}.json"


def write_manifest(data_dir: Path, manifest: Manifest) -> None:
    """The catalog first (a new file per generation), then the manifest that names it: the commit."""
    relative = catalog_name(manifest.generation)
    text = manifest.articles_json()
    atomic_write_text(Path(data_dir) / relative, text)
    manifest.catalog = {"file": relative, "size": len(text.encode("utf-8"))}
    atomic_write_text(Path(data_dir) / MANIFEST_NAME, manifest.to_json())
