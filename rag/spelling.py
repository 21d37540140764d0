"""Question words as people type them, corrected against the index's own vocabulary.

A question syllable the index has never seen is replaced before scoring:

* its diacritic-free form is known ("Phươc" → "phuoc"): the most frequent indexed
  spelling with that form ("Phước") — a slipped or missing tone or vowel mark;
* otherwise the most frequent indexed syllable one edit away in the
  diacritic-free form ("nhiu" → "nhiều", "dnag" → "đang"), found with rapidfuzz.

Numbers, one- and two-letter words and words the index knows are never touched,
and the corrected question is what every later step sees.
"""

from __future__ import annotations

import re
import threading

from index.textnorm import fold, match_form

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


class Speller:
    def __init__(self, lexical):
        self.lexical = lexical
        self._folded_to_accented: dict[str, str] | None = None
        self._folded_vocab: list[str] | None = None
        self._lock = threading.Lock()

    def _known(self, token: str, field: str) -> bool:
        return self.lexical.document_frequency(token, field) > 0

    def _maps(self) -> tuple[dict[str, str], list[str]]:
        with self._lock:
            if self._folded_to_accented is None:
                best: dict[str, tuple[int, str]] = {}
                for token in self.lexical.vocabulary("accented"):
                    if "_" in token or not token.isalpha():
                        continue
                    df = self.lexical.document_frequency(token, "accented")
                    key = fold(token)
                    if key not in best or df > best[key][0]:
                        best[key] = (df, token)
                self._folded_to_accented = {k: v for k, (_, v) in best.items()}
                self._folded_vocab = [t for t in self.lexical.vocabulary("folded") if "_" not in t and t.isalpha()]
        return self._folded_to_accented, self._folded_vocab

    def correct_word(self, word: str, accented: bool) -> str | None:
        lowered = match_form(word)
        folded = fold(word)
        if len(folded) < 3:
            return None
        if accented and self._known(lowered, "accented"):
            return None
        if not accented and self._known(folded, "folded"):
            return None
        to_accented, vocabulary = self._maps()
        if accented and folded in to_accented:
            return to_accented[folded]
        if self._known(folded, "folded"):
            return None  # typed without marks and known that way: nothing to correct
        from rapidfuzz import process
        from rapidfuzz.distance import Levenshtein

        close = process.extract(folded, vocabulary, scorer=Levenshtein.distance, score_cutoff=1, limit=20)
        if not close:
            return None
        best = max(close, key=lambda hit: (self.lexical.document_frequency(hit[0], "folded"), hit[0]))[0]
        return to_accented.get(best, best) if accented else best

    def correct(self, question: str, accented: bool) -> tuple[str, bool]:
        """(question with unknown words replaced, whether any was)."""
        changed = False

        def replace(match: re.Match) -> str:
            nonlocal changed
            word = match.group(0)
            fixed = self.correct_word(word, accented)
            if fixed is None or fold(fixed) == fold(word) and not accented:
                return word
            changed = True
            return fixed[:1].upper() + fixed[1:] if word[:1].isupper() else fixed

        return _WORD.sub(replace, question), changed
