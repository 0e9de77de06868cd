"""The settings group "Gửi báo cáo lên Công an tỉnh": the address, the commune's token (masked,
with a toggle), the province's CA and a client certificate, filled in as the chief fills them;
what reports.build.upload_config then returns; refusals next to their field; an officer only
looks."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QLineEdit

from db.commune.settings import get_settings
from db.store.register import OFFICER, Register, open_register
from gui.pages.settings import SettingsPage
from reports.build import set_upload_config, upload_config
from reports.outbox import default_folder
from reports.upload_config import UploadConfig
from tests.reports.tls import Authority
from tests.support.registers import PASSWORD, TODAY
from tests.support.typing_helpers import type_text

pytestmark = pytest.mark.usefixtures("no_message_boxes")

URL = "https://127.0.0.1:8443/nhan-bao-cao"
TOKEN = "xa-chieng-mung.7f3a9"


@pytest.fixture
def secure(secure_path: Path) -> Iterator[Register]:
    with open_register(secure_path, user="chihuy", password=PASSWORD, today=lambda: TODAY) as reg:
        yield reg


@pytest.fixture
def authority(tmp_path: Path) -> Authority:
    folder = tmp_path / "tinh"
    folder.mkdir()
    return Authority(folder)


def page_for(qtbot: Any, reg: Register) -> SettingsPage:
    page = SettingsPage(reg)
    qtbot.addWidget(page)
    page.resize(900, 700)
    with qtbot.waitActive(page):  # leaving a field (Tab) is what checks it
        page.show()
        page.activateWindow()
    return page


def edit(page: SettingsPage, key: str) -> QLineEdit:
    found = page.findChild(QLineEdit, f"upload_{key}")
    assert found is not None, key
    return found


def choose(qtbot: Any, page: SettingsPage, key: str, path: Path,
           monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(path), ""))
    button = page.upload.choosers[key]
    assert button.objectName() == f"upload_{key}_choose" and button.isEnabled()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def type_into(qtbot: Any, field: QLineEdit, text: str) -> None:
    field.setFocus()
    field.selectAll()
    qtbot.keyClick(field, Qt.Key.Key_Backspace)
    type_text(qtbot, field, text)
    assert field.hasFocus()
    qtbot.keyClick(field, Qt.Key.Key_Tab)  # leaving the field checks it


def test_the_chief_sets_the_address_token_ca_and_client_certificate(
    qtbot: Any, secure: Register, authority: Authority, monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:  # fmt: skip
    page = page_for(qtbot, secure)
    type_into(qtbot, page.fields["upload_url"], URL)  # type: ignore[arg-type]
    token = edit(page, "token")
    assert token.echoMode() == QLineEdit.EchoMode.Password
    type_into(qtbot, token, TOKEN)
    assert token.displayText() != TOKEN  # dots
    qtbot.mouseClick(page.upload.show_token, Qt.MouseButton.LeftButton)
    assert token.displayText() == TOKEN
    qtbot.mouseClick(page.upload.show_token, Qt.MouseButton.LeftButton)
    assert token.displayText() != TOKEN
    cert, key = authority.client_pair()
    choose(qtbot, page, "ca_file", authority.ca, monkeypatch)
    choose(qtbot, page, "client_cert", cert, monkeypatch)
    choose(qtbot, page, "client_key", key, monkeypatch)
    assert edit(page, "ca_file").text() == str(authority.ca)
    assert not any(e.isVisible() for e in page.upload.errors.values())
    page.grab().save(str(tmp_path / "cai-dat-gui-bao-cao.png"))
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    assert page.status.text() == "Đã lưu 2 mục."
    assert get_settings(secure)["upload_url"] == URL
    assert upload_config(secure) == UploadConfig(TOKEN, str(authority.ca), str(cert), str(key))
    # Kept sealed beside the encrypted register, logged without the token.
    on_disk = b"".join(p.read_bytes() for p in default_folder(secure.path).iterdir())
    assert TOKEN.encode() not in on_disk
    logged = secure.conn.execute("SELECT group_concat(changes) FROM change_log").fetchone()[0]
    assert "…f3a9" in logged and TOKEN not in logged
    # Shown again as kept, masked; saving unchanged saves nothing.
    again = page_for(qtbot, secure)
    assert edit(again, "token").text() == TOKEN
    assert edit(again, "token").echoMode() == QLineEdit.EchoMode.Password
    qtbot.mouseClick(again.save_button, Qt.MouseButton.LeftButton)
    assert again.status.text() == "Không có thay đổi nào để lưu."


def test_clearing_the_ca_goes_back_to_the_systems_store(
    qtbot: Any, secure: Register, authority: Authority
) -> None:
    set_upload_config(secure, UploadConfig(TOKEN, str(authority.ca)))
    page = page_for(qtbot, secure)
    type_into(qtbot, edit(page, "ca_file"), "")
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    assert page.status.text() == "Đã lưu 1 mục."
    assert upload_config(secure) == UploadConfig(TOKEN)


def test_a_token_with_wrong_characters_is_refused_next_to_it_and_nothing_is_saved(
    qtbot: Any, secure: Register
) -> None:
    page = page_for(qtbot, secure)
    type_into(qtbot, page.fields["upload_url"], URL)  # type: ignore[arg-type]
    type_into(qtbot, edit(page, "token"), "ma xa#01")  # pasted with a space
    error = page.upload.errors["token"]
    assert error.isVisible() and error.text() == "Mã xác thực của xã có ký tự không hợp lệ."
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    assert page.status.text() == "Chưa lưu: sửa các ô có chữ đỏ rồi lưu lại."
    assert upload_config(secure) == UploadConfig()
    assert get_settings(secure)["upload_url"] == ""  # nothing saved while one field is wrong
    type_into(qtbot, edit(page, "token"), TOKEN)
    assert not error.isVisible()


def test_a_file_that_is_not_a_certificate_is_named_next_to_its_field(
    qtbot: Any, secure: Register, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = page_for(qtbot, secure)
    letter = tmp_path / "cong-van.pem"
    letter.write_text("Kính gửi Công an tỉnh", encoding="utf-8")
    choose(qtbot, page, "ca_file", letter, monkeypatch)
    error = page.upload.errors["ca_file"]
    assert error.isVisible()
    assert error.text() == f"Không đọc được tệp chứng chỉ gốc (CA) “{letter}”: cần một tệp PEM."
    choose(qtbot, page, "client_cert", letter, monkeypatch)
    assert "cong-van.pem" in page.upload.errors["ca_file"].text()  # the first wrong file
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    assert upload_config(secure) == UploadConfig()


def test_an_officer_sees_only_the_tokens_end_and_cannot_change_it(
    qtbot: Any, secure: Register, authority: Authority
) -> None:
    set_upload_config(secure, UploadConfig(TOKEN, str(authority.ca)))
    secure.role = OFFICER
    page = page_for(qtbot, secure)
    token = edit(page, "token")
    assert token.text() == "" and token.placeholderText() == "…f3a9"
    assert token.isReadOnly() and not page.upload.show_token.isEnabled()
    assert edit(page, "ca_file").text() == str(authority.ca)
    assert not page.upload.choosers["ca_file"].isEnabled()
    assert not page.save_button.isEnabled()
    assert not page.upload.changed()


def test_the_communes_code_is_shown_to_send_to_the_province(qtbot: Any, secure: Register) -> None:
    page = page_for(qtbot, secure)
    code = edit(page, "commune_code")
    assert code.text() == secure.commune_id and code.isReadOnly()
