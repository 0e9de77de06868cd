"""What the Excel import, export and template share: columns, header words, files, cell values.

Communes keep their lists each a little differently, so a header is recognised by its folded
words (no case, no diacritics, đ → d, punctuation and "(…)" hints dropped) against the names
officers write for each column. The template and the export write the canonical names below, so
what the program writes it also reads back.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from openpyxl import Workbook

from db.core.errors import UserError
from db.core.files import Wording, atomic_write_with
from db.core.textfold import fold

Progress = Callable[[str, int, int], None]
# What an import does with a row.
IMPORT, DUPLICATE, REJECTED = "import", "duplicate", "rejected"
DATE_FORMAT = "dd/mm/yyyy"
# A workbook that cannot be saved is most often open in Excel (Windows locks it).
_SAVE = Wording(held_by="Excel", kept="tệp cũ (nếu có) vẫn như trước")
REASON_HEADER = "Lý do không nhập"
SOURCE_ROW_HEADER = "Dòng trong tệp gốc"
PEOPLE_SHEET = "Đối tượng"
TESTS_SHEET = "Xét nghiệm"
GUIDE_SHEET = "Hướng dẫn"

# The columns of the template, in order: (field, header). The export writes the same ones.
PEOPLE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("stt", "STT"),
    ("full_name", "Họ và tên"),
    ("other_names", "Tên gọi khác"),
    ("birth_date", "Ngày sinh"),
    ("sex", "Giới tính"),
    ("id_number", "Số CCCD"),
    ("ethnicity", "Dân tộc"),
    ("village", "Thôn/Bản/Tổ dân phố"),
    ("permanent_address", "Nơi thường trú"),
    ("current_address", "Nơi ở hiện tại"),
    ("occupation", "Nghề nghiệp"),
    ("category", "Diện quản lý"),
    ("start_date", "Ngày bắt đầu"),
    ("decision_no", "Số quyết định"),
    ("decision_date", "Ngày quyết định"),
    ("planned_end", "Ngày kết thúc dự kiến"),
    ("prior_rehab", "Cai nghiện trước đó"),
    ("substances", "Chất sử dụng"),
    ("notes", "Ghi chú"),
)
TESTS_COLUMNS: tuple[tuple[str, str], ...] = (
    ("stt", "STT"),
    ("full_name", "Họ và tên"),
    ("birth_date", "Ngày sinh"),
    ("id_number", "Số CCCD"),
    ("test_date", "Ngày xét nghiệm"),
    ("kind", "Hình thức (Định kỳ / Đột xuất)"),
    ("result", "Kết quả (Âm tính / Dương tính)"),
    ("positives", "Chất dương tính"),
    ("officer", "Người thực hiện"),
    ("notes", "Ghi chú"),
)

# What officers write as a column's header, by field (compared after `header_key`).
SYNONYMS: dict[str, tuple[str, ...]] = {
    "stt": ("stt", "tt", "so tt", "so thu tu", "thu tu"),
    "full_name": ("ho va ten", "ho ten", "ho va ten doi tuong", "ho ten doi tuong",
                  "ten doi tuong", "ho va ten nguoi", "ho ten nguoi", "hovaten", "hoten"),
    "name_family": ("ho", "ho dem", "ho va dem", "ho va ten dem", "ho ten dem", "ho va chu dem"),
    "name_given": ("ten",),
    "other_names": ("ten goi khac", "ten khac", "biet danh", "ten thuong goi", "bi danh"),
    "birth_date": ("ngay sinh", "nam sinh", "ngay thang nam sinh", "sinh ngay", "ns",
                   "ngay thang nam", "sinh nam"),
    "birth_male": ("nam",),
    "birth_female": ("nu",),
    "sex": ("gioi tinh", "gt", "phai"),
    "id_number": ("so cccd", "cccd", "so cmnd", "cmnd", "so cmnd cccd", "so cccd cmnd",
                  "cmnd cccd", "cccd cmnd", "so dinh danh", "so dinh danh ca nhan",
                  "ma dinh danh", "so can cuoc", "can cuoc", "so can cuoc cong dan",
                  "can cuoc cong dan", "so cc", "so cmt", "cmt"),
    "ethnicity": ("dan toc",),
    "village": ("thon ban to dan pho", "thon", "ban", "to dan pho", "thon ban", "thon xom",
                "xom", "tieu khu", "khoi", "ap", "buon", "lang", "thon to", "thon ban tdp",
                "tdp", "thon to dan pho", "ban to dan pho", "dia ban", "thon ban khoi"),
    "permanent_address": ("noi thuong tru", "dia chi thuong tru", "thuong tru", "dktt",
                          "ho khau thuong tru", "noi dang ky thuong tru", "dia chi", "que quan",
                          "noi dang ky ho khau thuong tru", "hktt"),
    "current_address": ("noi o hien tai", "noi o hien nay", "cho o hien nay", "cho o hien tai",
                        "dia chi hien tai", "dia chi hien nay", "noi o", "tam tru",
                        "noi tam tru", "cho o"),
    "occupation": ("nghe nghiep", "nghe", "viec lam", "cong viec", "nghe nghiep hien nay"),
    "phone": ("so dien thoai", "dien thoai", "sdt", "dt"),
    "family_contact": ("nguoi than lien he", "nguoi than", "nguoi lien he", "lien he"),
    "category": ("dien quan ly", "dien", "loai doi tuong", "phan loai", "dien doi tuong",
                 "phan loai doi tuong", "doi tuong"),
    "start_date": ("ngay bat dau", "bat dau", "ngay bat dau quan ly", "tu ngay", "ngay bd",
                   "thoi gian bat dau", "bat dau quan ly"),
    "decision_no": ("so quyet dinh", "so qd", "quyet dinh so", "qd so", "so quyet dinh quan ly",
                    "quyet dinh"),
    "planned_end": ("ket thuc du kien", "ngay ket thuc du kien", "ngay ket thuc", "den ngay",
                    "ngay het han", "thoi han den"),
    "prior_rehab": ("hinh thuc cai nghien truoc do", "cai nghien truoc do", "truoc do cai nghien",
                    "hinh thuc cai truoc do", "da cai nghien", "hinh thuc da cai nghien"),
    "decision_date": ("ngay quyet dinh", "ngay qd", "ngay ra quyet dinh", "ngay ky quyet dinh",
                      "ngay ky qd", "ngay ky"),
    "substances": ("chat su dung", "loai ma tuy", "loai ma tuy su dung", "chat ma tuy su dung",
                   "ma tuy su dung", "chat ma tuy", "loai chat su dung"),
    "declared_on": ("ngay khai bao", "ngay khai bao chat su dung", "khai bao ngay"),
    "notes": ("ghi chu", "chu thich"),
    "test_date": ("ngay xet nghiem", "ngay xn", "ngay test", "ngay lay mau",
                  "thoi gian xet nghiem", "ngay thang xet nghiem"),
    "kind": ("hinh thuc", "hinh thuc xet nghiem", "loai xet nghiem", "hinh thuc xn"),
    "method": ("phuong phap", "phuong phap xet nghiem", "mau xet nghiem"),
    "result": ("ket qua", "ket qua xet nghiem", "kq", "ket qua xn", "kq xn"),
    "positives": ("chat duong tinh", "duong tinh voi", "loai chat duong tinh",
                  "chat ma tuy duong tinh", "duong tinh voi chat"),
    "officer": ("nguoi thuc hien", "can bo thuc hien", "nguoi xet nghiem", "can bo xet nghiem",
                "nguoi lay mau", "can bo"),
    "place": ("noi xet nghiem", "dia diem xet nghiem", "dia diem"),
}  # fmt: skip

PEOPLE_FIELDS = frozenset(
    {"stt", "full_name", "name_family", "name_given", "other_names", "birth_date", "birth_male",
     "birth_female", "sex", "id_number", "ethnicity", "village", "permanent_address",
     "current_address", "occupation", "phone", "family_contact", "category", "start_date",
     "decision_no", "decision_date", "planned_end", "prior_rehab", "substances", "declared_on",
     "notes"}
)  # fmt: skip
TESTS_FIELDS = frozenset(
    {"stt", "full_name", "name_family", "name_given", "birth_date", "birth_male", "birth_female",
     "id_number", "test_date", "kind", "method", "result", "positives", "officer", "place",
     "notes"}
)  # fmt: skip

_EXACT = {syn: field for field, syns in SYNONYMS.items() for syn in syns}
# A header that starts with a known name of two words or more is that column too
# ("Họ và tên đối tượng", "Ngày sinh (dd/mm/yyyy)"); the longest known name wins.
_PREFIXES = sorted((s for s in _EXACT if " " in s), key=len, reverse=True)
_HINT = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_WORDS = re.compile(r"[a-z0-9]+")


def header_key(text: object) -> str:
    """The folded words of a header or a sheet name: "Số CMND/CCCD (*)" → "so cmnd cccd"."""
    if text is None:
        return ""
    return " ".join(_WORDS.findall(_HINT.sub(" ", fold(str(text)))))


def field_of(header: object) -> str | None:
    """The field a header names, or None for a column the import does not use."""
    key = header_key(header)
    if not key:
        return None
    if key in _EXACT:
        return _EXACT[key]
    for prefix in _PREFIXES:
        if key.startswith(prefix + " "):
            return _EXACT[prefix]
    return None


def sheet_kind_by_name(title: str) -> str | None:
    """The kind of a sheet by its name: people, tests, ignore (guidance), or None if unclear."""
    key = header_key(title)
    words = key.split()
    if "huong dan" in key or "danh muc" in key or "ghi chu" in key:
        return "ignore"
    if "xet nghiem" in key or "xn" in words or "test" in words:
        return "tests"
    if "doi tuong" in key or "danh sach" in key or "nguoi" in words:
        return "people"
    return None


# --- files -----------------------------------------------------------------------------------


def save_atomic(book: Workbook, out_path: Path) -> None:
    """Write a workbook whole or not at all (db.core.files), refusing a missing folder first."""
    out_path = Path(out_path)
    if not out_path.parent.is_dir():
        raise UserError(f"Thư mục “{out_path.parent}” không tồn tại.")
    atomic_write_with(out_path, lambda temp: book.save(str(temp)), _SAVE)
