"""How far the cells of an old .xls workbook reach, found before the reader allocates them.

An .xls is a compound file (OLE2) holding a "Workbook" stream of BIFF records; each cell record
starts with its row and column. This walks the records once (no values decoded) so a sheet
with one value in its last cell (65,536 × 256 cells, ~1 GB in the reader) is refused first.
Anything the walk cannot follow is left to the reader, which then reports the file damaged.
"""

from __future__ import annotations

import struct
from pathlib import Path

from db.excel.guard import Extent, check_cells

_FREE_OR_END = 0xFFFFFFFA  # FAT values at and above this end a chain or mark a special sector
# BIFF records that hold a cell with a value: row (u16) and column (u16) start their data.
_CELLS = {0x0006, 0x00FD, 0x0203, 0x027E, 0x0204, 0x0205, 0x00D6, 0x0406}
_MULRK, _BOF, _EOF, _SHEET = 0x00BD, 0x0809, 0x000A, 0x0085


class _Unreadable(Exception):
    """The compound file does not hold together; the reader will say so."""


def _chain(fat: list[int], start: int, limit: int) -> list[int]:
    chain: list[int] = []
    sector = start
    while sector < _FREE_OR_END:
        if sector >= len(fat) or len(chain) > limit:
            raise _Unreadable
        chain.append(sector)
        sector = fat[sector]
    return chain


def _workbook_stream(data: bytes) -> bytes:
    """The bytes of the Workbook (or Book) stream of a compound file."""
    if len(data) < 512:
        raise _Unreadable
    shift, mini_shift = struct.unpack_from("<HH", data, 0x1E)
    if shift not in (9, 12) or mini_shift != 6:
        raise _Unreadable
    size = 1 << shift
    sectors = max(len(data) // size, 1)

    def sector(n: int) -> bytes:
        return data[(n + 1) * size : (n + 2) * size]

    fat_sectors = list(struct.unpack_from("<109I", data, 0x4C))
    difat, difat_count = struct.unpack_from("<II", data, 0x44)
    for _ in range(min(difat_count, sectors)):
        if difat >= _FREE_OR_END:
            break
        entries = struct.unpack(f"<{size // 4}I", sector(difat))
        fat_sectors.extend(entries[:-1])
        difat = entries[-1]
    fat: list[int] = []
    for n in fat_sectors:
        if n < _FREE_OR_END:
            fat.extend(struct.unpack(f"<{size // 4}I", sector(n)))
    directory = b"".join(sector(n) for n in _chain(fat, struct.unpack_from("<I", data, 0x30)[0],
                                                       sectors))  # fmt: skip
    cutoff, mini_fat_start = struct.unpack_from("<II", data, 0x38)
    root_start = struct.unpack_from("<I", directory, 0x74)[0]
    for offset in range(0, len(directory) - 127, 128):
        entry = directory[offset : offset + 128]
        length = struct.unpack_from("<H", entry, 0x40)[0]
        name = entry[: max(length - 2, 0)].decode("utf-16-le", "replace")
        if name not in ("Workbook", "Book") or entry[0x42] != 2:
            continue
        start, stream_size = struct.unpack_from("<II", entry, 0x74)
        if stream_size >= cutoff:
            return b"".join(sector(n) for n in _chain(fat, start, sectors))[:stream_size]
        mini_fat_raw = b"".join(sector(n) for n in _chain(fat, mini_fat_start, sectors))
        mini_fat = list(struct.unpack(f"<{len(mini_fat_raw) // 4}I", mini_fat_raw))
        mini = b"".join(sector(n) for n in _chain(fat, root_start, sectors))
        parts = _chain(mini_fat, start, len(mini) // 64)
        return b"".join(mini[n * 64 : n * 64 + 64] for n in parts)[:stream_size]
    raise _Unreadable


def _extents(stream: bytes) -> list[Extent]:
    """Each sheet's extent from its cell records; the sheets' names come from the globals."""
    names: list[str] = []
    extents: list[Extent] = []
    depth = rows = columns = 0
    substream = -1  # 0 is the workbook's globals, then one per sheet
    position, end = 0, len(stream) - 4
    while position <= end:
        kind, length = struct.unpack_from("<HH", stream, position)
        body = position + 4
        if kind == _BOF:
            if depth == 0:
                substream += 1
                rows = columns = 0
            depth += 1
        elif kind == _EOF and depth > 0:
            depth -= 1
            if depth == 0 and substream >= 1:
                index = substream - 1
                name = names[index] if index < len(names) else f"Sheet{index + 1}"
                extents.append(Extent(name, rows, columns))
        elif kind == _SHEET and length >= 8:
            count = stream[body + 6]
            wide = stream[body + 7] & 1
            raw = stream[body + 8 : body + 8 + count * (2 if wide else 1)]
            names.append(raw.decode("utf-16-le" if wide else "latin-1", "replace"))
        elif kind in _CELLS and length >= 4:
            row, column = struct.unpack_from("<HH", stream, body)
            rows, columns = max(rows, row + 1), max(columns, column + 1)
        elif kind == _MULRK and length >= 6:
            row = struct.unpack_from("<H", stream, body)[0]
            last = struct.unpack_from("<H", stream, body + length - 2)[0]
            rows, columns = max(rows, row + 1), max(columns, last + 1)
        position = body + length
    return extents


def scan_xls(path: Path, data: bytes) -> None:
    """Refuse an .xls whose sheets' cells reach further than the cap (see db.excel.guard)."""
    try:
        extents = _extents(_workbook_stream(data))
    except (_Unreadable, struct.error, IndexError, ValueError):
        return  # the reader will find the file damaged and say so
    check_cells(path, extents)
