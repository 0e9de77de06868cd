"""Vietnamese text: NFC storage, folding for search, and the Vietnamese sort order.

Folding lowercases, strips every diacritic and maps đ → d, so "Đức" and "duc" meet (SQLite's
unicode61 tokenizer leaves đ alone). The sort key orders people by given name (the last word)
first, then the rest, in the Vietnamese alphabet a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t
u ư v x y; between two words of the same letters the tone decides (none, huyền, hỏi, ngã, sắc,
nặng) before the next word is looked at.
"""

from __future__ import annotations

import functools
import re
import unicodedata

_SPACES = re.compile(r"\s+")
_NUMBER = re.compile(r"\d+")

# Combining marks that make a new letter of the Vietnamese alphabet (not tones).
_BREVE = "\u0306"  # ă
_CIRCUMFLEX = "\u0302"  # â ê ô
_HORN = "\u031b"  # ơ ư
# Tone marks in dictionary order; no tone sorts first.
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}

_ALPHABET = [
    "a", "ă", "â", "b", "c", "d", "đ", "e", "ê", "f", "g", "h", "i", "j", "k", "l", "m", "n",
    "o", "ô", "ơ", "p", "q", "r", "s", "t", "u", "ư", "v", "w", "x", "y", "z",
]  # fmt: skip
# Letters map to code points above digits and punctuation so that a plain BINARY comparison
# of the keys gives the Vietnamese order.
_LETTER_CODE = {letter: chr(0x100 + i) for i, letter in enumerate(_ALPHABET)}


def clean(text: str | None) -> str:
    """NFC, trimmed, inner runs of white space collapsed to one space."""
    if not text:
        return ""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text)).strip()


def fold(text: str | None) -> str:
    """Lowercase, no diacritics, đ → d, single spaces: the form search compares."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFD", text.lower().replace("đ", "d").replace("Đ", "d"))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", stripped).strip()


@functools.lru_cache(maxsize=1 << 15)  # words repeat (Nguyễn, Văn, Bản, Thôn): fold each once
def _letters(word: str) -> tuple[str, int]:
    """Letter codes of one word, and its tone (a Vietnamese syllable carries at most one)."""
    primary: list[str] = []
    tone = 0
    for base in unicodedata.normalize("NFC", word.lower()):
        parts = unicodedata.normalize("NFD", base)
        letter = parts[0]
        marks = parts[1:]
        if letter == "đ" or base == "đ":
            letter = "đ"
        elif _BREVE in marks:
            letter = {"a": "ă"}.get(letter, letter)
        elif _CIRCUMFLEX in marks:
            letter = {"a": "â", "e": "ê", "o": "ô"}.get(letter, letter)
        elif _HORN in marks:
            letter = {"o": "ơ", "u": "ư"}.get(letter, letter)
        # The tone belongs to the syllable, wherever it is typed ("Hòa" and "Hoà" are one name).
        tone = tone or next((_TONES[m] for m in marks if m in _TONES), 0)
        primary.append(_LETTER_CODE.get(letter, letter))
    return "".join(primary), tone


def sort_key(full_name: str | None) -> str:
    """A string whose BINARY order is the Vietnamese order of full names.

    Given name (last word) first, then the family and middle names. Word by word, as Vietnamese
    dictionaries do: the letters, then the tone, then the next word; so "An" < "Anh" < "Ân",
    "Ba" < "Bà" < "Bá", and everyone named Ba comes before everyone named Bà.
    """
    words = clean(full_name).split(" ")
    if words == [""]:
        return ""
    ordered = [words[-1], *words[:-1]]
    # "\x02" sorts below every letter code, so "An" < "Anh"; in two words of equal letters it
    # sits at the same place and the tone digit after it decides. No "\x01": keys used to be
    # "primary\x01secondary", and callers that split on it now get the whole key.
    return " ".join(f"{letters}\x02{tone}" for letters, tone in map(_letters, ordered))


@functools.lru_cache(maxsize=8192)
def place_key(name: str | None) -> str:
    """A string whose BINARY order is the Vietnamese order of place names.

    Unlike a person's name, a place is ordered as written, word by word ("Bản Mòng" under B,
    "Thôn Đoàn Kết" under T), and numbers by value ("Thôn 2" < "Thôn 10").
    """
    words = clean(name).split(" ")
    if words == [""]:
        return ""
    padded = [_NUMBER.sub(lambda m: m.group().zfill(9), w) for w in words]
    return " ".join(f"{letters}\x02{tone}" for letters, tone in map(_letters, padded))
