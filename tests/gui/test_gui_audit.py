"""The audit log screen reads as an officer reads: local time dd/mm/yyyy hh:mm, the account's
name, Vietnamese field names and values, and never an internal id."""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from db.commune import places
from db.commune.settings import save_settings
from db.persons import people
from db.store.register import Register, open_register
from gui.pages.audit import ACTION, PERSON, SUMMARY, TIME, WHAT, WHO, AuditPage
from tests.support.registers import PASSWORD, TODAY, log_entries

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I)
VIETNAM = timezone(timedelta(hours=7))
SHOTS = Path("/tmp/shots")


@pytest.fixture
def in_vietnam() -> Iterator[None]:
    """The laptop's clock on Vietnam's time (UTC+7), whatever the machine running the tests."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = "ICT-7"  # POSIX: 7 hours east of UTC, no tz database needed
    time.tzset()
    yield
    if before is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = before
    time.tzset()


@pytest.fixture
def secure_reg(secure_path: Path) -> Iterator[Register]:
    """The encrypted register of the chief "chihuy", whose name is Lò Văn Thắng."""
    with open_register(secure_path, user="chihuy", password=PASSWORD, today=lambda: TODAY) as reg:
        yield reg


def cells(page: AuditPage, row: int) -> list[str]:
    return [page.model.index(row, c).data() for c in range(page.model.columnCount())]


def test_a_change_to_a_person_reads_in_words_and_local_time(
    qtbot, secure_reg: Register, in_vietnam: None
) -> None:
    village = places.village_by_name(secure_reg, "Bản Mòng")
    assert village is not None
    person = people.add_person(secure_reg, {"full_name": "Hà Văn Dũng", "sex": "Nam",
                                            "village_id": village["id"]})  # fmt: skip
    people.update_person(secure_reg, person, {"occupation": "Làm nương", "sex": "Nữ"})
    page = AuditPage(secure_reg)
    qtbot.addWidget(page)
    page.resize(900, 500)
    page.show()
    qtbot.waitExposed(page)

    row = cells(page, 0)  # newest first: the change
    stored = log_entries(secure_reg, person)[-1]["at"]
    moment = datetime.fromisoformat(stored)
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    assert row[TIME] == moment.astimezone(VIETNAM).strftime("%d/%m/%Y %H:%M")
    assert row[TIME] != moment.astimezone(UTC).strftime("%d/%m/%Y %H:%M")
    assert re.fullmatch(r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}", row[TIME])
    assert row[WHO] == "Lò Văn Thắng"
    assert row[ACTION] == "Sửa"
    assert row[WHAT] == "Thông tin cá nhân"
    assert row[PERSON] == "Hà Văn Dũng"
    assert row[SUMMARY] == "Nghề nghiệp: (trống) → Làm nương; Giới tính: Nam → Nữ"
    added = cells(page, 1)
    assert added[ACTION] == "Thêm"
    assert "Thôn/bản: Bản Mòng" in added[SUMMARY] and "Họ và tên: Hà Văn Dũng" in added[SUMMARY]
    for number in range(page.model.rowCount()):
        assert not UUID.search(" ".join(cells(page, number))), cells(page, number)
    # The filter names the accounts too; the time column shows whole at any width.
    assert page.user.itemText(1) == "Lò Văn Thắng" and page.user.itemData(1) == "chihuy"
    assert page.table.columnWidth(TIME) >= page.table.sizeHintForColumn(TIME)
    assert page.table.columnWidth(WHO) >= page.table.sizeHintForColumn(WHO)


def test_other_tables_and_events_name_what_they_are_about(qtbot, secure_reg: Register) -> None:
    save_settings(secure_reg, {"baseline_users": 53, "officer_name": "Cầm Văn Bình"})
    page = AuditPage(secure_reg)
    qtbot.addWidget(page)
    rows = [cells(page, r) for r in range(page.model.rowCount())]
    setting = next(r for r in rows if r[WHAT].startswith("Cài đặt: Số người sử dụng"))
    assert setting[WHAT] == "Cài đặt: Số người sử dụng tại ngày đăng ký"
    assert setting[SUMMARY] == "Giá trị: 53"
    officer = next(r for r in rows if r[WHAT] == "Cài đặt: Cán bộ phụ trách")
    assert officer[SUMMARY] == "Giá trị: Cầm Văn Bình"  # the value, not its stored JSON
    village = next(r for r in rows if r[WHAT] == "Thôn/bản: Bản Mòng")
    assert "Dân số: 500" in village[SUMMARY]
    assert all(not UUID.search(" ".join(r)) for r in rows)
    summary = page.model.index(0, SUMMARY)
    assert summary.data(Qt.ItemDataRole.ToolTipRole) == summary.data()


def test_screenshot(qtbot, secure_reg: Register, in_vietnam: None) -> None:
    village = places.village_by_name(secure_reg, "Bản Mòng")
    assert village is not None
    person = people.add_person(secure_reg, {"full_name": "Hà Văn Dũng",
                                            "village_id": village["id"]})  # fmt: skip
    people.update_person(secure_reg, person, {"occupation": "Làm nương"})
    page = AuditPage(secure_reg)
    qtbot.addWidget(page)
    page.resize(1100, 640)
    page.show()
    qtbot.waitExposed(page)
    SHOTS.mkdir(exist_ok=True)
    assert page.grab().save(str(SHOTS / "audit.png"))
