"""The workbook: columns, figures equal to the PDF's, formula-looking text stays text."""

import csv
import io

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from reports import pdf, selectors, workbook
from reports.data import share_text

from .factories import add, build_known_campaign
from .helpers import pdf_text, xlsx_to_csv

pytestmark = pytest.mark.django_db

REQUIRED = ["姓名", "身份证号", "单位", "职务", "问题类别", "问题描述", "来源", "状态"]


def _write(campaign, tmp_path):
    path = tmp_path / "book.xlsx"
    workbook.write_workbook(selectors.workbook_data(campaign), str(path))
    return path


def test_the_problem_register_has_one_row_per_counted_discrepancy(auditor, other_auditor, tmp_path):
    built = build_known_campaign(auditor, other_auditor)
    book = load_workbook(_write(built.campaign, tmp_path))
    sheet = book["问题登记表"]
    rows = list(sheet.iter_rows(values_only=True))
    headers = list(rows[0])
    assert all(h in headers for h in REQUIRED)
    assert len(rows) - 1 == 8  # only verified problems; dismissed and withdrawn ones go to 已排除问题
    assert len(list(book["已排除问题"].iter_rows())) - 1 == 2
    assert len(list(book["待核实疑点"].iter_rows())) - 1 == 1  # 戊's unverified system finding, apart
    records = [dict(zip(headers, row, strict=True)) for row in rows[1:]]
    first = next(r for r in records if r["姓名"] == "甲")
    assert first["身份证号"] == built.cases[0].dossier.cadre.id_number
    assert first["单位"] == "县委办公室"
    assert first["问题类别"] == "年龄"
    assert first["来源"] == "系统比对"
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:S9"
    assert sheet.column_dimensions["I"].width == 50
    for name in ("总体情况", "按类别统计", "按单位统计", "按职级统计", "审核进度", "审核人员工作量", "接收登记表", "转出登记簿", "利用登记簿", "传递登记簿"):
        assert name in book.sheetnames
        assert book[name].freeze_panes == "A2"


@pytest.mark.slow
def test_the_workbook_figures_equal_the_pdf_figures(auditor, other_auditor, tmp_path):
    built = build_known_campaign(auditor, other_auditor)
    book = load_workbook(_write(built.campaign, tmp_path))
    text = pdf_text(pdf.render_summary_report(selectors.summary_report(built.campaign)), tmp_path)
    overview = dict(book["总体情况"].iter_rows(min_row=2, values_only=True))
    total, consistent = overview["审核档案（卷）"], overview["档案记载与现有信息完全一致（人）"]
    assert f"干部人事档案{total}卷" in text
    assert f"完全一致的{consistent}名，占总数的{share_text(consistent, total)}" in text
    for label, cadres, pct, n, corrected, determined, still_open, _, _ in book["按类别统计"].iter_rows(min_row=2, max_row=6, values_only=True):
        assert f"{label}{cadres}{pct * 100:.1f}%{n}{corrected}{determined}{still_open}" in text
        assert f"的{cadres}人" in text or f"合计{cadres}人" in text
    for label, cases, with_findings, n, still_open in book["按单位统计"].iter_rows(min_row=2, values_only=True):
        assert f"{label}{cases}{with_findings}{n}{still_open}" in text
    for label, cases, *_ in book["按职级统计"].iter_rows(min_row=2, values_only=True):
        assert f"{label}{cases}人" in text


@pytest.mark.slow
def test_formula_looking_text_stays_text_in_libreoffice(auditor, tmp_path):
    built = build_known_campaign(auditor)
    case = built.cases[6]
    add(case, "experience", "registered", description="=1+1")
    add(case, "experience", "registered", description="+SUM(1,2)")
    add(case, "experience", "registered", description="@cmd")
    add(case, "experience", "registered", description="\t=2+2")
    path = _write(built.campaign, tmp_path)
    cells = load_workbook(path)["问题登记表"]
    texts = [c for c in cells["I"] if isinstance(c.value, str) and c.value.startswith(("=", "+", "@", "\t"))]
    assert len(texts) == 5  # the four above and the factory's "=出生日期有涂改"
    for cell in texts:
        assert cell.data_type == "s"
        assert cell.quotePrefix
    rows = list(csv.reader(io.StringIO(xlsx_to_csv(path, 1, tmp_path))))
    descriptions = [row[8] for row in rows[1:]]
    assert "=1+1" in descriptions
    assert "+SUM(1,2)" in descriptions
    assert "@cmd" in descriptions
    assert "\t=2+2" in descriptions
    assert "2" not in descriptions and "3" not in descriptions and "4" not in descriptions


def test_the_export_workbook_command_writes_the_file(auditor, tmp_path):
    built = build_known_campaign(auditor)
    out = tmp_path / "out.xlsx"
    call_command("export_workbook", str(built.campaign.pk), "--out", str(out), stdout=io.StringIO())
    assert "问题登记表" in load_workbook(out).sheetnames


@pytest.mark.slow
def test_the_summary_report_command_writes_the_pdf(auditor, tmp_path):
    built = build_known_campaign(auditor)
    out = tmp_path / "out.pdf"
    call_command("summary_report", str(built.campaign.pk), "--out", str(out), stdout=io.StringIO())
    assert "此次专项审核干部人事档案7卷" in pdf_text(out.read_bytes(), tmp_path)


def test_the_commands_refuse_an_unknown_campaign(tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("summary_report", "999999", "--out", str(tmp_path / "x.pdf"))


def test_every_dismissal_carries_its_reason_in_the_workbook(auditor, other_auditor, tmp_path):
    built = build_known_campaign(auditor, other_auditor)
    add(built.cases[1], "age", "dismissed", rule="AGE-EARLIEST", description="另一条", dismissed_reason="阴阳历换算后一致")
    book = load_workbook(_write(built.campaign, tmp_path))
    rows = list(book["已排除问题"].iter_rows(values_only=True))
    assert rows[0][-1] == "排除理由"
    assert "阴阳历换算后一致" in [row[-1] for row in rows[1:]]
