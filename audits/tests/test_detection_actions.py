"""The auditor's confirm / dismiss of a system finding, and starting a run from the campaign page."""

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse

from archives.models import Recusal
from audits import services
from audits.detection import detect_campaign, detection_progress, discrepancy_confirm, discrepancy_dismiss
from audits.detection.engine import EventAction
from audits.models import AuditCase, CaseState, Category, Discrepancy
from audits.services import determination_default_value

from .detection_data import make_campaign, planted_case

pytestmark = pytest.mark.django_db
State = Discrepancy.State


@pytest.fixture(autouse=True)
def _clear_progress():
    cache.clear()  # progress lives in the cache; campaign ids repeat between tests


@pytest.fixture
def finding(auditor, other_auditor):
    campaign = make_campaign()
    case = planted_case(campaign, "AGE-EARLIEST", initial_reviewer=auditor, re_reviewer=other_auditor)
    detect_campaign(campaign_id=campaign.pk)
    return Discrepancy.objects.get(case=case)


def _to_re_review(finding):
    AuditCase.objects.filter(pk=finding.case_id).update(state=CaseState.RE_REVIEW)
    finding.refresh_from_db()


# --- services -----------------------------------------------------------------------------


def test_the_initial_reviewer_confirms_a_finding(finding, auditor):
    discrepancy_confirm(discrepancy=finding, user=auditor, expected_version=0)
    finding.refresh_from_db()
    assert finding.state == State.REGISTERED and finding.version == 1 and finding.created_by == auditor
    event = finding.events.last()
    assert (event.action, event.actor, event.from_state, event.to_state) == (EventAction.CONFIRMED, auditor, State.PENDING, State.REGISTERED)


def test_the_initial_reviewer_dismisses_a_finding_with_a_reason(finding, auditor):
    discrepancy_dismiss(discrepancy=finding, user=auditor, reason="  阴阳历差异，已有批复  ")
    finding.refresh_from_db()
    assert finding.state == State.DISMISSED and finding.dismissed_reason == "阴阳历差异，已有批复"
    event = finding.events.last()
    assert (event.action, event.comment, event.to_state) == (EventAction.DISMISSED, "阴阳历差异，已有批复", State.DISMISSED)
    # Detection never brings it back.
    detect_campaign(campaign_id=finding.case.campaign_id)
    finding.refresh_from_db()
    assert finding.state == State.DISMISSED


def test_it_refuses_a_dismissal_without_a_reason(finding, auditor):
    with pytest.raises(ValidationError):
        discrepancy_dismiss(discrepancy=finding, user=auditor, reason="   ")
    finding.refresh_from_db()
    assert finding.state == State.PENDING and not finding.events.filter(action=EventAction.DISMISSED).exists()


def test_it_refuses_the_re_reviewer_during_initial_review(finding, other_auditor, third_auditor):
    for user in (other_auditor, third_auditor):
        with pytest.raises(PermissionDenied):
            discrepancy_confirm(discrepancy=finding, user=user)


def test_the_re_reviewer_decides_during_re_review_but_not_the_initial_reviewer(finding, auditor, other_auditor):
    _to_re_review(finding)
    with pytest.raises(PermissionDenied):
        discrepancy_confirm(discrepancy=finding, user=auditor)
    discrepancy_dismiss(discrepancy=finding, user=other_auditor, reason="笔误已更正")
    finding.refresh_from_db()
    assert finding.state == State.DISMISSED


@pytest.mark.parametrize("state", [CaseState.CHIEF_CHECK, CaseState.LEADER_CHECK, CaseState.RECTIFICATION, CaseState.CLOSED])
def test_it_refuses_outside_the_two_reviews(finding, auditor, state):
    AuditCase.objects.filter(pk=finding.case_id).update(state=state)
    with pytest.raises(ValidationError):
        discrepancy_confirm(discrepancy=finding, user=auditor)


def test_it_refuses_when_findings_are_frozen(finding, auditor):
    AuditCase.objects.filter(pk=finding.case_id).update(findings_frozen=True)
    with pytest.raises(ValidationError, match="冻结"):
        discrepancy_confirm(discrepancy=finding, user=auditor)


def test_it_refuses_a_stale_version_and_a_decided_finding(finding, auditor):
    with pytest.raises(ValidationError, match="刷新"):
        discrepancy_confirm(discrepancy=finding, user=auditor, expected_version=7)
    discrepancy_confirm(discrepancy=finding, user=auditor)
    with pytest.raises(ValidationError, match="不是待核实"):
        discrepancy_dismiss(discrepancy=finding, user=auditor, reason="重复")


# --- views --------------------------------------------------------------------------------


def _url(name, pk):
    return reverse(f"audits:detection:{name}", args=[pk])


def test_confirm_view_happy_path(client, finding, auditor):
    client.force_login(auditor)
    response = client.post(_url("discrepancy_confirm", finding.pk), {"version": "0", "next": "/audits/cases/1/"})
    # Without JavaScript: back to the page, at the findings still to decide.
    assert response.status_code == 302 and response.url == "/audits/cases/1/#system-findings"
    finding.refresh_from_db()
    assert finding.state == State.REGISTERED


def test_dismiss_view_requires_a_reason(client, finding, auditor):
    client.force_login(auditor)
    response = client.post(_url("discrepancy_dismiss", finding.pk), {"reason": ""}, follow=True)
    assert "必须填写理由" in response.content.decode()
    finding.refresh_from_db()
    assert finding.state == State.PENDING
    client.post(_url("discrepancy_dismiss", finding.pk), {"reason": "已核实为阴阳历差异"})
    finding.refresh_from_db()
    assert finding.state == State.DISMISSED and finding.dismissed_reason == "已核实为阴阳历差异"


@pytest.mark.parametrize("name", ["discrepancy_confirm", "discrepancy_dismiss"])
def test_decision_views_are_post_only(client, finding, auditor, name):
    client.force_login(auditor)
    assert client.get(_url(name, finding.pk)).status_code == 405


def test_decision_views_send_anonymous_users_to_login(client, finding):
    response = client.post(_url("discrepancy_confirm", finding.pk))
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_an_unassigned_auditor_gets_404(client, finding, third_auditor):
    client.force_login(third_auditor)
    assert client.post(_url("discrepancy_confirm", finding.pk)).status_code == 404
    assert client.post(_url("discrepancy_dismiss", finding.pk), {"reason": "x"}).status_code == 404


def test_a_reviewer_out_of_turn_or_a_chief_gets_403(client, finding, other_auditor, chief):
    for user in (other_auditor, chief):
        client.force_login(user)
        assert client.post(_url("discrepancy_confirm", finding.pk)).status_code == 403
    finding.refresh_from_db()
    assert finding.state == State.PENDING


def test_a_recused_reviewer_gets_404(client, finding, auditor):
    Recusal.objects.create(user=auditor, cadre=finding.case.dossier.cadre, relation="配偶")
    client.force_login(auditor)
    assert client.post(_url("discrepancy_confirm", finding.pk)).status_code == 404


def test_a_rule_violation_comes_back_as_a_message(client, finding, auditor):
    AuditCase.objects.filter(pk=finding.case_id).update(findings_frozen=True)
    client.force_login(auditor)
    response = client.post(_url("discrepancy_confirm", finding.pk), follow=True)
    assert "冻结" in response.content.decode()


# --- the case-page partial ----------------------------------------------------------------


def _render_findings(case, user):
    request = RequestFactory().get("/audits/cases/1/")
    request.user = user
    return Template('{% include "audits/_system_findings.html" %}').render(Context({"case": case, "request": request}))


def test_the_partial_shows_pending_findings_with_forms_for_the_reviewer(finding, auditor, chief):
    html = _render_findings(finding.case, auditor)
    assert finding.description in html and "AGE-EARLIEST" in html and "风险较高" in html
    assert _url("discrepancy_confirm", finding.pk) in html and 'name="reason"' in html and "required" in html
    assert finding.citations.get().material.citation() in html
    assert _url("discrepancy_confirm", finding.pk) not in _render_findings(finding.case, chief)


def test_the_partial_without_findings(auditor):
    case = planted_case(make_campaign(), "AGE-EARLIEST", initial_reviewer=auditor)
    assert "没有待核实的系统比对问题" in _render_findings(case, auditor)


# --- starting from the campaign page ------------------------------------------------------


def test_a_chief_starts_detection_and_sees_the_result_at_once_when_eager(client, chief):
    campaign = make_campaign()
    planted_case(campaign, "EDU-UNVERIFIED")
    client.force_login(chief)
    response = client.post(reverse("audits:detection:detection_start", args=[campaign.pk]), HTTP_ACCEPT="application/json")
    assert response.status_code == 202
    state = response.json()
    assert state["status"] == "done" and state["percent"] == 100
    assert state["result"]["created_total"] == 1 and state["result"]["cases"] == 1
    progress = client.get(reverse("audits:detection:detection_progress", args=[campaign.pk])).json()
    assert progress["status"] == "done" and progress["result"]["current"] == {"education": 1}
    assert Discrepancy.objects.filter(case__campaign=campaign, state=State.PENDING).count() == 1


def test_starting_without_javascript_redirects_with_a_message(client, leader):
    campaign = make_campaign()
    planted_case(campaign, "EDU-UNVERIFIED")
    client.force_login(leader)
    response = client.post(reverse("audits:detection:detection_start", args=[campaign.pk]), {"next": "/somewhere/"})
    assert response.status_code == 302 and response.url == "/somewhere/"
    assert Discrepancy.objects.filter(case__campaign=campaign).count() == 1


def test_detection_start_is_post_only_and_for_chiefs_and_leaders(client, auditor, chief):
    campaign = make_campaign()
    url = reverse("audits:detection:detection_start", args=[campaign.pk])
    client.force_login(chief)
    assert client.get(url).status_code == 405
    client.force_login(auditor)
    assert client.post(url).status_code == 403
    assert client.get(reverse("audits:detection:detection_progress", args=[campaign.pk])).status_code == 403
    client.logout()
    assert client.post(url).status_code == 302


def test_progress_of_a_campaign_never_run_is_idle(client, chief):
    campaign = make_campaign()
    assert detection_progress(campaign_id=campaign.pk)["status"] == "idle"
    client.force_login(chief)
    assert client.get(reverse("audits:detection:detection_progress", args=[campaign.pk])).json()["status"] == "idle"


def test_the_campaign_panel_renders(chief):
    campaign = make_campaign()
    request = RequestFactory().get("/audits/campaigns/1/")
    request.user = chief
    html = Template('{% include "audits/_detection_panel.html" %}').render(Context({"campaign": campaign, "request": request}))
    assert reverse("audits:detection:detection_start", args=[campaign.pk]) in html
    assert reverse("audits:detection:detection_progress", args=[campaign.pk]) in html
    assert "js/detection.js" in html and "运行系统比对" in html


def test_the_panel_says_what_the_data_shows_when_no_run_is_remembered(chief):
    campaign = make_campaign()
    planted_case(campaign, "AGE-ID")
    detect_campaign(campaign_id=campaign.pk)
    cache.clear()  # a run from the command line, or one whose progress expired
    request = RequestFactory().get("/audits/campaigns/1/")
    request.user = chief
    html = Template('{% include "audits/_detection_panel.html" %}').render(Context({"campaign": campaign, "request": request}))
    assert "已运行过系统比对，现有系统比对问题 1 个" in html
    assert "尚未运行" not in html


def test_the_progress_view_reports_only_this_campaigns_run_whatever_task_is_named(client, chief, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False  # the path where a task id would be looked up
    campaign = make_campaign()
    client.force_login(chief)
    url = reverse("audits:detection:detection_progress", args=[campaign.pk])
    assert client.get(url, {"task": "some-other-task-id"}).json()["status"] == "idle"


# --- a confirmed finding arrives with its values ----------------------------------------------


def test_a_confirmed_finding_arrives_with_its_current_and_proposed_values(finding, auditor):
    assert finding.current_value and not finding.proposed_value
    current = finding.current_value
    discrepancy_confirm(discrepancy=finding, user=auditor, expected_version=0)
    finding.refresh_from_db()
    assert finding.current_value == current
    assert finding.proposed_value == "1974.03" == determination_default_value(finding)  # the earliest record
    event = finding.events.get(action=EventAction.CONFIRMED)
    assert event.changes == {"proposed_value": ["", "1974.03"]}


def test_an_empty_current_value_is_taken_from_current_information(finding, auditor):
    Discrepancy.objects.filter(pk=finding.pk).update(current_value="", proposed_value="1974.04")
    discrepancy_confirm(discrepancy=finding, user=auditor)
    finding.refresh_from_db()
    assert finding.current_value == str(finding.case.dossier.cadre.birth_date)
    assert finding.proposed_value == "1974.04"  # what was there is kept


def test_an_experience_finding_gets_no_proposed_value(auditor):
    campaign = make_campaign()
    case = planted_case(campaign, "EXP-NO-PROOF", initial_reviewer=auditor)
    detect_campaign(campaign_id=campaign.pk)
    finding = Discrepancy.objects.get(case=case, category=Category.EXPERIENCE)
    discrepancy_confirm(discrepancy=finding, user=auditor)
    finding.refresh_from_db()
    assert finding.state == State.REGISTERED and finding.current_value and finding.proposed_value == ""


def test_a_dismissed_finding_reinstated_at_re_review_takes_the_values_too(finding, auditor, other_auditor):
    discrepancy_dismiss(discrepancy=finding, user=auditor, reason="系统比对有误")
    _to_re_review(finding)
    finding = services.discrepancy_reinstate(discrepancy=finding, user=other_auditor, reason="复审认为应当登记")
    finding.refresh_from_db()
    assert finding.state == State.REGISTERED and finding.proposed_value == "1974.03"
    assert finding.events.order_by("pk").last().changes == {"dismissed_reason": ["系统比对有误", ""], "proposed_value": ["", "1974.03"]}


def test_a_confirmation_with_values_names_them_in_its_history(client, finding, auditor):
    discrepancy_confirm(discrepancy=finding, user=auditor, expected_version=0)
    client.force_login(auditor)
    html = client.get(reverse("audits:discrepancy_detail", args=[finding.pk])).content.decode()
    assert "（变更：拟认定值）" in html and "proposed_value" not in html
