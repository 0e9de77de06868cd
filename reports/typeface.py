"""The typeface reports print in, and the check that every character drawn is in it.

Decree 30/2020 asks for Times New Roman. A laptop with Windows has it; where it is missing (or
lacks Vietnamese letters) the program prints in Liberation Serif 2.x, metric-compatible with
Times New Roman, shipped in `reports/fonts/` with its licence (SIL OFL 1.1).

ReportLab prints a character the font lacks as an empty box, silently. Every string it draws in
our fonts passes through `CheckedTTFont.splitString`, which refuses a missing character with
`MissingGlyph` instead: a report is either right or not made.
"""

from __future__ import annotations

import functools
import os
import struct
import sys
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from db.core.errors import UserError

FONT_DIR = Path(__file__).with_name("fonts")
STYLES = ("regular", "bold", "italic", "bold_italic")
SHIPPED = {
    "regular": "LiberationSerif-Regular.ttf",
    "bold": "LiberationSerif-Bold.ttf",
    "italic": "LiberationSerif-Italic.ttf",
    "bold_italic": "LiberationSerif-BoldItalic.ttf",
}
# Every letter of Vietnamese with every tone, and the punctuation the reports print.
VIETNAMESE = (
    "AĂÂBCDĐEÊGHIKLMNOÔƠPQRSTUƯVXYaăâbcdđeêghiklmnoôơpqrstuưvxy"
    "ÀẢÃÁẠẰẲẴẮẶẦẨẪẤẬÈẺẼÉẸỀỂỄẾỆÌỈĨÍỊÒỎÕÓỌỒỔỖỐỘỜỞỠỚỢÙỦŨÚỤỪỬỮỨỰỲỶỸÝỴ"
    "àảãáạằẳẵắặầẩẫấậèẻẽéẹềểễếệìỉĩíịòỏõóọồổỗốộờởỡớợùủũúụừửữứựỳỷỹýỵ"
)
PUNCTUATION = "“”‘’–—…≥≤×·%./:;,()-"

_TNR_NAMES = {
    "regular": ("times.ttf", "Times_New_Roman.ttf", "Times New Roman.ttf"),
    "bold": ("timesbd.ttf", "Times_New_Roman_Bold.ttf", "Times New Roman Bold.ttf"),
    "italic": ("timesi.ttf", "Times_New_Roman_Italic.ttf", "Times New Roman Italic.ttf"),
    "bold_italic": (
        "timesbi.ttf",
        "Times_New_Roman_Bold_Italic.ttf",
        "Times New Roman Bold Italic.ttf",
    ),
}


class MissingGlyph(UserError):
    """The font has no glyph for a character of the text: it would print as a box."""


class CheckedTTFont(TTFont):  # type: ignore[misc]  # ReportLab has no type hints
    """A TrueType font that refuses to draw a character it has no glyph for."""

    family = ""

    def splitString(self, text: Any, doc: Any, encoding: str = "utf-8") -> Any:
        if isinstance(text, str) and not text.isascii():
            missing = missing_characters(self, text)
            if missing:
                shown = ", ".join(f"“{c}” (U+{ord(c):04X})" for c in missing)
                raise MissingGlyph(
                    f"Phông chữ “{self.family}” không có chữ {shown} trong “{text[:80]}”; "
                    "báo cáo không được lập để tránh in ra ô vuông. Hãy sửa chữ đó trong sổ "
                    "hoặc cài phông Times New Roman đầy đủ tiếng Việt."
                )
        return super().splitString(text, doc, encoding)


def missing_characters(font: TTFont, text: str) -> list[str]:
    """The characters of `text` the font has no glyph for (spaces and line breaks aside)."""
    glyphs = font.face.charToGlyph
    return sorted({c for c in text if ord(c) not in glyphs and c not in "\n\r\t\xa0"})


@dataclass(frozen=True)
class FontSet:
    """The four faces of one family, registered with ReportLab under `names`."""

    family: str
    version: str
    files: Mapping[str, Path]
    names: Mapping[str, str]

    @property
    def regular(self) -> str:
        return self.names["regular"]

    @property
    def bold(self) -> str:
        return self.names["bold"]

    @property
    def italic(self) -> str:
        return self.names["italic"]

    @property
    def bold_italic(self) -> str:
        return self.names["bold_italic"]

    def describe(self) -> str:
        """Family and version, recorded with every report made (Liberation Serif 2.1.5)."""
        return f"{self.family} {self.version}".strip()

    def check(self, text: str) -> None:
        """Raise MissingGlyph if any face lacks a character of `text`."""
        for name in self.names.values():
            font = pdfmetrics.getFont(name)
            font.splitString(text, _PROBE)


class _Probe:
    """A stand-in document for probing fonts (ReportLab keys subset state by document)."""


_PROBE = _Probe()


def system_candidates() -> list[dict[str, Path]]:
    """Where Times New Roman lives on Windows, Linux and macOS: the existing full sets."""
    folders: list[Path] = []
    if sys.platform == "win32":
        folders.append(Path(os.environ.get("WINDIR", r"C:\Windows")) / "Fonts")
        local = os.environ.get("LOCALAPPDATA")
        if local:
            folders.append(Path(local) / "Microsoft" / "Windows" / "Fonts")
    else:
        home = Path.home()
        folders += [
            Path("/usr/share/fonts/truetype/msttcorefonts"),
            Path("/usr/share/fonts/msttcore"),
            Path("/usr/share/fonts/TTF"),
            Path("/usr/share/fonts/truetype"),
            Path("/Library/Fonts"),
            Path("/System/Library/Fonts/Supplementary"),
            home / "Library" / "Fonts",
            home / ".local" / "share" / "fonts",
            home / ".fonts",
        ]
    found = []
    for folder in folders:
        files: dict[str, Path] = {}
        for style in STYLES:
            path = next((folder / n for n in _TNR_NAMES[style] if (folder / n).is_file()), None)
            if path is None:
                break
            files[style] = path
        if len(files) == len(STYLES):
            found.append(files)
    return found


_lock = threading.Lock()


def _register(family: str, files: Mapping[str, Path]) -> FontSet:
    key = "".join(ch for ch in family if ch.isalnum())
    names = {style: f"SoTD-{key}-{style}" for style in STYLES}
    version = ""
    for style in STYLES:
        font = CheckedTTFont(names[style], str(files[style]))
        font.family = family
        if style == "regular":
            version = _version(font)
        pdfmetrics.registerFont(font)
    pdfmetrics.registerFontFamily(
        names["regular"],
        normal=names["regular"],
        bold=names["bold"],
        italic=names["italic"],
        boldItalic=names["bold_italic"],
    )
    return FontSet(family, version, dict(files), names)


def _version(font: TTFont) -> str:
    """The font's version from its name table ("Version 2.1.5" → "2.1.5")."""
    try:
        table = font.face.get_table("name")
        count, strings = struct.unpack(">HH", table[2:6])
        for i in range(count):
            platform, _, _, name_id, length, offset = struct.unpack(
                ">6H", table[6 + 12 * i : 18 + 12 * i]
            )
            if name_id == 5:
                raw = table[strings + offset : strings + offset + length]
                text = str(raw.decode("utf-16-be" if platform in (0, 3) else "latin-1"))
                return text.replace("Version", "").split(";")[0].strip()
    except Exception:  # noqa: BLE001 - the version is only a note in the outbox
        pass
    return ""


def _covers(fontset: FontSet, text: str) -> bool:
    return all(
        not missing_characters(pdfmetrics.getFont(name), text) for name in fontset.names.values()
    )


@functools.cache
def _load(prefer_system: bool, extra: tuple[tuple[tuple[str, Path], ...], ...]) -> FontSet:
    with _lock:
        candidates: list[Mapping[str, Path]] = [dict(c) for c in extra]
        if prefer_system:
            candidates += system_candidates()
        for files in candidates:
            try:
                fontset = _register("Times New Roman", files)
            except Exception:  # noqa: BLE001 - a damaged system font: use the shipped one
                continue
            if _covers(fontset, VIETNAMESE + PUNCTUATION):
                return fontset
        return _register("Liberation Serif", {s: FONT_DIR / n for s, n in SHIPPED.items()})


def load_fonts(
    prefer_system: bool = True, candidates: Iterable[Mapping[str, Path]] = ()
) -> FontSet:
    """The fonts to print with: Times New Roman if found and complete, else Liberation Serif.

    `candidates` are extra sets of files to try first (tests pass a font lacking Vietnamese).
    """
    extra = tuple(tuple(sorted(c.items())) for c in candidates)
    return _load(prefer_system, extra)
