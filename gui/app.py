"""Starting the window: the application object, signing in, the register, errors as dialogs."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMessageBox

from db.core.errors import UserError

# The program's icon; the frozen build keeps the same relative place (packaging/sotheodoi.spec).
ICON = Path(__file__).resolve().parent.parent / "packaging" / "icons" / "sotheodoi-256.png"
# The frozen build's smoke test (packaging/smoke.py): quit once the first window shows, writing
# its objectName to the file this variable names.
SMOKE_QUIT = "SOTHEODOI_SMOKE_QUIT"


def make_app() -> QApplication:
    """The application object, named so that window settings are kept per user."""
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv)
    app.setOrganizationName("SoTheoDoi")
    app.setApplicationName("SoTheoDoi")
    if ICON.exists():
        app.setWindowIcon(QIcon(str(ICON)))
    from gui.kit.common import install_wheel_guard

    install_wheel_guard()  # the wheel scrolls pages; it never changes an unfocused field
    return app


def quit_after_first_window(app: QApplication, marker: Path) -> QTimer:
    """Smoke test of a build: once a window shows, write its name to `marker` and quit."""
    timer = QTimer(app)

    def look() -> None:
        shown = [w for w in app.topLevelWidgets() if w.isVisible() and w.isWindow()]
        if shown:
            timer.stop()
            marker.write_text(shown[0].objectName(), encoding="utf-8")
            app.exit(0)

    timer.timeout.connect(look)
    timer.start(50)
    return timer


def run_window(db_path: Path, bundle: Path | None = None) -> int:
    """Sign in (making the encrypted register and its chief's account on first start, or
    converting a plain one), check the file, and show the window (at the import preview of
    `bundle` when a handover file was opened from Windows)."""
    app = make_app()
    from gui.kit import crash
    from gui.session.login import open_at_start

    # From here on an uncaught exception is a message with a reference and a log entry; under
    # pythonw (no console) it would otherwise vanish.
    crash.install()
    from gui.kit.translations import install_vietnamese

    install_vietnamese(app)  # Qt's own buttons and menus (Yes/No, Copy/Paste) in Vietnamese
    from reports.tempfiles import clean_temp

    clean_temp()  # clear copies of reports a crashed run left in the program's temp folder
    from gui.kit.screen import install_screen_fit

    install_screen_fit()  # every window and dialog within the screen (1366×768 at 125 %)
    if os.environ.get(SMOKE_QUIT):
        quit_after_first_window(app, Path(os.environ[SMOKE_QUIT]))  # the timer is the app's

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
        if bundle is not None:
            window.open_bundle(bundle)
            bundle = None  # once: after signing out, the next person starts at the usual screen
        window.start_auto_backup()
        try:
            code = app.exec()
        finally:
            reg.close()
        if not window.logged_out:
            return code
        # Signed out: the same register, the next person's login (a shared station laptop).
