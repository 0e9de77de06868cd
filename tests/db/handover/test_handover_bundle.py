"""The bundle file: encrypted, authenticated, refused whole when anything is wrong, written whole
or not at all."""

from __future__ import annotations

import errno
import struct
from collections.abc import Iterator
from pathlib import Path

import pytest

from db.core.errors import DiskFull, UserError
from db.handover import bundle, bundle_read, bundle_write, receive
from db.handover.bundle import (
    BundleError,
    BundleWriteError,
    DamagedBundle,
    NewerBundle,
    NotABundle,
    WrongPassphrase,
)
from db.handover.bundle_write import BundleWriter
from db.store.register import Register
from tests.support.handover import KDF, PASS, commune, export, laptop, state


@pytest.fixture
def pair(tmp_path: Path) -> Iterator[tuple[Register, Register, Path]]:
    """Laptop A with three people (and a bundle of them at `path`), and an empty laptop B."""
    a = laptop(tmp_path, "a")
    commune(a, persons=3)
    b = laptop(tmp_path, "b")
    made = export(a, tmp_path, full=True)
    yield a, b, made.path
    a.close()
    b.close()


def test_bundle_is_unreadable_without_the_passphrase(pair: tuple[Register, Register, Path]) -> None:
    _, _, path = pair
    data = path.read_bytes()
    assert data.startswith(bundle.MAGIC)
    for secret in ("Đặng Văn Đức".encode(), b"Chi\xe1\xbb\x81ng", b"persons", b"full_name"):
        assert secret not in data


def test_name_is_plain_ascii(pair: tuple[Register, Register, Path]) -> None:
    _, _, path = pair
    assert path.name.isascii()
    assert path.name.startswith("sotheodoi-chieng-mung-")
    assert path.suffix == ".sotd"
    assert path.name.endswith("-1.sotd")


def test_manifest_says_who_what_and_how_many(pair: tuple[Register, Register, Path]) -> None:
    a, _, path = pair
    opened = bundle_read.open_bundle(path, PASS)
    manifest = opened.manifest
    assert manifest["format"] == bundle.FORMAT_VERSION
    assert manifest["kind"] == "full"
    assert manifest["seq"] == 1
    assert manifest["source"]["device_id"] == a.device_id
    assert manifest["source"]["commune_id"] == a.commune_id
    assert manifest["source"]["unit_name"] == "Công an xã Chiềng Mung"
    assert manifest["counts"]["persons"] == 3
    assert manifest["counts"]["villages"] == 1
    assert opened.sha256 == bundle.file_sha256(path)


def test_sequence_numbers_grow_per_source(tmp_path: Path) -> None:
    a = laptop(tmp_path, "a")
    commune(a, persons=1)
    first = export(a, tmp_path, full=True)
    second = export(a, tmp_path, full=True)
    assert (first.seq, second.seq) == (1, 2)
    assert first.path != second.path


@pytest.mark.parametrize("region", ["magic", "header", "body", "body_tag", "manifest",
                                    "manifest_tag"])  # fmt: skip
def test_a_flipped_byte_anywhere_is_refused(
    pair: tuple[Register, Register, Path], region: str
) -> None:
    _, b, path = pair
    data = bytearray(path.read_bytes())
    start, end = bundle.regions(bytes(data))[region]
    for at in {start, (start + end) // 2, end - 1}:
        tampered = bytearray(data)
        tampered[at] ^= 0x01
        path.write_bytes(bytes(tampered))
        before = state(b)
        with pytest.raises(BundleError) as caught:
            receive.import_bundle(b, path, PASS)
        assert caught.value.exit_code == 3
        assert state(b) == before, f"register changed after a flipped byte at {at} ({region})"


@pytest.mark.parametrize("keep", [0.999, 0.5, 0.1, 30, 10])
def test_a_truncated_file_is_refused(pair: tuple[Register, Register, Path], keep: float) -> None:
    _, b, path = pair
    data = path.read_bytes()
    cut = int(len(data) * keep) if keep < 1 else int(keep)
    path.write_bytes(data[:cut])
    before = state(b)
    with pytest.raises(BundleError):
        receive.import_bundle(b, path, PASS)
    assert state(b) == before


def test_bytes_after_the_end_are_refused(pair: tuple[Register, Register, Path]) -> None:
    _, b, path = pair
    path.write_bytes(path.read_bytes() + b"\x00")
    with pytest.raises(DamagedBundle, match="thừa dữ liệu"):
        receive.import_bundle(b, path, PASS)


def test_chunks_from_another_bundle_are_refused(tmp_path: Path) -> None:
    a = laptop(tmp_path, "a")
    commune(a, persons=2)
    one = export(a, tmp_path, full=True).path.read_bytes()
    two_path = export(a, tmp_path, full=True).path
    two = two_path.read_bytes()
    body_one, body_two = bundle.regions(one)["body"], bundle.regions(two)["body"]
    swapped = two[: body_two[0]] + one[body_one[0] : body_one[1]] + two[body_two[1] :]
    two_path.write_bytes(swapped)
    with pytest.raises(DamagedBundle):
        bundle_read.open_bundle(two_path, PASS)


def test_the_empty_file(pair: tuple[Register, Register, Path]) -> None:
    _, b, path = pair
    path.write_bytes(b"")
    with pytest.raises(NotABundle, match="rỗng"):
        receive.import_bundle(b, path, PASS)


@pytest.mark.parametrize("content", [b"%PDF-1.7\n...", b"SQLite format 3\x00" + b"\x00" * 100,
                                     "Họ và tên\n".encode()])  # fmt: skip
def test_a_file_that_is_not_a_bundle(tmp_path: Path, content: bytes) -> None:
    b = laptop(tmp_path, "b")
    path = tmp_path / "khong-phai.sotd"
    path.write_bytes(content)
    with pytest.raises(NotABundle, match="không phải là gói"):
        receive.import_bundle(b, path, PASS)


def test_a_bundle_of_a_newer_format(pair: tuple[Register, Register, Path]) -> None:
    _, b, path = pair
    data = bytearray(path.read_bytes())
    struct.pack_into(">H", data, 8, bundle.FORMAT_VERSION + 1)
    path.write_bytes(bytes(data))
    before = state(b)
    with pytest.raises(NewerBundle, match="phiên bản mới hơn"):
        receive.import_bundle(b, path, PASS)
    assert state(b) == before


def test_wrong_passphrase(pair: tuple[Register, Register, Path]) -> None:
    _, b, path = pair
    before = state(b)
    with pytest.raises(WrongPassphrase, match="Mật khẩu gói không đúng"):
        receive.import_bundle(b, path, "mật khẩu khác hẳn")
    assert state(b) == before


def test_passphrase_typed_decomposed_opens_the_same(pair: tuple[Register, Register, Path]) -> None:
    import unicodedata

    _, _, path = pair
    opened = bundle_read.open_bundle(path, unicodedata.normalize("NFD", PASS))
    assert opened.manifest["counts"]["persons"] == 3


@pytest.mark.parametrize("weak", ["", "ngắn", "aaaaaaaaaaaa"])
def test_weak_passphrases_are_refused(tmp_path: Path, weak: str) -> None:
    a = laptop(tmp_path, "a")
    with pytest.raises(UserError, match="Mật khẩu gói"):
        bundle_write.create_bundle(tmp_path / "x.sotd", weak, lambda w: {}, kdf_n=KDF)
    assert list(tmp_path.glob("*.sotd")) == []
    a.close()


def test_strength_hint() -> None:
    assert bundle.passphrase_strength("abc")[0] == 0
    assert bundle.passphrase_strength("congan2026")[0] >= 1
    assert bundle.passphrase_strength("Chiềng Mung, 20/11/2026!")[0] == 3


def _failing_write(monkeypatch: pytest.MonkeyPatch, error: int, after: int) -> None:
    real = BundleWriter._out
    calls = {"n": 0}

    def out(self: BundleWriter, data: bytes) -> None:
        calls["n"] += 1
        if calls["n"] > after:
            raise OSError(error, "simulated")
        real(self, data)

    monkeypatch.setattr(BundleWriter, "_out", out)


@pytest.mark.parametrize("after", [0, 1, 2])
def test_a_full_disk_leaves_no_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, after: int
) -> None:
    a = laptop(tmp_path, "a")
    commune(a, persons=2)
    stick = tmp_path / "usb"
    stick.mkdir()
    _failing_write(monkeypatch, errno.ENOSPC, after)
    with pytest.raises(DiskFull, match="đã đầy") as caught:
        export(a, stick, full=True)
    assert caught.value.exit_code == 4
    assert list(stick.iterdir()) == []
    status = a.conn.execute("SELECT status FROM handover_exports").fetchall()
    assert status == [("failed",)]
    monkeypatch.undo()
    again = export(a, stick, full=True)  # the next bundle takes a new number: none is reused
    assert again.seq == 2
    assert [p.name for p in stick.iterdir()] == [again.path.name]


def test_a_stick_pulled_out_mid_write_leaves_no_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    a = laptop(tmp_path, "a")
    commune(a, persons=2)
    stick = tmp_path / "usb"
    stick.mkdir()
    _failing_write(monkeypatch, errno.EIO, 2)
    with pytest.raises(BundleWriteError, match="USB bị rút ra") as caught:
        export(a, stick, full=True)
    assert caught.value.exit_code == 4
    assert list(stick.iterdir()) == []


def test_a_write_that_reads_back_wrong_leaves_no_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    a = laptop(tmp_path, "a")
    commune(a, persons=2)
    stick = tmp_path / "usb"
    stick.mkdir()
    real = BundleWriter.finish

    def finish(self: BundleWriter, manifest: dict[str, object]) -> dict[str, object]:
        full = real(self, manifest)
        self._handle.seek(40)
        self._handle.write(b"\xff")  # a bad sector: the read-back must notice
        return full

    monkeypatch.setattr(BundleWriter, "finish", finish)
    with pytest.raises(DamagedBundle):
        export(a, stick, full=True)
    assert list(stick.iterdir()) == []


def test_a_missing_folder(tmp_path: Path) -> None:
    a = laptop(tmp_path, "a")
    with pytest.raises(UserError, match="không tồn tại"):
        export(a, tmp_path / "khong-co" / "goi.sotd", full=True)
