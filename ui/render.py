"""HTML for the chat page: answers with [n] links, and the sources panel.

Every piece of text that came from an article, a question or the model goes
through ``esc`` before it meets markup; the only tags in the output are the
ones written here. Chat messages are emitted as one HTML block without blank
lines, so the chatbot's Markdown renderer leaves them alone; Markdown marks in
article text (``**``, ``#``, ``- ``) are removed for display by ``ui.plaintext``.
"""

from __future__ import annotations

import html
import re

from rag.result import SHORT_ANSWER_LINE, AnswerResult, Citation
from rag.retrieval import Filters
from ui.plaintext import plain, plain_text

MARKER = re.compile(r"\[(\d{1,3}(?:\s*[,;]\s*\d{1,3})*)\]")


def esc(text: str | None) -> str:
    """HTML-escaped, newlines as <br>, and no '$' left for a math renderer to pick up."""
    escaped = html.escape(text or "", quote=True).replace("$", "&#36;")
    return escaped.replace("\r\n", "\n").replace("\n", "<br>")


def vn_date(iso: str | None) -> str:
    if not iso:
        return "không rõ ngày"
    parts = iso.split("-")
    return f"{parts[2]}/{parts[1]}/{parts[0]}" if len(parts) == 3 else iso


def anchor(turn: int, n: int) -> str:
    return f"nguon-{turn}-{n}"


def linkify(text: str, known: set[int], turn: int) -> str:
    """Escape ``text`` and turn each [n] naming a known citation into a link to its source."""
    out, last = [], 0
    for m in MARKER.finditer(text):
        numbers = [int(x) for x in re.split(r"\s*[,;]\s*", m.group(1))]
        if not all(n in known for n in numbers):
            continue
        out.append(esc(plain_text(text[last:m.start()])))
        links = "".join(
            f'<a class="hd-ref" href="#{anchor(turn, n)}" '
            f'title="Xem nguồn [{n}]" aria-label="Xem nguồn {n}">[{n}]</a>' for n in numbers)
        out.append(links)
        last = m.end()
    out.append(esc(plain_text(text[last:])))
    return "".join(out)


def question_html(question: str) -> str:
    return f'<div class="hd-question">{esc(question)}</div>'


def pending_html(text: str = "") -> str:
    """While tokens arrive: the text so far and a typing hint."""
    body = esc(text) if text else '<span class="hd-muted">Đang tìm trong các bài viết…</span>'
    return f'<div class="hd-answer hd-pending">{body}<span class="hd-cursor">▍</span></div>'


def error_html(message: str) -> str:
    return (f'<div class="hd-error" role="alert"><span class="hd-icon" aria-hidden="true">⚠</span>'
            f'<div><strong>Không trả lời được.</strong> {esc(message)}</div></div>')


def answer_anchor(turn: int) -> str:
    return f"traloi-{turn}"


def filters_text(filters: Filters | None) -> str:
    """The active filters in words ('' when nothing is filtered); plain text."""
    if filters is None:
        return ""
    parts = []
    if filters.doc_ids:
        parts.append(f"chỉ trong {len(filters.doc_ids)} bài đã chọn")
    if filters.date_from:
        parts.append(f"từ ngày {vn_date(filters.date_from)}")
    if filters.date_to:
        parts.append(f"đến ngày {vn_date(filters.date_to)}")
    return ", ".join(parts)


REFUSAL_TEXT = {
    # (headline, what to do next)
    "no_match": ("Không tìm thấy đoạn nào liên quan đến câu hỏi trong các bài viết.",
                 "Hãy thử hỏi lại bằng từ khác, nêu rõ tên riêng, địa danh hoặc con số cần tìm."),
    "no_answer": ("Có đoạn liên quan nhưng không đoạn nào trả lời được câu hỏi này.",
                  "Hãy hỏi cụ thể hơn hoặc diễn đạt khác; có thể các bài viết không nói tới điều này."),
    None: ("Chưa tìm được câu trả lời đủ căn cứ trong các bài viết.",
           "Hãy thử hỏi lại bằng từ khác hoặc cụ thể hơn."),
}


SOURCES_NOTE = {
    "no_match": "Không có đoạn nào liên quan; đây là các đoạn gần nhất theo từ ngữ.",
    "no_answer": "Các đoạn liên quan tìm được; không đoạn nào trả lời câu hỏi.",
    None: "Không đủ căn cứ để trả lời; đây là các đoạn gần nhất tìm được.",
}


def refusal_html(result: AnswerResult, turn: int, filters: Filters | None = None) -> str:
    """Why nothing was answered (its reason, not a claim about the articles), what to try next,
    and the filters that narrowed the search."""
    reason = result.refusal_reason if result.refusal_reason in REFUSAL_TEXT else None
    headline, hint = REFUSAL_TEXT[reason]
    lines = [f'<strong>{esc(headline)}</strong>', f'<p>{esc(hint)}</p>']
    if result.mode == "llm" and result.answer:  # the model's own words may say what is missing
        lines.append(f'<p class="hd-muted">Mô hình trả lời: «{esc(plain_text(result.answer))}»</p>')
    active = filters_text(filters)
    if active:
        lines.append(f'<p class="hd-filters-note">Đang lọc: {esc(active)}. Bỏ bộ lọc để tìm trong toàn bộ kho.</p>')
    if result.citations:
        which = "liên quan" if reason == "no_answer" else "gần nhất"
        lines.append(f'<p class="hd-muted">Các đoạn {which} ở khung «Nguồn» (lượt {turn}).</p>')
    return ('<div class="hd-refusal" role="note"><span class="hd-icon" aria-hidden="true">∅</span><div>'
            + "".join(lines) + "</div></div>")


def answer_html(result: AnswerResult, turn: int, filters: Filters | None = None) -> str:
    known = {c.n for c in result.citations}
    parts = [f'<div class="hd-turn-anchor" id="{answer_anchor(turn)}"></div>']
    if result.rewritten_question:
        parts.append(f'<div class="hd-rewritten">Câu hỏi được hiểu là: «{esc(result.rewritten_question)}»</div>')
    if result.abstained:
        parts.append(refusal_html(result, turn, filters))
    else:
        parts.append(f'<div class="hd-answer">{linkify(result.answer, known, turn)}</div>')
        if result.short_answer:
            parts.append(f'<div class="hd-short">{SHORT_ANSWER_LINE} <strong>{esc(plain_text(result.short_answer))}</strong></div>')
        active = filters_text(filters)
        if active:
            parts.append(f'<div class="hd-filters-note">Đang lọc: {esc(active)}.</div>')
    for item in result.unsupported:
        missing = f"không thấy trong nguồn: {esc(', '.join(item.missing))}" if item.missing else ""
        why = "; ".join(x for x in (esc(item.reason), missing) if x)
        why = f' <span class="hd-muted">({why})</span>' if why else ""
        parts.append(f'<div class="hd-unsupported" role="alert"><span class="hd-icon" aria-hidden="true">⚠</span>'
                     f'<div><strong>Chưa được nguồn xác nhận:</strong> «{esc(plain_text(item.sentence))}»{why}</div></div>')
    for warning in result.warnings:
        parts.append(f'<div class="hd-warning"><span class="hd-icon" aria-hidden="true">ℹ</span>'
                     f'<div>{esc(warning)}</div></div>')
    mode = "mô hình ngôn ngữ" if result.mode == "llm" else "trích xuất"
    total = result.timings_ms.total
    took = f"{total:.0f} ms" if total < 1000 else f"{total / 1000:.1f} giây"
    # Our own copy link: the chatbot's copy button would copy this HTML, not the answer.
    parts.append(f'<div class="hd-foot">Chế độ {mode} · {took} · '
                 '<a class="hd-copy" href="#" role="button" title="Sao chép câu trả lời kèm nguồn">Sao chép</a></div>')
    return "".join(parts)


def _relative(span, citation: Citation) -> tuple[int, int] | None:
    if span is None:
        return None
    start, end = span.start - citation.start, span.end - citation.start
    length = len(citation.text)
    if end <= 0 or start >= length:
        return None
    return max(0, start), min(length, end)


def _with_strong(text: str, span: tuple[int, int] | None, offset: int) -> str:
    """Escape ``text`` (which starts at ``offset`` in the passage), bolding the part inside ``span``."""
    if span is None:
        return esc(text)
    a, b = max(0, span[0] - offset), min(len(text), span[1] - offset)
    if a >= b:
        return esc(text)
    return f"{esc(text[:a])}<strong>{esc(text[a:b])}</strong>{esc(text[b:])}"


def passage_html(citation: Citation) -> str:
    """The passage, without Markdown marks, with each quoted sentence in a <mark> and the short
    answer in <strong>."""
    text, offsets = plain(citation.text)

    def mapped(span):
        relative = _relative(span, citation)
        return None if relative is None else (offsets[relative[0]], offsets[relative[1]])

    quote = mapped(citation.quote)
    short = mapped(citation.answer_span)
    if quote is None:
        body = _with_strong(text, short, 0)
        if citation.quote is not None:  # the sentence lies outside this passage: show it first
            body = f'<mark class="hd-quote">{esc(plain_text(citation.quote.text))}</mark><br>…<br>{body}'
        return body
    marks = sorted([quote] + [m for m in map(mapped, citation.more_quotes) if m is not None])
    parts, at = [], 0
    for qs, qe in marks:  # the quoted sentences of this passage, each in its <mark>
        qs = max(qs, at)
        if qs >= qe:
            continue
        parts.append(_with_strong(text[at:qs], short, at))
        parts.append(f'<mark class="hd-quote">{_with_strong(text[qs:qe], short, qs)}</mark>')
        at = qe
    return "".join(parts) + _with_strong(text[at:], short, at)


def source_html(citation: Citation, turn: int) -> str:
    return (
        f'<section class="hd-source{" hd-cited" if citation.cited else ""}" id="{anchor(turn, citation.n)}">'
        f'<div class="hd-source-head"><span class="hd-n">[{citation.n}]</span> '
        f'<span class="hd-title">{esc(plain_text(citation.title)) or "(không có tiêu đề)"}</span></div>'
        f'<div class="hd-meta">{esc(vn_date(citation.date))} · mã bài {esc(citation.doc_id)} · '
        f'ký tự {citation.start}–{citation.end}</div>'
        f'<blockquote class="hd-passage">{passage_html(citation)}</blockquote>'
        f'<a class="hd-back" href="#{answer_anchor(turn)}">↑ Về câu trả lời (lượt {turn})</a></section>'
    )


def turn_sources_html(turn: int, question: str, result: AnswerResult | None, latest: bool) -> str:
    understood = (f' <span class="hd-muted">(hiểu là «{esc(result.rewritten_question)}»)</span>'
                  if result is not None and result.rewritten_question else "")
    head = f'<summary>Lượt {turn}: «{esc(question)}»{understood}</summary>'
    if result is None:
        return f'<details class="hd-turn"{" open" if latest else ""}>{head}<p class="hd-muted">Không có nguồn.</p></details>'
    if result.abstained:
        shown, rest = result.citations, []
        note = '<p class="hd-note">' + esc(SOURCES_NOTE.get(result.refusal_reason, SOURCES_NOTE[None])) + "</p>"
    else:
        shown = [c for c in result.citations if c.cited]
        rest = [c for c in result.citations if not c.cited]
        note = "" if shown else '<p class="hd-muted">Câu trả lời không trích dẫn đoạn nào.</p>'
    body = note + "".join(source_html(c, turn) for c in shown)
    if rest:
        body += (f'<details class="hd-more"><summary>Các đoạn khác đã tìm thấy ({len(rest)})</summary>'
                 + "".join(source_html(c, turn) for c in rest) + "</details>")
    return f'<details class="hd-turn" id="luot-{turn}"{" open" if latest else ""}>{head}{body}</details>'


def sources_panel_html(turns: list[dict]) -> str:
    """All turns' sources, newest first and open, so a [n] in an older answer still has a target."""
    if not turns:
        return ('<div class="hd-sources-empty">Nguồn trích dẫn của mỗi câu trả lời sẽ hiện ở đây: tiêu đề, ngày '
                'và đoạn văn, với câu được trích <mark class="hd-quote">tô sáng</mark>.</div>')
    blocks = []
    for i, turn in enumerate(reversed(turns)):
        result = AnswerResult.model_validate(turn["result"]) if turn.get("result") else None
        blocks.append(turn_sources_html(turn["turn"], turn["question"], result, latest=(i == 0)))
    return '<div class="hd-sources">' + "".join(blocks) + "</div>"
