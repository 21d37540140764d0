"""The records that flow through the build: raw file → article → chunks."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class RawDocument:
    """A file that could be read and turned into plain text (paragraphs separated by blank lines)."""

    doc_id: str
    source_path: str
    text: str
    content_hash: str  # sha256 hex of the file's bytes


@dataclass(frozen=True)
class SkippedFile:
    source_path: str
    reason: str  # one short sentence, Vietnamese first


@dataclass(frozen=True)
class Article:
    """A cleaned article. ``text`` is what users see and what offsets point into."""

    doc_id: str
    title: str
    text: str
    source_path: str
    content_hash: str
    date: str | None = None  # ISO YYYY-MM-DD when the article states it
    author: str | None = None

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Chunk:
    """A passage: ``text == article.text[start:end]``."""

    chunk_id: str
    doc_id: str
    ordinal: int
    start: int
    end: int
    text: str
    meta: dict = field(default_factory=dict)  # title, date, author, source_path

    def to_dict(self) -> dict:
        return asdict(self)
