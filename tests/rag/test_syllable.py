"""Whether a typed word is spelt like a Vietnamese syllable: the speller leaves such words as typed."""

from __future__ import annotations

import pytest

from rag.syllable import is_syllable


@pytest.mark.parametrize("word", ["vàng", "đảng", "bài", "viết", "Phước", "nghiêng", "khuya", "quyết", "giữa",
                                  "người", "uỷ", "ủy", "hoá", "Nguyễn", "xoăn", "thuở"])
def test_real_syllables(word):
    assert is_syllable(word)


@pytest.mark.parametrize("word", [
    "Phươc",  # a stop final takes sắc or nặng: the tone slipped off "Phước"
    "viêt",  # the same, on "-t"
    "dnag",  # swapped letters
    "thàh",  # a dropped letter
    "ngânn",
    "lđ",  # no vowel
])
def test_typos_are_not_syllables(word):
    assert not is_syllable(word)
