"""Vietnamese text (db.core.textfold): NFC cleaning, folding for search, and the sort order."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from db.core.textfold import clean, fold, place_key, sort_key

# Every lowercase letter of Vietnamese with every tone, plus the capitals, digits and a space.
_BASES = "aăâeêioôơuưy"
_TONED = [
    unicodedata.normalize("NFC", base + tone)
    for base in _BASES
    for tone in ("", "\u0300", "\u0309", "\u0303", "\u0301", "\u0323")
]
VIETNAMESE_CHARS = sorted({*_TONED, *(c.upper() for c in _TONED), *"bcdđghklmnpqrstvxĐ0 "})
VIETNAMESE_TEXT = st.text(alphabet=st.sampled_from(VIETNAMESE_CHARS), max_size=40)

ALPHABET = [
    "a",
    "ă",
    "â",
    "b",
    "c",
    "d",
    "đ",
    "e",
    "ê",
    "g",
    "h",
    "i",
    "k",
    "l",
    "m",
    "n",
    "o",
    "ô",
    "ơ",
    "p",
    "q",
    "r",
    "s",
    "t",
    "u",
    "ư",
    "v",
    "x",
    "y",
]


# --- clean and fold ---------------------------------------------------------------------------


def test_fold_strips_diacritics_and_maps_d_bar() -> None:
    assert fold("Đặng Văn Đức") == "dang van duc"
    assert fold("NGUYỄN THỊ ÁNH") == "nguyen thi anh"
    assert fold("  Lò   Văn  Sướng ") == "lo van suong"


@pytest.mark.parametrize("empty", [None, "", "   "])
def test_fold_and_clean_of_nothing(empty: str | None) -> None:
    assert fold(empty) == ""
    assert clean(empty) == ""


def test_clean_makes_nfc_and_collapses_spaces() -> None:
    nfd = unicodedata.normalize("NFD", "Đặng  Văn\t\tĐức ")
    assert nfd != "Đặng Văn Đức"
    cleaned = clean(" " + nfd)
    assert cleaned == "Đặng Văn Đức"
    assert unicodedata.is_normalized("NFC", cleaned)


@given(VIETNAMESE_TEXT)
def test_nfd_folds_like_nfc(text: str) -> None:
    nfc = unicodedata.normalize("NFC", text)
    nfd = unicodedata.normalize("NFD", text)
    assert fold(nfd) == fold(nfc)
    assert clean(nfd) == clean(nfc)
    assert sort_key(nfd) == sort_key(nfc)


@given(VIETNAMESE_TEXT)
def test_fold_is_idempotent_and_plain_ascii(text: str) -> None:
    folded = fold(text)
    assert fold(folded) == folded
    assert folded.isascii()
    assert folded == folded.lower()
    assert "  " not in folded
    assert folded == folded.strip()


@given(VIETNAMESE_TEXT)
def test_clean_is_idempotent(text: str) -> None:
    assert clean(clean(text)) == clean(text)


@given(VIETNAMESE_TEXT)
def test_case_does_not_change_fold_or_order(text: str) -> None:
    assert fold(text.upper()) == fold(text.lower())
    assert sort_key(text.upper()) == sort_key(text.lower())


# --- Vietnamese sort order --------------------------------------------------------------------


def test_alphabet_order_letter_by_letter() -> None:
    # One-letter given names in the order of the Vietnamese alphabet.
    names = [f"Lê {letter.upper()}" for letter in ALPHABET]
    assert sorted(reversed(names), key=sort_key) == names


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("An", "Anh"),  # a prefix comes first
        ("Anh", "Ân"),  # a < â decides before the length does
        ("Ăn", "Ân"),
        ("Dung", "Đức"),  # d < đ: Đ is its own letter, after D
        ("Duy", "Đào"),
        ("Em", "Ê"),
        ("On", "Ông"),
        ("Ông", "Ơn"),
        ("Út", "Uy"),  # u t < u y: the tone of Ú does not make it a different letter
        ("Uy", "Ưng"),  # ư after u
        ("Yến", "Zoe"),
    ],
)
def test_letter_pairs(first: str, second: str) -> None:
    assert sort_key(first) < sort_key(second)
    assert sort_key(f"Trần Văn {first}") < sort_key(f"Nguyễn Văn {second}")


def test_tones_are_secondary_in_dictionary_order() -> None:
    tones = ["Ba", "Bà", "Bả", "Bã", "Bá", "Bạ"]
    assert sorted(reversed(tones), key=sort_key) == tones
    # Letters decide before tones: "Bạ" < "Bác" although nặng is the last tone.
    assert sort_key("Bạ") < sort_key("Bac")


def test_tone_position_does_not_matter() -> None:
    # Old and new tone placement are one name, and huyền still comes before sắc.
    assert sort_key("Hòa") == sort_key("Hoà")
    assert sort_key("Thủy") == sort_key("Thuỷ")
    assert sort_key("Phạm Hòa") < sort_key("Lê Hoá")
    assert sort_key("Lê Hoà") < sort_key("Phạm Hóa")


def test_given_name_first_then_family_name() -> None:
    assert sort_key("Trần Văn An") < sort_key("Nguyễn Thị Bình")
    # Same given name: the family (and middle) name decides.
    assert sort_key("Lê Văn Đức") < sort_key("Nguyễn Văn Đức") < sort_key("Nguyễn Xuân Đức")
    # Different given names are not mixed by the family name: all the Ba before the Bà.
    assert sort_key("Trần Văn Ba") < sort_key("Lê Thị Bà") < sort_key("Nguyễn Văn Bá")


def test_a_known_list_in_vietnamese_order() -> None:
    expected = [
        "Trần Văn An",
        "Hoàng Văn Anh",
        "Lò Thị Ánh",
        "Vì Văn Ân",
        "Nguyễn Thị Bình",
        "Lường Văn Dung",
        "Đặng Văn Đức",
        "Quàng Thị Hoa",
        "Phạm Văn Hòa",
        "Lê Thị Hoá",
        "Cầm Văn On",
        "Bạc Thị Ơn",
        "Hà Văn Út",
        "Lừ Văn Uy",
        "Tòng Thị Xuân",
        "Mùa A Y",
    ]
    assert sorted(reversed(expected), key=sort_key) == expected
    # Python's own order is not the Vietnamese one: the test would catch a plain sort.
    assert sorted(expected) != expected


def test_sort_key_of_nothing_and_spacing() -> None:
    assert sort_key("") == ""
    assert sort_key(None) == ""
    assert sort_key("  Đặng   Văn  Đức ") == sort_key("Đặng Văn Đức")


# An independent oracle: each letter's place in the alphabet, built by enumeration.
_TONE_MARKS = ("", "\u0300", "\u0309", "\u0303", "\u0301", "\u0323")
_PLACE = {
    unicodedata.normalize("NFC", letter + mark): (index, tone)
    for index, letter in enumerate(ALPHABET)
    for tone, mark in enumerate(_TONE_MARKS)
    if letter in "aăâeêioôơuưy" or not mark
}
# Mostly a few close letters, so that names often share letters and differ in tone or ă/â/đ.
_CLOSE = st.sampled_from(["a", "à", "á", "ă", "â", "d", "đ", "n"])
WORDS = st.text(alphabet=_CLOSE | st.sampled_from(sorted(_PLACE)), min_size=1, max_size=4)
NAMES = st.lists(WORDS, min_size=1, max_size=4).map(" ".join)


def _oracle(name: str) -> list[tuple[list[int], int]]:
    words = name.split(" ")
    keyed = []
    for word in [words[-1], *words[:-1]]:
        places = [_PLACE[ch] for ch in word]
        tone = next((t for _, t in places if t), 0)
        keyed.append(([i for i, _ in places], tone))
    return keyed


@given(NAMES, NAMES)
def test_sort_key_agrees_with_the_alphabet_oracle(a: str, b: str) -> None:
    assert (sort_key(a) < sort_key(b)) == (_oracle(a) < _oracle(b))
    assert (sort_key(a) == sort_key(b)) == (_oracle(a) == _oracle(b))


def test_place_key_keeps_word_order_and_numbers_by_value() -> None:
    ordered = ["Bản Ang", "Bản Ăn", "Bản Đông", "Khối 9", "Khối 11", "Thôn 1", "Thôn 2", "Thôn 10"]
    assert sorted(reversed(ordered), key=place_key) == ordered
    assert place_key("  Thôn   Đoàn Kết") == place_key("Thôn Đoàn Kết")
    assert place_key("") == ""
