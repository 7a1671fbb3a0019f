"""The 认定表 (干部人事档案专项审核认定表) as PDF: one A4 form per cadre.

Renders reports.data.DeterminationSheet and makes no queries.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.units import cm
from reportlab.platypus import KeepTogether, PageBreak, Paragraph, Spacer, Table, TableStyle

from .data import DeterminationSheet
from .pdf import CELL_MAX_LINES, ChineseCanvas, _document, _p, _page_number_only, styles

# --- 认定表 ------------------------------------------------------------------------------

SHEET_TITLE = "干部人事档案专项审核认定表"


def _cell_lines(lines: list[str], empty: str = "—") -> str:
    if not lines:
        return empty
    shown = [line[:200] for line in lines[:CELL_MAX_LINES]]
    if len(lines) > CELL_MAX_LINES:
        shown.append(f"……另有{len(lines) - CELL_MAX_LINES}项")
    return "\n".join(shown)


def sheet_flowables(sheet: DeterminationSheet) -> list:
    s = styles()

    def c(text, style="cell"):
        return Paragraph(escape(str(text or "")).replace("\n", "<br/>"), s[style])

    def h(text):
        return c(text, "cell_head")

    header = Table(
        [
            [h("姓名"), c(sheet.name), h("性别"), c(sheet.gender), h("民族"), c(sheet.ethnicity)],
            [h("身份证号"), c(sheet.id_number), "", "", h("职级"), c(sheet.rank)],
            [h("单位"), c(sheet.unit), "", "", h("职务"), c(sheet.position)],
        ],
        colWidths=[2.2 * cm, 4.2 * cm, 1.8 * cm, 2.6 * cm, 1.8 * cm, 4 * cm],
    )
    header.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                ("SPAN", (1, 1), (3, 1)),
                ("SPAN", (1, 2), (3, 2)),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#eeeeee")),
                ("BACKGROUND", (2, 0), (2, 0), colors.HexColor("#eeeeee")),
                ("BACKGROUND", (4, 0), (4, -1), colors.HexColor("#eeeeee")),
            ]
        )
    )
    rows = [[h("审核项目"), h("现有信息"), h("档案记载（材料及记载值）"), h("认定值"), h("存在问题")]]
    for item in sheet.items:
        rows.append([h(item.label), c(item.current or "—"), c(_cell_lines(item.recorded)), c(item.determined or "—"), c(_cell_lines(item.problems, "无"))])
    body = Table(rows, colWidths=[2.6 * cm, 3 * cm, 5.2 * cm, 2.6 * cm, 3.2 * cm], repeatRows=1)
    body.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
            ]
        )
    )
    reviews = Table(
        [
            [h("初审人"), c(sheet.initial_reviewer or "—"), h("初审日期"), c(sheet.initial_reviewed_at or "—")],
            [h("复审人"), c(sheet.re_reviewer or "—"), h("复审日期"), c(sheet.re_reviewed_at or "—")],
        ],
        colWidths=[2.2 * cm, 6.1 * cm, 2.2 * cm, 6.1 * cm],
    )
    reviews.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black), ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
    return [
        _p(SHEET_TITLE, "title"),
        _p(f"批次：{sheet.campaign_name}", "note"),
        Spacer(1, 4),
        header,
        Spacer(1, 6),
        body,
        Spacer(1, 6),
        KeepTogether([reviews]),
    ]


def render_determination_sheets(sheets: list[DeterminationSheet], progress: Callable[[int, int], None] | None = None) -> bytes:
    """One or many 认定表 in one PDF, each starting on a new page."""
    buffer = io.BytesIO()
    doc = _document(buffer, SHEET_TITLE)
    story: list = []
    total = len(sheets)
    for index, sheet in enumerate(sheets, 1):
        if story:
            story.append(PageBreak())
        story += sheet_flowables(sheet)
        if progress and (index % 200 == 0 or index == total):
            progress(index, total)
    if not story:
        story = [_p(SHEET_TITLE, "title"), _p("本批次没有案卷。")]
    doc.build(story, onFirstPage=_page_number_only, onLaterPages=_page_number_only, canvasmaker=ChineseCanvas)
    return buffer.getvalue()
