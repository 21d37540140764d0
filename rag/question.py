"""What a question asks: its content words, its type, and whether it was typed without accents.

Patterns are matched on the folded form, so "bao nhieu" and "bao nhiêu" are
the same question word — except where the user typed a look-alike's own marks: in "máy định vị",
"bắt đầu", "u não" the folded "may", "dau", "nao" are not "mấy", "đâu", "nào" (see ``asked_form``).
Question words are removed from the content tokens: they are rare in news text, so BM25 would
otherwise weigh them above the words that name the subject.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from index.textnorm import fold, folded_tokens, has_diacritics, tokens

# (type, folded regex) — first match wins, so the specific ones come first.
_TYPE_PATTERNS: list[tuple[str, str]] = [
    ("date", r"\bnam (bao nhieu|may)\b(?!\s*\w)"),  # "vào năm bao nhiêu?" asks a year, not a count
    ("ordinal", r"\b(lan|khoa|nhiem ky) (thu )?(may|bao nhieu)\b"),
    ("place", r"\b(quan|phuong) (thu )?may\b"),  # "thuộc quận mấy": a numbered district, by its name ("Quận 1")
    ("number", r"\b(bao nhieu|may|bao nhieu phan tram|bao lau)\b"),
    ("date", r"\b(khi nao|ngay nao|nam nao|thang nao|luc nao|bao gio|thoi gian nao|ngay may|hom nao|dip nao|vao ngay|"
             r"nhiem ky nao|giai doan nao)\b(?!\s*\d)"),  # "vào ngày 24/6" gives the date, it does not ask it
    ("person", r"\b(la ai|ai|nguoi nao|dong chi nao|ong nao|ba nao|ten la gi|ten gi|tac gia)\b"),
    ("place", r"\b(o dau|tai dau|noi nao|dia diem nao|phuong nao|xa nao|huyen nao|quan nao|tinh nao|thanh pho nao|"
              r"dia phuong nao|don vi nao|co quan nao|to chuc nao|thanh uy nao|tinh uy nao|huyen uy nao|quan uy nao|"
              r"phong nao|ban nao|quy nao|thuoc .{1,30} nao|dau)\b"),
]
_COMPILED = [(name, re.compile(pattern)) for name, pattern in _TYPE_PATTERNS]
# Words that name a count without asking one: "Tỷ lệ tử vong của bệnh này?" asks it, but "Khu vực nào … tỷ lệ
# tội phạm cao?" asks a place and "… giảm nếu có những thứ gì?" a thing.
_COUNT_NOUNS = re.compile(r"\b(so luong|so tien|tong so|ty le)\b")
_OTHER_ASKED = re.compile(r"\b(nao|ai|dau|(?<!la )gi)\b")  # "… tỷ lệ … là gì?" still asks the rate

# Question phrases and function words that carry no subject, as written; matched folded.
_QUESTION_PHRASES_WRITTEN = [
    "bao nhiêu phần trăm", "mấy phần trăm", "cho tôi biết", "hãy cho biết", "cho biết", "xin cho biết", "vui lòng",
    "làm ơn", "bao nhiêu", "là ai", "khi nào", "ngày nào", "năm nào", "tháng nào", "lúc nào", "bao giờ",
    "ở đâu", "tại đâu", "nơi nào", "như thế nào", "thế nào", "ra sao", "tại sao", "vì sao",
    "là gì", "cái gì", "điều gì", "thì sao", "lần thứ mấy", "thứ mấy", "có phải",
]
_QUESTION_PHRASES = [fold(phrase) for phrase in _QUESTION_PHRASES_WRITTEN]
# A syllable of a question phrase, written: a phrase completed from a typo reads as typed right
# ("bao nhiu" → "bao nhiêu", not the commoner "nhiều").
_PHRASE_SPELLING = {fold(s): s for phrase in _QUESTION_PHRASES_WRITTEN for s in phrase.split()}
_TWO_SYLLABLE_HEADS = {
    "thanh pho", "thi xa", "thi tran", "dia phuong", "don vi", "co quan", "to chuc", "thanh uy", "tinh uy",
    "huyen uy", "quan uy", "khu pho", "dia diem", "quoc gia", "dong chi", "hoi nghi", "chi bo", "dang bo",
}
_STOP_ACCENTED = {
    "ai", "gì", "nào", "mấy", "đâu", "sao", "không", "chưa", "có", "là", "được", "đã", "thì", "mà",
    "của", "và", "với", "những", "các", "một", "này", "đó", "ấy", "kia", "hả", "à", "nhỉ", "vậy",
    "còn", "thế", "hay", "hoặc", "về", "trong", "tại", "ở", "cho", "đến", "từ", "bởi", "bằng",
}
_STOP_SYLLABLES = {
    "ai", "gi", "nao", "may", "dau", "sao", "khong", "chua", "co", "la", "duoc", "da", "thi", "ma",
    "cua", "va", "voi", "nhung", "cac", "mot", "nay", "do", "ay", "kia", "ha", "a", "nhi", "vay",
    "con", "the", "hay", "hoac", "ve", "trong", "tai", "o", "cho", "den", "tu", "boi", "bang",
}


# Who heads what, in Vietnamese local government: "người đứng đầu" an organisation is asked for
# by its title, which the articles use instead ("Bí thư Đảng ủy phường", "Chủ tịch UBND phường").
_HEAD_OF = re.compile(r"\b(dung dau|lanh dao cao nhat|nguoi dan dau)\b")
_HEAD_TITLES = [
    (re.compile(r"\b(dang|dang uy|dang bo|chi bo|tinh uy|thanh uy|huyen uy|quan uy|thi uy|cap uy)\b"), "bí thư"),
    (re.compile(r"\b(uy ban|hoi dong nhan dan|mat tran|chinh quyen|ubnd|hdnd|mttq)\b"), "chủ tịch"),
    (re.compile(r"\b(so|cong ty|benh vien|trung tam)\b"), "giám đốc"),
    (re.compile(r"\b(ban|phong|khoa|to)\b"), "trưởng"),
]


def title_words(folded_question: str) -> list[str]:
    """The title a "who heads X" question asks about, to be matched as if typed."""
    if not _HEAD_OF.search(folded_question):
        return []
    for pattern, title in _HEAD_TITLES:
        if pattern.search(folded_question):
            return [title]
    return []


# The words that frame a comparison ("giữa A và B, … nào … hơn / trước"), read by rag/compare.py: a small
# archive without "giữa" must not read "giua" as "giu".
_COMPARISON_FRAME = {"giua", "hoac", "hon", "truoc", "som", "muon"}


def function_word(folded: str) -> bool:
    """A folded syllable that names nothing: a question word or a function word ("ai", "là", "của")."""
    return folded in _STOP_SYLLABLES


def question_syllables() -> frozenset[str]:
    """Folded syllables of the question words and function words: never "corrected" (a small corpus
    may not hold "bao nhiêu", which is still no typo)."""
    words = set(_STOP_SYLLABLES)
    for phrase in _QUESTION_PHRASES:
        words.update(phrase.split())
    for pattern in [*(p for _, p in _TYPE_PATTERNS), _COUNT_NOUNS.pattern]:
        words.update(re.findall(r"[a-z]+", pattern))
    words.update(_COMPARISON_FRAME)
    return frozenset(words)


def phrase_spelling(folded: str) -> str | None:
    """How a syllable of a question phrase is written ("nhieu" → "nhiêu"); None for other syllables."""
    return _PHRASE_SPELLING.get(folded)


def question_pairs() -> frozenset[tuple[str, str]]:
    """Adjacent folded syllables of the question phrases ("bao nhieu", "la ai", "o dau")."""
    pairs = set()
    for phrase in _QUESTION_PHRASES:
        parts = phrase.split()
        pairs.update(zip(parts, parts[1:]))
    return frozenset(pairs)


@dataclass
class QuestionAnalysis:
    text: str
    qtype: str  # number | ordinal | date | person | place | other
    accented: bool  # typed with diacritics
    content_accented: list[str] = field(default_factory=list)
    content_folded: list[str] = field(default_factory=list)
    unit: list[str] = field(default_factory=list)  # folded words after "bao nhiêu"/"mấy"
    focus: list[str] = field(default_factory=list)  # folded words before "nào" (phường nào → phuong)
    all_accented: list[str] = field(default_factory=list)
    all_folded: list[str] = field(default_factory=list)
    kept: list[int] = field(default_factory=list)  # positions of content tokens
    asks_explanation: bool = False  # why / how / what for: answered by a clause, not a word
    wh: tuple[int, int] = (-1, -1)  # [start, end) of the question word in all_folded ("bao nhiêu", "gì"); -1 when none
    # Words typed without marks: the accented-field terms of the reading with their marks restored
    # (rag/accents.py) — all of them for a question typed without any mark, only those it adds to the typed
    # terms otherwise; a second view for retrieval only, empty when every word is typed with its marks.
    restored: list[str] = field(default_factory=list)

    def anchors(self) -> tuple[list[int], list[int]]:
        """Positions of the content words just before and just after the question word: the answer
        usually stands where the question word stands, next to the words it was asked beside."""
        start, end = self.wh
        if start < 0:
            return [], []
        kept = set(self.kept)
        left = [i for i in range(max(0, start - 3), start) if i in kept
                or (i == start - 1 and self.all_folded[i] in _SLOT_VERBS)]
        right = [i for i in range(end, min(len(self.all_folded), end + 3)) if i in kept]
        return left, right

    def terms(self, field_name: str) -> list[str]:
        """Content syllables plus bigrams of content syllables that were adjacent in the question."""
        source = self.all_accented if field_name == "accented" and self.all_accented else self.all_folded
        kept = set(self.kept)
        unigrams = [source[i] for i in self.kept]
        bigrams = [f"{source[i]}_{source[i + 1]}" for i in self.kept if i + 1 in kept]
        return unigrams + bigrams


# The one-syllable question words, folded, with the form each is typed in: a syllable that folds the same but
# was typed with other marks is another word ("máy", "đầu", "đau", "não", "sáo"), never the question word.
# A syllable typed without marks stays ambiguous, as in a question typed without accents.
_WH_ACCENTED = {"may": "mấy", "dau": "đâu", "nao": "nào", "gi": "gì", "sao": "sao", "ai": "ai"}
# The same for the words that frame a question word ("thuộc / của / ở / tại … nào", "ở đâu"): "thuốc nào",
# "đóng cửa khi nào", "ô dù", "tài sản" hold no frame, and "cửa" stays a content word.
_FRAME_ACCENTED = {"thuoc": "thuộc", "cua": "của", "o": "ở", "tai": "tại"}
# And for the head words of the asking phrases of dates, people and places: "quyền lực nào" is no "lúc nào",
# "loại khí nào" no "khi nào", "quân nào" (which army) no "quận nào", "bản nào" no "ban nào".
_HEAD_ACCENTED = {"luc": "lúc", "khi": "khi", "ngay": "ngày", "thang": "tháng", "hom": "hôm", "dip": "dịp",
                  "gio": "giờ", "quan": "quận", "xa": "xã", "noi": "nơi", "phong": "phòng", "ban": "ban",
                  "quy": "quỹ", "tinh": "tỉnh", "huyen": "huyện", "ong": "ông", "ba": "bà"}
# Function verbs that still mark the slot when they stand right before the question word: "có bao nhiêu
# đảng viên" is answered by "có 314 đảng viên", "là ai" by "là ông …".
_SLOT_VERBS = {"co", "la", "dat", "duoc", "gom"}
_EXPLANATION = re.compile(r"\b(tai sao|vi sao|nhu the nao|the nao|ra sao|lam gi|nhu nao|bang cach nao|y nghia|vai tro|"
                          r"muc dich|nguyen nhan|ly do|dieu gi|nhung gi|gom nhung)\b")


_WORD = re.compile(r"\w+")


def _look_alike(word: str) -> bool:
    lowered = word.lower()
    folded = fold(lowered)
    wh = _WH_ACCENTED.get(folded) or _FRAME_ACCENTED.get(folded) or _HEAD_ACCENTED.get(folded)
    return wh is not None and lowered != wh and has_diacritics(lowered)


def asked_form(text: str) -> str:
    """The folded question with the look-alikes of question words and their frames marked (``dau_``,
    ``cua_``), so that the patterns for question words only find the question words the user typed."""
    return fold(_WORD.sub(lambda m: m.group(0) + "_" if _look_alike(m.group(0)) else m.group(0), text))


def question_word(folded_tokens_: list[str]) -> tuple[int, int]:
    """[start, end) of the first question word ("bao nhiêu", "gì", "nào", "ai", "đâu", "mấy", "sao")."""
    for i, token in enumerate(folded_tokens_):
        if token == "bao" and i + 1 < len(folded_tokens_) and folded_tokens_[i + 1] in ("nhieu", "lau", "gio"):
            return i, i + 2
        if token in _WH_ACCENTED:
            return i, i + 1
    return -1, -1


def _strip_question_words(folded: str) -> str:
    # "thuộc quận nào", "của huyện nào": the frame asks; the head noun may stay, the verb may not.
    folded = re.sub(r"\b(thuoc|cua|o|tai)\s+((?:\w+\s+){1,2}nao)\b", r" \2", folded)
    for phrase in sorted(_QUESTION_PHRASES, key=len, reverse=True):
        folded = re.sub(rf"\b{phrase}\b", " ", folded)
    return folded


# The phrases that ask (not "cho biết", "vui lòng"): what a follow-up of one question phrase replaces.
_ASKING_PHRASES = sorted((p.split() for p in _QUESTION_PHRASES
                          if p not in {"cho toi biet", "hay cho biet", "cho biet", "xin cho biet", "vui long", "lam on",
                                       "co phai", "thi sao"}), key=len, reverse=True)


def question_phrase(text: str) -> tuple[int, int] | None:
    """Character offsets in ``text`` of the words that ask ("khi nào", "ở đâu", "bao nhiêu", "vì sao"; else
    the question word itself), or None."""
    found = list(_WORD.finditer(text))
    asked = [fold(w.group(0)) + ("_" if _look_alike(w.group(0)) else "") for w in found]
    for phrase in _ASKING_PHRASES:
        for i in range(len(asked) - len(phrase) + 1):
            if asked[i:i + len(phrase)] == phrase:
                return found[i].start(), found[i + len(phrase) - 1].end()
    start, end = question_word(asked)
    return (found[start].start(), found[end - 1].end()) if start >= 0 else None


def asks_why(text: str) -> bool:
    return bool(re.search(r"\b(vi sao|tai sao|do dau|vi ly do gi|ly do gi|nguyen nhan)\b", fold(text)))


def asks_without_subject(text: str) -> bool:
    """Only a question phrase, no word naming what is asked about ("Ở đâu?", "Vì sao vậy?", "Khi nào?"):
    a follow-up whose subject is the previous question's."""
    folded = " ".join(_WORD.findall(asked_form(text)))
    if question_word(folded.split())[0] < 0 and not _EXPLANATION.search(folded):
        return False
    return all(token in _STOP_SYLLABLES for token in _strip_question_words(folded).split())


def asks(text: str) -> bool:
    """Whether the text asks something by a word of its own: a question word or phrase ("bao nhiêu", "ai",
    "nào"), why / how ("vì sao", "như thế nào"), or who heads something ("người đứng đầu")."""
    folded = asked_form(text)
    return (question_type(text) != "other" or question_word(_WORD.findall(folded))[0] >= 0
            or bool(_EXPLANATION.search(folded)) or bool(title_words(fold(text))))


def question_type(text: str) -> str:
    folded = asked_form(text)
    for name, pattern in _COMPILED:
        if pattern.search(folded):
            return name
    if _COUNT_NOUNS.search(folded) and not _OTHER_ASKED.search(folded):
        return "number"
    return "other"


def analyse(text: str) -> QuestionAnalysis:
    folded = asked_form(text)
    qtype = question_type(text)
    titles = title_words(fold(text))  # "người đứng đầu": here "đầu" is the word meant
    if titles and not has_diacritics(text):
        titles = [fold(t) for t in titles]
    matched_text = " ".join([text.rstrip(" ?"), *titles]) if titles else text
    if titles and qtype == "other":
        qtype = "person"
    accented_tokens = tokens(matched_text)
    folded_all = folded_tokens(matched_text)
    aligned = len(accented_tokens) == len(folded_all)
    # The folded tokens as the question words are looked for: look-alikes typed with their own marks marked.
    asked = [f + "_" if _look_alike(a) else f for f, a in zip(folded_all, accented_tokens)] if aligned else folded_all
    # Align accented and folded tokens (same tokenizer, same count) to drop the same positions.
    kept_folded_text = _strip_question_words(" ".join(asked))
    kept = set(range(len(folded_all)))
    # Mark positions removed by phrase stripping by walking both sequences.
    remaining = kept_folded_text.split()
    position, cursor = [], 0
    for index, token in enumerate(asked):
        if cursor < len(remaining) and remaining[cursor] == token:
            position.append(index)
            cursor += 1
    if has_diacritics(text) and aligned:
        kept = {i for i in position if accented_tokens[i] not in _STOP_ACCENTED}
    else:
        kept = {i for i in position if folded_all[i] not in _STOP_SYLLABLES}
    if titles:  # "người đứng đầu X" asks for X's title, which is searched for instead of "đứng đầu"
        phrase = _HEAD_OF.search(" ".join(folded_all)).group(0).split()
        start = next((i for i in range(len(folded_all)) if folded_all[i:i + len(phrase)] == phrase), None)
        if start is not None:
            kept -= set(range(start, start + len(phrase)))
    if not kept:  # a question made only of function words still needs something to match
        kept = set(range(len(folded_all)))
    order = sorted(kept)
    analysis = QuestionAnalysis(
        text=text,
        qtype=qtype,
        accented=has_diacritics(text),
        content_accented=[accented_tokens[i] for i in order] if len(accented_tokens) == len(folded_all) else [],
        content_folded=[folded_all[i] for i in order],
        all_accented=accented_tokens if len(accented_tokens) == len(folded_all) else [],
        all_folded=folded_all,
        kept=order,
        wh=question_word(asked),
        asks_explanation=bool(_EXPLANATION.search(folded)),
    )
    unit = re.search(r"\b(?:bao nhieu|may)\s+((?:\w+\s*){1,3})", folded)
    if unit and qtype == "number":
        # Stop words are judged in the typed form: folded, "thể" (tập thể) would be "thế".
        start = len(folded[: unit.start(1)].split())
        words = [(f, a) for f, a in zip(folded_all[start:start + 3], (accented_tokens if aligned else folded_all)[start:start + 3])]
        stops = _STOP_ACCENTED if analysis.accented and aligned else _STOP_SYLLABLES
        unit_words = []
        for f, a in words:
            if a in stops:
                break
            unit_words.append(f)
        analysis.unit = unit_words[:2]
        if analysis.unit[:2] == ["phan", "tram"]:
            analysis.unit = ["%"]
    if qtype == "number" and not analysis.unit and re.search(r"\b(ty le|phan tram)\b|\b(bao nhieu|may)\s*%", folded):
        analysis.unit = ["%"]
    counted = re.search(r"\bso (?:luong )?(\w+ \w+)\b.*\b(?:la )?bao nhieu\s*$", folded.rstrip(" ?"))
    if qtype == "number" and not analysis.unit and counted:
        # "Số đảng viên … là bao nhiêu?": what is counted comes before the question word.
        analysis.unit = [w for w in counted.group(1).split() if w not in _STOP_SYLLABLES][:2]
    focus = re.search(r"((?:\w+\s+){1,2})nao\b", folded) or (
        re.search(r"\b((?:quan|phuong)\s+)(?:thu\s+)?may\b", folded) if qtype == "place" else None)
    if focus:
        words = focus.group(1).split()
        # The head noun before "nào": two syllables when they form one ("thành phố"), else one.
        analysis.focus = words if len(words) == 2 and " ".join(words) in _TWO_SYLLABLE_HEADS else words[-1:]
    return analysis
