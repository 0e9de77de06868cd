"""Every window and dialog fits a station laptop: 1366×768 at 100 % and at 125 % (≈1093×614
logical pixels, less taskbar and title bar: gui.kit.screen.smallest_room). The rule alone; the
filter on this process's screen; every dialog and page class found in gui.dialogs, gui.session
and gui.pages (a new one that does not fit fails here); the real window on offscreen screens of
both sizes, in a child process (Qt's screen is fixed per process)."""

from __future__ import annotations

import importlib
import inspect
import json
import os
import pkgutil
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint, QRect, QSize, Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QApplication, QDialog, QLineEdit, QMainWindow, QWidget

import gui.dialogs
import gui.pages
import gui.session
from db.duties.applies import ACTIONS
from gui.kit.forms import FormDialog
from gui.kit.page import Page
from gui.kit.screen import (
    FitScroll,
    fitted,
    install_screen_fit,
    offscreen_platform,
    smallest_room,
    uninstall_screen_fit,
)

ROOT = Path(__file__).resolve().parents[2]
ROOM = smallest_room()
DAY = date(2026, 11, 20)
PASSWORD = "Man-hinh-nho-2026"


# --- The rule. ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("frame", "expected"),
    [
        (QRect(10, 10, 400, 300), QRect(10, 10, 400, 300)),  # inside: unchanged
        (QRect(0, 0, 1200, 760), QRect(0, 0, 1093, 582)),  # the first-start window at 125 %
        (QRect(-50, -20, 400, 300), QRect(0, 0, 400, 300)),  # off the top left
        (QRect(900, 500, 400, 300), QRect(693, 282, 400, 300)),  # off the bottom right
        (QRect(500, 400, 1500, 200), QRect(0, 382, 1093, 200)),  # too wide and too low
    ],
)
def test_a_window_is_cut_to_the_free_screen_and_moved_into_it(
    frame: QRect, expected: QRect
) -> None:
    available = QRect(0, 0, 1093, 582)  # 1366×768 at 125 %, without the taskbar
    assert fitted(frame, available) == expected


# --- The filter, on this process's screen. --------------------------------------------------


@pytest.fixture
def screen_fit(qapp: QApplication) -> Iterator[QRect]:
    """The filter on the application for one test; the screen's free part."""
    install_screen_fit()
    yield qapp.primaryScreen().availableGeometry()
    uninstall_screen_fit()


class TallForm(FormDialog):
    """A form with `rows` fields."""

    def __init__(self, rows: int) -> None:
        super().__init__("tallForm", "Nhiều ô")
        for number in range(rows):
            self.add_field(f"f{number}", f"Ô số {number + 1}", QLineEdit())
        self.finish()


def _inside(window: QWidget, available: QRect) -> bool:
    return available.contains(window.frameGeometry())


def test_a_window_larger_than_the_screen_is_limited_and_its_content_scrolls(
    qtbot: Any, screen_fit: QRect
) -> None:
    window = QMainWindow()
    content = QWidget()
    content.setMinimumSize(screen_fit.width() + 300, screen_fit.height() + 300)
    window.setCentralWidget(content)
    qtbot.addWidget(window)
    window.resize(1200, 760)
    window.show()
    assert _inside(window, screen_fit)
    scroll = window.centralWidget()
    assert isinstance(scroll, FitScroll) and scroll.widget() is content
    qtbot.waitUntil(lambda: scroll.verticalScrollBar().maximum() > 0)
    assert scroll.horizontalScrollBar().maximum() > 0


def test_a_window_off_the_screen_is_moved_into_view(qtbot: Any, screen_fit: QRect) -> None:
    window = QMainWindow()
    qtbot.addWidget(window)
    window.resize(300, 200)
    window.move(screen_fit.right() + 200, screen_fit.bottom() - 50)
    window.show()
    assert _inside(window, screen_fit)


def test_a_tall_form_fits_the_screen_and_scrolls_to_its_last_field(
    qtbot: Any, screen_fit: QRect
) -> None:
    form = TallForm(60)
    qtbot.addWidget(form)
    form.show()
    assert _inside(form, screen_fit)
    scroll = form.findChild(FitScroll)
    assert scroll is not None
    qtbot.waitUntil(lambda: scroll.verticalScrollBar().maximum() > 0)
    last = form.fields["f59"]
    last.setFocus()
    scroll.ensureWidgetVisible(last)
    corner = last.mapTo(scroll.viewport(), QPoint(0, 0))
    assert scroll.viewport().rect().contains(corner)


def test_a_short_form_keeps_its_natural_size_without_a_scroll_bar(
    qtbot: Any, screen_fit: QRect
) -> None:
    form = TallForm(3)
    qtbot.addWidget(form)
    natural = form.sizeHint()
    form.show()
    scroll = form.findChild(FitScroll)
    assert scroll is not None and scroll.verticalScrollBar().maximum() == 0
    assert form.height() == natural.height()


def test_a_form_qt_cut_to_two_thirds_of_the_screen_grows_back_as_far_as_the_screen_allows(
    qtbot: Any, screen_fit: QRect
) -> None:
    rows = 1
    while TallForm(rows).sizeHint().height() < screen_fit.height() * 0.8:
        rows += 1
    form = TallForm(rows)  # taller than Qt's 2/3 of the screen, shorter than the screen
    qtbot.addWidget(form)
    form.show()
    assert form.height() > screen_fit.height() * 2 // 3
    assert form.height() == form.sizeHint().height()
    assert _inside(form, screen_fit)


# --- Every dialog and page class. -----------------------------------------------------------


def _classes() -> list[type[QWidget]]:
    """Every dialog and page the program defines (private bases left out)."""
    found: dict[str, type[QWidget]] = {}
    for package in (gui.dialogs, gui.session, gui.pages):
        for module in pkgutil.walk_packages(package.__path__, f"{package.__name__}."):
            loaded = importlib.import_module(module.name)
            for name, value in vars(loaded).items():
                if (
                    inspect.isclass(value)
                    and value.__module__ == loaded.__name__
                    and issubclass(value, QDialog | Page)
                    and not name.startswith("_")
                ):
                    found[f"{value.__module__}.{name}"] = value
    return [found[key] for key in sorted(found)]


CLASSES = _classes()
DIALOGS = [c for c in CLASSES if issubclass(c, QDialog)]
PAGES = [c for c in CLASSES if issubclass(c, Page)]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A training register (an encrypted one, the chief signed in) and ids to build with."""
    from db.demo.fill import fill_demo
    from db.persons import team
    from db.persons.people import get_person
    from db.security.auth import list_accounts
    from db.security.encryption import create_register
    from db.store import keys
    from db.store.register import open_register

    folder = tmp_path_factory.mktemp("small-screens")
    path = folder / "so.db"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(keys, "SCRYPT_N", 2**10)
        made, code = create_register(path, "chihuy", PASSWORD, full_name="Lò Văn Thắng",
                                     today=lambda: DAY)  # fmt: skip
        made.close()
        reg = open_register(path, user="chihuy", password=PASSWORD, today=lambda: DAY)
        fill_demo(reg, persons=40)

        def first(sql: str) -> str:
            return str(reg.db.execute(sql).fetchone()[0])

        person = first("SELECT id FROM persons ORDER BY id")
        other = first("SELECT id FROM persons ORDER BY id DESC")
        member = team.add_member(reg, person, {"role": "helper", "name": "Lò Thị Mai"})
        from db.province.overview import commune_rows

        month = DAY.replace(day=1)
        yield {
            "reg": reg,
            "person_id": person,
            "path": path,
            "register_path": path,
            "test_id": first("SELECT id FROM drug_tests ORDER BY id"),
            "episode_id": first("SELECT id FROM episodes ORDER BY id"),
            "member_id": member,
            "first": get_person(reg, person),
            "second": get_person(reg, other),
            "merge": {"id": "m1", "merged_name": "Nguyễn Văn Ân", "kept_name": "Nguyễn Văn An"},
            "account": list_accounts(reg)[0],
            "key": reg.key,
            "reason": "Sổ bị hỏng: trang 12 không đọc được.",
            "code": code,
            "convert": False,
            "month": month,
            "row": commune_rows(reg, month)[0],  # the province's commune dialog
        }
        reg.close()


def build(cls: type[QWidget], world: dict[str, Any], **given: Any) -> QWidget:
    """An instance of a dialog or page, its arguments taken by name from `world`."""
    arguments: dict[str, Any] = {}
    for parameter in list(inspect.signature(cls.__init__).parameters.values())[1:]:
        if parameter.name in given:
            arguments[parameter.name] = given[parameter.name]
        elif parameter.default is not inspect.Parameter.empty and parameter.name != "convert":
            continue
        elif parameter.name in world:
            arguments[parameter.name] = world[parameter.name]
        else:
            pytest.fail(f"{cls.__name__}: say in `world` how to make its “{parameter.name}”")
    return cls(**arguments)


DIALOG_CASES = [
    pytest.param(cls, {"spec": action}, id=f"ActionDialog[{action.key}]")
    for cls in DIALOGS
    if cls.__name__ == "ActionDialog"
    for action in ACTIONS
] + [pytest.param(cls, {}, id=cls.__name__) for cls in DIALOGS if cls.__name__ != "ActionDialog"]


def _least(widget: QWidget) -> QSize:
    widget.show()
    QApplication.processEvents()
    return widget.minimumSizeHint().expandedTo(widget.minimumSize())


def test_the_dialogs_and_pages_are_found() -> None:
    names = {c.__name__ for c in CLASSES}
    assert {"ActionDialog", "BackupDialog", "SetupDialog", "LoginDialog", "AboutDialog"} <= names
    assert {"TodayPage", "PersonPage", "SettingsPage"} <= names


@pytest.mark.parametrize(("cls", "given"), DIALOG_CASES)
def test_every_dialog_fits_the_smallest_screen(
    qtbot: Any, world: dict[str, Any], cls: type[QWidget], given: dict[str, Any]
) -> None:
    dialog = build(cls, world, **given)
    qtbot.addWidget(dialog)
    least = _least(dialog)
    assert least.width() <= ROOM.width() and least.height() <= ROOM.height(), (
        f"{cls.__name__} needs at least {least.width()}×{least.height()}, the smallest screen "
        f"gives {ROOM.width()}×{ROOM.height()}: put the fields in the form toolkit's scroll area"
    )


@pytest.fixture(scope="module")
def chrome(world: dict[str, Any]) -> QSize:
    """What the main window takes around a page: the list of screens (wide enough for the
    longest name), the splitter's handle, the menu bar and the status bar."""
    from gui.main_window import MainWindow

    window = MainWindow(world["reg"])
    window.show()
    QApplication.processEvents()
    nav = window.nav.sizeHintForColumn(0) + 2 * window.nav.frameWidth() + 16  # as _restore
    bars = window.menuBar().sizeHint().height() + window.statusBar().sizeHint().height()
    size = QSize(nav + window.splitter.handleWidth(), bars)
    window.close()
    window.deleteLater()
    return size


@pytest.mark.parametrize("cls", [pytest.param(cls, id=cls.__name__) for cls in PAGES])
def test_every_page_fits_beside_the_list_of_screens(
    qtbot: Any, world: dict[str, Any], chrome: QSize, cls: type[QWidget]
) -> None:
    page = build(cls, world)
    qtbot.addWidget(page)
    if cls.__name__ == "PersonPage":
        page.show_person(world["person_id"])  # type: ignore[attr-defined]
    least = _least(page) + chrome
    assert least.width() <= ROOM.width() and least.height() <= ROOM.height(), (
        f"{cls.__name__} and the window around it need {least.width()}×{least.height()}; the "
        f"smallest screen gives {ROOM.width()}×{ROOM.height()}"
    )


def test_the_rounds_positives_panel_is_readable_on_the_smallest_screen(
    qtbot: Any, world: dict[str, Any], chrome: QSize
) -> None:
    """Issue 11: at 1366×768 and 125 % the round page has the room beside the list of screens;
    two positives typed, each follow-up shows whole over the lines it needs, and the table
    still shows several people."""
    from gui.pages.test_round import RoundModel, TestRoundPage

    page = TestRoundPage(world["reg"])
    qtbot.addWidget(page)
    page.resize(ROOM - chrome)
    page.show()
    qtbot.waitExposed(page)
    page.source_combo.setCurrentIndex(page.source_combo.findData("managed"))
    view = page.view
    view.setFocus()
    for typed in ("met", ""):
        qtbot.keyClick(view, "d")
        editor = view.indexWidget(view.currentIndex())
        assert isinstance(editor, QLineEdit)
        qtbot.keyClicks(editor, typed)
        qtbot.keyClick(editor, Qt.Key.Key_Return)
        # The editor closes on the next turn of the event loop; the cursor is back on results.
        shut = view.model().index(view.currentIndex().row(), RoundModel.POSITIVES)
        qtbot.waitUntil(lambda shut=shut: view.indexWidget(shut) is None)
        qtbot.waitUntil(lambda: view.currentIndex().column() == RoundModel.RESULT)
    panel = page.follow_up_list
    qtbot.waitUntil(lambda: page.follow_up_box.isVisible() and panel.count() == 2)
    line = panel.fontMetrics().lineSpacing()
    assert panel.height() >= 5 * line, "the panel is more than one squeezed line"
    assert not panel.horizontalScrollBar().isVisible()
    for number in range(panel.count()):
        item = panel.item(number)
        rect = panel.visualItemRect(item)
        needed = QFontMetrics(panel.font()).boundingRect(
            QRect(0, 0, rect.width(), 10_000), Qt.TextFlag.TextWordWrap, item.text()
        )
        assert rect.width() <= panel.viewport().width() and rect.height() >= needed.height()
    assert view.viewport().height() >= 3 * view.rowHeight(0), "the table keeps three rows"
    assert page.height() <= ROOM.height() - chrome.height()


# --- The real window on small screens, in a child process. ----------------------------------


def child(register_folder: Path) -> None:
    """In the child: the window on this process's small screen, every page, two forms;
    prints what does not fit as JSON."""
    from db.demo.fill import fill_demo
    from db.store.register import open_register
    from gui.app import make_app
    from gui.dialogs.follow_up import DrugTestDialog
    from gui.main_window import MainWindow
    from gui.session.first_start import SetupDialog

    app = make_app()
    install_screen_fit()
    reg = open_register(register_folder / "so.db", create=True, today=lambda: DAY)
    fill_demo(reg, persons=40)
    available = app.primaryScreen().availableGeometry()
    report: dict[str, Any] = {"screen": [available.width(), available.height()], "out": []}

    def look(name: str, window: QWidget) -> None:
        for _ in range(3):  # the layouts settle over a few turns of the event loop
            QApplication.processEvents()
        frame = window.frameGeometry()
        if not available.contains(frame):
            report["out"].append(f"{name}: {frame.width()}×{frame.height()} at {frame.topLeft()}")

    window = MainWindow(reg)
    window.resize(1200, 760)  # the size a first start opens at
    window.show()
    for row, key in enumerate(window.keys):
        window.nav.setCurrentRow(row)
        look(f"window at {key}", window)
    person = str(reg.db.execute("SELECT id FROM persons ORDER BY id").fetchone()[0])
    window.open_person(person)
    look("window at a person", window)
    for dialog in (SetupDialog(reg, window), DrugTestDialog(reg, person, window)):
        dialog.show()
        look(dialog.objectName(), dialog)
        dialog.close()
    window.close()
    reg.close()
    print(json.dumps(report))


@pytest.mark.slow
@pytest.mark.parametrize(
    ("scale", "device", "logical"),
    [
        (1.0, (1350, 697), (1350, 697)),  # 1366×768 at 100 %, less taskbar and title bar
        (1.25, (1346, 679), (1077, 543)),  # the same screen at 125 %
    ],
    ids=["100%", "125%"],
)
def test_the_window_and_its_forms_fit_a_small_screen(
    tmp_path: Path, scale: float, device: tuple[int, int], logical: tuple[int, int]
) -> None:
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": offscreen_platform(tmp_path, *device, scale),
        "PYTHONPATH": str(ROOT),
        "SOTHEODOI_LOG_DIR": str(tmp_path / "logs"),
        "HOME": str(tmp_path),  # the window's saved geometry: not the user's
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
    }
    env.pop("QT_SCALE_FACTOR", None)
    done = subprocess.run(
        [sys.executable, __file__, str(tmp_path)],
        cwd=ROOT, env=env, capture_output=True, text=True, encoding="utf-8", timeout=120,
        check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["screen"] == list(logical)
    assert report["out"] == []


if __name__ == "__main__":
    child(Path(sys.argv[1]))
