"""Uploads (issue 11, item 7): macro-enabled workbooks are refused by name, by content type and
by vbaProject.bin; the number of parts is capped, read from the zip's end record before the
directory is parsed or any part decompressed; the request runs only those cheap checks, the
streaming pass over the parts runs in the preview task."""

import io
import struct
import zipfile
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from archives.imports import reader, service
from archives.imports.reader import WorkbookRefused, check_container, inspect_file
from archives.models import Cadre, ImportJob

from .test_import_hostile import rezip, valid_xlsx

pytestmark = pytest.mark.django_db

MACRO_WORKBOOK = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
PLAIN_WORKBOOK = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
MACRO_MESSAGE = "不接受含宏的工作簿（.xlsm）：请另存为 .xlsx 后上传"


def macro_enabled(content: bytes, *, vba_at: str | None = "xl/vbaProject.bin", content_type: str = MACRO_WORKBOOK) -> bytes:
    """What Excel writes for a .xlsm: the workbook's content type, and the VBA project part."""

    def declare(xml: bytes) -> bytes:
        assert PLAIN_WORKBOOK.encode() in xml
        xml = xml.replace(PLAIN_WORKBOOK.encode(), content_type.encode())
        if vba_at:
            xml = xml.replace(b"</Types>", b'<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/></Types>')
        return xml

    add = {vba_at: b"\xd0\xcf\x11\xe0" + b"VBA" * 200} if vba_at else {}
    return rezip(content, replace={"[Content_Types].xml": declare}, add=add)


def zip_by_hand(parts: dict[str, bytes], *, repeat: tuple[str, bytes, int] = ("", b"", 0), declared_entries: int | None = None, zip64: bool = False) -> bytes:
    """A zip written record by record, so that hundreds of identical 1 MB parts cost one
    compression, and so that its end record can say what a test needs."""
    out = io.BytesIO()
    directory = []

    def deflate(raw: bytes) -> bytes:
        compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
        return compressor.compress(raw) + compressor.flush()

    def add(name: str, raw: bytes, packed: bytes, crc: int) -> None:
        offset, encoded = out.tell(), name.encode()
        out.write(struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, zipfile.ZIP_DEFLATED, 0, 0, crc, len(packed), len(raw), len(encoded), 0) + encoded + packed)
        directory.append(
            struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, zipfile.ZIP_DEFLATED, 0, 0, crc, len(packed), len(raw), len(encoded), 0, 0, 0, 0, 0, offset)
            + encoded
        )

    for name, raw in parts.items():
        add(name, raw, deflate(raw), zlib.crc32(raw))
    stem, raw, count = repeat
    packed, crc = deflate(raw), zlib.crc32(raw)
    for i in range(count):
        add(f"{stem}{i}.xml", raw, packed, crc)
    start = out.tell()
    out.write(b"".join(directory))
    size = out.tell() - start
    entries = len(directory) if declared_entries is None else declared_entries
    if zip64:
        record_at = out.tell()
        out.write(struct.pack("<4sQ2H2L4Q", b"PK\x06\x06", 44, 45, 45, 0, 0, entries, entries, size, start))
        out.write(struct.pack("<4sLQL", b"PK\x06\x07", 0, record_at, 1))
        entries, size, start = 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF
    out.write(struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, entries, entries, size, start, 0))
    return out.getvalue()


def the_issues_file() -> bytes:
    """The reproduction of issue 11: a 575 KB zip of 495 parts of 1 MB each (under the
    per-part ratio exemption and the 500 MB total), which took 15.5 s of CPU in the request."""
    workbook = {"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"}
    return zip_by_hand(workbook, repeat=("xl/worksheets/sheet", b" " * (1024 * 1024), 493))


@pytest.fixture
def nothing_decompressed(monkeypatch):
    """Fails the test if any part of any zip is opened for reading."""

    def forbidden(self, *args, **kwargs):
        raise AssertionError("a part was decompressed")

    monkeypatch.setattr(zipfile.ZipFile, "open", forbidden)


@pytest.fixture
def directory_not_parsed(monkeypatch):
    """Fails the test if zipfile is asked to parse the zip's directory at all."""

    def forbidden(*args, **kwargs):
        raise AssertionError("the zip directory was parsed")

    monkeypatch.setattr(reader.zipfile, "ZipFile", forbidden)


def refusal(tmp_path, content: bytes, name: str = "upload.xlsx") -> str:
    path = tmp_path / "stored.xlsx"
    path.write_bytes(content)
    with pytest.raises(WorkbookRefused) as info:
        check_container(path, name=name)
    return str(info.value)


# --- macro-enabled workbooks ---------------------------------------------------------------


def test_a_real_xlsm_with_its_vba_project_is_refused(tmp_path):
    assert refusal(tmp_path, macro_enabled(valid_xlsx()), name="名册.xlsm") == MACRO_MESSAGE


def test_a_macro_workbook_renamed_to_xlsx_is_refused_by_its_content_type(tmp_path):
    content = macro_enabled(valid_xlsx(), vba_at=None)
    assert not any("vbaproject" in n.lower() for n in zipfile.ZipFile(io.BytesIO(content)).namelist())
    assert refusal(tmp_path, content, name="名册.xlsx") == MACRO_MESSAGE


def test_a_vba_project_anywhere_in_any_case_is_refused_under_a_plain_content_type(tmp_path):
    content = rezip(valid_xlsx(), add={"customXml/Sub/VBAPROJECT.Bin": b"x" * 100})
    assert refusal(tmp_path, content) == MACRO_MESSAGE


@pytest.mark.parametrize("name", ["名册.xlsm", "模板.XLTM", "加载项.xlam"])
def test_macro_enabled_extensions_are_refused_by_name(tmp_path, name):
    assert refusal(tmp_path, valid_xlsx(), name=name) == MACRO_MESSAGE


def test_a_content_type_hidden_behind_a_character_reference_is_still_refused(tmp_path):
    hidden = MACRO_WORKBOOK.replace("macroEnabled", "macro&#69;nabled")
    assert refusal(tmp_path, macro_enabled(valid_xlsx(), vba_at=None, content_type=hidden)) == MACRO_MESSAGE


def test_the_templates_template_content_type_is_refused_too(tmp_path):
    content = macro_enabled(valid_xlsx(), vba_at=None, content_type="application/vnd.ms-excel.template.macroEnabled.main+xml")
    assert refusal(tmp_path, content) == MACRO_MESSAGE


def test_a_plain_workbook_passes_the_cheap_checks(tmp_path):
    path = tmp_path / "ok.xlsx"
    path.write_bytes(valid_xlsx())
    check_container(path, name="名册.xlsx")


# --- the number of parts ----------------------------------------------------------------------


def test_the_issues_495_part_zip_is_refused_from_its_end_record(tmp_path, settings, nothing_decompressed, directory_not_parsed):
    content = the_issues_file()
    assert len(content) < 600 * 1024
    message = refusal(tmp_path, content)
    assert "495 个部件" in message and "超过上限 200 个" in message
    assert settings.IMPORT_MAX_PARTS == 200


def test_an_end_record_that_understates_the_parts_is_caught_by_the_directory(tmp_path, nothing_decompressed):
    content = zip_by_hand({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"}, repeat=("xl/p", b"<a/>", 299), declared_entries=3)
    assert "301 个部件" in refusal(tmp_path, content)


def test_a_zip64_end_record_is_read_for_the_count(tmp_path, nothing_decompressed, directory_not_parsed):
    content = zip_by_hand({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"}, repeat=("xl/p", b"<a/>", 299), zip64=True)
    assert "301 个部件" in refusal(tmp_path, content)


def test_a_directory_too_large_for_the_parts_cap_is_refused_unparsed(tmp_path, settings, directory_not_parsed):
    settings.IMPORT_MAX_PARTS = 3
    parts = {"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>", "xl/" + "n" * 5000 + ".xml": b"<a/>"}
    assert "目录过大" in refusal(tmp_path, zip_by_hand(parts))


def test_the_parts_cap_is_a_setting(tmp_path, settings):
    content = valid_xlsx()
    parts = len(zipfile.ZipFile(io.BytesIO(content)).infolist())
    settings.IMPORT_MAX_PARTS = parts
    path = tmp_path / "ok.xlsx"
    path.write_bytes(content)
    check_container(path)
    settings.IMPORT_MAX_PARTS = parts - 1
    assert f"超过上限 {parts - 1} 个" in refusal(tmp_path, content)


def test_a_part_cannot_inflate_past_its_declared_size(tmp_path):
    """The budget holds against a directory that lies: zipfile stops a part at the declared
    size and then fails its CRC, so the scan refuses the file as damaged."""
    content = bytearray(valid_xlsx(rows=50))
    name = b"xl/worksheets/sheet1.xml"
    at = content.find(b"PK\x01\x02")
    while at != -1:
        name_length = struct.unpack_from("<H", content, at + 28)[0]
        if bytes(content[at + 46 : at + 46 + name_length]) == name:
            struct.pack_into("<L", content, at + 24, 100)  # uncompressed size: 100 bytes
            break
        at = content.find(b"PK\x01\x02", at + 4)
    assert at != -1
    path = tmp_path / "lying.xlsx"
    path.write_bytes(bytes(content))
    with pytest.raises(WorkbookRefused, match="损坏"):
        inspect_file(path)


# --- the upload request: only the cheap checks --------------------------------------------------


def post(client, content: bytes, name: str):
    return client.post(reverse("archives:import_upload"), {"kind": "roster", "file": SimpleUploadedFile(name, content)}, follow=True)


def test_uploading_the_issues_file_is_refused_without_decompressing_anything(client, archivist, nothing_decompressed):
    client.force_login(archivist)
    response = post(client, the_issues_file(), "bomb.xlsx")
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.FAILED and "495 个部件" in job.message
    assert "超过上限 200 个" in response.content.decode()


@pytest.mark.parametrize(
    ("content", "name"),
    [(macro_enabled(valid_xlsx()), "名册.xlsm"), (macro_enabled(valid_xlsx(), vba_at=None), "名册.xlsx"), (valid_xlsx(), "名册.xlsm")],
    ids=["xlsm-with-vba-project", "renamed-to-xlsx", "xlsm-name"],
)
def test_uploading_a_macro_enabled_workbook_is_refused_with_the_message(client, archivist, content, name):
    client.force_login(archivist)
    response = post(client, content, name)
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.FAILED and job.message == MACRO_MESSAGE
    assert MACRO_MESSAGE in response.content.decode()
    assert not Cadre.objects.exists()


def test_the_upload_request_does_not_scan_the_parts(archivist, monkeypatch):
    """The request stores the file and checks its directory; the streaming pass over every part
    (and the reading) belongs to the preview task, queued after the commit."""

    def forbidden(*args, **kwargs):
        raise AssertionError("the parts were scanned in the request")

    monkeypatch.setattr(reader, "_scan_parts", forbidden)
    job = service.import_upload(user=archivist, kind="roster", uploaded_file=SimpleUploadedFile("名册.xlsx", valid_xlsx()))
    assert job.status == ImportJob.Status.VALIDATING and not job.message


def test_a_doctype_is_refused_by_the_preview_task(archivist, django_capture_on_commit_callbacks):
    from .test_import_hostile import inject

    content = rezip(valid_xlsx(), replace={"xl/worksheets/sheet1.xml": lambda xml: inject(xml, b'<!DOCTYPE x [<!ENTITY a "a">]>')})
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        job = service.import_upload(user=archivist, kind="roster", uploaded_file=SimpleUploadedFile("名册.xlsx", content))
    assert len(callbacks) == 1  # the preview task, eager here
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED and "XML 实体或 DOCTYPE" in job.message
