"""Who holds the title asked: people listed each with their titles.

Local-government news lists who attended as a roster — "Tham dự có các đồng chí: Nguyễn Duy An, Ủy viên Ban
Thường vụ Quận ủy, Chủ tịch HĐND Quận 1; Hứa Vĩnh Phúc, Phó Chủ tịch …; Phạm Xuân Khánh, Bí thư Đảng ủy
phường; …" — and each title belongs to the name it follows (or, without a comma, precedes: "đồng chí Bí thư
Huyện ủy Lê Ngọc Anh"). The span ranker reads closeness, and the name closest after "Chủ tịch HĐND Quận 1"
is the next person's. A question asking who holds a title ("Ai là Chủ tịch HĐND Quận 1?") is answered by the
person whose own stretch of the roster says it; "Phó Chủ tịch …" is another title than "Chủ tịch …". And a
question naming one person of the roster and asking their title is answered by the words set off after the name.
"""

from __future__ import annotations

import re

from index.textnorm import folded_tokens
from rag.question import QuestionAnalysis, function_word

_STARTS = re.compile(r"[,;:(]")  # where the stretch of a listed person may begin
_ENDS = re.compile(r";")  # where it ends, at the latest
_DEPUTY = "pho"  # "Phó Chủ tịch": the deputy's title
_PIECES = re.compile(r"[,;:()]|\s[-–—]\s?|[-–—]\s")  # a title does not run across these


def person_stretches(sentence: str, names: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """For each name (start, end), the stretch of the sentence that describes it: from the punctuation before
    it (not before the previous name) to the next semicolon or the stretch of the next name."""
    starts = []
    for i, (start, _) in enumerate(names):
        floor = names[i - 1][1] if i else 0
        breaks = [m.end() for m in _STARTS.finditer(sentence, floor, start)]
        starts.append(breaks[-1] if breaks else floor)
    stretches = []
    for i, (start, end) in enumerate(names):
        stop = _ENDS.search(sentence, end)
        limit = starts[i + 1] if i + 1 < len(names) else len(sentence)
        stretches.append((starts[i], min(stop.start() if stop else len(sentence), limit)))
    return stretches


def _words(piece: str) -> list[str]:
    """Folded words of a stretch, a "|" at each comma or dash: a title ends there."""
    return [w for part in _PIECES.split(piece) for w in [*folded_tokens(part), "|"]]


def _longest_title_run(question: list[str], stretch: list[str]) -> int:
    """Content words in the longest run of the question's words found in order in the stretch, within one
    piece of it (between commas). A run whose piece goes on with a word where the question goes on with one the
    piece lacks names another title ("Chủ tịch UBND" is not "Chủ tịch HĐND"; "Quận 1" after an omitted "Việt
    Nam" is still the same), and a run whose piece says "phó" before it is a deputy's title unless the question
    says "phó" too."""
    best = 0
    for i in range(len(stretch)):
        for j in range(len(question)):
            size = 0
            while i + size < len(stretch) and j + size < len(question) and stretch[i + size] == question[j + size]:
                size += 1
            if not size or (i and j and stretch[i - 1] == question[j - 1]):
                continue  # no run, or not a whole one
            first = max((k + 1 for k in range(i) if stretch[k] == "|"), default=0)
            last = next((k for k in range(i + size, len(stretch)) if stretch[k] == "|"), len(stretch))
            piece_before, piece_after = stretch[first:i], stretch[i + size:last]
            if (_DEPUTY in piece_before) != (_DEPUTY in question[:j]):
                continue
            if _differs(question, j + size, piece_after[:1], piece_after) or \
                    _differs(question, j - 1, piece_before[-1:], piece_before):
                continue
            best = max(best, sum(not function_word(word) for word in stretch[i:i + size]))
    return best


def _differs(question: list[str], j: int, next_word: list[str], piece: list[str]) -> bool:
    """The question goes on (at j) with a content word the piece lacks, where the piece goes on with another."""
    if not (0 <= j < len(question)) or not next_word:
        return False
    asked, said = question[j], next_word[0]
    return not function_word(asked) and not function_word(said) and asked not in piece


def described_person(analysis: QuestionAnalysis, sentence: str, names: list[tuple[int, int]]) -> tuple[int, int] | None:
    """The one name of a roster (two or more names) whose stretch holds the title asked — at least two of the
    question's content words in a row, more than any other name's stretch — or None."""
    if analysis.qtype != "person" or len(names) < 2:
        return None
    question = analysis.all_folded
    runs = []
    for (start, end), (s, e) in zip(names, person_stretches(sentence, names)):
        # The name itself is no part of its description: the question does not know it.
        runs.append(_longest_title_run(question, _words(sentence[s:start]) + _words(sentence[end:e])))
    best = max(runs)
    if best < 2 or runs.count(best) > 1:
        return None
    return names[runs.index(best)]


# "… giữ chức vụ gì?", "chức danh của …", "cương vị", "vị trí nào": the question asks a person's title.
_ASKS_TITLE = re.compile(r"\b(chuc vu|chuc danh|chuc gi|cuong vi|giu chuc|lam chuc|vi tri)\b")
_APPOSITION = re.compile(r"\s*(?:,|[-–—]|\()\s*")  # "Nguyễn Duy An, Ủy viên …", "Lê Ngọc Anh – TUV, …"


def described_title(analysis: QuestionAnalysis, sentence: str, names: list[tuple[int, int]]) -> tuple[int, int] | None:
    """The titles a roster (two or more names) gives the one person the question names, when it asks that
    person's title ("Ông Phạm Xuân Khánh giữ chức vụ gì?", "Nguyễn Duy An là ai?"): the words after the name,
    set off by a comma or a dash, up to the end of the person's stretch — or None."""
    if len(names) < 2:
        return None
    question = analysis.all_folded
    # Named in full, or by the given name ("chị Uyên Linh" for Nguyễn Võ Uyên Linh): its last two words.
    named = [i for i, (start, end) in enumerate(names) if _holds(question, folded_tokens(sentence[start:end])[-2:])]
    if len(named) != 1:
        return None
    start, end = names[named[0]]
    name = folded_tokens(sentence[start:end])
    rest = _without(question, name if _holds(question, name) else name[-2:])
    asks_title = bool(_ASKS_TITLE.search(" ".join(rest))) or (
        analysis.qtype == "person" and all(function_word(word) or word in ("ong", "ba", "dong", "chi", "anh")
                                           for word in rest))
    if not asks_title:
        return None
    apposition = _APPOSITION.match(sentence, end)
    if apposition is None or apposition.end() == end:
        return None
    stretch_end = person_stretches(sentence, names)[named[0]][1]
    text = sentence[apposition.end():stretch_end].rstrip(" ,;.–-")
    return (apposition.end(), apposition.end() + len(text)) if len(text.split()) >= 2 else None


def _holds(question: list[str], name: list[str]) -> bool:
    return any(question[i:i + len(name)] == name for i in range(len(question) - len(name) + 1))


def _without(question: list[str], name: list[str]) -> list[str]:
    for i in range(len(question) - len(name) + 1):
        if question[i:i + len(name)] == name:
            return question[:i] + question[i + len(name):]
    return question
