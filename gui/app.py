"""Starting the window: the application object, the register, and errors shown as dialogs."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtWidgets import QApplication, QMessageBox

from db.errors import UserError
from db.register import open_register


def make_app() -> QApplication:
    """The application object, named so that window settings are kept per user."""
    app = QApplication.instance() or QApplication(sys.argv)
    app.setOrganizationName("SoTheoDoi")
    app.setApplicationName("SoTheoDoi")
    return app  # type: ignore[return-value]


def run_window(db_path: Path) -> int:
    """Open the register (creating it on first start) and show the window."""
    app = make_app()
    try:
        reg = open_register(db_path, create=True)
    except UserError as exc:
        QMessageBox.critical(None, app.tr("Không mở được sổ"), exc.message)
        return exc.exit_code
    from gui.main_window import MainWindow
    from gui.setup_wizard import SetupDialog, needs_setup

    if needs_setup(reg):
        # First start: the unit's names for printed headers, and an offer of training data.
        SetupDialog(reg).exec()
    window = MainWindow(reg)
    window.show()
    try:
        return app.exec()
    finally:
        reg.close()
