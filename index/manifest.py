"""The index manifest: the one file that says what the index holds.

Writing it (atomically, with ``os.replace``) is the commit point of a build:
whatever a killed run left behind that the manifest does not name is ignored
by readers and collected by the next run.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

from index.errors import HoidapError

SCHEMA_VERSION = 2  # 2: abbreviations spelt out in lexical tokens
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


@dataclass
class Manifest:
    schema_version: int
    embedder: dict  # {"name", "dimension", "kind", "weightless"}
    chunker: dict  # {"chunk_chars", "overlap_sentences"}
    store: dict  # {"kind": "persistent"|"http", "url", "collection"}
    generation: int = 0
    lexical_dir: str | None = None  # relative to the data dir
    articles: dict[str, ArticleEntry] = field(default_factory=dict)
    built_at: str | None = None

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, indent=1, sort_keys=True)

    @classmethod
    def from_dict(cls, raw: dict) -> "Manifest":
        articles = {k: ArticleEntry(**v) for k, v in raw.get("articles", {}).items()}
        return cls(**{**raw, "articles": articles})

    def chunk_id_prefix(self, doc_id: str) -> str | None:
        entry = self.articles.get(doc_id)
        return chunk_prefix(doc_id, entry.version) if entry else None


def chunk_prefix(doc_id: str, version: str) -> str:
    """Chunk ids embed the article's content hash, so a changed article's new
    chunks never collide with the old ones a reader may still be using."""
    return f"{doc_id}:{version[:10]}:"


def read_manifest(data_dir: Path) -> Manifest | None:
    path = Path(data_dir) / MANIFEST_NAME
    if not path.exists():
        return None
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise HoidapError(f"Không đọc được {path}: {exc}. Hãy chạy lại 'hoidap index' với --rebuild.") from exc
    if raw.get("schema_version") != SCHEMA_VERSION:
        raise HoidapError(
            f"Chỉ mục ở {data_dir} có phiên bản {raw.get('schema_version')}, cần {SCHEMA_VERSION}: "
            "hãy chạy lại 'hoidap index <thư mục> --rebuild' (index schema changed, rebuild it)."
        )
    return Manifest.from_dict(raw)


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


def write_manifest(data_dir: Path, manifest: Manifest) -> None:
    atomic_write_text(Path(data_dir) / MANIFEST_NAME, manifest.to_json())
