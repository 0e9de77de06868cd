"""Personal ID numbers: the 12-digit CCCD / số định danh and the old 9-digit CMND.

A CCCD is 3 digits of the province where the birth was registered (the 63 codes of Circular
07/2016/TT-BCA, 001 Hà Nội … 096 Cà Mau), 1 digit for century and sex (0/1 = male/female born
1900–1999, 2/3 for 2000–2099; 4/5 would be the 2100s, and nobody on a register today was born
then), 2 digits of the birth year, then 6 digits. The number never changes — not when the
provinces merged in 2025 either — so its code names the province of birth registration as it
was then, never where the person lives today.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

FIELD = "Số CCCD"

# The province codes assigned by Circular 07/2016/TT-BCA (63 provinces before the 2025 mergers;
# the codes, like the numbers, did not change). Gaps (003, 005, 007 …) were never assigned.
PROVINCES: dict[str, str] = {
    "001": "Hà Nội", "002": "Hà Giang", "004": "Cao Bằng", "006": "Bắc Kạn",
    "008": "Tuyên Quang", "010": "Lào Cai", "011": "Điện Biên", "012": "Lai Châu",
    "014": "Sơn La", "015": "Yên Bái", "017": "Hòa Bình", "019": "Thái Nguyên",
    "020": "Lạng Sơn", "022": "Quảng Ninh", "024": "Bắc Giang", "025": "Phú Thọ",
    "026": "Vĩnh Phúc", "027": "Bắc Ninh", "030": "Hải Dương", "031": "Hải Phòng",
    "033": "Hưng Yên", "034": "Thái Bình", "035": "Hà Nam", "036": "Nam Định",
    "037": "Ninh Bình", "038": "Thanh Hóa", "040": "Nghệ An", "042": "Hà Tĩnh",
    "044": "Quảng Bình", "045": "Quảng Trị", "046": "Thừa Thiên Huế", "048": "Đà Nẵng",
    "049": "Quảng Nam", "051": "Quảng Ngãi", "052": "Bình Định", "054": "Phú Yên",
    "056": "Khánh Hòa", "058": "Ninh Thuận", "060": "Bình Thuận", "062": "Kon Tum",
    "064": "Gia Lai", "066": "Đắk Lắk", "067": "Đắk Nông", "068": "Lâm Đồng",
    "070": "Bình Phước", "072": "Tây Ninh", "074": "Bình Dương", "075": "Đồng Nai",
    "077": "Bà Rịa – Vũng Tàu", "079": "TP Hồ Chí Minh", "080": "Long An", "082": "Tiền Giang",
    "083": "Bến Tre", "084": "Trà Vinh", "086": "Vĩnh Long", "087": "Đồng Tháp",
    "089": "An Giang", "091": "Kiên Giang", "092": "Cần Thơ", "093": "Hậu Giang",
    "094": "Sóc Trăng", "095": "Bạc Liêu", "096": "Cà Mau",
}  # fmt: skip
# The century/sex digits of people who can be on a register: born 1900–2099.
CENTURIES = {0: 1900, 1: 1900, 2: 2000, 3: 2000}
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
    if number[:3] not in PROVINCES:
        return IdCheck(
            number,
            "cccd",
            f"{FIELD}: 3 chữ số đầu “{number[:3]}” không phải mã tỉnh nơi đăng ký khai sinh nào "
            "(001 Hà Nội … 096 Cà Mau, theo Thông tư 07/2016/TT-BCA).",
        )
    code = int(number[3])
    if code not in CENTURIES:
        said = "là người sinh từ năm 2100 trở đi — không thể đúng" if code in (4, 5) else "sai"
        return IdCheck(
            number,
            "cccd",
            f"{FIELD}: chữ số thứ 4 (thế kỷ, giới tính) “{code}” {said}; chỉ có 0, 1 (sinh "
            "1900–1999) hoặc 2, 3 (sinh 2000–2099).",
        )
    century = CENTURIES[code]
    code_sex = "F" if code % 2 else "M"
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
