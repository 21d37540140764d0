"""Words of the language, not only of the archive: pyvi's Vietnamese word list (MIT, ~31,000 words).

The speller (rag/spelling.py) corrects a question word the index does not know into one it does. On a small
archive that turns words typed right into other words: the five seed articles never say "chủ trì", so
"Ai chủ trì hội nghị?" was read as "Ai chủ trị hội nghị?". In a question typed with marks, a word that forms
a word of this list with a neighbour as typed ("chủ trì", "vai trò") is meant, and stays as typed.

The list ships inside pyvi's wheel (pyvi/models/words.txt); it is read as a text file, without importing
pyvi (whose tokenizer loads scikit-learn), and only when a question holds a word the index lacks. Without
pyvi installed the speller works as before.
"""

from __future__ import annotations

import importlib.util
from functools import lru_cache
from pathlib import Path

from index.textnorm import match_form


@lru_cache(maxsize=1)
def word_pairs() -> frozenset[tuple[str, str]]:
    """Adjacent syllables inside the list's words ("chủ trì" → ("chủ", "trì")), tone-normalised lower case."""
    spec = importlib.util.find_spec("pyvi")
    if spec is None or not spec.submodule_search_locations:
        return frozenset()
    path = Path(next(iter(spec.submodule_search_locations))) / "models" / "words.txt"
    try:
        lines = match_form(path.read_text(encoding="utf-8")).splitlines()  # normalised once, not per line
    except (OSError, UnicodeDecodeError):
        return frozenset()
    pairs = set()
    for line in lines:
        syllables = line.split()
        pairs.update(zip(syllables, syllables[1:]))
    return frozenset(pairs)


def in_a_word(syllable: str, before: str, after: str) -> bool:
    """The syllable, as typed, forms a word of the language with a neighbour."""
    pairs = word_pairs()
    form = match_form(syllable)
    return bool(before) and (match_form(before), form) in pairs or bool(after) and (form, match_form(after)) in pairs
