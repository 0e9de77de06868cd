"""The round screen and the printed round sheet list the same people in the same order.

Both ask `db.figures.rounds.round_people`; these tests hold them to it from the outside: the rows
the officer sees on the screen against the names a reader sees on the printed PDF.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader

from db.commune import places
from db.commune.settings import get_settings
from db.demo.fill import fill_demo
from db.duties import actions
from db.figures.series import round_list
from db.law.categories import Category
from db.persons import drugtests, episodes
from db.store.register import Register, open_register
from gui.kit.common import ID_ROLE
from gui.pages.test_round import RoundModel, TestRoundPage
from reports.build import round_report
from tests.support.registers import TODAY


@pytest.fixture
def commune(reg: Register, add: Callable[..., str]) -> dict[str, str]:
    """Two villages whose name order is not the order of the due dates.

    In "Bản Mòng": An was tested on 25/10 (due 24/11, within the week ahead), Bình never (overdue
    since 31/10): by name An comes first, by due date Bình. Cường is in the 2-year watch window
    (no test schedule), Dung in compulsory rehab (tested in the facility), Em tested yesterday.
    """
    other = places.save_village(reg, {"name": "Bản Khác", "population": 300})
    ids = {
        "an": add("Lò Văn An"),
        "binh": add("Quàng Văn Bình"),
        "cuong": add("Cầm Văn Cường"),
        "dung": add("Hà Thị Dung"),
        "em": add("Lường Văn Em"),
        "anh": add("Điêu Văn Anh", village_id=other),
        "dung2": add("Vì Văn Dũng", village_id=other),
    }
    for key in ("an", "binh", "em", "anh", "dung2"):
        actions.management_decision(reg, ids[key], "01/10/2026", decision_no=f"{key}/QĐ")
    episodes.open_episode(reg, ids["cuong"], Category.WATCH, "01/03/2026")
    actions.start_treatment(reg, ids["dung"], Category.REHAB_COMPULSORY, "05/10/2026")
    drugtests.record_test(reg, ids["an"], "25/10/2026")
    drugtests.record_test(reg, ids["anh"], "22/10/2026")
    drugtests.record_test(reg, ids["em"], "19/11/2026")
    return ids


def open_page(qtbot, reg: Register) -> TestRoundPage:
    page = TestRoundPage(reg)
    qtbot.addWidget(page)
    return page


def screen_rows(page: TestRoundPage, village: str, source: str) -> list[tuple[str, str]]:
    """(id, name) of every row the screen shows for a village ("" = all) and a list."""
    page.source_combo.setCurrentIndex(page.source_combo.findData(source))
    found = page.village_combo.findText(village) if village else 0
    assert found >= 0, village
    page.village_combo.setCurrentIndex(found)
    model = page.model
    return [
        (model.index(r, 0).data(ID_ROLE), model.index(r, RoundModel.NAME).data())
        for r in range(model.rowCount())
    ]


def printed_names(
    reg: Register, folder: Path, village: str, due: bool, known: set[str]
) -> list[str]:
    """The names on the round sheet the reports screen prints, top to bottom."""
    built = round_report(reg, folder / "round.pdf", village=village or None, due=due)
    reader = PdfReader(io.BytesIO(built.path.read_bytes()))
    lines = [line.strip() for page in reader.pages for line in page.extract_text().splitlines()]
    return [line for line in lines if line in known]


@pytest.mark.parametrize(
    ("place", "source", "expected"),
    [
        ("Bản Mòng", "managed", ["Lò Văn An", "Quàng Văn Bình", "Cầm Văn Cường", "Lường Văn Em"]),
        ("Bản Mòng", "due", ["Lò Văn An", "Quàng Văn Bình"]),
        ("Bản Khác", "managed", ["Điêu Văn Anh", "Vì Văn Dũng"]),
        ("Bản Khác", "due", ["Điêu Văn Anh", "Vì Văn Dũng"]),
        ("", "due", ["Lò Văn An", "Điêu Văn Anh", "Quàng Văn Bình", "Vì Văn Dũng"]),
    ],
)
def test_screen_and_printed_sheet_list_the_same_people_in_the_same_order(
    qtbot,
    reg: Register,
    commune: dict[str, str],
    tmp_path: Path,
    place: str,
    source: str,
    expected: list[str],
) -> None:
    page = open_page(qtbot, reg)
    rows = screen_rows(page, place, source)
    names = [name for _, name in rows]
    assert names == expected  # Vietnamese order, given name first (An < Anh < Bình < Dũng)
    everyone = {name for (name,) in reg.db.execute("SELECT full_name FROM persons")}
    assert printed_names(reg, tmp_path, place, source == "due", everyone) == names


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Register]:
    path = tmp_path_factory.mktemp("round") / "so.db"
    reg = open_register(path, create=True, today=lambda: TODAY)
    fill_demo(reg, persons=500, seed=5, on=TODAY)
    yield reg
    reg.close()


def test_screen_rows_are_the_sheets_rows_in_every_village_of_a_commune(
    qtbot, demo: Register
) -> None:
    page = open_page(qtbot, demo)
    # What the reports screen asks for the people due (reports/build.py's round_report).
    window = timedelta(days=get_settings(demo)["due_window_days"])
    listed = 0
    for village in [None, *places.villages(demo)]:
        name = village["name"] if village else ""
        village_id = village["id"] if village else None
        for source, until in (("managed", None), ("due", TODAY + window)):
            if village is None and source == "managed":
                continue  # the sheet needs a village or the due list
            printed = [r["id"] for r in round_list(demo, village_id, until)]
            shown = [person for person, _ in screen_rows(page, name, source)]
            assert shown == printed, (name, source)
            listed += len(shown)
    assert listed > 100  # the demo commune has people to test in it
