"""Who changed what: the change log read back for one person or the whole register."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # db.store.register logs a login through db.store.audit, which imports this
    from db.store.register import Register

TABLE_LABELS = {
    "persons": "Thông tin cá nhân",
    "episodes": "Diện quản lý",
    "drug_tests": "Xét nghiệm",
    "contacts": "Tiếp xúc",
    "villages": "Thôn/bản",
    "hotspots": "Điểm phức tạp",
    "prevention_models": "Mô hình",
    "incidents": "Vụ việc",
    "settings": "Cài đặt",
    "calendar_days": "Lịch nghỉ",
    "accounts": "Tài khoản",
    "management_team": "Tổ quản lý",
    "person_merges": "Gộp hồ sơ trùng",
    "absences": "Vắng mặt không báo",
    "monitoring_orders": "Giám sát điện tử",
    "substance_declarations": "Khai báo chất sử dụng",
    "inbox_tokens": "Mã gửi báo cáo của xã",
    "inbox_reports": "Báo cáo xã gửi lên",
    "": "—",
}
# Columns the program derives for search and sorting: noise in a summary of what was typed.
_DERIVED = {"name_folded", "search_text", "sort_key"}
ACTION_LABELS = {
    "insert": "Thêm", "update": "Sửa", "delete": "Xóa", "bulk": "Nhập hàng loạt",
    # Events (db.store.audit.log_event): access and data leaving the laptop.
    "login": "Đăng nhập", "print": "In", "export": "Xuất dữ liệu", "backup": "Sao lưu",
    "restore": "Khôi phục sao lưu", "recover": "Mở bằng mã khôi phục", "encrypt": "Mã hóa sổ",
    "password": "Đổi mật khẩu", "sign_off": "Chỉ huy duyệt", "rekey": "Đổi khóa mã hóa sổ",
    "seal": "Sửa niêm phong tài khoản", "receive": "Nhận báo cáo",
}  # fmt: skip


def person_history(reg: Register, person_id: str, limit: int = 500) -> list[dict[str, Any]]:
    """Changes to a person and to their episodes, tests and contacts, newest first."""
    rows = reg.db.query(
        "SELECT seq, at, user, device_id, table_name, row_id, action, changes FROM change_log "
        "WHERE row_id = :p OR row_id IN (SELECT id FROM episodes WHERE person_id = :p "
        "UNION ALL SELECT id FROM drug_tests WHERE person_id = :p "
        "UNION ALL SELECT id FROM contacts WHERE person_id = :p) "
        "ORDER BY seq DESC LIMIT :limit",
        {"p": person_id, "limit": limit},
    )
    return [readable(row) for row in rows]


def readable(row: dict[str, Any]) -> dict[str, Any]:
    """A log row with what, the action and a one-line summary in Vietnamese added."""
    changes = json.loads(row["changes"])
    if row["action"] == "update":
        parts = [f"{k}: {old!r} → {new!r}" for k, (old, new) in changes.items()]
    elif row["action"] == "insert":
        parts = [f"{k}: {v!r}" for k, v in changes.items()
                 if v not in (None, "", "[]") and k not in _DERIVED]  # fmt: skip
    elif isinstance(changes, dict):
        parts = [f"{k}: {v}" for k, v in changes.items()]
    else:
        parts = [json.dumps(changes, ensure_ascii=False)]
    return {
        **row,
        "what": TABLE_LABELS.get(row["table_name"], row["table_name"]),
        "action_label": ACTION_LABELS.get(row["action"], row["action"]),
        "summary": "; ".join(parts),
    }


_readable = readable
