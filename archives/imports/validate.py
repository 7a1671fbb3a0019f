"""Validation of every cell, row and sheet of an import (IMPORT_FORMATS.md).

Readers turn one cell into the value stored, or raise ``CellError`` with a Chinese reason.
A row becomes a record (a named tuple of stored values; dates as ``PartialDate`` storage
text, which is small and compares exactly); every problem becomes an ``Issue`` with sheet,
row, column and reason, and validation goes on so that the user gets all of them at once.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections import namedtuple
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils import timezone

from archives.dates import DateParseError, PartialDate
from archives.idnumber import IDNumberError, parse_id_number
from archives.models import Degree, Education, Gender, MaterialCategory, PeriodKind, Rank, StudyMode

from .formats import FORMATS, INSTRUCTIONS_SHEET, Format, normalise_header
from .reader import Sheet


class CellError(ValueError):
    """A cell that cannot be read; the message is the reason shown to the user."""


@dataclass(frozen=True)
class Issue:
    sheet: str
    row: int
    column: str
    reason: str

    def as_dict(self) -> dict:
        return {"sheet": self.sheet, "row": self.row, "column": self.column, "reason": self.reason}

    def line(self) -> str:
        """The form of INTERFACES.md: ``第N行 列名: 原因``."""
        return f"第{self.row}行 {self.column}: {self.reason}"


# --- cell readers ---------------------------------------------------------------------


def _plain(value) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if not (value.hour or value.minute or value.second) else value.isoformat(sep=" ")
    return str(value).strip()


def _nfkc(value) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", _plain(value)))


def read_text(value, ctx):
    # Text beginning with =, +, - or @ is kept as text: it is never evaluated.
    return _plain(value)


def read_id_number(value, ctx):
    if isinstance(value, float):
        raise CellError("身份证号被 Excel 存成了数字，后几位可能已经丢失；请把该列设为“文本”格式后重新填写")
    try:
        return parse_id_number(_plain(value), today=ctx.today).number
    except IDNumberError as exc:
        raise CellError(str(exc)) from None


def read_gender(value, ctx):
    text = _nfkc(value).removesuffix("性")
    if text not in Gender.values:
        raise CellError(f"性别“{_plain(value)}”应为“男”或“女”")
    return text


def read_unit(value, ctx):
    parts = [p.strip() for p in re.split(r"[/／]", _plain(value))]
    if any(not p for p in parts):
        raise CellError(f"单位“{_plain(value)}”中有空的层级；用 / 分隔上下级，如“某县/组织部”")
    if any(len(p) > 100 for p in parts):
        raise CellError("单位名称的每一级不能超过100个字")
    return "/".join(parts)


_RANKS_TEXT = "、".join(Rank.values)


def read_rank(value, ctx):
    text = _nfkc(value)
    for candidate in (text, text + "级"):
        if candidate in Rank.values:
            return candidate
    raise CellError(f"职级“{_plain(value)}”不在可选范围内（{_RANKS_TEXT}）")


def read_date(value, ctx):
    if isinstance(value, float) and not value.is_integer():
        text = repr(value)
        if re.fullmatch(r"\d{4}\.1", text):
            raise CellError(f"数字 {text} 无法区分1月和10月；请把单元格设为文本，写作 {text[:4]}.01 或 {text[:4]}.10")
        value = text
    elif isinstance(value, dt.time):
        raise CellError("不是日期")
    try:
        return PartialDate.parse(value, today=ctx.today).to_storage()
    except DateParseError as exc:
        raise CellError(str(exc)) from None


_EDUCATION_TEXT = "、".join(reversed(Education.values))


def read_education(value, ctx):
    level = Education.normalise(_nfkc(value))
    if level is None:
        raise CellError(f"学历“{_plain(value)}”不可识别（可填：{_EDUCATION_TEXT}）")
    return level


def read_degree(value, ctx):
    text = _nfkc(value).removesuffix("学位")
    if text not in Degree.values:
        raise CellError(f"学位“{_plain(value)}”应为博士、硕士或学士")
    return text


_STUDY_MODE_ALIASES = {"全日制教育": StudyMode.FULL_TIME, "在职教育": StudyMode.IN_SERVICE, "非全日制": StudyMode.IN_SERVICE}


def read_study_mode(value, ctx):
    text = _nfkc(value)
    text = _STUDY_MODE_ALIASES.get(text, text)
    if text not in StudyMode.values:
        raise CellError(f"教育类别“{_plain(value)}”应为“全日制”或“在职”")
    return str(text)


_PERIOD_KINDS_TEXT = "、".join(PeriodKind.values[:-1]) + "或" + PeriodKind.values[-1]


def read_period_kind(value, ctx):
    text = _nfkc(value)
    if text not in PeriodKind.values:
        raise CellError(f"经历类型“{_plain(value)}”应为{_PERIOD_KINDS_TEXT}")
    return text


# The 其间 rule (IMPORT_FORMATS.md): a line beginning with 其间 or （其间 is nested in the main
# line; the words it uses tell which kind. NFKC turns （ into (.
NESTED_PREFIXES = ("其间", "(其间")
NESTED_WORDS = {
    PeriodKind.STUDY: ("学习", "进修", "培训", "函授", "党校", "研究生班"),
    PeriodKind.CONCURRENT: ("兼",),  # 兼任, 兼职, 兼 …
    PeriodKind.SECONDMENT: ("挂职",),
}


def nested_kinds(text: str) -> tuple[str, ...] | None:
    """None when ``text`` (a 单位及职务) is not a 其间 line; otherwise the nested kinds it names,
    in PeriodKind order: one is the reading, none or several cannot be read safely."""
    text = _nfkc(text)
    if not text.startswith(NESTED_PREFIXES):
        return None
    return tuple(kind for kind, words in NESTED_WORDS.items() if any(word in text for word in words))


def read_category(value, ctx):
    # Excel turns a typed 4-1 or 9-2 into a date (1 April, 2 September): take it back.
    key = f"{value.month}-{value.day}" if isinstance(value, dt.datetime) else _category_key(value)
    found = ctx.categories.get(key)
    if found is None:
        raise CellError(f"类别“{_plain(value)}”不存在（可填 1…10、第一类…第十类、类别名称，或 4-1、9-2 等分类号）")
    return found


def read_pages(value, ctx):
    if isinstance(value, bool):
        raise CellError("页数应为正整数")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = _nfkc(value)
    if not text.isdigit() or not 0 < int(text) <= 100_000:
        raise CellError(f"页数“{_plain(value)}”应为正整数")
    return int(text)


_YES = {"是", "有", "Y", "YES", "TRUE", "√"}
_NO = {"否", "无", "N", "NO", "FALSE", "×"}


def read_yes_no(value, ctx):
    if isinstance(value, bool):
        return value
    text = _nfkc(value).upper()
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise CellError(f"“{_plain(value)}”应填“是”或“否”")


CELL_READERS: dict[str, Callable] = {
    "text": read_text,
    "id_number": read_id_number,
    "gender": read_gender,
    "unit": read_unit,
    "rank": read_rank,
    "date": read_date,
    "education": read_education,
    "degree": read_degree,
    "study_mode": read_study_mode,
    "period_kind": read_period_kind,
    "category": read_category,
    "pages": read_pages,
    "yes_no": read_yes_no,
}
EMPTY = {"date": None, "pages": None, "yes_no": False, "category": None}
# Readers whose columns repeat a few values over many rows (not names, ID numbers or free text);
# their result depends only on the cell and the import's context, so it is kept per distinct value.
REPEATING = {"gender", "unit", "rank", "date", "education", "degree", "study_mode", "period_kind", "category", "pages", "yes_no"}
CACHE_LIMIT = 50_000  # distinct values kept per column; past it, values are read every time

_CN_NUMERALS = "一二三四五六七八九十"


def _category_key(value) -> str:
    text = _nfkc(value)
    # 4.1, 4－1, 4—1, 4_1 all mean the sub-class 4-1.
    return re.sub(r"(?<=\d)[.\-_—–~](?=\d)", "-", text)


def category_lookup() -> dict[str, tuple[str, int]]:
    """Every accepted spelling of every category in the MaterialCategory table → (code, id)."""
    table: dict[str, tuple[str, int]] = {}
    for pk, code, name in MaterialCategory.objects.values_list("pk", "code", "name"):
        entry = (code, pk)
        table[_category_key(code)] = entry
        norm = _nfkc(name)
        for spelling in (norm, norm.removesuffix("类"), norm.removesuffix("材料")):
            table.setdefault(spelling, entry)
        if code.isdigit() and 1 <= int(code) <= 10:
            table[f"第{_CN_NUMERALS[int(code) - 1]}类"] = entry
            table[f"第{code}类"] = entry
            table[f"{code}类"] = entry
    return table


# --- sheets and rows --------------------------------------------------------------------


@dataclass
class Context:
    today: dt.date
    categories: dict
    # id_number → (cadre pk, dossier pk or None), loaded once per import
    cadres: dict


def make_context() -> Context:
    from archives.models import Cadre

    cadres = {number: (pk, dossier) for number, pk, dossier in Cadre.objects.values_list("id_number", "pk", "dossier__pk")}
    return Context(today=timezone.localdate(), categories=category_lookup(), cadres=cadres)


_ROSTER_ID_AT, _ROSTER_GENDER_AT = FORMATS["roster"].fields.index("id_number"), FORMATS["roster"].fields.index("gender")

RECORDS = {kind: namedtuple(f"{kind.title()}Record", (*fmt.fields, "sheet", "row")) for kind, fmt in FORMATS.items()}


@dataclass
class PartInput:
    """The valid records of one kind, gathered from every sheet of that kind."""

    fmt: Format
    sheets: list[str] = field(default_factory=list)
    records: list = field(default_factory=list)
    key_header: dict[str, str] = field(default_factory=dict)  # sheet → header of 身份证号 as written
    rows_read: int = 0
    # sheet → optional columns it does not have: existing rows keep their stored values there
    absent: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # (sheet, row) of résumé rows whose 经历类型 was read from a 其间 line, not written
    derived: set[tuple[str, int]] = field(default_factory=set)


def classify(sheet: Sheet) -> str | None:
    """The kind a sheet holds, by its headers; None when it matches none."""
    present = {normalise_header(h) for h in sheet.headers}
    present |= {normalise_header(col.header) for fmt in FORMATS.values() for h in sheet.headers if (col := fmt.column_for(h))}
    for kind in (FORMATS["roster"].kind, FORMATS["materials"].kind, FORMATS["resume"].kind):
        if FORMATS[kind].required_headers <= present:
            return kind
    return None


def select_sheets(sheets: list[Sheet], kind: str) -> tuple[list[tuple[str, Sheet]], list[str]]:
    """Which sheets an import of ``kind`` reads: every sheet of that kind and, for materials or
    résumé, every roster sheet too (imported first, in the same transaction). Returns
    [(kind, sheet)] in import order and warnings about the sheets left out."""
    chosen, warnings, fallback = [], [], None
    for sheet in sheets:
        if sheet.title == INSTRUCTIONS_SHEET:
            continue
        found = classify(sheet)
        if found == kind or (found == "roster" and kind != "roster"):
            chosen.append((found, sheet))
        elif sheet.headers:
            fallback = fallback or sheet
            warnings.append(f"工作表“{sheet.title}”不是{FORMATS[kind].sheet_title}，未导入")
    if not any(k == kind for k, _ in chosen):
        # Nothing of the kind: read the first sheet so that its missing columns are reported.
        first = next((s for s in sheets if s.title != INSTRUCTIONS_SHEET), None)
        if first is not None:
            chosen.append((kind, first))
            warnings = [w for w in warnings if f"“{first.title}”" not in w]
    chosen.sort(key=lambda pair: pair[0] != "roster")
    return chosen, warnings


class SheetValidator:
    """Reads the rows of one sheet into records, collecting issues."""

    def __init__(self, part: PartInput, ctx: Context, issues: list[Issue], warnings: list[str], seen: dict):
        self.part, self.ctx, self.issues, self.warnings, self.seen = part, ctx, issues, warnings, seen

    def run(self, sheet: Sheet, progress: Callable[[int], None] | None = None) -> None:
        fmt, part = self.part.fmt, self.part
        part.sheets.append(sheet.title)
        positions: dict[str, tuple[int, str]] = {}
        unknown = []
        for index, header in enumerate(sheet.headers):
            if not header:
                continue
            column = fmt.column_for(header)
            if column is None:
                unknown.append(header)
            elif column.key in positions:
                self._issue(sheet.title, 1, header, f"与第{positions[column.key][0] + 1}列重复，同一列只能出现一次")
            else:
                positions[column.key] = (index, header)
        if unknown:
            self.warnings.append(f"工作表“{sheet.title}”中以下列不属于{fmt.sheet_title}，已忽略：{'、'.join(unknown)}")
        missing = [c.header for c in fmt.columns if c.required and c.key not in positions]
        for header in missing:
            self._issue(sheet.title, 1, header, "缺少必填列")
        if missing:
            return
        # An optional column left out (an older template, a trimmed export) is not a column of
        # empty cells: existing rows keep what is stored there. Key columns are never kept.
        absent = [c for c in fmt.columns if not c.required and c.key not in positions and c.key not in fmt.key]
        if absent:
            part.absent[sheet.title] = tuple(c.key for c in absent)
            self.warnings.append(f"工作表“{sheet.title}”没有以下选填列：{'、'.join(c.header for c in absent)}；已有数据的这些项保持原值，新增的留空")
        part.key_header[sheet.title] = positions["id_number"][1]
        plan = []
        for column in fmt.columns:
            index, header = positions.get(column.key, (None, column.header))
            cache = {} if column.parser in REPEATING else None
            plan.append((index, header, column.required, CELL_READERS[column.parser], EMPTY.get(column.parser, ""), column.max_length, cache))
        check_row = getattr(self, f"_check_{fmt.kind}", None)
        record_type = RECORDS[fmt.kind]
        key_indexes = [fmt.fields.index(k) for k in fmt.key]
        title = sheet.title
        ctx, issues = self.ctx, self.issues
        for count, (number, values) in enumerate(sheet.data_rows(), start=1):
            row_values = []
            bad = False
            for index, header, required, reader, empty, max_length, cache in plan:
                raw = values[index] if index is not None else None
                if raw is None or (isinstance(raw, str) and not raw.strip()):
                    if required:
                        issues.append(Issue(title, number, header, "必填，不能为空"))
                        bad = True
                    row_values.append(empty)
                    continue
                if cache is not None:
                    # The same cell value reads the same way (or fails for the same reason) every
                    # time: read each distinct one once. The type is part of the key (1 == 1.0 == True).
                    key = (raw.__class__, raw)
                    outcome = cache.get(key)
                    if outcome is None:
                        try:
                            outcome = (True, reader(raw, ctx))
                        except CellError as exc:
                            outcome = (False, str(exc))
                        if len(cache) < CACHE_LIMIT:
                            cache[key] = outcome
                    ok, value = outcome
                    if not ok:
                        issues.append(Issue(title, number, header, value))
                        bad = True
                        row_values.append(empty)
                        continue
                else:
                    try:
                        value = reader(raw, ctx)
                    except CellError as exc:
                        issues.append(Issue(title, number, header, str(exc)))
                        bad = True
                        row_values.append(empty)
                        continue
                if max_length and len(value) > max_length:
                    issues.append(Issue(title, number, header, f"不能超过{max_length}个字（现有{len(value)}个字）"))
                    bad = True
                row_values.append(value)
            if check_row is not None and not check_row(title, number, row_values, positions):
                bad = True
            if not bad:
                key = tuple(row_values[i] for i in key_indexes)
                first = self.seen.get(key)
                if first is not None:
                    where = f"第{first[1]}行" if first[0] == title else f"工作表“{first[0]}”第{first[1]}行"
                    names = "、".join(c.header for c in fmt.columns if c.key in fmt.key)
                    issues.append(Issue(title, number, positions[fmt.key[0]][1], f"与{where}重复（{names}相同）"))
                    bad = True
                else:
                    self.seen[key] = (title, number)
            if not bad:
                part.records.append(record_type(*row_values, title, number))
            part.rows_read += 1
            if progress is not None and count % 500 == 0:
                progress(500)
        if progress is not None:
            progress(part.rows_read % 500)

    def _issue(self, sheet, row, column, reason):
        self.issues.append(Issue(sheet, row, column, reason))

    def _has_issue(self, sheet, row, column) -> bool:
        """Whether this row's cell in ``column`` was already refused (its issues are the last ones)."""
        for issue in reversed(self.issues):
            if issue.row != row or issue.sheet != sheet:
                return False
            if issue.column == column:
                return True
        return False

    # Row rules beyond single cells; each returns False after adding its issues.

    def _check_roster(self, title, number, values, positions) -> bool:
        id_number = values[_ROSTER_ID_AT]
        gender = values[_ROSTER_GENDER_AT]
        if not id_number or not gender:
            return True  # already reported as a cell error
        expected = "男" if int(id_number[16]) % 2 else "女"
        if gender != expected:
            self._issue(title, number, positions["gender"][1], f"性别“{gender}”与身份证号不一致（身份证号第17位表示{expected}性）")
            return False
        return True

    def _check_resume(self, title, number, values, positions) -> bool:
        fields = self.part.fmt.fields
        start, end = values[fields.index("start")], values[fields.index("end")]
        ok = True
        if start is not None and end is not None and PartialDate.from_storage(end).is_before(PartialDate.from_storage(start)):
            self._issue(title, number, positions["end"][1], "终止时间早于起始时间")
            ok = False
        kind_at = fields.index("kind")
        header = positions.get("kind", (None, "经历类型"))[1]
        if values[kind_at] == "" and not self._has_issue(title, number, header):
            # No 经历类型 written: the main line, unless the 其间 rule reads the line as nested.
            kinds = nested_kinds(values[fields.index("unit_and_post")])
            if kinds is None:
                values[kind_at] = PeriodKind.POST.value
            elif len(kinds) == 1:
                values[kind_at] = kinds[0].value
                self.part.derived.add((title, number))
            else:
                if kinds:
                    named = "、".join(kinds)
                    reason = f"单位及职务以“其间”开头，是嵌套经历，但同时写有{named}的字样，无法确定类型；请在经历类型列填写{named}之一"
                else:
                    reason = "单位及职务以“其间”开头，是嵌套经历，但看不出类型（没有学习、进修、培训、函授、党校、研究生班、兼、挂职等字样）；请在经历类型列填写在职学习、兼职或挂职"
                self._issue(title, number, header, reason)
                ok = False
        return ok


def check_references(parts: list[PartInput], ctx: Context, issues: list[Issue]) -> None:
    """Materials and résumé rows must name a cadre of the database or of this file's roster."""
    roster_ids = {r.id_number for p in parts if p.fmt.kind == "roster" for r in p.records}
    for part in parts:
        if part.fmt.kind == "roster":
            continue
        kept = []
        for record in part.records:
            if record.id_number in ctx.cadres or record.id_number in roster_ids:
                kept.append(record)
            else:
                header = part.key_header.get(record.sheet, "身份证号")
                issues.append(Issue(record.sheet, record.row, header, f"身份证号 {record.id_number} 不在干部名册中（系统中没有该干部），请先导入干部名册"))
        part.records = kept


def check_recusal(parts: list[PartInput], recused_numbers: set[str], issues: list[Issue]) -> None:
    """回避: nobody imports rows about their own record or a declared relative's (the preview
    would show them that cadre's current information, and the import would change it)."""
    if not recused_numbers:
        return
    for part in parts:
        for record in part.records:
            if record.id_number in recused_numbers:
                header = part.key_header.get(record.sheet, "身份证号")
                issues.append(Issue(record.sheet, record.row, header, "本人或有回避关系亲属的信息不能由本人导入（回避），请交由其他管档人员办理"))
