"""Hướng dẫn sử dụng (F1): the user's guide shipped with the program, in a window of its own
beside the register, opened at the part about the screen in sight.

The guide is docs/guide/huong-dan.md with its screenshots in docs/guide/img/ (made by
docs/guide/make_screenshots.py); the frozen build carries the folder at the same place
(packaging/sotheodoi.spec), so the path below holds in both.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QImage, QTextCursor, QTextDocument
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget

from gui.kit.common import named_button, tr

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "guide" / "huong-dan.md"
# Screenshots are taken at 1366×768; shown no wider than this, they fit the window.
IMAGE_WIDTH = 760
# The heading F1 opens on each screen (the main window's page keys, and "person").
SECTIONS = {
    "today": "Công việc hằng ngày",
    "register": "Công việc hằng ngày",
    "person": "Ghi việc đã làm và thời hạn",
    "round": "Xét nghiệm theo đợt",
    "reports": "Báo cáo",
    "usb": "Bàn giao bằng USB",
    "accounts": "Bắt đầu",
}


def _tr(text: str) -> str:
    return tr("guide", text)


class GuideBrowser(QTextBrowser):
    """A text browser that shrinks wide screenshots to the window's width."""

    def loadResource(self, kind: int, name: QUrl | str) -> Any:
        data = super().loadResource(kind, name)
        if kind != QTextDocument.ResourceType.ImageResource.value or not data:
            return data
        image = QImage.fromData(data)
        if image.isNull() or image.width() <= IMAGE_WIDTH:
            return data
        return image.scaledToWidth(IMAGE_WIDTH, Qt.TransformationMode.SmoothTransformation)


class GuideDialog(QDialog):
    """The guide in a window that stays open while the officer works."""

    def __init__(self, parent: QWidget | None = None, guide: Path = GUIDE) -> None:
        super().__init__(parent)
        self.setObjectName("guideDialog")
        self.setWindowTitle(_tr("Hướng dẫn sử dụng — Sổ theo dõi"))
        self.setModal(False)
        layout = QVBoxLayout(self)
        self.browser = GuideBrowser()
        self.browser.setObjectName("guideBrowser")
        self.browser.setOpenExternalLinks(True)
        layout.addWidget(self.browser, 1)
        buttons = QDialogButtonBox()
        close = named_button("closeButton", _tr("Đóng"))
        close.clicked.connect(self.close)
        buttons.addButton(close, QDialogButtonBox.ButtonRole.RejectRole)
        layout.addWidget(buttons)
        self.found = guide.is_file()
        if self.found:
            self.browser.setSource(
                QUrl.fromLocalFile(str(guide)), QTextDocument.ResourceType.MarkdownResource
            )
        else:
            self.browser.setPlainText(
                _tr("Không tìm thấy tệp hướng dẫn: %1").replace("%1", str(guide))
            )
        self.resize(840, 640)

    def headings(self) -> list[str]:
        """The guide's headings, in order."""
        found = []
        block = self.browser.document().begin()
        while block.isValid():
            if block.blockFormat().headingLevel() > 0:
                found.append(block.text().strip())
            block = block.next()
        return found

    def show_section(self, heading: str) -> bool:
        """Scroll to the heading with this text (False when there is none)."""
        document = self.browser.document()
        block = document.begin()
        while block.isValid():
            if block.blockFormat().headingLevel() > 0 and block.text().strip() == heading:
                self.browser.setTextCursor(QTextCursor(block))
                top = document.documentLayout().blockBoundingRect(block).top()
                self.browser.verticalScrollBar().setValue(int(top))
                return True
            block = block.next()
        return False


def show_guide(parent: QWidget, screen: str = "") -> GuideDialog:
    """Show the guide (one window per parent), at the part about `screen` if it has one."""
    dialog = parent.findChild(GuideDialog, "guideDialog")
    if dialog is None:
        dialog = GuideDialog(parent)
    dialog.show()
    dialog.raise_()
    dialog.activateWindow()
    dialog.show_section(SECTIONS.get(screen, ""))
    return dialog
