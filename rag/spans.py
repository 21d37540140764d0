"""Short-answer candidates inside a sentence: numbers with units, dates, names, places.

Each finder returns (start, end, kind) spans on the original sentence text so
the answer can be cited at exact offsets. Choosing among candidates is done
by the extractive answerer, by closeness to the question's words.
"""

from __future__ import annotations

import re
from functools import lru_cache

from index.textnorm import fold, match_form

_NUM = r"\d+(?:[.,]\d+)*"
_MAGNITUDE = r"(?:tỷ|tỉ|triệu|nghìn|ngàn|trăm)"
MONEY_RE = re.compile(rf"{_NUM}\s*{_MAGNITUDE}(?:\s+{_NUM}\s*{_MAGNITUDE})*(?:\s+(?:đồng|USD|đô la))?|{_NUM}\s*(?:đồng|USD)")
NUMBER_RE = re.compile(rf"(?<![\w/.,-]){_NUM}(?:\s*%)?(?![\w/])")

_DAY_MONTH = r"(?:[1-9]|[12]\d|3[01])"
_MONTH = r"(?:0?[1-9]|1[0-2])"
DATE_RES = [
    re.compile(rf"\bngày\s+{_DAY_MONTH}\s+tháng\s+{_MONTH}(?:\s+năm\s+\d{{4}})?", re.IGNORECASE),
    re.compile(rf"(?<![\d/]){_DAY_MONTH}/{_MONTH}(?:/\d{{4}})?(?![\d/])"),
    re.compile(rf"(?<![\d-]){_DAY_MONTH}-{_MONTH}(?:-\d{{4}})?(?![\d-])"),
    re.compile(rf"\btháng\s+{_MONTH}(?:/|\s+năm\s+)\d{{4}}", re.IGNORECASE),
    re.compile(r"\b(?:năm\s+)?(?:1[89]\d\d|20\d\d)\b", re.IGNORECASE),
]

# Common units after a count; two-syllable ones first.
_UNITS = [
    "đảng viên", "chi bộ", "tập thể", "cá nhân", "quần chúng", "thanh niên", "hộ nghèo", "suất quà", "tổ chức",
    "đơn vị", "người", "hộ", "suất", "đồng", "tỷ", "triệu", "lần", "năm", "tháng", "ngày", "km", "ha", "%",
    "học sinh", "trường", "xã", "phường", "điểm", "bàn", "cầu thủ", "dặm", "mét", "km2", "độ", "tuổi",
]
_FOLDED_UNITS = sorted(((fold(u).split(), u) for u in _UNITS), key=lambda x: -len(x[0]))

# Compared in accented form: folded, "Trần" would collide with "Trận" and "Chu" with "Chủ".
_SURNAMES = set(match_form(
    "Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý Hà Đào Đoàn Vương Trịnh Trương "
    "Lâm Mai Tô Cao Thái Lương Đinh Châu Tạ Quách Hứa Triệu Kiều Tăng Lưu Văn Âu Từ Khúc Thân Chu Lại Doãn"
).split())
def is_surname(word: str) -> bool:
    """A Vietnamese family name ("Nguyễn", "Hứa"), compared with its marks."""
    return match_form(word) in _SURNAMES


# Capitalised words that start organisation names, not people.
_NOT_NAME_START = set(match_form(
    "Đảng Đảng ủy Đảng uỷ Ban Ủy Uỷ Hội Huyện Quận Phường Xã Tỉnh Thành Thường Chủ Phó Bí Trưởng Mặt Trận "
    "Nghị Quyết Chỉ Thị Đại Trung Bộ Sở Phòng Công Tổ Chi Quỹ Chương Trình Kế Hoạch Nhà Nước Việt Nam "
    "Tại Trong Năm Ngày Tháng Sáng Chiều Tối Đồng Dự Về Theo Các Những Một Hiện Cũng Dịp Phát"
).split())
_PLACE_HEADS = ["thành phố", "tp.", "tp", "tỉnh", "huyện", "quận", "thị xã", "thị trấn", "phường", "xã", "khu phố"]


def number_spans(sentence: str) -> list[tuple[int, int]]:
    taken: list[tuple[int, int]] = []
    for match in MONEY_RE.finditer(sentence):
        taken.append((match.start(), match.end()))
    dates = [s for s, e, _ in date_spans(sentence) if "/" in sentence[s:e] or "-" in sentence[s:e]]
    for match in NUMBER_RE.finditer(sentence):
        if any(s <= match.start() < e for s, e in taken):
            continue
        if any(s <= match.start() < s + 10 for s in dates):
            continue
        taken.append((match.start(), match.end()))
    return sorted(taken)


def extend_with_unit(sentence: str, start: int, end: int, wanted_unit: list[str]) -> tuple[int, int]:
    """"553" → "553 đảng viên" when the following words are the asked-for or a common unit."""
    rest = sentence[end:]
    words = list(re.finditer(r"\S+", rest))[:3]
    folded = [fold(w.group(0).strip(",.;:()")) for w in words]
    candidates = ([wanted_unit] if wanted_unit else []) + [u for u, _ in _FOLDED_UNITS]
    for unit in candidates:
        if unit and folded[: len(unit)] == unit and len(words) >= len(unit):
            last = words[len(unit) - 1]
            return start, end + last.start() + len(last.group(0).rstrip(",.;:()"))
    return start, end


YEAR_RANGE_RE = re.compile(r"(?<!\d)(?:1[89]|20)\d\d\s*[-–—]\s*(?:1[89]|20)\d\d(?!\d)")


@lru_cache(maxsize=8192)
def date_spans(sentence: str) -> tuple[tuple[int, int, str], ...]:
    """Dates of the sentence, remembered (several candidate kinds ask for them, and a passage's sentences come
    back for many questions): a tuple, so no caller can change what the next one gets."""
    return tuple(_date_spans(sentence))


def _date_spans(sentence: str) -> list[tuple[int, int, str]]:
    # A term of office ("nhiệm kỳ 2020 – 2025") is one span, not two years.
    spans: list[tuple[int, int, str]] = [(m.start(), m.end(), "range") for m in YEAR_RANGE_RE.finditer(sentence)]
    for kind, pattern in zip(("dmy_words", "slash", "dash", "month_year", "year"), DATE_RES):
        for match in pattern.finditer(sentence):
            if any(s <= match.start() < e or match.start() <= s < match.end() for s, e, _ in spans):
                continue
            if kind == "dash" and _looks_like_range(match.group(0)):
                continue
            spans.append((match.start(), match.end(), kind))
    return sorted(spans)


RANGE_RE = re.compile(rf"(?<![\w/.,-])(?:từ\s+)?{_NUM}\s*%?\s*(?:-|–|đến|tới)\s*{_NUM}(?:\s*%)?(?![\w/])")


def range_spans(sentence: str) -> list[tuple[int, int]]:
    """Counts given as a range ("18 đến 25", "27-30%", "7-10"), except dates: years, terms of office, and a
    day-month after "ngày" ("ngày 7-1"); a bare "7-10" may be either, the caller asks for a unit after it."""
    dates = [(s, e) for s, e, kind in date_spans(sentence)
             if kind != "dash" or re.search(r"ngày\s*$", sentence[max(0, s - 6):s], re.IGNORECASE)]
    return [(m.start(), m.end()) for m in RANGE_RE.finditer(sentence)
            if not any(s < m.end() and m.start() < e for s, e in dates)]


# Counts written in words ("ba người", "mười năm", "hai mươi lăm lần"), matched with their marks: folded, "sáu"
# would be "sau" (after) and "tư" would be "từ" (from). No number word has a vowel pair whose mark moves between
# the old and new tone-mark styles, so the text as written is matched directly.
_NUMBER_WORD_RE = re.compile(
    r"(?<!\w)(?:một|hai|ba|bốn|tư|năm|sáu|bảy|tám|chín|mười|mươi|mốt|lăm|trăm|nghìn|ngàn|triệu|tỷ|tỉ|vài|nửa|chục|"
    r"linh|lẻ)(?!\w)", re.IGNORECASE)


def number_word_spans(sentence: str) -> list[tuple[int, int]]:
    """Runs of number words, each a count only if a unit follows it (the caller decides): "ba" alone is a
    father, "năm" a year. Not a run that goes on from a figure ("8 triệu") or says which one ("thứ ba"), nor
    "một" alone, which is mostly "a" ("một phương tiện")."""
    spans: list[tuple[int, int]] = []
    run: list[re.Match] = []

    def close():
        if run and not (len(run) == 1 and run[0].group(0).lower() == "một"):
            before = sentence[max(0, run[0].start() - 6):run[0].start()]
            if not re.search(r"(\d[\d.,]*|\bthứ)\s*$", before, re.IGNORECASE):
                spans.append((run[0].start(), run[-1].end()))
        run.clear()

    for match in _NUMBER_WORD_RE.finditer(sentence):  # passages are NFC (index/loaders.py)
        if run and sentence[run[-1].end():match.start()] != " ":
            close()
        run.append(match)
    close()
    return spans


_ERA = r"(?:TCN|SCN|trước\s+Công\s+[Nn]guyên|sau\s+Công\s+[Nn]guyên)"
ERA_RES = [  # (kind, pattern): dates of history, which the news formats above leave out
    ("year", re.compile(rf"\b(?:năm\s+)?\d{{1,4}}\s+{_ERA}")),  # "340 TCN", "năm 2500 trước Công Nguyên"
    ("year", re.compile(r"\bnăm\s+\d{3,4}\b(?!\s*[,.]\d)", re.IGNORECASE)),  # "năm 1263", "năm 938"
    ("year", re.compile(r"(?<![\w.,/-])1[0-7]\d\d(?![\w/%-]|[.,]\d)")),  # "vào 1288"
    ("century", re.compile(rf"\bthế\s+kỷ\s+(?:thứ\s+)?(?:[IVXLC]+|\d{{1,2}})\b(?:\s+{_ERA})?", re.IGNORECASE)),
    ("decade", re.compile(r"\b(?:thập\s+(?:niên|kỷ)|những\s+năm)\s+\d{2,4}\b", re.IGNORECASE)),
]


def era_spans(sentence: str) -> list[tuple[int, int, str]]:
    """Years before 1800, years with an era, centuries and decades ("năm 1263", "340 TCN", "thế kỷ XV",
    "thập niên 1990"), except where a date of ``date_spans`` already stands: answers to "khi nào" in history."""
    taken = date_spans(sentence)
    spans: list[tuple[int, int, str]] = []
    for kind, pattern in ERA_RES:
        for match in pattern.finditer(sentence):
            start, end = match.start(), match.end()
            # A span inside or across another is left out; one that holds a whole date stays ("thập niên 1990").
            if any(s < end and start < e and not (start <= s and e <= end and e - s < end - start)
                   for s, e, _ in (*taken, *spans)):
                continue
            spans.append((start, end, kind))
    return sorted(spans)


def _looks_like_range(text: str) -> bool:
    return bool(re.fullmatch(r"\d{4}-\d{4}", text))


def capitalised_runs(sentence: str, allow_digits: bool = False) -> list[tuple[int, int, list[str]]]:
    """Runs of words starting with an upper-case letter (str.isupper, not a code-point range:
    Vietnamese lower-case letters sit between upper-case ones in Unicode)."""
    runs, current = [], []
    for match in re.finditer(r"[\w'-]+", sentence):
        word = match.group(0)
        # Organisation names keep "ủy" in lower case: "Tỉnh ủy", "Ban Tổ chức Thành ủy".
        capital = word[0].isupper() or (bool(current) and (fold(word) == "uy" or (allow_digits and word.isdigit())))
        gap = sentence[current[-1].end():match.start()] if current else " "
        if capital and (not current or gap.strip() == ""):
            current.append(match)
            continue
        if current:
            runs.append(current)
        current = [match] if capital else []
    if current:
        runs.append(current)
    return [(run[0].start(), run[-1].end(), [m.group(0) for m in run]) for run in runs]


def name_spans(sentence: str) -> list[tuple[int, int, bool]]:
    """(start, end, starts_with_surname) for capitalised runs that may be a person.

    Titles run into names in Vietnamese ("Bí thư Huyện ủy Lê Ngọc Anh"), so a run that
    holds a family name is cut there; otherwise leading title words are dropped."""
    spans = []
    for start, end, _ in capitalised_runs(sentence):
        offsets = list(re.finditer(r"[\w'-]+", sentence[start:end]))
        words = [m.group(0) for m in offsets]
        surname_at = next((i for i, w in enumerate(words) if match_form(w) in _SURNAMES and i + 1 < len(words)
                           and words[i + 1][:1].isupper()), None)
        if surname_at is not None:
            chosen = offsets[surname_at:]
            taken = []
            for m in chosen:  # a name is capitalised words only, up to four
                if not m.group(0)[:1].isupper() or len(taken) == 4:
                    break
                taken.append(m)
            spans.append((start + taken[0].start(), start + taken[-1].end(), True))
            continue
        while offsets and match_form(offsets[0].group(0)) in _NOT_NAME_START:
            offsets = offsets[1:]
        words = [m.group(0) for m in offsets]
        if len(words) < 2 or len(words) > 5 or any(w.isupper() and len(w) > 1 for w in words):
            continue
        if not all(w[:1].isupper() for w in words):
            continue
        spans.append((start + offsets[0].start(), start + offsets[-1].end(), False))
    return spans


def place_spans(sentence: str, focus: list[str]) -> list[tuple[int, int, bool]]:
    """(start, end, matches_head) for capitalised runs. With an asked-for head ("thành phố nào",
    "quận nào", "Thành ủy nào") the candidate is the name that follows that head, inside or
    just before the run ("TP. Nha Trang" → "Nha Trang", "Quận 1" stays whole)."""
    spans = []
    head = " ".join(focus)
    heads = {head, "tp"} if head == "thanh pho" else {head} if head else set()
    for start, end, _ in capitalised_runs(sentence, allow_digits=True):
        words = list(re.finditer(r"[\w'-]+", sentence[start:end]))
        folded = [fold(w.group(0)) for w in words]
        before = fold(sentence[max(0, start - 12) : start]).strip().rstrip(".")
        matched = False
        for h in heads:
            size = len(h.split())
            inside = next((i for i in range(len(folded) - size + 1) if folded[i : i + size] == h.split()), None)
            if inside is not None and inside + size < len(words):
                rest = words[inside + size :]
                if rest[0].group(0).isdigit():  # "Quận 1": the number needs its head
                    digits = [w for w in rest[:1]]
                    spans.append((start + words[inside].start(), start + digits[-1].end(), True))
                elif rest[0].group(0)[:1].isupper():  # "Thành ủy Hà Nội" → "Hà Nội"
                    taken = _place_name(rest)
                    spans.append((start + taken[0].start(), start + taken[-1].end(), True))
                else:  # "Quận ủy": an organisation, not a place
                    continue
                matched = True
                break
            if before.endswith(h):
                spans.append((start, end, True))
                matched = True
                break
        if not matched:
            head_before = any(before.endswith(fold(h).rstrip(".")) for h in _PLACE_HEADS)
            spans.append((start, end, head_before and not heads))
    return spans


def _place_name(words: list) -> list:
    """Up to four capitalised words; a person's name that follows a place is not part of it."""
    taken = [words[0]]
    for word in words[1:4]:
        text = word.group(0)
        if not text[:1].isupper() or (len(taken) >= 2 and match_form(text) in _SURNAMES):
            break
        taken.append(word)
    return taken


def ordinal_spans(sentence: str) -> list[tuple[int, int]]:
    spans = []
    for match in re.finditer(r"\b(?:lần|khoá|khóa|nhiệm kỳ)\s+(?:thứ\s+)?(\d+|[IVXLC]+)\b", sentence, re.IGNORECASE):
        spans.append((match.start(1), match.end(1)))
    return spans


def parse_number(text: str) -> float | None:
    """"1.302" → 1302, "36,26%" → 36.26, "49 tỷ 687 triệu" → 49687000000."""
    scale = {"tỷ": 1e9, "tỉ": 1e9, "triệu": 1e6, "nghìn": 1e3, "ngàn": 1e3, "trăm": 1e2}
    total, found = 0.0, False
    for number, magnitude in re.findall(rf"({_NUM})\s*({_MAGNITUDE})?", text):
        value = float(number.replace(".", "").replace(",", ".")) if re.search(r"\.\d{3}(?!\d)", number) or "," in number else float(number.replace(",", "."))
        total += value * scale.get(magnitude, 1.0)
        found = True
    return total if found else None
