"""Follow-up questions without an LLM: carry over the previous question's subject.

"Phường Phước Tân có bao nhiêu đảng viên?" then "Còn phường Tây Sơn thì sao?"
→ "phường Tây Sơn có bao nhiêu đảng viên?": the new subject replaces the old
one when they share a head word (phường, xã, ông…); otherwise it replaces the
previous question's first proper name, or is added to the question.
"""

from __future__ import annotations

import re

from index.textnorm import fold
from rag.spans import capitalised_runs

_FOLLOWUP = re.compile(
    r"^\s*(?:còn|thế còn|vậy còn|con|the con|vay con)\s+(?P<subject>.+?)\s*"
    r"(?:thì sao|thì thế nào|thì như thế nào|thi sao|thi the nao)?\s*\??\s*$",
    re.IGNORECASE,
)
_HEADS = ["thành phố", "thị xã", "thị trấn", "phường", "xã", "huyện", "quận", "tỉnh", "đồng chí", "ông", "bà",
          "hội nghị", "đảng bộ", "chi bộ"]
_WORD = re.compile(r"\w+")


def rewrite_followup(history: list[tuple[str, str]], question: str) -> str:
    match = _FOLLOWUP.match(question)
    previous = next((q for q, _ in reversed(history or []) if q.strip()), None)
    if not match or previous is None:
        return question
    subject = match.group("subject").strip()
    head = next((h for h in _HEADS if fold(subject).startswith(fold(h) + " ")), None)
    if head:
        replaced = _replace_after_head(previous, head, subject)
        if replaced:
            return replaced
    runs = [r for r in capitalised_runs(previous, allow_digits=True) if r[0] > 0 or len(r[2]) > 1]
    if runs:
        start, end, _ = runs[0]
        return previous[:start] + subject + previous[end:]
    return f"{previous.rstrip(' ?')} {subject}?"


def _replace_after_head(previous: str, head: str, subject: str) -> str | None:
    """Replace "<head> <its name>" in the previous question by the new subject."""
    words = list(_WORD.finditer(previous))
    folded = [fold(w.group(0)) for w in words]
    head_words = fold(head).split()
    for i in range(len(words) - len(head_words)):
        if folded[i : i + len(head_words)] != head_words:
            continue
        after = words[i + len(head_words) :]
        # The old name: its capitalised words, or (typed without accents or capitals) as many words as the new one.
        name = [w for w in _leading_capitalised(after)] or after[: max(len(subject.split()) - len(head_words), 1)]
        if not name:
            return None
        return previous[: words[i].start()] + subject + previous[name[-1].end():]
    return None


def _leading_capitalised(words):
    for word in words:
        if not word.group(0)[:1].isupper():
            return
        yield word
