"""Object-level access of the audit pages: one's own and a relative's case are out of reach for
chief and leader too (404, nothing written), ids in the URL or the POST data must belong to the
case or discrepancy in hand, and every page showing a dossier's contents leaves a 利用 row."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from archives.models import DossierUse, Material, MaterialWeeding, Recusal
from archives.tests.factories import CadreFactory, MaterialFactory, category
from audits import services
from audits.models import AuditCase, CaseState, CaseTransition, Determination, Discrepancy, DiscrepancyEvent, Feedback, MaterialAuthentication, MaterialRequest
from audits.tests.factories import AuditCaseFactory, DiscrepancyFactory
from audits.workflow import Action

pytestmark = pytest.mark.django_db


@pytest.fixture
def own_case(chief, leader, auditor, other_auditor):
    """A case in rectification over the dossier of the user `whose` (set by the test)."""

    def build(user, *, relative=False, state=CaseState.RECTIFICATION, **fields):
        cadre = CadreFactory(name="回避对象")
        if relative:
            Recusal.objects.create(user=user, cadre=cadre, relation="配偶")
        else:
            cadre.user = user
            cadre.save(update_fields=["user"])
        case = AuditCaseFactory(
            dossier=cadre.dossier, state=state, initial_reviewer=auditor, re_reviewer=other_auditor, campaign__sample_rate=0, findings_frozen=True, **fields
        )
        finding = DiscrepancyFactory(case=case)
        return case, finding

    return build


def _chief_requests(case, finding, material, feedback, material_request, determination):
    version = {"version": 0}
    return [
        ("get", reverse("audits:case_detail", args=[case.pk]), {}),
        ("get", reverse("audits:discrepancy_detail", args=[finding.pk]), {}),
        ("post", reverse("audits:case_act", args=[case.pk, Action.CLOSE]), version),
        ("post", reverse("audits:case_reassign", args=[case.pk]), version),
        ("post", reverse("audits:feedback_create", args=[finding.pk]), {"sent_on": "2026-03-01", "content": "请核对"}),
        ("post", reverse("audits:feedback_reply", args=[finding.pk, feedback.pk]), {"reply": Feedback.Reply.AGREES}),
        ("post", reverse("audits:interview_create", args=[finding.pk]), {"held_on": "2026-03-01", "participants": "甲", "minutes": "谈话"}),
        ("post", reverse("audits:material_request_create", args=[finding.pk]), {"method": "phone", "requested_material": "x", "due_on": "2026-04-01"}),
        ("post", reverse("audits:material_request_receive", args=[finding.pk, material_request.pk]), {}),
        ("post", reverse("audits:material_authenticate", args=[finding.pk]), {"material": material.pk, "result": "authentic"}),
        ("post", reverse("audits:material_weed", args=[finding.pk]), {"material": material.pk, "reason": "重复", "approved_by": "某"}),
        ("post", reverse("audits:determination_decide", args=[determination.pk]), {"decision": "agree"}),
        ("post", reverse("audits:detection:discrepancy_confirm", args=[finding.pk]), version),
        ("post", reverse("audits:detection:discrepancy_dismiss", args=[finding.pk]), {**version, "reason": "无"}),
    ]


@pytest.mark.parametrize("relative", [False, True], ids=["own", "relative"])
def test_a_chief_neither_opens_nor_acts_on_their_own_or_a_relatives_case(client, chief, own_case, relative):
    case, finding = own_case(chief, relative=relative)
    material = MaterialFactory(dossier=case.dossier)
    feedback = Feedback.objects.create(discrepancy=finding, round=1, sent_on=dt.date(2026, 3, 1), content="请核对")
    request = MaterialRequest.objects.create(discrepancy=finding, method="phone", requested_material="x", due_on=dt.date(2026, 4, 1))
    determination = Determination.objects.create(discrepancy=finding, value="1976.03", proposed_by=case.initial_reviewer)
    events = DiscrepancyEvent.objects.count()
    client.force_login(chief)
    for method, url, data in _chief_requests(case, finding, material, feedback, request, determination):
        assert getattr(client, method)(url, data).status_code == 404, url
    assert not DossierUse.objects.exists()
    assert DiscrepancyEvent.objects.count() == events and not CaseTransition.objects.exists()
    assert AuditCase.objects.get(pk=case.pk).state == CaseState.RECTIFICATION
    assert not MaterialAuthentication.objects.exists() and not MaterialWeeding.objects.exists()
    assert Determination.objects.get().status == Determination.Status.PROPOSED


@pytest.mark.parametrize("relative", [False, True], ids=["own", "relative"])
def test_a_leader_neither_opens_nor_spot_checks_their_own_or_a_relatives_case(client, leader, own_case, relative):
    case, finding = own_case(leader, relative=relative, state=CaseState.LEADER_CHECK, sampled=True)
    client.force_login(leader)
    assert client.get(reverse("audits:case_detail", args=[case.pk])).status_code == 404
    assert client.get(reverse("audits:discrepancy_detail", args=[finding.pk])).status_code == 404
    assert client.post(reverse("audits:case_act", args=[case.pk, Action.LEADER_APPROVE]), {"version": 0}).status_code == 404
    assert AuditCase.objects.get(pk=case.pk).state == CaseState.LEADER_CHECK
    assert not DossierUse.objects.exists()


def test_the_case_lists_and_the_sample_on_the_campaign_page_leave_out_ones_own_case(client, chief, own_case, auditor, other_auditor):
    case, _ = own_case(chief, sampled=True)
    campaign = case.campaign
    campaign.sample_seed = 7
    campaign.save(update_fields=["sample_seed"])
    other = AuditCaseFactory(campaign=campaign, dossier=CadreFactory(name="吴他人").dossier, sampled=True, initial_reviewer=auditor, re_reviewer=other_auditor)
    client.force_login(chief)
    page = client.get(reverse("audits:campaign_detail", args=[campaign.pk])).content.decode()
    assert "吴他人" in page and reverse("audits:case_detail", args=[other.pk]) in page
    assert "回避对象" not in page and reverse("audits:case_detail", args=[case.pk]) not in page
    listing = client.get(reverse("audits:case_list")).content.decode()
    assert "吴他人" in listing and "回避对象" not in listing


# --- ids from the URL or the POST data belong to the object in hand ---------------------------


@pytest.fixture
def two_findings(case):
    """Two discrepancies in rectification the auditor may work on, on two different cases."""
    AuditCase.objects.filter(pk=case.pk).update(state=CaseState.RECTIFICATION, findings_frozen=True)
    second_case = AuditCaseFactory(
        campaign=case.campaign, state=CaseState.RECTIFICATION, findings_frozen=True, initial_reviewer=case.initial_reviewer, re_reviewer=case.re_reviewer
    )
    return DiscrepancyFactory(case=case), DiscrepancyFactory(case=second_case)


def test_a_feedback_of_another_discrepancy_cannot_be_answered_through_this_one(client, auditor, two_findings):
    mine, other = two_findings
    feedback = Feedback.objects.create(discrepancy=other, round=1, sent_on=dt.date(2026, 3, 1), content="请核对")
    client.force_login(auditor)
    response = client.post(reverse("audits:feedback_reply", args=[mine.pk, feedback.pk]), {"reply": Feedback.Reply.AGREES})
    assert response.status_code == 404
    feedback.refresh_from_db()
    assert feedback.reply == Feedback.Reply.NONE


def test_a_material_request_of_another_discrepancy_cannot_be_received_through_this_one(client, auditor, two_findings):
    mine, other = two_findings
    request = MaterialRequest.objects.create(discrepancy=other, method="phone", requested_material="入党申请书", due_on=dt.date(2026, 4, 1))
    client.force_login(auditor)
    response = client.post(
        reverse("audits:material_request_receive", args=[mine.pk, request.pk]),
        {"category": category("6").pk, "title": "入党申请书", "formed_date": "1998.05", "received_on": "2026-03-10", "sender": "本人"},
    )
    assert response.status_code == 404
    request.refresh_from_db()
    assert request.state == MaterialRequest.State.OPEN and not Material.objects.filter(title="入党申请书").exists()


@pytest.mark.parametrize("action", ["material_authenticate", "material_weed"])
def test_a_material_of_another_dossier_is_refused_by_authentication_and_weeding(client, auditor, two_findings, action):
    mine, other = two_findings
    foreign = MaterialFactory(dossier=other.case.dossier, title="别人的材料")
    client.force_login(auditor)
    data = {"material": foreign.pk, "result": "authentic", "reason": "重复", "approved_by": "某"}
    assert client.post(reverse(f"audits:{action}", args=[mine.pk]), data).status_code == 400
    foreign.refresh_from_db()
    assert foreign.weeded_at is None and not MaterialAuthentication.objects.exists() and not MaterialWeeding.objects.exists()


def test_citing_a_material_of_another_dossier_when_registering_is_ignored_by_the_page_and_refused_by_the_service(client, case, auditor):
    own = MaterialFactory(dossier=case.dossier, title="招工登记表")
    foreign = MaterialFactory(title="别人的入团志愿书")
    client.force_login(auditor)
    response = client.post(
        reverse("audits:discrepancy_create", args=[case.pk]),
        {"category": "age", "description": "出生日期不一致", "severity": "normal", f"cite_{own.pk}": "on", f"cite_{foreign.pk}": "on"},
    )
    assert response.status_code == 302
    finding = Discrepancy.objects.get(case=case)
    assert list(finding.citations.values_list("material_id", flat=True)) == [own.pk]
    with pytest.raises(ValidationError, match="不属于本档案"):
        services.discrepancy_register(case=case, user=auditor, category="age", description="再登记", citations=[(foreign, "")])


def test_an_edit_cannot_cite_a_material_of_another_dossier(case, auditor):
    finding = services.discrepancy_register(case=case, user=auditor, category="age", description="出生日期不一致")
    foreign = MaterialFactory()
    with pytest.raises(ValidationError, match="不属于本档案"):
        services.discrepancy_update(discrepancy=finding, user=auditor, expected_version=finding.version, citations=[(foreign, "")])


def test_a_reassignment_to_someone_who_is_not_an_auditor_is_refused(client, case, chief, archivist, leader):
    client.force_login(chief)
    for person in (archivist, leader):
        client.post(reverse("audits:case_reassign", args=[case.pk]), {"version": 0, "initial_reviewer": case.initial_reviewer_id, "re_reviewer": person.pk})
    case.refresh_from_db()
    assert case.re_reviewer_id not in (archivist.pk, leader.pk) and case.version == 0


def test_a_reassignment_to_an_auditor_related_to_the_cadre_is_refused(client, case, chief, third_auditor):
    Recusal.objects.create(user=third_auditor, cadre=case.dossier.cadre, relation="兄弟")
    client.force_login(chief)
    response = client.post(
        reverse("audits:case_reassign", args=[case.pk]),
        {"version": 0, "initial_reviewer": case.initial_reviewer_id, "re_reviewer": third_auditor.pk},
        follow=True,
    )
    assert "回避" in response.content.decode()
    case.refresh_from_db()
    assert case.re_reviewer_id != third_auditor.pk


def test_a_reassignment_may_bring_an_auditor_from_outside_the_campaign_who_then_joins_its_staff(client, case, chief, third_auditor):
    """Decided: the chief may call in any active auditor (the campaign's staff is where the
    assignment starts, not a closed list); the newcomer joins the staff, and the reassignment is
    in the case history."""
    assert third_auditor not in case.campaign.auditors.all()
    client.force_login(chief)
    client.post(reverse("audits:case_reassign", args=[case.pk]), {"version": 0, "initial_reviewer": case.initial_reviewer_id, "re_reviewer": third_auditor.pk})
    case.refresh_from_db()
    assert case.re_reviewer == third_auditor and third_auditor in case.campaign.auditors.all()


def test_detection_is_started_and_followed_only_for_an_existing_campaign(client, chief, auditor, case):
    client.force_login(chief)
    assert client.post(reverse("audits:detection:detection_start", args=[case.campaign_id + 100])).status_code == 404
    assert client.get(reverse("audits:detection:detection_progress", args=[case.campaign_id + 100])).status_code == 404
    client.force_login(auditor)
    assert client.post(reverse("audits:detection:detection_start", args=[case.campaign_id])).status_code == 403


# --- every showing of a dossier's contents is recorded -----------------------------------------


def test_the_finding_forms_record_a_use_of_the_dossier(client, case, auditor):
    MaterialFactory(dossier=case.dossier, title="招工登记表")
    client.force_login(auditor)
    assert "招工登记表" in client.get(reverse("audits:discrepancy_create", args=[case.pk])).content.decode()
    finding = services.discrepancy_register(case=case, user=auditor, category="age", description="出生日期不一致")
    assert "招工登记表" in client.get(reverse("audits:discrepancy_edit", args=[finding.pk])).content.decode()
    rows = DossierUse.objects.filter(dossier=case.dossier, user=auditor)
    assert rows.count() == 1  # both forms are one opening for 问题登记 (same user, purpose, day)
    assert all(row.kind == DossierUse.Kind.VIEW and "问题登记" in row.purpose for row in rows)


def test_a_refused_rectification_step_showing_the_discrepancy_page_again_is_recorded(client, auditor, two_findings):
    mine, _ = two_findings
    client.force_login(auditor)
    response = client.post(reverse("audits:feedback_create", args=[mine.pk]), {"sent_on": "", "content": ""})
    assert response.status_code == 400
    assert DossierUse.objects.filter(dossier=mine.case.dossier, user=auditor, path=reverse("audits:feedback_create", args=[mine.pk])).exists()
