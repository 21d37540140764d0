"""The words of the exchange around a question: greetings, "cho tôi hỏi", "ạ".

People ask a chat the way they ask a colleague: "Chào bạn, cho mình hỏi phường Tây Sơn có bao nhiêu đảng
viên ạ?", "Tôi cần viết báo cáo: …", "… vậy bạn?". None of these words names what is asked about, but each
was searched for and counted in the question's coverage: an archive that never says "hỏi", "mình" or "ạ"
looked like one that does not hold the answer, and the question was refused (the seeds: 0.46 → 0.18).

``without_courtesy`` returns the question without them; the question shown stays the one typed. Only the
edges are read — a greeting or an address ("bạn ơi"), a speaker's preamble, a frame that ends in "hỏi" or
"biết", trailing particles — so a word inside the question is never touched ("Em bé nặng bao nhiêu?",
"trẻ em", "Hội nghị …" are not "em", "hỏi"). A word matches as written or typed without any mark ("cho toi
hoi"), never with other marks ("hội" is not "hỏi", "bán" not "bạn").
"""

from __future__ import annotations

import re

from index.textnorm import fold, has_diacritics, match_form
from rag.question import asks

# As written, and as chats abbreviate them ("e", "mk", "b").
_ME = ["tôi", "em", "mình", "tớ", "cháu", "con", "chúng tôi", "chúng em", "chúng mình", "bọn mình", "e", "mk", "mik"]
_YOU = ["bạn", "anh", "chị", "ad", "admin", "anh chị", "anh/chị", "các bạn", "mọi người", "ban biên tập", "hoidap",
        "bot", "chatbot", "trợ lý", "b"]
# Words only the exchange uses: a clause before or after the question that holds one of them, asks nothing and
# names nothing ("Tôi là cán bộ phường, cần xác nhận lại:", ", nhờ anh chị giải đáp giúp") is not the question.
# Not "giúp", "nhờ", "xin", "dạ": "đủ giúp sinh hoạt", "nhờ vào khả năng", "xin cấp phép", "dạ dày".
_EXCHANGE = ["tôi", "tớ", "tui", "hỏi", "giùm", "tư vấn", "giải đáp", "cảm ơn", "cám ơn", "ơi", "ad", "admin", "bot",
             "chatbot", "trợ lý", "anh chị", "anh/chị", "thưa", "xin phép", "mạn phép", "làm phiền", "xin lỗi"]
# After the question, the address and the answer asked for are the exchange's too: ", bạn biết không",
# ", trả lời ngắn gọn thôi".
_CLOSING_EXCHANGE = _EXCHANGE + ["bạn", "trả lời", "giúp"]
# The archive named as the source: "Theo bài viết, …", "Trong các tài liệu này, …" (not "Theo bài viết của huyện
# Phú Xuyên, …", which names an article).
_SOURCE = ["bài viết", "bài báo", "bài", "tài liệu", "văn bản", "bản tin", "thông tin", "dữ liệu", "nguồn tin",
           "tin tức", "kho", "kho tài liệu", "kho dữ liệu"]
# Pronouns that are also nouns ("em bé", "con đường", "mình"): a speaker only when a verb of the speaker follows.
_ALWAYS_ME = {"tôi", "tớ", "chúng tôi", "chúng em", "chúng mình", "bọn mình"}
_SPEAKER_VERBS = ["là", "đang", "cần", "muốn", "có", "đọc", "thấy", "nghe", "làm", "viết", "học", "được", "mới",
                  "vừa", "định", "sắp", "phải", "không", "chưa", "rất"]
# Not "ấy": "ông ấy" points back (rag/followup.py).
_PARTICLES = ["ạ", "à", "nhé", "nha", "nhỉ", "nhở", "hả", "hở", "vậy"]
# "vậy" as chat spells it ("zậy", "zị") and as the Centre and the South say it ("rứa", "dị"), and "thế", "đấy":
# particles only where they make no word with the syllable before them ("ưu thế", "thay thế", "kỳ dị" are words
# of pyvi's list), "thế" not after "như / là" and "đấy" not after a word of place ("ở đấy" points back).
_ASKING_WORDS = {"ai", "gì", "nào", "đâu", "sao", "mấy", "nhiêu"}
_SPOKEN = {"zậy": set(), "dzậy": set(), "zị": set(), "rứa": set(), "dị": set(), "thế": {"như", "là"},
           "đấy": {"ở", "tại", "từ", "đến", "ra", "vào", "về", "chỗ", "bên", "trong", "ngoài"}}


def _word(written: str) -> str:
    """A written word as a pattern: as written, or typed with no mark at all."""
    bare = fold(written)
    return re.escape(written) if bare == written else f"(?:{re.escape(written)}|{re.escape(bare)})"


def _any(words: list[str]) -> str:
    return "(?:" + "|".join(r"\s+".join(_word(w) for w in phrase.split())
                            for phrase in sorted(words, key=len, reverse=True)) + ")"


_END = r"(?![\w])"
_SEP = r"[\s,.!:;…-]*"
_FILLERS = ["chút", "một chút", "chút xíu", "một câu", "một việc", "thông tin", "thêm", "tí", "xíu", "tí xíu", "một tí",
            "nhanh"]
_GREETING = re.compile(
    rf"^\s*(?:(?:(?:{_any(_ME + ['dạ'])}\s+)?(?:xin\s+)?{_any(['chào', 'kính chào', 'alo', 'hi', 'hello'])}"
    rf"(?:\s+{_any(_YOU + ['em'])})?|(?:[\w/]+\s+){{1,2}}{_word('ơi')}))(?:\s+{_any(['ạ', 'nhé', 'nha'])})?"
    rf"{_END}{_SEP}", re.IGNORECASE)
# "cho (tôi) (được) hỏi", "xin (được) hỏi", "(bạn) (có thể) cho (tôi) biết", "tôi (muốn|cần) hỏi / biết",
# then "một chút", "là", "rằng", "xem" — always ending in a verb of asking or knowing.
_FRAME = re.compile(
    rf"^\s*(?:{_any(['xin', 'làm ơn', 'vui lòng', 'nhờ'] + _YOU)}\s+){{0,2}}"
    rf"(?:{_any(['có thể', 'làm ơn', 'vui lòng', 'hãy', 'giúp', 'giúp tôi', 'giúp em', 'giúp mình'])}\s+)?"
    rf"(?:{_any(['cho', 'xin'])}(?:\s+{_any(_ME)})?(?:\s+{_any(['được', 'xin'])})?"
    rf"|{_any(_ME)}(?:\s+{_any(['muốn', 'cần', 'xin', 'được', 'đang muốn', 'đang cần', 'có việc cần', 'chỉ muốn'])})?"
    rf"(?:\s+{_any(['được', 'hỏi'])})?|{_any(['nhờ', 'xin', 'làm ơn', 'vui lòng'] + _YOU)})"
    rf"\s+{_any(['hỏi', 'biết', 'hỏi thăm', 'tìm hiểu', 'trả lời', 'giải đáp'])}"
    rf"(?:\s+{_any(['giúp', 'giùm', 'hộ'])}(?:\s+{_any(_ME)})?)?"
    rf"(?:\s+{_any(_FILLERS)})?"
    rf"(?:\s+(?-i:{_any(['là', 'rằng', 'xem', 'về việc', 'ạ'])}(?![\w]))|\s+{_word('với')}(?=\s*[,:]))?{_END}{_SEP}", re.IGNORECASE)
_HELP_FRAME = re.compile(  # "Tư vấn giúp em với ạ …", "Giải đáp giùm mình: …", "Giúp mình với: …"
    rf"^\s*(?:{_any(['tư vấn', 'giải đáp', 'trả lời'])}\s+{_any(['giúp', 'giùm', 'hộ'])}(?:\s+{_any(_ME)})?"
    rf"(?:\s+{_word('với')})?(?:\s+{_word('ạ')})?{_END}{_SEP}"
    rf"|{_any(['giúp', 'giùm'])}\s+{_any(_ME)}(?:\s+{_word('với')})?(?:\s+{_word('ạ')})?\s*[:,]\s*)", re.IGNORECASE)
# A speaker's preamble before the question: "Tôi cần viết báo cáo:", "Em là sinh viên," — dropped only when it
# names nothing (no capitalised word after its first) and the rest asks.
_PREAMBLE = re.compile(r"^\s*(?P<clause>[^:,;.!?]+)[:,;.!]\s*(?P<rest>\S.*)$", re.DOTALL)
_LAST_CLAUSE = re.compile(r"^(?P<rest>.*\w.*?)\s*[,;.!?]\s*(?P<clause>[^,;.!?]+?)[\s,;.!?]*$", re.DOTALL)
# The clause after the question, when it is only thanks or an address: ", cảm ơn bạn nhiều", ", bot ơi".
_CLOSING_CLAUSE = re.compile(rf"^(?:(?:{_any(['xin'] + _ME)}\s+)?{_any(['cảm ơn', 'cám ơn', 'thanks', 'thank you'])}"
                             rf"|{_any(['nhờ'])}\s+{_any(_YOU)}|.*\s{_word('ơi')}$)", re.IGNORECASE)
_SOURCE_CLAUSE = re.compile(
    rf"^{_any(['theo', 'trong', 'dựa vào', 'dựa trên', 'căn cứ', 'căn cứ vào'])}(?:\s+{_any(['các', 'những'])})?"
    rf"\s+{_any(_SOURCE)}(?:\s+{_any(['này', 'đó', 'trên', 'ở trên', 'đã cho', 'hiện có', 'được cung cấp', 'của bạn'])})?$",
    re.IGNORECASE)
_SPEAKER_OR_YOU = re.compile(rf"(?:^|\s){_any(_ME + _YOU)}(?=\s|$)", re.IGNORECASE)
_SPEAKER = re.compile(rf"^(?:{_any(sorted(_ALWAYS_ME))}|{_any(_ME)}\s+{_any(_SPEAKER_VERBS)}){_END}", re.IGNORECASE)
_TRAILING_WORDS = re.compile(r"\w+")


def _is(word: str, written: list[str], unmarked: bool = True) -> bool:
    lowered = word.lower()
    return lowered in written or (unmarked and not has_diacritics(lowered) and lowered in {fold(w) for w in written})


def _trailing_start(core: str) -> int:
    """Where the particles, thanks and address after the question begin ("… vậy bạn?", "… ạ", ", cảm ơn anh").

    Read from the end, word by word, and stricter than the opening: the words here also end questions
    ("bệnh nhi", "ủng hộ", "Ủy ban", "Tây Ban Nha", "V&A"), so a particle must be typed in lower case with its
    own marks (in a question typed without any mark only "a", "nhe", "nha"), and "giúp / hộ", "với" and
    "anh / chị / em" count only beside a word of the exchange ("giúp em với", ", anh", "nhé anh")."""
    words = list(_TRAILING_WORDS.finditer(core))
    unmarked = not has_diacritics(core)
    text = [w.group(0) for w in words]

    def particle(j: int) -> bool:
        word = text[j]
        if word != word.lower():
            return False  # a name: "Nha", "A"
        if word in {"a", "nhe", "nha", "z"}:  # typed without marks, or chat's "z" for "vậy"
            return True
        if j + 1 < len(text) and word == "vay" and particle(j + 1):
            return True  # "vay a": "vậy" typed without marks, beside another particle only (not "khoản vay")
        if unmarked:
            return False
        if word == "ta":  # "zậy ta", "nhỉ ta": the South's closing "ta", after another particle only
            return j > 0 and particle(j - 1)
        if word == "ấy":  # "huyện nào ấy nhỉ": after a question word; "ông ấy" points back
            return j > 0 and text[j - 1].lower() in _ASKING_WORDS
        if word in _SPOKEN:
            from rag.lexicon import word_pairs

            before = text[j - 1].lower() if j > 0 else ""
            return before not in _SPOKEN[word] and (match_form(before), match_form(word)) not in word_pairs()
        return word in _PARTICLES and not (word == "vậy" and j > 0 and _is(text[j - 1], ["như", "là"], False))

    start, i = len(core), len(words) - 1
    while i > 0:
        word, gap = text[i], core[words[i - 1].end():words[i].start()]
        helper = _is(text[i - 1], ["giúp", "giùm", "hộ"], unmarked)
        if particle(i) or _is(word, ["bạn", "ad", "admin"], False) or (unmarked and "," in gap and word == "ban"):
            step = 1
        elif (("," in gap or particle(i - 1)) and word == word.lower()
              and _is(word, ["anh", "chị", "em", "các bạn"], unmarked)):
            step = 1
        elif _is(word, ["với"], unmarked) and (helper or _is(text[i - 1], _ME, unmarked)):
            step = 1
        elif _is(word, _ME, unmarked) and helper:
            step = 2  # "giúp tôi", "hộ em"
        elif _is(word, ["giúp", "giùm"], unmarked) and start < len(core):
            step = 1  # "giúp với"
        elif _is(word, ["thanks", "tks"], unmarked):
            step = 1
        elif _is(word, ["ơn"], unmarked) and _is(text[i - 1], ["cảm", "cám"], unmarked):
            step = 3 if i > 1 and _is(text[i - 2], ["xin"], unmarked) else 2  # "(xin) cảm ơn"
        else:
            break
        i -= step
        start = words[i + 1].start()
    return start


_REQUEST = re.compile(rf"^\s*{_any(['kể tên', 'kể', 'nêu', 'liệt kê', 'cho biết', 'mô tả', 'giải thích', 'so sánh', 'tóm tắt'])}{_END}"
                      rf"|{_any(['không', 'chưa', 'phải không', 'đúng không'])}[\s?.!]*$", re.IGNORECASE)


def _asks(text: str) -> bool:
    """A question or a request ("kể tên …", "… không?"), not a statement about the speaker."""
    return asks(text) or bool(_REQUEST.search(text))


def _of_the_exchange(clause: str) -> bool:
    """A clause of the exchange, not of the question: it asks nothing, names nothing, and either the speaker
    speaks in it ("Tôi cần viết báo cáo", "Em là sinh viên") or a word only the exchange uses is in it."""
    clause = clause.strip()
    if not clause or _asks(clause) or _names_something(clause):
        return False
    if _SPEAKER.match(clause) or _FRAME.match(clause + " ") or _HELP_FRAME.match(clause) or _SOURCE_CLAUSE.match(clause):
        return True
    words = [w.lower() for w in re.findall(r"[\w/]+", clause)]
    # "Dạ chào …", "… có câu hỏi ạ": "dạ" opens and "ạ" closes a clause of the exchange.
    return (_holds(clause, _EXCHANGE) or words[0] == "dạ"
            or (words[-1] == "ạ" and _SPEAKER_OR_YOU.search(clause) is not None))


def _announces(clause: str, separator: str) -> bool:
    """A short clause before a colon that asks and names nothing announces the question ("Hỏi nhanh:",
    "Đề nghị cung cấp thông tin:"); "Về đảng viên Tây Sơn:" names what is asked about and stays."""
    return separator == ":" and len(clause.split()) <= 12 and not _asks(clause) and not _names_something(clause)


def _holds(clause: str, vocabulary: list[str]) -> bool:
    unmarked = not has_diacritics(clause)
    words = [w.lower() for w in re.findall(r"[\w/]+", clause)]
    pairs = [" ".join(words[i:i + 2]) for i in range(len(words) - 1)]
    return any(_is(w, vocabulary, unmarked) for w in words + pairs)


def _names_something(clause: str) -> bool:
    words = clause.split()
    return any(w[:1].isupper() for w in words[1:]) or any(ch.isdigit() for ch in clause)


def _without_particles(core: str) -> str:
    cut = _trailing_start(core)
    if cut < len(core) and core[:cut].strip(" ,"):
        return core[:cut].rstrip(" ,") + ("?" if "?" in core[cut:] else "")
    return core


def without_courtesy(text: str) -> str:
    """The question without the greeting, the speaker's preamble, the asking frame and trailing particles
    around it; the text as typed when nothing but those would be left."""
    core = text.strip()
    core = _without_particles(core)
    last = _LAST_CLAUSE.match(core)
    if (last and not _names_something(last["clause"]) and _asks(last["rest"])
            and (_CLOSING_CLAUSE.match(last["clause"].strip())
                 or (not asks(last["clause"]) and _holds(last["clause"], _CLOSING_EXCHANGE)))):
        # "…, cảm ơn bạn nhiều!", "…, bạn biết không?" — but "…, bạn nên làm gì?" is the question itself
        core = last["rest"] + ("?" if "?" in core[len(last["rest"]):] else "")
    core = _without_particles(core)
    for _ in range(3):  # "Chào bạn, tôi là sinh viên, cho mình hỏi …": one layer at a time
        before = core
        greeting = _GREETING.match(core)
        if greeting and greeting.end() < len(core):
            core = core[greeting.end():]
        frame = _FRAME.match(core) or _HELP_FRAME.match(core)
        if frame and len(core[frame.end():].split()) > 1:
            core = core[frame.end():]
        preamble = _PREAMBLE.match(core)
        if preamble and core == before and _asks(preamble["rest"]) and (
                _of_the_exchange(preamble["clause"]) or _announces(preamble["clause"], core[preamble.end("clause")])):
            core = preamble["rest"]
        if core == before:
            break
    core = core.strip()
    greeting = _GREETING.match(core)
    if not re.search(r"\w", core) or (greeting and greeting.end() >= len(core)):
        return text.strip()  # nothing but courtesies: "Chào bạn", "Cảm ơn"
    if core != text.strip() and core[:1].islower() and text.strip()[:1].isupper():
        core = core[:1].upper() + core[1:]  # a sentence starts with a capital, as the user began theirs
    return core
