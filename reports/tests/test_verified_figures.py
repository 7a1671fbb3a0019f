"""Only verified problems count (DOMAIN.md "What the figures count"): a campaign where the
auditor confirmed one system finding, dismissed another and left two unverified gives the same
figures in the report PDF, the dashboard and the workbook, with the unverified ones apart."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from archives.models import Rank
from archives.tests.factories import CadreFactory, UnitFactory
from audits.models import AuditCase, Campaign, CaseState, Category, Discrepancy
from reports import selectors

from .factories import add
from .helpers import pdf_text

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


@pytest.fixture
def campaign(auditor, other_auditor):
    campaign = Campaign.objects.create(name="核实口径批次")
    unit = UnitFactory(name="县发改委")
    for name in ("赵一", "钱二", "孙三", "李四"):
        cadre = CadreFactory(name=name, unit=unit, rank=Rank.FU_KE)
        AuditCase.objects.create(campaign=campaign, dossier=cadre.dossier, initial_reviewer=auditor, re_reviewer=other_auditor)
    a, b, c, d = campaign.cases.order_by("dossier__cadre__name")
    for case, category in ((a, Category.AGE), (b, Category.AGE), (c, Category.AGE), (d, Category.WORK)):
        add(case, category, Discrepancy.State.PENDING, rule="AGE-ID" if category == Category.AGE else "WORK-UNDER-16")
    return campaign


def test_the_report_the_dashboard_and_the_workbook_count_only_what_auditors_verified(client, campaign, auditor, chief, tmp_path):
    first, second, *_ = Discrepancy.objects.filter(case__campaign=campaign, category=Category.AGE).order_by("pk")
    client.force_login(auditor)
    assert client.post(reverse("audits:detection:discrepancy_confirm", args=[first.pk]), {"version": first.version}).status_code == 302
    assert (
        client.post(reverse("audits:detection:discrepancy_dismiss", args=[second.pk]), {"version": second.version, "reason": "阴阳历换算后一致"}).status_code
        == 302
    )
    assert Discrepancy.objects.get(pk=first.pk).state == Discrepancy.State.REGISTERED

    stats = selectors.campaign_statistics(campaign)
    assert (stats.discrepancies, stats.cadres_with_discrepancies, stats.pending_findings, stats.consistent_cadres) == (1, 1, 2, 0)
    assert stats.category("age").cadres == 1 and stats.category("work").cadres == 0 and stats.is_draft

    client.force_login(chief)
    report = pdf_text(client.get(reverse("reports:summary_pdf", args=[campaign.pk])).content, tmp_path)
    assert "本报告为初稿：尚有4卷未审结，系统比对疑点2条待核实。" in report
    assert "的1人，占总数的25.0%" in report  # age: the confirmed one only
    assert "经核实存在问题的干部1名" in report
    assert "参加工作时间与档案最早记载不一致或存在疑点的0人" in report

    dashboard = client.get(reverse("reports:dashboard", args=[campaign.pk])).content.decode()
    assert 'data-stat="discrepancies">1<' in dashboard and 'data-stat="pending">2<' in dashboard and 'data-stat="consistent">0<' in dashboard

    book = load_workbook(io.BytesIO(client.get(reverse("reports:workbook", args=[campaign.pk])).content))
    assert len(list(book["问题登记表"].iter_rows(min_row=2))) == 1
    assert len(list(book["待核实疑点"].iter_rows(min_row=2))) == 1 + 1
    assert len(list(book["已排除问题"].iter_rows(min_row=2))) == 1
    overview = dict(book["总体情况"].iter_rows(min_row=2, values_only=True))
    assert overview["登记问题（条，不含已排除、已撤销）"] == 1
    assert overview["系统比对疑点待核实（条，不计入以上数字）"] == 2
    assert overview["存在问题（人）"] == 1
    by_category = {row[0]: row for row in book["按类别统计"].iter_rows(min_row=2, max_row=6, values_only=True)}
    assert by_category["年龄"][1] == 1 and by_category["年龄"][8] == 1 and by_category["工龄"][1] == 0 and by_category["工龄"][8] == 1


def test_the_draft_marker_goes_once_every_case_is_reviewed_and_every_finding_verified(client, campaign, chief, tmp_path):
    client.force_login(chief)
    assert "初稿" in pdf_text(client.get(reverse("reports:summary_pdf", args=[campaign.pk])).content, tmp_path)
    Discrepancy.objects.filter(case__campaign=campaign).update(state=Discrepancy.State.DISMISSED)
    AuditCase.objects.filter(campaign=campaign).update(state=CaseState.CLOSED)
    final = pdf_text(client.get(reverse("reports:summary_pdf", args=[campaign.pk])).content, tmp_path)
    assert "初稿" not in final
    assert "完全一致的4名，占总数的100.0%" in final
