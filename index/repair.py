"""Verifying the committed index, and what `hoidap check` reports.

The manifest records, for every file of every lexical segment, its size and CRC-32;
``hoidap index`` checks them before trusting a segment and re-reads from the source
files the articles of any segment that no longer matches (the rest is kept).
Per-article cache files are checked by size. A manifest that cannot be read is not
trusted at all: the index is rebuilt from the articles (index/builder.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from index.config import Settings
from index.generation import damaged_files
from index.manifest import MANIFEST_NAME, ArticleEntry, ManifestError, read_manifest
from index.progress import Progress


def repair_segments(data_dir: Path, records: dict[str, dict], entries: dict[str, ArticleEntry],
                    progress: Progress) -> set[str]:
    """Drop damaged segments from ``records``; return the articles that must be re-read."""
    reprocess: set[str] = set()
    for relative in list(records):
        bad = damaged_files(data_dir, records[relative])
        if not bad:
            continue
        lost = {d for d, e in entries.items() if e.segment == relative}
        progress.warn(f"Phân đoạn {relative} hỏng ({', '.join(bad[:3])}): đọc lại {len(lost)} bài từ tệp gốc "
                      f"(damaged segment: re-indexing its articles).")
        del records[relative]
        reprocess |= lost
    # Articles whose segment the manifest does not name at all (hand-edited manifest).
    reprocess |= {d for d, e in entries.items() if e.segment not in records and e.segment is not None}
    reprocess |= {d for d, e in entries.items() if e.segment is None}
    return reprocess


@dataclass
class CheckReport:
    data_dir: str
    state: str = "ok"  # ok | missing | damaged
    lines: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def add(self, line: str) -> None:
        self.lines.append(line)

    def problem(self, line: str) -> None:
        self.state = "damaged"
        self.problems.append(line)

    def render(self) -> str:
        head = f"Chỉ mục {self.data_dir}: " + {"ok": "tốt (ok)", "missing": "chưa có (missing)",
                                               "damaged": "HỎNG (damaged)"}[self.state]
        return "\n".join([head, *self.lines[:-1], *(f"  ✗ {p}" for p in self.problems), *self.lines[-1:]])

    def to_dict(self) -> dict:
        return {"data_dir": self.data_dir, "state": self.state, "lines": self.lines, "problems": self.problems}


def check_index(settings: Settings) -> CheckReport:
    """Everything `hoidap index` would verify, read-only, in a few lines."""
    data_dir = Path(settings.data_dir)
    report = CheckReport(str(data_dir))
    if not (data_dir / MANIFEST_NAME).exists():
        report.state = "missing"
        report.add(f"Chưa có chỉ mục trong {data_dir} (no index): chạy 'hoidap index <thư mục bài viết>'.")
        return report
    try:
        manifest = read_manifest(data_dir)
        len(manifest.articles)  # the catalog is read lazily
    except ManifestError as exc:
        report.problem(f"manifest.json: {exc}")
        return report
    report.add(f"Thế hệ (generation) {manifest.generation}, dựng lúc {manifest.built_at}, "
               f"bộ nhúng {manifest.embedder.get('name')}")
    rows = sum(r["rows"] for r in manifest.segments)
    deleted = sum(len(r.get("deleted", [])) for r in manifest.segments)
    report.add(f"Bài viết (articles): {len(manifest.articles)}; đoạn (chunks): "
               f"{sum(e.n_chunks for e in manifest.articles.values())}; phân đoạn (segments): "
               f"{len(manifest.segments)} ({rows} dòng, {deleted} bài đã xoá chờ gộp)")
    files = 0
    for record in manifest.segments:
        files += len(record["files"])
        bad = damaged_files(data_dir, record)
        if bad:
            report.problem(f"{record['dir']}: hỏng/thiếu {', '.join(bad)} (damaged or missing)")
    report.add(f"Tệp chỉ mục từ khoá đã kiểm (lexical files verified, size + CRC-32): {files}")
    missing = [d for d, e in manifest.articles.items() if not _cache_matches(data_dir, e)]
    if missing:
        report.problem(f"{len(missing)} tệp bài đã xử lý hỏng hoặc thiếu (article cache damaged), "
                       f"ví dụ {missing[0]}")
    _check_vectors(manifest, data_dir, report)
    if (data_dir / ".in-progress").exists():
        report.add("Một lần 'hoidap index' trước bị dừng giữa chừng; lần chạy sau sẽ dọn phần dở "
                   "(an interrupted run left files the next run collects).")
    if report.problems:
        report.add("Sửa: chạy lại 'hoidap index <thư mục bài viết>' — phần hỏng được dựng lại từ các bài viết; "
                   "'--rebuild' dựng lại toàn bộ (repair: re-run hoidap index).")
    else:
        report.add("Trạng thái: tốt (state: ok).")
    return report


def _cache_matches(data_dir: Path, entry: ArticleEntry) -> bool:
    try:
        size = (data_dir / entry.cache_file).stat().st_size
    except OSError:
        return False
    return entry.cache_bytes is None or size == entry.cache_bytes


def _check_vectors(manifest, data_dir: Path, report: CheckReport) -> None:
    if not manifest.store.get("vectors", True):
        report.add("Vectơ (vectors): không lưu — bộ nhúng không trọng số và HOIDAP_DENSE_WEIGHT=0 "
                   "(none stored: nothing queries them)")
        return
    from index.store import ChunkStore

    store = ChunkStore(data_dir, manifest.store["collection"], manifest.store.get("url"))
    problems: list[str] = []
    if not store.usable(problems.append, repair=False):
        report.problem(f"Kho vectơ Chroma: {problems[0] if problems else 'không mở được'}")
        return
    expected = sum(e.n_chunks for e in manifest.articles.values())
    prefixes = {manifest.chunk_id_prefix(d) for d in manifest.articles}
    present = sum(1 for cid in store.all_ids() if cid[: cid.rfind(":") + 1] in prefixes)
    if present < expected:
        report.problem(f"Kho vectơ Chroma thiếu {expected - present}/{expected} vectơ (vectors missing)")
    else:
        report.add(f"Vectơ (vectors): {present} trong Chroma ({store.url or 'nhúng / embedded'})")
