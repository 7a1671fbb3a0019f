"""Hostile and unreadable files are refused before any row is read, with a clear message."""

import io
import re
import zipfile

import openpyxl
import pytest

from archives.imports import reader
from archives.imports.reader import OLE_MAGIC, WorkbookRefused, inspect_file
from archives.imports.service import import_analyse
from archives.models import Cadre

from .import_helpers import ROSTER_HEADERS, build_xlsx, roster_row, sheet_rows

pytestmark = pytest.mark.django_db


def valid_xlsx(rows=1) -> bytes:
    return build_xlsx({"干部名册": sheet_rows(ROSTER_HEADERS, [roster_row(i + 1) for i in range(rows)])})


def rezip(content: bytes, *, replace=None, add=None, compression=zipfile.ZIP_DEFLATED) -> bytes:
    """The same workbook with some parts replaced or added."""
    replace, add = replace or {}, add or {}
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as src, zipfile.ZipFile(out, "w", compression) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename in replace:
                data = replace[info.filename](data)
            dst.writestr(info.filename, data)
        for name, data in add.items():
            dst.writestr(name, data)
    return out.getvalue()


@pytest.fixture
def no_rows_read(monkeypatch):
    """Fails the test if the workbook is opened past the checks (so no row is ever read)."""

    def forbidden(*args, **kwargs):
        raise AssertionError("a file that should have been refused was opened for reading")

    monkeypatch.setattr(reader.openpyxl, "load_workbook", forbidden)
    monkeypatch.setattr(reader, "BookParts", forbidden)


def inject(xml: bytes, declaration: bytes) -> bytes:
    """Put a declaration where XML allows it: after the XML declaration, or first."""
    if xml.startswith(b"<?xml"):
        head, _, body = xml.partition(b"?>")
        return head + b"?>" + declaration + body
    return declaration + xml


def refused(tmp_path, content: bytes) -> str:
    path = tmp_path / "upload.xlsx"
    path.write_bytes(content)
    with pytest.raises(WorkbookRefused) as info:
        import_analyse(path=path, kind="roster")
    assert not Cadre.objects.exists()
    return str(info.value)


def test_openpyxl_parses_through_defusedxml():
    from defusedxml import ElementTree as defused
    from openpyxl.xml import functions

    assert openpyxl.DEFUSEDXML
    assert functions.iterparse is defused.iterparse


def test_a_text_file_is_not_a_workbook(tmp_path, no_rows_read):
    assert "不是 Excel 工作簿" in refused(tmp_path, "姓名,身份证号\n张三,1\n".encode())


def test_an_empty_file_is_refused(tmp_path, no_rows_read):
    assert "空" in refused(tmp_path, b"")


def test_an_encrypted_workbook_is_refused(tmp_path, no_rows_read):
    # Password-protected .xlsx files are OLE compound files holding EncryptionInfo/EncryptedPackage.
    content = OLE_MAGIC + b"\x00" * 504 + "EncryptionInfo".encode("utf-16-le") + b"\x00" * 64 + "EncryptedPackage".encode("utf-16-le")
    assert "设置了打开密码" in refused(tmp_path, content)


def test_a_legacy_xls_file_is_refused_with_advice(tmp_path, no_rows_read):
    content = OLE_MAGIC + b"\x00" * 504 + "Workbook".encode("utf-16-le")
    assert "旧版 Excel（.xls）" in refused(tmp_path, content)


def test_a_file_over_the_size_limit_is_refused(tmp_path, settings, no_rows_read):
    content = valid_xlsx()
    settings.IMPORT_MAX_BYTES = len(content) - 1
    assert "超过上限" in refused(tmp_path, content)


def test_a_file_with_too_many_rows_is_refused_from_the_sheet_xml(tmp_path, settings, no_rows_read):
    settings.IMPORT_MAX_ROWS = 3
    assert "超过 3 行" in refused(tmp_path, valid_xlsx(rows=4))


def test_exactly_the_row_limit_is_accepted(tmp_path, settings):
    settings.IMPORT_MAX_ROWS = 3
    path = tmp_path / "ok.xlsx"
    path.write_bytes(valid_xlsx(rows=3))
    assert import_analyse(path=path, kind="roster").valid


def test_a_lying_dimension_does_not_hide_rows(tmp_path, settings, no_rows_read):
    settings.IMPORT_MAX_ROWS = 3

    def lie(xml: bytes) -> bytes:
        return re.sub(rb'<dimension ref="[^"]*" ?/>', b'<dimension ref="A1:B2"/>', xml)

    content = rezip(valid_xlsx(rows=4), replace={"xl/worksheets/sheet1.xml": lie})
    assert b'ref="A1:B2"' in zipfile.ZipFile(io.BytesIO(content)).read("xl/worksheets/sheet1.xml")
    assert "超过 3 行" in refused(tmp_path, content)


def test_a_far_away_row_number_is_refused(tmp_path, settings, no_rows_read):
    settings.IMPORT_MAX_ROWS = 100

    def far(xml: bytes) -> bytes:
        return xml.replace(b'<row r="2"', b'<row r="900000"').replace(b'r="A2"', b'r="A900000"')

    assert "超过 100 行" in refused(tmp_path, rezip(valid_xlsx(), replace={"xl/worksheets/sheet1.xml": far}))


def test_a_huge_dimension_costs_nothing(tmp_path):
    def huge(xml: bytes) -> bytes:
        return re.sub(rb'<dimension ref="[^"]*" ?/>', b'<dimension ref="A1:XFD1048576"/>', xml)

    path = tmp_path / "dim.xlsx"
    path.write_bytes(rezip(valid_xlsx(), replace={"xl/worksheets/sheet1.xml": huge}))
    assert b"XFD1048576" in zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml")
    analysis = import_analyse(path=path, kind="roster")
    assert analysis.valid and analysis.counts()["new"] == 1


def test_a_zip_bomb_entry_is_refused(tmp_path, no_rows_read):
    bomb = b"\x00" * (8 * 1024 * 1024)  # deflates about 1000:1
    assert "压缩炸弹" in refused(tmp_path, rezip(valid_xlsx(), add={"xl/media/image1.png": bomb}))


def test_a_bomb_in_the_sheet_xml_itself_is_refused(tmp_path, no_rows_read):
    def pad(xml: bytes) -> bytes:
        return xml.replace(b"<sheetData>", b"<sheetData>" + b" " * (4 * 1024 * 1024))

    assert "压缩比超过 100:1" in refused(tmp_path, rezip(valid_xlsx(), replace={"xl/worksheets/sheet1.xml": pad}))


def test_total_uncompressed_size_is_capped(tmp_path, settings, no_rows_read):
    settings.IMPORT_MAX_UNCOMPRESSED_BYTES = 4000
    assert "解压后超过" in refused(tmp_path, valid_xlsx())


@pytest.mark.parametrize("part", ["xl/worksheets/sheet1.xml", "xl/workbook.xml", "[Content_Types].xml", "xl/styles.xml"])
def test_doctype_and_entity_declarations_are_refused(tmp_path, part, no_rows_read):
    def entity(xml: bytes) -> bytes:
        return inject(xml, b'<!DOCTYPE x [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>')

    assert "XML 实体或 DOCTYPE" in refused(tmp_path, rezip(valid_xlsx(), replace={part: entity}))


def test_a_doctype_in_lower_case_is_refused_too(tmp_path, no_rows_read):
    def entity(xml: bytes) -> bytes:
        return inject(xml, b'<!doctype x [<!entity a SYSTEM "file:///etc/passwd">]>')

    assert "XML 实体或 DOCTYPE" in refused(tmp_path, rezip(valid_xlsx(), replace={"xl/worksheets/sheet1.xml": entity}))


def test_utf16_xml_parts_are_refused(tmp_path, no_rows_read):
    def utf16(xml: bytes) -> bytes:
        return "\ufeff".encode("utf-16-le") + xml.decode().replace("UTF-8", "UTF-16").encode("utf-16-le")

    assert "编码" in refused(tmp_path, rezip(valid_xlsx(), replace={"xl/workbook.xml": utf16}))


def test_a_zip_that_is_not_a_workbook_is_refused(tmp_path, no_rows_read):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    assert "不是 Excel 工作簿" in refused(tmp_path, out.getvalue())


def test_a_truncated_file_is_refused(tmp_path, no_rows_read):
    content = valid_xlsx()
    assert "损坏" in refused(tmp_path, content[: len(content) // 2])


def test_an_encrypted_zip_entry_is_refused(tmp_path, no_rows_read):
    content = bytearray(valid_xlsx())
    # Set the "encrypted" flag bit on every central directory entry.
    start = 0
    while (index := content.find(b"PK\x01\x02", start)) != -1:
        content[index + 8] |= 0x1
        start = index + 4
    assert "加密" in refused(tmp_path, bytes(content))


def test_inspection_counts_rows_from_the_xml(tmp_path):
    path = tmp_path / "ok.xlsx"
    path.write_bytes(valid_xlsx(rows=5))
    inspection = inspect_file(path)
    assert inspection.data_rows == 5
    assert inspection.sheets["xl/worksheets/sheet1.xml"].max_index == 6
