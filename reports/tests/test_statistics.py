"""The one selector: figures of the known campaign, constant query count, pure renderers."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from archives.models import Rank
from archives.tests.factories import CadreFactory, UnitFactory
from audits.models import AuditCase, Campaign, CaseState, Category, Discrepancy
from reports import pdf, selectors, sheet_pdf, workbook
from reports.data import (
    AuditorRow,
    CampaignStatistics,
    CategoryStats,
    CountRow,
    DeterminationSheet,
    DiscrepancyRow,
    GroupRow,
    Narrative,
    Sheet,
    SheetItem,
    SheetRecord,
    SummaryReport,
    WorkbookData,
    share,
    share_text,
)

from .factories import add, build_known_campaign

pytestmark = pytest.mark.django_db


def test_shares_have_one_decimal_rounded_half_up():
    assert share(3, 7) == Decimal("42.9")
    assert share(1, 8) == Decimal("12.5")
    assert share(1, 16) == Decimal("6.3")  # 6.25 rounds up
    assert share_text(0, 0) == "0.0%"


def test_it_counts_the_known_campaign(auditor, other_auditor):
    built = build_known_campaign(auditor, other_auditor)
    stats = selectors.campaign_statistics(built.campaign)
    assert stats.total_cases == 7
    assert [(r.label, r.cases) for r in stats.by_rank] == [("正科级", 2), ("副科级", 2), ("科员", 3)]
    # Only what auditors verified counts: 戊's pending system finding does not (DOMAIN.md).
    assert stats.consistent_cadres == 1  # 乙: reviewed, its one finding dismissed
    assert stats.inconsistent_cadres == stats.cadres_with_discrepancies == 5
    assert stats.discrepancies == 8
    assert (stats.pending_findings, stats.reviewed_cases, stats.unfinished_cases, stats.is_draft) == (1, 4, 3, True)
    age, work, party, education, experience = stats.categories
    assert (age.cadres, age.discrepancies, age.corrected, age.determined, age.open, age.cadres_open) == (1, 2, 1, 0, 1, 1)
    assert (age.cadres_determined, age.cadres_corrected) == (1, 1)
    assert (work.cadres, work.determined, work.open, work.cadres_determined, work.cadres_corrected) == (1, 1, 0, 1, 0)
    assert (party.cadres, party.cadres_inconsistent, party.cadres_missing_application, party.pending) == (2, 2, 1, 1)
    assert (party.discrepancies, party.corrected, party.determined, party.open, party.cadres_open) == (3, 1, 1, 1, 1)
    assert (education.cadres, education.corrected) == (1, 1)
    assert (experience.cadres, experience.open) == (1, 1)
    assert {r.code: r.count for r in stats.stages} == {
        "initial_review": 1,
        "re_review": 1,
        "chief_check": 1,
        "leader_check": 0,
        "rectification": 2,
        "closed": 2,
    }
    states = {r.code: (r.count, r.counted) for r in stats.states}
    assert states["dismissed"] == (1, False)
    assert states["withdrawn"] == (1, False)
    assert states["registered"] == (3, True)
    assert states["pending"] == (1, False)
    assert [(u.label, u.cases, u.cadres_with_discrepancies, u.discrepancies) for u in stats.by_unit] == [("县委办公室", 3, 2, 3), ("县财政局", 4, 3, 5)]
    by_name = {a.name: a for a in stats.auditors}
    assert by_name["张审核"].initial_assigned == 6
    assert by_name["张审核"].registered == 4
    assert by_name["李审核"].re_assigned == 5
    assert stats.overdue_requests == 0


def test_it_counts_open_material_requests_past_their_due_date(auditor):
    import datetime as dt

    from audits.models import MaterialRequest

    campaign = Campaign.objects.create(name="批次")
    other = Campaign.objects.create(name="另一批次")
    finding = add(AuditCase.objects.create(campaign=campaign, dossier=CadreFactory().dossier), Category.PARTY, Discrepancy.State.REGISTERED)
    elsewhere = add(AuditCase.objects.create(campaign=other, dossier=CadreFactory().dossier), Category.PARTY, Discrepancy.State.REGISTERED)
    yesterday = dt.date.today() - dt.timedelta(days=1)
    request = dict(method=MaterialRequest.Method.values[0], requested_material="入党申请书", due_on=yesterday)
    MaterialRequest.objects.create(discrepancy=finding, **request)
    MaterialRequest.objects.create(discrepancy=finding, **{**request, "due_on": dt.date.today() + dt.timedelta(days=3)})
    MaterialRequest.objects.create(discrepancy=finding, state=MaterialRequest.State.values[1], **request)
    MaterialRequest.objects.create(discrepancy=elsewhere, **request)
    assert selectors.campaign_statistics(campaign).overdue_requests == 1


def test_a_cadre_counts_once_per_category_however_many_findings():
    campaign = Campaign.objects.create(name="批次")
    cadre = CadreFactory()
    case = AuditCase.objects.create(campaign=campaign, dossier=cadre.dossier)
    for _ in range(3):
        add(case, Category.AGE, Discrepancy.State.REGISTERED)
    stats = selectors.campaign_statistics(campaign)
    assert stats.category("age").cadres == 1
    assert stats.category("age").discrepancies == 3


def _grow(campaign, n, unit):
    for i in range(n):
        cadre = CadreFactory(unit=unit, rank=[Rank.ZHENG_KE, Rank.FU_KE, Rank.KE_YUAN][i % 3])
        case = AuditCase.objects.create(campaign=campaign, dossier=cadre.dossier, state=CaseState.RE_REVIEW)
        add(case, list(Category)[i % 5], Discrepancy.State.REGISTERED)


def test_its_query_count_does_not_grow_with_the_campaign(auditor):
    campaign = Campaign.objects.create(name="批次")
    _grow(campaign, 3, UnitFactory(name="甲单位"))
    with CaptureQueriesContext(connection) as small:
        selectors.campaign_statistics(campaign)
    _grow(campaign, 30, UnitFactory(name="乙单位"))
    with CaptureQueriesContext(connection) as large:
        stats = selectors.campaign_statistics(campaign)
    assert stats.total_cases == 33
    assert len(small.captured_queries) == len(large.captured_queries)
    assert len(large.captured_queries) <= 18


def test_the_workbook_and_sheet_selectors_have_a_constant_query_count():
    campaign = Campaign.objects.create(name="批次")
    _grow(campaign, 3, UnitFactory(name="甲单位"))
    with CaptureQueriesContext(connection) as small:
        selectors.workbook_data(campaign)
        selectors.determination_sheets(campaign)
    _grow(campaign, 20, UnitFactory(name="乙单位"))
    with CaptureQueriesContext(connection) as large:
        selectors.workbook_data(campaign)
        selectors.determination_sheets(campaign)
    assert len(small.captured_queries) == len(large.captured_queries)


# --- renderers with hand-built data --------------------------------------------------------


def hand_built_statistics() -> CampaignStatistics:
    return CampaignStatistics(
        campaign_id=1,
        campaign_name="手工数据批次",
        generated_at=timezone.make_aware(dt.datetime(2024, 6, 1, 9, 30)),
        total_cases=40,
        by_rank=[GroupRow("正科级", 10, 4, 5, 1), GroupRow("科员", 30, 6, 9, 2)],
        consistent_cadres=30,
        discrepancies=14,
        categories=[
            CategoryStats("age", "年龄", cadres=3, discrepancies=4, corrected=4, cadres_resolved=3),
            CategoryStats("work", "工龄", cadres=2, discrepancies=2, determined=2, cadres_resolved=2),
            CategoryStats(
                "party", "党龄", cadres=4, discrepancies=5, corrected=2, open=3, cadres_resolved=2, cadres_inconsistent=3, cadres_missing_application=2
            ),
            CategoryStats("education", "学历学位", cadres=1, discrepancies=1, open=1),
            CategoryStats("experience", "经历", cadres=2, discrepancies=2, corrected=2, cadres_resolved=2),
        ],
        stages=[CountRow("initial_review", "初审", 0), CountRow("closed", "已办结", 40)],
        states=[CountRow("registered", "已登记", 4), CountRow("dismissed", "已排除", 2, counted=False)],
        by_unit=[GroupRow("某县/财政局", 40, 10, 14, 3)],
        auditors=[AuditorRow("张三", 20, 20, 20, 20, 7)],
    )


def hand_built_narrative() -> Narrative:
    return Narrative(
        title="测试报告",
        addressee="市委组织部",
        issuing_unit="某县委组织部",
        report_date=dt.date(2024, 6, 3),
        opening="开头。",
        practices="做法一。\n做法二。",
        problems="问题一。",
    )


def hand_built_sheet() -> DeterminationSheet:
    return DeterminationSheet(
        campaign_name="手工数据批次",
        case_id=1,
        name="王五",
        gender="男",
        ethnicity="汉族",
        id_number="34112219750312005X",
        unit="某县/财政局",
        position="科长",
        rank="正科级",
        items=[
            SheetItem(
                "出生日期",
                "1975.03.12",
                [SheetRecord("招工登记表", "1993.07", "1975.05", earliest=True)],
                ["1975.05"],
                ["《招工登记表》（1993.07）"],
                "出生日期与最早记载不一致",
            )
        ]
        + [SheetItem(label, "", [], [], []) for label in ("参加工作时间", "入党时间", "学历学位", "经历")],
        initial_reviewer="张三",
        initial_reviewed_at="2024-05-01",
        re_reviewer="李四",
        re_reviewed_at="2024-05-02",
    )


def test_the_renderers_make_no_queries(django_assert_num_queries):
    stats = hand_built_statistics()
    rows = [DiscrepancyRow("王五", "34112219750312005X", "某县/财政局", "科长", "正科级", "年龄", "AGE-ALTERED", "=1+1", "系统比对", "已登记")]
    with django_assert_num_queries(0):
        summary = pdf.render_summary_report(SummaryReport(statistics=stats, narrative=hand_built_narrative()))
        sheets = sheet_pdf.render_determination_sheets([hand_built_sheet(), hand_built_sheet()])
        buffer = io.BytesIO()
        workbook.write_workbook(WorkbookData(statistics=stats, discrepancies=rows, set_aside=[], registers=[Sheet("接收登记表", ["流水号"], [(1,)])]), buffer)
    assert summary.startswith(b"%PDF")
    assert sheets.startswith(b"%PDF")
    assert buffer.getvalue()[:2] == b"PK"


def test_a_very_long_cell_does_not_break_the_sheet_layout():
    sheet = hand_built_sheet()
    long_item = SheetItem(
        "经历",
        "简历共80段",
        [SheetRecord(f"证明材料{i}", "", f"{1980 + i}.01—{1980 + i}.12 某单位某职务") for i in range(80)],
        [f"{1980 + i}.01—{1980 + i}.12 某单位某职务" for i in range(80)],
        ["《干部任免审批表》（2001.05）"] * 40,
        "经历缺少证明材料",
    )
    sheet = DeterminationSheet(**{**sheet.__dict__, "items": [*sheet.items[:4], long_item]})
    assert sheet_pdf.render_determination_sheets([sheet]).startswith(b"%PDF")


def test_the_work_done_on_each_category_is_counted(auditor):
    from audits.models import Feedback, Interview, MaterialRequest

    campaign = Campaign.objects.create(name="批次")
    case = AuditCase.objects.create(campaign=campaign, dossier=CadreFactory().dossier, state=CaseState.RECTIFICATION)
    other = AuditCase.objects.create(campaign=campaign, dossier=CadreFactory().dossier, state=CaseState.RECTIFICATION)
    age = add(case, Category.AGE, Discrepancy.State.RECTIFYING)
    age_other = add(other, Category.AGE, Discrepancy.State.CORRECTED)
    dismissed = add(other, Category.AGE, Discrepancy.State.DISMISSED)
    for n in (1, 2, 3):
        Feedback.objects.create(discrepancy=age, round=n, sent_on=dt.date(2026, 3, n), content="请核对")
    Feedback.objects.create(discrepancy=age_other, round=1, sent_on=dt.date(2026, 3, 1), content="请核对")
    Feedback.objects.create(discrepancy=dismissed, round=1, sent_on=dt.date(2026, 3, 1), content="不计")
    Interview.objects.create(discrepancy=age, held_on=dt.date(2026, 3, 2), participants="甲", minutes="谈话")
    Interview.objects.create(discrepancy=age_other, held_on=dt.date(2026, 3, 2), participants="甲", minutes="谈话")
    request = dict(method=MaterialRequest.Method.PHONE, requested_material="招工登记表", due_on=dt.date(2026, 4, 1))
    MaterialRequest.objects.create(discrepancy=age, **request)
    MaterialRequest.objects.create(discrepancy=age_other, state=MaterialRequest.State.RECEIVED, **request)
    stats = selectors.campaign_statistics(campaign).category("age")
    assert (stats.feedback_rounds, stats.feedbacks, stats.interviews) == (3, 4, 2)
    assert (stats.materials_requested, stats.materials_received) == (2, 1)
    assert (stats.cadres, stats.cadres_determined, stats.cadres_corrected, stats.open) == (2, 1, 1, 1)


def test_a_report_is_a_draft_exactly_while_cases_are_unfinished_or_findings_unverified():
    campaign = Campaign.objects.create(name="批次")
    case = AuditCase.objects.create(campaign=campaign, dossier=CadreFactory().dossier, state=CaseState.CLOSED)
    assert not selectors.campaign_statistics(campaign).is_draft
    pending = add(case, Category.AGE, Discrepancy.State.PENDING, rule="AGE-ID")
    assert selectors.campaign_statistics(campaign).is_draft
    Discrepancy.objects.filter(pk=pending.pk).update(state=Discrepancy.State.DISMISSED)
    assert not selectors.campaign_statistics(campaign).is_draft
    AuditCase.objects.create(campaign=campaign, dossier=CadreFactory().dossier, state=CaseState.CHIEF_CHECK)
    stats = selectors.campaign_statistics(campaign)
    assert stats.is_draft and stats.unfinished_cases == 1 and stats.consistent_cadres == 1


def test_a_party_finding_listing_several_rules_counts_as_a_missing_application_when_one_of_them_says_so():
    campaign = Campaign.objects.create(name="批次")
    case = AuditCase.objects.create(campaign=campaign, dossier=CadreFactory().dossier, state=CaseState.CLOSED)
    add(case, Category.PARTY, Discrepancy.State.REGISTERED, rule="PARTY-NO-VOLUNTEER", rules=["PARTY-NO-VOLUNTEER", "PARTY-NO-APPLICATION"])
    party = selectors.campaign_statistics(campaign).category("party")
    assert (party.cadres, party.cadres_missing_application, party.cadres_inconsistent) == (1, 1, 0)


def test_the_sheet_drops_rule_codes_however_many():
    assert (
        selectors._plain("入党材料不全：缺入党志愿书；缺入党申请书。（规则 PARTY-NO-VOLUNTEER、PARTY-NO-APPLICATION）")
        == "入党材料不全：缺入党志愿书；缺入党申请书。"
    )
    assert selectors.RULE_CODE.sub("", "甲（规则 AGE-EARLIEST、AGE-DISAGREE）乙") == "甲乙"
