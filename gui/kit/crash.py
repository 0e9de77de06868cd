"""The last line of defence: an exception nobody caught becomes a message and a log entry.

`install()` (called by gui/app.py when the window starts) replaces `sys.excepthook` and
`threading.excepthook`; under PySide6 an exception raised in a slot or a timer reaches
`sys.excepthook` too. A bug gets a short reference the officer can quote, a message box in
Vietnamese and an entry in a rotating log; a `UserError` is shown as its own message.

The log never holds what the officer typed: only exception types, the reference, and the
traceback's file, line and function names — no exception messages (they can carry a person's
name or a password) and no local values. File names are cut to the program's own path so that a
Windows account name (often a person's name) does not end up in the log either.

The log lives in the per-user log folder (platformdirs' `user_log_dir`), not beside the register:
the register can be opened from anywhere (`--db`, a USB stick handed to another commune), and a
log that follows the register would travel with it. `SOTHEODOI_LOG_DIR` points it elsewhere
(tests).
"""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
import sys
import threading
import traceback
from collections.abc import Callable
from logging.handlers import RotatingFileHandler
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QCoreApplication, QObject, Signal, Slot
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from db.core.errors import UserError

LOG_DIR_VARIABLE = "SOTHEODOI_LOG_DIR"
LOG_NAME = "so-theo-doi.log"
MAX_BYTES = 1_000_000
BACKUPS = 5
_LOGGER = "sotheodoi.crash"
_ROOT = Path(__file__).resolve().parents[2]  # the program's folder


def _tr(text: str) -> str:
    return QCoreApplication.translate("crash", text)


def log_folder() -> Path:
    """Where the log goes: $SOTHEODOI_LOG_DIR, or the user's log folder."""
    chosen = os.environ.get(LOG_DIR_VARIABLE)
    if chosen:
        return Path(chosen)
    from platformdirs import user_log_dir

    return Path(user_log_dir("SoTheoDoi", appauthor=False))


def new_reference() -> str:
    """Eight hex digits the officer can read out over the phone."""
    return secrets.token_hex(4).upper()


def _short_path(filename: str) -> str:
    """A source file's path without the folders above the program (or the Python library)."""
    path = Path(filename)
    try:
        return path.resolve().relative_to(_ROOT).as_posix()
    except (ValueError, OSError):
        pass
    parts = path.parts
    for anchor in ("site-packages", "dist-packages", "lib"):
        if anchor in parts:
            return "/".join(parts[len(parts) - parts[::-1].index(anchor) :])
    return path.name


def _type_name(kind: type[BaseException]) -> str:
    module = kind.__module__
    return (
        kind.__qualname__ if module in ("builtins", "__main__") else f"{module}.{kind.__qualname__}"
    )


def describe(exc: BaseException) -> list[str]:
    """The exception as log lines: types, SQLite error names, and the frames — never a message."""
    lines: list[str] = []
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        head = _type_name(type(current))
        code = getattr(current, "sqlite_errorname", None)
        if isinstance(code, str):
            head += f" ({code})"  # a fixed SQLite name such as SQLITE_FULL, never free text
        lines.append(head if not lines else f"caused by {head}")
        for frame in traceback.extract_tb(current.__traceback__):
            where = _short_path(frame.filename)
            lines.append(f'  File "{where}", line {frame.lineno}, in {frame.name}')
        current = current.__cause__ or (
            None if current.__suppress_context__ else current.__context__
        )
    return lines


def _logger(folder: Path) -> tuple[logging.Logger, Path | None]:
    """The crash logger writing to `folder` (None as the file when the folder cannot be made)."""
    logger = logging.getLogger(_LOGGER)
    logger.setLevel(logging.INFO)
    logger.propagate = False  # never to the console or another handler's file
    for old in list(logger.handlers):
        logger.removeHandler(old)
        old.close()
    path: Path | None = folder / LOG_NAME
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handler: logging.Handler = RotatingFileHandler(
            folder / LOG_NAME, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8", delay=True
        )
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    except OSError:
        handler, path = logging.NullHandler(), None  # a read-only profile: the box still shows
    logger.addHandler(handler)
    return logger, path


class _Bridge(QObject):
    """Carries a message box to the UI thread when the exception happened in another thread:
    it lives on the UI thread, so a signal emitted elsewhere is queued to it."""

    show = Signal(str, str, bool)

    def __init__(self, callback: Callable[[str, str, bool], None]) -> None:
        super().__init__()
        self._callback = callback
        self.show.connect(self._on_show)

    @Slot(str, str, bool)
    def _on_show(self, title: str, text: str, bug: bool) -> None:
        self._callback(title, text, bug)


class CrashHandler:
    """The hooks, the log and the message box (`install()` makes and installs one)."""

    def __init__(
        self, folder: Path | None = None, parent: Callable[[], QWidget | None] | None = None
    ) -> None:
        self.folder = folder if folder is not None else log_folder()
        self.logger, self.log_path = _logger(self.folder)
        self._parent = parent or QApplication.activeWindow
        self._showing = False
        self._previous: tuple[object, object] | None = None
        self._bridge = _Bridge(self._show_box)

    # -- hooks ---------------------------------------------------------------------------------
    def install(self) -> None:
        """Become sys.excepthook and threading.excepthook (until `uninstall()`)."""
        if self._previous is None:
            self._previous = (sys.excepthook, threading.excepthook)
        sys.excepthook = self.excepthook
        threading.excepthook = self.thread_excepthook

    def uninstall(self) -> None:
        """Put back the hooks that were there before, and close the log file."""
        if self._previous is not None:
            sys.excepthook, threading.excepthook = self._previous  # type: ignore[assignment]
            self._previous = None
        for handler in list(self.logger.handlers):
            self.logger.removeHandler(handler)
            handler.close()

    def excepthook(
        self, kind: type[BaseException], exc: BaseException, tb: TracebackType | None
    ) -> None:
        """sys.excepthook: log and tell; never raises."""
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, exc, tb)  # Ctrl+C in a console stays as Python has it
            return
        if exc.__traceback__ is None and tb is not None:
            exc = exc.with_traceback(tb)
        self.handle(exc)

    def thread_excepthook(self, args: threading.ExceptHookArgs) -> None:
        """threading.excepthook: the same, for a Python thread (the box shows on the UI thread)."""
        if args.exc_value is None or issubclass(args.exc_type, SystemExit):
            return
        self.handle(args.exc_value, thread=args.thread.name if args.thread else "?")

    # -- handling ------------------------------------------------------------------------------
    def handle(self, exc: BaseException, thread: str | None = None) -> str | None:
        """Log `exc` and show it; the reference of a bug (None for a `UserError`). Never raises:
        an error here (a full disk, a broken box) is dropped rather than looped on."""
        try:
            if isinstance(exc, UserError):
                self.logger.info("shown to the officer: %s", _type_name(type(exc)))
                self._ask_box(_tr("Không thực hiện được"), exc.message, False)
                return None
            reference = self.log_bug(exc, thread)
            self._ask_box(_tr("Lỗi chương trình"), self.bug_message(reference), True)
            return reference
        except Exception:  # noqa: BLE001 - the hook must never raise (it would loop)
            self._last_resort()
            return None

    def log_bug(self, exc: BaseException, thread: str | None = None) -> str:
        """Write a bug to the log (type and frames only); its reference."""
        reference = new_reference()
        where = thread or threading.current_thread().name
        lines = describe(exc)
        try:
            self.logger.error("bug %s in thread %s: %s", reference, where, "\n".join(lines))
        except Exception:  # noqa: BLE001 - an unwritable log must not hide the message
            self._last_resort()
        return reference

    def bug_message(self, reference: str) -> str:
        """What the officer reads about a bug: what happened, the reference, where the log is."""
        text = _tr(
            "Chương trình gặp lỗi, việc vừa làm có thể chưa xong. Hãy kiểm tra lại rồi làm lại."
            "\n\nMã lỗi: %1 (đọc mã này khi báo cho người hỗ trợ)."
        ).replace("%1", reference)
        if self.log_path is not None:
            text += "\n" + _tr("Nhật ký lỗi: %1").replace("%1", str(self.log_path))
        else:
            text += "\n" + _tr("Không ghi được nhật ký lỗi vào %1.").replace("%1", str(self.folder))
        return text

    def _ask_box(self, title: str, text: str, bug: bool) -> None:
        # Emitted from the UI thread this is a direct call; from another thread it is queued
        # to the UI thread (widgets only live there).
        if QCoreApplication.instance() is None:
            return  # no window (a script, a test without Qt): the log is all there is
        self._bridge.show.emit(title, text, bug)

    def _show_box(self, title: str, text: str, bug: bool) -> None:
        if self._showing:
            return  # one box at a time: an error while a box is open is logged, not shown
        self._showing = True
        try:
            show = QMessageBox.critical if bug else QMessageBox.warning
            show(self._parent(), title, text)
        except Exception:  # noqa: BLE001 - a box that fails must not come back here
            self._last_resort()
        finally:
            self._showing = False

    @staticmethod
    def _last_resort() -> None:
        """Say something on the console if there is one (none under pythonw)."""
        stream = sys.__stderr__
        if stream is None:
            return
        with contextlib.suppress(Exception):  # nowhere left to report to
            stream.write("Sổ theo dõi: lỗi khi báo lỗi (không ghi được nhật ký).\n")


_installed: CrashHandler | None = None


def install(folder: Path | None = None) -> CrashHandler:
    """Make the crash handler (logging to `folder`, default `log_folder()`) and install it."""
    global _installed
    if _installed is not None:
        _installed.uninstall()
    _installed = CrashHandler(folder)
    _installed.install()
    return _installed


def uninstall() -> None:
    """Take the installed handler out again (tests; the program keeps it to the end)."""
    global _installed
    if _installed is not None:
        _installed.uninstall()
        _installed = None


def report_bug(exc: BaseException) -> str | None:
    """Log a bug caught elsewhere (a background job's); its reference, or None when no handler
    is installed (tests, the command line)."""
    handler = _installed
    return handler.log_bug(exc) if handler is not None else None
