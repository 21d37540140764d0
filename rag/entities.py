"""Proper names a question is about ("Tây Sơn", "Nguyễn Duy An", "Quận 1"), without generic heads.

A passage from an article that never names them (another ward, another person)
is seldom the answer: the features measure how many of them each candidate has.
"""

from __future__ import annotations

from index.textnorm import fold
from rag.spans import capitalised_runs

# Words that open a capitalised run without naming anyone in particular.
_GENERIC_HEADS = set(fold(
    "Phường Xã Huyện Quận Tỉnh TP Đảng Ban Hội Đại Chủ Phó Bí Ủy Uỷ Thường Ai Năm Ngày Tháng Tại Trong Theo "
    "Bài Giữa Nửa Cả Còn Vậy Thế Những Các Một Người Đồng Ông Bà"
).split())


def question_entities(question: str) -> list[str]:
    entities = []
    for _, _, found in capitalised_runs(question, allow_digits=True):
        # Acronyms (UBND, HĐND) and heads (Phường, Chủ tịch) name kinds of bodies, not a particular one.
        while len(found) > 1 and (fold(found[0]) in _GENERIC_HEADS or found[0].isupper()) and not found[1].isdigit():
            found = found[1:]
        # One capitalised word is too often a title word or the sentence's first word to be trusted.
        if len(found) >= 2:
            entities.append(" ".join(found))
    return entities
