"""The summary report and the 认定表 read back through pdftotext and pdffonts."""

import datetime as dt

import pytest
from django.utils import timezone

from reports import pdf, selectors, services
from reports.models import ReportSettings
from reports.narrative import DEFAULT_PRACTICES

from .factories import build_known_campaign
from .helpers import pdf_fonts, pdf_text

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def _today() -> str:
    d = timezone.localdate()
    return f"{d.year}年{d.month}月{d.day}日"


def test_every_figure_of_the_summary_report_matches_the_data(auditor, other_auditor, tmp_path):
    built = build_known_campaign(auditor, other_auditor)
    text = pdf_text(pdf.render_summary_report(selectors.summary_report(built.campaign)), tmp_path)

    expected = [
        "干部人事档案专项审核工作总结报告",
        "上级组织部门：",
        "一、专项审核情况",
        # dossiers and ranks
        "本次专项审核干部人事档案7卷，其中正科级2人，副科级2人，科员3人。",
        # progress by stage
        f"截至{_today()}，已办结2卷，处于整改阶段2卷，尚在审核环节3卷（初审1卷、交叉复审1卷、科长把关1卷）。",
        # fully consistent (乙 only: his one finding was dismissed)
        "审核的7卷档案中，档案记载与现有干部信息完全一致的1名，占总数的14.3%；其余6名干部",
        # (一) age: 甲 twice, counted once; 1 corrected, 1 open
        "（一）年龄方面：",
        "的1人，占总数的14.3%。共登记此类问题2条，已纠正1条、已认定0条，尚在整改1条、涉及1人",
        # (二) work
        "（二）工龄方面：",
        "的1人，占总数的14.3%。共登记此类问题1条，已纠正0条、已认定1条，目前已全部整改到位。",
        # (三) party: 丁 (disagree + no application), 戊 (no application), 庚 (manual)
        "（三）党龄方面：",
        "需按入党志愿书所载支部大会通过时间规范记载的2人，入党申请书缺失、需要补充的2人，合计3人",
        "占总数的42.9%。共登记此类问题4条，已纠正1条、已认定1条，尚在整改2条、涉及2人",
        # (四) education
        "（四）学历学位方面：",
        "的1人，占总数的14.3%。共登记此类问题1条，已纠正1条、已认定0条，目前已全部整改到位。",
        # (五) experience: the withdrawn finding of 己 does not count
        "（五）经历方面：",
        "的1人，占总数的14.3%。共登记此类问题1条，已纠正0条、已认定0条，尚在整改1条、涉及1人",
        "二、主要做法",
        "三、存在问题和今后打算",
        "组织部" + _today(),
        # appendix
        "附表：专项审核统计表",
        "表1审核总体情况",
        "审核档案（卷）7档案记载与现有信息完全一致（人）1完全一致占总数14.3%存在问题（人）6登记问题（条）9已整改（条）5待整改（条）4",
        "年龄114.3%2101",
        "工龄114.3%1010",
        "党龄342.9%4112",
        "学历学位114.3%1100",
        "经历114.3%1001",
        "其中：党龄记载不一致228.6%",
        "其中：缺入党申请书228.6%",
        "正科级2121",
        "副科级2231",
        "科员3342",
        "县委办公室3231",
        "县财政局4463",
    ]
    for fragment in expected:
        assert fragment in text, fragment
    # The default narrative is the product's own, paragraph by paragraph.
    assert DEFAULT_PRACTICES.splitlines()[0].replace(" ", "")[:30] in text


def test_the_chinese_font_is_embedded_and_nothing_else_is_used(auditor, tmp_path):
    built = build_known_campaign(auditor)
    fonts = pdf_fonts(pdf.render_summary_report(selectors.summary_report(built.campaign)), tmp_path)
    assert fonts
    for row in fonts:
        assert "KurintoSansSC" in row[0]
        assert row[-5] == "yes", row  # the "emb" column


def test_the_page_is_a4_and_numbered(auditor, tmp_path):
    from pypdf import PdfReader

    built = build_known_campaign(auditor)
    content = pdf.render_summary_report(selectors.summary_report(built.campaign))
    path = tmp_path / "r.pdf"
    path.write_bytes(content)
    reader = PdfReader(str(path))
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)
    total = len(reader.pages)
    assert f"第 1 页 共 {total} 页" in reader.pages[0].extract_text()


def test_the_report_carries_what_the_chief_wrote(chief, tmp_path):
    built = build_known_campaign()
    services.report_settings_update(
        campaign=built.campaign,
        user=chief,
        addressee="市委组织部",
        issuing_unit="中共某县委组织部",
        report_date=dt.date(2024, 12, 20),
        practices="我们的第一条做法。\n我们的第二条做法。",
        problems="存在的一个问题。",
    )
    assert ReportSettings.objects.get(campaign=built.campaign).updated_by == chief
    text = pdf_text(pdf.render_summary_report(selectors.summary_report(built.campaign)), tmp_path)
    for fragment in ("市委组织部：", "我们的第一条做法。我们的第二条做法。", "存在的一个问题。", "中共某县委组织部2024年12月20日"):
        assert fragment in text


def test_the_determination_sheet_shows_items_materials_and_reviewers(auditor, other_auditor, tmp_path):
    built = build_known_campaign(auditor, other_auditor)
    first = built.cases[0]  # 甲: birth date corrected from a 中学学籍表
    text = pdf_text(pdf.render_determination_sheets(selectors.determination_sheets(built.campaign, [first.pk])), tmp_path, layout=True)
    cadre = first.dossier.cadre
    for fragment in (
        "干部人事档案专项审核认定表",
        "姓名甲",
        cadre.id_number,
        "1975.03.12",  # current
        "《中学学籍表》（1990.09）：1975.05",  # recorded, with its material
        "出生日期与最早材料不一致（已纠正）",
        "参加工作时间",
        "入党时间",
        "学历学位",
        "工作经历",
        f"初审人张审核初审日期{timezone.localdate():%Y-%m-%d}",
        f"复审人李审核复审日期{timezone.localdate():%Y-%m-%d}",
    ):
        assert fragment in text, fragment


def test_the_batch_holds_one_sheet_per_case(auditor, tmp_path):
    built = build_known_campaign(auditor)
    text = pdf_text(pdf.render_determination_sheets(selectors.determination_sheets(built.campaign)), tmp_path, layout=True)
    assert text.count("干部人事档案专项审核认定表") == 7
    for name in "甲乙丙丁戊己庚":
        assert f"姓名{name}" in text
