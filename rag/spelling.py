"""Question words as people type them, corrected against the index's own vocabulary.

A question syllable the index has never seen is replaced before scoring:

* its diacritic-free form is known ("Phươc" → "phuoc"): the most frequent indexed
  spelling with that form ("Phước") — a slipped or missing tone or vowel mark;
* a letter dropped, swapped or mistyped in a word typed with its marks: the
  indexed syllable one edit away with the marks where they were typed ("sốn" →
  "sống", "Chtấ" → "chất") — first when it pairs with a neighbour, even over a
  slipped mark ("suy gảm" → "suy giảm", not "gam"), even for a word spelt like
  a syllable ("trực thộc" → "trực thuộc");
* otherwise the most frequent indexed syllable one edit away in the
  diacritic-free form ("nhiu" → "nhiều", "dnag" → "đang");
* a known syllable whose slipped mark made another word ("nhà vô dịch", "thành lấp"): when neither pair it
  forms with its neighbours is in the index and a spelling with the same letters forms one ("vô địch",
  "thành lập"), that spelling. The index's own word pairs are the language model; among spellings, the
  one whose pairs with the neighbours are commonest wins, then the commonest alone.

Candidates are generated (every way of marking a diacritic-free syllable; every
single edit of it) and looked up in the index by document frequency, so no
vocabulary is ever listed — the cost is the same at 5 or 100,000 articles.
Numbers and one- and two-letter words are never touched, nor is a word the index
knows in a pair with a neighbour, nor — in a question typed with marks — a word that forms a word of the
language with a neighbour as typed (pyvi's word list, rag/lexicon.py: "chủ trì" in an archive that never
says it), nor a question word written as question phrases write it ("mấy", even in an archive that only
says "máy"); a word the index knows is never made a question word ("Đội nào" is no "Nơi nào"), and a
capitalised word after the first that the index knows is a name as typed ("bà Nghiêm" is no "Nghiệm"). The
corrected question is what every later step sees.
"""

from __future__ import annotations

import itertools
import re
import string
from functools import lru_cache

from index.textnorm import fold, match_form
from rag.lexicon import in_a_word, is_word
from rag.question import phrase_spelling, question_pairs, question_syllables
from rag.syllable import is_syllable

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_MARKED = {"a": "aăâ", "e": "eê", "o": "oôơ", "u": "uư", "d": "dđ"}
_TONES = "aàáảãạ|ăằắẳẵặ|âầấẩẫậ|eèéẻẽẹ|êềếểễệ|iìíỉĩị|oòóỏõọ|ôồốổỗộ|ơờớởỡợ|uùúủũụ|ưừứửữự|yỳýỷỹỵ"
_TONED = {group[0]: group for group in _TONES.split("|")}
_VOWELS = set("aăâeêioôơuưy")
_LETTERS = string.ascii_lowercase + "ăâđêôơư"


@lru_cache(maxsize=20_000)
def marked_edits(form: str) -> tuple[str, ...]:
    """One edit of a syllable typed with its marks, the marks kept where they were ("sốn" → "sống", "Chtấ" →
    "chất", "đờng" → "đường"): a dropped, doubled, swapped or wrong letter, not a slipped mark."""
    if len(form) > 8:
        return ()
    return tuple({match_form(edit) for edit in edits(form, _LETTERS)})


@lru_cache(maxsize=20_000)
def spellings(folded: str) -> tuple[str, ...]:
    """Every accented syllable whose diacritic-free form is ``folded`` (one tone mark at most)."""
    if len(folded) > 8:
        return ()
    letters = [_MARKED.get(ch, ch) for ch in folded]
    out = set()
    for bare in itertools.product(*letters):
        vowels = [i for i, ch in enumerate(bare) if ch in _VOWELS]
        out.add("".join(bare))
        for i in vowels:
            for toned in _TONED[bare[i]][1:]:
                out.add(match_form("".join(bare[:i]) + toned + "".join(bare[i + 1:])))
    return tuple(out)


def edits(word: str, letters: str = string.ascii_lowercase) -> set[str]:
    """Every string one deletion, transposition, replacement or insertion away (of ``letters``)."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    return ({a + b[1:] for a, b in splits if b}
            | {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
            | {a + c + b[1:] for a, b in splits if b for c in letters}
            | {a + c + b for a, b in splits for c in letters}) - {word}


class Speller:
    def __init__(self, lexical):
        self.lexical = lexical
        self.protected = question_syllables()
        self.phrases = question_pairs()

    def _df(self, token: str, field: str) -> int:
        return self.lexical.document_frequency(token, field)

    def _best_of(self, candidates, around: tuple[str, str]) -> str | None:
        """The indexed candidate whose pairs with the neighbours are commonest, then the commonest alone."""
        known = [(self._df(c, "accented"), c) for c in candidates]
        found = [(self._pairs(c, *around), df, c) for df, c in known if df > 0]
        return max(found)[2] if found else None

    def _best_spelling(self, folded: str, around: tuple[str, str] = ("", "")) -> str | None:
        return self._best_of(spellings(folded), around)

    def _pair_rows(self, word: str, before: str, after: str, field: str) -> int:
        """Rows holding the pair ``word`` forms with each neighbour, in the index's ``field``."""
        return ((self._df(f"{before}_{word}", field) if before else 0)
                + (self._df(f"{word}_{after}", field) if after else 0))

    def _pairs(self, syllable: str, before: str, after: str) -> int:
        """Rows holding the pair this (accented) syllable forms with each neighbour."""
        return self._pair_rows(syllable, before, after, "accented")

    def correct_word(self, word: str, accented: bool, before: str = "", after: str = "",
                     around: tuple[str, str] = ("", "")) -> str | None:
        """``before``/``after``: the neighbouring words (folded), whose pairs with a candidate in the
        index decide between candidates first ("bao nhiu" → "bao nhieu", not the commoner "nhu");
        ``around``: the same neighbours accented, for choosing among a word's spellings. In a question typed
        with marks, a word that forms a word of the language with a neighbour as typed stays as typed,
        whatever the archive holds ("chủ trì", "vai trò" in five articles that never say them: rag/lexicon.py)."""
        fixed = self._correction(word, accented, before, after, around)
        if fixed is not None and accented and in_a_word(word, *around):
            return None
        return fixed

    def _correction(self, word: str, accented: bool, before: str, after: str,
                    around: tuple[str, str]) -> str | None:
        folded = fold(word)
        if len(folded) < 3 or not folded.isascii():
            return None
        form = match_form(word)
        known = self._df(form, "accented") > 0 if accented else self._df(folded, "folded") > 0
        if folded in self.protected:  # a question word ("đâu", "phải") — or a word spelt like one ("đẫu nành")
            if form == phrase_spelling(folded):
                # Written as the question word is, it is one, even where the archive never says it ("đối
                # với mấy chi bộ" is no "với máy" in an archive that has machines but never asks "mấy").
                return None
            return self._in_context(form, folded, around) if accented and not known else None
        # A word the archive holds is no slip of a question word, whatever it is one edit from and whether or
        # not the archive pairs it with its neighbours: "Đội nào" is no "Nơi nào", "khi tạo" no "khi nào", "thu
        # lấy" no "thu mấy", "tác hại gì" no "cái gì".
        if not known and accented and self._df(folded, "folded") > 0:
            # A mark slipped on a word the archive pairs with a neighbour is that word, before any question
            # phrase one letter away: "Cầu Ông Lảnh thu" is "Ông Lãnh", not "lần thứ".
            slip = self._best_spelling(folded, around)
            if slip is not None and self._pairs(slip, *around) > 0:
                return slip
        if not known:
            for candidate in sorted(edits(folded)):  # one edit from a question phrase: "phần trăn" → "phần trăm"
                if candidate in self.protected and self._context(candidate, before, after) == 1 << 40:
                    return (phrase_spelling(candidate) or candidate) if accented else candidate
        if accented and known:
            if word[:1].isupper() and before:  # a name the archive holds, as typed ("bà Nghiêm", "anh Thái")
                return None
            return self._in_context(form, folded, around)
        slip = None
        if self._df(folded, "folded") > 0:
            # Known without its marks: a slipped mark when typed with accents, nothing to do without (a real
            # syllable typed with other marks is still read as a slip: leaving "bài viết" as typed in an
            # archive that only says "Việt" also left slipped marks typed, docs/answerer.md).
            if not accented:
                return None
            slip = self._best_spelling(folded, around)
            if slip is not None and self._pairs(slip, *around) > 0:
                return slip
        if accented:
            # A letter dropped, swapped or mistyped, the marks typed kept: the spelling that pairs with a
            # neighbour first ("suy gảm" → "suy giảm", not the mark slip "gam"), else the commonest.
            marked = self._best_of(marked_edits(form), around)
            if marked is not None and self._pairs(marked, *around) > 0:
                return marked
            if slip is not None and not (word != folded and is_word(word)):
                # The commoner spelling with nothing beside it to say so, unless the word typed is a word of the
                # language ("cần", "viết" in an archive that never says them are no "cán", "Việt").
                return slip
            if word != folded and is_syllable(word):
                return None  # typed with its marks as a real syllable: meant, not a typo of a commoner word
            if marked is not None and word != folded:
                return marked
        near = [(self._df(candidate, "folded"), candidate) for candidate in edits(folded)]
        near = [(self._context(c, before, after), df, c) for df, c in near if df > 0]
        if not near:
            return None
        best = max(near)[2]
        return (self._best_spelling(best, around) or best) if accented else best

    def _in_context(self, syllable: str, folded: str, around: tuple[str, str]) -> str | None:
        """Another spelling of a known syllable, when only that one pairs with its neighbours."""
        if not any(around) or self._pairs(syllable, *around) > 0:
            return None
        best = self._best_spelling(folded, around)
        return best if best is not None and best != syllable and self._pairs(best, *around) > 0 else None

    def _context(self, candidate: str, before: str, after: str) -> int:
        if (before, candidate) in self.phrases or (candidate, after) in self.phrases:
            return 1 << 40  # completes a question phrase ("bao nhiu" → "bao nhieu"), whatever the corpus holds
        return self._pair_rows(candidate, before, after, "folded")

    def correct(self, question: str, accented: bool) -> tuple[str, bool]:
        """(question with unknown words replaced, whether any was)."""
        changed = False
        found = list(_WORD.finditer(question))
        folded = [fold(m.group(0)) for m in found]
        forms = [match_form(m.group(0)) for m in found]
        # Neighbours across punctuation or a number are not pairs in the index.
        joined = [i + 1 < len(found) and not question[m.end():found[i + 1].start()].strip()
                  for i, m in enumerate(found)]
        pieces, last = [], 0
        # Left to right, each word read beside the words before it as corrected: "bão cáo" becomes "báo cáo"
        # (and "cáo", now beside "báo", stays), not "bão cao".
        for i, match in enumerate(found):
            word = match.group(0)
            fixed = self.correct_word(word, accented, folded[i - 1] if i else "",
                                      folded[i + 1] if i + 1 < len(found) else "",
                                      (forms[i - 1] if i and joined[i - 1] else "", forms[i + 1] if joined[i] else ""))
            pieces.append(question[last:match.start()])
            last = match.end()
            if fixed is None:
                pieces.append(word)
                continue
            changed = True
            pieces.append(fixed[:1].upper() + fixed[1:] if word[:1].isupper() else fixed)
            folded[i], forms[i] = fold(fixed), match_form(fixed)
        pieces.append(question[last:])
        return "".join(pieces), changed
