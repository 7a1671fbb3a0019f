"""The streaming sheet reader gives every cell the value openpyxl's read-only mode gives it."""

import datetime as dt
import io
import zipfile

import openpyxl
import pytest
from defusedxml import DefusedXmlException
from openpyxl import Workbook as NewWorkbook
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont
from openpyxl.utils.datetime import CALENDAR_MAC_1904

from archives.imports import sheetxml
from archives.imports.reader import Workbook, WorkbookRefused

from .test_import_hostile import inject, rezip

WIDTH = 12


def openpyxl_rows(path, max_row):
    book = openpyxl.load_workbook(path, read_only=True, data_only=False, keep_links=False, keep_vba=False)
    try:
        return {ws.title: [list(r) for r in ws.iter_rows(min_row=1, max_row=max_row, max_col=WIDTH, values_only=True)] for ws in book.worksheets}
    finally:
        book.close()


def streamed_rows(path, max_row):
    with Workbook(path) as book:
        return {sheet.title: list(sheet.all_rows(max_row=max_row, max_col=WIDTH)) for sheet in book.sheets()}


def comparable(rows):
    """Formula objects (array, data table) have no equality of their own: compare their fields."""
    out = []
    for row in rows:
        out.append([(type(v).__name__, sorted(vars(v).items())) if hasattr(v, "__dict__") else (type(v).__name__, v) for v in row])
    return out


def assert_same_as_openpyxl(path, max_row=40):
    expected, got = openpyxl_rows(path, max_row), streamed_rows(path, max_row)
    assert list(got) == list(expected)
    for title in expected:
        # openpyxl pads to max_row only when rows lie beyond it; compare the rows both give.
        rows = expected[title][: len(got[title])]
        assert comparable(got[title]) == comparable(rows), title
        assert all(not any(r) for r in expected[title][len(got[title]) :])


def typed_workbook(epoch=None) -> bytes:
    """Cells of every type openpyxl writes: shared strings, numbers, dates and times under their
    number formats, booleans, formulas (plain, array), rich text, blanks and gaps."""
    book = NewWorkbook()
    if epoch is not None:
        book.epoch = epoch
    ws = book.active
    ws.title = "干部名册"
    ws.append(["姓名", "身份证号", "出生日期", "页数", "是否", "职务", "金额", "时间", "百分比", "说明"])
    ws.append(["张三", "110101197503120012", dt.datetime(1975, 3, 12), 4, True, "=1+1", 3.25, dt.time(8, 30), 0.5, "  前后空格  "])
    ws.append(["李四", "11010119750312001X", dt.date(1999, 12, 31), 0, False, '=CONCATENATE("科","长")', -1e-7, dt.timedelta(hours=30), 1, "=SUM(A1:A2)"])
    ws.append([None, None, dt.datetime(2000, 2, 29, 13, 45, 10), 197503, None, "@SUM(A1)", 1975.03, None, None, "+86"])
    ws["I2"].number_format = "0%"
    ws["D3"].number_format = "yyyy.mm"  # a date format on a number cell
    ws["E4"] = "合并" + "\n" + "多行"
    ws["A6"] = CellRichText(["王", TextBlock(InlineFont(b=True), "五")])
    ws["B6"] = "x005F_x000D_ kept as openpyxl keeps it"
    ws["C8"] = "1975年3月"  # rows 5 and 7 absent
    ws.formula_attributes = {}
    ws["F8"] = openpyxl.worksheet.formula.ArrayFormula("F8:F9", "=SUM(A1:A3*B1:B3)")
    ws2 = book.create_sheet("第二表")
    ws2.append(["只有一列"])
    ws2.append([dt.datetime(1900, 3, 1)])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# Cells openpyxl never writes but Excel and other programs do: inline strings with rich and
# phonetic runs, shared formulas, cached values (t="str", t="e"), ISO dates (t="d"), cells without
# r="…", a row without r="…", rows out of order, characters escaped in the XML.
HANDMADE_ROWS = (
    '<row r="1"><c r="A1" t="inlineStr"><is><t>姓名</t></is></c><c r="B1" t="inlineStr"><is><t xml:space="preserve"> 单位 </t></is></c>'
    '<c r="C1" t="inlineStr"><is><r><t>出生</t></r><r><rPr><b/></rPr><t>日期</t></r><rPh sb="0" eb="1"><t>ignored</t></rPh></is></c></row>'
    '<row r="2"><c r="A2" t="inlineStr"><is><t>A&amp;B &lt;x&gt; &#x4E2D;</t></is></c><c r="B2" t="str"><f>A2&amp;"x"</f><v>cached</v></c>'
    '<c r="C2" t="e"><v>#N/A</v></c><c r="D2" t="d"><v>1975-03-12T00:00:00</v></c><c r="E2"><f t="shared" ref="E2:E4" si="0">D2+1</f><v>2</v></c>'
    '<c r="F2" t="b"><v>1</v></c><c r="G2"><v>1.5E3</v></c><c r="H2"><v></v></c><c r="I2" t="inlineStr"/><c r="J2" t="inlineStr"><is><t/></is></c></row>'
    '<row r="3"><c r="E3"><f t="shared" si="0"/><v>3</v></c><c t="inlineStr"><is><t>no r (F)</t></is></c><c t="n"><v>7</v></c>'
    '<c r="L3" t="inlineStr"><is><t>last wanted column</t></is></c><c r="M3" t="inlineStr"><is><t>beyond the width</t></is></c></row>'
    '<row><c r="A4" t="inlineStr"><is><t>row without r</t></is></c><c r="E4"><f t="shared" si="0"/></c></row>'
    '<row r="3"><c r="A3" t="inlineStr"><is><t>out of order: dropped</t></is></c></row>'
    '<row r="9" spans="1:2" ht="20" customHeight="1"><c r="B9" s="0"><v>42</v></c></row>'
    '<row r="10"><c r="A10" t="s"><v>0</v></c><c r="B10" t="s"><v>1</v></c><c r="C10" t="s"><v>2</v></c><c r="D10" t="s"><v>0</v></c></row>'
).encode()
# Excel keeps text in a shared table; openpyxl 3.1 writes inline strings, so this part is made by hand.
SHARED_STRINGS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="4" uniqueCount="3">'
    "<si><t>张三</t></si>"
    '<si><r><t>某县/</t></r><r><rPr><b/></rPr><t xml:space="preserve">组织部 </t></r><rPh sb="0" eb="2"><t>phonetic</t></rPh></si>'
    "<si><t>x005F_x000D_1975.03</t></si>"
    "</sst>"
).encode()
SHARED_TYPE = b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'


def handmade_workbook() -> bytes:
    base = NewWorkbook()
    out = io.BytesIO()
    base.save(out)

    def sheet(xml: bytes) -> bytes:
        head, _, rest = xml.partition(b"<sheetData")
        _, _, tail = rest.partition(b"/>") if rest.startswith(b"/>") else rest.partition(b"</sheetData>")
        return head + b"<sheetData>" + HANDMADE_ROWS + b"</sheetData>" + tail

    def types(xml: bytes) -> bytes:
        return xml.replace(b"</Types>", SHARED_TYPE + b"</Types>")

    return rezip(out.getvalue(), replace={"xl/worksheets/sheet1.xml": sheet, "[Content_Types].xml": types}, add={"xl/sharedStrings.xml": SHARED_STRINGS})


@pytest.mark.parametrize("epoch", [None, CALENDAR_MAC_1904], ids=["1900", "1904"])
def test_every_cell_type_reads_as_openpyxl_reads_it(tmp_path, epoch):
    path = tmp_path / "typed.xlsx"
    path.write_bytes(typed_workbook(epoch))
    with zipfile.ZipFile(path) as z:
        assert (b"date1904" in z.read("xl/workbook.xml")) == (epoch is not None)
    assert_same_as_openpyxl(path)
    rows = streamed_rows(path, 40)["干部名册"]
    assert rows[1][:5] == ["张三", "110101197503120012", dt.datetime(1975, 3, 12), 4, True]
    assert rows[1][5] == "=1+1" and rows[2][5] == '=CONCATENATE("科","长")'


def test_handmade_xml_reads_as_openpyxl_reads_it(tmp_path):
    path = tmp_path / "handmade.xlsx"
    path.write_bytes(handmade_workbook())
    assert_same_as_openpyxl(path)
    rows = streamed_rows(path, 40)["Sheet"]
    assert rows[0][:3] == ["姓名", " 单位 ", "出生日期"]
    assert rows[1][:7] == ["A&B <x> 中", '=A2&"x"', "#N/A", dt.datetime(1975, 3, 12), "=D2+1", True, 1500.0]
    assert rows[2][4:7] == ["=D3+1", "no r (F)", 7] and rows[2][11] == "last wanted column"
    assert rows[3][0] == "row without r" and rows[3][4] == "=D4+1"
    assert [r[1] for r in rows[4:9]] == [None, None, None, None, 42]
    assert rows[9][:4] == ["张三", "某县/组织部 ", "x000D_1975.03", "张三"]  # shared strings, rich runs joined, phonetic left out


def test_the_bench_files_kind_write_only_inline_strings_without_dimension(tmp_path):
    book = NewWorkbook(write_only=True)
    sheet = book.create_sheet("干部名册")
    sheet.append(["姓名", "出生日期", "页数"])
    for i in range(50):
        sheet.append([f"干部{i}", f"1975.{i % 12 + 1:02d}", i if i % 3 else None])
    path = tmp_path / "wo.xlsx"
    book.save(path)
    with zipfile.ZipFile(path) as z:
        xml = z.read("xl/worksheets/sheet1.xml")
    assert b"inlineStr" in xml and b"<dimension" not in xml
    assert_same_as_openpyxl(path, max_row=100)


def test_the_streaming_parser_itself_refuses_entities_and_doctype(tmp_path):
    """defusedxml guards the sheet parse even if a declaration got past the pre-checks."""
    path = tmp_path / "ok.xlsx"
    path.write_bytes(handmade_workbook())
    parts = sheetxml.BookParts(path)
    try:
        for declaration in (b'<!DOCTYPE x [<!ENTITY a "b">]>', b"<!DOCTYPE worksheet>", b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'):
            original = parts.archive.open

            def tampered(name, *args, _declaration=declaration, _original=original, **kwargs):
                return io.BytesIO(inject(_original(name, *args, **kwargs).read(), _declaration))

            parts.archive.open = tampered
            with pytest.raises(DefusedXmlException):
                list(parts.rows("xl/worksheets/sheet1.xml", max_col=3))
            parts.archive.open = original
    finally:
        parts.close()


def test_a_malformed_sheet_is_refused_when_its_rows_are_read(tmp_path):
    def broken(xml: bytes) -> bytes:
        return xml.replace(b"</sheetData>", b"<row r='99'><c></sheetData>")

    path = tmp_path / "broken.xlsx"
    path.write_bytes(rezip(handmade_workbook(), replace={"xl/worksheets/sheet1.xml": broken}))
    with Workbook(path) as book, pytest.raises(WorkbookRefused):
        for sheet in book.sheets():
            list(sheet.data_rows())
