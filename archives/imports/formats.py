"""The three workbooks of IMPORT_FORMATS.md as column specifications.

One table per kind: header, the record field it fills, whether it is required, how the cell
is read (``parser``, see validate.py), and what the template shows (example, width, note).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from archives.models import ImportJob

Kind = ImportJob.Kind

DATE_NOTE = "日期可写作：1975.03、1975.3、1975-03、1975/3、197503（精确到月），或 1975.03.12、1975-3-12、1975/03/12、19750312、1975年3月12日、1975年3月；也可使用 Excel 日期。不能晚于今天。"


@dataclass(frozen=True)
class Column:
    header: str
    key: str
    required: bool
    parser: str  # name of a cell reader in validate.CELL_READERS
    max_length: int = 0
    aliases: tuple[str, ...] = ()
    example: str = ""
    width: int = 14
    note: str = ""


@dataclass(frozen=True)
class Format:
    kind: str
    sheet_title: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]  # natural key, as record fields
    extra_fields: tuple[str, ...] = field(default=())
    instructions: tuple[str, ...] = ()  # extra lines of the template's 填写说明 sheet

    @property
    def fields(self) -> tuple[str, ...]:
        return tuple(c.key for c in self.columns) + self.extra_fields

    @property
    def required_headers(self) -> set[str]:
        return {normalise_header(c.header) for c in self.columns if c.required}

    def column_for(self, header: str) -> Column | None:
        return _LOOKUP[self.kind].get(normalise_header(header))


def normalise_header(text) -> str:
    """Headers match ignoring whitespace and full-width/half-width forms (（）→(), Ａ→A, 　→ )."""
    if text is None:
        return ""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text)))


EXAMPLE_ID = "110101197503120012"

ROSTER = Format(
    kind=Kind.ROSTER,
    sheet_title="干部名册",
    key=("id_number",),
    columns=(
        Column("姓名", "name", True, "text", 50, example="张三", width=10),
        Column(
            "身份证号",
            "id_number",
            True,
            "id_number",
            aliases=("身份证号码", "公民身份号码", "身份证"),
            example=EXAMPLE_ID,
            width=22,
            note="18位（末位可为X）或15位；请将本列设为文本格式",
        ),
        Column("性别", "gender", True, "gender", example="男", width=6, note="男/女，须与身份证号一致"),
        Column("民族", "ethnicity", False, "text", 20, example="汉族", width=8),
        Column(
            "单位",
            "unit",
            True,
            "unit",
            500,
            aliases=("工作单位", "所在单位"),
            example="某县/组织部",
            width=22,
            note="用 / 分隔上下级，如 某县/组织部；不存在的单位将自动新建",
        ),
        Column("职务", "position", False, "text", 100, example="干部科科长", width=16),
        Column("职级", "rank", True, "rank", example="正科级", width=10, note="正处级、副处级、正科级、副科级、科员、办事员、其他"),
        Column("出生日期", "birth_date", True, "date", aliases=("出生年月",), example="1975.03.12", width=12, note=DATE_NOTE),
        Column("参加工作时间", "work_start_date", True, "date", example="1995.07", width=14, note=DATE_NOTE),
        Column("入党时间", "party_join_date", False, "date", example="2000.06", width=12, note="非党员留空。" + DATE_NOTE),
        Column("学历", "education", False, "education", example="大学本科", width=10, note="研究生、大学本科、大学专科、中专、高中、初中、小学"),
        Column("学位", "degree", False, "degree", example="学士", width=8, note="博士、硕士、学士"),
        Column("毕业院校", "school", False, "text", 100, aliases=("毕业学校",), example="某某大学", width=16),
        Column("专业", "major", False, "text", 100, example="汉语言文学", width=14),
        Column("教育类别", "study_mode", False, "study_mode", example="全日制", width=10, note="全日制或在职"),
        Column(
            "学历认证报告编号", "verification_number", False, "text", 100, aliases=("学历认证编号",), example="", width=20, note="留空表示档案中无学历认证报告"
        ),
        Column(
            "全日制毕业时间",
            "full_time_graduation_date",
            False,
            "date",
            aliases=("全日制教育毕业时间", "全日制毕业日期"),
            example="1995.07",
            width=14,
            note="最后一次全日制学习毕业（离校）的时间，用于比对参加工作时间；没有全日制学历可留空。" + DATE_NOTE,
        ),
    ),
)

MATERIALS = Format(
    kind=Kind.MATERIALS,
    sheet_title="档案材料目录",
    key=("id_number", "category", "title", "formed_date"),
    columns=(
        Column(
            "身份证号",
            "id_number",
            True,
            "id_number",
            aliases=("身份证号码", "公民身份号码", "身份证"),
            example=EXAMPLE_ID,
            width=22,
            note="须已在干部名册中（系统中已有，或同一文件的“干部名册”工作表中）",
        ),
        Column(
            "类别",
            "category",
            True,
            "category",
            aliases=("材料类别", "类号"),
            example="1",
            width=8,
            note="1…10、第一类…第十类、类别名称（如 履历类），或分类号 4-1、9-2 等",
        ),
        Column("材料名称", "title", True, "text", 200, example="干部履历表", width=20),
        Column("形成日期", "formed_date", True, "date", aliases=("形成时间", "材料形成时间"), example="1995.07", width=12, note=DATE_NOTE),
        Column("页数", "pages", False, "pages", example="4", width=6, note="正整数"),
        Column("记载出生日期", "recorded_birth_date", False, "date", example="1975.03", width=14, note=DATE_NOTE),
        Column("记载参加工作时间", "recorded_work_start_date", False, "date", example="1995.07", width=16),
        Column("记载入党时间", "recorded_party_date", False, "date", example="", width=14, note="入党志愿书：填支部大会通过为预备党员的日期"),
        Column("记载学历", "recorded_education", False, "education", example="大学本科", width=10),
        Column("记载教育类别", "recorded_study_mode", False, "study_mode", example="全日制", width=12, note="全日制或在职，按该材料所写；材料未记载则留空"),
        Column("是否涂改", "altered", False, "yes_no", example="否", width=8, note="是/否，留空为否"),
        Column("备注", "note", False, "text", 500, example="", width=20),
    ),
)

NESTED_NOTE = (
    "单位及职务以“其间”或“（其间”开头的是嵌套经历：写有学习、进修、培训、函授、党校、研究生班的为在职学习，"
    "写有兼任或兼的为兼职，写有挂职的为挂职；看不出类型（或同时写有几种）的，须在经历类型列填写。经历类型已填写的以填写为准。"
)

RESUME = Format(
    kind=Kind.RESUME,
    sheet_title="干部经历",
    key=("id_number", "start", "kind"),
    columns=(
        Column(
            "身份证号",
            "id_number",
            True,
            "id_number",
            aliases=("身份证号码", "公民身份号码", "身份证"),
            example=EXAMPLE_ID,
            width=22,
            note="须已在干部名册中（系统中已有，或同一文件的“干部名册”工作表中）",
        ),
        Column("起始时间", "start", True, "date", aliases=("开始时间", "起始日期"), example="1995.07", width=12, note=DATE_NOTE),
        Column("终止时间", "end", False, "date", aliases=("结束时间", "终止日期"), example="", width=12, note="留空表示至今"),
        Column("单位及职务", "unit_and_post", True, "text", 200, aliases=("单位及职务（职级）", "工作单位及职务"), example="某县组织部干部科科员", width=30),
        Column("证明材料", "proof_material", False, "text", 200, example="干部履历表", width=16, note="留空表示档案中无证明材料"),
        Column(
            "经历类型",
            "kind",
            False,
            "period_kind",
            example="任职",
            width=10,
            note="任职（主线，留空即为任职）、在职学习、兼职、挂职。" + NESTED_NOTE,
        ),
    ),
    instructions=(
        "同一干部的主线任职经历与嵌套经历（在职学习、兼职、挂职）分开比对：空档和重叠只在任职经历之间计算；嵌套经历应在任职经历的起止范围之内。",
        NESTED_NOTE,
        "同一干部以身份证号、起始时间、经历类型区分各条经历：任职经历和嵌套经历可以同月开始。",
    ),
)

FORMATS: dict[str, Format] = {f.kind: f for f in (ROSTER, MATERIALS, RESUME)}

_LOOKUP: dict[str, dict[str, Column]] = {
    fmt.kind: {normalise_header(name): col for col in fmt.columns for name in (col.header, *col.aliases)} for fmt in FORMATS.values()
}

# Sheets the product writes into its own templates and skips when reading.
INSTRUCTIONS_SHEET = "填写说明"

KIND_LABELS = {Kind.ROSTER: _("干部名册"), Kind.MATERIALS: _("档案材料目录"), Kind.RESUME: _("干部经历")}
