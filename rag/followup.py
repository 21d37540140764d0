"""Follow-up questions without an LLM: carry over the previous question's subject.

"Phường Phước Tân có bao nhiêu đảng viên?" then "Còn phường Tây Sơn thì sao?"
→ "Phường Tây Sơn có bao nhiêu đảng viên?": the new subject replaces the old
one when they share a head word (phường, xã, ông…); otherwise the new words
are added to the previous question.
"""

from __future__ import annotations

import re

from index.textnorm import fold

_FOLLOWUP = re.compile(
    r"^\s*(?:còn|thế còn|vậy còn|con|the con|vay con)\s+(?P<subject>.+?)\s*"
    r"(?:thì sao|thì thế nào|thì như thế nào|thì|thi sao|thi)?\s*\??\s*$",
    re.IGNORECASE,
)
_HEADS = ["thành phố", "thị xã", "thị trấn", "phường", "xã", "huyện", "quận", "tỉnh", "đồng chí", "ông", "bà",
          "hội nghị", "đảng bộ", "chi bộ"]
_CAPITALISED_RUN = r"[A-ZÀ-ỸĐ][\wÀ-ỹ]*(?:\s+[A-ZÀ-ỸĐ0-9][\wÀ-ỹ]*)*"


def is_followup(question: str) -> bool:
    return bool(_FOLLOWUP.match(question))


def rewrite_followup(history: list[tuple[str, str]], question: str) -> str:
    match = _FOLLOWUP.match(question)
    previous = next((q for q, _ in reversed(history or []) if q.strip()), None)
    if not match or previous is None:
        return question
    subject = match.group("subject").strip()
    folded_subject = fold(subject)
    for head in _HEADS:
        folded_head = fold(head)
        if folded_subject.startswith(folded_head + " "):
            pattern = re.compile(rf"\b{re.escape(head)}\s+{_CAPITALISED_RUN}", re.IGNORECASE)
            if pattern.search(previous):
                return pattern.sub(lambda m: _match_case(m.group(0), subject), previous, count=1)
    # No shared head: swap the previous question's capitalised subject for the new one.
    names = list(re.finditer(rf"(?<!^)\b{_CAPITALISED_RUN}", previous))
    if names:
        first = names[0]
        return previous[: first.start()] + subject + previous[first.end():]
    return f"{previous.rstrip(' ?')} {subject}?"


def _match_case(original: str, replacement: str) -> str:
    return replacement[0].upper() + replacement[1:] if original[:1].isupper() else replacement
