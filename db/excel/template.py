"""The template an officer fills in: "Đối tượng" and "Xét nghiệm", and a "Hướng dẫn" sheet.

Drop-down lists offer the usual words for sex, category, the rehab before post-rehab, test kind
and result (other accepted forms may still be typed: the list warns, it does not refuse). Date
columns are formatted dd/mm/yyyy and the ID column is text, so Excel keeps an ID number's leading
zeros.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from db.excel.common import (
    DATE_FORMAT,
    GUIDE_SHEET,
    PEOPLE_COLUMNS,
    PEOPLE_SHEET,
    TESTS_COLUMNS,
    TESTS_SHEET,
    save_atomic,
)
from db.excel.values import CATEGORY_CHOICES, PRIOR_REHAB_CHOICES
from db.persons.drugtests import SUBSTANCES

FORMATTED_ROWS = 500  # rows given date and text formats ahead of the officer's typing
_WIDTHS = {"stt": 6, "full_name": 26, "other_names": 16, "birth_date": 12, "sex": 9,
           "id_number": 15, "ethnicity": 10, "village": 20, "permanent_address": 28,
           "current_address": 28, "occupation": 16, "category": 26, "start_date": 13,
           "decision_no": 16, "decision_date": 13, "planned_end": 14, "prior_rehab": 22,
           "substances": 20, "notes": 24, "test_date": 13, "kind": 16, "result": 17,
           "positives": 22, "officer": 20}  # fmt: skip
_DATES = {"birth_date", "start_date", "decision_date", "planned_end", "test_date"}
_LISTS: dict[str, tuple[str, ...]] = {
    "sex": ("Nam", "Nữ"),
    "category": CATEGORY_CHOICES,
    "prior_rehab": PRIOR_REHAB_CHOICES,
    "kind": ("Định kỳ", "Đột xuất"),
    "result": ("Âm tính", "Dương tính"),
}

GUIDE = (
    ("HƯỚNG DẪN NHẬP DANH SÁCH VÀO SỔ THEO DÕI", True),
    ("", False),
    ("Sheet “Đối tượng”: mỗi dòng một người. Bắt buộc: Họ và tên. Nên có: Ngày sinh, Số CCCD "
     "(để không nhập trùng và để ghép kết quả xét nghiệm).", False),
    ("Sheet “Xét nghiệm”: mỗi dòng một lần xét nghiệm. Người được xét nghiệm được tìm theo Số "
     "CCCD, nếu không có thì theo Họ và tên cùng Ngày sinh (trong sổ hoặc trong sheet Đối tượng).",
     False),
    ("", False),
    ("Ngày tháng: ghi dd/mm/yyyy (ví dụ 05/09/1990) hoặc d/m/yy; ngày sinh chỉ biết năm thì ghi "
     "năm (1990).", False),
    ("Giới tính: Nam hoặc Nữ.", False),
    ("Số CCCD: 12 chữ số (hoặc số CMND cũ 9 chữ số); cột đã để dạng chữ để giữ số 0 ở đầu.",
     False),
    ("Diện quản lý: " + "; ".join(CATEGORY_CHOICES) + ". Có diện quản lý thì ghi Ngày bắt "
     "đầu (không có thì lấy Ngày quyết định).", False),
    ("Sau cai nghiện: ghi Ngày kết thúc dự kiến theo quyết định, hoặc Cai nghiện trước đó ("
     + ", ".join(PRIOR_REHAB_CHOICES) + ") để chương trình tính thời hạn 1 năm (2 năm với người "
     "từ đủ 18 tuổi ra khỏi cơ sở cai nghiện bắt buộc); không có cả hai thì dòng bị từ chối.",
     False),
    ("Chất sử dụng: ghi tên hoặc mã, cách nhau bằng dấu phẩy. Người có diện quản lý (sử dụng "
     "trái phép, nghiện, cai nghiện, methadone, sau cai nghiện) được ghi là khai báo chất sử dụng "
     "ngày bắt đầu (không có thì ngày quyết định); người khác được ghi vào Ghi chú.", False),
    ("Hình thức xét nghiệm: Định kỳ hoặc Đột xuất. Kết quả: Âm tính hoặc Dương tính.", False),
    ("Chất dương tính: ghi tên hoặc mã, cách nhau bằng dấu phẩy, ví dụ: "
     + ", ".join(f"{code} ({label})" for code, label in list(SUBSTANCES.items())[:5]) + ".",
     False),
    ("", False),
    ("Khi nhập, chương trình cho xem trước từng dòng: sẽ nhập, có thể trùng (đã có trong sổ), "
     "hoặc bị từ chối kèm lý do. Các dòng bị từ chối được lưu ra một tệp riêng có cột “Lý do "
     "không nhập” để sửa rồi nhập lại; những dòng đã nhập không bị nhập lần nữa.", False),
    ("Có thể thêm cột riêng của xã: chương trình bỏ qua các cột không dùng. Sheet này "
     "(Hướng dẫn) không được nhập.", False),
)  # fmt: skip


def _sheet(book: Workbook, title: str, columns: tuple[tuple[str, str], ...]) -> Worksheet:
    sheet = book.create_sheet(title)
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    wrap = Alignment(wrap_text=True, vertical="center", horizontal="center")
    for index, (field, header) in enumerate(columns, start=1):
        cell = sheet.cell(1, index, header)
        cell.font, cell.fill, cell.alignment = bold, fill, wrap
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = _WIDTHS.get(field, 14)
        span = f"{letter}2:{letter}{FORMATTED_ROWS + 1}"
        if field in _DATES or field == "id_number":
            number_format = DATE_FORMAT if field in _DATES else "@"
            for (data_cell,) in sheet[span]:
                data_cell.number_format = number_format
        if field in _LISTS:
            choices = DataValidation(
                type="list",
                formula1='"' + ",".join(_LISTS[field]) + '"',
                allow_blank=True,
                errorStyle="warning",
                showErrorMessage=True,
                errorTitle="Giá trị chưa có trong danh sách",
                error="Chương trình có thể không nhận ra giá trị này. Vẫn giữ?",
            )
            choices.add(span)
            sheet.add_data_validation(choices)
    sheet.freeze_panes = "C2"
    sheet.row_dimensions[1].height = 32
    return sheet


def write_template(out_path: str | Path) -> None:
    """Save the empty template (two sheets to fill, one of guidance)."""
    book = Workbook()
    default = book.active
    if default is not None:
        book.remove(default)
    _sheet(book, PEOPLE_SHEET, PEOPLE_COLUMNS)
    _sheet(book, TESTS_SHEET, TESTS_COLUMNS)
    guide = book.create_sheet(GUIDE_SHEET)
    guide.column_dimensions["A"].width = 120
    for number, (text, strong) in enumerate(GUIDE, start=1):
        cell = guide.cell(number, 1, text)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        cell.font = Font(bold=strong, size=13 if strong else 11)
    save_atomic(book, Path(out_path))
