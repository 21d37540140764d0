"""Follow-up questions without an LLM: the previous question lends what the new one leaves out.

Three ways people follow up in a chat, each rewritten into a question that stands alone (the page shows
it: "Câu hỏi được hiểu là …"):

* another subject, same question — "Phường Phước Tân có bao nhiêu đảng viên?" then "Còn phường Tây Sơn
  thì sao?" → "phường Tây Sơn có bao nhiêu đảng viên?": the new subject replaces the old one when they
  share a head word (phường, xã, ông…); otherwise it replaces the previous question's first proper name,
  or is added to the question; another title ("Bí thư Huyện ủy Phú Xuyên là ai?" then "Còn Chủ tịch UBND
  huyện?") asks about the same body and place;
* only a question phrase — "Hội nghị của phường Cầu Ông Lãnh diễn ra khi nào?" then "Ở đâu?" → "Hội nghị
  của phường Cầu Ông Lãnh diễn ra ở đâu?"; "Vì sao?" asks why the previous question's fact holds;
* a word pointing back — "Huyện này có bao nhiêu chi bộ?" after a question about "huyện Phú Xuyên" →
  "Huyện Phú Xuyên có bao nhiêu chi bộ?": a head word followed by này / đó / ấy / đấy / kia takes the name
  that followed the same head in an earlier question ("năm đó" → "năm 2020"); "ông ấy" / "người đó" after
  "Ai là …?" takes the name answered, read from the short-answer line of what was said
  (``AnswerResult.as_said``, which the chat page and the widget keep as the conversation).

Earlier follow-ups are made standalone first, so a chain of them keeps its subject. A question that does
none of these is left as typed.
"""

from __future__ import annotations

import re

from index.textnorm import fold, has_diacritics
from rag.question import analyse, asks_why, asks_without_subject, function_word, question_phrase
from rag.result import SHORT_ANSWER_LINE
from rag.spans import capitalised_runs

_FOLLOWUP = re.compile(
    r"^\s*(?:còn|thế còn|vậy còn|con|the con|vay con)\s+(?P<subject>.+?)\s*"
    r"(?:thì sao|thì thế nào|thì như thế nào|thi sao|thi the nao)?\s*\??\s*$",
    re.IGNORECASE,
)
_HEADS = ["thành phố", "thị xã", "thị trấn", "phường", "xã", "huyện", "quận", "tỉnh", "đồng chí", "ông", "bà",
          "hội nghị", "đảng bộ", "chi bộ"]
_WORD = re.compile(r"\w+")
_POINTERS = {"này", "đó", "ấy", "đấy", "kia"}
# Typed without marks: "nay" after a word of time is "now" (năm nay, hiện nay), not "this".
_POINTERS_UNMARKED = {"nay", "do", "ay", "day", "kia"}
_NOW = {"nam", "hien", "ngay", "thang", "tuan", "bay", "gio", "dao", "xua", "luc"}
_PERSON_HEADS = {"ong", "ba", "anh", "chi", "co", "nguoi"}  # "ông ấy", "người đó" …: who was just answered
# Titles of office ("Phó Bí thư Thường trực", "Chủ tịch", "Giám đốc"), matched folded.
_TITLE = re.compile(r"\b(?:pho )?(?:bi thu|chu tich|giam doc|truong ban|truong phong|uy vien)(?: thuong truc)?\b")
_PLACE_WORDS = {"phuong", "xa", "huyen", "quan", "tinh", "thanh", "thi"}  # "thành phố", "thị xã / trấn" by their first
# Beside rag/question's function words: verbs of tense and particles a follow-up leaves around its subject.
_FUNCTION = {"duoc", "thi", "se", "dang", "nhe"}
_NAME_WITHIN = 3  # words between a head and the name it introduces ("hội nghị của phường Cầu Ông Lãnh")


def rewrite_followup(history: list[tuple[str, str]], question: str) -> str:
    chain: list[str] = []  # the earlier questions, each made standalone
    said = ""  # what was answered to the last of them, as the user read it (AnswerResult.as_said)
    for asked, answer in history or []:
        if asked.strip():
            chain.append(_standalone(chain, asked.strip(), said) if chain else asked.strip())
            said = answer or ""
    if not chain:
        return question
    standalone = _standalone(chain, question, said)
    # Shown as the question understood: a sentence starts with a capital ("còn phường Tây Sơn …" → "Phường …").
    return standalone if standalone == question else standalone[:1].upper() + standalone[1:]


def _standalone(chain: list[str], question: str, said: str) -> str:
    previous = chain[-1]
    match = _FOLLOWUP.match(question)
    if match:
        subject = match.group("subject").strip()
        asked = _asked_of(subject)
        if asked is None:
            return _subject_swapped(previous, subject)
        core, full = asked
        return core if full else _subject_swapped(previous, core)
    if asks_without_subject(question):
        return _asked_again(previous, question)
    if _goes_on(question, previous, said):
        return _asked_again(previous, question, replace_verb=True)
    return _pointers_resolved(chain, question, _person_answered(previous, said))


def _subject_swapped(previous: str, subject: str) -> str:
    swapped = _title_swapped(previous, subject)
    if swapped:
        return swapped
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


def _names_nothing(folded: str) -> bool:
    return function_word(folded) or folded in _FUNCTION


def _content(text: str) -> list[str]:
    return [w for w in _WORD.findall(fold(text)) if not _names_nothing(w)]


def _asked_of(subject: str) -> tuple[str, bool] | None:
    """What a "còn …" follow-up that asks a question of its own holds: (the subject it names, whether it is a
    whole question). "Còn Cầu Ông Lãnh 6 tháng đầu năm 2020 thì kết nạp được mấy người?" says what it asks
    after "thì" — a whole question, asked as typed; "Còn chủ tịch HĐND huyện là ai?", "Còn bí thư đảng ủy
    phường thì ai?", "Còn Tây Sơn bao nhiêu?" name only a subject and the question phrase — the previous
    question is asked of that subject. None when it asks nothing."""
    span = question_phrase(subject)
    if span is None:
        return None
    before, after = subject[:span[0]], subject[span[1]:]
    then = fold(before).find(" thi ")  # folding keeps the offsets: "thì" typed with or without its mark
    core, rest = (before[:then], before[then + 5:]) if then >= 0 else (before, "")
    if _content(after) or _content(rest):
        return subject.rstrip(" ?") + "?", True
    words = core.split()
    while words and _names_nothing(fold(words[-1])):  # "phường Tây Sơn có", "chủ tịch HĐND huyện là", "… thi"
        words.pop()
    return (" ".join(words), False) if words else None


def _title(text: str, at_start: bool = False) -> re.Match | None:
    """A title of office in ``text`` (folded, so typed with or without marks)."""
    return (_TITLE.match if at_start else _TITLE.search)(fold(text))


def _title_swapped(previous: str, subject: str) -> str | None:
    """Another title, the same body: "Bí thư Huyện ủy Phú Xuyên là ai?" then "Còn Chủ tịch UBND huyện thì sao?"
    → "Chủ tịch UBND huyện Phú Xuyên là ai?", "Còn Phó Bí thư Thường trực?" → "Phó Bí thư Thường trực Huyện ủy
    Phú Xuyên là ai?". A title alone takes the old one's place; a title with its own body keeps the place the
    old one named — from its place word on ("phường Cầu Ông Lãnh", "Quận 1"), or the name after the body's "ủy"
    ("Huyện ủy Phú Xuyên" → "Phú Xuyên"). Folding keeps the original's offsets (one letter for one letter)."""
    new, old = _title(subject, at_start=True), _title(previous)
    if new is None or old is None:
        return None
    if new.end() >= len(fold(subject).rstrip(" ?")):
        return previous[:old.start()] + subject + previous[old.end():]
    runs = [r for r in capitalised_runs(previous, allow_digits=True) if r[0] >= old.end()]
    if _names_a_place(subject[new.end():]):  # "Còn Giám đốc Bệnh viện Bạch Mai?": a body of its own, named
        end = runs[-1][1] if runs else len(previous.rstrip(" ?"))
        return f"{previous[:old.start()]}{subject.rstrip(' ?')}{previous[end:]}"
    words = list(_WORD.finditer(previous, old.end()))
    folded = [fold(w.group(0)) for w in words]
    for i, word in enumerate(folded):
        if word in _PLACE_WORDS and (i + 1 == len(folded) or folded[i + 1] != "uy"):  # "Huyện ủy" is a body
            said = subject.rstrip(" ?")
            if fold(said).split()[-1] == word:  # "Còn Chủ tịch UBND huyện?" then "huyện Phú Xuyên": once
                said = said[:said.rfind(" ")]
            return f"{previous[:old.start()]}{said} {previous[words[i].start():]}"
    if not runs:
        return None
    start, end, found = runs[-1]
    place = _place_of(found)
    if not place:
        return None
    return f"{previous[:old.start()]}{subject.rstrip(' ?')} {' '.join(place)}{previous[end:]}"


def _place_of(run: list[str]) -> list[str]:
    """The place a run of capitalised words names: after its body's last "ủy" ("Huyện ủy Phú Xuyên"), without
    an abbreviated body ("HĐND Quận 1")."""
    bodies = [i for i, w in enumerate(run) if fold(w) == "uy"]
    return run[bodies[-1] + 1:] if bodies else [w for w in run if not (w.isupper() and len(w) > 1)]


def _names_a_place(text: str) -> bool:
    return any(_place_of(run) for _, _, run in capitalised_runs(text, allow_digits=True))


def _goes_on(question: str, previous: str, said: str) -> bool:
    """A question that names nothing the conversation has not just said, in a word or two besides its question
    phrase (up to four syllables): "Đạt bao nhiêu phần trăm?" after "Tổng thu ngân sách … của Tây Sơn là bao
    nhiêu?" (answered "… đạt 790,2%"), "Sinh hoạt ở bao nhiêu chi bộ?" after "Phường Phước Tân có bao nhiêu đảng
    viên?" (answered "… sinh hoạt tại 22 chi bộ") ask it of the same subject."""
    span = question_phrase(question)
    if span is None:
        return False
    words = _content(question[:span[0]] + " " + question[span[1]:])
    if not words or len(words) > 4 or any(w[:1].isupper() for w in _WORD.findall(question)[1:]):
        return False
    heard = set(_WORD.findall(fold(previous + " " + said)))
    return all(word in heard for word in words)


def _asked_again(previous: str, question: str, replace_verb: bool = False) -> str:
    """The previous question with its question phrase replaced by the new one ("khi nào" → "ở đâu");
    a why-question asks why the previous question's fact holds: "Vì sao" + the previous question's words."""
    asked = question.strip().rstrip(" ?.!")
    body = previous.strip().rstrip(" ?.!")
    span = question_phrase(body)
    if asks_why(asked):
        rest = re.sub(r"\s+", " ", body[:span[0]] + body[span[1]:]).strip(" ,") if span else body
        return f"{asked[:1].upper()}{asked[1:]} {_sentence_inside(rest)}?"
    if span:
        head = body[:span[0]]
        if replace_verb:  # "… của Tây Sơn là" + "đạt bao nhiêu phần trăm": the old verb gives way to the new
            kept = head.split()
            while kept and _names_nothing(fold(kept[-1])):
                kept.pop()
            head = " ".join(kept) + " "
            if _content(asked[question_phrase(asked)[1]:]):  # "… bao nhiêu chi bộ": its own words, not "đảng viên"
                return f"{head}{asked[:1].lower()}{asked[1:]}?"
        return f"{head}{asked[:1].lower()}{asked[1:]}{body[span[1]:]}?"
    return f"{body} {asked[:1].lower()}{asked[1:]}?"


def _sentence_inside(text: str) -> str:
    """``text`` continuing a sentence: its first letter lower-cased unless it begins a name ("Nguyễn Văn An")."""
    words = _WORD.findall(text)
    heads = {fold(h.split()[0]) for h in _HEADS}
    starts_name = len(words) > 1 and words[1][:1].isupper() and fold(words[0]) not in heads
    return text if starts_name else text[:1].lower() + text[1:]


def _person_answered(previous: str, said: str) -> str | None:
    """The name answered to a "who" question ("Ai là Bí thư …?" → "Lê Ngọc Anh"), from its short-answer line."""
    line = next((ln for ln in said.splitlines() if ln.startswith(SHORT_ANSWER_LINE)), None)
    if line is None or analyse(previous).qtype != "person":
        return None
    name = line[len(SHORT_ANSWER_LINE):].strip()
    names = capitalised_runs(name)
    return name if len(names) == 1 and names[0][0] == 0 and names[0][1] == len(name) else None


def _pointers_resolved(chain: list[str], question: str, person: str | None = None) -> str:
    found = list(_WORD.finditer(question))
    unmarked = not has_diacritics(question)
    replacements = []
    for before, word in zip(found, found[1:]):
        pointer = word.group(0).lower()
        if not (pointer in _POINTERS or (unmarked and pointer in _POINTERS_UNMARKED
                                          and not (pointer == "nay" and fold(before.group(0)) in _NOW))):
            continue
        if question[before.end():word.start()].strip():
            continue
        name = next((n for earlier in reversed(chain) if (n := _named_after(earlier, before.group(0)))), None)
        if name:
            replacements.append((word.start(), word.end(), name))
        elif person and fold(before.group(0)) in _PERSON_HEADS:  # "ông ấy" after "Ai là …?" answered by a name
            replacements.append((word.start(), word.end(), person) if fold(before.group(0)) != "nguoi"
                                else (before.start(), word.end(), person))
    for start, end, name in reversed(replacements):
        question = question[:start] + name + question[end:]
    return question


def _named_after(text: str, head: str) -> str | None:
    """What follows ``head`` in ``text`` up to the end of the name it introduces — capitalised words or a
    number ("Phú Xuyên", "2020", "của phường Cầu Ông Lãnh") — when the name starts within a few words."""
    words = list(_WORD.finditer(text))
    for i, word in enumerate(words):
        if fold(word.group(0)) != fold(head):
            continue
        for j in range(i + 1, min(len(words), i + 1 + _NAME_WITHIN)):
            if text[words[j - 1].end():words[j].start()].strip():
                break  # a comma or a bracket: the head's phrase has ended
            piece = words[j].group(0)
            if piece[:1].isdigit():
                end = re.match(r"[\w/.,-]*\w", text[words[j].start():]).end() + words[j].start()
                return text[words[i].end():end].strip()
            if piece[:1].isupper():
                end = words[j].end()
                for k in range(j + 1, len(words)):
                    if text[end:words[k].start()].strip() or not words[k].group(0)[:1].isupper():
                        break
                    end = words[k].end()
                return text[words[i].end():end].strip()
    return None


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
