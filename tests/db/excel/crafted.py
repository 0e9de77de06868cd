"""Workbooks built by hand, part by part: what openpyxl cannot write (a formula's cached value,
an .ods file, a sheet declaring a huge dimension, a zip bomb), for the import's tests."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_DOC = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships'
    '+xml"/><Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.sharedStrings+xml"/></Types>'
)


def text_cell(ref: str, text: str) -> str:
    """An inline text cell."""
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def xlsx(
    path: Path,
    rows_xml: str | bytes,
    *,
    dimension: str = "A1",
    shared: bytes = b'<sst xmlns="' + _MAIN.encode() + b'" count="0" uniqueCount="0"/>',
    sheet: str = "Đối tượng",
) -> Path:
    """A one-sheet .xlsx from the XML of its rows (and, if given, its shared strings)."""
    rows = rows_xml.encode() if isinstance(rows_xml, str) else rows_xml
    worksheet = (
        (
            f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{_MAIN}">'
            f'<dimension ref="{dimension}"/><sheetData>'
        ).encode()
        + rows
        + b"</sheetData></worksheet>"
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        out.writestr("[Content_Types].xml", _TYPES)
        out.writestr(
            "_rels/.rels",
            f'<Relationships xmlns="{_RELS}"><Relationship Id="rId1" Type="{_DOC}/officeDocument" '
            'Target="xl/workbook.xml"/></Relationships>',
        )
        out.writestr(
            "xl/workbook.xml",
            f'<workbook xmlns="{_MAIN}" xmlns:r="{_DOC}"><sheets>'
            f'<sheet name="{sheet}" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        out.writestr(
            "xl/_rels/workbook.xml.rels",
            f'<Relationships xmlns="{_RELS}">'
            f'<Relationship Id="rId1" Type="{_DOC}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{_DOC}/sharedStrings" Target="sharedStrings.xml"/>'
            "</Relationships>",
        )
        out.writestr("xl/worksheets/sheet1.xml", worksheet)
        out.writestr("xl/sharedStrings.xml", shared)
    return path


def with_cached_value(path: Path, ref: str, value: str) -> Path:
    """Give a formula cell written by openpyxl the value Excel would have saved with it."""
    with zipfile.ZipFile(path) as source:
        parts = {info.filename: source.read(info) for info in source.infolist()}
    name = "xl/worksheets/sheet1.xml"
    cell = re.compile(rf'(<c r="{ref}"[^>]*>)<f>(.*?)</f><v\s*/?>(?:</v>)?'.encode())
    parts[name], found = cell.subn(rb"\1<f>\2</f><v>" + value.encode() + b"</v>", parts[name])
    assert found == 1, "no formula in that cell"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for part, data in parts.items():
            out.writestr(part, data)
    return path


# --- .ods ----------------------------------------------------------------------------------------

_ODS_MIME = "application/vnd.oasis.opendocument.spreadsheet"


def ods_text(text: str) -> str:
    return (
        f'<table:table-cell office:value-type="string"><text:p>{text}</text:p></table:table-cell>'
    )


def ods_number(value: float) -> str:
    return (
        f'<table:table-cell office:value-type="float" office:value="{value}">'
        f"<text:p>{value}</text:p></table:table-cell>"
    )


def ods_date(iso: str) -> str:
    return (
        f'<table:table-cell office:value-type="date" office:date-value="{iso}">'
        f"<text:p>{iso}</text:p></table:table-cell>"
    )


def ods_row(*cells: str, repeated: int = 1) -> str:
    attr = f' table:number-rows-repeated="{repeated}"' if repeated > 1 else ""
    return f"<table:table-row{attr}>{''.join(cells)}</table:table-row>"


def ods(path: Path, rows_xml: str, sheet: str = "Đối tượng") -> Path:
    """A one-sheet .ods as LibreOffice lays it out (mimetype first, stored)."""
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        f'<office:body><office:spreadsheet><table:table table:name="{sheet}">{rows_xml}'
        "</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest='
        '"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        f'<manifest:file-entry manifest:full-path="/" manifest:media-type="{_ODS_MIME}"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    with zipfile.ZipFile(path, "w") as out:
        out.writestr("mimetype", _ODS_MIME, compress_type=zipfile.ZIP_STORED)
        out.writestr("META-INF/manifest.xml", manifest, compress_type=zipfile.ZIP_DEFLATED)
        out.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
    return path
