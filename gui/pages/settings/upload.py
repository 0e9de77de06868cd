"""The credential the province issued for uploads, in the group "Gửi báo cáo lên Công an tỉnh".

The receiving address is a setting of the register (`upload_url`, a field like the others); the
commune's token, the province's CA certificate and a client certificate are kept in the outbox's
own sealed file (reports.upload_config), never in the register's settings, which travel in
bundles. The check is reports.upload_config.check_config's (a token's characters, PEM files that
load), run when the officer leaves a field and again before saving. Setting them is the chief's
(reports.build.set_upload_config refuses anyone else); an officer sees only the token's last
four characters.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from db.core.errors import UserError
from db.store.register import CHIEF, Register
from gui.kit.common import error_label, set_error
from gui.kit.forms import field_box, on_change
from gui.pages.settings.common import settings_tr
from reports.build import set_upload_config, upload_config
from reports.upload_config import UploadConfig, check_config

TITLE = "Gửi báo cáo lên Công an tỉnh"
PEM_FILTER = "Tệp chứng chỉ PEM (*.pem *.crt *.cer *.key);;Mọi tệp (*)"
# Field → (label, placeholder, file chooser's title: None for the token).
FIELDS: dict[str, tuple[str, str, str | None]] = {
    "token": ("Mã xác thực của xã (do tỉnh cấp)", "chưa có mã", None),
    "ca_file": ("Chứng chỉ gốc (CA) của tỉnh",
                "để trống: dùng chứng chỉ của hệ thống", "Chọn chứng chỉ gốc (CA) của tỉnh"),
    "client_cert": ("Chứng chỉ máy khách của xã",
                    "để trống: không dùng", "Chọn chứng chỉ máy khách"),
    "client_key": ("Khóa của chứng chỉ máy khách",
                   "để trống: khóa nằm trong tệp chứng chỉ", "Chọn tệp khóa"),
}  # fmt: skip


def _clearing(error: QLabel) -> Callable[[], None]:
    """A slot that clears an error label (the field changed)."""
    return lambda: set_error(error, None)


class UploadFields:
    """The credential's rows of the group, their errors, and reading, checking and saving them."""

    def __init__(self, reg: Register, parent: QWidget) -> None:
        self.reg = reg
        self.parent = parent
        self.edits: dict[str, QLineEdit] = {}
        self.errors: dict[str, QLabel] = {}
        self.choosers: dict[str, QPushButton] = {}
        self.loaded = UploadConfig()
        for key in FIELDS:
            edit = QLineEdit()
            edit.setObjectName(f"upload_{key}")
            edit.setPlaceholderText(settings_tr(FIELDS[key][1]))
            error = error_label(f"error_upload_{key}")
            on_change(edit, _clearing(error))
            edit.editingFinished.connect(self.check_fields)
            self.edits[key], self.errors[key] = edit, error
        self.edits["token"].setEchoMode(QLineEdit.EchoMode.Password)
        self.show_token = QCheckBox(settings_tr("Hiện mã"))
        self.show_token.setObjectName("upload_token_show")
        self.show_token.toggled.connect(self._show_token)
        self.notice = QLabel()
        self.notice.setObjectName("uploadNotice")
        self.notice.setWordWrap(True)

    def add_rows(self, form: QFormLayout) -> None:
        """The credential's rows, under the address's row in the group's form."""
        # The code the province issues the token for (its uploads carry it): read, not typed.
        code = QLineEdit(self.reg.commune_id)
        code.setObjectName("upload_commune_code")
        code.setReadOnly(True)
        code.setToolTip(settings_tr("Gửi mã này cho Công an tỉnh để được cấp mã xác thực."))
        code_caption = QLabel(settings_tr("Mã của xã (gửi tỉnh khi xin mã xác thực)"))
        code_caption.setWordWrap(True)
        code_caption.setMinimumWidth(280)
        form.addRow(code_caption, code)
        for key, (label, _, title) in FIELDS.items():
            row = QHBoxLayout()
            row.setContentsMargins(0, 0, 0, 0)
            row.addWidget(self.edits[key], 1)
            if title is None:
                row.addWidget(self.show_token)
            else:
                choose = QPushButton(settings_tr("Chọn tệp…"))
                choose.setObjectName(f"upload_{key}_choose")
                choose.clicked.connect(lambda *_, key=key: self.choose(key))
                self.choosers[key] = choose
                row.addWidget(choose)
            line = QWidget()
            line.setLayout(row)
            caption = QLabel(settings_tr(label))
            caption.setWordWrap(True)
            caption.setMinimumWidth(280)
            caption.setBuddy(self.edits[key])
            form.addRow(caption, field_box(line, self.errors[key]))
        form.addRow(self.notice)

    # --- What the fields hold. -----------------------------------------------------------------

    def value(self) -> UploadConfig:
        """What the fields say now (for an officer, who sees no token: the token kept)."""
        values = {key: edit.text().strip() for key, edit in self.edits.items()}
        if not self.may_change():
            values["token"] = self.loaded.token
        return UploadConfig(**values)

    def changed(self) -> bool:
        """Whether the officer changed anything since the last load."""
        return self.may_change() and self.value() != self.loaded

    def may_change(self) -> bool:
        """The credential is the chief's, as for the command line (reports.build)."""
        return self.reg.role == CHIEF

    def load(self) -> None:
        """Show the kept credential (an officer: the token's last characters only)."""
        chief = self.may_change()
        try:
            self.loaded = upload_config(self.reg)
            note = settings_tr(
                "Mã và chứng chỉ do Công an tỉnh cấp cho xã; được lưu mã hóa cùng hộp thư đi, "
                "không đi theo gói dữ liệu USB."
            )
        except UserError as exc:
            self.loaded = UploadConfig()
            note = exc.message
        shown = self.loaded.shown()
        for key, edit in self.edits.items():
            edit.setText(getattr(self.loaded, key) if chief or key != "token" else "")
            edit.setReadOnly(not chief)
            set_error(self.errors[key], None)
        token = self.edits["token"]
        token.setPlaceholderText(shown["token"] or settings_tr(FIELDS["token"][1]))
        self.show_token.setChecked(False)
        self.show_token.setEnabled(chief)
        for button in self.choosers.values():
            button.setEnabled(chief)
        self.notice.setText(note)

    def _show_token(self, shown: bool) -> None:
        mode = QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password
        self.edits["token"].setEchoMode(mode)

    # --- Checking and saving. ------------------------------------------------------------------

    def check_fields(self) -> UploadConfig | None:
        """Check what the fields hold as the upload would (the checked settings), showing the
        reason next to the field it names; None when something is wrong."""
        for error in self.errors.values():
            set_error(error, None)
        if not self.changed():
            return self.loaded
        try:
            return check_config(self.value())
        except UserError as exc:
            field = exc.field if exc.field in self.errors else "token"
            set_error(self.errors[field], exc.message)
            return None

    def save(self) -> None:
        """Keep the credential if it changed (checked again, and logged, by reports.build)."""
        if self.changed():
            set_upload_config(self.reg, self.value())

    def choose(self, key: str) -> None:
        """Pick a PEM file for a field, then check it at once."""
        edit = self.edits[key]
        start = edit.text() or ""
        chosen, _ = QFileDialog.getOpenFileName(
            self.parent, settings_tr(FIELDS[key][2] or ""), start, settings_tr(PEM_FILTER)
        )
        if chosen:
            edit.setText(chosen)
            self.check_fields()
