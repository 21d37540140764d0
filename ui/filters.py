"""Turn what people type in filter boxes into ``rag.retrieval.Filters``.

Civil servants write dates as dd/mm/yyyy; the API documents ISO. Both are
accepted everywhere so the page, the widget and the API behave the same.
"""

from __future__ import annotations

import re
from datetime import date

from index.errors import HoidapError
from rag.retrieval import Filters

_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_VN = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")


class FilterError(HoidapError):
    """A filter the user typed cannot be understood."""


def parse_date(text: str | None, label: str) -> str | None:
    """ISO ``YYYY-MM-DD`` from ISO or dd/mm/yyyy; None for an empty box."""
    text = (text or "").strip()
    if not text:
        return None
    if m := _ISO.match(text):
        y, mo, d = (int(g) for g in m.groups())
    elif m := _VN.match(text):
        d, mo, y = (int(g) for g in m.groups())
    else:
        raise FilterError(f"Ngày «{text[:40]}» ở ô {label} không hợp lệ: hãy viết dd/mm/yyyy hoặc yyyy-mm-dd.")
    try:
        return date(y, mo, d).isoformat()
    except ValueError:
        raise FilterError(f"Ngày «{text[:40]}» ở ô {label} không tồn tại.") from None


def build_filters(doc_ids: list[str] | None, date_from: str | None, date_to: str | None,
                  known_doc_ids: list[str] | None = None) -> Filters | None:
    """Filters, or None when nothing is filtered; unknown article ids are an error rather
    than a silently empty search."""
    doc_ids = [d for d in (doc_ids or []) if d]
    if doc_ids and known_doc_ids is not None:
        unknown = sorted(set(doc_ids) - set(known_doc_ids))
        if unknown:
            shown = ", ".join(u[:60] for u in unknown[:3])
            raise FilterError(f"Không có bài viết nào mang mã {shown} trong chỉ mục.")
    start = parse_date(date_from, "«Từ ngày»")
    end = parse_date(date_to, "«Đến ngày»")
    if start and end and start > end:
        raise FilterError("Khoảng ngày không hợp lệ: «Từ ngày» phải trước hoặc bằng «Đến ngày».")
    if not doc_ids and not start and not end:
        return None
    return Filters(doc_ids=doc_ids or None, date_from=start, date_to=end)
