"""Starting the window: the application object, signing in, the register, errors as dialogs."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtWidgets import QApplication, QMessageBox

from db.core.errors import UserError


def make_app() -> QApplication:
    """The application object, named so that window settings are kept per user."""
    app = QApplication.instance() or QApplication(sys.argv)
    app.setOrganizationName("SoTheoDoi")
    app.setApplicationName("SoTheoDoi")
    return app  # type: ignore[return-value]


def run_window(db_path: Path) -> int:
    """Sign in (making the encrypted register and its chief's account on first start, or
    converting a plain one), check the file, and show the window."""
    app = make_app()
    from gui.kit import crash
    from gui.session.login import open_at_start

    # From here on an uncaught exception is a message with a reference and a log entry; under
    # pythonw (no console) it would otherwise vanish.
    crash.install()
    from gui.kit.translations import install_vietnamese

    install_vietnamese(app)  # Qt's own buttons and menus (Yes/No, Copy/Paste) in Vietnamese

    from gui.main_window import MainWindow
    from gui.session.first_start import SetupDialog, needs_setup

    while True:
        try:
            reg = open_at_start(db_path)
        except UserError as exc:
            QMessageBox.critical(None, app.tr("Không mở được sổ"), exc.message)
            return exc.exit_code
        if reg is None:
            return 0  # the person chose to leave
        if needs_setup(reg) and reg.role == "chief":
            # First start: the unit's names for printed headers, and an offer of training data
            # (settings are the chief's to change).
            SetupDialog(reg).exec()
        window = MainWindow(reg)
        window.show()
        window.start_auto_backup()
        try:
            code = app.exec()
        finally:
            reg.close()
        if not window.logged_out:
            return code
        # Signed out: the same register, the next person's login (a shared station laptop).
