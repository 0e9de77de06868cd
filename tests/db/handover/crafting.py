"""Crafted bundles: authentic (made with the right passphrase) but holding what an attacker chose.

tables, manifest = take_apart(path)            # a real bundle's rows, editable
rewrite(target, tables, manifest)              # sealed again with PASS
raw_bundle(target, body_pieces, manifest, n=…) # the file format by hand (header, chunks)
"""

from __future__ import annotations

import json
import secrets
import zlib
from base64 import b64encode
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from db.handover import bundle, bundle_read, bundle_write
from tests.support.handover import KDF, PASS

Table = list[Any]  # [name, columns, rows]


def take_apart(path: Path) -> tuple[list[Table], dict[str, Any]]:
    """A bundle's tables (name, columns, rows) and its manifest (without counts and hash)."""
    opened = bundle_read.open_bundle(path, PASS)
    tables = [
        [name, list(columns), [list(row) for batch in batches for row in batch]]
        for name, columns, batches in opened.tables()
    ]
    manifest = {k: v for k, v in opened.manifest.items() if k not in ("counts", "content_sha256")}
    return tables, manifest


def rewrite(target: Path, tables: list[Table], manifest: dict[str, Any],
            counts: dict[str, Any] | None = None) -> Path:  # fmt: skip
    """Seal tables and a manifest as a bundle at `target` (counts as given, if given)."""

    def produce(writer: bundle_write.BundleWriter) -> dict[str, Any]:
        for name, columns, rows in tables:
            writer.table(name, columns)
            for row in rows:
                writer.row(row)
            writer.end_table()
        if counts is not None:
            writer.counts = counts
        return manifest

    return bundle_write.create_bundle(target, PASS, produce, kdf_n=KDF).path


def table(tables: list[Table], name: str) -> Table:
    """One table of a taken-apart bundle."""
    return next(t for t in tables if t[0] == name)


def set_value(tables: list[Table], name: str, column: str, value: Any, row: int = 0) -> None:
    """Put `value` into one cell."""
    found = table(tables, name)
    found[2][row][found[1].index(column)] = value


def raw_bundle(
    target: Path,
    body: Iterable[bytes],
    manifest: dict[str, Any],
    *,
    n: int = KDF,
    r: int = 8,
    p: int = 1,
    derive: bool = True,
) -> Path:
    """The file format written by hand: `body` (plain bytes) compressed and sealed in chunks,
    then the manifest. With `derive=False` the key is random (the header's KDF cost is what is
    tested, and deriving it here would cost what the reader must refuse to spend)."""
    salt, prefix = secrets.token_bytes(16), secrets.token_bytes(7)
    if derive:
        key, check = bundle.derive_key(PASS, salt, n, r, p)
    else:
        key, check = secrets.token_bytes(32), secrets.token_bytes(16)
    header = json.dumps(
        {"kdf": "scrypt", "n": n, "r": r, "p": p, "salt": b64encode(salt).decode(),
         "nonce": b64encode(prefix).decode(), "chunk": bundle.CHUNK_SIZE,
         "check": b64encode(check).decode()},
        separators=(",", ":"),
    ).encode()  # fmt: skip
    aad = bundle.PREFIX.pack(bundle.MAGIC, bundle.FORMAT_VERSION, len(header)) + header
    aead = AESGCM(key)
    index = 0
    with target.open("wb") as out:
        out.write(aad)

        def seal(plain: bytes, last: bool) -> None:
            nonlocal index
            sealed = aead.encrypt(bundle.nonce_for(prefix, index, last), plain, aad)
            out.write(bundle.LENGTH.pack(len(sealed)) + sealed)
            index += 1

        squeeze = zlib.compressobj(9)
        pending = b""
        for piece in body:
            pending += squeeze.compress(piece)
            while len(pending) >= bundle.CHUNK_SIZE:
                seal(pending[: bundle.CHUNK_SIZE], False)
                pending = pending[bundle.CHUNK_SIZE :]
        pending += squeeze.flush()
        if pending:
            seal(pending, False)
        seal(json.dumps(manifest).encode(), True)
    return target
