"""Render the application icon from packaging/icons/sotheodoi.svg: PNGs and a Windows .ico.

    python packaging/make_icons.py

Qt's SVG renderer draws each size on its own (a 16-pixel icon drawn at 16 pixels is sharper than
a 256-pixel one shrunk); Pillow packs them into the .ico. The outputs are committed, so a build
does not need to run this; run it again after changing the SVG.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from PIL import Image

ICONS = Path(__file__).resolve().parent / "icons"
SOURCE = ICONS / "sotheodoi.svg"
ICO_SIZES = (16, 20, 24, 32, 40, 48, 64, 128, 256)
PNG_SIZES = (32, 64, 256)


def render(svg: Path, size: int) -> Image.Image:
    """The SVG drawn at `size`×`size` pixels on a transparent background."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    _app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"{svg}: not a valid SVG")
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    rgba = image.convertToFormat(QImage.Format.Format_RGBA8888)
    pixels = bytes(rgba.constBits())
    return Image.frombuffer("RGBA", (size, size), pixels, "raw", "RGBA", rgba.bytesPerLine(), 1)


def make_icons(svg: Path = SOURCE, out: Path = ICONS) -> list[Path]:
    """Write sotheodoi-<size>.png and sotheodoi.ico beside the SVG; return the files written."""
    images = {size: render(svg, size) for size in sorted({*ICO_SIZES, *PNG_SIZES})}
    written = []
    for size in PNG_SIZES:
        path = out / f"sotheodoi-{size}.png"
        images[size].save(path, optimize=True)
        written.append(path)
    ico = out / "sotheodoi.ico"
    largest = images[max(ICO_SIZES)]
    largest.save(
        ico,
        format="ICO",
        sizes=[(s, s) for s in ICO_SIZES],
        append_images=[images[s] for s in ICO_SIZES if s != max(ICO_SIZES)],
    )
    written.append(ico)
    return written


if __name__ == "__main__":
    for path in make_icons():
        print(path.relative_to(ICONS.parent.parent))
