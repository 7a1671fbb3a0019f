"""The campaign workbook (openpyxl, write-only): 问题登记表, statistics sheets, registers.

Takes the plain data of reports.data and makes no queries. Text that a spreadsheet could
read as a formula (=, +, -, @, or a leading tab/CR) is written as a string cell with the
quote-prefix style, so it is shown, never evaluated, in Excel and LibreOffice alike.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import IO

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from .data import CampaignStatistics, DiscrepancyRow, Sheet, WorkbookData, share

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n")
PERCENT_FORMAT = "0.0%"

DISCREPANCY_HEADERS = [
    ("序号", 6),
    ("姓名", 10),
    ("身份证号", 21),
    ("单位", 28),
    ("职务", 16),
    ("职级", 8),
    ("问题类别", 10),
    ("比对规则", 20),
    ("问题描述", 50),
    ("来源", 10),
    ("状态", 8),
    ("现有信息", 16),
    ("档案记载", 30),
    ("认定值", 16),
    ("原因", 12),
    ("纠正措施", 30),
    ("初审人", 10),
    ("复审人", 10),
    ("登记时间", 17),
]


class _SheetWriter:
    """One write-only sheet: header first (frozen, filtered), then rows."""

    def __init__(self, wb: Workbook, title: str, headers: list[str], widths: Iterable[int] | None = None):
        self.ws = wb.create_sheet(title=title)
        self.columns = len(headers)
        widths = list(widths or [])
        for index, header in enumerate(headers, 1):
            width = widths[index - 1] if index - 1 < len(widths) else max(10, 2 * len(header) + 2)
            self.ws.column_dimensions[get_column_letter(index)].width = width
        self.ws.freeze_panes = "A2"
        self.rows = 0
        bold = Font(bold=True)
        fill = PatternFill("solid", fgColor="DDDDDD")
        cells = []
        for header in headers:
            cell = WriteOnlyCell(self.ws, value=header)
            cell.font = bold
            cell.fill = fill
            cell.alignment = Alignment(horizontal="center", vertical="center")
            cells.append(cell)
        self.ws.append(cells)

    def append(self, values: Iterable) -> None:
        self.ws.append([self.cell(v) for v in values])
        self.rows += 1

    def cell(self, value):
        if isinstance(value, Decimal):
            cell = WriteOnlyCell(self.ws, value=float(value) / 100)
            cell.number_format = PERCENT_FORMAT
            return cell
        if value is None or isinstance(value, (bool, int, float)):
            return value
        value = str(value)  # lazy translations and other objects are written as their text
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
        if value.startswith(FORMULA_PREFIXES):
            return safe_text_cell(self.ws, value)
        return value

    def close(self) -> None:
        last = get_column_letter(self.columns)
        self.ws.auto_filter.ref = f"A1:{last}{self.rows + 1}"


def safe_text_cell(ws, value: str) -> WriteOnlyCell:
    """A cell that always holds `value` as text, never as a formula."""
    cell = WriteOnlyCell(ws, value=value)
    cell.data_type = "s"  # openpyxl set "f" for a leading "="
    cell.quotePrefix = True
    return cell


def _write(wb: Workbook, title: str, headers: list[str], rows: Iterable[Iterable], widths=None) -> None:
    sheet = _SheetWriter(wb, title, headers, widths)
    for row in rows:
        sheet.append(row)
    sheet.close()


def _discrepancy_values(index: int, r: DiscrepancyRow) -> list:
    return [
        index,
        r.name,
        r.id_number,
        r.unit,
        r.position,
        r.rank,
        r.category,
        r.rule,
        r.description,
        r.source,
        r.state,
        r.current_value,
        r.recorded_values,
        r.determined_value,
        r.cause,
        r.correction_measure,
        r.initial_reviewer,
        r.re_reviewer,
        r.registered_at,
    ]


def overview_rows(stats: CampaignStatistics) -> list[tuple]:
    total = stats.total_cases
    return [
        ("批次", stats.campaign_name),
        ("数据截至", timezone.localtime(stats.generated_at).strftime("%Y-%m-%d %H:%M")),
        ("统计口径", "初稿：尚有案卷未审结或系统比对疑点待核实" if stats.is_draft else "定稿：全部案卷已审结，疑点均已核实"),
        ("审核档案（卷）", total),
        ("已审结（卷，科长把关通过）", stats.reviewed_cases),
        ("未审结（卷）", stats.unfinished_cases),
        ("档案记载与现有信息完全一致（人）", stats.consistent_cadres),
        ("完全一致占总数", share(stats.consistent_cadres, total)),
        ("存在问题（人）", stats.inconsistent_cadres),
        ("登记问题（条，不含已排除、已撤销）", stats.discrepancies),
        ("已整改（条）", stats.resolved),
        ("待整改（条）", stats.open),
        ("系统比对疑点待核实（条，不计入以上数字）", stats.pending_findings),
        ("拟认定待审核审批（条）", stats.determinations_waiting),
    ]


def category_rows(stats: CampaignStatistics) -> list[tuple]:
    total = stats.total_cases
    rows = [
        (c.label, c.cadres, share(c.cadres, total), c.discrepancies, c.corrected, c.determined, c.open, c.cadres_resolved, c.pending) for c in stats.categories
    ]
    party = stats.category("party")
    rows.append(("其中：党龄记载不一致", party.cadres_inconsistent, share(party.cadres_inconsistent, total), "", "", "", "", "", ""))
    rows.append(("其中：缺入党申请书", party.cadres_missing_application, share(party.cadres_missing_application, total), "", "", "", "", "", ""))
    return rows


def write_workbook(data: WorkbookData, out: IO[bytes] | str) -> None:
    """Write the whole workbook to a path or a binary file object."""
    stats = data.statistics
    wb = Workbook(write_only=True)

    sheet = _SheetWriter(wb, "问题登记表", [h for h, _ in DISCREPANCY_HEADERS], [w for _, w in DISCREPANCY_HEADERS])
    for index, row in enumerate(data.discrepancies, 1):
        sheet.append(_discrepancy_values(index, row))
    sheet.close()

    _write(wb, "总体情况", ["项目", "数值"], overview_rows(stats), [36, 24])
    _write(
        wb,
        "按类别统计",
        ["问题类别", "人数", "占总数", "问题条数", "已纠正", "已认定", "待整改", "已全部整改（人）", "待核实疑点（条，不计入）"],
        category_rows(stats),
        [22, 8, 10, 10, 8, 8, 8, 16, 22],
    )
    group_headers = ["审核档案（卷）", "存在问题（人）", "问题条数", "待整改（条）"]
    _write(
        wb,
        "按单位统计",
        ["单位", *group_headers],
        ((r.label, r.cases, r.cadres_with_discrepancies, r.discrepancies, r.open_discrepancies) for r in stats.by_unit),
        [36, 14, 14, 10, 12],
    )
    _write(
        wb,
        "按职级统计",
        ["职级", *group_headers],
        ((r.label, r.cases, r.cadres_with_discrepancies, r.discrepancies, r.open_discrepancies) for r in stats.by_rank),
        [12, 14, 14, 10, 12],
    )
    _write(
        wb,
        "审核进度",
        ["类型", "环节或状态", "数量", "计入报告"],
        [("案卷环节", r.label, r.count, "") for r in stats.stages] + [("问题状态", r.label, r.count, "是" if r.counted else "否") for r in stats.states],
        [10, 14, 10, 10],
    )
    _write(
        wb,
        "审核人员工作量",
        ["审核人员", "初审分配", "初审完成", "复审分配", "复审完成", "登记问题（条）"],
        ((a.name, a.initial_assigned, a.initial_done, a.re_assigned, a.re_done, a.registered) for a in stats.auditors),
        [14, 10, 10, 10, 10, 14],
    )
    for register in data.registers:
        _write_sheet(wb, register)
    _write(
        wb,
        "待核实疑点",
        [h for h, _ in DISCREPANCY_HEADERS],
        (_discrepancy_values(i, r) for i, r in enumerate(data.pending, 1)),
        [w for _, w in DISCREPANCY_HEADERS],
    )
    _write(
        wb,
        "已排除问题",
        [*(h for h, _ in DISCREPANCY_HEADERS), "排除理由"],
        ([*_discrepancy_values(i, r), r.dismissed_reason] for i, r in enumerate(data.set_aside, 1)),
        [*(w for _, w in DISCREPANCY_HEADERS), 40],
    )
    wb.save(out)


def _write_sheet(wb: Workbook, sheet: Sheet) -> None:
    _write(wb, sheet.title, sheet.headers, sheet.rows, sheet.widths)


SHEET_TITLE_FORBIDDEN = str.maketrans({c: "_" for c in "[]:*?/\\"})


def write_table(out: IO[bytes] | str, *, title: str, headers: list[str], rows: Iterable[Iterable], widths: Iterable[int] | None = None) -> None:
    """A workbook of one sheet: a list exported as it is filtered (cases, cadres, a register).
    Same writer as the campaign workbook: bold frozen header, filter, formula-looking text kept
    as text."""
    wb = Workbook(write_only=True)
    _write(wb, (title.translate(SHEET_TITLE_FORBIDDEN) or "Sheet")[:31], headers, rows, widths)
    wb.save(out)
