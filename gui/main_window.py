"""The main window: a list of screens on the left, the screen on the right, keyboard first.

Every screen is a `gui.kit.page.Page`: `refresh()`, and the signals `person_requested(id)` (open
a person) and `register_changed()` (something was saved: other screens refresh when next shown).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QLabel,
    QListWidget,
    QMainWindow,
    QSplitter,
    QStackedWidget,
    QWidget,
)

from db.province.kind import holds_communes
from db.store.register import Register
from db.store.roles import ROLE_LABELS
from gui.kit.page import Page
from gui.kit.worker import wait_for_all
from gui.pages.accounts import AccountsPage
from gui.pages.audit import AuditPage
from gui.pages.drugfree import DrugFreePage
from gui.pages.duplicates import DuplicatesPage
from gui.pages.excel import ExcelPage
from gui.pages.person import PersonPage
from gui.pages.places import PlacesPage
from gui.pages.province import ProvincePage
from gui.pages.register import RegisterPage
from gui.pages.reports import ReportsPage
from gui.pages.settings import SettingsPage
from gui.pages.test_round import TestRoundPage
from gui.pages.today import TodayPage
from gui.pages.usb.page import UsbPage

PageFactory = Callable[[Register, QWidget], Page]


def _tr(text: str) -> str:
    return QCoreApplication.translate("MainWindow", text)


def page_factories() -> list[tuple[str, str, PageFactory]]:
    """(key, title, factory) of every screen, in the order of the left-hand list."""
    return [
        ("today", _tr("Việc cần làm"), TodayPage),
        ("register", _tr("Sổ đối tượng"), RegisterPage),
        ("round", _tr("Xét nghiệm theo đợt"), TestRoundPage),
        ("places", _tr("Thôn/bản, điểm phức tạp"), PlacesPage),
        ("drugfree", _tr("Xã không ma túy"), DrugFreePage),
        ("reports", _tr("Báo cáo"), ReportsPage),
        ("excel", _tr("Nhập, xuất Excel"), ExcelPage),
        ("usb", _tr("Bàn giao USB"), UsbPage),
        ("audit", _tr("Nhật ký thay đổi"), AuditPage),
        ("duplicates", _tr("Hồ sơ có thể trùng"), DuplicatesPage),
        ("accounts", _tr("Tài khoản"), AccountsPage),
        ("settings", _tr("Cài đặt"), SettingsPage),
        ("province", _tr("Toàn tỉnh (các xã)"), ProvincePage),
    ]


class MainWindow(QMainWindow):
    """One window for the whole register."""

    logout_requested = Signal()  # the account signs out: the program shows the login again

    def __init__(self, reg: Register) -> None:
        super().__init__()
        self.reg = reg
        self.setObjectName("mainWindow")
        self.setWindowTitle(self.tr("Sổ theo dõi — %1").replace("%1", str(reg.path)))
        self.nav = QListWidget()
        self.nav.setObjectName("navigation")
        self.nav.setMaximumWidth(320)
        self.nav.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.nav.setStyleSheet(
            "QListWidget { font-size: 11pt; } QListWidget::item { padding: 6px; }"
        )
        self.stack = QStackedWidget()
        self.stack.setObjectName("pages")
        # Pages are built the first time they are shown: opening the window on a big register
        # costs only the start screen, not every screen's figures.
        self.pages: dict[str, Page] = {}
        self._factories: dict[str, PageFactory] = {}
        self._stale: set[str] = set()
        for number, (key, title, factory) in enumerate(page_factories(), start=1):
            self._factories[key] = factory
            self.nav.addItem(title)
            if number <= 9:
                shortcut = QShortcut(QKeySequence(f"Alt+{number}"), self)
                shortcut.activated.connect(lambda row=number - 1: self.nav.setCurrentRow(row))
        # The province's overview only on a register that holds other communes' data.
        if "province" in self._factories:
            self.nav.item(self.keys.index("province")).setHidden(not holds_communes(reg))
        self.person = PersonPage(reg, self.stack)
        self.person.register_changed.connect(lambda: self._changed("person"))
        self.person.back_requested.connect(self.go_back)
        self.stack.addWidget(self.person)
        self.nav.currentRowChanged.connect(self.show_page)

        self.splitter = QSplitter()
        self.splitter.setObjectName("mainSplitter")
        self.splitter.addWidget(self.nav)
        self.splitter.addWidget(self.stack)
        self.splitter.setStretchFactor(1, 1)
        self.setCentralWidget(self.splitter)
        self.statusBar().showMessage(self.tr("Sổ: %1").replace("%1", str(reg.path)))
        # Who is signed in, always in sight: a station laptop is shared.
        self.session_label = QLabel(self.session_text())
        self.session_label.setObjectName("sessionLabel")
        self.statusBar().addPermanentWidget(self.session_label)
        self.logged_out = False

        for keys, action in (
            ("Ctrl+F", self.focus_search),
            ("Ctrl+N", self.add_person),
            ("F5", self.refresh_current),
        ):
            QShortcut(QKeySequence(keys), self).activated.connect(action)
        self._restore()
        self._security_hooks()
        self._help_menu()

    # --- Sign-in, idle lock and backups (gui/session/login.py, gui/dialogs/backup.py). ------------

    def _security_hooks(self) -> None:
        from gui.session.lock import IdleLock

        self.idle: IdleLock | None = None
        menu = self.menuBar().addMenu(self.tr("&Sổ"))
        menu.setObjectName("registerMenu")
        backup = QAction(self.tr("Sao lưu…"), self)
        backup.setObjectName("backupAction")
        backup.triggered.connect(self.show_backups)
        menu.addAction(backup)
        if self.reg.encrypted:  # a plain register (tests, before conversion) has no accounts
            self.idle = IdleLock(self, self.reg, self._idle_minutes())
            lock = QAction(self.tr("Khóa màn hình"), self)
            lock.setObjectName("lockAction")
            lock.setShortcut(QKeySequence("Ctrl+L"))
            lock.triggered.connect(self.idle.lock)
            menu.addAction(lock)
            password = QAction(self.tr("Đổi mật khẩu…"), self)
            password.setObjectName("passwordAction")
            password.triggered.connect(self.change_password)
            menu.addAction(password)
            logout = QAction(self.tr("Đăng xuất / đổi người dùng"), self)
            logout.setObjectName("logoutAction")
            logout.setShortcut(QKeySequence("Ctrl+Shift+Q"))
            logout.triggered.connect(self.log_out)
            menu.addAction(logout)

    def _help_menu(self) -> None:
        menu = self.menuBar().addMenu(self.tr("&Trợ giúp"))
        menu.setObjectName("helpMenu")
        guide = QAction(self.tr("Hướng dẫn sử dụng"), self)
        guide.setObjectName("guideAction")
        guide.setShortcut(QKeySequence("F1"))
        guide.triggered.connect(self.show_guide)
        menu.addAction(guide)
        about = QAction(self.tr("Giới thiệu"), self)
        about.setObjectName("aboutAction")
        about.triggered.connect(self.show_about)
        menu.addAction(about)

    def show_guide(self) -> None:
        """F1: the user's guide, at the part about the screen in sight."""
        from gui.dialogs.guide import show_guide

        row = self.nav.currentRow()
        on_person = self.stack.currentWidget() is self.person
        show_guide(self, "person" if on_person else self.keys[row] if row >= 0 else "")

    def show_about(self) -> None:
        """Giới thiệu: version, build, the register's file, the requirement, the font's licence."""
        from gui.dialogs.about import AboutDialog

        AboutDialog(self.reg.path, self).exec()

    def session_text(self) -> str:
        """ "Đăng nhập: Lò Văn Thắng (chihuy) — Chỉ huy"; a plain register has no accounts."""
        if not self.reg.encrypted:
            return self.tr("Sổ chưa mã hóa — không có tài khoản")
        from gui.session.lock import account_name

        who = account_name(self.reg)
        role = ROLE_LABELS.get(self.reg.role, self.reg.role)
        return self.tr("Đăng nhập: %1 — %2").replace("%1", who).replace("%2", role)

    def log_out(self) -> None:
        """Close this account's window; the program asks who signs in next (gui/app.py)."""
        self.logged_out = True
        if self.idle is not None:
            self.idle.stop()
        self.logout_requested.emit()
        self.close()

    def _idle_minutes(self) -> int:
        from db.commune.settings import get_settings

        return int(get_settings(self.reg)["idle_lock_minutes"])

    def show_backups(self) -> None:
        """The backup dialog: the list, back up now, to a USB stick."""
        from gui.dialogs.backup import BackupDialog

        BackupDialog(self.reg, self).exec()

    def change_password(self) -> None:
        """The signed-in account's own password."""
        from gui.pages.accounts import ChangePasswordDialog

        ChangePasswordDialog(self.reg, self).exec()

    def start_auto_backup(self, delay_ms: int = 3000) -> None:
        """Today's automatic backup (once a day; also onto the chosen USB stick if plugged in),
        in the background a moment after the window shows."""
        from db.security.backup import auto_backup
        from gui.dialogs.backup import usb_folder
        from gui.kit.worker import run_in_background

        def start() -> None:
            self._backup_task = run_in_background(
                self, self.tr("Đang sao lưu tự động…"), self.reg,
                lambda worker, progress: auto_backup(worker, usb_folder()), self._backed_up,
            )  # fmt: skip

        QTimer.singleShot(delay_ms, start)

    def _backed_up(self, made: list[object]) -> None:
        if made:
            self.statusBar().showMessage(
                self.tr("Đã sao lưu tự động và kiểm tra %1 bản.").replace("%1", str(len(made))),
                10_000,
            )

    @property
    def keys(self) -> list[str]:
        """Page keys in the order of the left-hand list."""
        return list(self._factories)

    def show_page(self, row: int) -> None:
        """Show the page at `row` of the list, refreshed if something changed meanwhile."""
        if not 0 <= row < len(self.keys):
            return
        key = self.keys[row]
        if key not in self.pages:
            self.page(key)
        page = self.pages[key]
        if key in self._stale:
            page.refresh()
            self._stale.discard(key)
        self.stack.setCurrentWidget(page)

    def page(self, key: str) -> Page:
        """A page by key, built on first use."""
        if key not in self.pages:
            page = self._factories[key](self.reg, self.stack)
            page.setObjectName(page.objectName() or f"{key}Page")
            self.pages[key] = page
            self.stack.addWidget(page)
            page.person_requested.connect(self.open_person)
            page.register_changed.connect(lambda k=key: self._changed(k))
            if isinstance(page, ExcelPage):
                # "Export the list I am looking at": the register screen's search and filters.
                page.set_filter_source(lambda: self.register_page().current_filter())
        return self.pages[key]

    def register_page(self) -> RegisterPage:
        """The register screen (its search box and filters), built on first use."""
        page = self.page("register")
        assert isinstance(page, RegisterPage)
        return page

    def open_person(self, person_id: str) -> None:
        """Show one person."""
        self.person.show_person(person_id)
        self.stack.setCurrentWidget(self.person)

    def go_back(self) -> None:
        """From a person back to the list the officer came from."""
        if self.stack.currentWidget() is self.person:
            self.show_page(self.nav.currentRow())

    def _changed(self, source: str) -> None:
        if self.idle is not None and source == "settings":
            self.idle.set_minutes(self._idle_minutes())
        self._stale = {k for k in self.pages if k != source}
        current = self.stack.currentWidget()
        if current is not self.person and isinstance(current, Page):
            current.refresh()

    def open_bundle(self, path: Path) -> None:
        """A handover bundle opened from Windows (a double-clicked .sotd): its import preview."""
        self.nav.setCurrentRow(self.keys.index("usb"))
        usb = self.page("usb")
        assert isinstance(usb, UsbPage)
        usb.open_bundle(path)

    def focus_search(self) -> None:
        """Ctrl+F: the register's search box."""
        self.nav.setCurrentRow(self.keys.index("register"))
        register = self.register_page()
        register.search.setFocus()
        register.search.selectAll()

    def add_person(self) -> None:
        """Ctrl+N: the person form."""
        self.register_page().add_person()

    def refresh_current(self) -> None:
        """F5: read the register again."""
        current = self.stack.currentWidget()
        if isinstance(current, Page):
            current.refresh()

    def _restore(self) -> None:
        settings = QSettings()
        geometry = settings.value("window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:
            self.resize(1200, 760)
        state = settings.value("window/splitter")
        if state is not None:
            self.splitter.restoreState(state)
        else:
            # Wide enough for the longest screen name, whatever the font.
            needed = self.nav.sizeHintForColumn(0) + 2 * self.nav.frameWidth() + 16
            self.splitter.setSizes([max(needed, 200), 1000])
        last = str(settings.value("window/page", "today"))
        self.nav.setCurrentRow(self.keys.index(last) if last in self.keys else 0)
        self.show_page(self.nav.currentRow())

    def closeEvent(self, event: QCloseEvent) -> None:
        wait_for_all()
        settings = QSettings()
        settings.setValue("window/geometry", self.saveGeometry())
        settings.setValue("window/splitter", self.splitter.saveState())
        row = self.nav.currentRow()
        settings.setValue("window/page", self.keys[row] if 0 <= row < len(self.keys) else "today")
        super().closeEvent(event)
