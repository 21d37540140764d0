"""Is a typed word spelt like a Vietnamese syllable? (onset, vowel cluster, final, and the tones a stop final
allows). A word typed with marks that is one is taken as meant, even when the index has never seen it:
"vàng" in "Giá vàng hôm nay" is no typo of "đảng" however often the archive says "đảng"."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_ONSET = "ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|b|c|d|đ|g|h|k|l|m|n|p|r|s|t|v|x"
# Vowel clusters ending in a glide, or "ia / ua / ưa", take no final; "iê / yê / uô / ươ / uyê" need one.
_OPEN = ("ai ao au ay âu ây eo êu iu oi ôi ơi ui ưi ưu iêu yêu oai oay oeo uây uôi ươi ươu uyu "
         "ia ua ưa uya").split()
_CLOSED = "iê yê uô ươ uyê".split()
_EITHER = "a ă â e ê i y o ô ơ u ư oa oă oe uâ uê uơ uy".split()
_NUCLEUS = "|".join(sorted(_OPEN + _CLOSED + _EITHER, key=len, reverse=True))
_FINAL = "ch|nh|ng|c|m|n|p|t"
_SHAPE = re.compile(rf"^(?:{_ONSET})?(?P<nucleus>{_NUCLEUS})(?P<final>{_FINAL})?$")
_TONES = {"\u0300": "huyen", "\u0301": "sac", "\u0309": "hoi", "\u0303": "nga", "\u0323": "nang"}
_VOWEL_MARKS = {"\u0306", "\u0302", "\u031b"}  # ă, â/ê/ô, ơ/ư


@lru_cache(maxsize=50_000)
def is_syllable(word: str) -> bool:
    decomposed = unicodedata.normalize("NFD", word.lower())
    tones = [_TONES[ch] for ch in decomposed if ch in _TONES]
    if len(tones) > 1:
        return False
    bare = unicodedata.normalize("NFC", "".join(ch for ch in decomposed if ch not in _TONES))
    match = _SHAPE.match(bare)
    if match is None:
        return False
    nucleus, final = match.group("nucleus"), match.group("final")
    if final and nucleus in _OPEN or not final and nucleus in _CLOSED:
        return False
    # A stop final ("-c", "-ch", "-p", "-t") takes only the sắc or nặng tone: "Phươc" is a slip of "Phước".
    return not (final in ("c", "ch", "p", "t") and (not tones or tones[0] not in ("sac", "nang")))
