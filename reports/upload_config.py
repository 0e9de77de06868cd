"""How this commune proves itself to the province when it uploads: the credential and the CA.

    config = load_config(box)                      # UploadConfig(token, ca_file, client_cert…)
    context = tls_context(config)                  # the province's CA, or the system's store

The province issues each commune a bearer token (sent as `Authorization: Bearer …`) and, if it
wants, a client certificate; it may run its own certificate authority, whose certificate (a PEM
file) replaces the system's store for the upload. They are kept in the outbox's own file, sealed
like the reports beside an encrypted register (never in the register's settings, which travel in
bundles), and the token is never written to a log or shown whole.
"""

from __future__ import annotations

import json
import re
import ssl
from dataclasses import asdict, dataclass
from pathlib import Path

from db.core.errors import UserError
from reports.outbox import Outbox

CONFIG_NAME = "cai-dat-gui-bao-cao"
_TOKEN = re.compile(r"[A-Za-z0-9\-._~+/]+=*")  # RFC 6750 b64token


@dataclass(frozen=True)
class UploadConfig:
    """The commune's credential and the CA to trust (empty: none, the system's store)."""

    token: str = ""
    ca_file: str = ""
    client_cert: str = ""
    client_key: str = ""

    def shown(self) -> dict[str, str]:
        """What may be shown or logged: the token only as its last four characters."""
        return {
            "token": f"…{self.token[-4:]}" if self.token else "",
            "ca_file": self.ca_file,
            "client_cert": self.client_cert,
            "client_key": self.client_key,
        }


def load_config(box: Outbox) -> UploadConfig:
    """The outbox's upload settings (none yet: an empty UploadConfig)."""
    raw = box.read_private(CONFIG_NAME)
    if raw is None:
        return UploadConfig()
    try:
        values = json.loads(raw.decode("utf-8"))
        known = UploadConfig.__annotations__
        return UploadConfig(**{k: str(v) for k, v in values.items() if k in known})
    except (ValueError, TypeError, AttributeError) as exc:
        raise UserError(f"Tệp cài đặt gửi báo cáo trong “{box.folder}” không đọc được.") from exc


def check_config(config: UploadConfig) -> UploadConfig:
    """The settings, checked: a token of the allowed characters, PEM files that load."""
    token = config.token.strip()
    if token and not _TOKEN.fullmatch(token):
        raise UserError("Mã xác thực của xã có ký tự không hợp lệ.", field="token")
    clean = UploadConfig(token, config.ca_file.strip(), config.client_cert.strip(),
                         config.client_key.strip())  # fmt: skip
    if clean.client_key and not clean.client_cert:
        raise UserError("Có khóa của chứng chỉ máy khách mà thiếu chứng chỉ.", field="client_cert")
    tls_context(clean)
    return clean


def save_config(box: Outbox, config: UploadConfig) -> UploadConfig:
    """Check and keep the upload settings (the caller checks who may; see reports.build)."""
    clean = check_config(config)
    box.write_private(CONFIG_NAME, json.dumps(asdict(clean)).encode("utf-8"))
    return clean


def tls_context(config: UploadConfig) -> ssl.SSLContext:
    """The TLS settings of an upload: the province's CA if set (else the system's), and the
    commune's client certificate if it has one."""
    try:
        if config.ca_file:
            context = ssl.create_default_context(cafile=str(Path(config.ca_file).expanduser()))
        else:
            context = ssl.create_default_context()
    except (OSError, ssl.SSLError) as exc:
        raise UserError(
            f"Không đọc được tệp chứng chỉ gốc (CA) “{config.ca_file}”: cần một tệp PEM.",
            field="ca_file",
        ) from exc
    if config.client_cert:
        try:
            context.load_cert_chain(
                str(Path(config.client_cert).expanduser()),
                str(Path(config.client_key).expanduser()) if config.client_key else None,
            )
        except (OSError, ssl.SSLError) as exc:
            raise UserError(
                f"Không đọc được chứng chỉ máy khách “{config.client_cert}” (cần tệp PEM có "
                "khóa, không đặt mật khẩu).",
                field="client_cert",
            ) from exc
    return context
