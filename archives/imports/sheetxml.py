"""A streaming reader of one worksheet's XML, for files reader.inspect_file has already checked.

openpyxl's read-only mode builds an element (and a dict per cell) for every node of the sheet,
and makes a whole extra pass over sheets without a ``<dimension>`` before the first row is
read. Here the sheet is parsed once, by defusedxml's parser (``DTDForbidden`` /
``EntitiesForbidden`` / ``ExternalReferenceForbidden`` are left armed on it), with handlers that
keep only the values of the columns asked for and build no element at all.

Everything else comes from openpyxl itself, so that every cell reads exactly as it would through
``openpyxl.load_workbook(read_only=True, data_only=False)``: the shared-string table, the sheet
list, the workbook's epoch (``date1904``) and the styles whose number format is a date. Cell rules
follow ``openpyxl.worksheet._reader.WorkSheetParser.parse_cell``: numbers become int or float, and
datetimes under a date format; ``t="s"`` shared strings; ``t="inlineStr"`` the plain and rich-text
runs (phonetic runs left out); ``t="b"`` booleans; ``t="str"`` and ``t="e"`` text; ``t="d"`` ISO
dates; a formula comes back as its text (``=…``, shared formulas translated), never evaluated.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from warnings import warn

from defusedxml.ElementTree import DefusedXMLParser
from openpyxl.formula.translate import Translator
from openpyxl.reader.excel import ExcelReader
from openpyxl.styles.stylesheet import apply_stylesheet
from openpyxl.utils.datetime import from_excel, from_ISO8601
from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula
from openpyxl.xml.constants import SHEET_MAIN_NS

# expat reports namespaced names as "uri}local" (the separator XMLParser asks for), without "{".
_C, _V, _F, _T, _IS, _ROW, _RPH = (SHEET_MAIN_NS + "}" + local for local in ("c", "v", "f", "t", "is", "row", "rPh"))
FEED = 256 * 1024
_DIGITS = "0123456789"


def _column_index(letters: str) -> int:
    index = 0
    for ch in letters.upper():
        if not "A" <= ch <= "Z":
            raise ValueError(f"invalid cell reference column {letters!r}")
        index = index * 26 + ord(ch) - 64
    return index


def _row_number(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        value = float(text)
        if not value.is_integer():
            raise ValueError(f"{text} is not a valid row number") from None
        return int(value)


class BookParts:
    """The parts of a workbook openpyxl reads up front, without opening any worksheet."""

    def __init__(self, path):
        self._reader = reader = ExcelReader(path, read_only=True, keep_vba=False, data_only=False, keep_links=False)
        self.archive: zipfile.ZipFile = reader.archive
        try:
            reader.read_manifest()
            reader.read_strings()
            reader.read_workbook()
            apply_stylesheet(reader.archive, reader.wb)
        except BaseException:
            self.archive.close()
            raise
        wb = reader.wb
        self.shared_strings = reader.shared_strings
        self.epoch = wb.epoch
        self.date_formats = set(wb._date_formats)
        self.timedelta_formats = set(wb._timedelta_formats)
        valid = set(reader.valid_files)
        # (title, part path) of every worksheet, in workbook order; chartsheets carry no cells.
        self.worksheets: list[tuple[str, str]] = [
            (sheet.name, rel.target) for sheet, rel in reader.parser.find_sheets() if rel.target in valid and "chartsheet" not in rel.Type
        ]

    def close(self) -> None:
        self.archive.close()

    def rows(self, part: str, *, min_row: int = 1, max_row: int | None = None, max_col: int) -> Iterator[tuple[int, list]]:
        """(row number, values of columns 1…max_col) of every row present in the sheet XML from
        min_row on, in order; like openpyxl, a row numbered at or below one already given is
        dropped. Rows absent from the XML are not yielded (they are empty)."""
        return _SheetStream(self, part, min_row, max_row, max_col).rows()


class _SheetStream:
    def __init__(self, book: BookParts, part: str, min_row: int, max_row: int | None, max_col: int):
        self.book, self.part = book, part
        self.min_row, self.max_row, self.max_col = min_row, max_row, max_col

    def rows(self) -> Iterator[tuple[int, list]]:
        book, max_col, min_row, max_row = self.book, self.max_col, self.min_row, self.max_row
        shared_strings, epoch = book.shared_strings, book.epoch
        date_formats, timedelta_formats = book.date_formats, book.timedelta_formats
        shared_formulae: dict[str, Translator] = {}
        done: list[tuple[int, list]] = []
        text: list[str] = []  # character data since the last start tag (pyexpat appends straight to it)
        clear_text, join = text.clear, "".join
        column_cache: dict[str, int] = {}
        # The parse state, kept in closure variables (the handlers run once per XML node).
        row = 0  # current row number
        wanted = min_row  # lowest row number still to give
        col = 0  # current column (cells without r="…" follow the previous one)
        values = None  # the current row's values, or None when the row is not wanted
        cell = None  # (column, type, style, reference) of the cell being read, None when skipped
        v = None  # text of the cell's <v>
        f = None  # attributes of the cell's <f>, when it has one
        ftext = None
        inline = None  # text runs of an inline string
        rph = 0  # depth inside phonetic runs
        stop = False

        def start(name, attrs):
            nonlocal row, wanted, col, values, cell, v, f, ftext, inline, rph, stop
            clear_text()
            if name == _C:
                ref = style = None
                kind = "n"
                for i in range(0, len(attrs), 2):
                    key = attrs[i]
                    if key == "r":
                        ref = attrs[i + 1]
                    elif key == "t":
                        kind = attrs[i + 1]
                    elif key == "s":
                        style = attrs[i + 1]
                if ref:
                    letters = ref.rstrip(_DIGITS)
                    col = column_cache.get(letters) or column_cache.setdefault(letters, _column_index(letters))
                else:
                    col += 1
                if values is not None and col <= max_col:
                    cell = (col, kind, style, ref)
                    v = f = ftext = inline = None
                else:
                    cell = None
            elif cell is not None:
                if name == _IS:
                    inline = []
                elif name == _F:
                    f = dict(zip(attrs[::2], attrs[1::2], strict=True))
                elif name == _RPH:
                    rph += 1
            elif name == _ROW:
                number = None
                for i in range(0, len(attrs), 2):
                    if attrs[i] == "r":
                        number = _row_number(attrs[i + 1])
                        break
                row = row + 1 if number is None else number
                col = 0
                if max_row is not None and row > max_row:
                    stop = True
                    values = None
                elif row >= wanted:
                    values = [None] * max_col
                else:
                    values = None

        def end(name):
            nonlocal wanted, values, cell, v, ftext, rph
            if cell is not None:
                if name == _V:
                    v = join(text)
                elif name == _T:
                    if inline is not None and not rph:
                        inline.append(join(text))
                elif name == _C:
                    values[cell[0] - 1] = value_of(cell)
                    cell = None
                elif name == _F:
                    ftext = join(text)
                elif name == _RPH:
                    rph -= 1
            elif name == _ROW and values is not None:
                done.append((row, values))
                wanted = row + 1
                values = None

        def value_of(cell):
            _col, kind, style, ref = cell
            if f is not None:
                return formula(f, ftext, ref)
            if kind == "inlineStr":
                return None if inline is None else join(inline)
            value = v or None
            if value is None:
                return None
            if kind == "n":
                value = float(value) if ("." in value or "E" in value or "e" in value) else int(value)
                if style and int(style) in date_formats:
                    try:
                        return from_excel(value, epoch, timedelta=int(style) in timedelta_formats)
                    except (OverflowError, ValueError):
                        warn(
                            f"Cell {ref} is marked as a date but the serial value {value} is outside the limits for dates. The cell will be treated as an error.",
                            stacklevel=2,
                        )
                        return "#VALUE!"
                return value
            if kind == "s":
                return shared_strings[int(value)]
            if kind == "b":
                return bool(int(value))
            if kind == "d":
                return from_ISO8601(value)
            return value  # "str", "e"

        def formula(attrs, body, ref):
            value = "=" + (body or "")
            kind = attrs.get("t")
            if kind == "array":
                return ArrayFormula(ref=attrs.get("ref"), text=value)
            if kind == "shared":
                index = attrs.get("si")
                if index in shared_formulae:
                    return shared_formulae[index].translate_formula(ref)
                if value != "=":
                    shared_formulae[index] = Translator(value, ref)
            elif kind == "dataTable":
                return DataTableFormula(**attrs)
            return value

        class _NoTarget:  # XMLParser installs no element handlers of its own for it
            pass

        # forbid_dtd on top of defusedxml's defaults (entities and external references refused).
        parser = DefusedXMLParser(target=_NoTarget(), forbid_dtd=True, forbid_entities=True, forbid_external=True)
        expat = parser.parser
        expat.StartElementHandler = start
        expat.EndElementHandler = end
        expat.CharacterDataHandler = text.append
        with self.book.archive.open(self.part) as stream:
            while True:
                chunk = stream.read(FEED)
                if chunk:
                    parser.feed(chunk)
                else:
                    parser.close()
                if done:
                    yield from done
                    done.clear()
                if not chunk or stop:
                    break
