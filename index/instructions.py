"""Article text that reads as instructions to an assistant ("bỏ qua mọi chỉ dẫn…", "ignore previous
instructions"): found at index time so the administrator is warned (and `hoidap info` lists it).

Such text is never obeyed — article text is always data, quoted inside numbered passages in the LLM
prompt — but a planted article is a sign someone tries, and the administrator should know which file.
Matching is on accent-folded text, so "bo qua moi chi dan" is caught like "Bỏ qua mọi chỉ dẫn".
"""

from __future__ import annotations

import re

from index.textnorm import fold

_ALL = r"(?:moi|tat ca(?: cac| nhung)?|toan bo(?: cac)?|het|het thay)"
_SOME = r"(?:cac|nhung)"
_IGNORE = (r"\b(?:bo qua|phot lo|lo di|quen|quen di|dung lam theo|dung tuan theo|"
           r"khong (?:can )?(?:tuan theo|lam theo))")
_ORDERS = r"(?:chi dan|huong dan|chi thi|menh lenh|lenh|yeu cau|quy tac|loi nhac|nguyen tac)"
_BEFORE = r"(?:truoc|truoc do|truoc day|o tren|phia tren|ben tren|ban dau|da cho|cua he thong|he thong)"
_PATTERNS = [
    # "bỏ qua mọi chỉ dẫn", "quên tất cả hướng dẫn", "đừng làm theo các chỉ thị ở trên" — but not
    # "người dân bỏ qua các hướng dẫn phòng dịch" (news about people ignoring guidance)
    re.compile(rf"{_IGNORE}\s+{_ALL}\s+{_ORDERS}"),
    re.compile(rf"{_IGNORE}\s+(?:{_SOME}\s+)?{_ORDERS}\s+{_BEFORE}\b"),
    re.compile(rf"\b(?:lenh|chi dan|huong dan|loi nhac) he thong\b"),
    re.compile(r"\b(?:gui|hoi|thua|nay) (?:tro ly|mo hinh ngon ngu|chatbot|ai)\b"),
    re.compile(r"\btra loi\b.{0,40}\bcho (?:moi|tat ca(?: cac)?) cau hoi\b"),
    re.compile(r"\b(?:ignore|disregard|forget|override)\s+(?:(?:all|any|the|your|every|previous|prior|above|earlier|"
               r"preceding)\s+)*(?:instructions?|prompts?|directions?|rules|guidelines)\b"),
    re.compile(r"\bsystem prompt\b|\byou are now (?:an?|the|my)\b|\bnew instructions?:"),
]
MAX_QUOTE = 120


def find_instructions(text: str) -> list[str]:
    """The sentences of ``text`` that read as instructions to an assistant (clipped), in order."""
    found: list[str] = []
    # Folding the whole text once rules out almost every article (a sentence's match is a match in
    # the whole text: sentences are split at white space, which folding keeps).
    whole = fold(text or "")
    if not any(pattern.search(whole) for pattern in _PATTERNS):
        return found
    for sentence in re.split(r"(?<=[.!?…])\s+|\n+", text or ""):
        folded = fold(sentence)
        if any(pattern.search(folded) for pattern in _PATTERNS):
            clipped = " ".join(sentence.split())
            found.append(clipped if len(clipped) <= MAX_QUOTE else clipped[: MAX_QUOTE - 1] + "…")
    return found


def looks_like_instructions(text: str) -> bool:
    return bool(find_instructions(text))


def flagged_articles(data_dir, manifest) -> dict[str, list[str]]:
    """doc_id → its instruction-like sentences, for every indexed article that has some (read from the
    per-article caches of ``manifest``; an unreadable cache is left out, `hoidap index` reports it)."""
    from pathlib import Path

    from index.article_cache import read_cached

    flagged: dict[str, list[str]] = {}
    for doc_id, entry in manifest.articles.items():
        try:
            article, _ = read_cached(Path(data_dir) / entry.cache_file)
        except (OSError, ValueError, KeyError, TypeError):
            continue
        found = find_instructions(article.text)
        if found:
            flagged[doc_id] = found
    return flagged
