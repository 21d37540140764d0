"""A second reading, with its marks restored, of a question typed without diacritics (or with some words
typed without them: the words typed with marks are kept as typed).

"so dang vien cua phuong" matches every "sở / số / sơ …" in the folded field;
the words the writer meant are usually the ones the archive itself writes
together. Each syllable's candidates are its indexed spellings (every way of
marking it that the index holds); the reading chosen is the path through them
whose word pairs the index holds most often — a bigram Viterbi over the index's
own document frequencies, so nothing is listed or downloaded and the cost is
the same at 5 or 100,000 articles.

The reading is only a second view for retrieval (``rag/retrieval.py`` adds its
accented-field score — for a question with some marks, of the terms it adds to
the typed ones); the question shown, corrected and analysed stays the one
typed. Restored word by word it is often wrong in one word (docs/answerer.md: 52 % of vinewsqa-dev questions), which is why it never
replaces the question: as an extra field it lifted doc_hit@1 of unaccented
questions on every development set (docs/retrieval.md).
"""

from __future__ import annotations

import math
import re

from index.textnorm import fold, has_diacritics, match_form
from rag.question import QuestionAnalysis, analyse, phrase_spelling
from rag.spelling import spellings

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
PAIR_SMOOTHING = 0.1  # a pair the index never holds still passes on a tenth of its second word's frequency


class AccentRestorer:
    def __init__(self, lexical):
        self.lexical = lexical
        self.rows = max(1, lexical.n_rows)  # a word alone is scored by the share of rows holding it

    def _df(self, token: str) -> int:
        return self.lexical.document_frequency(token, "accented")

    def candidates(self, word: str) -> list[str]:
        """The indexed spellings of a word typed without marks (the word itself when none is indexed)."""
        if has_diacritics(word):
            return [match_form(word)]  # typed with its marks: kept as typed
        folded = fold(word)
        # Commonest first, then alphabetical: ties in the reading break the same way in every process
        # (``spellings`` is a set, whose order changes with the interpreter's hash seed).
        found = sorted((s for s in spellings(folded) if self._df(s) > 0), key=lambda s: (-self._df(s), s))
        phrase = phrase_spelling(folded)
        if phrase and phrase not in found:
            found.append(phrase)
        return found or [word.lower()]

    def terms(self, analysis: QuestionAnalysis) -> list[str]:
        """The accented-field terms the reading adds to the question's own: all of them for a question typed
        without any mark, those it does not already search otherwise; none when every word has its marks."""
        if analysis.accented and not any(len(w) > 1 and not has_diacritics(w) for w in _WORD.findall(analysis.text)):
            return []
        terms = analyse(self.restore(analysis.text)).terms("accented")
        if not analysis.accented:
            return terms
        typed = set(analysis.terms("accented"))
        return [t for t in terms if t not in typed]

    def restore(self, text: str) -> str:
        """``text`` with each unmarked syllable written as the index most likely writes it there."""
        words = list(_WORD.finditer(text))
        if not words:
            return text
        options = [self.candidates(m.group(0)) for m in words]
        # Adjacent words (nothing but spaces between them) are scored as a pair; others alone.
        joined = [not text[a.end():b.start()].strip() for a, b in zip(words, words[1:])]

        def alone(s: str) -> float:
            return math.log((self._df(s) + 0.5) / self.rows)

        best = {s: (alone(s), [s]) for s in options[0]}
        for i in range(1, len(options)):
            step = {}
            for s in options[i]:
                scored = []
                for previous, (score, path) in best.items():
                    if joined[i - 1]:
                        pair = self._df(f"{previous}_{s}")
                        unseen = PAIR_SMOOTHING * (self._df(s) + 0.5) / self.rows
                        gain = math.log((pair + unseen) / (self._df(previous) + PAIR_SMOOTHING))
                    else:
                        gain = alone(s)
                    scored.append((score + gain, path))
                score, path = max(scored, key=lambda item: item[0])
                step[s] = (score, path + [s])
            best = step
        path = max(best.values(), key=lambda item: item[0])[1]
        out, last = [], 0
        for match, spelling in zip(words, path):
            out.append(text[last:match.start()])
            typed = match.group(0)
            out.append(spelling.upper() if len(typed) > 1 and typed.isupper()
                       else spelling[:1].upper() + spelling[1:] if typed[:1].isupper() else spelling)
            last = match.end()
        out.append(text[last:])
        return "".join(out)

