"""Writing a bundle (the format is described in db/handover/bundle.py): the writer, and the atomic
write onto a stick (db.core.files) — a temporary name, fsync, read back and verified, renamed.
"""

from __future__ import annotations

import hashlib
import json
import queue
import secrets
import threading
import zlib
from base64 import b64encode
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from db.core import files
from db.core.errors import UserError
from db.handover import bundle
from db.handover.bundle import (
    CHUNK_SIZE,
    ENCODE,
    FORMAT_VERSION,
    LENGTH,
    MAGIC,
    PREFIX,
    BundleWriteError,
    check_passphrase,
    damaged,
    derive_key,
    nonce_for,
)
from db.handover.bundle_read import BundleReader


@dataclass(frozen=True)
class Written:
    """A bundle on disk: where, its SHA-256 (shown to both officers) and size."""

    path: Path
    sha256: str
    size: int
    manifest: dict[str, Any]


class BundleWriter:
    """Writes the header, the compressed body in encrypted chunks, then the manifest."""

    def __init__(
        self,
        handle: BinaryIO,
        passphrase: str,
        *,
        kdf_n: int | None = None,
        chunk: int = CHUNK_SIZE,
    ) -> None:
        kdf_n = kdf_n or bundle.KDF_N  # read at call time: tests lower it
        salt, self._prefix = secrets.token_bytes(16), secrets.token_bytes(7)
        self.key, check = derive_key(passphrase, salt, kdf_n, 8, 1)
        header = {
            "kdf": "scrypt", "n": kdf_n, "r": 8, "p": 1, "salt": b64encode(salt).decode(),
            "nonce": b64encode(self._prefix).decode(), "chunk": chunk,
            "check": b64encode(check).decode(),
        }  # fmt: skip
        raw = json.dumps(header, separators=(",", ":")).encode("ascii")
        self._aad = PREFIX.pack(MAGIC, FORMAT_VERSION, len(raw)) + raw
        self._aead = AESGCM(self.key)
        self._handle = handle
        self._chunk = chunk
        self._index = 0
        self._pending = bytearray()
        self._zip = zlib.compressobj(6)
        self._content = hashlib.sha256()
        self._lines: list[bytes] = []
        self._buffered = 0
        self._table: str | None = None
        self._rows = 0
        self.counts: dict[str, int] = {}
        self.sha = hashlib.sha256()
        self.size = 0
        self._out(self._aad)
        # Hashing, compressing, sealing and writing happen on a second thread (zlib, AES and the
        # disk let go of the GIL) while this one reads rows and encodes them.
        self._blocks: queue.Queue[bytes | None] = queue.Queue(maxsize=4)
        self._failure: BaseException | None = None
        self._packer = threading.Thread(target=self._pack, name="bundle-writer", daemon=True)
        self._packer.start()

    def _pack(self) -> None:
        while (data := self._blocks.get()) is not None:
            if self._failure is not None:
                continue  # drain after a failure; the writing thread raises it
            try:
                self._content.update(data)
                self._compressed(self._zip.compress(data))
            except BaseException as exc:  # noqa: BLE001 - raised again on the writing thread
                self._failure = exc

    def _raise_failure(self) -> None:
        if self._failure is not None:
            raise self._failure

    def close(self) -> None:
        """Stop the packing thread (after finish(), or when making the bundle failed)."""
        if self._packer.is_alive():
            self._blocks.put(None)
            self._packer.join()

    def _out(self, data: bytes) -> None:
        self._handle.write(data)
        self.sha.update(data)
        self.size += len(data)

    def _seal(self, plain: bytes, last: bool) -> None:
        sealed = self._aead.encrypt(nonce_for(self._prefix, self._index, last), plain, self._aad)
        self._out(LENGTH.pack(len(sealed)) + sealed)
        self._index += 1

    def _compressed(self, data: bytes) -> None:
        self._pending += data
        while len(self._pending) >= self._chunk:
            self._seal(bytes(self._pending[: self._chunk]), last=False)
            del self._pending[: self._chunk]

    def _line(self, value: object) -> None:
        line = ENCODE(value).encode() + b"\n"
        self._lines.append(line)
        self._buffered += len(line)
        if self._buffered >= 1 << 18:
            self._flush_lines()

    def _flush_lines(self) -> None:
        data = b"".join(self._lines)
        self._lines.clear()
        self._buffered = 0
        self._raise_failure()
        self._blocks.put(data)

    def table(self, name: str, columns: Sequence[str]) -> None:
        """Start a table's rows."""
        self._table, self._rows = name, 0
        self._line({"t": name, "c": list(columns)})

    def row(self, values: Sequence[Any]) -> None:
        """One row, its values in the order of the table's columns."""
        self._rows += 1
        self._line(values)

    def end_table(self) -> None:
        """Close the table (the count is checked when reading)."""
        assert self._table is not None
        self._line({"e": self._table, "n": self._rows})
        self.counts[self._table] = self.counts.get(self._table, 0) + self._rows
        self._table = None

    def finish(self, manifest: dict[str, Any]) -> dict[str, Any]:
        """Seal the body and the manifest (with the counts and the content hash)."""
        self._flush_lines()
        self.close()
        self._raise_failure()
        self._compressed(self._zip.flush())
        if self._pending:
            self._seal(bytes(self._pending), last=False)
            self._pending.clear()
        full = {**manifest, "counts": self.counts, "content_sha256": self._content.hexdigest()}
        self._seal(json.dumps(full, ensure_ascii=False).encode(), last=True)
        return full


# A failed write leaves no bundle; its message says so, and asks to write it again.
_WORDING = files.Wording(
    what="ghi gói dữ liệu",
    kept="không có tệp gói dở dang nào được để lại",
    error=BundleWriteError,
)


def create_bundle(
    target: Path,
    passphrase: str,
    produce: Callable[[BundleWriter], dict[str, Any]],
    *,
    kdf_n: int | None = None,
    chunk: int = CHUNK_SIZE,
) -> Written:
    """Write a bundle under a temporary name, sync, read it back and verify, then rename.

    `produce(writer)` writes the tables and returns the manifest. A stick pulled out or a full
    disk leaves no file behind (the temporary one is removed), and raises a UserError.
    """
    weak = check_passphrase(passphrase)
    if weak:
        raise UserError(weak, field="passphrase")
    target = Path(target)
    if not target.parent.is_dir():
        raise UserError(f"Thư mục “{target.parent}” không tồn tại.", field="out")
    if target.exists():
        raise UserError(f"Đã có tệp “{target}”; hãy chọn tên khác.", field="out")

    def write(temp: Path) -> tuple[BundleWriter, dict[str, Any]]:
        with temp.open("wb") as handle:
            writer = BundleWriter(handle, passphrase, kdf_n=kdf_n, chunk=chunk)
            try:
                return writer, writer.finish(produce(writer))
            finally:
                writer.close()

    def read_back(temp: Path, written: tuple[BundleWriter, dict[str, Any]]) -> None:
        writer = written[0]
        read = BundleReader(temp, None, key=writer.key)
        if read.sha256 != writer.sha.hexdigest() or read.size != writer.size:
            raise damaged(target, "bản ghi ra đĩa đọc lại không khớp")

    writer, manifest = files.atomic_write_with(
        target, write, _WORDING, check=read_back, private=True
    )
    return Written(target, writer.sha.hexdigest(), writer.size, manifest)
