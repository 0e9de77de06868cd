"""Vietnamese text: NFC storage, folding for search, and the Vietnamese sort order.

Folding lowercases, strips every diacritic and maps đ → d, so "Đức" and "duc" meet (SQLite's
unicode61 tokenizer leaves đ alone). The sort key orders people by given name (the last word)
first, then the rest, in the Vietnamese alphabet a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t
u ư v x y, with tones as a secondary difference (none, huyền, hỏi, ngã, sắc, nặng).
"""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")

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


def _letters(word: str) -> tuple[str, str]:
    """Primary (letters) and secondary (tones) keys of one word."""
    primary: list[str] = []
    tones: list[str] = []
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
        tone = next((_TONES[m] for m in marks if m in _TONES), 0)
        primary.append(_LETTER_CODE.get(letter, letter))
        tones.append(str(tone))
    return "".join(primary), "".join(tones)


def sort_key(full_name: str | None) -> str:
    """A string whose BINARY order is the Vietnamese order of full names.

    Given name (last word) first, then the family and middle names; letters before tones, so
    "An" < "Anh" < "Ân" and "Ba" < "Bà" < "Bá".
    """
    words = clean(full_name).split(" ")
    if words == [""]:
        return ""
    ordered = [words[-1], *words[:-1]]
    keys = [_letters(w) for w in ordered]
    # Spaces (U+0020) sort below every letter code, so a shorter given name comes first.
    primary = " ".join(k[0] for k in keys)
    secondary = " ".join(k[1] for k in keys)
    return f"{primary}\x01{secondary}"
