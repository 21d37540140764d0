"""Files on disk → plain text (paragraphs separated by blank lines), or a reason to skip.

Loading never raises for a bad file: a folder of real-world articles always has
a few empty, binary, oversized or corrupt ones, and one of them must not stop
the build. The reason a file is skipped is shown to the user, Vietnamese first.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import unicodedata
import zipfile
from collections import defaultdict
from pathlib import Path
from typing import TYPE_CHECKING

from index.documents import RawDocument, SkippedFile
from index.sources import SUPPORTED_SUFFIXES, RefusedFile, read_regular, scan_sources

if TYPE_CHECKING:
    from bs4 import Tag

__all__ = ["SUPPORTED_SUFFIXES", "assign_doc_ids", "find_source_files", "load_file", "scan_sources"]

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
# A doc id names a cache file in the data dir: file systems refuse names over 255 bytes.
MAX_DOC_ID_BYTES = 100
# Zip-based formats (.docx) are bounded before they are unpacked.
DEFAULT_MAX_UNZIPPED_BYTES = 50_000_000
DEFAULT_MAX_ZIP_ENTRIES = 1000
# Text that is valid UTF-8 but for a few bytes keeps UTF-8 (bad bytes become U+FFFD).
UTF8_MIN_VALID_SHARE = 0.95


class _Unreadable(Exception):
    """A file that cannot be turned into text; its message is the skip reason."""


def find_source_files(paths: list[Path]) -> list[Path]:
    """The files ``scan_sources`` accepts (no size limit; refused ones are left out)."""
    return scan_sources(paths)[0]


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
    ids = {path: _bounded_id(doc_id) for path, doc_id in ids.items()}
    taken: set[str] = set()
    for path in sorted(ids):  # a derived id may still equal another file's stem
        doc_id, n = ids[path], 2
        while ids[path] in taken:
            ids[path] = f"{doc_id}-{n}"
            n += 1
        taken.add(ids[path])
    return ids


def _bounded_id(doc_id: str) -> str:
    """``doc_id`` when short enough to name a file; else its start and a digest of the whole."""
    if len(doc_id.encode("utf-8")) <= MAX_DOC_ID_BYTES:
        return doc_id
    digest = hashlib.sha1(doc_id.encode("utf-8")).hexdigest()[:10]
    head = doc_id.encode("utf-8")[: MAX_DOC_ID_BYTES - len(digest) - 1].decode("utf-8", errors="ignore")
    return f"{head.rstrip()}-{digest}"


def load_file(path: Path, max_bytes: int, root: Path | None = None, *,
              max_unzipped_bytes: int = DEFAULT_MAX_UNZIPPED_BYTES,
              max_zip_entries: int = DEFAULT_MAX_ZIP_ENTRIES) -> RawDocument | SkippedFile:
    """Read one file; ``source_path`` is relative to ``root`` when given."""
    source = _relative(path, root).as_posix() if root else str(path)
    try:
        data = read_regular(path, max_bytes)
    except RefusedFile as exc:
        return SkippedFile(source, exc.strerror)
    except OSError as exc:
        return SkippedFile(source, f"không đọc được tệp: {exc.strerror or _short(exc)} (unreadable file)")
    if not data:
        return SkippedFile(source, "tệp rỗng (empty file)")
    try:
        text = _extract(path, data, max_unzipped_bytes, max_zip_entries)
    except _Unreadable as exc:
        return SkippedFile(source, str(exc))
    if not text:
        return SkippedFile(source, "không có văn bản (no text)")
    return RawDocument(_bounded_id(path.stem), source, text, hashlib.sha256(data).hexdigest())


def _extract(path: Path, data: bytes, max_unzipped: int = DEFAULT_MAX_UNZIPPED_BYTES,
             max_entries: int = DEFAULT_MAX_ZIP_ENTRIES) -> str:
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        return _pdf_text(data)
    if suffix == ".docx":
        _check_zip(data, max_unzipped, max_entries)
        return _docx_text(data)
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
    try:
        return _nfc(data.decode("utf-8"))
    except UnicodeDecodeError:
        pass
    mostly_utf8 = _mostly_utf8(data)
    if mostly_utf8 is not None:
        return _nfc(mostly_utf8)
    for encoding in filter(None, (declared, "cp1258")):
        try:
            return _nfc(data.decode(encoding))
        except (LookupError, UnicodeDecodeError):
            continue
    return _nfc(data.decode("cp1258", errors="replace"))


def _mostly_utf8(data: bytes) -> str | None:
    """UTF-8 with replacement characters when nearly every non-ASCII sequence is valid UTF-8 (a stray
    bad byte); None when it is mostly not (a legacy code page, where every accented letter fails)."""
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    good = sum(1 for ch in text if ord(ch) > 127) - bad
    return text if good >= UTF8_MIN_VALID_SHARE * (good + bad) else None


def _check_zip(data: bytes, max_unzipped: int, max_entries: int) -> None:
    """Refuse a zip bomb from its directory, before anything is decompressed. The declared sizes bind:
    Python's zipfile stops at an entry's declared size (and fails its CRC check) if it lies."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise _Unreadable(f"không đọc được DOCX: {_short(exc)} (unreadable DOCX)") from exc
    if len(entries) > max_entries:
        raise _Unreadable(f"tệp nén có {len(entries)} tệp con, quá giới hạn {max_entries} (too many zip entries)")
    unzipped = sum(entry.file_size for entry in entries)
    if unzipped > max_unzipped:
        raise _Unreadable(f"giải nén ra {_mb(unzipped)}, quá giới hạn {_mb(max_unzipped)} "
                          "(uncompressed size over the limit)")


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


def _docx_text(data: bytes) -> str:
    try:
        from docx import Document
        from docx.table import Table

        paragraphs: list[str] = []
        for block in Document(io.BytesIO(data)).iter_inner_content():
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


def _pdf_text(data: bytes) -> str:
    try:
        from pypdf import PdfReader

        reader = PdfReader(io.BytesIO(data))
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
