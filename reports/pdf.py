"""PDF renderers (reportlab): the summary report and the 认定表.

They take the plain data of reports.data and make no queries. The Chinese font (Kurinto
Sans SC, OFL) is embedded, so the PDF reads the same on a machine with no Chinese fonts.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape

from django.utils import timezone
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas as pdfcanvas
from reportlab.platypus import KeepTogether, PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from audits.models import CaseState

from .data import CampaignStatistics, CategoryStats, DeterminationSheet, SummaryReport, share_text
from .narrative import paragraphs

FONT = "KurintoSansSC"
FONT_BOLD = "KurintoSansSC-Bold"
TABLE_CHUNK_ROWS = 40  # long tables are split into page-sized tables (STACK.md)
CELL_MAX_LINES = 15  # a 认定表 cell never grows past a page


def font_directory() -> Path:
    """The Kurinto .ttf files inside the installed weblate-fonts package (not an app)."""
    import weblate_fonts

    base = Path(weblate_fonts.__file__).resolve().parent
    candidates = sorted(base.rglob("KurintoSansSC-Rg.ttf"))
    if not candidates:
        raise RuntimeError("weblate-fonts is installed without KurintoSansSC-Rg.ttf")
    return candidates[0].parent


@cache
def register_fonts() -> None:
    directory = font_directory()
    pdfmetrics.registerFont(TTFont(FONT, str(directory / "KurintoSansSC-Rg.ttf")))
    pdfmetrics.registerFont(TTFont(FONT_BOLD, str(directory / "KurintoSansSC-Bd.ttf")))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD, italic=FONT, boldItalic=FONT_BOLD)


@cache
def styles() -> dict[str, ParagraphStyle]:
    register_fonts()
    body = ParagraphStyle("body", fontName=FONT, fontSize=12, leading=21, wordWrap="CJK", alignment=TA_JUSTIFY, firstLineIndent=24)
    return {
        "title": ParagraphStyle("title", parent=body, fontName=FONT_BOLD, fontSize=18, leading=28, alignment=TA_CENTER, firstLineIndent=0, spaceAfter=14),
        "addressee": ParagraphStyle("addressee", parent=body, firstLineIndent=0),
        "body": body,
        "heading": ParagraphStyle("heading", parent=body, fontName=FONT_BOLD, spaceBefore=6),
        "sign": ParagraphStyle("sign", parent=body, alignment=TA_RIGHT, firstLineIndent=0),
        "caption": ParagraphStyle("caption", parent=body, fontName=FONT_BOLD, fontSize=11, alignment=TA_CENTER, firstLineIndent=0, spaceBefore=8, spaceAfter=4),
        "cell": ParagraphStyle("cell", fontName=FONT, fontSize=9, leading=12, wordWrap="CJK"),
        "cell_head": ParagraphStyle("cell_head", fontName=FONT_BOLD, fontSize=9, leading=12, wordWrap="CJK", alignment=TA_CENTER),
        "cell_num": ParagraphStyle("cell_num", fontName=FONT, fontSize=9, leading=12, wordWrap="CJK", alignment=TA_RIGHT),
        "note": ParagraphStyle("note", fontName=FONT, fontSize=9, leading=13, wordWrap="CJK"),
    }


def chinese_date(value: dt.date) -> str:
    return f"{value.year}年{value.month}月{value.day}日"


def _p(text: str, style: str = "body") -> Paragraph:
    return Paragraph(escape(str(text)).replace("\n", "<br/>"), styles()[style])


# --- page furniture ----------------------------------------------------------------------


class ChineseCanvas(pdfcanvas.Canvas):
    """A canvas whose initial font is the embedded one, so no unembedded Helvetica appears."""

    def __init__(self, *args, **kwargs):
        register_fonts()
        kwargs["initialFontName"] = kwargs.get("initialFontName") or FONT
        super().__init__(*args, **kwargs)


class NumberedCanvas(ChineseCanvas):
    """Prints "第 x 页 共 y 页" at the foot of every page (pages are kept until the end)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._saved_pages = []

    def showPage(self):
        self._saved_pages.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        total = len(self._saved_pages)
        for state in self._saved_pages:
            self.__dict__.update(state)
            self.setFont(FONT, 9)
            self.drawCentredString(A4[0] / 2, 1.2 * cm, f"第 {self._pageNumber} 页 共 {total} 页")
            super().showPage()
        super().save()


def _page_number_only(canvas, doc):
    canvas.saveState()
    canvas.setFont(FONT, 9)
    canvas.drawCentredString(A4[0] / 2, 1.2 * cm, f"第 {doc.page} 页")
    canvas.restoreState()


def _document(buffer, title: str) -> SimpleDocTemplate:
    register_fonts()
    return SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=2.2 * cm,
        rightMargin=2.2 * cm,
        topMargin=2.2 * cm,
        bottomMargin=2.2 * cm,
        title=title,
        author="干部人事档案专项审核管理系统",
    )


TABLE_STYLE = TableStyle(
    [
        ("FONT", (0, 0), (-1, -1), FONT, 9),
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
        ("ALIGN", (1, 1), (-1, -1), "RIGHT"),
    ]
)


def chunked_tables(headers: list[str], rows: list[list], widths: list[float], chunk: int = TABLE_CHUNK_ROWS) -> list[Table]:
    """A long table as page-sized Tables, each with the header row again."""
    s = styles()
    head = [Paragraph(escape(h), s["cell_head"]) for h in headers]
    body = [[Paragraph(escape(v), s["cell"] if i == 0 else s["cell_num"]) if isinstance(v, str) else v for i, v in enumerate(row)] for row in rows] or [
        [Paragraph("（无）", s["cell"])] + [""] * (len(headers) - 1)
    ]
    tables = []
    for start in range(0, len(body), chunk):
        table = Table([head, *body[start : start + chunk]], colWidths=widths, repeatRows=1)
        table.setStyle(TABLE_STYLE)
        tables.append(table)
    return tables


# --- the summary report ------------------------------------------------------------------

CATEGORY_SENTENCES = {
    "age": "（一）年龄方面：出生日期与档案最早记载不一致、材料存在涂改或与身份证号码不符的{n}人，占总数的{share}。",
    "work": "（二）工龄方面：参加工作时间与档案最早记载不一致或存在疑点的{n}人，占总数的{share}。",
    "education": "（四）学历学位方面：学历学位信息缺少认证材料或与档案记载不符、需要纠正的{n}人，占总数的{share}。",
    "experience": "（五）经历方面：部分时段经历缺少证明材料或存在断档、重叠的{n}人，占总数的{share}。",
}
PARTY_SENTENCE = (
    "（三）党龄方面：入党时间在档案材料中记载前后不一致等、需按入党志愿书所载支部大会通过时间规范记载的{a}人，"
    "入党申请书缺失、需要补充的{b}人，合计{n}人（兼有两类问题的只计一次），占总数的{share}。"
)


def resolution_sentence(c: CategoryStats) -> str:
    if not c.cadres:
        return "本次审核未发现此类问题。"
    text = f"共登记此类问题{c.discrepancies}条，已纠正{c.corrected}条、已认定{c.determined}条"
    if c.open:
        return text + f"，尚在整改{c.open}条、涉及{c.cadres_open}人，正在跟踪推进。"
    return text + "，目前已全部整改到位。"


def category_paragraph(c: CategoryStats, total: int) -> str:
    share = share_text(c.cadres, total)
    if c.code == "party":
        head = PARTY_SENTENCE.format(a=c.cadres_inconsistent, b=c.cadres_missing_application, n=c.cadres, share=share)
    else:
        head = CATEGORY_SENTENCES[c.code].format(n=c.cadres, share=share)
    return head + resolution_sentence(c)


def progress_sentence(stats: CampaignStatistics) -> str:
    on = chinese_date(timezone.localtime(stats.generated_at).date())
    closed = stats.stage(CaseState.CLOSED)
    if stats.total_cases and closed == stats.total_cases:
        return f"截至{on}，专项审核工作已全部完成。"
    rectifying = stats.stage(CaseState.RECTIFICATION)
    in_review = [(row.label, row.count) for row in stats.stages if row.code not in (CaseState.RECTIFICATION, CaseState.CLOSED) and row.count]
    text = f"截至{on}，已办结{closed}卷，处于整改阶段{rectifying}卷"
    if in_review:
        text += f"，尚在审核环节{sum(n for _, n in in_review)}卷（" + "、".join(f"{label}{n}卷" for label, n in in_review) + "）"
    return text + "。"


def overview_paragraph(stats: CampaignStatistics) -> str:
    total = stats.total_cases
    ranks = "，".join(f"{row.label}{row.cases}人" for row in stats.by_rank if row.cases)
    text = f"本次专项审核干部人事档案{total}卷" + (f"，其中{ranks}" if ranks else "") + "。"
    text += progress_sentence(stats)
    text += (
        f"审核的{total}卷档案中，档案记载与现有干部信息完全一致的{stats.consistent_cadres}名，占总数的{share_text(stats.consistent_cadres, total)}；"
        f"其余{stats.inconsistent_cadres}名干部的档案与现有信息存在不同程度的差异，按问题类别归纳为五个方面（同一干部可能涉及多个方面）。"
    )
    return text


def summary_flowables(report: SummaryReport) -> list:
    stats, text = report.statistics, report.narrative
    total = stats.total_cases
    story = [
        _p(text.title, "title"),
        _p(f"{text.addressee}：", "addressee"),
        *[_p(par) for par in paragraphs(text.opening)],
        _p("一、专项审核情况", "heading"),
        _p(overview_paragraph(stats)),
        *[_p(category_paragraph(c, total)) for c in stats.categories],
        _p("二、主要做法", "heading"),
        *[_p(par) for par in paragraphs(text.practices)],
        _p("三、存在问题和今后打算", "heading"),
        *[_p(par) for par in paragraphs(text.problems)],
        Spacer(1, 24),
        _p(text.issuing_unit, "sign"),
        _p(chinese_date(text.report_date), "sign"),
        PageBreak(),
    ]
    story += appendix_flowables(stats)
    return story


def appendix_flowables(stats: CampaignStatistics) -> list:
    total = stats.total_cases
    s = styles()
    story = [_p("附表：专项审核统计表", "title")]
    story.append(
        _p(f"批次：{stats.campaign_name}；数据截至{timezone.localtime(stats.generated_at):%Y-%m-%d %H:%M}；问题条数不含已排除、已撤销的问题。", "note")
    )

    story.append(_p("表1 审核总体情况", "caption"))
    story += chunked_tables(
        ["项目", "数值"],
        [
            ["审核档案（卷）", total],
            ["档案记载与现有信息完全一致（人）", stats.consistent_cadres],
            ["完全一致占总数", share_text(stats.consistent_cadres, total)],
            ["存在问题（人）", stats.inconsistent_cadres],
            ["登记问题（条）", stats.discrepancies],
            ["已整改（条）", stats.resolved],
            ["待整改（条）", stats.open],
        ],
        [9 * cm, 4 * cm],
    )
    story.append(_p("表2 按问题类别（同一干部在同一类别只计一次）", "caption"))
    rows = [[c.label, c.cadres, share_text(c.cadres, total), c.discrepancies, c.corrected, c.determined, c.open] for c in stats.categories]
    party = stats.category("party")
    rows.append(["  其中：党龄记载不一致", party.cadres_inconsistent, share_text(party.cadres_inconsistent, total), "", "", "", ""])
    rows.append(["  其中：缺入党申请书", party.cadres_missing_application, share_text(party.cadres_missing_application, total), "", "", "", ""])
    story += chunked_tables(
        ["问题类别", "人数", "占总数", "问题条数", "已纠正", "已认定", "待整改"], rows, [3.6 * cm, 1.8 * cm, 2 * cm, 2 * cm, 2 * cm, 2 * cm, 2.2 * cm]
    )

    story.append(_p("表3 按职级", "caption"))
    story += chunked_tables(
        ["职级", "审核档案（卷）", "存在问题（人）", "问题条数", "待整改（条）"],
        [[r.label, r.cases, r.cadres_with_discrepancies, r.discrepancies, r.open_discrepancies] for r in stats.by_rank],
        [3.6 * cm, 3.2 * cm, 3.2 * cm, 3 * cm, 2.6 * cm],
    )
    story.append(_p("表4 审核进度（按环节）", "caption"))
    story += chunked_tables(["环节", "案卷数"], [[r.label, r.count] for r in stats.stages], [8 * cm, 4 * cm])
    story.append(_p("表5 按单位", "caption"))
    story += chunked_tables(
        ["单位", "审核档案（卷）", "存在问题（人）", "问题条数", "待整改（条）"],
        [[Paragraph(escape(r.label), s["cell"]), r.cases, r.cadres_with_discrepancies, r.discrepancies, r.open_discrepancies] for r in stats.by_unit],
        [6.2 * cm, 2.4 * cm, 2.4 * cm, 2.2 * cm, 2.4 * cm],
    )
    return story


def render_summary_report(report: SummaryReport) -> bytes:
    """The summary report as A4 PDF bytes."""
    buffer = io.BytesIO()
    doc = _document(buffer, report.narrative.title)
    doc.build(summary_flowables(report), canvasmaker=NumberedCanvas)
    return buffer.getvalue()
