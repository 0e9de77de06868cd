"""Cell values as officers type them: dates, ID numbers, categories, test kinds and results.

Each reader turns one cell into the value the register keeps, or raises a `UserError` whose
Vietnamese message names the column; the checks themselves stay in db/ (dates, ids, categories).
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils.datetime import from_excel

from db.core.dates import PartialDate, parse_partial, show
from db.core.errors import UserError
from db.excel.common import DATE_FORMAT, header_key
from db.law.categories import LABELS, SHORT_LABELS, Category, parse_category
from db.persons.drugtests import METHODS


def is_blank(value: object) -> bool:
    """An empty cell: None, or text of white space only."""
    return value is None or (isinstance(value, str) and not value.strip())


def cell_text(value: object) -> str:
    """A cell as text: whole numbers without ".0", dates as dd/mm/yyyy."""
    if type(value) is str:  # most cells: asked first, 100,000 rows × a dozen columns
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, bool):
        return "x" if value else ""
    if isinstance(value, datetime | date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def cell_id(value: object) -> str:
    """An ID number cell; a number that lost its leading zeros in Excel gets them back.

    Every CCCD starts with 0 (province codes run 001–096), so a 10- or 11-digit number is a
    12-digit CCCD typed into a number cell, and an 8-digit one a 9-digit CMND.
    """
    number = isinstance(value, int | float) and not isinstance(value, bool)
    if number and float(value).is_integer():  # type: ignore[arg-type]
        digits = str(int(value))  # type: ignore[call-overload]
        if len(digits) in (10, 11):
            return digits.zfill(12)
        if len(digits) == 8:
            return digits.zfill(9)
        return digits
    return cell_text(value).lstrip("'")


def cell_phone(value: object) -> str:
    """A phone number cell; a number that lost its leading 0 in Excel gets it back."""
    text = cell_text(value)
    if isinstance(value, int | float) and not isinstance(value, bool) and len(text) == 9:
        return "0" + text  # Vietnamese numbers have 10 digits and start with 0
    return text


_EXCEL_EPOCH = date(1899, 12, 30)  # day 0 of Excel's date numbers (its 1900 system)


def _from_number(value: float, label: str) -> PartialDate:
    if float(value).is_integer() and 1900 <= value <= 2100:
        return PartialDate(int(value))  # a year typed as a number
    if 2100 < value < 80000:  # an Excel date serial in a cell not formatted as a date
        day = from_excel(value)
        return PartialDate(day.year, day.month, day.day)
    raise UserError(f"{label}: “{cell_text(value)}” không phải ngày hợp lệ.", field=label)


def _date_cell(value: date) -> PartialDate:
    """A date cell; a year typed into a cell formatted as a date comes back as that year.

    Excel keeps 1985 typed into a dd/mm/yyyy cell as day 1985, and shows it as 07/06/1905:
    the officer typed a year. Days 1900 to 2100 (14/03/1905 to 30/09/1905) are read as the
    year they were typed as; nobody on the register was born then, and a test or a decision
    cannot be dated then.
    """
    day = value.date() if isinstance(value, datetime) else value
    typed = (day - _EXCEL_EPOCH).days
    whole = not isinstance(value, datetime) or value.time() == datetime.min.time()
    if whole and 1900 <= typed <= 2100:
        return PartialDate(typed)
    return PartialDate(day.year, day.month, day.day)


def cell_partial(value: object, label: str) -> PartialDate | None:
    """A date, a month and year, or a year alone from a cell; UserError naming `label`.

    The same in every date column: a number 1900–2100 is a year (also from a formula,
    1985.0, and in a cell formatted as a date); a larger number an Excel date; a date cell
    its date; text as written (dd/mm/yyyy, d-m-yyyy, mm/yyyy, yyyy, ISO).
    """
    if is_blank(value):
        return None
    if isinstance(value, datetime | date):
        return _date_cell(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _from_number(value, label)
    text = str(value).strip()
    text = re.sub(r"\s+0{1,2}:0{2}(:0{2})?$", "", text)  # "1990-05-17 00:00:00" pasted as text
    return parse_partial(text, label)


def cell_date(value: object, label: str) -> date | None:
    """A full date from a cell; a year or month alone is refused with a message naming `label`."""
    partial = cell_partial(value, label)
    if partial is None:
        return None
    if partial.day is None:
        raise UserError(f"{label}: cần đủ ngày, tháng, năm (dd/mm/yyyy).", field=label)
    return partial.earliest()


# --- categories, test kinds and results as officers write them --------------------------------

# The forms the template offers in its drop-down list (any alias below is accepted too).
CATEGORY_CHOICES: tuple[str, ...] = (
    "Sử dụng trái phép",
    "Nghiện",
    "Cai nghiện tại gia đình",
    "Cai nghiện tại cộng đồng",
    "Cai nghiện tại cơ sở",
    "Cai nghiện bắt buộc",
    "Điều trị methadone",
    "Sau cai nghiện",
    "Nghi vấn",
    "Theo dõi sau quản lý",
)
# The rehab a post-rehab period follows, as the template's drop-down list offers it.
PRIOR_REHAB_CHOICES: tuple[str, ...] = (
    "Cai nghiện tại gia đình",
    "Cai nghiện tại cộng đồng",
    "Cai nghiện tại cơ sở",
    "Cai nghiện bắt buộc",
)
_CATEGORY_ALIASES: dict[Category, tuple[str, ...]] = {
    Category.USER: ("Sử dụng trái phép", "SDTP", "Sử dụng", "Sử dụng trái phép chất ma túy",
                    "Người sử dụng trái phép chất ma túy", "Người sử dụng", "Đang quản lý",
                    "Quản lý sử dụng trái phép", "Sử dụng ma túy", "SD"),
    Category.ADDICT: ("Nghiện", "Nghiện ma túy", "Người nghiện", "Người nghiện ma túy", "NMT"),
    Category.REHAB_HOME: ("Cai nghiện tại gia đình", "Cai nghiện tại cộng đồng",
                          "Cai nghiện tự nguyện", "Cai nghiện tại gia đình, cộng đồng",
                          "Cai nghiện tự nguyện tại gia đình", "Cai nghiện tự nguyện tại cộng đồng",
                          "Cai tại gia đình", "Cai tại cộng đồng", "Cai nghiện gia đình",
                          "Cai nghiện cộng đồng", "Cai nghiện tại nhà"),
    Category.REHAB_FACILITY: ("Cai nghiện tại cơ sở", "Cai nghiện tự nguyện tại cơ sở",
                              "Cai tại cơ sở", "Cai nghiện tự nguyện tại cơ sở cai nghiện"),
    Category.REHAB_COMPULSORY: ("Cai nghiện bắt buộc", "Cai bắt buộc", "CNBB",
                                "Đưa vào cơ sở cai nghiện bắt buộc",
                                "Cai nghiện bắt buộc tại cơ sở"),
    Category.METHADONE: ("Điều trị methadone", "Methadone", "Điều trị thay thế", "MMT",
                         "Điều trị bằng methadone", "Điều trị nghiện bằng methadone",
                         "Uống methadone", "Điều trị thay thế methadone"),
    Category.POST_REHAB: ("Sau cai nghiện", "Quản lý sau cai", "Quản lý sau cai nghiện",
                          "Sau cai", "QLSCN", "Người sau cai nghiện"),
    Category.SUSPECT: ("Nghi vấn", "Nghi sử dụng", "Có căn cứ nghi sử dụng", "Nghi",
                       "Người có căn cứ nghi sử dụng", "Nghi vấn sử dụng", "Nghi nghiện"),
    Category.WATCH: ("Theo dõi", "Theo dõi sau quản lý", "Theo dõi 2 năm",
                     "Theo dõi 2 năm sau quản lý", "Theo dõi sau cai"),
}  # fmt: skip
_CATEGORY_KEYS: dict[str, Category] = {}
for _cat, _aliases in _CATEGORY_ALIASES.items():
    for _text in (*_aliases, LABELS[_cat], SHORT_LABELS[_cat], _cat.value):
        _CATEGORY_KEYS.setdefault(header_key(_text), _cat)


_CATEGORY_SEEN: dict[str, Category] = {}  # texts already recognised


def parse_category_text(value: object) -> Category:
    """A category from what the officer wrote; UserError listing the accepted names."""
    text = cell_text(value)
    found = _CATEGORY_SEEN.get(text)  # a list repeats a few texts 100,000 times
    if found is not None:
        return found
    found = _CATEGORY_KEYS.get(header_key(text))
    if found is not None and len(_CATEGORY_SEEN) < 1000:
        _CATEGORY_SEEN[text] = found
    if found is not None:
        return found
    try:
        return parse_category(text)  # the register's own names and codes
    except UserError:
        pass
    raise UserError(
        f"Diện quản lý: “{text}” không nhận ra. Ghi một trong: {', '.join(CATEGORY_CHOICES)}.",
        field="category",
    )


_KIND_KEYS = {"dinh ky": "periodic", "dk": "periodic", "thuong xuyen": "periodic",
              "dot xuat": "surprise", "dx": "surprise", "bat thuong": "surprise",
              "periodic": "periodic", "surprise": "surprise"}  # fmt: skip
_RESULT_KEYS = {"am tinh": "negative", "am": "negative", "at": "negative", "negative": "negative",
                "neg": "negative", "duong tinh": "positive", "duong": "positive",
                "dt": "positive", "positive": "positive", "pos": "positive"}  # fmt: skip
_RESULT_SIGNS = {"-": "negative", "+": "positive", "(-)": "negative", "(+)": "positive"}


def parse_kind(value: object) -> str:
    """The test kind code, periodic or surprise (an empty cell is periodic); UserError otherwise."""
    text = cell_text(value)
    if not text:
        return "periodic"
    found = _KIND_KEYS.get(header_key(text))
    if found is None:
        raise UserError(f"Hình thức xét nghiệm: “{text}” không nhận ra (Định kỳ hoặc Đột xuất).")
    return found


def parse_result(value: object) -> str | None:
    """The result code, positive or negative (None for an empty cell); UserError otherwise."""
    text = cell_text(value)
    if not text:
        return None
    found = _RESULT_SIGNS.get(text.replace(" ", "")) or _RESULT_KEYS.get(header_key(text))
    if found is None:
        raise UserError(f"Kết quả: “{text}” không nhận ra (Âm tính hoặc Dương tính).")
    return found


def parse_method(value: object) -> str:
    """A test method code from its code or label (an empty cell is a urine strip)."""
    text = cell_text(value)
    if not text:
        return "urine_strip"
    if text in METHODS:
        return text
    key = header_key(text)
    for code, label in METHODS.items():
        if key == header_key(label):
            return code
    known = ", ".join(METHODS.values())
    raise UserError(f"Phương pháp xét nghiệm: “{text}” không nhận ra ({known}).")


def text_width(value: object) -> int:
    """About how many characters wide a value shows in a cell."""
    if isinstance(value, datetime | date):
        return 10
    return max((len(line) for line in cell_text(value).splitlines()), default=0)


# What a spreadsheet may take for the start of a formula when text begins with it.
FORMULA_STARTS = ("=", "+", "-", "@")


def writable(ws: Any, value: object) -> object:
    """A value for a write-only sheet: dates shown dd/mm/yyyy, text never taken for a formula.

    Text that starts like a formula ("=HYPERLINK(…)", "+84…", "-", "@x") is written as a text
    cell, so Excel shows it exactly as typed and never runs it; numbers (negative ones too)
    stay numbers.
    """
    if isinstance(value, str):
        text = ILLEGAL_CHARACTERS_RE.sub("", value)
        if not text.startswith(FORMULA_STARTS):
            return text or None  # an empty cell is not written at all
        cell = WriteOnlyCell(ws, text)
        cell.data_type = "s"
        return cell
    if isinstance(value, datetime | date):
        cell = WriteOnlyCell(ws, value)
        cell.number_format = DATE_FORMAT
        return cell
    return value


# The substances of a person who need not declare them (no category under management), and of
# lists imported before declarations were recorded (Law 120/2025), stay at the end of the notes
# as "[Chất sử dụng: …]"; the export leaves them there.


def with_substances(notes: str, substances: str) -> str:
    """Notes with "[Chất sử dụng: …]" added when the list names substances."""
    if not substances:
        return notes
    return f"{notes} [Chất sử dụng: {substances}]".strip()


def past_cell_date(value: object, label: str, errors: list[str], today: date) -> date | None:
    """A cell's date, with what is wrong with it (unreadable, in the future) added to `errors`
    under the column's label."""
    try:
        day = cell_date(value, label)
    except UserError as exc:
        errors.append(exc.message)
        return None
    if day is not None and day > today:
        errors.append(f"{label}: {show(day)} là ngày trong tương lai.")
    return day
