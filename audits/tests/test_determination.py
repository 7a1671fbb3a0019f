"""认定: proposed by the case's auditor with its basis, checked by the chief, approved by the
leader; only the approval settles the problem, corrects current information and files the
认定表 into the dossier (DOMAIN.md, workflow step 6)."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from archives.dates import PartialDate
from archives.models import CadreInfoChange, Material, MaterialReceipt
from archives.tests.factories import MaterialFactory, category
from audits import selectors, services
from audits.models import AuditCase, CaseState, CaseTransition, Category, Determination, Discrepancy, DiscrepancyEvent
from audits.tests.factories import DiscrepancyFactory
from audits.workflow import Action, DiscrepancyAction

pytestmark = pytest.mark.django_db


def events(discrepancy):
    return list(DiscrepancyEvent.objects.filter(discrepancy=discrepancy).order_by("pk").values_list("action", flat=True))


@pytest.fixture
def rectifying(case):
    AuditCase.objects.filter(pk=case.pk).update(state=CaseState.RECTIFICATION, findings_frozen=True)
    case.refresh_from_db()
    cadre = case.dossier.cadre
    cadre.birth_date = PartialDate(1976, 3, 12)
    cadre.save()
    return case


@pytest.fixture
def earliest(rectifying):
    """The earliest record of the birth date: the basis of the rule."""
    return MaterialFactory(
        dossier=rectifying.dossier, category=category("1"), title="招工登记表", formed_date=PartialDate(1993, 7), recorded_birth_date=PartialDate(1975, 3, 12)
    )


@pytest.fixture
def later(rectifying):
    return MaterialFactory(
        dossier=rectifying.dossier, category=category("4"), title="干部履历表", formed_date=PartialDate(2001, 5), recorded_birth_date=PartialDate(1976, 3, 12)
    )


@pytest.fixture
def finding(rectifying):
    return DiscrepancyFactory(case=rectifying, category=Category.AGE, current_value="1976.03.12")


def propose(finding, user, value, basis, **extra):
    return services.determination_propose(discrepancy=finding, user=user, value=value, basis=basis, **extra)


def test_the_whole_approval_corrects_current_information_and_files_the_sheet(finding, earliest, auditor, chief, leader):
    determination = propose(finding, auditor, "1975.03.12", [earliest], note="以招工登记表为准")
    finding.refresh_from_db()
    assert determination.status == Determination.Status.PROPOSED and determination.rule_reference.startswith("最早记载：《招工登记表》")
    assert finding.state == Discrepancy.State.RECTIFYING and finding.proposed_value == "1975.03.12"
    assert not determination.departs_from_rule

    services.determination_check(determination=determination, user=chief, opinion="依据充分")
    determination.refresh_from_db()
    assert (determination.status, determination.checked_by, determination.check_opinion) == (Determination.Status.CHECKED, chief, "依据充分")
    assert finding.case.dossier.cadre.birth_date == PartialDate(1976, 3, 12)  # nothing corrected before the approval

    services.determination_approve(determination=determination, user=leader, opinion="同意认定")
    determination.refresh_from_db()
    finding.refresh_from_db()
    cadre = finding.case.dossier.cadre
    cadre.refresh_from_db()
    assert determination.status == Determination.Status.APPROVED and determination.approved_by == leader and determination.approved_at
    assert finding.state == Discrepancy.State.CORRECTED and finding.determined_value == "1975.03.12" and finding.determined_by == leader
    assert cadre.birth_date == PartialDate(1975, 3, 12)
    change = CadreInfoChange.objects.get(cadre=cadre, field="birth_date")
    assert (change.old_value, change.new_value, change.source_ref) == ("1976.03.12", "1975.03.12", f"问题{finding.pk}")
    assert events(finding) == [DiscrepancyAction.PROPOSE, DiscrepancyAction.CHECK_DETERMINATION, DiscrepancyAction.DETERMINE, DiscrepancyAction.CORRECT]

    case = AuditCase.objects.get(pk=finding.case_id)
    assert case.state == CaseState.CLOSED
    close = CaseTransition.objects.filter(case=case).last()
    assert (close.action, close.actor, close.to_state) == (Action.CLOSE, leader, CaseState.CLOSED)

    # The approved 认定表 is filed as a category-5 material recording the determined value,
    # dated the approval day, with a receipt register entry.
    sheet = Material.objects.get(dossier=case.dossier, category__code="5")
    assert sheet.title == "干部人事档案专项审核认定表"
    assert sheet.recorded_birth_date == PartialDate(1975, 3, 12)
    today = dt.date.today()
    assert sheet.formed_date.matches(PartialDate(today.year, today.month, today.day)) or sheet.formed_date.sort_key() <= (
        today.year,
        today.month,
        today.day + 1,
    )
    receipt = MaterialReceipt.objects.get(material=sheet)
    assert receipt.recorded_by == leader and "专项审核" in receipt.sender


def test_a_value_departing_from_the_earliest_record_needs_justification_and_an_approval_document(finding, earliest, later, auditor):
    with pytest.raises(ValidationError, match="最早记载") as refused:
        propose(finding, auditor, "1976.03.12", [later])
    assert "理由说明" in refused.value.messages[0] and "批复文号" in refused.value.messages[0]
    assert not Determination.objects.exists()
    finding.refresh_from_db()
    assert finding.state == Discrepancy.State.REGISTERED  # refused whole

    with pytest.raises(ValidationError, match="批复机关、批复日期"):
        propose(finding, auditor, "1976.03.12", [later], justification="户籍登记早于招工", approval_number="某组干〔2016〕3号")

    determination = propose(
        finding,
        auditor,
        "1976.03.12",
        [later],
        justification="户籍原始登记早于招工登记表",
        approval_number="某组干〔2016〕3号",
        approval_issuer="某市委组织部",
        approval_date=dt.date(2016, 5, 4),
    )
    assert determination.departs_from_rule
    assert determination.approval_text == "某组干〔2016〕3号（某市委组织部，2016年5月4日）"


def test_the_party_date_is_measured_against_the_volunteer_form(rectifying, auditor):
    cadre = rectifying.dossier.cadre
    cadre.party_join_date = PartialDate(2001, 7)
    cadre.save()
    MaterialFactory(
        dossier=rectifying.dossier, category=category("1"), title="干部履历表", formed_date=PartialDate(1999, 1), recorded_party_date=PartialDate(2000, 6)
    )
    volunteer = MaterialFactory(
        dossier=rectifying.dossier, category=category("6"), title="入党志愿书", formed_date=PartialDate(2000, 5), recorded_party_date=PartialDate(2000, 7)
    )
    finding = DiscrepancyFactory(case=rectifying, category=Category.PARTY, current_value="2001.07")
    rule = services.determination_rule(finding)
    assert rule.reference == PartialDate(2000, 7) and rule.reference_text.startswith("入党志愿书记载")
    assert not propose(finding, auditor, "2000.07", [volunteer]).departs_from_rule


def test_an_earlier_determination_filed_in_the_dossier_settles_the_value(finding, earliest, auditor):
    MaterialFactory(
        dossier=finding.case.dossier,
        category=category("5"),
        title="出生日期认定意见",
        formed_date=PartialDate(2016, 6),
        recorded_birth_date=PartialDate(1975, 4),
    )
    rule = services.determination_rule(finding)
    assert rule.reference == PartialDate(1975, 4) and rule.reference_text.startswith("已有认定结论")
    with pytest.raises(ValidationError, match="已有认定结论"):
        propose(finding, auditor, "1975.03.12", [earliest])


def test_a_determination_needs_a_basis_and_a_well_formed_value(finding, earliest, auditor):
    with pytest.raises(ValidationError, match="认定依据"):
        propose(finding, auditor, "1975.03.12", [])
    with pytest.raises(ValidationError, match="应为日期"):
        propose(finding, auditor, "一九七五年", [earliest])
    other = MaterialFactory(title="他人材料")
    with pytest.raises(ValidationError, match="不属于本档案"):
        propose(finding, auditor, "1975.03.12", [other])


def test_only_the_cases_auditors_propose_and_only_after_the_reviews(case, auditor, third_auditor, chief):
    finding = DiscrepancyFactory(case=case)
    material = MaterialFactory(dossier=case.dossier, recorded_birth_date=PartialDate(1975, 3, 12))
    with pytest.raises(ValidationError, match="审核（含科长把关、领导抽查）通过后"):
        propose(finding, auditor, "1975.03.12", [material])
    AuditCase.objects.filter(pk=case.pk).update(state=CaseState.RECTIFICATION)
    with pytest.raises(ValidationError, match="只有本案卷的审核人员"):
        propose(finding, third_auditor, "1975.03.12", [material])
    with pytest.raises(ValidationError, match="只有审核人员"):
        propose(finding, chief, "1975.03.12", [material])


def test_returns_need_a_reason_and_the_auditor_proposes_again(finding, earliest, auditor, chief, leader):
    first = propose(finding, auditor, "1975.03.12", [earliest])
    with pytest.raises(ValidationError, match="已有拟认定意见"):
        propose(finding, auditor, "1975.03.12", [earliest])
    with pytest.raises(ValidationError, match="退回必须填写理由"):
        services.determination_return(determination=first, user=chief, reason=" ")
    with pytest.raises(ValidationError, match="须经科长审核"):
        services.determination_approve(determination=first, user=leader)
    services.determination_return(determination=first, user=chief, reason="请补充招工登记表原件")
    first.refresh_from_db()
    assert (first.status, first.returned_by, first.return_reason) == (Determination.Status.RETURNED, chief, "请补充招工登记表原件")
    assert list(selectors.determinations_waiting(auditor)) == [first]

    second = propose(finding, auditor, "1975.03.12", [earliest])
    assert list(selectors.determinations_waiting(auditor)) == []
    assert list(selectors.determinations_waiting(chief)) == [second]
    services.determination_check(determination=second, user=chief)
    assert list(selectors.determinations_waiting(leader)) == [second]
    services.determination_return(determination=second, user=leader, reason="批复日期有误")
    finding.refresh_from_db()
    assert finding.state == Discrepancy.State.RECTIFYING and not finding.determined_value
    assert events(finding)[-1] == DiscrepancyAction.RETURN_DETERMINATION


def test_nobody_checks_or_approves_their_own_determination(finding, earliest, auditor, chief, leader):
    from archives.roles import Role
    from archives.tests.factories import UserFactory

    both = UserFactory(roles=[Role.AUDITOR, Role.CHIEF, Role.LEADER])
    AuditCase.objects.filter(pk=finding.case_id).update(re_reviewer=both)
    determination = propose(finding, both, "1975.03.12", [earliest])
    with pytest.raises(ValidationError, match="不能审核自己的意见"):
        services.determination_check(determination=determination, user=both)
    services.determination_check(determination=determination, user=chief)
    with pytest.raises(ValidationError, match="不能审批同一认定"):
        services.determination_approve(determination=determination, user=both)
    with pytest.raises(ValidationError, match="只有分管领导"):
        services.determination_approve(determination=determination, user=chief)


def test_a_value_equal_to_current_information_is_determined_without_correction(rectifying, auditor, chief, leader):
    cadre = rectifying.dossier.cadre
    material = MaterialFactory(dossier=rectifying.dossier, title="招工登记表", formed_date=PartialDate(1993, 7), recorded_birth_date=PartialDate(1976, 3, 12))
    finding = DiscrepancyFactory(case=rectifying, category=Category.AGE)
    other = DiscrepancyFactory(case=rectifying, category=Category.EXPERIENCE, description="1998.01—1999.12 缺少证明材料")
    determination = propose(finding, auditor, "1976.03.12", [material])
    services.determination_check(determination=determination, user=chief)
    services.determination_approve(determination=determination, user=leader)
    finding.refresh_from_db()
    assert finding.state == Discrepancy.State.DETERMINED
    assert not CadreInfoChange.objects.filter(cadre=cadre).exists()
    assert AuditCase.objects.get(pk=rectifying.pk).state == CaseState.RECTIFICATION  # the experience problem is open
    assert not Material.objects.filter(dossier=rectifying.dossier, category__code="5").exists()

    proof = MaterialFactory(dossier=rectifying.dossier, title="工作调动介绍信", formed_date=PartialDate(1998, 1))
    periods = "1998.01—1999.12 某县粮食局科员\n2000.01—2010.12 某县财政局副局长"
    x = propose(other, auditor, periods, [proof], justification="经调取原单位介绍信核实")
    services.determination_check(determination=x, user=chief)
    services.determination_approve(determination=x, user=leader)
    assert AuditCase.objects.get(pk=rectifying.pk).state == CaseState.CLOSED
    sheet = Material.objects.get(dossier=rectifying.dossier, category__code="5")
    assert sheet.recorded_birth_date == PartialDate(1976, 3, 12)


def test_feedback_interviews_and_requests_start_as_soon_as_a_problem_is_registered(case, auditor, other_auditor):
    finding = DiscrepancyFactory(case=case)  # the case is still in initial review
    services.feedback_create(discrepancy=finding, user=auditor, sent_on=dt.date(2026, 3, 1), content="请核对出生日期")
    finding.refresh_from_db()
    assert finding.state == Discrepancy.State.RECTIFYING
    services.interview_record(discrepancy=finding, user=other_auditor, held_on=dt.date(2026, 3, 2), participants="张三、李四", minutes="本人称出生日期为农历")
    pending = DiscrepancyFactory(case=case, state=Discrepancy.State.PENDING, source=Discrepancy.Source.SYSTEM, rule="AGE-ID", subject="x")
    with pytest.raises(ValidationError, match="须先核实确认"):
        services.feedback_create(discrepancy=pending, user=auditor, sent_on=dt.date(2026, 3, 1), content="x")


# --- pages -------------------------------------------------------------------------------


def test_the_three_steps_through_the_pages(client, finding, earliest, auditor, chief, leader):
    client.force_login(auditor)
    page = client.get(reverse("audits:discrepancy_detail", args=[finding.pk]))
    assert "最早记载：《招工登记表》（1993.07）：1975.03.12" in page.content.decode()
    response = client.post(
        reverse("audits:determination_propose", args=[finding.pk]), {"version": finding.version, "value": "1976.03.12", "basis": [earliest.pk]}
    )
    assert response.status_code == 400 and "批复文号" in response.content.decode()
    response = client.post(
        reverse("audits:determination_propose", args=[finding.pk]), {"version": finding.version, "value": "1975.03.12", "basis": [earliest.pk]}
    )
    assert response.status_code == 302
    determination = Determination.objects.get()

    client.force_login(chief)
    queue = client.get(reverse("audits:determination_queue")).content.decode()
    assert finding.case.dossier.cadre.name in queue and "1975.03.12" in queue
    response = client.post(reverse("audits:determination_decide", args=[determination.pk]), {"decision": "return", "opinion": ""})
    assert response.status_code == 400 and "退回必须填写理由" in response.content.decode()
    assert client.post(reverse("audits:determination_decide", args=[determination.pk]), {"decision": "agree", "opinion": "同意"}).status_code == 302

    client.force_login(leader)
    home = client.get(reverse("home")).content.decode()
    assert "认定待审批" in home
    assert client.post(reverse("audits:determination_decide", args=[determination.pk]), {"decision": "agree"}).status_code == 302
    determination.refresh_from_db()
    assert determination.status == Determination.Status.APPROVED


def test_an_auditor_cannot_decide_and_an_outsider_cannot_propose(client, finding, earliest, auditor, third_auditor):
    determination = propose(finding, auditor, "1975.03.12", [earliest])
    client.force_login(auditor)
    assert client.post(reverse("audits:determination_decide", args=[determination.pk]), {"decision": "agree"}).status_code == 403
    client.force_login(third_auditor)
    assert client.post(reverse("audits:determination_propose", args=[finding.pk]), {"value": "1975.03.12", "basis": [earliest.pk]}).status_code == 404


def test_the_proposal_form_starts_from_the_value_the_rule_points_to(client, finding, earliest, later, auditor):
    assert services.determination_default_value(finding) == "1975.03.12"
    client.force_login(auditor)
    page = client.get(reverse("audits:discrepancy_detail", args=[finding.pk])).content.decode()
    assert 'name="value"' in page and "1975.03.12</textarea>" in page
