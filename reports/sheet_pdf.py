"""The 干部人事档案专项审核认定表 as PDF: one A4 form per cadre, filed in the dossier for good.

Renders reports.data.DeterminationSheet and makes no queries. The form is a ruled grid like
the ones counties file: the cadre's particulars; the five items, each with 现有信息, 档案记载,
认定值 and 认定依据; the opinions of the audit group and of the organization department
(with room for the seal); the cadre's own opinion and signature; the date of determination.

Every cell is broken into lines here (reports.linebreak), never by reportlab's CJK wrapping,
so a date never splits and no line starts with closing punctuation; the lines are drawn as
they are. An item too long for one page becomes one table row per line, so the table can
continue on the next page, where the column heads, the cadre's name and the item are repeated.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Callable
from typing import NamedTuple

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import cm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas as pdfcanvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, KeepTogether, PageBreak, PageTemplate, Spacer, Table, TableStyle

from .data import DeterminationSheet, SheetItem, SheetRecord
from .linebreak import atoms, cjk_lines, fitting_size
from .pdf import FONT, FONT_BOLD, register_fonts

SHEET_TITLE = "干部人事档案专项审核认定表"

# The form's two faces; switching the form to a 宋 face is changing these (once registered).
SHEET_FONT = FONT
SHEET_FONT_BOLD = FONT_BOLD

SIZE = 10.5  # 五号
LEADING = 13  # single-spaced, as a 五号 form line
SIGN_LEADING = 20  # a line where someone signs or writes by hand
NOTE_SIZE = 9.5  # 审核发现 lines inside the 档案记载 cell
NOTE_LEADING = 12
TITLE_SIZE = 20  # between 二号 and 小二
FOOT_SIZE = 9
PAD_X = 4
PAD_Y = 3
RULE = 0.75  # the grid's lines
BOX = 1.2  # the outer frame

LEFT_MARGIN = 2.0 * cm  # the bound edge of a dossier material is the left one
RIGHT_MARGIN = 1.5 * cm
TOP_MARGIN = 1.8 * cm  # room for the continuation header
BOTTOM_MARGIN = 1.5 * cm  # room for the page number
WIDTH = A4[0] - LEFT_MARGIN - RIGHT_MARGIN  # 17.5 cm

LABEL_WIDTH = 1.8 * cm  # the first column of every part of the grid: four characters
ITEM_HEADS = ["项目", "现有信息", "档案记载", "认定值", "认定依据"]
# 现有信息 holds a full date; 档案记载 a résumé period with a short post on one line
# ("1993.07—1998.09 某县化肥厂工人"); 认定值 a period (2007.05—2010.12); 认定依据 a 文号
# (某组复〔2026〕7号).
ITEM_WIDTHS = [LABEL_WIDTH, 2.3 * cm, 6.1 * cm, 3.4 * cm, WIDTH - LABEL_WIDTH - 11.8 * cm]

# A cell of more lines than this is laid out one table row per line, so that it can continue
# on the next page (a row never splits); shorter items stay in one row, centred.
LONG_BLOCK = 12
# Lines kept together at the start and at the end of a long item (no orphan lines).
KEEP_LINES = 3

# Labels broken where a reader would break them rather than at a character count.
LABEL_BREAKS = {"参加工作时间": "参加工作\n时间", "组织部门审核意见": "组织部门\n审核意见", "审核组意见": "审核组\n意见"}

FOOTNOTE = "注：本表一式两份，一份存入干部人事档案，一份由组织部门留存。"
BLANK_DATE = "年　　月　　日"

_PERIOD = re.compile(r"^\d{4}(?:[.．]\d{1,2})*\s*[—–~～－-]")
_ISO_DAY = re.compile(r"^(\d{4})[-./](\d{1,2})[-./](\d{1,2})$")


def chinese_date(value: dt.date | None, blank: str = BLANK_DATE) -> str:
    return f"{value.year}年{value.month}月{value.day}日" if value else blank


def day_text(value: str) -> str:
    """A day given as 2026-11-02 or 2026.11.02 in Chinese (2026年11月2日); other text as is."""
    match = _ISO_DAY.match((value or "").strip())
    if not match:
        return (value or "").strip()
    year, month, day = (int(x) for x in match.groups())
    return f"{year}年{month}月{day}日"


def record_text(record: SheetRecord) -> str:
    """One 档案记载 line: 《招工登记表》（1993.07）：1975.03.12（最早记载）.

    A résumé period (the value starts with a period) leads with the period, then the
    material that proves it: 2007.05—2010.12 某乡党委副书记 《干部任免审批表》（2007.05）.
    """
    title = record.material.strip().strip("《》")
    source = (f"《{title}》" if title else "") + (f"（{record.formed}）" if record.formed else "")
    marks = ("（最早记载）" if record.earliest else "") + ("（有涂改）" if record.altered else "")
    value = record.value.strip()
    if _PERIOD.match(value):
        return " ".join(x for x in (value, source) if x) + marks
    if not source:
        return value + marks
    return f"{source}：{value}{marks}" if value else source + marks


# --- lines and the cells drawing them ------------------------------------------------------


class Line(NamedTuple):
    text: str
    font: str = SHEET_FONT
    size: float = SIZE
    leading: float = LEADING
    align: str = "left"  # left, centre, right
    indent: float = 0.0  # from the left (or from the right when right-aligned)


def lines(
    text: str, width: float, *, font: str = SHEET_FONT, size: float = SIZE, leading: float = LEADING, align: str = "left", hang: float = 0.0
) -> list[Line]:
    """The text broken for a cell `width` points wide (padding included), in smaller type when
    a period or number would not fit the cell at all; the lines after the first of each
    paragraph are indented by `hang` (a list item's continuation)."""
    room = width - 2 * PAD_X
    fitted = fitting_size(text, font, size, room)
    if hang and _widest_after_first(text, font, fitted) > room - hang:
        hang = 0.0  # something as wide as the cell may fall on a continuation line: no indent
    leading *= fitted / size
    result = []
    for paragraph in str(text).split("\n"):
        for number, piece in enumerate(cjk_lines(paragraph, font, fitted, room, indent=hang)):
            result.append(Line(piece, font, fitted, leading, align, hang if number else 0.0))
    return result


def _widest_after_first(text: str, font: str, size: float) -> float:
    """The widest atom that is not the first of its paragraph (the first never hangs)."""
    rest = [atom for paragraph in str(text).split("\n") for atom in atoms(paragraph.strip())[1:] if not atom.isspace()]
    return max((stringWidth(atom, font, size) for atom in rest), default=0.0)


def blank_lines(count: int, leading: float = LEADING) -> list[Line]:
    return [Line("", leading=leading)] * count


class Lines(Flowable):
    """Lines already broken, drawn as they are (the content of one cell)."""

    def __init__(self, entries: list[Line], *, overflow: bool = False):
        super().__init__()
        self.entries = list(entries)
        # Takes the height of its first line only and runs on below it, over the empty
        # cells of the same band (a continued item's label in a one-line row).
        self.overflow = overflow

    def wrap(self, availWidth, availHeight):
        self.width = availWidth
        shown = self.entries[:1] if self.overflow else self.entries
        self.height = sum(entry.leading for entry in shown)
        return self.width, self.height

    def draw(self):
        canvas = self.canv
        top = self.height
        for entry in self.entries:
            top -= entry.leading
            if not entry.text:
                continue
            # the em box of the face centred in the line
            baseline = top + (entry.leading - entry.size) / 2 + 0.12 * entry.size
            canvas.setFont(entry.font, entry.size)
            if entry.align == "centre":
                canvas.drawCentredString(self.width / 2, baseline, entry.text)
            elif entry.align == "right":
                canvas.drawRightString(self.width - entry.indent, baseline, entry.text)
            else:
                canvas.drawString(entry.indent, baseline, entry.text)


def label_lines(label: str, width: float, *, font: str = SHEET_FONT) -> list[Line]:
    text = LABEL_BREAKS.get(label, label)
    return lines(text, width, font=font, align="centre")


# --- the grid -------------------------------------------------------------------------------


class Block(NamedTuple):
    """One labelled band of the grid: a list of lines for every column."""

    cells: list[list[Line]]
    valign: str = "MIDDLE"
    label: str = ""  # repeated, with （续）, where the band continues on the next page


class GridTable(Table):
    """A Table that, when it breaks inside a long band, labels the continuation （续）."""

    continued_labels: list[str] | None = None

    def split(self, availWidth, availHeight):
        parts = super().split(availWidth, availHeight)
        labels = self.continued_labels
        if len(parts) == 2 and labels:
            first, second = parts
            cut = len(first._cellvalues)  # the first row of the second part, in this table
            repeated = self.repeatRows if isinstance(self.repeatRows, int) else len(self.repeatRows)
            first.continued_labels = labels[:cut]
            second.continued_labels = labels[:repeated] + labels[cut:]
            label = labels[cut] if cut < len(labels) else ""
            if label:
                width = self._colWidths[0]
                second._cellvalues[repeated][0] = Lines([*label_lines(label, width), Line("（续）", align="centre")], overflow=True)
        return parts


def grid(widths: list[float], blocks: list[Block], *, head: list[Line] | None = None, pad: float = PAD_Y, top: bool = False, bottom: bool = False) -> GridTable:
    """The bands as one ruled table (column heads repeated on every page when `head`); `top`
    and `bottom` draw the form's outer frame above and below it."""
    rows: list[list] = []
    labels: list[str] = []
    commands: list[tuple] = [
        ("FONT", (0, 0), (-1, -1), SHEET_FONT, SIZE),  # never the unembedded default, even for an empty cell
        ("BOX", (0, 0), (-1, -1), RULE, "black"),
        ("LINEBEFORE", (0, 0), (0, -1), BOX, "black"),
        ("LINEAFTER", (-1, 0), (-1, -1), BOX, "black"),
        ("LEFTPADDING", (0, 0), (-1, -1), PAD_X),
        ("RIGHTPADDING", (0, 0), (-1, -1), PAD_X),
        ("TOPPADDING", (0, 0), (-1, -1), pad),
        ("BOTTOMPADDING", (0, 0), (-1, -1), pad),
    ]
    if top:
        commands.append(("LINEABOVE", (0, 0), (-1, 0), BOX, "black"))
    if bottom:
        commands.append(("LINEBELOW", (0, -1), (-1, -1), BOX, "black"))
    if len(widths) > 1:
        commands.append(("LINEAFTER", (0, 0), (-2, -1), RULE, "black"))
    if head:
        rows.append([Lines([line]) for line in head])
        labels.append("")
        commands.append(("VALIGN", (0, 0), (-1, 0), "MIDDLE"))
    for block in blocks:
        start = len(rows)
        height = max(len(cell) for cell in block.cells)
        if start:
            commands.append(("LINEABOVE", (0, start), (-1, start), RULE, "black"))
        if height <= LONG_BLOCK:
            rows.append([Lines(cell) for cell in block.cells])
            labels.append("")
            commands.append(("VALIGN", (0, start), (-1, start), block.valign))
            continue
        # One row per line; the rows of the band are drawn as one cell (no rule, no padding).
        for index in range(height):
            rows.append([Lines(cell[index : index + 1]) for cell in block.cells])
            labels.append(block.label if index else "")
        end = len(rows) - 1
        commands += [
            ("VALIGN", (0, start), (-1, end), "TOP"),
            ("TOPPADDING", (0, start + 1), (-1, end), 0),
            ("BOTTOMPADDING", (0, start), (-1, end - 1), 0),
            ("NOSPLIT", (0, start), (-1, start + KEEP_LINES - 1)),
            ("NOSPLIT", (0, end - KEEP_LINES + 1), (-1, end)),
        ]
    table = GridTable(rows, colWidths=widths, repeatRows=1 if head else 0, longTableOptimize=0, hAlign="CENTER")
    table.setStyle(TableStyle(commands))
    table.continued_labels = labels
    return table


def field_row(pairs: list[tuple[str, str, float]], *, always: tuple[str, ...] = ("姓名",), top: bool = False) -> GridTable | None:
    """One row of the particulars: (label, value, share of the width) pairs; an empty value
    drops its pair (its width going to the others), unless its label is in `always`."""
    shown = [(label, value, share) for label, value, share in pairs if value or label in always]
    if not shown:
        return None
    label_widths = [LABEL_WIDTH if i == 0 else field_label_width(label) for i, (label, _, _) in enumerate(shown)]
    room = WIDTH - sum(label_widths)
    total = sum(share for _, _, share in shown)
    widths, cells = [], []
    for (label, value, share), label_width in zip(shown, label_widths, strict=True):
        value_width = room * share / total
        widths += [label_width, value_width]
        cells += [label_lines(label, label_width), lines(value, value_width)]
    return grid(widths, [Block(cells)], pad=PAD_Y + 2, top=top)


def field_label_width(label: str) -> float:
    return max(1.2 * cm, stringWidth(label, SHEET_FONT, SIZE) + 2 * PAD_X + 6)


# --- the parts of the form ----------------------------------------------------------------


def particulars(sheet: DeterminationSheet) -> list[Table]:
    rows = [
        field_row([("姓名", sheet.name, 2.2), ("性别", sheet.gender, 1), ("民族", sheet.ethnicity, 1.4), ("身份证号", sheet.id_number, 4.2)], top=True),
        field_row([("单位", sheet.unit, 4.4), ("职务", sheet.position, 2.6), ("职级", sheet.rank, 1.4)], always=()),
    ]
    return [row for row in rows if row is not None]


def item_block(item: SheetItem) -> Block:
    label_w, current_w, recorded_w, determined_w, basis_w = ITEM_WIDTHS
    hang = SIZE  # continuation lines of a record, a period or a basis indented one character
    recorded = [line for record in item.recorded for line in lines(record_text(record), recorded_w, hang=hang)]
    if item.problem:
        recorded += lines(f"审核发现：{item.problem}", recorded_w, size=NOTE_SIZE, leading=NOTE_LEADING, hang=NOTE_SIZE)
    return Block(
        cells=[
            label_lines(item.label, label_w),
            lines(item.current, current_w),
            recorded,
            [line for value in item.determined for line in lines(value, determined_w, hang=hang)],
            [line for basis in item.basis for line in lines(basis, basis_w, hang=hang)],
        ],
        label=item.label,
    )


def items_table(sheet: DeterminationSheet) -> GridTable:
    head = [Line(text, SHEET_FONT_BOLD, align="centre") for text in ITEM_HEADS]
    return grid(ITEM_WIDTHS, [item_block(item) for item in sheet.items], head=head)


def reviewer_text(role: str, name: str, day: str) -> str:
    day = day_text(day)
    return f"{role}：{name or '　' * 4}" + (f"（{day}）" if day else "")


def opinions_table(sheet: DeterminationSheet) -> GridTable:
    """审核组意见, 组织部门审核意见 (room for the seal), 本人确认 and 认定日期."""
    content = WIDTH - LABEL_WIDTH
    right = 2 * SIZE  # signatures and dates end two characters short of the right rule

    def text(value: str, blank: int) -> list[Line]:
        return lines(value, content) if value.strip() else blank_lines(blank)

    def signed(value: str) -> Line:
        return Line(value, align="right", leading=SIGN_LEADING, indent=right)

    reviewers = (
        f"{reviewer_text('初审人', sheet.initial_reviewer, sheet.initial_reviewed_at)}　　{reviewer_text('复审人', sheet.re_reviewer, sheet.re_reviewed_at)}"
    )
    audit = [*text(sheet.audit_opinion, 2), *lines(reviewers, content), signed("审核人（签字）：" + "　" * 8)]
    # The seal line centred over the date, both ending short of the right rule (落款).
    seal = f"{sheet.issuing_unit}（盖章）" if sheet.issuing_unit else "（盖章）"
    date = chinese_date(sheet.organization_opinion_on)
    seal_width, date_width = stringWidth(seal, SHEET_FONT, SIZE), stringWidth(date, SHEET_FONT, SIZE)
    widest = max(seal_width, date_width)
    organization = [
        *text(sheet.organization_opinion, 1),
        Line(seal, align="right", leading=SIGN_LEADING, indent=right + (widest - seal_width) / 2),
        Line(date, align="right", indent=right + (widest - date_width) / 2),
    ]
    own = [Line("本人意见：", leading=SIGN_LEADING), *blank_lines(1), signed("签字：" + "　" * 8 + BLANK_DATE)]
    blocks = [
        Block([label_lines("审核组意见", LABEL_WIDTH), audit], label="审核组意见"),
        Block([label_lines("组织部门审核意见", LABEL_WIDTH), organization], label="组织部门审核意见"),
        Block([label_lines("本人确认", LABEL_WIDTH), own], label="本人确认"),
        Block([label_lines("认定日期", LABEL_WIDTH), [Line(chinese_date(sheet.determined_on, ""))]]),
    ]
    return grid([LABEL_WIDTH, content], blocks, bottom=True)


class Title(Flowable):
    """The form's title, centred, with the sheet's name and index recorded for the page furniture."""

    def __init__(self, sheet: DeterminationSheet, index: int, progress: Callable[[], None] | None = None):
        super().__init__()
        self.sheet_name = sheet.name
        self.index = index
        self.progress = progress

    def wrap(self, availWidth, availHeight):
        self.width = availWidth
        self.height = TITLE_SIZE * 1.7
        return self.width, self.height

    def draw(self):
        self.canv.sheet_mark = (self.index, self.sheet_name)
        self.canv.setFont(SHEET_FONT_BOLD, TITLE_SIZE)
        self.canv.drawCentredString(self.width / 2, TITLE_SIZE * 0.55, SHEET_TITLE)
        if self.progress:
            self.progress()


def footnote() -> Lines:
    return Lines([Line(FOOTNOTE, size=FOOT_SIZE, leading=FOOT_SIZE * 1.6)])


def sheet_flowables(sheet: DeterminationSheet, index: int = 0, progress: Callable[[], None] | None = None) -> list:
    """The story of one form: title, particulars, items, and the opinions kept together."""
    register_fonts()  # the cells are measured as they are built
    return [
        Title(sheet, index, progress),
        *particulars(sheet),
        items_table(sheet),
        KeepTogether([opinions_table(sheet), Spacer(1, 2), footnote()]),
    ]


# --- pages ----------------------------------------------------------------------------------


class SheetCanvas(pdfcanvas.Canvas):
    """Keeps the pages until the end, then marks every page of a form that runs over one page:
    the cadre's name at the head of the continuation pages, "第x页 共y页" at the foot."""

    def __init__(self, *args, **kwargs):
        register_fonts()
        kwargs["initialFontName"] = kwargs.get("initialFontName") or SHEET_FONT
        super().__init__(*args, **kwargs)
        self.sheet_mark = (0, "")
        self._pages: list[dict] = []

    def showPage(self):
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        counts: dict[int, int] = {}
        for state in self._pages:
            counts[state["sheet_mark"][0]] = counts.get(state["sheet_mark"][0], 0) + 1
        seen: dict[int, int] = {}
        for state in self._pages:
            self.__dict__.update(state)
            index, name = state["sheet_mark"]
            seen[index] = seen.get(index, 0) + 1
            if counts[index] > 1:
                self._mark(name, seen[index], counts[index])
            super().showPage()
        super().save()

    def _mark(self, name: str, page: int, pages: int):
        self.saveState()
        self.setFont(SHEET_FONT, FOOT_SIZE + 1)
        if page > 1:
            top = A4[1] - TOP_MARGIN + 0.45 * cm
            # not the whole title again: a batch's titles count its forms
            self.drawString(LEFT_MARGIN, top, f"姓名：{name}")
            self.drawRightString(A4[0] - RIGHT_MARGIN, top, "认定表（续）")
        self.setFont(SHEET_FONT, FOOT_SIZE)
        self.drawCentredString(LEFT_MARGIN + WIDTH / 2, BOTTOM_MARGIN - 0.7 * cm, f"第{page}页　共{pages}页")
        self.restoreState()


def _document(buffer) -> BaseDocTemplate:
    """A4 with one frame of exactly the form's width (no frame padding: the grid is the frame)."""
    register_fonts()
    doc = BaseDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=LEFT_MARGIN,
        rightMargin=RIGHT_MARGIN,
        topMargin=TOP_MARGIN,
        bottomMargin=BOTTOM_MARGIN,
        title=SHEET_TITLE,
        author="干部人事档案专项审核管理系统",
    )
    frame = Frame(LEFT_MARGIN, BOTTOM_MARGIN, WIDTH, A4[1] - TOP_MARGIN - BOTTOM_MARGIN, leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
    doc.addPageTemplates([PageTemplate(id="sheet", frames=[frame])])
    return doc


def render_determination_sheets(sheets: list[DeterminationSheet], progress: Callable[[int, int], None] | None = None) -> bytes:
    """One or many 认定表 in one PDF, each starting on a new page."""
    buffer = io.BytesIO()
    doc = _document(buffer)
    story: list = []
    total = len(sheets)

    def reporter(done: int):
        if progress and done % 200 == 0 and done < total:
            return lambda: progress(done, total)
        return None

    for index, sheet in enumerate(sheets, 1):
        if story:
            story.append(PageBreak())
        story += sheet_flowables(sheet, index, reporter(index))
    if not story:
        story = [Lines([Line(SHEET_TITLE, SHEET_FONT_BOLD, TITLE_SIZE, TITLE_SIZE * 2, "centre"), Line("没有可生成的认定表。", align="centre")])]
    doc.build(story, canvasmaker=SheetCanvas)
    if progress:
        progress(total, total)
    return buffer.getvalue()
