"""Personal ID numbers: the 12-digit CCCD / số định danh and the old 9-digit CMND.

A CCCD is 3 digits of the province where the birth was registered (001 Hà Nội … 096 Cà Mau),
1 digit for century and sex (0/1 = male/female born 1900–1999, 2/3 for 2000–2099, 4/5 for
2100–2199), 2 digits of the birth year, then 6 digits. The number never changes, so it never
tells where the person lives today.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

FIELD = "Số CCCD"
_SEPARATORS = re.compile(r"[\s.\-]")


@dataclass(frozen=True)
class IdCheck:
    """A cleaned number, its kind ("cccd", "cmnd" or "" when empty) and what is wrong with it."""

    number: str
    kind: str
    error: str | None = None


def clean_id(raw: str | None) -> str:
    """Digits only: spaces, dots and dashes typed or pasted in are dropped."""
    return _SEPARATORS.sub("", raw or "")


def check_id(raw: str | None, birth_year: int | None = None, sex: str | None = None) -> IdCheck:
    """Check a CCCD against the birth year and sex ("M" or "F") when they are known."""
    number = clean_id(raw)
    if not number:
        return IdCheck("", "")
    if not (number.isascii() and number.isdigit()):  # "²" or "١" pass isdigit() alone
        return IdCheck(number, "", f"{FIELD}: chỉ được gồm chữ số (“{raw}”).")
    if len(number) == 9:
        return IdCheck(number, "cmnd")
    if len(number) != 12:
        return IdCheck(
            number,
            "",
            f"{FIELD}: phải có 12 chữ số (CCCD) hoặc 9 chữ số (CMND cũ), "
            f"“{number}” có {len(number)}.",
        )
    province = int(number[:3])
    if not 1 <= province <= 96:
        return IdCheck(
            number, "cccd", f"{FIELD}: mã tỉnh nơi đăng ký khai sinh “{number[:3]}” không tồn tại."
        )
    code = int(number[3])
    century = 1900 + 100 * (code // 2)
    code_sex = "F" if code % 2 else "M"
    if code > 5:
        return IdCheck(number, "cccd", f"{FIELD}: chữ số thứ 4 (thế kỷ, giới tính) “{code}” sai.")
    if birth_year is not None:
        id_year = century + int(number[4:6])
        if id_year != birth_year:
            return IdCheck(
                number,
                "cccd",
                f"{FIELD}: số cho năm sinh {id_year}, nhưng năm sinh đã nhập là {birth_year}.",
            )
    if sex in ("M", "F") and sex != code_sex:
        said = "nữ" if code_sex == "F" else "nam"
        typed = "nữ" if sex == "F" else "nam"
        return IdCheck(
            number, "cccd", f"{FIELD}: số cho giới tính {said}, nhưng giới tính đã nhập là {typed}."
        )
    return IdCheck(number, "cccd")
