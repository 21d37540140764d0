"""/docs without a CDN: FastAPI's Swagger UI loads its JS and CSS from jsdelivr, which an
offline intranet cannot reach, so this renders the OpenAPI schema server-side as
one self-contained HTML page (the schema itself stays at /openapi.json)."""

from __future__ import annotations

import html
import json

STYLE = """
body { font: 15px/1.5 system-ui, "Segoe UI", Roboto, Arial, sans-serif; max-width: 60rem; margin: 2rem auto;
       padding: 0 1rem; color: #1f2937; }
h1 { margin-bottom: 0.2rem; } code, pre { font-family: ui-monospace, Consolas, monospace; }
pre { background: #f3f4f6; padding: 0.7rem; border-radius: 6px; overflow-x: auto; font-size: 13px; }
.ep { border: 1px solid #d1d5db; border-radius: 8px; padding: 0.6rem 0.9rem; margin: 0.8rem 0; }
.m { display: inline-block; min-width: 3.5rem; font-weight: 700; color: #fff; border-radius: 4px;
     text-align: center; margin-right: 0.5rem; } .GET { background: #2563eb; } .POST { background: #16a34a; }
details summary { cursor: pointer; }
"""

INTRO = """
<p>Mọi câu trả lời là đối tượng <code>AnswerResult</code> (xem lược đồ bên dưới). Lỗi luôn là
<code>{"detail": "một câu tiếng Việt"}</code> với mã 4xx/5xx. Khi máy chủ bật mã truy cập, gửi
<code>Authorization: Bearer &lt;mã&gt;</code>.</p>
<p><b>Trả lời từng phần</b> (<code>POST /api/ask/stream</code>): NDJSON (<code>application/x-ndjson</code>),
mỗi dòng một đối tượng JSON: <code>{"type":"token","text":…}</code> (nối thêm vào câu trả lời),
<code>{"type":"reset","text":…}</code> (xoá phần đã hiện, text nói lý do),
<code>{"type":"result","result":{…}}</code> (kết quả cuối, giống <code>/api/ask</code>),
<code>{"type":"error","detail":…}</code> (lỗi sau khi đã bắt đầu gửi).</p>
<pre>curl -s http://127.0.0.1:7860/api/ask -H 'Content-Type: application/json' \\
  -d '{"question": "Phường Phước Tân có bao nhiêu đảng viên?"}'

curl -sN http://127.0.0.1:7860/api/ask/stream -H 'Content-Type: application/json' \\
  -d '{"question": "Phường Phước Tân có bao nhiêu đảng viên?", "filters": {"date_from": "01/01/2021"}}'</pre>
<p>Nhúng vào trang nội bộ: <code>&lt;script src="http://máy-chủ:7860/widget.js"&gt;&lt;/script&gt;</code>
hoặc <code>&lt;iframe src="http://máy-chủ:7860/embed"&gt;&lt;/iframe&gt;</code>; ví dụ ở <a href="example">/example</a>.
Lược đồ máy đọc được: <a href="openapi.json">/openapi.json</a>.</p>
"""


def _e(text) -> str:
    return html.escape(str(text), quote=True)


def docs_html(schema: dict) -> str:
    parts = [f"<!doctype html><html lang='vi'><head><meta charset='utf-8'><title>API Hỏi đáp</title>"
             f"<style>{STYLE}</style></head><body><h1>API Hỏi đáp</h1>"
             f"<p>Phiên bản {_e(schema.get('info', {}).get('version', ''))}</p>{INTRO}<h2>Các điểm cuối</h2>"]
    for path, ops in schema.get("paths", {}).items():
        for method, op in ops.items():
            body = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
            parts.append(f"<div class='ep'><span class='m {_e(method.upper())}'>{_e(method.upper())}</span>"
                         f"<code>{_e(path)}</code> — {_e(op.get('summary', ''))}")
            if body:
                parts.append(f"<details><summary>Thân yêu cầu</summary><pre>{_e(json.dumps(body, ensure_ascii=False))}"
                             "</pre></details>")
            parts.append("</div>")
    schemas = schema.get("components", {}).get("schemas", {})
    parts.append("<h2>Lược đồ</h2>")
    for name, item in schemas.items():
        parts.append(f"<details><summary><code>{_e(name)}</code></summary>"
                     f"<pre>{_e(json.dumps(item, ensure_ascii=False, indent=1))}</pre></details>")
    parts.append("</body></html>")
    return "".join(parts)
