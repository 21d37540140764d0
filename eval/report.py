"""report.json, report.md (tables) and report.html (every question with its two verdicts, misses
classified, a chart, one Vietnamese line per metric).

A question counts as right (``verdict``) when the answer contains a gold answer AND, when a short
answer is given, the short answer matches a gold answer (syllable F1 ≥ ``SHORT_MATCH_F1``). An
unanswerable question is right when it is refused. An optional ``report["baseline"]`` (e.g. plain
BM25) is shown as a column beside hoidap's retrieval figures.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from eval.metrics import contains_any, short_answer_matches

GROUPS = ("retrieval", "answer", "citation", "abstention", "latency_ms")
CHART_METRICS = ("evidence_hit@5", "contains", "f1", "citation_hit")
SHORT_MATCH_F1 = 0.5

GROUP_NAMES = {"retrieval": "truy xuất", "answer": "câu trả lời", "citation": "trích dẫn",
               "abstention": "từ chối", "latency_ms": "thời gian (ms)"}
METRIC_HELP = {
    ("retrieval", "doc_hit@1"): "Tỉ lệ câu hỏi có đoạn xếp thứ nhất thuộc một bài viết gold.",
    ("retrieval", "doc_hit@5"): "Tỉ lệ câu hỏi có ít nhất một trong 5 đoạn đầu thuộc một bài viết gold.",
    ("retrieval", "evidence_hit@1"): "Tỉ lệ câu hỏi có đoạn xếp thứ nhất chứa câu bằng chứng gold.",
    ("retrieval", "evidence_hit@5"): "Tỉ lệ câu hỏi có ít nhất một trong 5 đoạn đầu chứa câu bằng chứng gold.",
    ("retrieval", "mrr@10"): "Trung bình của 1/thứ hạng đoạn đầu tiên chứa bằng chứng (trong 10 đoạn đầu; 0 nếu không có).",
    ("answer", "contains"): "Tỉ lệ câu trả lời có chứa một đáp án gold.",
    ("answer", "em"): "Tỉ lệ câu trả lời ngắn trùng khớp hoàn toàn với một đáp án gold (sau chuẩn hoá).",
    ("answer", "f1"): "Độ trùng khớp theo âm tiết (F1) giữa câu trả lời ngắn và đáp án gold, trung bình.",
    ("answer", "chars_median"): "Độ dài trung vị (ký tự) của câu trả lời: trích cả đoạn dài không được tính là tốt.",
    ("citation", "valid"): "Tỉ lệ câu trả lời mà mọi [n] đều trỏ tới một đoạn đã trả về.",
    ("citation", "hit"): "Tỉ lệ câu trả lời có đoạn được trích dẫn thuộc bài gold và chứa bằng chứng hoặc đáp án.",
    ("abstention", "noans_accuracy"): "Tỉ lệ câu hỏi không có đáp án trong kho được từ chối đúng.",
    ("abstention", "false_abstain_rate"): "Tỉ lệ câu hỏi có đáp án nhưng bị từ chối (càng thấp càng tốt).",
    ("latency_ms", "p50"): "Thời gian trả lời trung vị, mili giây.",
    ("latency_ms", "p95"): "Thời gian trả lời ở phân vị 95, mili giây.",
}
MISS_NAMES = {"retrieval miss": "không tìm được đoạn chứa đáp án", "answer miss": "câu trả lời thiếu đáp án",
              "wrong refusal": "từ chối sai", "wrong answer": "trả lời câu không có đáp án",
              "short answer miss": "trả lời ngắn không khớp đáp án"}
VERDICT_RULE = (f"Một câu được tính là đúng khi câu trả lời chứa một đáp án gold VÀ, nếu có câu trả lời ngắn, câu "
                f"trả lời ngắn khớp một đáp án gold (F1 theo âm tiết ≥ {SHORT_MATCH_F1}, sau khi bỏ dấu câu và chữ "
                "hoa, với đáp án gold có mọi con số mà câu trả lời ngắn nêu); câu hỏi không có đáp án trong kho "
                "được tính là đúng khi bị từ chối.")


@dataclass
class Verdict:
    contains: bool | None  # a gold answer occurs in the answer (None: unanswerable question)
    short_match: bool | None  # the short answer matches a gold answer (None: no short answer given)
    right: bool
    cause: str | None  # why not right: a MISS_NAMES key


def verdict(record) -> Verdict:
    item, result = record.item, record.result
    refused = bool(result["abstained"])
    if not item.answerable:
        return Verdict(None, None, refused, None if refused else "wrong answer")
    contains = not refused and contains_any(result["answer"], item.answers)
    short = (result.get("short_answer") or "").strip()
    short_match = None if refused or not short else short_answer_matches(short, item.answers, SHORT_MATCH_F1)
    right = contains and short_match is not False
    if right:
        return Verdict(contains, short_match, True, None)
    cause = "short answer miss" if contains else (record.miss or "answer miss")
    return Verdict(contains, short_match, False, cause)


def _fmt(value) -> str:
    if value is None:
        return "—"
    return f"{value:.3f}" if isinstance(value, float) and value <= 1.0 else f"{value:g}" if isinstance(value, (int, float)) else str(value)


def _baseline(report: dict) -> tuple[str, dict] | None:
    baseline = report.get("baseline")
    if not isinstance(baseline, dict) or not isinstance(baseline.get("retrieval"), dict):
        return None
    return str(baseline.get("name") or "baseline"), baseline["retrieval"]


def _asked_as(meta: dict) -> str:
    """How the questions were typed, when not as written in the gold file."""
    forms = [name for key, name in (("typos", "một lỗi gõ mỗi câu"), ("unaccented", "không dấu"),
                                    ("chatty", "kèm lời chào, lời nhờ")) if meta.get(key)]
    return f", câu hỏi gõ {' và '.join(forms)}" if forms else ""


def _header(report: dict, meta: dict) -> str:
    return (f"Gold `{meta.get('gold')}` — {report['n']} câu{_asked_as(meta)}, chế độ {meta.get('mode') or 'auto'}, "
            f"k={meta.get('k')}, bộ nhúng {meta.get('embedder')}, ngày {date.today().isoformat()}")


def markdown_tables(report: dict, meta: dict) -> str:
    lines = [_header(report, meta), ""]
    baseline = _baseline(report)
    if baseline:
        name, figures = baseline
        lines += [f"| nhóm | chỉ số | hoidap | {name} |", "|---|---|---|---|"]
    else:
        lines += ["| nhóm | chỉ số | giá trị |", "|---|---|---|"]
    for group in GROUPS:
        for key, value in report[group].items():
            row = f"| {group} | {key} | {_fmt(value)} |"
            if baseline:
                row += f" {_fmt(baseline[1].get(key)) if group == 'retrieval' else '—'} |"
            lines.append(row)
    categories = report.get("by_category", {})
    if categories:
        lines += ["", "| category | n | doc_hit@5 | evidence_hit@5 | contains | f1 | citation hit | refused |",
                  "|---|---|---|---|---|---|---|---|"]
        for name, sub in categories.items():
            lines.append(f"| {name} | {sub['n']} | {_fmt(sub['retrieval']['doc_hit@5'])} | "
                         f"{_fmt(sub['retrieval']['evidence_hit@5'])} | {_fmt(sub['answer']['contains'])} | "
                         f"{_fmt(sub['answer']['f1'])} | {_fmt(sub['citation']['hit'])} | {_fmt(_refused(sub))} |")
    return "\n".join(lines)


def _chart(report: dict) -> str:
    """An inline SVG bar chart: no script, no CDN, opens anywhere."""
    categories = list(report.get("by_category", {}).items())
    width, bar, gap = 900, 10, 14
    height = 40 + len(categories) * (len(CHART_METRICS) * bar + gap)
    colors = ("#2b6cb0", "#2f855a", "#975a16", "#9b2c2c")
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
             'aria-label="Biểu đồ: evidence_hit@5, contains, f1 và citation hit theo nhóm câu hỏi">']
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


def _meta_html(report: dict, meta: dict) -> str:
    esc = html.escape
    rows = [("Bộ câu hỏi gold", meta.get("gold")), ("Số câu", report["n"]), ("Chế độ trả lời", meta.get("mode") or "auto"),
            ("Số đoạn trích (k)", meta.get("k")), ("Bộ nhúng", meta.get("embedder")), ("Ngày chạy", date.today().isoformat())]
    calibration = meta.get("calibration")
    if isinstance(calibration, dict):
        rows.append(("Ngưỡng từ chối tốt nhất", ", ".join(f"{k} = {_fmt(v)}" for k, v in calibration.items())))
    known = {"gold", "mode", "k", "embedder", "calibration"}
    rows += [(str(k), v if isinstance(v, (str, int, float)) else json.dumps(v, ensure_ascii=False))
             for k, v in meta.items() if k not in known]
    return "<dl>" + "".join(f"<dt>{esc(str(k))}</dt><dd>{esc(str(v))}</dd>" for k, v in rows) + "</dl>"


def _metrics_html(report: dict) -> str:
    esc = html.escape
    baseline = _baseline(report)
    head = "<th>nhóm</th><th>chỉ số</th><th>hoidap</th>"
    if baseline:
        head += f"<th>{esc(baseline[0])} (đối chứng)</th>"
    rows = []
    for group in GROUPS:
        for key, value in report[group].items():
            cells = f"<td>{esc(GROUP_NAMES.get(group, group))}</td><td><code>{esc(key)}</code></td><td>{_fmt(value)}</td>"
            if baseline:
                cells += f"<td>{_fmt(baseline[1].get(key)) if group == 'retrieval' else '—'}</td>"
            cells += f"<td>{esc(METRIC_HELP.get((group, key), ''))}</td>"
            rows.append(f"<tr>{cells}</tr>")
    return f"<table><tr>{head}<th>ý nghĩa</th></tr>{''.join(rows)}</table>"


def _categories_html(report: dict) -> str:
    categories = report.get("by_category", {})
    if not categories:
        return ""
    head = ("<tr><th>nhóm câu hỏi</th><th>n</th><th>doc_hit@5</th><th>evidence_hit@5</th><th>contains</th>"
            "<th>f1</th><th>citation hit</th><th>từ chối</th></tr>")
    rows = []
    for name, sub in categories.items():
        cells = [name, sub["n"], _fmt(sub["retrieval"]["doc_hit@5"]), _fmt(sub["retrieval"]["evidence_hit@5"]),
                 _fmt(sub["answer"]["contains"]), _fmt(sub["answer"]["f1"]), _fmt(sub["citation"]["hit"]),
                 _fmt(_refused(sub))]
        rows.append("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in cells) + "</tr>")
    return ("<table>" + head + "".join(rows) + "</table><p class=\"note\">Cột «từ chối»: với nhóm unanswerable là tỉ lệ "
            "từ chối đúng (cả nhóm held_out: bài bị giữ lại khi lập chỉ mục), với các nhóm khác là tỉ lệ từ chối sai.</p>")


def _yes_no(value: bool | None, none: str = "—") -> str:
    if value is None:
        return f'<span class="na">{none}</span>'
    return '<span class="ok">có</span>' if value else '<span class="miss">không</span>'


def _question_row(record, v: Verdict) -> str:
    esc = html.escape
    item, result = record.item, record.result
    cited = [c for c in result["citations"] if c.get("cited")] or (result["citations"][:1] if result["abstained"] else [])
    sources = "".join(
        f"<li>[{c['n']}] {esc(c['doc_id'])} — {esc(c['title'])}: «{esc((c.get('quote') or {}).get('text') or c['text'][:300])}»</li>"
        for c in cited)
    if v.right:
        outcome = '<span class="ok">đúng</span>'
    else:
        cause = v.cause or ""
        outcome = (f'<span class="miss">sai: {esc(MISS_NAMES.get(cause, cause))}</span>'
                   f'<br><small>({esc(cause)})</small>')
    short = esc(result.get("short_answer") or "")
    # Asked with a typo or without marks: the question as asked, and as the answerer understood it.
    asked = result.get("question") or item.question
    understood = result.get("rewritten_question")
    typed = (f"<br><small>hỏi: {esc(asked)}</small>" if asked != item.question else "") + (
        f"<br><small>hiểu là: {esc(understood)}</small>" if understood and understood not in (asked, item.question) else "")
    verdicts = (f"chứa đáp án: {_yes_no(v.contains, 'không áp dụng')}<br>"
                f"trả lời ngắn khớp: {_yes_no(v.short_match, 'không có' if item.answerable else 'không áp dụng')}")
    return (f'<tr class="{"missrow" if not v.right else ""}"><td>{esc(item.id)}<br><small>{esc(item.category)}</small></td>'
            f"<td>{esc(item.question)}{typed}</td><td>{esc(result['answer'])}"
            f"{f'<br>Trả lời ngắn: <b>{short}</b>' if short else ''}<ul>{sources}</ul></td>"
            f"<td>{esc(' | '.join(item.answers) or '(không có đáp án trong kho)')}<br>"
            f"<small>{esc(', '.join(item.doc_ids))}</small><br><small>{esc(item.evidence)}</small></td>"
            f"<td>{verdicts}</td><td>{outcome}</td></tr>")


CSS = """body{font-family:system-ui,sans-serif;margin:1.5rem;color:#1a202c;line-height:1.45}
table{border-collapse:collapse;width:100%;margin-bottom:1rem}td,th{border:1px solid #ccc;padding:4px;vertical-align:top;
font-size:13px;text-align:left}tr.missrow{background:#fff1f0}.miss{color:#a00;font-weight:bold}.ok{color:#065f12}
.na{color:#4a5568}dl{display:grid;grid-template-columns:max-content auto;gap:2px 12px}dt{font-weight:600}dd{margin:0}
code{background:#f1f5f9;padding:0 3px;border-radius:3px}.note{font-size:13px;color:#2d3748}"""


def write_reports(out: Path, report: dict, records, meta: dict) -> None:
    out.mkdir(parents=True, exist_ok=True)
    verdicts = [verdict(r) for r in records]
    questions = [{"id": r.item.id, "category": r.item.category, "answerable": r.item.answerable,
                  "confidence": r.result.get("confidence"), "abstained": r.result["abstained"], "miss": r.miss,
                  "contains": v.contains, "short_match": v.short_match, "right": v.right,
                  "short_answer": r.result.get("short_answer"), "latency_ms": round(r.latency_ms, 2)}
                 for r, v in zip(records, verdicts)]
    payload = {**report, "meta": meta, "questions": questions}
    (out / "report.json").write_text(json.dumps(payload, ensure_ascii=False, indent=1), encoding="utf-8")
    (out / "report.md").write_text(markdown_tables(report, meta) + "\n", encoding="utf-8")
    wrong = sum(1 for v in verdicts if not v.right)
    rows = "".join(_question_row(r, v) for r, v in zip(records, verdicts))
    baseline = _baseline(report)
    baseline_note = (f"<p class=\"note\">Cột «{html.escape(baseline[0])} (đối chứng)»: cùng câu hỏi, truy xuất bằng "
                     f"{html.escape(baseline[0])} thuần, để so sánh với truy xuất của hoidap.</p>" if baseline else "")
    page = f"""<!doctype html><html lang="vi"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Báo cáo đánh giá hoidap</title>
<style>{CSS}</style></head><body><main>
<h1>Báo cáo đánh giá</h1>{_meta_html(report, meta)}
<h2>Chỉ số</h2>{_metrics_html(report)}{baseline_note}
<h2>Theo nhóm câu hỏi</h2>{_categories_html(report)}{_chart(report)}
<h2>Từng câu hỏi ({wrong}/{len(records)} câu sai)</h2><p class="note">{html.escape(VERDICT_RULE)}</p>
<table><tr><th>id</th><th>Câu hỏi</th><th>Trả lời</th><th>Gold</th><th>Hai tiêu chí</th><th>Kết quả</th></tr>
{rows}</table></main></body></html>"""
    (out / "report.html").write_text(page, encoding="utf-8")


def _refused(sub: dict):
    """A category's refusals: of its unanswerable questions when it has them (unanswerable, held out),
    else of its answerable ones (false abstention)."""
    noans = sub["abstention"]["noans_accuracy"]
    return noans if noans is not None else sub["abstention"]["false_abstain_rate"]
