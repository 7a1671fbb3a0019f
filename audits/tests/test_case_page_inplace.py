"""The case page without reloads: a finding is confirmed, dismissed, retracted or reinstated in
place. A request from the page's script (header HX-Request) is answered with the findings part of
the page and the message; a plain POST still redirects; refusals are those of the plain POST."""

import pytest
from django.urls import reverse

from archives.models import Recusal
from audits import services
from audits.detection import detect_campaign
from audits.models import AuditCase, CaseState, Category, Discrepancy
from audits.tests.factories import AuditCaseFactory

from .detection_data import make_campaign, planted_case

pytestmark = pytest.mark.django_db
State = Discrepancy.State
INPLACE = {"HTTP_HX_REQUEST": "true"}  # the header static/js/case_findings.js sends


@pytest.fixture(autouse=True)
def _clear_progress():
    from django.core.cache import cache

    cache.clear()  # detection progress lives in the cache; campaign ids repeat between tests


@pytest.fixture
def finding(auditor, other_auditor):
    """A pending system finding (出生日期: the earliest record says 1974.03) in initial review."""
    campaign = make_campaign()
    case = planted_case(campaign, "AGE-EARLIEST", initial_reviewer=auditor, re_reviewer=other_auditor)
    detect_campaign(campaign_id=campaign.pk)
    return Discrepancy.objects.get(case=case)


def _detection_url(name, pk):
    return reverse(f"audits:detection:{name}", args=[pk])


def _case_url(case_id):
    return reverse("audits:case_detail", args=[case_id])


def _assert_fragment(response):
    """The findings part of the case page and the message, not a page (and nothing inline)."""
    html = response.content.decode()
    assert "<html" not in html and "<nav" not in html
    assert 'id="discrepancies"' in html and 'id="inplace-messages"' in html and 'id="system-findings"' in html
    assert 'style="' not in html and "<style" not in html and "<script" not in html
    return html


# --- confirm and dismiss in place ----------------------------------------------------------


def test_an_inplace_confirm_answers_the_findings_part_of_the_page_with_the_counts(client, finding, auditor):
    client.force_login(auditor)
    response = client.post(_detection_url("discrepancy_confirm", finding.pk), {"version": "0"}, **INPLACE)
    assert response.status_code == 200
    html = _assert_fragment(response)
    finding.refresh_from_db()
    assert finding.state == State.REGISTERED
    # The finding left the list to decide and is in the register, with the counts updated.
    assert f'id="finding-{finding.pk}"' not in html and f'id="discrepancy-{finding.pk}"' in html
    assert "待核实 0 · 已确认 1 · 已排除 0 · 已撤销 0" in html and "问题登记（1）" in html
    assert "已确认该问题，转为已登记问题。" in html
    # The message was shown here, not again on the next page.
    assert "已确认该问题" not in client.get(_case_url(finding.case_id)).content.decode()


def test_an_inplace_dismiss_moves_the_finding_among_the_set_aside_with_its_reason(client, finding, auditor):
    client.force_login(auditor)
    response = client.post(_detection_url("discrepancy_dismiss", finding.pk), {"version": "0", "reason": "阴阳历差异，已有批复"}, **INPLACE)
    assert response.status_code == 200
    html = _assert_fragment(response)
    assert "已排除或撤销的问题（1）" in html and "阴阳历差异，已有批复" in html and "待核实 0 · 已确认 0 · 已排除 1" in html
    finding.refresh_from_db()
    assert finding.state == State.DISMISSED


def test_a_refused_inplace_action_answers_400_with_the_reason_and_changes_nothing(client, finding, auditor):
    client.force_login(auditor)
    response = client.post(_detection_url("discrepancy_dismiss", finding.pk), {"version": "0", "reason": ""}, **INPLACE)
    assert response.status_code == 400 and "必须填写理由" in _assert_fragment(response)
    response = client.post(_detection_url("discrepancy_confirm", finding.pk), {"version": "7"}, **INPLACE)
    assert response.status_code == 400 and "刷新" in _assert_fragment(response)
    html = response.content.decode()
    assert f'id="finding-{finding.pk}"' in html  # still there, to decide
    assert f'name="next" value="{_case_url(finding.case_id)}"' in html  # not the action's address
    finding.refresh_from_db()
    assert finding.state == State.PENDING


@pytest.mark.parametrize("name", ["discrepancy_confirm", "discrepancy_dismiss"])
def test_a_plain_post_still_redirects_back_to_the_findings(client, finding, auditor, name):
    client.force_login(auditor)
    response = client.post(_detection_url(name, finding.pk), {"version": "0", "reason": "笔误", "next": _case_url(finding.case_id)})
    assert response.status_code == 302 and response.url == _case_url(finding.case_id) + "#system-findings"


def test_inplace_requests_get_the_same_refusals_as_plain_ones(client, finding, other_auditor, third_auditor, chief, auditor):
    url = _detection_url("discrepancy_confirm", finding.pk)
    client.force_login(third_auditor)  # not assigned: the case is not visible
    assert client.post(url, **INPLACE).status_code == 404
    for user in (other_auditor, chief):  # visible, but not the reviewer of this stage
        client.force_login(user)
        assert client.post(url, **INPLACE).status_code == 403
    Recusal.objects.create(user=auditor, cadre=finding.case.dossier.cadre, relation="配偶")
    client.force_login(auditor)
    assert client.post(url, **INPLACE).status_code == 404
    client.logout()
    response = client.post(url, **INPLACE)
    assert response.status_code == 302 and "/accounts/login/" in response.url
    finding.refresh_from_db()
    assert finding.state == State.PENDING


# --- retract and reinstate in place --------------------------------------------------------


@pytest.fixture
def registered(case, auditor):
    return services.discrepancy_register(case=case, user=auditor, category=Category.AGE, description="出生日期不一致", current_value="1975.03.12")


def test_an_inplace_retract_and_the_plain_one(client, registered, auditor):
    client.force_login(auditor)
    url = reverse("audits:discrepancy_retract", args=[registered.pk])
    response = client.post(url, {"version": "0", "reason": "阴阳历换算后一致"}, **INPLACE)
    assert response.status_code == 200
    html = _assert_fragment(response)
    assert "问题登记（0）" in html and "已排除或撤销的问题（1）" in html and "已撤回该问题的登记" in html
    registered.refresh_from_db()
    assert registered.state == State.DISMISSED
    other = services.discrepancy_register(case=registered.case, user=auditor, category=Category.WORK, description="参加工作时间不一致")
    response = client.post(reverse("audits:discrepancy_retract", args=[other.pk]), {"version": "0", "reason": "看错了"})
    assert response.status_code == 302 and response.url == _case_url(other.case_id) + f"#discrepancy-{other.pk}"


def test_the_case_page_offers_edit_and_retract_of_a_registered_finding(client, registered, auditor, other_auditor):
    client.force_login(auditor)
    html = client.get(_case_url(registered.case_id)).content.decode()
    assert reverse("audits:discrepancy_edit", args=[registered.pk]) in html
    assert reverse("audits:discrepancy_retract", args=[registered.pk]) in html and "data-inplace" in html
    client.force_login(other_auditor)  # not their stage
    html = client.get(_case_url(registered.case_id)).content.decode()
    assert reverse("audits:discrepancy_retract", args=[registered.pk]) not in html


def test_an_inplace_retract_by_someone_who_may_not_is_refused_as_today(client, registered, other_auditor, third_auditor, chief):
    url = reverse("audits:discrepancy_retract", args=[registered.pk])
    client.force_login(third_auditor)
    assert client.post(url, {"reason": "x"}, **INPLACE).status_code == 404
    client.force_login(chief)
    assert client.post(url, {"reason": "x"}, **INPLACE).status_code == 403
    client.force_login(other_auditor)  # a reviewer of the case, but not in this stage
    response = client.post(url, {"reason": "x"}, **INPLACE)
    assert response.status_code == 400 and "只有本案卷的初审人" in response.content.decode()
    registered.refresh_from_db()
    assert registered.state == State.REGISTERED


def test_the_re_reviewer_reinstates_in_place_and_the_initial_reviewer_cannot(client, registered, auditor, other_auditor):
    services.discrepancy_retract(discrepancy=registered, user=auditor, reason="看错了")
    AuditCase.objects.filter(pk=registered.case_id).update(state=CaseState.RE_REVIEW)
    url = reverse("audits:discrepancy_reinstate", args=[registered.pk])
    client.force_login(auditor)
    response = client.post(url, {"version": "1", "reason": "应当登记"}, **INPLACE)
    assert response.status_code == 400 and "复审人" in response.content.decode()
    client.force_login(other_auditor)
    response = client.post(url, {"version": "1", "reason": "材料确有出入"}, **INPLACE)
    assert response.status_code == 200
    html = _assert_fragment(response)
    assert "问题登记（1）" in html and "已恢复该问题的登记" in html and "已排除或撤销的问题" not in html
    registered.refresh_from_db()
    assert registered.state == State.REGISTERED


def test_the_confirmed_values_are_in_the_register_at_once(client, finding, auditor):
    client.force_login(auditor)
    html = client.post(_detection_url("discrepancy_confirm", finding.pk), {"version": "0"}, **INPLACE).content.decode()
    row = html[html.index(f'id="discrepancy-{finding.pk}"') :]
    assert f"<td>{finding.current_value}</td>" in row[:3000] and "1974.03" in row[:3000]


def _retract_in_place_counting(client, django_assert_max_num_queries, auditor, findings: int, limit=None):
    case = AuditCaseFactory(initial_reviewer=auditor, campaign__sample_rate=0)
    made = [services.discrepancy_register(case=case, user=auditor, category=Category.AGE, description=f"问题{n}") for n in range(findings)]
    services.discrepancy_update(discrepancy=made[-1], user=auditor, expected_version=0, current_value="1975.03")  # some history
    with django_assert_max_num_queries(limit or 1000) as captured:
        response = client.post(reverse("audits:discrepancy_retract", args=[made[0].pk]), {"version": "0", "reason": "看错了"}, **INPLACE)
    assert response.status_code == 200
    return len(captured.captured_queries)


def test_the_inplace_answer_makes_a_constant_number_of_queries(client, auditor, django_assert_max_num_queries):
    client.force_login(auditor)
    few = _retract_in_place_counting(client, django_assert_max_num_queries, auditor, 2)
    _retract_in_place_counting(client, django_assert_max_num_queries, auditor, 9, limit=few)
