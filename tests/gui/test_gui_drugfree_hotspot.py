"""The hotspot table of the drug-free commune page (Decision 28/2025) shows each threshold as the
monthly report prints it: db.figures.stats gives the texts ("shown": the value with its count;
"target": the threshold), and the screen's cells are those texts. Today is 20/11/2026."""

from __future__ import annotations

from collections.abc import Callable

from db.commune.settings import save_settings
from db.duties import actions
from db.figures.stats import figures
from db.store.register import Register
from gui.pages.drugfree import DrugFreePage


def hotspot_cells(qtbot, reg: Register) -> list[list[str]]:
    page = DrugFreePage(reg)
    qtbot.addWidget(page)
    page.show()
    qtbot.waitUntil(lambda: not page.busy(), timeout=10000)
    model = page.hotspot_model
    return [[model.index(r, c).data() for c in (1, 2)] for r in range(model.rowCount())]


def test_the_cells_are_the_figures_texts(qtbot, reg: Register, add: Callable[..., str]) -> None:
    save_settings(reg, {"population": 500})
    for i, name in enumerate(("Lò Văn An", "Quàng Văn Bình")):
        person = add(name, birth_date="1990")
        actions.management_decision(reg, person, "15/09/2026", decision_no=f"0{i}/QĐ-UBND")
    cells = hotspot_cells(qtbot, reg)
    thresholds = figures(reg)["hotspot"]["thresholds"]
    assert cells == [[t["shown"], t["target"]] for t in thresholds]
    # 2 users with a case file of a population of 500, as printed: the share and its count.
    assert cells[0] == ["0,4% (2/500)", "≥ 0,5%"]
    plants = next(t for t in thresholds if t["key"] == "hotspot_plants")
    assert cells[thresholds.index(plants)][0].endswith("m²")


def test_no_population_says_so(qtbot, reg: Register) -> None:
    save_settings(reg, {"population": 0})
    cells = hotspot_cells(qtbot, reg)
    assert cells == [[t["shown"], t["target"]] for t in figures(reg)["hotspot"]["thresholds"]]
    assert cells[0][0] == "Chưa có số dân"
