"""Giới thiệu (About): the program's name, version and build, the register in use, what the
program needs to run, and the licence of the font the reports are printed in."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from db.core import version
from gui.kit.common import named_button, tr
from reports.typeface import FONT_DIR

FONT_LICENCE = FONT_DIR / "OFL.txt"  # shipped beside the fonts (packaging/sotheodoi.spec)


def _tr(text: str) -> str:
    return tr("about", text)


def requirement() -> str:
    """What the program needs, as the About box says it."""
    return _tr(
        "Yêu cầu: Windows 10 hoặc Windows 11 bản 64-bit. Máy Windows 32-bit, Windows 7, 8 và "
        "8.1 không chạy được chương trình."
    )


def font_licence() -> str:
    """The licence of the report font, as shipped (or where it should have been)."""
    try:
        return FONT_LICENCE.read_text(encoding="utf-8")
    except OSError:
        return _tr("Không đọc được tệp giấy phép: %1").replace("%1", str(FONT_LICENCE))


def _label(name: str, text: str, *, selectable: bool = False) -> QLabel:
    label = QLabel(text)
    label.setObjectName(name)
    label.setWordWrap(True)
    if selectable:
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


class AboutDialog(QDialog):
    """Name, version, build, the register's file, the requirement and the font's licence."""

    def __init__(self, register_path: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("aboutDialog")
        self.setWindowTitle(_tr("Giới thiệu Sổ theo dõi"))
        self.setMinimumWidth(520)
        layout = QVBoxLayout(self)
        heading = QHBoxLayout()
        icon = QLabel()
        icon.setPixmap(QGuiApplication.windowIcon().pixmap(64, 64))
        heading.addWidget(icon)
        name = _label("aboutName", _tr("Sổ theo dõi"))
        font = QFont(name.font())
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        name.setFont(font)
        heading.addWidget(name, 1)
        layout.addLayout(heading)
        layout.addWidget(_label("aboutPurpose", _tr(
            "Sổ theo dõi người sử dụng trái phép chất ma túy, người nghiện, người cai nghiện "
            "và sau cai nghiện, dành cho Công an xã, phường, đặc khu."
        )))  # fmt: skip
        self.version_text = (
            _tr("Phiên bản %1 — bản dựng %2")
            .replace("%1", version.VERSION)
            .replace("%2", version.BUILD)
        )
        layout.addWidget(_label("aboutVersion", self.version_text, selectable=True))
        self.register_text = _tr("Sổ đang mở: %1").replace("%1", str(register_path))
        layout.addWidget(_label("aboutRegister", self.register_text, selectable=True))
        layout.addWidget(_label("aboutRequirement", requirement()))
        layout.addWidget(_label("aboutFont", _tr(
            "Báo cáo in bằng phông chữ Liberation Serif, theo giấy phép SIL Open Font License "
            "1.1 (được dùng, sao chép và phân phối kèm chương trình):"
        )))  # fmt: skip
        self.licence = QPlainTextEdit(font_licence())
        self.licence.setObjectName("fontLicence")
        self.licence.setReadOnly(True)
        self.licence.setMinimumHeight(120)
        layout.addWidget(self.licence, 1)
        buttons = QDialogButtonBox()
        copy = named_button("copyAboutButton", _tr("Chép thông tin phiên bản"))
        copy.setToolTip(_tr("Để báo cho người hỗ trợ: phiên bản, bản dựng và tệp sổ."))
        copy.clicked.connect(self.copy_details)
        buttons.addButton(copy, QDialogButtonBox.ButtonRole.ActionRole)
        close = named_button("closeButton", _tr("Đóng"))
        close.setDefault(True)
        close.clicked.connect(self.accept)
        buttons.addButton(close, QDialogButtonBox.ButtonRole.AcceptRole)
        layout.addWidget(buttons)
        self.resize(620, 520)

    def details(self) -> str:
        """What a support call needs: the version line and the register's file."""
        return f"{version.describe()}\n{self.register_text}"

    def copy_details(self) -> None:
        """Put the version, build and register's file on the clipboard."""
        QGuiApplication.clipboard().setText(self.details())
