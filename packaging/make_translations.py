"""Compile Qt's own strings in Vietnamese: gui/i18n/qt_vi.ts → gui/i18n/qt_vi.qm.

    python packaging/make_translations.py           # rebuild qt_vi.qm (commit it)
    python packaging/make_translations.py --check   # fail if qt_vi.qm is stale or a source is wrong

Qt ships no Vietnamese `qtbase_vi.qm`, so the message-box buttons, the context menus of text
fields and the file dialog would stay English. A translation is looked up by its exact context
and source text; a typo there is silently never used. So before compiling, every message of the
.ts is looked for in the `qtbase_*.qm` files PySide6 ships (they carry Qt's contexts and source
texts), and an unknown one stops the build.
"""

from __future__ import annotations

import argparse
import shutil
import struct
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TS_FILE = ROOT / "gui" / "i18n" / "qt_vi.ts"
QM_FILE = TS_FILE.with_suffix(".qm")
_QM_MAGIC = bytes.fromhex("3cb86418caef9c95cd211cbf60a1bddd")
_MESSAGES_TAG = 0x69
_TAG_END, _TAG_TRANSLATION, _TAG_SOURCE, _TAG_CONTEXT, _TAG_COMMENT = 1, 3, 6, 7, 8
_TAGS_WITH_U32 = {2, 4, 5}  # obsolete hash/numerus tags: a 4-byte value


def pyside_dir() -> Path:
    import PySide6

    return Path(PySide6.__file__).resolve().parent


def find_lrelease() -> list[str]:
    """The command that runs Qt's lrelease (shipped in the PySide6 wheel)."""
    shipped = pyside_dir() / ("lrelease.exe" if sys.platform == "win32" else "lrelease")
    if shipped.is_file():
        return [str(shipped)]
    wrapper = shutil.which("pyside6-lrelease")
    if wrapper:
        return [wrapper]
    raise SystemExit("lrelease not found: install PySide6 (pip install -e . or pip install .)")


def qm_messages(path: Path) -> Iterator[tuple[str, str]]:
    """(context, source text) of every message a compiled .qm file carries."""
    data = path.read_bytes()
    if data[:16] != _QM_MAGIC:
        raise ValueError(f"{path}: not a .qm file")
    pos, block = 16, b""
    while pos + 5 <= len(data):
        tag, length = data[pos], struct.unpack(">I", data[pos + 1 : pos + 5])[0]
        if tag == _MESSAGES_TAG:
            block = data[pos + 5 : pos + 5 + length]
        pos += 5 + length
    pos, context, source = 0, "", ""
    while pos < len(block):
        tag = block[pos]
        pos += 1
        if tag == _TAG_END:
            yield context, source
            context = source = ""
        elif tag in _TAGS_WITH_U32:
            pos += 4
        elif tag in (_TAG_TRANSLATION, _TAG_SOURCE, _TAG_CONTEXT, _TAG_COMMENT):
            (length,) = struct.unpack(">I", block[pos : pos + 4])
            pos += 4
            if length == 0xFFFFFFFF:  # a null translation
                continue
            raw = block[pos : pos + length]
            pos += length
            if tag == _TAG_SOURCE:
                source = raw.decode("utf-8")
            elif tag == _TAG_CONTEXT:
                context = raw.decode("utf-8")
        else:
            raise ValueError(f"{path}: unknown tag {tag} at {pos - 1}")


def ts_messages(path: Path = TS_FILE) -> list[tuple[str, str, str]]:
    """(context, source, translation) of every message in a .ts file."""
    found = []
    for context in ET.parse(path).getroot().iter("context"):
        name = context.findtext("name", "")
        for message in context.iter("message"):
            found.append(
                (name, message.findtext("source", ""), message.findtext("translation", ""))
            )
    return found


def unknown_sources(ts: Path = TS_FILE) -> list[tuple[str, str]]:
    """Messages of the .ts that Qt does not have (a typo in the context or the source text)."""
    known: set[tuple[str, str]] = set()
    for qm in sorted((pyside_dir() / "Qt" / "translations").glob("qtbase_*.qm")):
        known.update(qm_messages(qm))
    if not known:
        raise SystemExit("no qtbase_*.qm in PySide6: cannot check the source texts")
    return [(c, s) for c, s, _ in ts_messages(ts) if (c, s) not in known]


def compile_qm(ts: Path, qm: Path) -> None:
    """Run lrelease; stop with its output if it fails."""
    result = subprocess.run(
        [*find_lrelease(), "-silent", str(ts), "-qm", str(qm)],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode or not qm.is_file():
        raise SystemExit(f"lrelease failed:\n{result.stdout}{result.stderr}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--check", action="store_true", help="fail if qt_vi.qm is stale")
    args = parser.parse_args(argv)
    unknown = unknown_sources()
    for context, source in unknown:
        print(f"not a Qt string: {context} / {source!r}", file=sys.stderr)
    untranslated = [(c, s) for c, s, t in ts_messages() if not t.strip()]
    for context, source in untranslated:
        print(f"no translation: {context} / {source!r}", file=sys.stderr)
    if unknown or untranslated:
        return 1
    if not args.check:
        compile_qm(TS_FILE, QM_FILE)
        print(f"{QM_FILE.relative_to(ROOT)}: {len(ts_messages())} messages")
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        fresh = Path(tmp) / QM_FILE.name
        compile_qm(TS_FILE, fresh)
        if not QM_FILE.is_file() or fresh.read_bytes() != QM_FILE.read_bytes():
            print(
                f"{QM_FILE.relative_to(ROOT)} is stale: run python packaging/make_translations.py",
                file=sys.stderr,
            )
            return 1
    print(f"{QM_FILE.relative_to(ROOT)} is up to date ({len(ts_messages())} messages)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
