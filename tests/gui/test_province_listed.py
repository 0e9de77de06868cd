"""The province's overview is listed only in a register that holds other communes' data: a
commune officer never meets a screen about other communes."""

from __future__ import annotations

from pathlib import Path

from db.province import tokens
from db.store.register import Register, open_register
from gui.main_window import MainWindow
from tests.support.registers import TODAY


def _listed(window: MainWindow) -> bool:
    return not window.nav.item(window.keys.index("province")).isHidden()


def test_a_commune_register_does_not_list_the_province(qtbot, reg: Register) -> None:
    window = MainWindow(reg)
    qtbot.addWidget(window)
    assert not _listed(window)
    assert not window.nav.item(window.keys.index("settings")).isHidden()


def test_a_register_that_issued_upload_tokens_lists_it(qtbot, reg: Register) -> None:
    tokens.add_token(reg, reg.commune_id)
    window = MainWindow(reg)
    qtbot.addWidget(window)
    assert _listed(window)


def test_a_register_holding_other_communes_lists_it(qtbot, tmp_path: Path) -> None:
    from db.handover import receive
    from tests.support.handover import PASS, commune, export, laptop

    other = laptop(tmp_path, "xa-khac", "an")
    commune(other, persons=2, unit="Công an xã Mường Bú")
    made = export(other, tmp_path, full=True)
    province = laptop(tmp_path, "tinh", "binh")
    receive.import_bundle(province, made.path, PASS, accept_other_commune=True)
    province.close()
    with open_register(tmp_path / "tinh.db", user="binh", today=lambda: TODAY) as reg:
        window = MainWindow(reg)
        qtbot.addWidget(window)
        assert _listed(window)
