import random
import re

import pytest

from academy_portal.core.collation import vietnamese_sort_column, vietnamese_sort_key


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


# --- the stored column ------------------------------------------------------------------------

SAMPLE_LETTERS = "aăâbcdđeêghiklmnoôơpqrstuưvxyfjwzAĐÊ áàảãạ-'.0123çü北é"


def random_words(seed, count=400):
    rng = random.Random(seed)
    return ["".join(rng.choices(SAMPLE_LETTERS, k=rng.randint(0, 7))) for _ in range(count)]


def without_text(key):
    return key[:2]  # the column leaves ties (case, punctuation) to the row's key


def test_the_column_sorts_as_the_key_sorts():
    words = random_words(1)
    by_column = sorted(words, key=vietnamese_sort_column)
    assert [without_text(vietnamese_sort_key(w)) for w in by_column] == sorted(
        without_text(vietnamese_sort_key(w)) for w in words
    )


def test_a_column_of_several_parts_sorts_part_by_part():
    pairs = list(zip(random_words(2), random_words(3), strict=True))
    by_column = sorted(pairs, key=lambda pair: vietnamese_sort_column(*pair))

    def parts_key(pair):
        return tuple(without_text(vietnamese_sort_key(part)) for part in pair)

    assert [parts_key(p) for p in by_column] == sorted(parts_key(p) for p in pairs)


def test_names_in_vietnamese_order_by_the_column():
    names = ["Zhang", "Đặng", "Bùi", "Ánh", "Dương", "Anh", "Anh Thư", "Đức", "Nguyễn", "Ngô"]
    assert sorted(names, key=vietnamese_sort_column) == [
        "Anh",
        "Ánh",
        "Anh Thư",
        "Bùi",
        "Dương",
        "Đặng",
        "Đức",
        "Ngô",
        "Nguyễn",
        "Zhang",
    ]


@pytest.mark.parametrize("text", ["", "Đặng", "Curaçao", "北京", "O'Brien-Smith", "\U0010ffff"])
def test_the_column_is_plain_lowercase_ascii_letters_and_digits(text):
    # Any database collation (C, en_US, ICU) orders such text as Python does.
    assert re.fullmatch("[0-9a-z]+", vietnamese_sort_column(text, "Anh"))
