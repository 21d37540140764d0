"""What a paragraph of a scraped article is: page chrome, heading, date or byline.

All decisions are taken on ``match_form`` so that tone-mark variants, curly
quotes and dashes do not matter. Every pattern matches a whole (short) line:
an article sentence is never mistaken for chrome just because it contains a
word like "chia sẻ".
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import date
from itertools import islice

from index.chunking import split_sentences
from index.textnorm import match_form

# --- page chrome: one place for every pattern ---------------------------------

CHROME_MAX_CHARS = 160  # longer lines are article text, whatever they contain

CHROME_LABELS = {
    "tin khác", "các tin khác", "tin liên quan", "các tin liên quan", "tin tức liên quan",
    "các tin tức liên quan", "bài liên quan", "bài viết liên quan", "các bài viết liên quan",
    "tin cùng chuyên mục", "xem thêm", "chia sẻ", "chia sẻ bài viết", "in bài", "in bài viết",
    "bản in", "gửi bài", "lưu bài", "bình luận", "ý kiến bạn đọc", "phản hồi", "quay lại",
    "trở về", "về đầu trang", "lên đầu trang", "đầu trang", "share", "tweet", "print", "email",
    "facebook", "zalo", "twitter",
}
CHROME_PATTERNS = [
    # visitor counters: "Trực tuyến: 145", "Hôm nay: 1326"
    re.compile(
        r"(?:đang )?(?:trực tuyến|truy cập|online|hôm nay|hôm qua|tuần này|tháng này|tất cả"
        r"|tổng(?: số)?(?: lượt)? truy cập|lượt truy cập)\s*:?\s*[\d.,]+"
    ),
    re.compile(r"\d+"),  # page numbers, comment counts
    re.compile(r"(?:lượt xem|lượt đọc)\s*:?\s*[\d.,]+|[\d.,]+\s*(?:lượt xem|lượt đọc|bình luận)"),
    re.compile(r"trang chủ\s*[>»/|›].*"),  # breadcrumbs
]

# --- dates ----------------------------------------------------------------------

_FULL_DATE_RES = [  # each yields (day, month, year) groups, in this order
    re.compile(r"(?<![\d.,/-])(\d{1,2})([/.-])(\d{1,2})\2(\d{4})(?!\d)"),
    re.compile(r"ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4})"),
]
_ISO_DATE_RE = re.compile(r"(?<!\d)(\d{4})-(\d{1,2})-(\d{1,2})(?!\d)")
_TIME_OF_DAY = r"(?:rạng sáng|sáng|trưa|chiều|tối|đêm|hôm|ngày)"
_DAY_MONTH_RES = [
    re.compile(_TIME_OF_DAY + r"\s+(?:nay\s+|qua\s+)?(?:ngày\s+)?(\d{1,2})[/-](\d{1,2})(?![\d/-])"),
    re.compile(r"ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})(?!\s*năm)"),
]
_YEAR_RE = re.compile(r"(?<![\d.,])(199\d|20\d\d)(?![\d]|[.,]\d)")
_TIME_RE = re.compile(r"\d{1,2}[:h]\d{2}(?::\d{2})?(?:\s*(?:am|pm|sa|ch))?")
# What may surround a date in a header line besides the date itself.
_DATE_LINE_NOISE_RE = re.compile(
    r"\(?gmt\s*[+-]?\s*\d*\)?|thứ (?:hai|ba|tư|năm|sáu|bảy|[2-7])|chủ nhật"
    r"|cập nhật|ngày đăng|đăng ngày|đăng lúc|xuất bản|thời gian|ngày|lúc"
    r"|[\d.,]+\s*lượt xem|lượt xem\s*:?\s*[\d.,]+"
)

# --- headings and bylines ---------------------------------------------------------

TITLE_MAX_CHARS = 200
LEAD_DATE_CHARS = 300  # the event date opens the lead: "Chiều 7-1, …", "Ngày 31/12/2020, …"
FALLBACK_TITLE_CHARS = 120
_LABEL_MAX_WORDS = 6
_BYLINE_MAX_WORDS = 8
_INITIALS_RE = re.compile(r"(?:[^\W\d_]{1,3}\.)+[^\W\d_]{0,3}\.?")
_EDGE_PUNCT_RE = re.compile(r"^[\W_]+|[\W_]+$")
# "Tin, ảnh: Hà Vân", "Bài và ảnh: …", "Theo TTXVN", "Nguồn: …" credit the name that follows.
_CREDIT_RE = re.compile(
    r"(?:(?:tin|bài|ảnh|video)(?:\s*(?:,|và|&|-)\s*(?:tin|bài|ảnh|video))*\s*:|theo\b|nguồn\s*:)\s*", re.IGNORECASE
)


def _label(paragraph: str) -> str:
    return " ".join(_EDGE_PUNCT_RE.sub("", match_form(paragraph)).split())


def is_date_line(paragraph: str) -> bool:
    """A line that only states when the page was published (and maybe its view count)."""
    if len(paragraph) > CHROME_MAX_CHARS:
        return False
    text = match_form(paragraph)
    found = False
    for pattern in (*_FULL_DATE_RES, _ISO_DATE_RE, _TIME_RE):
        text, n = pattern.subn(" ", text)
        found = found or n > 0
    residue = re.sub(r"[\W_]+", "", _DATE_LINE_NOISE_RE.sub(" ", text))
    return found and not residue


def is_chrome(paragraph: str) -> bool:
    """Site furniture: counters, related-news labels, share buttons, lone numbers, date lines."""
    if len(paragraph) > CHROME_MAX_CHARS:
        return False
    label = _label(paragraph)
    if not label or label in CHROME_LABELS:
        return True
    return any(p.fullmatch(label) for p in CHROME_PATTERNS) or is_date_line(paragraph)


def _as_paragraphs(text_or_paragraphs: str | list[str]) -> list[str]:
    if isinstance(text_or_paragraphs, str):
        lines = text_or_paragraphs.split("\n")
    else:
        lines = [line for p in text_or_paragraphs for line in p.split("\n")]
    return [line.strip() for line in lines if line.strip()]


def _is_title_like(paragraph: str) -> bool:
    words = paragraph.split()
    return (
        2 <= len(words)
        and len(paragraph) <= TITLE_MAX_CHARS
        and not paragraph.endswith((".", ",", ";", ":"))
        and (paragraph[0].isupper() or paragraph[0].isdigit() or paragraph[0] in "\"“'‘")
    )


def find_title(paragraphs: list[str]) -> tuple[str, int | None]:
    """The heading and its index among ``paragraphs``; index None for a title made from the lead.

    Two heading-like lines in a row are a section label and the real heading
    when the first is short and the second longer ("Hoạt động của xã phường"
    above the article's own title).
    """
    content = list(islice(((i, p) for i, p in enumerate(paragraphs) if not is_chrome(p)), 2))
    if not content:
        return "", None
    first_index, first = content[0]
    if _is_title_like(first):
        if len(content) > 1:
            second_index, second = content[1]
            n_first, n_second = len(first.split()), len(second.split())
            if _is_title_like(second) and n_first <= _LABEL_MAX_WORDS and n_second >= 5 and n_second > n_first:
                return second, second_index
        return first, first_index
    return _title_from_lead(first), None


def extract_title(paragraphs: list[str]) -> str:
    return find_title(_as_paragraphs(paragraphs))[0]


def _title_from_lead(lead: str) -> str:
    lead = lead[: FALLBACK_TITLE_CHARS * 4]  # the first sentence is all that is needed
    spans = split_sentences(lead)
    sentence = lead[spans[0][0] : spans[0][1]] if spans else lead
    sentence = sentence.rstrip(".")
    if len(sentence) <= FALLBACK_TITLE_CHARS:
        return sentence
    cut = sentence[: FALLBACK_TITLE_CHARS + 1].rsplit(" ", 1)[0] if " " in sentence else sentence
    return cut[:FALLBACK_TITLE_CHARS].rstrip(" ,;:-–") + "…"


def _valid(day: int, month: int, year: int) -> str | None:
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


def first_full_date(text: str) -> str | None:
    """The earliest valid day/month/year (or ISO) date written in ``text``."""
    form = match_form(text)
    found: list[tuple[int, str]] = []
    for pattern in _FULL_DATE_RES:
        for m in pattern.finditer(form):
            day, month, year = (int(g) for g in m.groups() if g and g.isdigit())
            if iso := _valid(day, month, year):
                found.append((m.start(), iso))
    for m in _ISO_DATE_RE.finditer(form):
        if iso := _valid(int(m.group(3)), int(m.group(2)), int(m.group(1))):
            found.append((m.start(), iso))
    return min(found)[1] if found else None


def infer_year(text: str) -> int | None:
    """The year the article talks about most (ties → the latest)."""
    counts = Counter(int(y) for y in _YEAR_RE.findall(text))
    if not counts:
        return None
    return max(counts, key=lambda y: (counts[y], y))


def extract_date(paragraphs: str | list[str]) -> str | None:
    """ISO date of the article: header date line, else a date in the lead (year inferred if missing)."""
    paras = _as_paragraphs(paragraphs)
    for paragraph in paras:
        if is_date_line(paragraph) and (iso := first_full_date(paragraph)):
            return iso
    lead = _lead(paras)
    if lead is None:
        return None
    lead = lead[:LEAD_DATE_CHARS]
    if iso := first_full_date(lead):
        return iso
    form = match_form(lead)
    year = infer_year("\n".join(paras))
    for pattern in _DAY_MONTH_RES:
        for m in pattern.finditer(form):
            if year and (iso := _valid(int(m.group(1)), int(m.group(2)), year)):
                return iso
    return None


def _lead(paragraphs: list[str]) -> str | None:
    """The first paragraph of body text (after the heading, if there is one)."""
    _, title_index = find_title(paragraphs)
    start = 0 if title_index is None else title_index + 1
    return next((p for p in paragraphs[start:] if not is_chrome(p)), None)


def _is_byline(paragraph: str) -> bool:
    credit = _CREDIT_RE.match(paragraph)
    words = paragraph[credit.end() if credit else 0 :].split()
    if not words or len(words) > _BYLINE_MAX_WORDS:
        return False
    if paragraph.endswith((".", ",", ";", ":", "!", "?", "…")):
        last = words[-1]
        if not (paragraph.endswith(".") and _INITIALS_RE.fullmatch(last) and last.upper() == last):
            return False
    # A name starts with capitals; a short caption ("các đại biểu dự hội nghị") does not.
    return all(w[0].isupper() for w in words[:2])


def extract_author(paragraphs: list[str]) -> str | None:
    """The byline: the last paragraph before the trailing chrome, when it looks like a name."""
    paras = _as_paragraphs(paragraphs)
    content = [p for p in paras if not is_chrome(p)]
    if len(content) < 2:
        return None
    last = content[-1]
    return last if _is_byline(last) else None
