"""The screenshots of the user's guide, taken from the program itself.

    python docs/guide/make_screenshots.py [--out docs/guide/img]

Makes a training register (db.demo) in a temporary folder, opens the real window on Qt's
offscreen platform with a 1366×768 screen, visits the screens the guide talks about and saves
each as a PNG in docs/guide/img/ (reduced to 256 colours when that keeps it under the size
limit). Nothing of the user's is read or written: the register, the window settings and the
log stay in the temporary folder, which the pictures show as the folder a Windows laptop uses
(WINDOWS_FOLDER), the one officers see. Run it again after a screen changes, look at every
picture, and commit them with the guide.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from gui.kit.screen import offscreen_platform  # noqa: E402 - after the path is set

SCREEN = (1366, 768)
DAY = date(2026, 11, 20)  # the training register's "today", so the pictures do not drift
PASSWORD = "Tap-huan-Ban-Mong-2026"
CHIEF = ("chihuy", "Lò Văn Thắng")
LIMIT = 150_000  # bytes per picture
PERSONS = 300
WINDOWS_FOLDER = r"C:\Users\canbo\AppData\Local\SoTheoDoi"


def settle(seconds: float = 0.3) -> None:
    """Let background work finish and the screens draw."""
    from PySide6.QtWidgets import QApplication

    from gui.kit.worker import running_tasks

    end = time.monotonic() + seconds
    while running_tasks() or time.monotonic() < end:
        QApplication.processEvents()
        time.sleep(0.02)
    for _ in range(5):
        QApplication.processEvents()


def windows_path(path: str, scratch: Path) -> str:
    """A path in the temporary folder as it would read on Windows."""
    return WINDOWS_FOLDER + path.removeprefix(str(scratch)).replace("/", "\\")


def as_on_windows(widget: object, scratch: Path) -> None:
    """Show the temporary folder in the widget's labels as the Windows data folder."""
    from PySide6.QtWidgets import QLabel, QMainWindow, QWidget

    assert isinstance(widget, QWidget)
    paths = re.compile(re.escape(str(scratch)) + r"[^\s“”\"]*")

    def shown(text: str) -> str:
        return paths.sub(lambda m: windows_path(m.group(), scratch), text)

    for label in [widget, *widget.findChildren(QLabel)]:
        if isinstance(label, QLabel) and str(scratch) in label.text():
            label.setText(shown(label.text()))
    if isinstance(widget, QMainWindow):
        widget.statusBar().showMessage(shown(widget.statusBar().currentMessage()))


def quiet_offscreen_warning() -> None:
    """The offscreen platform warns that it cannot pass size hints on: nothing to fix."""
    from PySide6.QtCore import QtMsgType, qInstallMessageHandler

    def handler(kind: QtMsgType, _context: object, message: str) -> None:
        if "propagateSizeHints" not in message:
            print(message, file=sys.stderr)

    qInstallMessageHandler(handler)


def save(widget: object, path: Path) -> int:
    """Grab a shown widget into `path`; 256 colours when full colour is over the limit."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QColor, QImage, QPainter
    from PySide6.QtWidgets import QWidget

    assert isinstance(widget, QWidget)
    settle()
    image = widget.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
    painter = QPainter(image)  # a thin border: the picture stands apart from the page
    painter.setPen(QColor("#8c8c8c"))
    painter.drawRect(0, 0, image.width() - 1, image.height() - 1)
    painter.end()
    image.save(str(path), quality=9)  # PNG, from the name
    if path.stat().st_size > LIMIT:
        flags = Qt.ImageConversionFlag.ThresholdDither | Qt.ImageConversionFlag.AvoidDither
        image.convertToFormat(QImage.Format.Format_Indexed8, flags).save(str(path), quality=9)
    return path.stat().st_size


def take(scratch: Path, out: Path) -> dict[str, int]:
    """Open the program on a training register and save each picture; name → bytes."""
    from PySide6.QtCore import QSettings, Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from db.demo.fill import fill_demo
    from db.security.encryption import create_register
    from db.store.register import open_register
    from gui.app import make_app
    from gui.kit.common import ID_ROLE
    from gui.kit.screen import install_screen_fit
    from gui.kit.translations import install_vietnamese
    from gui.main_window import MainWindow
    from gui.session.login import NewAccountDialog, RecoverDialog, RecoveryCodeDialog

    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(scratch))
    quiet_offscreen_warning()
    app = make_app()
    install_vietnamese(app)
    install_screen_fit()
    sizes: dict[str, int] = {}

    def shot(name: str, widget: object, prepare: Callable[[], object] | None = None) -> None:
        if prepare is not None:
            prepare()
        settle()
        as_on_windows(widget, scratch)
        sizes[name] = save(widget, out / f"{name}.png")

    path = scratch / "so-theo-doi.db"
    # First start: the chief's account, then the recovery code shown once.
    account = NewAccountDialog(path, convert=False, today=lambda: DAY)
    account.full_name.setText(CHIEF[1])
    account.login.setText(CHIEF[0])
    account.password.setText(PASSWORD)
    account.again.setText(PASSWORD)
    account.show()
    shot("tao-so", account)
    account.close()
    reg, code = create_register(path, CHIEF[0], PASSWORD, full_name=CHIEF[1], today=lambda: DAY)
    codes = RecoveryCodeDialog(code)
    codes.show()
    shot("ma-khoi-phuc", codes)
    codes.written.setChecked(True)
    codes.accept()

    reg.close()  # signed in again, as the window would be after the first start
    reg = open_register(path, user=CHIEF[0], password=PASSWORD, today=lambda: DAY)
    fill_demo(reg, persons=PERSONS, seed=3)
    window = MainWindow(reg)
    window.resize(*SCREEN)
    window.show()
    window.nav.setCurrentRow(window.keys.index("today"))
    shot("viec-can-lam", window)

    today = window.pages["today"]
    first = today.model.index(0, 0).data(ID_ROLE)  # type: ignore[attr-defined]
    window.open_person(str(first))
    shot("ho-so", window)

    window.nav.setCurrentRow(window.keys.index("round"))
    page = window.pages["round"]
    page.source_combo.setCurrentIndex(page.source_combo.findData("managed"))  # type: ignore[attr-defined]
    page.village_combo.setCurrentIndex(1)  # type: ignore[attr-defined]
    settle()
    view = page.view  # type: ignore[attr-defined]
    view.setFocus()
    QTest.keyClicks(view, "aad")
    editor = QApplication.focusWidget()  # the positive's substances
    assert editor is not None
    QTest.keyClicks(editor, "MET")
    QTest.keyClick(editor, Qt.Key.Key_Return)
    settle()  # the substances editor closes on the next turn of the event loop
    QTest.keyClicks(view, "a")
    shot("xet-nghiem", window)

    # A wrongly typed result put right, with its reason (the person's tests, then the log).
    from db.persons.drugtests import tests_of
    from gui.dialogs.corrections import CorrectTestDialog

    tested = next(
        p
        for p in (
            today.model.index(r, 0).data(ID_ROLE)  # type: ignore[attr-defined]
            for r in range(today.model.rowCount())
        )
        if tests_of(reg, str(p))
    )
    test = tests_of(reg, str(tested))[0]
    correct = CorrectTestDialog(reg, str(test["id"]), window)
    correct.show()
    shot("dinh-chinh", correct)
    correct.close()
    window.nav.setCurrentRow(window.keys.index("audit"))
    shot("nhat-ky", window)

    window.nav.setCurrentRow(window.keys.index("reports"))
    reports = window.pages["reports"]
    QTest.mouseClick(reports.build_button, Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]
    shot("bao-cao", window)
    window.nav.setCurrentRow(window.keys.index("usb"))
    shot("ban-giao", window)

    recover = RecoverDialog(path, window, today=lambda: DAY)
    recover.code.setText(code[:14])
    recover.show()
    shot("quen-mat-khau", recover)
    recover.close()
    window.close()
    reg.close()
    return sizes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "guide" / "img")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="sotheodoi-anh-") as folder:
        scratch = Path(folder)
        os.environ["QT_QPA_PLATFORM"] = offscreen_platform(scratch, *SCREEN)
        os.environ.setdefault("LANG", "C.UTF-8")
        os.environ["SOTHEODOI_LOG_DIR"] = str(scratch / "logs")
        sizes = take(scratch, args.out)
    for name, size in sizes.items():
        print(f"{args.out / name}.png  {size // 1024} KB")
    too_big = [n for n, s in sizes.items() if s > LIMIT]
    if too_big:
        print(f"over {LIMIT // 1000} KB: {', '.join(too_big)}", file=sys.stderr)
    return 1 if too_big else 0


if __name__ == "__main__":
    sys.exit(main())
