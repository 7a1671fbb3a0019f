"""PDF renderers (reportlab): the summary report as a 公文 (GB/T 9704-2012), and the shared
page furniture of the 认定表 (reports.sheet_pdf).

They take the plain data of reports.data and make no queries. Every face is embedded, so the
PDF reads the same on a machine with no Chinese fonts. The report's faces are settings
(reports.fonts); the 认定表 keeps the bundled Kurinto Sans SC of the first section.
"""

from __future__ import annotations

import copy
import datetime as dt
import io
import math
import re
from dataclasses import dataclass
from functools import cache
from itertools import groupby
from pathlib import Path
from xml.sax.saxutils import escape  # nosec B406  # escape() only quotes our text for reportlab markup: nothing is parsed

from django.utils import timezone
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm, mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas as pdfcanvas
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    KeepTogether,
    PageBreak,
    PageTemplate,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from audits.models import CaseState

from . import fonts
from .data import CampaignStatistics, CategoryStats, SummaryReport, share_text
from .narrative import category_resolution, paragraphs

# --- shared with the 认定表 (reports.sheet_pdf) ----------------------------------------------

FONT = "KurintoSansSC"
FONT_BOLD = "KurintoSansSC-Bold"
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


def _p(text: str, style: str = "body") -> Paragraph:
    return Paragraph(escape(str(text)).replace("\n", "<br/>"), styles()[style])


class ChineseCanvas(pdfcanvas.Canvas):
    """A canvas whose initial font is the embedded one, so no unembedded Helvetica appears."""

    def __init__(self, *args, **kwargs):
        register_fonts()
        kwargs["initialFontName"] = kwargs.get("initialFontName") or FONT
        super().__init__(*args, **kwargs)


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


# --- 公文 typesetting (GB/T 9704-2012) ------------------------------------------------------

PAGE_WIDTH, PAGE_HEIGHT = A4
TOP_MARGIN = 37 * mm  # 天头
LEFT_MARGIN = 28 * mm  # 订口
TEXT_WIDTH = 156 * mm  # 版心
TEXT_HEIGHT = 225 * mm
BOTTOM_MARGIN = PAGE_HEIGHT - TOP_MARGIN - TEXT_HEIGHT
TITLE_SIZE = 22  # 二号
BODY_SIZE = 16  # 三号
PAGE_NUMBER_SIZE = 14  # 四号
TABLE_SIZE = 10.5  # 五号
LINES_PER_PAGE = 22
CHARS_PER_LINE = 28
LEADING = math.floor(TEXT_HEIGHT / LINES_PER_PAGE * 100) / 100  # 22 lines fill the 版心
PITCH = TEXT_WIDTH / CHARS_PER_LINE  # 28 characters a line, as the 文档网格 of Word sets them
TITLE_LEADING = 34
MAX_SQUEEZE = -1.2  # how much a line may tighten (pt between characters) to keep 。 off the next line
TABLE_CHUNK_ROWS = 24  # long tables are split into page-sized tables (STACK.md)

# 禁则: what never starts a line, what never ends one, what is never cut (numbers, Latin words).
NO_LINE_START = set("，。、：；？！）》」』”’〕】〉…%‰·,.;:?!)]}")
NO_LINE_END = set("（《「『“‘〔【〈([{")
UNBREAKABLE = set("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.%‰/:-+")


@dataclass(frozen=True)
class _Glyph:
    char: str
    font: str
    width: float


@dataclass(frozen=True)
class _Line:
    glyphs: tuple[_Glyph, ...]
    x: float
    char_space: float


class GongwenText(Flowable):
    """A paragraph set the way a 公文 is: on the 28 × 22 grid at 三号, justified, first line
    indented two characters, with Chinese line-breaking rules, each run in its role's face.

    runs are (font role, text) pairs (reports.fonts); a character the role's face lacks is
    drawn with another face that has it. "\\n" breaks the line.
    """

    def __init__(self, runs, *, size=BODY_SIZE, leading=LEADING, align="justify", first_indent=2, right_indent=0.0, keep_with_next=False):
        super().__init__()
        self.size = size
        self.leading = leading
        self.align = align
        self.first_indent = first_indent
        self.right_indent = right_indent
        self.keepWithNext = keep_with_next
        self.grid_space = PITCH - BODY_SIZE if size == BODY_SIZE else 0.0
        self.glyphs = [_Glyph(char, font, stringWidth(char, font, size)) for role, text in runs for char in text for font in [fonts.face_for(role, char)]]
        self.lines: list[_Line] | None = None
        self.laid_out_for: float | None = None

    def natural_width(self) -> float:
        drawn = [g for g in self.glyphs if g.char != "\n"]
        return sum(g.width for g in drawn) + self.grid_space * max(len(drawn) - 1, 0)

    # layout

    def wrap(self, availWidth, availHeight):
        if self.laid_out_for != availWidth:
            self.lines = self._lay_out(availWidth)
            self.laid_out_for = availWidth
        self.width = availWidth
        self.height = len(self.lines) * self.leading
        return self.width, self.height

    def split(self, availWidth, availHeight):
        self.wrap(availWidth, availHeight)
        fit = int((availHeight + 1e-6) // self.leading)
        total = len(self.lines)
        if fit >= total:
            return [self]
        if total - fit == 1 and fit > 2:
            fit -= 1  # no last line alone at the top of a page
        if fit < 2:
            return []  # no first line alone at the foot of a page
        return [self._part(self.lines[:fit]), self._part(self.lines[fit:])]

    def _part(self, lines):
        part = copy.copy(self)
        part.lines = lines
        part.keepWithNext = False
        return part

    def _lay_out(self, width: float) -> list[_Line]:
        glyphs, lines, start = self.glyphs, [], 0
        count = len(glyphs)
        while start < count:
            indent = self.first_indent * (self.size + self.grid_space) if not lines else 0.0
            available = width - indent - self.right_indent
            end, hard = self._line_end(start, available)
            drawn = tuple(glyphs[start:end])
            natural = sum(g.width for g in drawn)
            last = hard or end >= count
            space = self.grid_space
            if self.align == "justify" and not last and len(drawn) > 1:
                space = (available - natural) / (len(drawn) - 1)
            used = natural + space * max(len(drawn) - 1, 0)
            x = {"center": (width - used) / 2, "right": width - self.right_indent - used}.get(self.align, indent)
            lines.append(_Line(drawn, x, space))
            start = end + 1 if hard else end
        return lines or [_Line((), 0.0, 0.0)]

    def _line_end(self, start: int, available: float) -> tuple[int, bool]:
        """Where the line that starts at `start` ends, and whether a "\\n" ends it."""
        glyphs, count = self.glyphs, len(self.glyphs)
        used, end = 0.0, start
        while end < count and glyphs[end].char != "\n":
            step = glyphs[end].width + self.grid_space  # a character's cell on the grid
            if used + step > available + 0.01 and end > start:
                break
            used += step
            end += 1
        if end >= count or glyphs[end].char == "\n":
            return end, end < count
        # Closing punctuation: tighten the line a little rather than start the next with it.
        squeezed = end
        while squeezed < count and glyphs[squeezed].char in NO_LINE_START:
            natural = sum(g.width for g in glyphs[start : squeezed + 1])
            if natural + MAX_SQUEEZE * (squeezed - start) > available + 0.01:
                break
            squeezed += 1
        if squeezed > end and (squeezed >= count or glyphs[squeezed].char not in NO_LINE_START):
            return squeezed, False
        # Otherwise carry characters over until the break is allowed (a long Latin run may be cut).
        floor, candidate = start + max(1, (end - start) // 2), end
        while candidate > floor:
            before, after = glyphs[candidate - 1].char, glyphs[candidate].char
            cut_word = before in UNBREAKABLE and after in UNBREAKABLE
            cut_dash = before == after and before in "—…"
            if after in NO_LINE_START or before in NO_LINE_END or cut_word or cut_dash:
                candidate -= 1
                continue
            return candidate, False
        return end, False

    def draw(self):
        canvas = self.canv
        for index, line in enumerate(self.lines):
            baseline = self.height - index * self.leading - self.leading / 2 - 0.38 * self.size
            text = canvas.beginText(line.x, baseline)
            text.setCharSpace(line.char_space)
            for font, run in groupby(line.glyphs, key=lambda g: g.font):
                text.setFont(font, self.size)
                text.textOut("".join(g.char for g in run))
            text.setCharSpace(0)
            canvas.drawText(text)


def body(text: str, **options) -> GongwenText:
    return GongwenText([("body", text)], **options)


def heading(text: str) -> list:
    """A first-level heading (一、…): 黑体 三号, indented like a paragraph, never last on a page
    (it starts a new page unless two lines of what follows fit under it)."""
    return [CondPageBreak(3 * LEADING), GongwenText([("heading", text)])]


SECOND_LEVEL = re.compile(r"^（[一二三四五六七八九十]+）")


def led_paragraph(text: str) -> GongwenText:
    """A body paragraph; one that opens with （一）… has its lead sentence (up to the first 。
    or ：) in 楷体 and the rest in the body face, as the second level of a 公文."""
    if not SECOND_LEVEL.match(text):
        return body(text)
    stops = [i for i in (text.find("。"), text.find("：")) if i >= 0]
    cut = min(stops) + 1 if stops else len(text)
    return GongwenText([("kai", text[:cut]), ("body", text[cut:])])


def title_lines(title: str) -> str:
    """The title with its line breaks: where the chief put a space, else balanced in two lines
    (a trapezoid, the break after 的/关于 or before 工作/情况 when one is near the middle)."""
    title = title.strip()
    if re.search(r"\s", title):
        return "\n".join(title.split())
    width = sum(stringWidth(c, fonts.face_for("title", c), TITLE_SIZE) for c in title)
    if width <= TEXT_WIDTH:
        return title
    n = len(title)

    def score(p: int) -> float:
        natural = title[p - 1] in "的于" or title.startswith(("工作", "情况", "专项", "报告"), p)
        return abs(p - n / 2) - (3 if natural else 0) + (0.5 if p > n / 2 else 0)  # the upper line no longer

    return title[: (p := min(range(n // 3, n - n // 3 + 1), key=score))] + "\n" + title[p:]


def chinese_date(value: dt.date) -> str:
    """成文日期 as GB/T 9704 writes it: 2026年12月1日 (Arabic digits, no leading zeros)."""
    return f"{value.year}年{value.month}月{value.day}日"


class DocumentNumberLine(Flowable):
    """发文字号 and 签发人 above the title: the number centred alone, or left with 签发人 on
    the right (上行文), each one character in from the edge; a red rule 4 mm below."""

    def __init__(self, number: str, signer: str):
        super().__init__()
        self.number = GongwenText([("body", number)], first_indent=0, align="left") if number else None
        self.signer = GongwenText([("body", "签发人："), ("kai", signer)], first_indent=0, align="left") if signer else None

    def wrap(self, availWidth, availHeight):
        self.width, self.height = availWidth, LEADING + 4 * mm
        return self.width, self.height

    def draw(self):
        placed = []
        if self.number and not self.signer:
            placed.append((self.number, (self.width - self.number.natural_width()) / 2))
        else:
            if self.number:
                placed.append((self.number, PITCH))
            if self.signer:
                placed.append((self.signer, self.width - PITCH - self.signer.natural_width()))
        for text, x in placed:
            text.wrap(self.width, LEADING)  # left-aligned, no indent: the line starts at x
            text.drawOn(self.canv, x, 4 * mm)
        self.canv.saveState()
        self.canv.setStrokeColor(colors.HexColor("#d40000"))  # 版头中的分隔线, as wide as the 版心
        self.canv.setLineWidth(1)
        self.canv.line(0, 0, self.width, 0)
        self.canv.restoreState()


def _page_furniture(draft: bool):
    """页码 "— 1 —" (四号宋体, 7 mm under the 版心; odd pages right, even left, one character
    in) and, on a draft, 初稿 in the header of every page."""

    def on_page(canvas, doc):
        canvas.saveState()
        number = f"— {doc.page} —"
        canvas.setFont(fonts.font("song"), PAGE_NUMBER_SIZE)
        y = BOTTOM_MARGIN - 7 * mm - 0.35 * PAGE_NUMBER_SIZE
        if doc.page % 2:
            canvas.drawRightString(LEFT_MARGIN + TEXT_WIDTH - PAGE_NUMBER_SIZE, y, number)
        else:
            canvas.drawString(LEFT_MARGIN + PAGE_NUMBER_SIZE, y, number)
        if draft:
            canvas.setFont(fonts.font("heading"), BODY_SIZE)
            right, baseline = LEFT_MARGIN + TEXT_WIDTH, PAGE_HEIGHT - TOP_MARGIN + 12 * mm
            canvas.drawRightString(right - 4, baseline, "初稿")
            canvas.setLineWidth(0.8)
            canvas.rect(right - 2 * BODY_SIZE - 8, baseline - 5, 2 * BODY_SIZE + 8, BODY_SIZE + 8)
        canvas.restoreState()

    return on_page


def _gongwen_canvas(*args, **kwargs):
    # The first font of each page is the body face, so no unembedded Helvetica appears.
    kwargs["initialFontName"] = fonts.font("body")
    kwargs["initialFontSize"] = BODY_SIZE
    return pdfcanvas.Canvas(*args, **kwargs)


def gongwen_document(buffer, title: str, *, draft: bool) -> BaseDocTemplate:
    """A4, 天头 37 mm, 订口 28 mm, 版心 156 × 225 mm, page numbers (and 初稿) on every page."""
    doc = BaseDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=LEFT_MARGIN,
        rightMargin=PAGE_WIDTH - LEFT_MARGIN - TEXT_WIDTH,
        topMargin=TOP_MARGIN,
        bottomMargin=BOTTOM_MARGIN,
        title=title,
        author="干部人事档案专项审核管理系统",
    )
    frame = Frame(LEFT_MARGIN, BOTTOM_MARGIN, TEXT_WIDTH, TEXT_HEIGHT, leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0, id="text")
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=_page_furniture(draft))])
    return doc


# --- the summary report: figures in words ----------------------------------------------------

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
IN_REVIEW = (CaseState.INITIAL_REVIEW, CaseState.RE_REVIEW, CaseState.CHIEF_CHECK)


def category_sentence(c: CategoryStats, total: int) -> str:
    share = share_text(c.cadres, total)
    if c.code == "party":
        return PARTY_SENTENCE.format(a=c.cadres_inconsistent, b=c.cadres_missing_application, n=c.cadres, share=share)
    return CATEGORY_SENTENCES[c.code].format(n=c.cadres, share=share)


def category_paragraphs(c: CategoryStats, total: int, chief_text: str = "") -> list[str]:
    """The category's figures, then how it was resolved: the chief's wording when written,
    else the default built from the data (narrative.category_resolution)."""
    written = paragraphs(chief_text)
    resolution = written or [category_resolution(c)]
    return [category_sentence(c, total) + resolution[0], *resolution[1:]]


def draft_notice(stats: CampaignStatistics) -> str:
    parts = []
    if stats.unfinished_cases:
        parts.append(f"尚有{stats.unfinished_cases}卷未审结")
    if stats.pending_findings:
        parts.append(f"系统比对疑点{stats.pending_findings}条待核实")
    return "本报告为初稿：" + "，".join(parts) + "。"


def progress_sentence(stats: CampaignStatistics) -> str:
    on = chinese_date(timezone.localtime(stats.generated_at).date())
    total = stats.total_cases
    counts = {row.code: row.count for row in stats.stages}
    closed = counts.get(CaseState.CLOSED, 0)
    if not total:
        return f"截至{on}，尚无纳入审核的档案。"
    if not stats.unfinished_cases and closed == total:
        return f"截至{on}，专项审核工作已全部完成。"
    after = [
        f"{label}{counts[code]}卷"
        for code, label in ((CaseState.CLOSED, "已办结"), (CaseState.LEADER_CHECK, "领导抽查中"), (CaseState.RECTIFICATION, "整改中"))
        if counts.get(code)
    ]
    if not stats.unfinished_cases:
        return f"截至{on}，{total}卷档案已全部审结" + (f"，其中{'、'.join(after)}" if after else "") + "。"
    in_review = [f"{row.label}{row.count}卷" for row in stats.stages if row.code in IN_REVIEW and row.count]
    text = f"截至{on}，已审结{stats.reviewed_cases}卷" + (f"（其中{'、'.join(after)}）" if after else "")
    return text + f"，尚在审核环节{stats.unfinished_cases}卷" + (f"（{'、'.join(in_review)}）" if in_review else "") + "。"


def overview_paragraph(stats: CampaignStatistics) -> str:
    total, consistent, problems = stats.total_cases, stats.consistent_cadres, stats.cadres_with_discrepancies
    ranks = "，".join(f"{row.label}{row.cases}人" for row in stats.by_rank if row.cases)
    text = f"此次专项审核干部人事档案{total}卷" + (f"，其中{ranks}" if ranks else "") + "。" + progress_sentence(stats)
    if not total:
        return text
    found = "具体归纳为五个方面（同一干部可能涉及多个方面）。"
    if consistent + problems == total:
        text += f"审核的{total}卷档案，档案资料记载与现有干部信息完全一致的{consistent}名，占总数的{share_text(consistent, total)}"
        if not problems:
            return text + "。"
        return text + f"；其余{problems}名干部档案与现有干部信息不同程度地存在差别，{found}"
    # A draft: some cases are still in review, so the rest is not all "with problems".
    text += (
        f"已审结的{stats.reviewed_cases}卷中，档案资料记载与现有干部信息完全一致的{consistent}名，占总数的{share_text(consistent, total)}；"
        f"全部{total}卷中，经核实存在问题的干部{problems}名，占总数的{share_text(problems, total)}"
    )
    undecided = total - consistent - problems
    if undecided > 0:
        text += f"；其余{undecided}卷尚在审核，结论待定"
    return text + (f"。存在的问题{found}" if problems else "。")


# --- the summary report: the document ------------------------------------------------------


def _closing(report: SummaryReport, last: list) -> KeepTogether:
    """The last paragraph, 附件说明 and 落款 kept together, with three blank lines for the seal:
    成文日期 four characters in from the right, the issuing unit centred over it."""
    text = report.narrative
    date = GongwenText([("body", chinese_date(text.report_date))], align="right", first_indent=0, right_indent=4 * PITCH)
    unit_width = GongwenText([("body", text.issuing_unit)]).natural_width()
    unit_indent = max(0.0, 4 * PITCH + (date.natural_width() - unit_width) / 2)
    unit = GongwenText([("body", text.issuing_unit)], align="right", first_indent=0, right_indent=unit_indent)
    return KeepTogether([*last, Spacer(1, LEADING), body(f"附件：{APPENDIX_TITLE}"), Spacer(1, 3 * LEADING), unit, date])


def summary_flowables(report: SummaryReport) -> list:
    stats, text = report.statistics, report.narrative
    total = stats.total_cases
    story: list = []
    if text.doc_number or text.signer:
        story += [DocumentNumberLine(text.doc_number, text.signer), Spacer(1, 2 * LEADING)]
    story += [
        GongwenText([("title", title_lines(text.title))], size=TITLE_SIZE, leading=TITLE_LEADING, align="center", first_indent=0),
        Spacer(1, LEADING),
        body(f"{text.addressee}：", first_indent=0, align="left"),
    ]
    if stats.is_draft:
        story.append(GongwenText([("kai", draft_notice(stats))]))
    story += [body(par) for par in paragraphs(text.opening)]
    story += [*heading("一、专项审核情况"), body(overview_paragraph(stats))]
    for c in stats.categories:
        story += [led_paragraph(par) for par in category_paragraphs(c, total, text.category_texts.get(c.code, ""))]
    story += [*heading("二、主要做法"), *[led_paragraph(par) for par in paragraphs(text.practices)]]
    problems = [led_paragraph(par) for par in paragraphs(text.problems)]
    story += [*heading("三、存在问题和今后打算"), *problems[:-1], _closing(report, problems[-1:]), PageBreak()]
    return story + appendix_flowables(stats)


# --- the summary report: its appendix (附件) --------------------------------------------------

APPENDIX_TITLE = "专项审核统计表"


def table_styles() -> dict[str, ParagraphStyle]:
    return _table_styles(fonts.font("body"), fonts.font("heading"))


@cache
def _table_styles(body_font: str, heading_font: str) -> dict[str, ParagraphStyle]:
    cell = ParagraphStyle("gw_cell", fontName=body_font, fontSize=TABLE_SIZE, leading=TABLE_SIZE * 1.4, wordWrap="CJK", alignment=TA_LEFT)
    return {
        "cell": cell,
        "num": ParagraphStyle("gw_num", parent=cell, alignment=TA_CENTER),
        "head": ParagraphStyle("gw_head", parent=cell, fontName=heading_font, alignment=TA_CENTER),
    }


def _markup(text: str, role: str = "body") -> str:
    """Escaped text for a table cell; a character the role's face lacks gets a face that has it."""
    main = fonts.font(role)
    out = []
    for char in str(text):
        face = fonts.face_for(role, char)
        if char == "\n":
            out.append("<br/>")
        else:
            out.append(escape(char) if face == main else f'<font name="{face}">{escape(char)}</font>')
    return "".join(out)


def _cell(value, style: str) -> Paragraph:
    return Paragraph(_markup(value, "heading" if style == "head" else "body"), table_styles()[style])


def _table_style() -> TableStyle:
    return TableStyle(
        [
            ("FONT", (0, 0), (-1, -1), fonts.font("body"), TABLE_SIZE),  # empty cells too: no Helvetica
            ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("TOPPADDING", (0, 0), (-1, -1), 3),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
        ]
    )


def chunked_tables(headers: list[str], rows: list[list], widths_cm: list[float], chunk: int = TABLE_CHUNK_ROWS) -> list[Table]:
    """A table in page-sized pieces, each with the header row again; numbers right-aligned."""
    head = [_cell(h, "head") for h in headers]
    body_rows = [[_cell(v, "cell" if i == 0 else "num") for i, v in enumerate(row)] for row in rows] or [[_cell("（无）", "cell")] + [""] * (len(headers) - 1)]
    tables = []
    for start in range(0, len(body_rows), chunk):
        table = Table([head, *body_rows[start : start + chunk]], colWidths=[w * cm for w in widths_cm], repeatRows=1, hAlign="CENTER")
        table.setStyle(_table_style())
        tables.append(table)
    return tables


def _caption(text: str) -> list:
    title = GongwenText([("heading", text)], size=12, leading=24, align="center", first_indent=0, keep_with_next=True)
    gap = Spacer(1, 8)
    gap.keepWithNext = True
    return [gap, title]


def _note(text: str) -> GongwenText:
    return GongwenText([("body", text)], size=TABLE_SIZE, leading=TABLE_SIZE * 1.6, first_indent=0, align="justify")


def appendix_flowables(stats: CampaignStatistics) -> list:
    """附件: "附件" in 黑体 at the top left, its title on the third line, then the tables."""
    total = stats.total_cases
    at = timezone.localtime(stats.generated_at)
    story = [
        GongwenText([("heading", "附件")], first_indent=0, align="left"),
        Spacer(1, LEADING),
        GongwenText([("title", APPENDIX_TITLE)], size=TITLE_SIZE, leading=TITLE_LEADING, align="center", first_indent=0),
        Spacer(1, 6),
        GongwenText(
            [("body", f"（批次：{stats.campaign_name}；数据截至{chinese_date(at.date())}{at:%H:%M}）")],
            size=TABLE_SIZE,
            leading=22,
            align="center",
            first_indent=0,
        ),
    ]
    story += _caption("表1　审核总体情况")
    story += chunked_tables(
        ["项目", "数值"],
        [
            ["审核档案（卷）", total],
            ["已审结（卷）", stats.reviewed_cases],
            ["尚在审核环节（卷）", stats.unfinished_cases],
            ["档案记载与现有信息完全一致（人）", stats.consistent_cadres],
            ["完全一致占总数", share_text(stats.consistent_cadres, total)],
            ["存在问题（人）", stats.inconsistent_cadres],
            ["问题条数（条）", stats.discrepancies],
            ["已整改（条）", stats.resolved],
            ["待整改（条）", stats.open],
            ["系统比对疑点待核实（条，不计入）", stats.pending_findings],
        ],
        [10, 4],
    )
    story.append(Spacer(1, 4))
    story.append(
        _note(
            "注：问题条数只计审核人员登记或核实确认的问题，已排除、已撤销的不计；系统比对发现、尚待审核人员核实的疑点单独列示，不计入问题条数和存在问题人数。"
        )
    )
    story += _caption("表2　按问题类别（同一干部在同一类别只计一次）")
    rows = [[c.label, c.cadres, share_text(c.cadres, total), c.discrepancies, c.corrected, c.determined, c.open, c.pending] for c in stats.categories]
    party = stats.category("party")
    rows.append(["其中：党龄记载不一致", party.cadres_inconsistent, share_text(party.cadres_inconsistent, total), "", "", "", "", ""])
    rows.append(["其中：缺入党申请书", party.cadres_missing_application, share_text(party.cadres_missing_application, total), "", "", "", "", ""])
    story += chunked_tables(
        ["问题类别", "人数", "占总数", "问题\n条数", "已纠正", "已认定", "待整改", "待核实疑点\n（不计入）"],
        rows,
        [4.2, 1.2, 1.6, 1.4, 1.6, 1.6, 1.6, 2.3],
    )
    story += _caption("表3　按职级")
    story += chunked_tables(
        ["职级", "审核档案\n（卷）", "存在问题\n（人）", "问题条数\n（条）", "待整改\n（条）"],
        [[r.label, r.cases, r.cadres_with_discrepancies, r.discrepancies, r.open_discrepancies] for r in stats.by_rank],
        [4, 2.6, 2.6, 2.6, 2.6],
    )
    story += _caption("表4　审核进度（按环节）")
    story += chunked_tables(["环节", "案卷数"], [[r.label, r.count] for r in stats.stages], [8, 4])
    story += _caption("表5　按单位")
    story += chunked_tables(
        ["单位", "审核档案\n（卷）", "存在问题\n（人）", "问题条数\n（条）", "待整改\n（条）"],
        [[r.label, r.cases, r.cadres_with_discrepancies, r.discrepancies, r.open_discrepancies] for r in stats.by_unit],
        [6, 2.3, 2.3, 2.3, 2.3],
    )
    return story


def render_summary_report(report: SummaryReport) -> bytes:
    """The summary report as A4 PDF bytes."""
    buffer = io.BytesIO()
    doc = gongwen_document(buffer, report.narrative.title, draft=report.statistics.is_draft)
    doc.build(summary_flowables(report), canvasmaker=_gongwen_canvas)
    return buffer.getvalue()
