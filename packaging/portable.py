"""The portable copy: the built folder zipped, with the marker that keeps the register beside it.

    python packaging/portable.py dist/SoTheoDoi          # → dist/SoTheoDoi-0.2.0-portable-<os>.zip
    python packaging/sums.py dist/*.zip dist/*.exe      # SHA-256 of what is handed out

Unzipped onto a USB stick, the program finds `portable.txt` beside its executable and keeps its
register (and the backups beside it) in `DuLieu/` on the stick rather than on the computer
(cli/main.py's default register path). Nothing is written into the built folder itself.
"""

from __future__ import annotations

import argparse
import ast
import os
import platform
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MARKER = "portable.txt"
MARKER_TEXT = """\
SỔ THEO DÕI — BẢN CHẠY TRỰC TIẾP (KHÔNG CẦN CÀI ĐẶT)

Tệp này đánh dấu bản chạy trực tiếp từ USB. Khi có tệp này bên cạnh SoTheoDoi.exe, sổ và các
bản sao lưu được giữ trong thư mục DuLieu ngay bên cạnh chương trình (trên USB), không ghi vào
máy tính đang dùng.

- Mở chương trình: bấm đúp SoTheoDoi.exe.
- Cần Windows 10 (bản 1809 trở lên) hoặc Windows 11, loại 64-bit.
- Sổ đã được mã hóa, nhưng hãy giữ USB cẩn thận và sao lưu thường xuyên.
- Cập nhật: chép đè thư mục chương trình mới lên thư mục cũ; GIỮ NGUYÊN thư mục DuLieu.
- Xóa tệp này thì chương trình dùng sổ trong máy tính như bản cài đặt.
"""


def program_version() -> str:
    tree = ast.parse((ROOT / "db" / "core" / "version.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "VERSION" for t in node.targets
        ):
            return str(ast.literal_eval(node.value))
    raise SystemExit("db/core/version.py has no VERSION")


def platform_tag() -> str:
    machine = platform.machine().lower()
    if sys.platform == "win32":
        return "windows-x64" if machine in ("amd64", "x86_64") else f"windows-{machine}"
    return f"{sys.platform}-{machine}"


def make_portable(folder: Path, out: Path | None = None, level: int = 6) -> Path:
    """Zip `folder` (as SoTheoDoi/ inside the archive) with the portable marker added.

    `level` is zlib's: 6 for what is handed out, 1 for a quick check (3 times faster, 8% larger).
    """
    folder = folder.resolve()
    if not folder.is_dir():
        raise SystemExit(f"not a folder: {folder}")
    target = (
        out or folder.parent / f"{folder.name}-{program_version()}-portable-{platform_tag()}.zip"
    )
    partial = target.with_name(target.name + ".partial")
    with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_dir():
                continue
            # write() follows symbolic links (Linux builds have a few) and keeps the file mode.
            archive.write(path, f"{folder.name}/{path.relative_to(folder).as_posix()}")
        marker = zipfile.ZipInfo(f"{folder.name}/{MARKER}")
        marker.compress_type = zipfile.ZIP_DEFLATED
        marker.external_attr = 0o644 << 16
        # Windows Notepad reads UTF-8 with or without BOM; CRLF line ends for older ones.
        archive.writestr(marker, MARKER_TEXT.replace("\n", "\r\n").encode("utf-8"))
    os.replace(partial, target)
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Zip the built folder as a portable copy.")
    parser.add_argument("folder", type=Path, help="the built folder (dist/SoTheoDoi)")
    parser.add_argument("--out", type=Path, help="the zip file to write")
    parser.add_argument("--level", type=int, default=6, choices=range(10), help="zlib level")
    args = parser.parse_args(argv)
    target = make_portable(args.folder, args.out, args.level)
    print(f"{target} ({target.stat().st_size / 1e6:.0f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
