"""Files on disk → plain text (paragraphs separated by blank lines), or a reason to skip.

Loading never raises for a bad file: a folder of real-world articles always has
a few empty, binary, oversized or corrupt ones, and one of them must not stop
the build. The reason a file is skipped is shown to the user, Vietnamese first.
"""

from __future__ import annotations

import hashlib
import os
import re
import unicodedata
from collections import defaultdict
from pathlib import Path
from typing import TYPE_CHECKING

from index.documents import RawDocument, SkippedFile
from index.errors import HoidapError

if TYPE_CHECKING:
    from bs4 import Tag

SUPPORTED_SUFFIXES = {".txt", ".md", ".html", ".htm", ".docx", ".pdf"}

# Page furniture, not article text. <header>/<footer> are dropped only outside
# <article>/<main>, where they hold the article's own heading and date.
_DROP_TAGS = ["script", "style", "noscript", "nav", "form", "aside", "template", "iframe", "svg", "button", "select"]
_SITE_CHROME_TAGS = ["header", "footer"]
_BLOCK_TAGS = {
    "p", "div", "section", "article", "main", "h1", "h2", "h3", "h4", "h5", "h6",
    "li", "ul", "ol", "dl", "dt", "dd", "table", "tr", "td", "th", "blockquote",
    "pre", "figure", "figcaption", "address", "header", "footer", "hr",
}
# Private-use characters mark structure while the HTML is flattened to text.
_PARA_MARK, _LINE_MARK = "\ue000", "\ue001"

_INVISIBLE_RE = re.compile(r"[\u200b\u200c\u200d\u2060\ufeff\x00-\x08\x0b\x0e-\x1f\x7f]")
_CHARSET_RE = re.compile(rb"""charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_MD_HEADING_RE = re.compile(r"^#{1,6}\s+")
_SENTENCE_END_RE = re.compile(r"[.!?…:;\"”)]$")


class _Unreadable(Exception):
    """A file that cannot be turned into text; its message is the skip reason."""


def find_source_files(paths: list[Path]) -> list[Path]:
    """Supported files among ``paths``, folders searched recursively, hidden entries skipped."""
    found: set[Path] = set()
    for path in paths:
        if not path.exists():
            raise HoidapError(f"Không tìm thấy đường dẫn: {path} (path not found)")
        if path.is_file():
            if path.suffix.lower() in SUPPORTED_SUFFIXES:
                found.add(path)
            continue
        for folder, dirnames, filenames in os.walk(path):
            dirnames[:] = [d for d in dirnames if not d.startswith(".")]
            for name in filenames:
                candidate = Path(folder) / name
                if not name.startswith(".") and candidate.suffix.lower() in SUPPORTED_SUFFIXES:
                    found.add(candidate)
    return sorted(found)


def assign_doc_ids(paths: list[Path], root: Path | None = None) -> dict[Path, str]:
    """The file stem, or for stems shared by several files their path below the root joined by "__".

    Without ``root`` the colliding files' common folder is used, so the ids stay short.
    """
    by_stem: dict[str, list[Path]] = defaultdict(list)
    for path in paths:
        by_stem[path.stem].append(path)
    ids: dict[Path, str] = {}
    for stem, group in by_stem.items():
        if len(group) == 1:
            ids[group[0]] = stem
            continue
        base = root or Path(os.path.commonpath([p.parent for p in group]))
        rel = {p: _relative(p, base) for p in group}
        candidates = {p: "__".join(r.with_suffix("").parts) for p, r in rel.items()}
        if len(set(candidates.values())) < len(group):  # same folder, other extension
            candidates = {p: "__".join(r.parts) for p, r in rel.items()}
        ids.update(candidates)
    taken: set[str] = set()
    for path in sorted(ids):  # a derived id may still equal another file's stem
        doc_id, n = ids[path], 2
        while ids[path] in taken:
            ids[path] = f"{doc_id}-{n}"
            n += 1
        taken.add(ids[path])
    return ids


def load_file(path: Path, max_bytes: int, root: Path | None = None) -> RawDocument | SkippedFile:
    """Read one file; ``source_path`` is relative to ``root`` when given."""
    source = _relative(path, root).as_posix() if root else str(path)
    try:
        size = path.stat().st_size
        if size == 0:
            return SkippedFile(source, "tệp rỗng (empty file)")
        if size > max_bytes:
            return SkippedFile(source, f"quá lớn: {_mb(size)} > giới hạn {_mb(max_bytes)} (too large)")
        data = path.read_bytes()
    except OSError as exc:
        return SkippedFile(source, f"không đọc được tệp: {_short(exc)} (unreadable file)")
    try:
        text = _extract(path, data)
    except _Unreadable as exc:
        return SkippedFile(source, str(exc))
    if not text:
        return SkippedFile(source, "không có văn bản (no text)")
    return RawDocument(path.stem, source, text, hashlib.sha256(data).hexdigest())


def _extract(path: Path, data: bytes) -> str:
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        return _pdf_text(path)
    if suffix == ".docx":
        return _docx_text(path)
    if suffix in (".html", ".htm"):
        declared = _CHARSET_RE.search(data[:4096])  # <meta charset=…>, used when UTF-8 fails
        return _html_text(_decode_text(data, declared and declared.group(1).decode("ascii")))
    text = _decode_text(data)
    if suffix == ".md":
        text = "\n".join(_MD_HEADING_RE.sub("", line) for line in text.split("\n"))
    return _tidy_text(text)


def _decode_text(data: bytes, declared: str | None = None) -> str:
    """Bytes of a text file → NFC text; raises _Unreadable for binary data."""
    if data.startswith(b"\xef\xbb\xbf"):
        return _nfc(data[3:].decode("utf-8", errors="replace"))
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _nfc(data.decode("utf-16", errors="replace"))
    if _looks_binary(data):
        raise _Unreadable("tệp nhị phân, không phải văn bản (binary file)")
    for encoding in filter(None, ("utf-8", declared, "cp1258")):
        try:
            return _nfc(data.decode(encoding))
        except (LookupError, UnicodeDecodeError):
            continue
    return _nfc(data.decode("cp1258", errors="replace"))


def _looks_binary(data: bytes) -> bool:
    """NUL bytes (UTF-16 was ruled out by its BOM) or many control characters."""
    sample = data[:65536]
    if b"\x00" in sample:
        return True
    controls = sum(1 for b in sample if b < 0x20 and b not in b"\t\n\r\f\v\x1b") + sample.count(0x7F)
    return controls > len(sample) * 0.05


def _tidy_text(text: str) -> str:
    """One paragraph block per blank-line group; lines stripped, runs of spaces collapsed."""
    text = _INVISIBLE_RE.sub("", text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n\n"))
    blocks: list[str] = []
    for block in re.split(r"\n\s*\n", text):
        # str.split() knows every Unicode space: no-break spaces collapse with the rest.
        lines = [" ".join(line.split()) for line in block.split("\n")]
        if any(lines):
            blocks.append("\n".join(line for line in lines if line))
    return "\n\n".join(blocks)


def _html_text(markup: str) -> str:
    from bs4 import BeautifulSoup

    try:
        soup = BeautifulSoup(markup, "html.parser")
        for tag in soup.find_all(_DROP_TAGS):
            tag.decompose()
        for tag in soup.find_all(_SITE_CHROME_TAGS):
            if not tag.decomposed and not tag.find_parent(["article", "main"]):
                tag.decompose()
        heading, title_tag = soup.find("h1"), soup.find("title")
        title = " ".join(heading.get_text(" ").split()) if heading else ""
        if not title and title_tag:
            title = " ".join(title_tag.get_text(" ").split())
        for tag in [heading, title_tag, soup.head]:
            if tag is not None and not tag.decomposed:
                tag.decompose()
        flat = _flatten_blocks(soup.body or soup)
    except Exception as exc:  # html.parser gives up on some malformed markup
        raise _Unreadable(f"không đọc được HTML: {_short(exc)} (unreadable HTML)") from exc
    paragraphs = [title] if title else []
    for block in " ".join(flat.split()).split(_PARA_MARK):
        lines = [line.strip() for line in block.split(_LINE_MARK)]
        paragraphs.append("\n".join(line for line in lines if line))
    return _tidy_text(_nfc("\n\n".join(p for p in paragraphs if p)))


def _flatten_blocks(root: Tag) -> str:
    """The text under ``root`` with block edges and <br> marked; comments and doctypes left out.

    Walks with an explicit stack: scraped pages can nest thousands of levels
    deep, which breaks recursion and makes bs4's tree edits quadratic.
    """
    from bs4 import CData, NavigableString, Tag

    parts: list[str] = []
    stack = [iter(root.children)]
    closes_block = [False]
    while stack:
        child = next(stack[-1], None)
        if child is None:
            stack.pop()
            if closes_block.pop():
                parts.append(_PARA_MARK)
        elif isinstance(child, Tag):
            if child.name == "br":
                parts.append(_LINE_MARK)
                continue
            is_block = child.name in _BLOCK_TAGS
            if is_block:
                parts.append(_PARA_MARK)
            stack.append(iter(child.children))
            closes_block.append(is_block)
        elif type(child) in (NavigableString, CData):
            parts.append(str(child))
    return "".join(parts)


def _docx_text(path: Path) -> str:
    try:
        from docx import Document
        from docx.table import Table

        paragraphs: list[str] = []
        for block in Document(str(path)).iter_inner_content():
            if isinstance(block, Table):
                for row in block.rows:
                    cells = [cell.text for cell in row.cells if cell.text.strip()]
                    # A merged cell comes back once per grid column it spans.
                    paragraphs.extend(t for i, t in enumerate(cells) if i == 0 or cells[i - 1] != t)
            else:
                paragraphs.append(block.text)
    except Exception as exc:  # python-docx raises zip, XML and key errors for broken files
        raise _Unreadable(f"không đọc được DOCX: {_short(exc)} (unreadable DOCX)") from exc
    return _tidy_text(_nfc("\n\n".join(paragraphs)))


def _pdf_text(path: Path) -> str:
    try:
        from pypdf import PdfReader

        reader = PdfReader(str(path))
        if reader.is_encrypted:
            reader.decrypt("")
        pages = [page.extract_text() or "" for page in reader.pages]
    except Exception as exc:  # pypdf raises many types for damaged or locked files
        raise _Unreadable(f"không đọc được PDF: {_short(exc)} (unreadable PDF)") from exc
    return _tidy_text("\n\n".join(_reflow(_tidy_text(_nfc(page))) for page in pages))


def _reflow(page: str) -> str:
    """Join a PDF page's visual lines back into paragraphs.

    A line ends a paragraph when it ends like a sentence and the next starts a
    new one, or when it is much shorter than the page's full lines (a heading).
    """
    lines = page.split("\n")
    full = max(map(len, lines), default=0)
    parts: list[str] = []
    for previous, line in zip(["", *lines], lines):
        starts = line[:1].isupper() or line[:1].isdigit()
        ends = starts and _SENTENCE_END_RE.search(previous)
        if not line or not previous:
            parts.append(line or "\n\n")
        else:
            parts.append(("\n\n" if ends or len(previous) < 0.6 * full else " ") + line)
    return "".join(parts)


def _nfc(text: str) -> str:
    # cp1258 decodes tone marks as combining characters; everything downstream expects NFC.
    return unicodedata.normalize("NFC", text)


def _relative(path: Path, root: Path | None) -> Path:
    if root is None:
        return path
    try:
        return path.resolve().relative_to(root.resolve())
    except ValueError:
        return path


def _mb(size: int) -> str:
    return f"{size / 1_000_000:.1f}".rstrip("0").rstrip(".").replace(".", ",") + " MB"


def _short(exc: BaseException) -> str:
    message = " ".join(str(exc).split()) or type(exc).__name__
    return message if len(message) <= 120 else message[:117] + "..."
