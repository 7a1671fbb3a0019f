"""Detection over a campaign: a planted data set, reconciling on re-runs, query counts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from archives.models import Cadre, Material
from archives.tests.factories import CadreFactory
from audits.detection import detect_after_import, detect_campaign
from audits.detection.engine import EventAction
from audits.detection.rules import RULES
from audits.detection.selectors import current_findings
from audits.models import AuditCase, CaseState, Discrepancy, DiscrepancyEvent

from .detection_data import PLANTS, add_material, clean_dossier, d, make_campaign, make_case, material, planted_case

pytestmark = pytest.mark.django_db
State = Discrepancy.State


def found(campaign):
    return {(f["id_number"], f["rule"]) for f in current_findings(campaign_id=campaign.pk)}


def test_the_plants_cover_every_rule():
    assert set(PLANTS) == set(RULES)


def test_it_finds_every_planted_discrepancy_and_nothing_else():
    campaign = make_campaign()
    expected = set()
    for rule in PLANTS:
        case = planted_case(campaign, rule)
        expected.add((case.dossier.cadre.id_number, rule))
    # Consistent dossiers in several shapes raise nothing.
    make_case(campaign)
    make_case(campaign, party_join_date=None)
    make_case(campaign, clean=False, party_join_date=None, education="高中", verification_number="")  # no materials at all
    month_only = make_case(campaign, clean=False, birth_date=d("1975.03"))
    clean_dossier(month_only.dossier.cadre)
    Material.objects.filter(dossier=month_only.dossier, title="干部履历表").update(recorded_birth_date="1975-03-12")
    weeded = make_case(campaign)
    add_material(weeded.dossier.cadre, "涂改的登记表", "1990.01", code="10", recorded_birth_date="1970.01", altered=True, weeded_at=timezone.now())
    # Out of scope: a closed case, a frozen case and a case of another campaign.
    planted_case(campaign, "AGE-EARLIEST", state=CaseState.CLOSED)
    frozen = planted_case(campaign, "AGE-EARLIEST", state=CaseState.RECTIFICATION)
    AuditCase.objects.filter(pk=frozen.pk).update(findings_frozen=True)
    other = planted_case(make_campaign("另一批次"), "AGE-EARLIEST")

    result = detect_campaign(campaign_id=campaign.pk)

    assert found(campaign) == expected
    assert sum(result.created.values()) == len(expected)
    assert not Discrepancy.objects.filter(case=other).exists()
    assert Discrepancy.objects.filter(source=Discrepancy.Source.SYSTEM, state=State.PENDING).count() == len(expected)


def test_findings_explain_themselves_and_cite_materials():
    campaign = make_campaign()
    case = planted_case(campaign, "AGE-EARLIEST")
    detect_campaign(campaign_id=campaign.pk)
    finding = Discrepancy.objects.get(case=case)
    resume = material(case.dossier.cadre, "干部履历表")
    assert finding.source == Discrepancy.Source.SYSTEM and finding.state == State.PENDING
    assert finding.category == "age" and finding.rule == "AGE-EARLIEST" and finding.subject == ""
    assert finding.severity == Discrepancy.Severity.HIGH
    assert resume.citation() in finding.description and "1974年3月" in finding.description and "1975年3月12日" in finding.description
    assert finding.current_value == "1975.03.12"
    assert resume.citation() in finding.recorded_values
    assert list(finding.citations.values_list("material_id", "recorded_value")) == [(resume.pk, "1974.03")]
    assert finding.events.get().action == EventAction.DETECTED


def test_a_rerun_changes_nothing():
    campaign = make_campaign()
    for rule in PLANTS:
        planted_case(campaign, rule)
    detect_campaign(campaign_id=campaign.pk)
    before = list(Discrepancy.objects.order_by("pk").values())
    events = DiscrepancyEvent.objects.count()
    result = detect_campaign(campaign_id=campaign.pk)
    assert list(Discrepancy.objects.order_by("pk").values()) == before
    assert DiscrepancyEvent.objects.count() == events
    assert sum(result.created.values()) == 0 and sum(result.withdrawn.values()) == 0 and result.updated == 0


def test_dismissed_and_confirmed_findings_are_left_alone():
    campaign = make_campaign()
    dismissed_case = planted_case(campaign, "AGE-EARLIEST")
    confirmed_case = planted_case(campaign, "EDU-UNVERIFIED")
    detect_campaign(campaign_id=campaign.pk)
    Discrepancy.objects.filter(case=dismissed_case).update(state=State.DISMISSED, dismissed_reason="阴阳历差异，已核实")
    Discrepancy.objects.filter(case=confirmed_case).update(state=State.REGISTERED)
    # The confirmed finding's cause goes away: it stays registered.
    Cadre.objects.filter(pk=confirmed_case.dossier.cadre.pk).update(verification_number="RZ-NEW")

    detect_campaign(campaign_id=campaign.pk)

    assert Discrepancy.objects.get(case=dismissed_case).state == State.DISMISSED
    assert Discrepancy.objects.get(case=confirmed_case).state == State.REGISTERED
    assert Discrepancy.objects.filter(case__in=[dismissed_case, confirmed_case]).count() == 2


def test_a_corrected_cause_withdraws_the_pending_finding_and_its_return_reopens_it():
    campaign = make_campaign()
    case = planted_case(campaign, "EDU-UNVERIFIED")
    detect_campaign(campaign_id=campaign.pk)
    cadre = case.dossier.cadre

    Cadre.objects.filter(pk=cadre.pk).update(verification_number="RZ-2026-1")
    result = detect_campaign(campaign_id=campaign.pk)
    finding = Discrepancy.objects.get(case=case)
    assert finding.state == State.WITHDRAWN and finding.version == 1
    assert result.withdrawn == {"education": 1}
    event = finding.events.last()
    assert (event.action, event.from_state, event.to_state) == (EventAction.WITHDRAWN, State.PENDING, State.WITHDRAWN)
    assert "自动撤销" in event.comment
    assert found(campaign) == set()

    Cadre.objects.filter(pk=cadre.pk).update(verification_number="")
    result = detect_campaign(campaign_id=campaign.pk)
    finding.refresh_from_db()
    assert finding.state == State.PENDING and finding.version == 2
    assert result.reopened == {"education": 1}
    assert finding.events.last().action == EventAction.REOPENED
    assert Discrepancy.objects.filter(case=case).count() == 1


def test_a_changed_value_updates_the_pending_finding_and_its_citations():
    campaign = make_campaign()
    case = planted_case(campaign, "AGE-DISAGREE")
    detect_campaign(campaign_id=campaign.pk)
    cadre = case.dossier.cadre
    extra = add_material(cadre, "入团志愿书", "1992.05", code="6", recorded_birth_date="1977.01")
    result = detect_campaign(campaign_id=campaign.pk)
    finding = Discrepancy.objects.get(case=case, rule="AGE-DISAGREE")
    assert result.updated >= 1
    assert "1977年1月" in finding.description
    assert extra.pk in set(finding.citations.values_list("material_id", flat=True))
    assert finding.events.last().action == EventAction.UPDATED


def test_a_weeded_material_no_longer_counts():
    campaign = make_campaign()
    case = planted_case(campaign, "AGE-DISAGREE")
    detect_campaign(campaign_id=campaign.pk)
    Material.objects.filter(dossier=case.dossier, title="年度考核登记表").update(weeded_at=timezone.now())
    detect_campaign(campaign_id=campaign.pk)
    assert Discrepancy.objects.get(case=case).state == State.WITHDRAWN


def test_detect_after_import_runs_for_the_open_cases_of_the_dossiers():
    campaign = make_campaign()
    touched = planted_case(campaign, "AGE-EARLIEST")
    untouched = planted_case(campaign, "AGE-EARLIEST")
    closed = planted_case(make_campaign("旧批次"), "AGE-EARLIEST", state=CaseState.CLOSED)
    detect_after_import(dossier_ids=[touched.dossier_id, closed.dossier_id, CadreFactory().dossier.pk])
    assert Discrepancy.objects.filter(case=touched).count() == 1
    assert not Discrepancy.objects.filter(case__in=[untouched, closed]).exists()


def test_detect_after_import_with_no_open_case_does_nothing():
    assert detect_after_import(dossier_ids=[]) is None


def _campaign_of(size, rules=tuple(PLANTS)):
    campaign = make_campaign(f"批次{size}")
    for i in range(size):
        planted_case(campaign, rules[i % len(rules)])
    return campaign


def _count_queries(campaign):
    with CaptureQueriesContext(connection) as ctx:
        detect_campaign(campaign_id=campaign.pk)
    return len(ctx.captured_queries)


def test_the_number_of_queries_does_not_grow_with_the_campaign():
    small, large = _campaign_of(3), _campaign_of(30)
    assert _count_queries(small) == _count_queries(large)  # findings registered
    assert _count_queries(small) == _count_queries(large)  # nothing to change


def test_withdrawing_and_updating_take_the_same_queries_for_3_and_30_cases():
    rules = ("AGE-DISAGREE", "EDU-UNVERIFIED")
    small, large = _campaign_of(3, rules), _campaign_of(30, rules)
    detect_campaign(campaign_id=small.pk)
    detect_campaign(campaign_id=large.pk)
    Cadre.objects.update(verification_number="RZ")
    Material.objects.filter(title="年度考核登记表").update(recorded_birth_date="1977-01")
    assert _count_queries(small) == _count_queries(large)
    assert Discrepancy.objects.filter(state=State.WITHDRAWN).count() == 1 + 15
    Material.objects.filter(title="年度考核登记表").update(weeded_at=timezone.now())
    assert _count_queries(small) == _count_queries(large)
    assert Discrepancy.objects.filter(state=State.WITHDRAWN).count() == 3 + 30


@pytest.mark.parametrize("size", [3, 30])
def test_a_first_run_takes_a_fixed_number_of_queries(size, django_assert_num_queries):
    campaign = _campaign_of(size)
    # savepoint, 3 reads, 2 reads of existing findings, 3 bulk inserts, the counts, release.
    with django_assert_num_queries(11):
        detect_campaign(campaign_id=campaign.pk)


@pytest.mark.parametrize("size", [3, 30])
def test_a_rerun_takes_a_fixed_number_of_queries(size, django_assert_num_queries):
    campaign = _campaign_of(size)
    detect_campaign(campaign_id=campaign.pk)
    # savepoint, 3 reads, 2 reads of existing findings, the counts, release.
    with django_assert_num_queries(8):
        detect_campaign(campaign_id=campaign.pk)
