import random

import pytest

from academy_portal.core.collation import vietnamese_sort_key


def vi_sorted(words):
    return sorted(words, key=vietnamese_sort_key)


def test_d_with_stroke_comes_after_d_not_after_z():
    assert vi_sorted(["Zimbabwe", "Đức", "Đan Mạch", "Dominica", "Djibouti"]) == [
        "Djibouti",
        "Dominica",
        "Đan Mạch",
        "Đức",
        "Zimbabwe",
    ]


def test_alphabet_order_of_the_vietnamese_letters():
    letters = list("aăâbcdđeêghiklmnoôơpqrstuưvxy")
    shuffled = letters[:]
    random.Random(4).shuffle(shuffled)
    assert vi_sorted(shuffled) == letters
    assert vi_sorted([letter.upper() for letter in shuffled]) == [
        letter.upper() for letter in letters
    ]


def test_letters_before_tones_and_tones_in_dictionary_order():
    # "Anh" < "Ấn Độ": â is a letter after a, whatever the tone.
    assert vi_sorted(["Ấn Độ", "Anh", "Ba Lan", "Áo"]) == ["Anh", "Áo", "Ấn Độ", "Ba Lan"]
    assert vi_sorted(["ạ", "á", "ã", "ả", "à", "a"]) == ["a", "à", "ả", "ã", "á", "ạ"]
    assert vi_sorted(["ma", "mà", "mả", "mạ", "mác"]) == ["ma", "mà", "mả", "mạ", "mác"]


def test_syllable_by_syllable_and_foreign_letters():
    assert vi_sorted(["Ai-xơ-len", "Ai Cập", "Afghanistan", "Ả Rập Saudi"]) == [
        "Ả Rập Saudi",
        "Afghanistan",
        "Ai Cập",
        "Ai-xơ-len",
    ]
    assert vi_sorted(["Wales", "Zambia", "Fiji", "Jamaica", "Việt Nam"]) == [
        "Fiji",
        "Jamaica",
        "Việt Nam",
        "Wales",
        "Zambia",
    ]


@pytest.mark.parametrize("text", ["", "—", "Réunion", "Curaçao", "Åland", "北京"])
def test_any_text_has_a_key(text):
    assert vietnamese_sort_key(text)[2] == text
