"""Workbooks the product writes for imports: the blank templates, and an uploaded file given back
with an error column. Cells are written as text where a spreadsheet would otherwise read them
as formulas (text beginning with =, +, -, @) or mangle them (18-digit ID numbers, 1975.10)."""

from __future__ import annotations

import io
from collections import defaultdict

from django.conf import settings
from openpyxl import Workbook as NewWorkbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from .formats import DATE_NOTE, FORMATS, INSTRUCTIONS_SHEET
from .reader import Workbook

HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
REQUIRED_FONT = Font(bold=True, color="C00000")
HEADER_FONT = Font(bold=True)
ERROR_FILL = PatternFill("solid", fgColor="FFC7CE")
FORMULA_START = ("=", "+", "-", "@")
ERROR_HEADER = "错误说明"


def template_workbook(kind: str) -> bytes:
    """The blank template of one kind: headers (required ones in red), an example row, column
    widths, text-formatted cells, and a sheet of instructions with the accepted date forms."""
    fmt = FORMATS[kind]
    book = NewWorkbook()
    sheet = book.active
    sheet.title = fmt.sheet_title
    for index, column in enumerate(fmt.columns, start=1):
        letter = get_column_letter(index)
        cell = sheet.cell(row=1, column=index, value=column.header)
        cell.font = REQUIRED_FONT if column.required else HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center")
        if column.note:
            cell.comment = Comment(column.note, "系统", width=320, height=120)
        example = sheet.cell(row=2, column=index, value=column.example or None)
        example.number_format = "@"
        sheet.column_dimensions[letter].width = column.width
        # Text format for the whole column keeps 18-digit IDs and 1975.10 as typed.
        sheet.column_dimensions[letter].number_format = "@"
    sheet.freeze_panes = "A2"

    notes = book.create_sheet(INSTRUCTIONS_SHEET)
    notes.append([f"{fmt.sheet_title}填写说明（本工作表不会被导入）"])
    notes["A1"].font = Font(bold=True, size=13)
    notes.append(["红色列名为必填列；列的顺序可以调整；第2行为示例，请替换为实际数据。"])
    notes.append([DATE_NOTE])
    notes.append(["以 =、+、-、@ 开头的内容按文本保存，不会作为公式计算。"])
    notes.append([])
    notes.append(["列名", "是否必填", "说明", "示例"])
    for cell in notes[6]:
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
    for column in fmt.columns:
        notes.append([column.header, "必填" if column.required else "选填", column.note, column.example])
    if fmt.instructions:
        notes.append([])
        for line in fmt.instructions:
            notes.append([line])
    for letter, width in zip("ABCD", (20, 10, 80, 22), strict=True):
        notes.column_dimensions[letter].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _text_safe(sheet, value):
    """A cell whose text is kept as text, even when it looks like a formula."""
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str) and value.startswith(FORMULA_START):
        cell.data_type = "s"
    return cell


def error_workbook(path, errors: list[dict]) -> bytes:
    """The uploaded file given back: every sheet that has errors, each row as uploaded with a
    first column 错误说明 (highlighted where there is an error), and a sheet listing them all."""
    by_row: dict[tuple[str, int], list[str]] = defaultdict(list)
    for error in errors:
        by_row[(error["sheet"], error["row"])].append(f"{error['column']}：{error['reason']}")
    sheets_with_errors = {sheet for sheet, _row in by_row}
    out_book = NewWorkbook(write_only=True)
    limit = settings.IMPORT_MAX_ROWS + 1
    with Workbook(path) as book:
        for sheet in book.sheets():
            if sheet.title not in sheets_with_errors:
                continue
            out = out_book.create_sheet(sheet.title[:31])
            out.column_dimensions["A"].width = 50
            width = max(len(sheet.headers), 1)
            for number, values in enumerate(sheet.all_rows(max_row=limit, max_col=width), start=1):
                messages = by_row.get((sheet.title, number))
                first = WriteOnlyCell(out, value="；".join(messages) if messages else (ERROR_HEADER if number == 1 else None))
                if messages:
                    first.fill = ERROR_FILL
                elif number == 1:
                    first.font = HEADER_FONT
                out.append([first, *(_text_safe(out, v) for v in values)])
    listing = out_book.create_sheet("错误清单")
    listing.append(["工作表", "行号", "列名", "原因"])
    for error in errors:
        listing.append([_text_safe(listing, error["sheet"]), error["row"], _text_safe(listing, error["column"]), _text_safe(listing, error["reason"])])
    buffer = io.BytesIO()
    out_book.save(buffer)
    return buffer.getvalue()
