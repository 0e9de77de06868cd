"""Reading a bundle (the format is described in db/handover/bundle.py): every chunk authenticated
and the body checked before anything is used, then read again — on a second thread — for the merge.

What a reader spends is bounded before it is spent: the KDF cost in the header, the length of a
chunk, of a line once inflated (a piece at a time) and of a batch of rows.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import queue
import threading
import zlib
from base64 import b64decode
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from db.handover.bundle import (
    BATCH,
    BATCH_BYTES,
    FORMAT_VERSION,
    LENGTH,
    MAGIC,
    MAX_HEADER,
    MAX_LINE,
    PIECE,
    PREFIX,
    READABLE_VERSIONS,
    TAG,
    BundleError,
    NewerBundle,
    NotABundle,
    Progress,
    WrongPassphrase,
    damaged,
    derive_key,
    kdf_cost_ok,
    nonce_for,
)


def inflate(unzip: Any, data: bytes) -> Iterator[bytes]:
    """`data` decompressed in pieces of at most PIECE bytes: a chunk that would inflate to
    gigabytes never sits in memory whole."""
    while True:
        piece = unzip.decompress(data, PIECE)
        if piece:
            yield piece
        data = unzip.unconsumed_tail
        if not data and len(piece) < PIECE:
            return


class LineBound:
    """Follows the length of the line being inflated; a line past MAX_LINE is refused."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.run = 0  # bytes since the last newline

    def feed(self, piece: bytes) -> None:
        first = piece.find(b"\n")
        if first < 0:
            self.run += len(piece)
        else:
            if self.run + first > MAX_LINE:
                raise self.too_long()
            self.run = len(piece) - piece.rfind(b"\n") - 1
        if self.run > MAX_LINE:
            raise self.too_long()

    def too_long(self) -> BundleError:
        return damaged(self.path, f"một dòng dài quá {MAX_LINE >> 20} MB")


class BundleReader:
    """Opens a bundle, checks the passphrase and verifies every chunk before anything is used."""

    def __init__(
        self,
        path: Path,
        passphrase: str | None,
        *,
        key: bytes | None = None,
        progress: Progress | None = None,
    ) -> None:
        self.path = Path(path)
        try:
            self.size = self.path.stat().st_size
            with self.path.open("rb") as handle:
                self._read_header(handle)
        except OSError as exc:
            raise BundleError(f"Không đọc được tệp “{self.path}”: {exc.strerror or exc}.") from exc
        if key is None:
            if passphrase is None:
                raise WrongPassphrase("Cần mật khẩu gói để mở gói dữ liệu.")
            key, check = derive_key(passphrase, self._salt, self._n, self._r, self._p)
            if not hmac.compare_digest(check, self._check):
                raise WrongPassphrase(
                    "Mật khẩu gói không đúng (hoặc phần đầu tệp đã bị thay đổi). "
                    "Sổ không bị thay đổi."
                )
        self._aead = AESGCM(key)
        self.manifest: dict[str, Any] = {}
        self.sha256 = ""
        content = hashlib.sha256()
        unzip = zlib.decompressobj()
        bound = LineBound(self.path)
        try:
            for plain, last in self._chunks(progress):
                if last:
                    self.manifest = self._parse_manifest(plain)
                    continue
                for piece in inflate(unzip, plain):
                    bound.feed(piece)
                    content.update(piece)
            rest = unzip.flush()
        except zlib.error as exc:
            raise damaged(self.path, "dữ liệu nén không đọc được") from exc
        bound.feed(rest)
        content.update(rest)
        if not unzip.eof or content.hexdigest() != self.manifest.get("content_sha256"):
            raise damaged(self.path, "nội dung không khớp mã kiểm tra")

    def _read_header(self, handle: BinaryIO) -> None:
        head = handle.read(PREFIX.size)
        if not head:
            raise NotABundle(
                f"Tệp “{self.path.name}” rỗng (0 byte): có thể USB đã bị rút ra khi đang chép. "
                "Hãy chép lại gói từ máy gửi."
            )
        if len(head) < PREFIX.size or not head.startswith(MAGIC):
            raise NotABundle(
                f"Tệp “{self.path.name}” không phải là gói dữ liệu bàn giao của Sổ theo dõi."
            )
        _, version, length = PREFIX.unpack(head)
        if version > FORMAT_VERSION:
            raise NewerBundle(
                f"Gói “{self.path.name}” được tạo bởi phiên bản mới hơn của chương trình (định "
                f"dạng {version}). Hãy cập nhật Sổ theo dõi rồi nhập lại; sổ không bị thay đổi."
            )
        if version not in READABLE_VERSIONS or length > MAX_HEADER:
            raise damaged(self.path, "phần đầu tệp không hợp lệ")
        raw = handle.read(length)
        try:
            header = json.loads(raw.decode("ascii"))
            self._n, self._r, self._p = int(header["n"]), int(header["r"]), int(header["p"])
            self._salt = b64decode(header["salt"], validate=True)
            self._prefix = b64decode(header["nonce"], validate=True)
            self._check = b64decode(header["check"], validate=True)
            self._chunk = int(header["chunk"])
        except (ValueError, KeyError, TypeError) as exc:
            raise damaged(self.path, "phần đầu tệp không đọc được") from exc
        if (
            len(raw) != length
            or header.get("kdf") != "scrypt"
            or not kdf_cost_ok(self._n, self._r, self._p)
            or len(self._prefix) != 7
            or len(self._salt) < 16
            or not 1024 <= self._chunk <= 1 << 24
        ):
            raise damaged(self.path, "phần đầu tệp không hợp lệ")
        self._aad = head + raw

    def _chunks(self, progress: Progress | None) -> Iterator[tuple[bytes, bool]]:
        """Decrypted chunks in order, the last flag with each; any fault is DamagedBundle."""
        sha = hashlib.sha256()
        try:
            handle = self.path.open("rb")
        except OSError as exc:
            raise BundleError(f"Không đọc được tệp “{self.path}”: {exc.strerror or exc}.") from exc
        with handle:
            head = handle.read(len(self._aad))
            if head != self._aad:
                raise damaged(self.path, "tệp đã thay đổi trong khi đọc")
            sha.update(head)
            index, done = 0, len(head)
            while True:
                raw_length = handle.read(LENGTH.size)
                if len(raw_length) < LENGTH.size:
                    raise damaged(self.path, "tệp bị cắt cụt")
                (length,) = LENGTH.unpack(raw_length)
                if not TAG < length <= self._chunk + TAG:
                    raise damaged(self.path, f"độ dài đoạn {index + 1} không hợp lệ")
                sealed = handle.read(length)
                if len(sealed) < length:
                    raise damaged(self.path, "tệp bị cắt cụt")
                sha.update(raw_length)
                sha.update(sealed)
                plain, last = self._open(sealed, index)
                done += LENGTH.size + length
                if progress is not None:
                    progress(done, self.size)
                yield plain, last
                if last:
                    break
                index += 1
            if handle.read(1):
                raise damaged(self.path, "thừa dữ liệu sau phần kết của gói")
        digest = sha.hexdigest()
        if self.sha256 and digest != self.sha256:
            raise damaged(self.path, "tệp đã thay đổi trong khi đọc")
        self.sha256 = digest

    def _open(self, sealed: bytes, index: int) -> tuple[bytes, bool]:
        for last in (False, True):
            with contextlib.suppress(InvalidTag):
                return self._aead.decrypt(
                    nonce_for(self._prefix, index, last), sealed, self._aad
                ), last
        raise damaged(self.path, f"xác thực không khớp ở đoạn {index + 1}")

    def _parse_manifest(self, plain: bytes) -> dict[str, Any]:
        try:
            manifest = json.loads(plain)
        except (ValueError, RecursionError) as exc:
            raise damaged(self.path, "bản kê khai không đọc được") from exc
        if not isinstance(manifest, dict) or not isinstance(manifest.get("counts"), dict):
            raise damaged(self.path, "bản kê khai không hợp lệ")
        return manifest

    def tables(self) -> Iterator[tuple[str, list[str], Iterator[list[list[Any]]]]]:
        """Read the body again: each table's name, columns and its rows in batches.

        Every chunk is authenticated again on the way; the file's hash must match the first
        pass, so a file swapped in between fails (and the caller's transaction rolls back).
        """
        lines = self._lines()
        for line in lines:
            head = self._json(line)
            name = head.get("t") if isinstance(head, dict) else None
            columns = head.get("c") if isinstance(head, dict) else None
            if (
                not isinstance(name, str)
                or not isinstance(columns, list)
                or not all(isinstance(c, str) for c in columns)
                or len(set(columns)) != len(columns)
            ):
                raise damaged(self.path, "cấu trúc nội dung không hợp lệ")
            rows = self._batches(lines, name, len(columns))
            yield name, columns, rows
            for _ in rows:  # a caller that skips a table still moves past its rows
                pass

    def _batches(self, lines: Iterator[bytes], name: str, width: int) -> Iterator[list[Any]]:
        pending: list[bytes] = []
        size = count = 0
        for line in lines:
            if line.startswith(b"{"):  # the table's end line
                end = self._json(line)
                if not isinstance(end, dict) or end.get("e") != name:
                    raise damaged(self.path, f"cấu trúc bảng {name} không hợp lệ")
                break
            pending.append(line)
            size += len(line)
            if len(pending) >= BATCH or size >= BATCH_BYTES:
                yield self._rows(pending, name, width)
                count += len(pending)
                pending, size = [], 0
        else:
            raise damaged(self.path, f"bảng {name} không có dòng kết thúc")
        if pending:
            yield self._rows(pending, name, width)
            count += len(pending)
        if end.get("n") != count:
            raise damaged(self.path, f"số dòng của bảng {name} không khớp")

    def _rows(self, lines: list[bytes], name: str, width: int) -> list[list[Any]]:
        # One parse per batch: the JSON decoder's C loop instead of a Python call per row.
        rows = self._json(b"[" + b",".join(lines) + b"]")
        if any(not isinstance(r, list) or len(r) != width for r in rows):
            raise damaged(self.path, f"dòng của bảng {name} không hợp lệ")
        return list(rows)

    def _json(self, line: bytes) -> Any:
        try:
            return json.loads(line)
        except (ValueError, RecursionError) as exc:  # deep nesting: RecursionError
            raise damaged(self.path, "nội dung không đọc được") from exc

    def _lines(self) -> Iterator[bytes]:
        unzip = zlib.decompressobj()
        rest = b""
        try:
            for plain, last in self._chunks(None):
                if last:
                    continue  # the manifest; the loop goes on so the end of the file is checked
                for piece in inflate(unzip, plain):
                    *complete, rest = (rest + piece).split(b"\n")
                    if len(rest) > MAX_LINE:
                        raise LineBound(self.path).too_long()
                    yield from complete
            tail = unzip.flush()
        except zlib.error as exc:
            raise damaged(self.path, "dữ liệu nén không đọc được") from exc
        if rest + tail:
            raise damaged(self.path, "dòng cuối không trọn vẹn")


def read_ahead(
    tables: Iterator[tuple[str, list[str], Iterator[list[list[Any]]]]],
    prepare: Callable[[str, list[str], list[list[Any]]], Any],
    depth: int = 6,
) -> Iterator[tuple[str, list[str], Iterator[Any]]]:
    """`reader.tables()` decrypted, decompressed, parsed and `prepare`d on a second thread.

    The merge spends most of its time inside SQLite, which lets go of the GIL: reading (and
    hashing) the next batches meanwhile takes a third off an import. Errors come out where they
    would have.
    """
    events: queue.Queue[tuple[str, Any, Any]] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(event: tuple[str, Any, Any]) -> bool:
        """Hand an event over; False once the consumer has gone."""
        while not stop.is_set():
            with contextlib.suppress(queue.Full):
                events.put(event, timeout=0.1)
                return True
        return False

    def produce() -> None:
        try:
            for name, columns, batches in tables:
                if not put(("table", name, columns)):
                    return
                for batch in batches:
                    if not put(("rows", prepare(name, columns, batch), None)):
                        return
                put(("end", None, None))
            put(("done", None, None))
        except BaseException as exc:  # noqa: BLE001 - handed over to the consuming thread
            put(("error", exc, None))

    def rows() -> Iterator[Any]:
        while True:
            kind, batch, _ = events.get()
            if kind == "rows":
                yield batch
            elif kind == "end":
                return
            else:
                raise _unexpected(kind, batch)

    worker = threading.Thread(target=produce, name="bundle-reader", daemon=True)
    worker.start()
    try:
        while True:
            kind, name, columns = events.get()
            if kind == "done":
                break
            if kind != "table":
                raise _unexpected(kind, name)
            batches = rows()
            yield name, columns, batches
            for _ in batches:  # a table the caller skipped
                pass
    finally:
        stop.set()
        worker.join()


def _unexpected(kind: str, value: Any) -> BaseException:
    if kind == "error" and isinstance(value, BaseException):
        return value
    return RuntimeError(f"bundle reader: unexpected {kind}")


def open_bundle(path: Path, passphrase: str, progress: Progress | None = None) -> BundleReader:
    """Open and verify a bundle (wrong passphrase, damage, newer format: a BundleError)."""
    return BundleReader(Path(path), passphrase, progress=progress)
