"""Opening an uploaded workbook safely.

Every check here runs before any row is read, with bounded memory, in two stages.

``check_container`` is cheap enough for the upload request: the file's name (no macro-enabled
workbook), size and magic bytes, the zip's end record (number of parts, size of the directory)
before the directory itself is parsed, then the directory (parts, encryption, compression
ratio, total inflated size, a ``vbaProject.bin`` anywhere) and ``[Content_Types].xml`` (a few
hundred bytes; no macro-enabled content type). No other part is decompressed.

``inspect_file`` (in the background task) adds one streaming pass over each XML part that
refuses DOCTYPE/ENTITY declarations and counts the worksheet rows from the XML itself (a
sheet's ``dimension`` can lie). Only then is the file read: its small parts (shared strings,
sheet list, styles) by openpyxl, which parses through defusedxml when it is installed (checked
at import below), and its sheets by sheetxml.py, through defusedxml's parser too; so entity
tricks are refused twice.

The budget of reading an accepted file: at most IMPORT_MAX_PARTS parts and
IMPORT_MAX_UNCOMPRESSED_BYTES inflated bytes per pass (zipfile stops each part at the size the
directory declares and then fails its CRC, so a part cannot inflate past what was counted), no
part above RATIO_EXEMPT_BYTES inflating more than IMPORT_MAX_COMPRESSION_RATIO times.
"""

from __future__ import annotations

import os
import posixpath
import re
import struct
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import openpyxl
from defusedxml import DefusedXmlException
from defusedxml import ElementTree as DefusedET
from django.conf import settings
from django.utils.translation import gettext as _

from .sheetxml import BookParts

# openpyxl switches to defusedxml only when it can import it; we rely on that.
if not openpyxl.DEFUSEDXML:  # pragma: no cover - guarded by requirements.txt
    raise ImportError("defusedxml must be installed so that openpyxl parses workbooks safely")

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
# The zip's end-of-central-directory record: signature, disk numbers, entry counts, the
# directory's size and offset, the comment's length (which may follow, up to 64 KB).
_EOCD = struct.Struct("<4s4H2LH")
_EOCD_SIGNATURE = b"PK\x05\x06"
# Its ZIP64 form, found through a locator just before it: the same counts, 8 bytes wide.
_ZIP64_LOCATOR = struct.Struct("<4sLQL")
_ZIP64_LOCATOR_SIGNATURE = b"PK\x06\x07"
_ZIP64_EOCD = struct.Struct("<4sQ2H2L4Q")
_ZIP64_EOCD_SIGNATURE = b"PK\x06\x06"
# A directory record is 46 bytes plus the name and extra fields: xlsx part names are short.
DIRECTORY_BYTES_PER_PART = 1024
CONTENT_TYPES = "[Content_Types].xml"
CONTENT_TYPES_MAX_BYTES = 1024 * 1024  # a real one is a few hundred bytes to a few KB
MACRO_EXTENSIONS = (".xlsm", ".xltm", ".xlam")
# Entries smaller than this cannot be a bomb whatever their ratio (tiny XML parts compress well).
RATIO_EXEMPT_BYTES = 1024 * 1024
CHUNK = 1024 * 1024
MAX_TAG_CARRY = 4 * 1024 * 1024
MAX_COLUMNS = 200

_DECLARATION = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_ROW = re.compile(rb"<(?:[A-Za-z_][\w.\-]*:)?row(?=[\s/>])([^>]*)")
_ROW_INDEX = re.compile(rb"""\br\s*=\s*["'](\d+)["']""")


class WorkbookRefused(Exception):
    """The file is not a workbook we will read; the message is for the user (Chinese)."""


@dataclass
class SheetInfo:
    title: str
    path: str
    rows: int = 0  # <row> elements in the sheet XML
    max_index: int = 0  # highest r="…" of a row


@dataclass
class Inspection:
    size: int
    sheets: dict[str, SheetInfo] = field(default_factory=dict)  # by part path

    @property
    def data_rows(self) -> int:
        return sum(max(s.rows - 1, 0) for s in self.sheets.values())


def _refuse(message: str):
    raise WorkbookRefused(message)


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:.1f}"


def check_container(path: str | os.PathLike, *, name: str | None = None) -> None:
    """The cheap checks (no part decompressed but ``[Content_Types].xml``): refuse a file that
    is not a workbook we will read. Quick and bounded, for the upload request."""
    with _open_checked(path, name=name):
        pass


def inspect_file(path: str | os.PathLike, *, name: str | None = None) -> Inspection:
    """Refuse a hostile or unreadable file; return what was learnt of its sheets."""
    with _open_checked(path, name=name) as (archive, size):
        return _scan_parts(archive, size)


def _refuse_macros() -> None:
    _refuse(_("不接受含宏的工作簿（.xlsm）：请另存为 .xlsx 后上传"))


@contextmanager
def _open_checked(path, *, name: str | None):
    """The file's name, head and zip directory checked; yields the open archive and the size."""
    if str(name or os.fspath(path)).lower().endswith(MACRO_EXTENSIONS):
        _refuse_macros()
    try:
        size = os.path.getsize(path)
    except FileNotFoundError:
        _refuse(_("文件不存在"))
    except OSError:
        _refuse(_("无法读取文件"))
    if size == 0:
        _refuse(_("文件是空的"))
    limit = settings.IMPORT_MAX_BYTES
    if size > limit:
        _refuse(_("文件大小 %(size)s MB 超过上限 %(limit)s MB，请拆分后分批导入") % {"size": _mb(size), "limit": _mb(limit)})
    with open(path, "rb") as fh:
        head = fh.read(8)
        if head.startswith(OLE_MAGIC):
            fh.seek(0)
            body = fh.read()  # bounded by IMPORT_MAX_BYTES above
            if "EncryptionInfo".encode("utf-16-le") in body or "EncryptedPackage".encode("utf-16-le") in body:
                _refuse(_("文件设置了打开密码（已加密），系统无法读取。请在 Excel 中取消密码，另存为 .xlsx 后再导入"))
            _refuse(_("这是旧版 Excel（.xls）或其他 OLE 格式的文件，请在 Excel 中另存为 .xlsx 后再导入"))
        if not head.startswith(ZIP_MAGIC):
            _refuse(_("文件不是 Excel 工作簿（.xlsx），请使用下载的模板填写"))
        _check_end_record(fh, size)
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError):
        _refuse(_("文件已损坏，或不是 Excel 工作簿（.xlsx）"))
    with archive:
        _check_directory(archive)
        yield archive, size


def _too_many_parts(count: int) -> None:
    _refuse(
        _("文件结构异常：压缩包内有 %(count)s 个部件，超过上限 %(limit)s 个（正常的工作簿只有十几个），拒绝导入")
        % {"count": f"{count:,}", "limit": settings.IMPORT_MAX_PARTS}
    )


def _check_end_record(fh, size: int) -> None:
    """The number of parts and the directory's size, from the zip's end record (its ZIP64 form
    when there is one), before zipfile parses, and builds an object for each entry of, a
    directory that could hold 400,000 of them."""
    tail_size = min(size, _EOCD.size + 0xFFFF)
    fh.seek(size - tail_size)
    tail = fh.read(tail_size)
    at = tail.rfind(_EOCD_SIGNATURE)
    if at < 0 or at + _EOCD.size > len(tail):
        _refuse(_("文件已损坏，或不是 Excel 工作簿（.xlsx）"))
    entries, cd_size = _EOCD.unpack_from(tail, at)[4:6]
    locator = at - _ZIP64_LOCATOR.size
    if locator >= 0 and tail[locator : locator + 4] == _ZIP64_LOCATOR_SIGNATURE:
        offset = _ZIP64_LOCATOR.unpack_from(tail, locator)[2]
        if offset + _ZIP64_EOCD.size > size:
            _refuse(_("文件已损坏，或不是 Excel 工作簿（.xlsx）"))
        fh.seek(offset)
        record = fh.read(_ZIP64_EOCD.size)
        if record[:4] != _ZIP64_EOCD_SIGNATURE:
            _refuse(_("文件已损坏，或不是 Excel 工作簿（.xlsx）"))
        entries, cd_size = _ZIP64_EOCD.unpack(record)[7:9]
    limit = settings.IMPORT_MAX_PARTS
    if entries > limit:
        _too_many_parts(entries)
    if cd_size > limit * DIRECTORY_BYTES_PER_PART:
        _refuse(_("文件结构异常（压缩包目录过大），拒绝导入"))


def _check_directory(archive: zipfile.ZipFile) -> None:
    infos = archive.infolist()
    if len(infos) > settings.IMPORT_MAX_PARTS:
        _too_many_parts(len(infos))
    names = {info.filename for info in infos}
    if CONTENT_TYPES not in names or "xl/workbook.xml" not in names:
        _refuse(_("文件不是 Excel 工作簿（.xlsx），可能是 .docx、.zip 或其他格式"))
    if any(posixpath.basename(name.replace("\\", "/")).lower() == "vbaproject.bin" for name in names):
        _refuse_macros()
    total = 0
    max_ratio = settings.IMPORT_MAX_COMPRESSION_RATIO
    max_total = settings.IMPORT_MAX_UNCOMPRESSED_BYTES
    for info in infos:
        if info.flag_bits & 0x1:
            _refuse(_("文件中的内容已加密，系统无法读取。请取消密码后再导入"))
        total += info.file_size
        if info.file_size > RATIO_EXEMPT_BYTES and info.file_size > max_ratio * max(info.compress_size, 1):
            _refuse(_("文件疑似“压缩炸弹”（%(name)s 的压缩比超过 %(ratio)s:1），拒绝导入") % {"name": info.filename, "ratio": max_ratio})
        if total > max_total:
            _refuse(_("文件解压后超过 %(limit)s MB（疑似“压缩炸弹”），拒绝导入") % {"limit": _mb(max_total)})
    _check_content_types(archive, archive.getinfo(CONTENT_TYPES))


def _check_content_types(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    """Refuse a macro-enabled workbook by what it declares itself to be, whatever its name:
    ``application/vnd.ms-excel.sheet.macroEnabled.main+xml`` (and the template's and add-in's),
    or a part of type ``application/vnd.ms-office.vbaProject``."""
    if info.file_size > CONTENT_TYPES_MAX_BYTES:
        _refuse(_("文件结构异常，拒绝导入"))
    try:
        with archive.open(info) as stream:
            data = stream.read(CONTENT_TYPES_MAX_BYTES + 1)
    except (zipfile.BadZipFile, EOFError, OSError, ValueError, NotImplementedError) as exc:
        raise WorkbookRefused(_("文件已损坏，无法读取（%(name)s）") % {"name": info.filename}) from exc
    try:
        # Parsed, not searched, so that a character reference cannot hide a word; defusedxml
        # refuses DOCTYPE and entities.
        root = DefusedET.fromstring(data, forbid_dtd=True)
    except (DefusedET.ParseError, DefusedXmlException) as exc:
        raise _unreadable(exc) from exc
    for element in root.iter():
        content_type = element.get("ContentType", "").lower()
        if "macroenabled" in content_type or "vbaproject" in content_type:
            _refuse_macros()


def _scan_parts(archive: zipfile.ZipFile, size: int) -> Inspection:
    infos = archive.infolist()
    inspection = Inspection(size=size)
    max_rows = settings.IMPORT_MAX_ROWS
    for info in infos:
        name = info.filename
        if info.is_dir() or not name.lower().endswith((".xml", ".rels", ".vml")):
            continue
        is_sheet = name.startswith("xl/worksheets/") and name.count("/") == 2
        sheet = SheetInfo(title="", path=name)
        _scan_xml(archive, info, sheet if is_sheet else None)
        if is_sheet:
            if sheet.rows - 1 > max_rows or sheet.max_index - 1 > max_rows:
                _refuse(_("工作表数据超过 %(limit)s 行的上限，请拆分后分批导入") % {"limit": f"{max_rows:,}"})
            inspection.sheets[name] = sheet
    return inspection


def _scan_xml(archive: zipfile.ZipFile, info: zipfile.ZipInfo, sheet: SheetInfo | None) -> None:
    """Stream one XML part: refuse declarations, count rows; memory stays near CHUNK."""
    carry = b""
    first = True
    try:
        with archive.open(info) as stream:
            while True:
                chunk = stream.read(CHUNK)
                if first:
                    first = False
                    if chunk[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in chunk[:64]:
                        _refuse(_("文件结构异常（不支持的 XML 编码），拒绝导入"))
                if not chunk:
                    buffer, carry = carry, b""
                else:
                    buffer = carry + chunk
                    cut = buffer.rfind(b"<")
                    if cut <= 0:
                        cut = len(buffer)
                    buffer, carry = buffer[:cut], buffer[cut:]
                    if len(carry) > MAX_TAG_CARRY:
                        _refuse(_("文件结构异常，拒绝导入"))
                if _DECLARATION.search(buffer):
                    _refuse(_("文件含有 XML 实体或 DOCTYPE 声明（可能是恶意文件），拒绝导入"))
                if sheet is not None:
                    for match in _ROW.finditer(buffer):
                        sheet.rows += 1
                        index = _ROW_INDEX.search(match.group(1))
                        if index:
                            sheet.max_index = max(sheet.max_index, int(index.group(1)))
                        else:
                            sheet.max_index += 1
                if not chunk:
                    break
    except (zipfile.BadZipFile, EOFError, OSError, ValueError, NotImplementedError) as exc:
        raise WorkbookRefused(_("文件已损坏，无法读取（%(name)s）") % {"name": info.filename}) from exc


@dataclass
class Sheet:
    title: str
    headers: list[str]  # as written (stripped), trailing empty cells removed
    book: BookParts
    part: str  # the sheet's XML part in the archive
    rows: int  # data rows according to the XML scan

    def _stream(self, *, min_row: int, max_row: int, max_col: int) -> Iterator[tuple[int, list]]:
        try:
            yield from self.book.rows(self.part, min_row=min_row, max_row=max_row, max_col=max_col)
        except WorkbookRefused:
            raise
        except Exception as exc:  # a malformed sheet part, met only now that its rows are read
            raise _unreadable(exc) from exc

    def data_rows(self) -> Iterator[tuple[int, list]]:
        """(row number, values) of every non-empty data row; bounded by IMPORT_MAX_ROWS."""
        width = max(len(self.headers), 1)
        limit = settings.IMPORT_MAX_ROWS + 1
        for number, values in self._stream(min_row=2, max_row=limit, max_col=width):
            for value in values:
                if value is not None and (not isinstance(value, str) or value.strip()):
                    yield number, values
                    break

    def all_rows(self, *, max_row: int, max_col: int) -> Iterator[list]:
        """Every row from the first to the last present (absent ones as empty), as openpyxl's
        ``iter_rows(min_row=1, max_row=…, max_col=…, values_only=True)`` gives them."""
        expected = 1
        for number, values in self._stream(min_row=1, max_row=max_row, max_col=max_col):
            for _missing in range(expected, number):
                yield [None] * max_col
            expected = number + 1
            yield values


def _unreadable(exc: BaseException) -> WorkbookRefused:
    name = exc.__class__.__name__
    if "Entit" in name or "DTD" in name or "Forbidden" in name:
        return WorkbookRefused(_("文件含有 XML 实体或 DOCTYPE 声明（可能是恶意文件），拒绝导入"))
    return WorkbookRefused(_("文件无法作为 Excel 工作簿读取，请在 Excel 中另存为 .xlsx 后再导入"))


class Workbook:
    """A checked workbook, its sheets streamed (sheetxml.py); use as a context manager."""

    def __init__(self, path: str | os.PathLike):
        self.path = path
        self.inspection = inspect_file(path)
        try:
            # Formulas come back as their text and are stored as text, never evaluated.
            self._book = BookParts(path)
        except WorkbookRefused:
            raise
        except Exception as exc:  # openpyxl raises many kinds on malformed parts; all mean "unreadable"
            raise _unreadable(exc) from exc

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        self._book.close()

    def sheets(self) -> Iterator[Sheet]:
        for title, part in self._book.worksheets:
            info = self.inspection.sheets.get(part.lstrip("/"))
            if info is None:
                continue  # chartsheets and the like carry no rows
            sheet = Sheet(title=title, headers=[], book=self._book, part=part, rows=max(info.rows - 1, 0))
            header_row = next(iter(sheet.all_rows(max_row=1, max_col=MAX_COLUMNS)), ())
            headers = ["" if v is None else str(v).strip() for v in header_row]
            while headers and not headers[-1]:
                headers.pop()
            sheet.headers = headers
            yield sheet
