"""The drug-test dialog's panel after a positive reads the substances ticked, as the due list
does (db.duties.crime): a positive for the substitution medicine alone during methadone
treatment is the treatment, not a sign of the crime of Art. 256a. Today is 20/11/2026."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QDate

from db.duties import actions
from db.store.register import Register
from gui.dialogs.follow_up import DrugTestDialog

pytestmark = pytest.mark.usefixtures("no_message_boxes")


@pytest.fixture
def dialog(qtbot, reg: Register, person: str) -> DrugTestDialog:
    """A person found addicted on 01/05/2025, on methadone from 01/06/2026, tested 18/11/2026."""
    actions.found_addicted(reg, person, "01/05/2025")
    actions.start_treatment(reg, person, "methadone", "01/06/2026")
    found = DrugTestDialog(reg, person)
    qtbot.addWidget(found)
    found.show()
    found.when.setDate(QDate(2026, 11, 18))
    return found


def test_methadone_alone_is_the_treatment_not_a_crime(dialog: DrugTestDialog) -> None:
    dialog.positive["MTD"].click()
    text = dialog.follow_label.text()
    assert dialog.follow_label.isVisible()
    assert "chính thuốc điều trị thay thế" in text
    assert "tội phạm" not in text and "256a" not in text


def test_methamphetamine_during_methadone_is_point_a(dialog: DrugTestDialog) -> None:
    dialog.positive["MET"].click()
    text = dialog.follow_label.text()
    assert "Dấu hiệu tội phạm" in text
    assert "điểm a khoản 1 Điều 256a Bộ luật Hình sự" in text
    # Methadone ticked as well does not take the sign away: methamphetamine is not the medicine.
    dialog.positive["MTD"].click()
    assert "điểm a khoản 1 Điều 256a Bộ luật Hình sự" in dialog.follow_label.text()
    dialog.positive["MET"].click()  # unticked: methadone alone again
    assert "tội phạm" not in dialog.follow_label.text()
