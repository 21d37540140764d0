"""Proper names a question is about ("Tây Sơn", "Nguyễn Duy An", "Quận 1"), without generic heads.

A passage from an article that never names them (another ward, another person)
is seldom the answer: the features measure how many of them each candidate has.
"""

from __future__ import annotations

from index.textnorm import fold, match_form
from rag.spans import capitalised_runs, is_surname

# Words that open a capitalised run without naming anyone in particular.
_GENERIC_HEADS = set(fold(
    "Phường Xã Huyện Quận Tỉnh TP Đảng Ban Hội Đại Chủ Phó Bí Ủy Uỷ Thường Ai Năm Ngày Tháng Tại Trong Theo "
    "Bài Giữa Nửa Cả Còn Vậy Thế Những Các Một Người Đồng Ông Bà"
).split())


# How people are addressed before their name ("Chị Liên", "Anh Hứa Vĩnh Phúc"): not part of it. "Anh" also opens
# a country ("Anh Quốc"): only before a family name. Compared with their marks ("Cháu" is no "Châu Âu").
_ADDRESS = {"chị", "em", "cô", "chú", "bác", "cháu", "bé", "cụ"}


def question_entities(question: str) -> list[str]:
    entities = []
    for _, _, found in capitalised_runs(question, allow_digits=True):
        address = match_form(found[0])
        if len(found) > 2 and (address in _ADDRESS or (address == "anh" and is_surname(found[1]))):
            entities.append(" ".join(found[1:]))  # the name after its address word (a given name alone is not
            continue  # trusted: folded, "Liên" is in "liên quan")
        # Acronyms (UBND, HĐND) and heads (Phường, Chủ tịch) name kinds of bodies, not a particular one.
        while len(found) > 1 and (fold(found[0]) in _GENERIC_HEADS or found[0].isupper()) and not found[1].isdigit():
            found = found[1:]
        # One capitalised word is too often a title word or the sentence's first word to be trusted.
        if len(found) >= 2:
            entities.append(" ".join(found))
    return entities
