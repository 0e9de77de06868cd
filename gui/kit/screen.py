"""Windows that fit a station laptop's screen: 1366×768 at 100 % and at 125 % scaling (about
1093×614 logical pixels, less the taskbar).

`install_screen_fit(app)` puts one event filter on the application: when a window or dialog is
shown it is limited to the free part of its screen (the taskbar left out) and moved into view;
a dialog the toolkit had cut to two thirds of the screen grows back to its natural size where
the screen allows. A main window's central widget goes into a `FitScroll`, so a screen whose
content is taller or wider than the window scrolls instead of being cut; the form toolkit puts
its fields in one too (gui/kit/forms.py). `fitted` is the rule itself, without Qt's screens.
"""

from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QRect, QSize, Qt
from PySide6.QtWidgets import QLayout, QMainWindow, QScrollArea, QStyle, QWidget

# The smallest screen the program is made for: 1366×768 at 125 % (logical pixels), the taskbar
# of Windows 10/11 at 125 % (40 px), and a window's title bar and borders at 125 %.
SMALLEST_SCREEN = QSize(1093, 614)
TASKBAR_HEIGHT = 32
WINDOW_FRAME = QSize(16, 39)
# A scrolled form or screen asks for at most this share of the screen (each way) as its
# minimum size; past it, it scrolls.
SCREEN_SHARE = 0.5
SCROLL_NAME = "screenFitScroll"


def smallest_room() -> QSize:
    """The inside of the largest window that fits the smallest screen: what a window's minimum
    size may take."""
    return QSize(
        SMALLEST_SCREEN.width() - WINDOW_FRAME.width(),
        SMALLEST_SCREEN.height() - TASKBAR_HEIGHT - WINDOW_FRAME.height(),
    )


def fitted(frame: QRect, available: QRect) -> QRect:
    """`frame` (a window with its title bar) no larger than `available` and moved inside it."""
    width = min(frame.width(), available.width())
    height = min(frame.height(), available.height())
    x = min(max(frame.x(), available.x()), available.x() + available.width() - width)
    y = min(max(frame.y(), available.y()), available.y() + available.height() - height)
    return QRect(x, y, width, height)


def fit_to_screen(window: QWidget, *, grow: bool = False) -> None:
    """Limit a window to the free part of its screen and move it into view; with `grow`, first
    enlarge it towards its natural size (as far as the screen allows)."""
    if window.isMaximized() or window.isFullScreen():
        return
    available = window.screen().availableGeometry()
    frame = window.frameGeometry()
    chrome = frame.size() - window.size()
    if grow:
        room = available.size() - chrome
        wanted = window.sizeHint().boundedTo(room).expandedTo(window.size())
        if wanted != window.size():
            window.resize(wanted)
            frame = QRect(frame.topLeft(), wanted + chrome)
    target = fitted(frame, available)
    if target.size() != frame.size():
        window.resize(target.size() - chrome)
    if target.topLeft() != frame.topLeft():
        window.move(target.topLeft())


class FitScroll(QScrollArea):
    """A frameless scroll area that asks for its content's natural size, and for no more than
    part of the screen as its minimum: on a big screen nothing changes, on a small one the
    content scrolls instead of pushing the window off the screen."""

    def __init__(self, content: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(SCROLL_NAME)
        self.setFrameShape(QScrollArea.Shape.NoFrame)
        self.setWidgetResizable(True)
        self.setWidget(content)
        content.installEventFilter(self)

    def _bar(self) -> int:
        return self.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent, None, self)

    def sizeHint(self) -> QSize:
        content = self.widget()
        return content.sizeHint() if content is not None else super().sizeHint()

    def minimumSizeHint(self) -> QSize:
        content = self.widget()
        if content is None:
            return super().minimumSizeHint()
        least = content.minimumSizeHint()
        screen = self.screen().availableGeometry()
        width, height = least.width(), least.height()
        if height > screen.height() * SCREEN_SHARE:  # scrolls up and down: room for the bar
            height, width = int(screen.height() * SCREEN_SHARE), width + self._bar()
        if width > screen.width() * SCREEN_SHARE:
            width, height = int(screen.width() * SCREEN_SHARE), height + self._bar()
        return QSize(width, height)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.widget() and event.type() == QEvent.Type.LayoutRequest:
            self.updateGeometry()  # the content grew or shrank: the window's layout asks again
        return super().eventFilter(watched, event)


def scrolling(layout: QLayout) -> FitScroll:
    """A scroll area holding `layout` (a form's fields)."""
    content = QWidget()
    content.setObjectName("scrolledContent")
    content.setLayout(layout)
    layout.setContentsMargins(0, 0, 0, 0)
    return FitScroll(content)


def _scroll_central(window: QMainWindow) -> None:
    central = window.centralWidget()
    if central is None or isinstance(central, FitScroll):
        return
    window.takeCentralWidget()
    scroll = FitScroll(central)
    window.setCentralWidget(scroll)
    scroll.show()
    layout = window.layout()
    if layout is not None:  # the window's minimum is the scroll area's now, not the content's
        layout.activate()


class ScreenFit(QObject):
    """The application's event filter that fits each window to the screen when it is shown."""

    KINDS = (Qt.WindowType.Window, Qt.WindowType.Dialog)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.Show
            and not event.spontaneous()
            and isinstance(watched, QWidget)
            and watched.isWindow()
            and watched.windowType() in self.KINDS
        ):
            if isinstance(watched, QMainWindow):
                _scroll_central(watched)
            # Not sized by the program: Qt cut its natural size to 2/3 of the screen.
            grow = not watched.testAttribute(Qt.WidgetAttribute.WA_Resized)
            fit_to_screen(watched, grow=grow)
        return False


def install_screen_fit() -> ScreenFit | None:
    """Fit every window shown from now on to its screen (once; again does nothing)."""
    app = QCoreApplication.instance()
    if app is None:
        return None
    existing = app.findChild(ScreenFit, "screenFit")
    if existing is not None:
        return existing
    fit = ScreenFit(app)
    fit.setObjectName("screenFit")
    app.installEventFilter(fit)
    return fit


def uninstall_screen_fit() -> None:
    """Take the filter off (tests)."""
    app = QCoreApplication.instance()
    fit = app.findChild(ScreenFit, "screenFit") if app is not None else None
    if app is not None and fit is not None:
        app.removeEventFilter(fit)
        fit.deleteLater()
        fit.setObjectName("")


def offscreen_platform(folder: Path, width: int, height: int, scale: float = 1.0) -> str:
    """The QT_QPA_PLATFORM value for Qt's offscreen platform with one screen of `width`×`height`
    device pixels at `scale` (1.25 is Windows' 125 %), for tests and screenshots."""
    config = {
        "screens": [
            {
                "name": f"{width}x{height}@{scale:g}",
                "x": 0,
                "y": 0,
                "width": width,
                "height": height,
                "logicalDpi": round(96 * scale),
                "logicalBaseDpi": 96,
                "dpr": 1,
            }
        ]
    }
    path = folder / f"screen-{width}x{height}-{round(scale * 100)}.json"
    path.write_text(json.dumps(config), encoding="utf-8")
    return f"offscreen:configfile={path}"
