"""Questions as people mistype them: one deterministic edit in one content word per question.

``hoidap eval --typos`` asks each gold question in this form, so the spelling
correction (rag/spelling.py) is measured on the same questions as the clean
run. The word and the edit are chosen from a hash of the question's id, so a
run is reproducible: a slipped tone mark, a lost vowel mark (ư→u, ơ→o, â→a, ê→e,
ô→o, ă→a, đ→d), two swapped letters, or a dropped letter.

``hoidap eval --no-accents`` asks each question as it is typed on a keyboard without
a Vietnamese input method (``without_marks``): every mark gone, capitals and
punctuation kept; with ``--typos`` too, the typo comes first.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

_WORD = re.compile(r"[^\W\d_]{3,}", re.UNICODE)
_TONES = ["\u0300", "\u0301", "\u0303", "\u0309", "\u0323"]
_VOWEL_MARKS = {"ư": "u", "ơ": "o", "â": "a", "ê": "e", "ô": "o", "ă": "a", "đ": "d",
                "Ư": "U", "Ơ": "O", "Â": "A", "Ê": "E", "Ô": "O", "Ă": "A", "Đ": "D"}
# Question words are not "content" words: a typo there tests nothing about the articles.
_SKIP = {"bao", "nhiêu", "những", "người", "được", "không", "trong", "nào", "đâu", "thế", "như", "của", "các",
         "với", "cho", "này", "khi", "gì", "là", "có", "sao", "mấy", "vào", "từ", "đến", "theo"}


def hashed(key: str, salt: str) -> int:
    """A number fixed by the question's id and what it picks (reproducible runs; eval/chatty.py too)."""
    return int(hashlib.sha256(f"{salt}:{key}".encode()).hexdigest()[:8], 16)


def _change_tone(word: str, pick: int) -> str | None:
    """A tone mark slips to another tone, or is left out."""
    decomposed = unicodedata.normalize("NFD", word)
    tones = [i for i, ch in enumerate(decomposed) if ch in _TONES]
    if not tones:
        return None
    vowel = sum(1 for ch in decomposed[:tones[0]] if not unicodedata.combining(ch)) - 1
    bare = unicodedata.normalize("NFC", "".join(ch for ch in decomposed if ch not in _TONES))
    options = [t for t in _TONES if t != decomposed[tones[0]]] + [""]
    return unicodedata.normalize("NFC", bare[:vowel + 1] + options[pick % len(options)] + bare[vowel + 1:])


def _drop_vowel_mark(word: str, pick: int) -> str | None:
    decomposed = unicodedata.normalize("NFD", word)
    tone = [ch for ch in decomposed if ch in _TONES]
    bare = unicodedata.normalize("NFC", "".join(ch for ch in decomposed if ch not in _TONES))
    marked = [i for i, ch in enumerate(bare) if ch in _VOWEL_MARKS]
    if not marked:
        return None
    i = marked[pick % len(marked)]
    plain = bare[:i] + _VOWEL_MARKS[bare[i]] + bare[i + 1:]
    if tone:  # put the tone back on the first vowel that can carry it
        decomposed = unicodedata.normalize("NFD", plain)
        vowel = next((j for j, ch in enumerate(decomposed) if ch.lower() in "aeiouy"), None)
        if vowel is not None:
            decomposed = decomposed[:vowel + 1] + tone[0] + decomposed[vowel + 1:]
        plain = unicodedata.normalize("NFC", decomposed)
    return plain


def _swap(word: str, pick: int) -> str | None:
    if len(word) < 4:
        return None
    i = 1 + pick % (len(word) - 2)
    return word[:i] + word[i + 1] + word[i] + word[i + 2:] if word[i] != word[i + 1] else None


def _drop(word: str, pick: int) -> str | None:
    if len(word) < 4:
        return None
    i = 1 + pick % (len(word) - 1)
    return word[:i] + word[i + 1:]


EDITS = [_change_tone, _drop_vowel_mark, _swap, _drop]


def mistype(question: str, key: str) -> str:
    """The question with one edit in one content word (unchanged if no word can take one)."""
    found = [m for m in _WORD.finditer(question) if m.group(0).lower() not in _SKIP]
    if not found:
        return question
    start = hashed(key, "word") % len(found)
    for offset in range(len(found)):
        match = found[(start + offset) % len(found)]
        for step in range(len(EDITS)):
            edit = EDITS[(hashed(key, "edit") + step) % len(EDITS)]
            changed = edit(match.group(0), hashed(key, "pick"))
            if changed and changed != match.group(0):
                return question[:match.start()] + changed + question[match.end():]
    return question


def without_marks(text: str) -> str:
    """The text typed without any diacritic: "Đảng bộ Phước Tân?" → "Dang bo Phuoc Tan?" (capitals kept)."""
    from index.textnorm import strip_marks

    return strip_marks(text)
