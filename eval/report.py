"""report.json, report.md (tables) and report.html (every question, misses classified, one chart)."""

from __future__ import annotations

import html
import json
from datetime import date
from pathlib import Path

GROUPS = ("retrieval", "answer", "citation", "abstention", "latency_ms")
CHART_METRICS = ("evidence_hit@5", "contains", "f1", "citation_hit")


def _fmt(value) -> str:
    if value is None:
        return "—"
    return f"{value:.3f}" if isinstance(value, float) and value <= 1.0 else f"{value:g}" if isinstance(value, (int, float)) else str(value)


def markdown_tables(report: dict, meta: dict) -> str:
    lines = [f"Gold `{meta.get('gold')}` — {report['n']} câu, chế độ {meta.get('mode')}, k={meta.get('k')}, "
             f"bộ nhúng {meta.get('embedder')}, ngày {date.today().isoformat()}", ""]
    lines += ["| nhóm | chỉ số | giá trị |", "|---|---|---|"]
    for group in GROUPS:
        for key, value in report[group].items():
            lines.append(f"| {group} | {key} | {_fmt(value)} |")
    categories = report.get("by_category", {})
    if categories:
        lines += ["", "| category | n | doc_hit@5 | evidence_hit@5 | contains | f1 | citation hit | refused |",
                  "|---|---|---|---|---|---|---|---|"]
        for name, sub in categories.items():
            refused = sub["abstention"]["noans_accuracy"] if name == "unanswerable" else sub["abstention"]["false_abstain_rate"]
            lines.append(f"| {name} | {sub['n']} | {_fmt(sub['retrieval']['doc_hit@5'])} | "
                         f"{_fmt(sub['retrieval']['evidence_hit@5'])} | {_fmt(sub['answer']['contains'])} | "
                         f"{_fmt(sub['answer']['f1'])} | {_fmt(sub['citation']['hit'])} | {_fmt(refused)} |")
    return "\n".join(lines)


def _chart(report: dict) -> str:
    """An inline SVG bar chart: no script, no CDN, opens anywhere."""
    categories = list(report.get("by_category", {}).items())
    width, bar, gap = 900, 10, 14
    height = 40 + len(categories) * (len(CHART_METRICS) * bar + gap)
    colors = ("#2b6cb0", "#2f855a", "#b7791f", "#9b2c2c")
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
             'aria-label="Chỉ số theo nhóm câu hỏi">']
    for i, (metric, color) in enumerate(zip(CHART_METRICS, colors)):
        parts.append(f'<rect x="{180 + i * 170}" y="5" width="12" height="12" fill="{color}"/>'
                     f'<text x="{196 + i * 170}" y="16" font-size="12">{metric}</text>')
    y = 35
    for name, sub in categories:
        parts.append(f'<text x="0" y="{y + 2 * bar}" font-size="12">{html.escape(name)} (n={sub["n"]})</text>')
        for metric, color in zip(CHART_METRICS, colors):
            value = (sub["retrieval"].get(metric) if metric in sub["retrieval"] else sub["answer"].get(metric)
                     if metric in sub["answer"] else sub["citation"].get("hit")) or 0.0
            parts.append(f'<rect x="180" y="{y}" width="{value * 600:.1f}" height="{bar - 1}" fill="{color}"/>'
                         f'<text x="{185 + value * 600:.1f}" y="{y + bar - 2}" font-size="9">{value:.2f}</text>')
            y += bar
        y += gap
    parts.append("</svg>")
    return "".join(parts)


def _markdown_to_html(markdown: str) -> str:
    """The Markdown report's tables as HTML tables (its other lines as paragraphs)."""
    parts, rows = [], []

    def flush():
        if rows:
            head, *body = rows
            parts.append("<table><tr>" + "".join(f"<th>{html.escape(c)}</th>" for c in head) + "</tr>"
                         + "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in r) + "</tr>" for r in body)
                         + "</table>")
            rows.clear()

    for line in markdown.splitlines():
        if line.startswith("|"):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if not all(set(c) <= {"-", ":"} for c in cells):
                rows.append(cells)
            continue
        flush()
        if line.strip():
            parts.append(f"<p>{html.escape(line)}</p>")
    flush()
    return "\n".join(parts)


def _question_row(record) -> str:
    esc = html.escape
    item, result = record.item, record.result
    cited = [c for c in result["citations"] if c.get("cited")] or (result["citations"][:1] if result["abstained"] else [])
    sources = "".join(
        f"<li>[{c['n']}] {esc(c['doc_id'])} — {esc(c['title'])}: «{esc((c.get('quote') or {}).get('text') or c['text'][:300])}»</li>"
        for c in cited)
    miss = f'<span class="miss">{esc(record.miss)}</span>' if record.miss else '<span class="ok">đúng</span>'
    return (f'<tr class="{"missrow" if record.miss else ""}"><td>{esc(item.id)}<br><small>{esc(item.category)}</small></td>'
            f"<td>{esc(item.question)}</td><td>{esc(result['answer'])}<br><b>{esc(result.get('short_answer') or '')}</b>"
            f"<ul>{sources}</ul></td><td>{esc(' | '.join(item.answers) or '(không trả lời được)')}<br>"
            f"<small>{esc(', '.join(item.doc_ids))}</small><br><small>{esc(item.evidence)}</small></td><td>{miss}</td></tr>")


def write_reports(out: Path, report: dict, records, meta: dict) -> None:
    out.mkdir(parents=True, exist_ok=True)
    questions = [{"id": r.item.id, "category": r.item.category, "answerable": r.item.answerable,
                  "confidence": r.result.get("confidence"), "abstained": r.result["abstained"], "miss": r.miss,
                  "short_answer": r.result.get("short_answer"), "latency_ms": round(r.latency_ms, 2)} for r in records]
    payload = {**report, "meta": meta, "questions": questions}
    (out / "report.json").write_text(json.dumps(payload, ensure_ascii=False, indent=1), encoding="utf-8")
    (out / "report.md").write_text(markdown_tables(report, meta) + "\n", encoding="utf-8")
    misses = sum(1 for r in records if r.miss)
    rows = "".join(_question_row(r) for r in records)
    page = f"""<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>Báo cáo đánh giá hoidap</title>
<style>body{{font-family:system-ui,sans-serif;margin:1.5rem}}table{{border-collapse:collapse;width:100%}}
td,th{{border:1px solid #ccc;padding:4px;vertical-align:top;font-size:13px}}table{{margin-bottom:1rem}}tr.missrow{{background:#fff1f0}}
.miss{{color:#a00;font-weight:bold}}.ok{{color:#070}}pre{{background:#f6f6f6;padding:8px}}</style></head><body>
<h1>Báo cáo đánh giá</h1><p>{html.escape(json.dumps(meta, ensure_ascii=False))}</p>
{_markdown_to_html(markdown_tables(report, meta))}<h2>Theo nhóm câu hỏi</h2>{_chart(report)}
<h2>Từng câu hỏi ({misses} câu sai)</h2><table><tr><th>id</th><th>Câu hỏi</th><th>Trả lời</th><th>Gold</th><th>Kết quả</th></tr>
{rows}</table></body></html>"""
    (out / "report.html").write_text(page, encoding="utf-8")
