"""Building workbooks for the import tests."""

from __future__ import annotations

import io
from pathlib import Path

from openpyxl import Workbook

from archives.idnumber import check_character

ROSTER_HEADERS = [
    "姓名",
    "身份证号",
    "性别",
    "民族",
    "单位",
    "职务",
    "职级",
    "出生日期",
    "参加工作时间",
    "入党时间",
    "学历",
    "学位",
    "毕业院校",
    "专业",
    "教育类别",
    "学历认证报告编号",
    "全日制毕业时间",
]
MATERIAL_HEADERS = [
    "身份证号",
    "类别",
    "材料名称",
    "形成日期",
    "页数",
    "记载出生日期",
    "记载参加工作时间",
    "记载入党时间",
    "记载学历",
    "记载教育类别",
    "是否涂改",
    "备注",
]
RESUME_HEADERS = ["身份证号", "起始时间", "终止时间", "单位及职务", "证明材料", "经历类型"]


def id_for(seq: int, birth: str = "19750312", male: bool = True) -> str:
    order = seq % 499 * 2 + (1 if male else 2)
    first17 = f"{341122 + seq // 499:06d}{birth}{order:03d}"
    return first17 + check_character(first17)


def roster_row(seq: int = 1, **overrides) -> dict:
    row = {
        "姓名": f"干部{seq}",
        "身份证号": id_for(seq),
        "性别": "男",
        "民族": "汉族",
        "单位": "某县/组织部",
        "职务": "科员",
        "职级": "科员",
        "出生日期": "1975.03.12",
        "参加工作时间": "1995.07",
        "入党时间": "2000.06",
        "学历": "大学本科",
        "学位": "学士",
        "毕业院校": "某某大学",
        "专业": "中文",
        "教育类别": "全日制",
        "学历认证报告编号": "",
        "全日制毕业时间": "1995.07",
    }
    row.update(overrides)
    return row


def material_row(seq: int = 1, **overrides) -> dict:
    row = {
        "身份证号": id_for(seq),
        "类别": "1",
        "材料名称": "干部履历表",
        "形成日期": "1995.07",
        "页数": 4,
        "记载出生日期": "1975.03",
        "记载参加工作时间": "1995.07",
        "记载入党时间": "",
        "记载学历": "大学本科",
        "记载教育类别": "",
        "是否涂改": "否",
        "备注": "",
    }
    row.update(overrides)
    return row


def resume_row(seq: int = 1, **overrides) -> dict:
    row = {"身份证号": id_for(seq), "起始时间": "1995.07", "终止时间": "1998.12", "单位及职务": "某县组织部科员", "证明材料": "干部履历表", "经历类型": ""}
    row.update(overrides)
    return row


def sheet_rows(headers: list[str], rows: list[dict]) -> list[list]:
    return [headers] + [[row.get(h) if row.get(h) != "" else None for h in headers] for row in rows]


def build_xlsx(sheets: dict[str, list[list]]) -> bytes:
    """sheets: title → rows (first row = headers). Values are written as given (str stays text)."""
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
            for cell in sheet[sheet.max_row]:
                if isinstance(cell.value, str) and cell.value.startswith(("=", "+", "-", "@")):
                    cell.data_type = "s"  # keep formula-looking text as text, as a user's typed text
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def write(path: Path, kind: str, rows: list[dict], *, headers: list[str] | None = None, title: str | None = None) -> Path:
    default_headers = {"roster": ROSTER_HEADERS, "materials": MATERIAL_HEADERS, "resume": RESUME_HEADERS}[kind]
    default_title = {"roster": "干部名册", "materials": "档案材料目录", "resume": "干部经历"}[kind]
    path.write_bytes(build_xlsx({title or default_title: sheet_rows(headers or default_headers, rows)}))
    return path
