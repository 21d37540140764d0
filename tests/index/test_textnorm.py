"""Tone-mark styles, accents and punctuation are matched alike; other words are left as written."""

import unicodedata

import pytest

from index.textnorm import fold, match_form, normalize_tones, tokens


@pytest.mark.parametrize(
    ("old_style", "new_style"),
    [
        ("Đảng ủy", "đảng uỷ"),
        ("hòa bình", "hoà bình"),
        ("sức khỏe", "sức khoẻ"),
        ("THỦY LỢI", "thuỷ lợi"),
        ("Khánh Hòa.", "khánh hoà."),
        ("Ủy ban (thủy sản)", "uỷ ban (thuỷ sản)"),
    ],
)
def test_both_tone_mark_styles_give_one_match_form(old_style, new_style):
    assert match_form(old_style) == new_style
    assert match_form(new_style) == new_style


@pytest.mark.parametrize("word", ["hoàng", "ngoài", "quý", "quỳnh", "khuya", "thuở", "Hoà", "toạ", "thuý", "của"])
def test_words_that_are_not_open_oa_oe_uy_syllables_keep_their_mark(word):
    assert normalize_tones(word) == word


def test_decomposed_input_is_composed_first():
    decomposed = unicodedata.normalize("NFD", "Đảng ủy Hòa Bình")
    assert normalize_tones(decomposed) == "Đảng uỷ Hoà Bình"


def test_fold_is_what_users_type_without_accents():
    assert fold("Đảng uỷ phường Phước Tân: 553 đảng viên") == "dang uy phuong phuoc tan: 553 dang vien"
    assert fold("“Hòa” – 36,26%…") == '"hoa" - 36,26%...'


def test_tokens_keep_numbers_and_spell_out_abbreviations():
    assert tokens("UBND TP. Nha Trang chi 18.700.000 đồng") == [
        "uỷ", "ban", "nhân", "dân", "thành", "phố", "nha", "trang", "chi", "18.700.000", "đồng",
    ]
