"""The person sheet prints what Law 120/2025/QH15 (in force 01/07/2026) has the register keep per
person: the substances declared, the open electronic-monitoring order, and the unreported
absences of post-rehab management (Law 73/2021 Art. 40; Decree 116/2021 Art. 77–81)."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from pypdf import PdfReader

from db.duties import actions
from db.persons import absences, episodes
from db.store.register import Register
from reports.sheets import person_sheet
from reports.typeface import load_fonts


def flat(pdf: bytes) -> str:
    """All the text on one line (pypdf), so a wrapped sentence reads whole."""
    pages = PdfReader(io.BytesIO(pdf)).pages
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in pages))


def test_the_latest_declaration_prints_with_its_date(
    reg: Register, add: Callable[..., str]
) -> None:
    """Law 120/2025: people under management declare the substances they use; the sheet prints
    the latest declaration, not an earlier one."""
    person = add("Lò Văn Ươn", birth_date="1990", sex="Nam")
    actions.management_decision(reg, person, "01/03/2026", decision_no="12/QĐ")
    actions.declare_substances(reg, person, "10/03/2026", "Cần sa")
    actions.declare_substances(reg, person, "05/09/2026", "Heroin, ma túy đá")
    text = flat(person_sheet(reg, person, load_fonts()))
    assert "Chất sử dụng (khai báo ngày 05/09/2026): Heroin, Methamphetamine (ma túy đá)" in text
    assert "10/03/2026" not in text and "Cần sa" not in text


def test_under_management_without_a_declaration_says_so(
    reg: Register, add: Callable[..., str]
) -> None:
    managed = add("Quàng Thị Ặc", birth_date="1995", sex="Nữ")
    actions.management_decision(reg, managed, "01/10/2026")
    assert "Chất sử dụng: chưa khai báo." in flat(person_sheet(reg, managed, load_fonts()))
    # A suspect need not declare: no line at all.
    suspect = add("Đặng Văn Đức", birth_date="1990")
    episodes.open_episode(reg, suspect, "suspect", "01/10/2026")
    assert "Chất sử dụng" not in flat(person_sheet(reg, suspect, load_fonts()))


def test_the_open_monitoring_order_and_the_absences(reg: Register, add: Callable[..., str]) -> None:
    """Electronic monitoring (Law 120/2025, from 01/07/2026) of a post-rehab person, and an
    unreported absence that moves the end of the period (10 days: 15/03/2028 → 25/03/2028)."""
    person = add("Cầm Văn Hặc", birth_date="1988", sex="Nam")
    post = episodes.open_episode(
        reg, person, "post_rehab", "15/03/2026", prior_rehab="rehab_compulsory"
    )
    absences.record_absence(reg, post, "01/05/2026", "10/05/2026", "Đi làm thuê ở Lào")
    actions.order_monitoring(reg, person, "01/10/2026", ordered_by="Lò Văn Thắng",
                             start="01/10/2026", end="31/03/2027",
                             device="Vòng đeo chân số 07")  # fmt: skip
    text = flat(person_sheet(reg, person, load_fonts()))
    assert "Giám sát điện tử (Luật 120/2025/QH15):" in text
    assert (
        "Quyết định ngày 01/10/2026 của Lò Văn Thắng (diện Quản lý sau cai nghiện): giám sát từ "
        "01/10/2026 đến 31/03/2027; thiết bị: Vòng đeo chân số 07; đang giám sát."
    ) in text
    assert "Vắng mặt không báo cáo (không tính vào thời hạn quản lý sau cai nghiện):" in text
    assert "01/05/2026 10/05/2026 10 Đi làm thuê ở Lào" in text
    assert "dự kiến 25/03/2028" in text
    # An ended order is not printed.
    order = reg.db.execute("SELECT id FROM monitoring_orders").fetchone()[0]
    actions.end_monitoring(reg, order, "15/11/2026", "Hết vi phạm")
    assert "Giám sát điện tử" not in flat(person_sheet(reg, person, load_fonts()))


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm (poppler-utils) missing")
def test_the_sheet_renders_to_png(reg: Register, add: Callable[..., str], tmp_path: Path) -> None:
    """Page 1 as an image (kept in /tmp/shots to look at)."""
    person = add("Nguyễn Thị Ánh", birth_date="1992", sex="Nữ")
    post = episodes.open_episode(reg, person, "post_rehab", "15/03/2026", prior_rehab="rehab_home")
    absences.record_absence(reg, post, "01/05/2026", "10/05/2026")
    actions.declare_substances(reg, person, "20/03/2026", "Heroin, ma túy đá, thuốc lắc")
    actions.order_monitoring(reg, person, "01/10/2026", ordered_by="Lò Văn Thắng",
                             start="01/10/2026", end="31/03/2027",
                             device="Vòng đeo chân")  # fmt: skip
    source = tmp_path / "phieu.pdf"
    source.write_bytes(person_sheet(reg, person, load_fonts()))
    subprocess.run(
        ["pdftoppm", "-r", "60", "-png", "-f", "1", "-l", "1", str(source), str(tmp_path / "p")],
        check=True,
    )
    image = next(tmp_path.glob("p*.png"))
    assert image.stat().st_size > 10_000
    shots = Path("/tmp/shots")
    shots.mkdir(exist_ok=True)
    shutil.copy(image, shots / "person-sheet-law120.png")
