"""Pages and action views: access, methods, what they change, and query counts."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from archives.dates import PartialDate
from archives.models import DossierUse, Recusal
from archives.tests.factories import CadreFactory, MaterialFactory, ResumePeriodFactory
from audits import services
from audits.models import AuditCase, Campaign, CaseState, Discrepancy, MaterialRequest
from audits.tests.factories import AuditCaseFactory, CampaignFactory, DiscrepancyFactory
from audits.workflow import Action

pytestmark = pytest.mark.django_db


def at(case, state, **fields):
    AuditCase.objects.filter(pk=case.pk).update(state=state, **fields)
    case.refresh_from_db()
    return case


def act_url(case, action):
    return reverse("audits:case_act", args=[case.pk, action])


# --- access ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name,args",
    [
        ("audits:campaign_list", []),
        ("audits:campaign_create", []),
        ("audits:case_list", []),
        ("audits:overdue_requests", []),
    ],
)
def test_anonymous_users_go_to_login(client, name, args):
    response = client.get(reverse(name, args=args))
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_anonymous_case_page_goes_to_login(client, case):
    response = client.get(reverse("audits:case_detail", args=[case.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response.url
    response = client.post(act_url(case, Action.SUBMIT_INITIAL))
    assert response.status_code == 302 and "/accounts/login/" in response.url


@pytest.mark.parametrize("who", ["outsider", "archivist"])
def test_users_without_an_audit_role_get_403(client, case, request, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("audits:case_detail", args=[case.pk])).status_code == 403
    assert client.get(reverse("audits:campaign_list")).status_code == 403
    assert client.get(reverse("audits:case_list")).status_code == 403


def test_an_auditor_not_assigned_gets_404(client, case, third_auditor):
    client.force_login(third_auditor)
    assert client.get(reverse("audits:case_detail", args=[case.pk])).status_code == 404


def test_nobody_opens_their_own_dossier(client, chief, auditor):
    case = AuditCaseFactory(dossier=CadreFactory(user=chief).dossier, initial_reviewer=auditor)
    client.force_login(chief)
    assert client.get(reverse("audits:case_detail", args=[case.pk])).status_code == 404


def test_nobody_opens_a_relatives_dossier(client, case, leader):
    Recusal.objects.create(user=leader, cadre=case.dossier.cadre, relation="父子")
    client.force_login(leader)
    assert client.get(reverse("audits:case_detail", args=[case.pk])).status_code == 404


def test_auditors_cannot_open_campaign_pages(client, auditor, case):
    client.force_login(auditor)
    assert client.get(reverse("audits:campaign_detail", args=[case.campaign_id])).status_code == 403
    assert client.get(reverse("audits:campaign_create")).status_code == 403


# --- the case page ---------------------------------------------------------------------


def test_opening_the_case_page_writes_a_usage_register_row(client, case, auditor):
    client.force_login(auditor)
    response = client.get(reverse("audits:case_detail", args=[case.pk]))
    assert response.status_code == 200
    row = DossierUse.objects.get(dossier=case.dossier)
    assert row.user == auditor and row.kind == DossierUse.Kind.VIEW
    assert case.campaign.name in row.purpose and row.path == reverse("audits:case_detail", args=[case.pk])


def test_the_case_page_shows_everything_side_by_side(client, case, auditor):
    cadre = case.dossier.cadre
    MaterialFactory(dossier=case.dossier, title="入团志愿书", formed_date=PartialDate(1990, 5), recorded_birth_date=PartialDate(1976, 3))
    ResumePeriodFactory(cadre=cadre, start=PartialDate(1995, 7), end=PartialDate(1998, 6), unit_and_post="某乡干事")
    ResumePeriodFactory(cadre=cadre, start=PartialDate(1999, 9), end=None, unit_and_post="某局科员")
    DiscrepancyFactory(case=case, description="出生日期不一致")
    client.force_login(auditor)
    html = client.get(reverse("audits:case_detail", args=[case.pk])).content.decode()
    for text in ("现有信息", "入团志愿书", "1976.03", "某乡干事", "时间轴", "经历空档", "出生日期不一致", "流转记录", "提交初审", "登记问题"):
        assert text in html, text


def test_the_case_page_shows_nested_periods_under_their_post_and_on_their_own_timeline_row(client, case, auditor):
    cadre = case.dossier.cadre
    ResumePeriodFactory(cadre=cadre, start=PartialDate(1995, 7), end=PartialDate(2004, 12), unit_and_post="某乡干事")
    ResumePeriodFactory(cadre=cadre, start=PartialDate(2005, 1), end=None, unit_and_post="某局副局长")
    ResumePeriodFactory(cadre=cadre, start=PartialDate(2005, 1), end=PartialDate(2007, 1), unit_and_post="其间兼任某协会秘书长", kind="兼职")
    ResumePeriodFactory(cadre=cadre, start=PartialDate(1993, 9), end=PartialDate(1994, 7), unit_and_post="其间：参加县委党校培训", kind="在职学习")
    client.force_login(auditor)
    html = client.get(reverse("audits:case_detail", args=[case.pk])).content.decode()
    assert '<span class="badge text-bg-secondary">兼职</span> 其间兼任某协会秘书长' in html
    assert html.index("某局副局长") < html.index("其间兼任某协会秘书长")
    assert "timeline-row timeline-nested" in html and "兼职·其间兼任某协会秘书长" in html
    assert "经历连续，无空档或重叠" in html  # the nested period starting with the post is no overlap
    assert "超出任职经历范围" in html and "在职学习“其间：参加县委党校培训”（1993.09—1994.07）不在任职经历的起止范围之内" in html
    assert "修改</a>" not in html  # editing the résumé is the archivist's, on the dossier page


def test_the_chief_sees_no_auditor_buttons(client, case, chief):
    client.force_login(chief)
    html = client.get(reverse("audits:case_detail", args=[case.pk])).content.decode()
    assert "提交初审" not in html and "登记问题</a>" not in html


# --- workflow actions ------------------------------------------------------------------


def test_a_get_on_an_action_is_405(client, case, auditor):
    client.force_login(auditor)
    assert client.get(act_url(case, Action.SUBMIT_INITIAL)).status_code == 405


def test_the_initial_reviewer_submits_through_the_page(client, case, auditor):
    client.force_login(auditor)
    response = client.post(act_url(case, Action.SUBMIT_INITIAL), {"version": 0, "comment": "完成"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == CaseState.RE_REVIEW


def test_the_chief_cannot_submit_an_initial_review(client, case, chief):
    client.force_login(chief)
    assert client.post(act_url(case, Action.SUBMIT_INITIAL), {"version": 0}).status_code == 403


def test_an_auditor_cannot_approve(client, case, auditor):
    at(case, CaseState.CHIEF_CHECK)
    client.force_login(auditor)
    assert client.post(act_url(case, Action.CHIEF_APPROVE), {"version": 0}).status_code == 403


def test_the_leader_cannot_act_on_a_case_not_sampled(client, case, leader):
    at(case, CaseState.LEADER_CHECK)
    client.force_login(leader)
    assert client.post(act_url(case, Action.LEADER_APPROVE), {"version": 0}).status_code == 403


def test_an_unknown_action_is_404(client, case, chief):
    client.force_login(chief)
    assert client.post(act_url(case, "approve_all"), {"version": 0}).status_code == 404


def test_a_stale_form_is_told_what_happened(client, case, chief):
    at(case, CaseState.CHIEF_CHECK)
    DiscrepancyFactory(case=case)
    client.force_login(chief)
    client.post(act_url(case, Action.CHIEF_APPROVE), {"version": 0})
    response = client.post(act_url(case, Action.CHIEF_RETURN), {"version": 0, "comment": "退回"}, follow=True)
    assert "刚刚已被处理" in response.content.decode()
    case.refresh_from_db()
    assert case.state == CaseState.RECTIFICATION


def test_a_return_without_a_reason_is_refused_with_a_message(client, case, chief):
    at(case, CaseState.CHIEF_CHECK)
    client.force_login(chief)
    response = client.post(act_url(case, Action.CHIEF_RETURN), {"version": 0, "comment": ""}, follow=True)
    assert "退回必须填写理由" in response.content.decode()


def test_the_chief_reassigns_through_the_page(client, case, chief, auditor, third_auditor):
    client.force_login(chief)
    response = client.post(reverse("audits:case_reassign", args=[case.pk]), {"version": 0, "initial_reviewer": auditor.pk, "re_reviewer": third_auditor.pk})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.re_reviewer == third_auditor


# --- campaigns -------------------------------------------------------------------------


def test_the_chief_creates_a_campaign_in_the_browser(client, chief, auditor, other_auditor):
    CadreFactory.create_batch(3)
    client.force_login(chief)
    response = client.post(
        reverse("audits:campaign_create"),
        {
            "name": "浏览器批次",
            "auditors": [auditor.pk, other_auditor.pk],
            "sample_rate": "20",
            "deadline": "2026-12-31",
            "force_sample_with_discrepancies": "on",
        },
    )
    campaign = Campaign.objects.get(name="浏览器批次")
    assert response.status_code == 302 and response.url == reverse("audits:campaign_detail", args=[campaign.pk])
    assert campaign.cases.count() == 3 and campaign.force_sample_with_discrepancies
    assert campaign.sample_rate == Decimal("0.2")  # typed as a percentage
    # 系统比对 ran by itself (inline here: no broker): the page says so, with no button press.
    page = client.get(response.url).content.decode()
    assert "上次比对：检查 3 卷" in page and "尚未运行" not in page


def test_the_campaign_page_shows_the_seed_and_the_sampled_cases(client, chief, auditor, other_auditor):
    CadreFactory.create_batch(4)
    campaign = services.campaign_create(name="批次", created_by=chief, auditors=[auditor, other_auditor], sample_rate="0.5")
    client.force_login(chief)
    assert client.post(reverse("audits:campaign_draw_sample", args=[campaign.pk])).status_code == 302
    campaign.refresh_from_db()
    html = client.get(reverse("audits:campaign_detail", args=[campaign.pk])).content.decode()
    assert str(campaign.sample_seed) in html and "复核一致" in html
    for case in campaign.cases.filter(sampled=True):
        assert case.dossier.cadre.name in html


def test_drawing_the_sample_is_post_only_and_chief_only(client, chief, leader):
    campaign = CampaignFactory()
    client.force_login(chief)
    assert client.get(reverse("audits:campaign_draw_sample", args=[campaign.pk])).status_code == 405
    client.force_login(leader)
    assert client.post(reverse("audits:campaign_draw_sample", args=[campaign.pk])).status_code == 403


# --- the discrepancy register ----------------------------------------------------------


def test_registering_a_discrepancy_through_the_page(client, case, auditor):
    material = MaterialFactory(dossier=case.dossier, recorded_birth_date=PartialDate(1976, 3))
    client.force_login(auditor)
    url = reverse("audits:discrepancy_create", args=[case.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"category": "age", "description": "出生日期不一致", "severity": "normal", f"cite_{material.pk}": "on", f"value_{material.pk}": ""}
    )
    assert response.status_code == 302
    d = Discrepancy.objects.get(case=case)
    assert d.citations.get().recorded_value == "1976.03"


def test_an_edit_over_someone_elses_edit_is_shown_on_the_form(client, case, auditor):
    d = services.discrepancy_register(case=case, user=auditor, category="age", description="原描述")
    services.discrepancy_update(discrepancy=d, user=auditor, expected_version=0, description="别人改过")
    client.force_login(auditor)
    response = client.post(reverse("audits:discrepancy_edit", args=[d.pk]), {"version": 0, "category": "age", "description": "我的修改", "severity": "normal"})
    assert response.status_code == 200 and "没有保存" in response.content.decode()


def test_the_re_reviewer_cannot_register_during_initial_review(client, case, other_auditor):
    client.force_login(other_auditor)
    response = client.post(reverse("audits:discrepancy_create", args=[case.pk]), {"category": "age", "description": "x", "severity": "normal"})
    assert response.status_code == 403 and "只有本案卷的初审人" in response.content.decode()
    assert not Discrepancy.objects.exists()
    # The form page itself is not offered either, with the same reason (one predicate).
    response = client.get(reverse("audits:discrepancy_create", args=[case.pk]))
    assert response.status_code == 403 and "只有本案卷的初审人" in response.content.decode()


# --- rectification ---------------------------------------------------------------------


@pytest.fixture
def finding(case):
    at(case, CaseState.RECTIFICATION, findings_frozen=True)
    return DiscrepancyFactory(case=case)


def test_the_discrepancy_page_writes_a_usage_row_and_shows_the_forms(client, finding, auditor):
    client.force_login(auditor)
    html = client.get(reverse("audits:discrepancy_detail", args=[finding.pk])).content.decode()
    assert "信息反馈" in html and "约谈" in html and "补充材料" in html
    assert DossierUse.objects.filter(dossier=finding.case.dossier, user=auditor).exists()


def test_feedback_through_the_page(client, finding, auditor):
    client.force_login(auditor)
    response = client.post(reverse("audits:feedback_create", args=[finding.pk]), {"sent_on": "2026-03-01", "content": "请核对"})
    assert response.status_code == 302
    assert finding.feedbacks.get().round == 1


def test_a_refused_rectification_step_shows_the_error_on_the_form(client, finding, chief):
    material = MaterialFactory(dossier=finding.case.dossier)
    client.force_login(chief)
    response = client.post(reverse("audits:material_weed", args=[finding.pk]), {"material": material.pk, "reason": "重复", "approved_by": " "})
    assert response.status_code == 400


def test_rectification_actions_are_post_only(client, finding, auditor):
    client.force_login(auditor)
    assert client.get(reverse("audits:feedback_create", args=[finding.pk])).status_code == 405


# --- query counts ----------------------------------------------------------------------


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def _fill(campaign, auditor, other_auditor, n):
    for _ in range(n):
        case = AuditCaseFactory(campaign=campaign, initial_reviewer=auditor, re_reviewer=other_auditor)
        d = DiscrepancyFactory(case=case)
        MaterialRequest.objects.create(discrepancy=d, method=MaterialRequest.Method.PHONE, requested_material="x", due_on=dt.date(2020, 1, 1))


LIST_PAGES = [
    ("auditor", "audits:case_list", {"queue": "mine"}),
    ("chief", "audits:case_list", {"queue": "all"}),
    ("chief", "audits:campaign_list", {}),
    ("chief", "campaign_detail", {}),
    ("chief", "audits:overdue_requests", {}),
    ("auditor", "home", {}),
    ("chief", "home", {}),
    ("leader", "home", {}),
]


@pytest.mark.parametrize("who,name,params", LIST_PAGES)
def test_list_pages_make_a_constant_number_of_queries(client, request, auditor, other_auditor, chief, who, name, params, django_assert_max_num_queries):
    user = request.getfixturevalue(who)
    campaign = CampaignFactory()
    url = reverse("audits:campaign_detail", args=[campaign.pk]) if name == "campaign_detail" else reverse(name)
    if params:
        url += "?" + "&".join(f"{k}={v}" for k, v in params.items())
    client.force_login(user)
    _fill(campaign, auditor, other_auditor, 2)
    few = _count(client, url)
    _fill(campaign, auditor, other_auditor, 10)
    CampaignFactory.create_batch(3)
    with django_assert_max_num_queries(few):
        client.get(url)


@pytest.mark.parametrize(("who", "shown"), [("chief", True), ("leader", True)])
def test_chief_and_leader_can_start_detection_from_the_campaign_page(client, request, who, shown):
    campaign = CampaignFactory()
    client.force_login(request.getfixturevalue(who))
    html = client.get(reverse("audits:campaign_detail", args=[campaign.pk])).content.decode()
    assert (reverse("audits:detection:detection_start", args=[campaign.pk]) in html) is shown
