"""The discrepancy register (问题登记) and rectification (整改), service by service."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from archives.dates import PartialDate
from archives.models import Material, MaterialReceipt, MaterialWeeding
from archives.tests.factories import MaterialFactory, category
from audits import selectors, services
from audits.models import AuditCase, CaseState, Category, Discrepancy, DiscrepancyEvent, Feedback, MaterialAuthentication, MaterialRequest
from audits.tests.factories import DiscrepancyFactory
from audits.workflow import DiscrepancyAction

pytestmark = pytest.mark.django_db


def at(case, state, **fields):
    AuditCase.objects.filter(pk=case.pk).update(state=state, **fields)
    case.refresh_from_db()
    return case


def events(discrepancy):
    return list(DiscrepancyEvent.objects.filter(discrepancy=discrepancy).order_by("pk").values_list("action", flat=True))


@pytest.fixture
def enrolment(case):
    return MaterialFactory(dossier=case.dossier, title="入团志愿书", formed_date=PartialDate(1990, 5), recorded_birth_date=PartialDate(1976, 3))


def register(case, user, **extra):
    fields = {"category": Category.AGE, "description": "出生日期与最早材料不一致", "current_value": "1975.03.12"} | extra
    return services.discrepancy_register(case=case, user=user, **fields)


# --- registering and editing -----------------------------------------------------------


def test_the_initial_reviewer_registers_a_discrepancy_with_its_evidence(case, auditor, enrolment):
    d = register(case, auditor, citations=[enrolment], proposed_value="1976.03", cause=Discrepancy.Cause.FALSE_ENTRY, correction_measure="按最早材料纠正")
    assert d.state == Discrepancy.State.REGISTERED and d.source == Discrepancy.Source.MANUAL
    citation = d.citations.get()
    assert citation.material == enrolment and citation.recorded_value == "1976.03"
    assert "入团志愿书" in d.recorded_values
    event = d.events.get()
    assert (event.action, event.actor, event.to_state) == (DiscrepancyAction.REGISTER, auditor, Discrepancy.State.REGISTERED)
    assert event.changes["materials"] == [enrolment.pk]


def test_it_refuses_registration_by_the_re_reviewer_during_initial_review(case, other_auditor):
    with pytest.raises(ValidationError, match="只有本案卷的初审人"):
        register(case, other_auditor)


def test_it_refuses_registration_by_the_chief(case, chief):
    at(case, CaseState.CHIEF_CHECK)
    with pytest.raises(ValidationError, match="不能登记或修改问题"):
        register(case, chief)


def test_it_refuses_citing_a_material_of_another_dossier(case, auditor):
    stranger = MaterialFactory()
    with pytest.raises(ValidationError, match="不属于本档案"):
        register(case, auditor, citations=[stranger])


def test_the_re_reviewer_edits_and_the_edit_is_recorded(case, auditor, other_auditor, enrolment):
    d = register(case, auditor)
    at(case, CaseState.RE_REVIEW)
    d = services.discrepancy_update(discrepancy=d, user=other_auditor, expected_version=0, cause=Discrepancy.Cause.CLERICAL, citations=[enrolment])
    assert d.version == 1 and d.cause == Discrepancy.Cause.CLERICAL
    event = d.events.order_by("pk").last()
    assert event.action == DiscrepancyAction.EDIT and event.actor == other_auditor
    assert event.changes["cause"] == ["", Discrepancy.Cause.CLERICAL]
    assert "materials" in event.changes


def test_an_edit_made_meanwhile_is_not_overwritten(case, auditor):
    d = register(case, auditor)
    services.discrepancy_update(discrepancy=d, user=auditor, expected_version=0, description="第一次修改")
    with pytest.raises(ValidationError, match="没有保存"):
        services.discrepancy_update(discrepancy=d, user=auditor, expected_version=0, description="基于旧内容的修改")
    d.refresh_from_db()
    assert d.description == "第一次修改"


def test_findings_are_frozen_after_the_chiefs_approval(case, auditor, chief):
    d = register(case, auditor)
    at(case, CaseState.RE_REVIEW)
    at(case, CaseState.CHIEF_CHECK)
    services.case_chief_approve(case=case, user=chief)
    at(case, CaseState.RE_REVIEW, findings_frozen=True)  # even back in review, frozen stays frozen
    with pytest.raises(ValidationError, match="已冻结"):
        services.discrepancy_update(discrepancy=d, user=case.re_reviewer, expected_version=0, description="改")


def test_the_reviewer_retracts_a_registration_with_a_reason(case, auditor):
    d = register(case, auditor)
    d = services.discrepancy_retract(discrepancy=d, user=auditor, reason="阴阳历换算后一致")
    assert d.state == Discrepancy.State.DISMISSED and d.dismissed_reason == "阴阳历换算后一致"
    assert events(d) == [DiscrepancyAction.REGISTER, DiscrepancyAction.RETRACT]


# --- rectification ---------------------------------------------------------------------


@pytest.fixture
def finding(case):
    at(case, CaseState.RECTIFICATION, findings_frozen=True)
    return DiscrepancyFactory(case=case, current_value="1975.03.12")


def test_feedback_rounds_are_numbered_and_replies_recorded(finding, auditor):
    first = services.feedback_create(discrepancy=finding, user=auditor, sent_on=dt.date(2026, 3, 1), content="请核对出生日期")
    second = services.feedback_create(discrepancy=finding, user=auditor, sent_on=dt.date(2026, 3, 10), content="第二次反馈")
    assert (first.round, second.round) == (1, 2)
    services.feedback_record_reply(feedback=first, user=auditor, reply=Feedback.Reply.DISPUTES, reply_text="户口本记载为1975年")
    first.refresh_from_db()
    assert first.reply == Feedback.Reply.DISPUTES and first.replied_on
    with pytest.raises(ValidationError, match="已登记答复"):
        services.feedback_record_reply(feedback=first, user=auditor, reply=Feedback.Reply.AGREES)
    assert events(finding) == [DiscrepancyAction.FEEDBACK, DiscrepancyAction.FEEDBACK, DiscrepancyAction.FEEDBACK_REPLY]


def test_rectification_is_refused_to_an_auditor_of_another_case(finding, third_auditor):
    with pytest.raises(ValidationError, match="只有科长或本案卷的审核人员"):
        services.feedback_create(discrepancy=finding, user=third_auditor, sent_on=dt.date(2026, 3, 1), content="x")


def test_rectification_is_refused_once_the_case_is_closed(case, auditor):
    d = DiscrepancyFactory(case=case)
    at(case, CaseState.CLOSED)
    with pytest.raises(ValidationError, match="案卷已办结"):
        services.interview_record(discrepancy=d, user=auditor, held_on=dt.date(2026, 3, 1), participants="张三", minutes="谈话")


def test_an_interview_is_recorded(finding, chief):
    row = services.interview_record(discrepancy=finding, user=chief, held_on=dt.date(2026, 3, 5), participants="赵科长、本人", minutes="本人承认填写笔误")
    assert row.created_by == chief
    assert events(finding) == [DiscrepancyAction.INTERVIEW]


def test_a_requested_material_enters_the_dossier_and_the_receipt_register(finding, auditor):
    request = services.material_request_create(
        discrepancy=finding,
        user=auditor,
        method=MaterialRequest.Method.PERSON,
        requested_material="招工登记表",
        due_on=dt.date(2026, 4, 1),
        requested_from="原单位",
    )
    material = services.material_request_receive(
        request=request,
        user=auditor,
        category=category("9-1"),
        title="招工登记表",
        formed_date=PartialDate(1994, 7),
        received_on=dt.date(2026, 3, 20),
        sender="县粮食局",
        pages=2,
        recorded_birth_date=PartialDate(1976, 3),
    )
    request.refresh_from_db()
    assert request.state == MaterialRequest.State.RECEIVED and request.material == material
    assert material.dossier == finding.case.dossier
    receipt = MaterialReceipt.objects.get(material=material)
    assert receipt.sender == "县粮食局" and receipt.recorded_by == auditor
    assert events(finding) == [DiscrepancyAction.MATERIAL_REQUEST, DiscrepancyAction.MATERIAL_RECEIVED]

    row = services.material_authenticate(discrepancy=finding, user=auditor, material=material, result=MaterialAuthentication.Result.AUTHENTIC)
    assert row.authenticated_by == auditor
    assert events(finding)[-1] == DiscrepancyAction.AUTHENTICATE


def test_overdue_material_requests_are_listed(finding, auditor, chief, third_auditor):
    late = services.material_request_create(
        discrepancy=finding, user=auditor, method=MaterialRequest.Method.PHONE, requested_material="入党志愿书", due_on=dt.date(2020, 1, 1)
    )
    services.material_request_create(
        discrepancy=finding, user=auditor, method=MaterialRequest.Method.PHONE, requested_material="学历证书", due_on=dt.date(2999, 1, 1)
    )
    assert list(selectors.overdue_material_requests(auditor)) == [late]
    assert list(selectors.overdue_material_requests(chief)) == [late]
    assert list(selectors.overdue_material_requests(third_auditor)) == []
    assert late.overdue


def test_weeding_a_material_uses_the_weeding_register(finding, chief):
    material = MaterialFactory(dossier=finding.case.dossier, title="复印件")
    services.discrepancy_weed_material(discrepancy=finding, user=chief, material=material, reason="非原件，不应归档", approved_by="钱部长")
    material.refresh_from_db()
    assert material.weeded_at
    assert MaterialWeeding.objects.get(material=material).approved_by == "钱部长"
    assert events(finding) == [DiscrepancyAction.WEED]


def test_weeding_without_approval_is_refused(finding, chief):
    material = MaterialFactory(dossier=finding.case.dossier)
    with pytest.raises(ValidationError, match="批准"):
        services.discrepancy_weed_material(discrepancy=finding, user=chief, material=material, reason="重复", approved_by="")


def test_a_received_material_refuses_a_second_receipt(finding, auditor):
    request = services.material_request_create(
        discrepancy=finding, user=auditor, method=MaterialRequest.Method.PHONE, requested_material="x", due_on=dt.date(2026, 4, 1)
    )
    kwargs = {"user": auditor, "category": category("1"), "formed_date": PartialDate(1994, 7), "received_on": dt.date(2026, 3, 2), "sender": "本人"}
    services.material_request_receive(request=request, title="履历表甲", **kwargs)
    with pytest.raises(ValidationError, match="已登记收到"):
        services.material_request_receive(request=request, title="履历表乙", **kwargs)
    assert Material.objects.filter(title__startswith="履历表").count() == 1


def test_the_re_reviewer_reinstates_a_dismissed_finding_with_a_reason(case, auditor, other_auditor, chief, client):
    d = register(case, auditor)
    services.discrepancy_retract(discrepancy=d, user=auditor, reason="看错了")
    with pytest.raises(ValidationError, match="只有复审阶段的复审人"):
        services.discrepancy_reinstate(discrepancy=d, user=other_auditor, reason="复审认为确有问题")  # still in initial review
    at(case, CaseState.RE_REVIEW)
    with pytest.raises(ValidationError, match="必须说明理由"):
        services.discrepancy_reinstate(discrepancy=d, user=other_auditor, reason=" ")
    d = services.discrepancy_reinstate(discrepancy=d, user=other_auditor, reason="复审认为确有问题")
    assert d.state == Discrepancy.State.REGISTERED and not d.dismissed_reason
    event = DiscrepancyEvent.objects.filter(discrepancy=d).order_by("pk").last()
    assert (event.action, event.comment, event.changes["dismissed_reason"]) == (DiscrepancyAction.REINSTATE, "复审认为确有问题", ["看错了", ""])
    # The chief, at the check, through the page.
    services.discrepancy_retract(discrepancy=d, user=other_auditor, reason="再次排除")
    at(case, CaseState.CHIEF_CHECK)
    client.force_login(chief)
    assert "恢复登记" in client.get(f"/audits/cases/{case.pk}/").content.decode()
    response = client.post(f"/audits/discrepancies/{d.pk}/reinstate/", {"reason": "科长认为应登记", "version": Discrepancy.objects.get(pk=d.pk).version})
    assert response.status_code == 302
    assert Discrepancy.objects.get(pk=d.pk).state == Discrepancy.State.REGISTERED
