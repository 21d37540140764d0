"""Words of the language, not only of the archive: pyvi's Vietnamese word list (MIT, ~31,000 words).

The speller (rag/spelling.py) corrects a question word the index does not know into one it does. On a small
archive that turns words typed right into other words: the five seed articles never say "chủ trì", so
"Ai chủ trì hội nghị?" was read as "Ai chủ trị hội nghị?". In a question typed with marks, a word that forms
a word of this list with a neighbour as typed ("chủ trì", "vai trò") is meant, and stays as typed; so is a
word of one syllable the list holds when nothing beside it in the archive says otherwise ("cần", "viết" in
five articles that never say them were read as "cán", "Việt").

The same list keeps a short answer from cutting a word in two: "4 tập" of "4 tập thể", "trương vào năm
1981" of "khai trương", "Hồng Vệ" of "Hồng Vệ binh" (`whole_words`).

The list ships inside pyvi's wheel (pyvi/models/words.txt); it is read as a text file, without importing
pyvi (whose tokenizer loads scikit-learn), once per process when first needed — a correction to check or a
short answer to show (0.04 s). Without pyvi installed the speller works as before and short answers are
left as the ranker chose them.
"""

from __future__ import annotations

import importlib.util
from functools import lru_cache
from pathlib import Path

from index.textnorm import match_form
from rag.candidates import WORD_RE


@lru_cache(maxsize=1)
def _entries() -> tuple[str, ...]:
    """The list's words, tone-normalised lower case; empty without pyvi."""
    spec = importlib.util.find_spec("pyvi")
    if spec is None or not spec.submodule_search_locations:
        return ()
    path = Path(next(iter(spec.submodule_search_locations))) / "models" / "words.txt"
    try:
        return tuple(match_form(path.read_text(encoding="utf-8")).splitlines())  # normalised once, not per line
    except (OSError, UnicodeDecodeError):
        return ()


@lru_cache(maxsize=1)
def word_pairs() -> frozenset[tuple[str, str]]:
    """Adjacent syllables inside the list's words ("chủ trì" → ("chủ", "trì")), tone-normalised lower case."""
    pairs = set()
    for line in _entries():
        syllables = line.split()
        pairs.update(zip(syllables, syllables[1:]))
    return frozenset(pairs)


@lru_cache(maxsize=1)
def one_syllable_words() -> frozenset[str]:
    """The list's words of one syllable ("cần", "viết"; not "thág", "phươc")."""
    return frozenset(line.strip() for line in _entries() if line.strip() and " " not in line.strip())


def is_word(syllable: str) -> bool:
    """The syllable, as typed, is a word of the language by itself."""
    return match_form(syllable) in one_syllable_words()


def in_a_word(syllable: str, before: str, after: str) -> bool:
    """The syllable, as typed, forms a word of the language with a neighbour."""
    pairs = word_pairs()
    form = match_form(syllable)
    return bool(before) and (match_form(before), form) in pairs or bool(after) and (form, match_form(after)) in pairs


def whole_words(text: str, start: int, end: int) -> tuple[int, int]:
    """``text[start:end]`` widened by a syllable at an edge that cuts a word of the language in two.

    An edge cuts a word when the syllable outside it and the one inside form a word of the list, written with
    only a space between them — unless the inside syllable forms a word with the next one inside too ("học
    sinh viên": both readings are words, so the span is left as it is)."""
    pairs = word_pairs()
    found = list(WORD_RE.finditer(text))
    inside = [i for i, m in enumerate(found) if m.start() >= start and m.end() <= end]
    if not pairs or not inside:
        return start, end
    first, last = inside[0], inside[-1]

    def word(a: int, b: int) -> bool:
        """Syllables a and b, one space apart, form a word of the list."""
        return (text[found[a].end():found[b].start()] == " "
                and (match_form(found[a].group(0)), match_form(found[b].group(0))) in pairs)

    grow_left = first > 0 and word(first - 1, first) and not (first < last and word(first, first + 1))
    grow_right = last + 1 < len(found) and word(last, last + 1) and not (first < last and word(last - 1, last))
    first, last = first - grow_left, last + grow_right
    return min(start, found[first].start()), max(end, found[last].end())
