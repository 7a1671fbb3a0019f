"""Each workflow service: happy path, wrong role, wrong person, and the history row it leaves."""

import pytest
from django.core.exceptions import ValidationError

from archives.models import Recusal
from archives.roles import Role
from archives.tests.factories import CadreFactory, UserFactory
from audits import services
from audits.models import AuditCase, CaseState, CaseTransition, Discrepancy
from audits.tests.factories import AuditCaseFactory, CampaignFactory, DiscrepancyFactory
from audits.workflow import Action, CaseEvent

pytestmark = pytest.mark.django_db


def at(case, state, **fields):
    AuditCase.objects.filter(pk=case.pk).update(state=state, **fields)
    case.refresh_from_db()
    return case


def last_row(case):
    return CaseTransition.objects.filter(case=case).order_by("-at", "-pk").first()


# --- initial review --------------------------------------------------------------------


def test_the_initial_reviewer_submits_to_re_review(case, auditor):
    services.case_submit_initial(case=case, user=auditor, expected_version=0, comment="已逐份核对")
    case.refresh_from_db()
    assert case.state == CaseState.RE_REVIEW
    assert case.version == 1
    assert case.initial_reviewed_at
    row = last_row(case)
    assert (row.actor, row.role, row.action, row.from_state, row.to_state, row.comment) == (
        auditor,
        Role.AUDITOR,
        Action.SUBMIT_INITIAL,
        CaseState.INITIAL_REVIEW,
        CaseState.RE_REVIEW,
        "已逐份核对",
    )


def test_it_refuses_initial_submission_by_another_auditor(case, third_auditor):
    with pytest.raises(ValidationError, match="只有本案卷的初审人"):
        services.case_submit_initial(case=case, user=third_auditor)
    assert not CaseTransition.objects.filter(case=case).exists()


def test_it_refuses_initial_submission_by_the_chief(case, chief):
    with pytest.raises(ValidationError, match="只能由审核人员"):
        services.case_submit_initial(case=case, user=chief)


def test_it_refuses_initial_submission_while_system_findings_are_pending(case, auditor):
    DiscrepancyFactory(case=case, state=Discrepancy.State.PENDING, source=Discrepancy.Source.SYSTEM, rule="age_earliest")
    with pytest.raises(ValidationError, match="还有系统比对发现待核实，不能提交初审"):
        services.case_submit_initial(case=case, user=auditor)


def test_it_refuses_an_unassigned_case(auditor):
    case = AuditCaseFactory()
    with pytest.raises(ValidationError, match="尚未分配初审人"):
        services.case_submit_initial(case=case, user=auditor)


# --- cross re-review -------------------------------------------------------------------


def test_the_re_reviewer_submits_to_the_chief(case, other_auditor):
    at(case, CaseState.RE_REVIEW)
    services.case_submit_re_review(case=case, user=other_auditor)
    case.refresh_from_db()
    assert case.state == CaseState.CHIEF_CHECK and case.re_reviewed_at
    assert last_row(case).action == Action.SUBMIT_RE_REVIEW


def test_it_refuses_cross_review_by_the_initial_reviewer(case, auditor):
    at(case, CaseState.RE_REVIEW)
    with pytest.raises(ValidationError, match="初审人不能复审同一案卷"):
        services.case_submit_re_review(case=case, user=auditor)


def test_it_refuses_re_review_before_initial_review(case, other_auditor):
    with pytest.raises(ValidationError, match=r"初审.*不能“提交复审”"):
        services.case_submit_re_review(case=case, user=other_auditor)


# --- the chief's check -----------------------------------------------------------------


def test_chief_approval_with_findings_goes_to_rectification_and_freezes_them(case, chief):
    at(case, CaseState.CHIEF_CHECK)
    DiscrepancyFactory(case=case)
    services.case_chief_approve(case=case, user=chief, comment="同意")
    case.refresh_from_db()
    assert case.state == CaseState.RECTIFICATION
    assert case.findings_frozen and case.chief_approved_at
    row = last_row(case)
    assert (row.actor, row.role, row.action, row.to_state) == (chief, Role.CHIEF, Action.CHIEF_APPROVE, CaseState.RECTIFICATION)


def test_chief_approval_without_findings_closes_the_case(case, chief):
    at(case, CaseState.CHIEF_CHECK)
    DiscrepancyFactory(case=case, state=Discrepancy.State.DISMISSED)
    services.case_chief_approve(case=case, user=chief)
    case.refresh_from_db()
    assert case.state == CaseState.CLOSED and case.closed_at


def test_chief_approval_of_a_sampled_case_goes_to_the_leader(case, chief):
    at(case, CaseState.CHIEF_CHECK, sampled=True)
    case.campaign.sample_seed = 1
    case.campaign.save()
    services.case_chief_approve(case=case, user=chief)
    case.refresh_from_db()
    assert case.state == CaseState.LEADER_CHECK


def test_the_first_chief_approval_draws_the_sample_when_nobody_has(case, chief):
    case.campaign.sample_rate = 1
    case.campaign.save()
    at(case, CaseState.CHIEF_CHECK)
    services.case_chief_approve(case=case, user=chief)
    case.refresh_from_db()
    case.campaign.refresh_from_db()
    assert case.campaign.sample_seed is not None
    assert case.sampled and case.state == CaseState.LEADER_CHECK


def test_forced_inclusion_applies_to_findings_registered_after_the_draw(chief, auditor, other_auditor):
    campaign = CampaignFactory(sample_rate=0, force_sample_with_discrepancies=True, sample_seed=5)
    case = AuditCaseFactory(campaign=campaign, initial_reviewer=auditor, re_reviewer=other_auditor, state=CaseState.CHIEF_CHECK)
    DiscrepancyFactory(case=case)
    services.case_chief_approve(case=case, user=chief)
    case.refresh_from_db()
    assert case.sampled and case.state == CaseState.LEADER_CHECK
    assert CaseTransition.objects.filter(case=case, action=CaseEvent.SAMPLED).exists()


def test_the_chief_returns_to_re_review_with_a_reason(case, chief):
    at(case, CaseState.CHIEF_CHECK)
    services.case_chief_return(case=case, user=chief, comment="学历认定依据不足")
    case.refresh_from_db()
    assert case.state == CaseState.RE_REVIEW
    assert last_row(case).comment == "学历认定依据不足"


def test_it_refuses_a_return_without_a_reason(case, chief):
    at(case, CaseState.CHIEF_CHECK)
    with pytest.raises(ValidationError, match="退回必须填写理由"):
        services.case_chief_return(case=case, user=chief, comment="  ")


def test_it_refuses_an_auditor_approving(case, third_auditor):
    at(case, CaseState.CHIEF_CHECK)
    with pytest.raises(ValidationError, match="只能由科长进行"):
        services.case_chief_approve(case=case, user=third_auditor)


def test_it_refuses_a_chief_who_reviewed_the_case(chief, auditor):
    both = UserFactory(username="both", roles=[Role.AUDITOR, Role.CHIEF])
    case = AuditCaseFactory(initial_reviewer=auditor, re_reviewer=both, state=CaseState.CHIEF_CHECK)
    with pytest.raises(ValidationError, match="不能把关或抽查"):
        services.case_chief_approve(case=case, user=both)


def test_it_refuses_a_chief_checking_a_relatives_dossier(case, chief):
    Recusal.objects.create(user=chief, cadre=case.dossier.cadre, relation="兄弟")
    at(case, CaseState.CHIEF_CHECK)
    with pytest.raises(ValidationError, match="回避"):
        services.case_chief_approve(case=case, user=chief)


# --- the leader's spot check -----------------------------------------------------------


def test_the_leader_approves_a_sampled_case(case, leader):
    at(case, CaseState.LEADER_CHECK, sampled=True, findings_frozen=True)
    DiscrepancyFactory(case=case)
    services.case_leader_approve(case=case, user=leader)
    case.refresh_from_db()
    assert case.state == CaseState.RECTIFICATION and case.leader_approved_at
    assert last_row(case).role == Role.LEADER


def test_the_leader_returns_a_case_and_its_findings_reopen(case, leader):
    at(case, CaseState.LEADER_CHECK, sampled=True, findings_frozen=True)
    services.case_leader_return(case=case, user=leader, comment="年龄认定需再核")
    case.refresh_from_db()
    assert case.state == CaseState.RE_REVIEW and not case.findings_frozen


def test_it_refuses_the_leader_check_by_the_chief(case, chief):
    at(case, CaseState.LEADER_CHECK, sampled=True)
    with pytest.raises(ValidationError, match="只能由分管领导进行"):
        services.case_leader_approve(case=case, user=chief)


def test_it_refuses_the_leader_on_a_case_not_sampled(case, leader):
    at(case, CaseState.LEADER_CHECK, sampled=False)
    with pytest.raises(ValidationError, match="未被抽中"):
        services.case_leader_approve(case=case, user=leader)


# --- closing ---------------------------------------------------------------------------


def test_the_chief_closes_a_case_whose_findings_are_all_resolved(case, chief):
    at(case, CaseState.RECTIFICATION)
    DiscrepancyFactory(case=case, state=Discrepancy.State.DETERMINED)
    services.case_close(case=case, user=chief)
    case.refresh_from_db()
    assert case.state == CaseState.CLOSED


def test_it_refuses_closing_with_open_findings(case, chief):
    at(case, CaseState.RECTIFICATION)
    DiscrepancyFactory(case=case)
    with pytest.raises(ValidationError, match="尚未认定或纠正"):
        services.case_close(case=case, user=chief)


# --- stale forms -----------------------------------------------------------------------


def test_a_stale_form_is_told_who_acted_meanwhile(case, chief, leader):
    at(case, CaseState.CHIEF_CHECK)
    DiscrepancyFactory(case=case)
    services.case_chief_approve(case=case, user=chief, expected_version=0)
    with pytest.raises(ValidationError, match=r"赵科长.*科长审核通过.*没有执行"):
        services.case_chief_return(case=case, user=chief, expected_version=0, comment="再看看")


def test_a_second_submission_without_version_is_told_the_case_moved_on(case, auditor):
    services.case_submit_initial(case=case, user=auditor)
    with pytest.raises(ValidationError, match="最近一次：张审核"):
        services.case_submit_initial(case=case, user=auditor)


# --- reassignment ----------------------------------------------------------------------


def test_the_chief_reassigns_the_re_reviewer(case, chief, third_auditor):
    services.case_reassign(case=case, user=chief, re_reviewer=third_auditor, comment="工作调整")
    case.refresh_from_db()
    assert case.re_reviewer == third_auditor and case.version == 1
    row = last_row(case)
    assert row.action == CaseEvent.REASSIGN and "工作调整" in row.comment
    assert third_auditor in case.campaign.auditors.all()


def test_reassignment_refuses_the_same_person_twice(case, chief, auditor):
    with pytest.raises(ValidationError, match="不能是同一人"):
        services.case_reassign(case=case, user=chief, re_reviewer=auditor)


def test_reassignment_refuses_an_auditors_own_dossier(chief, auditor, other_auditor):
    case = AuditCaseFactory(dossier=CadreFactory(user=other_auditor).dossier, initial_reviewer=auditor)
    with pytest.raises(ValidationError, match="回避"):
        services.case_reassign(case=case, user=chief, re_reviewer=other_auditor)


def test_reassignment_refuses_a_non_auditor(case, chief, archivist):
    with pytest.raises(ValidationError, match="不是审核人员"):
        services.case_reassign(case=case, user=chief, re_reviewer=archivist)


def test_reassignment_refuses_a_colleague_of_the_same_unit_when_another_is_available(chief, auditor, other_auditor, third_auditor):
    cadre = CadreFactory()
    CadreFactory(unit=cadre.unit, user=third_auditor)
    campaign = CampaignFactory()
    campaign.auditors.set([auditor, other_auditor, third_auditor])
    case = AuditCaseFactory(campaign=campaign, dossier=cadre.dossier, initial_reviewer=auditor, re_reviewer=other_auditor)
    with pytest.raises(ValidationError, match="同一单位"):
        services.case_reassign(case=case, user=chief, initial_reviewer=third_auditor)


def test_reassignment_refuses_changing_the_initial_reviewer_after_initial_review(case, chief, third_auditor):
    at(case, CaseState.RE_REVIEW)
    with pytest.raises(ValidationError, match="初审已经完成"):
        services.case_reassign(case=case, user=chief, initial_reviewer=third_auditor)


def test_reassignment_by_an_auditor_is_refused(case, auditor, third_auditor):
    with pytest.raises(ValidationError, match="只有科长"):
        services.case_reassign(case=case, user=auditor, re_reviewer=third_auditor)


def test_the_chief_approves_several_cases_at_once_each_checked_and_recorded(client, chief, auditor, other_auditor):
    from audits.tests.factories import AuditCaseFactory

    ready = [AuditCaseFactory(initial_reviewer=auditor, re_reviewer=other_auditor, state=CaseState.CHIEF_CHECK, campaign__sample_rate=0) for _ in range(2)]
    early = AuditCaseFactory(initial_reviewer=auditor, re_reviewer=other_auditor, state=CaseState.RE_REVIEW, campaign__sample_rate=0)
    client.force_login(chief)
    page = client.get("/audits/cases/?queue=check").content.decode()
    assert 'id="batch-form"' in page and f'value="{ready[0].pk}"' in page
    response = client.post("/audits/cases/batch/approve/", {"case": [c.pk for c in ready] + [early.pk], "comment": "同意"}, follow=True)
    text = response.content.decode()
    assert "已科长审核通过 2 卷" in text and early.dossier.cadre.name in text and "未通过" in text
    for case in ready:
        case.refresh_from_db()
        assert case.state == CaseState.CLOSED and case.chief_approved_at
        assert case.transitions.filter(action="chief_approve", actor=chief, comment="同意").count() == 1
    early.refresh_from_db()
    assert early.state == CaseState.RE_REVIEW and not early.transitions.filter(action="chief_approve").exists()


def test_an_auditor_cannot_batch_approve(client, auditor):
    client.force_login(auditor)
    assert client.post("/audits/cases/batch/approve/", {"case": [1]}).status_code == 403
