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
    assert finding.category == "age" and finding.rule == "AGE-EARLIEST" and finding.subject == "出生日期"
    assert finding.rules == ["AGE-EARLIEST"]
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
    before = Discrepancy.objects.get(case=case)
    cadre = case.dossier.cadre
    # An earlier material with a third value: AGE-EARLIEST now fires on the same subject too.
    extra = add_material(cadre, "入团志愿书", "1992.05", code="6", recorded_birth_date="1977.01")
    result = detect_campaign(campaign_id=campaign.pk)
    finding = Discrepancy.objects.get(case=case)
    assert finding.pk == before.pk and finding.state == State.PENDING and finding.version == before.version + 1
    assert (finding.rule, finding.rules) == ("AGE-EARLIEST", ["AGE-EARLIEST", "AGE-DISAGREE"])
    assert result.updated == 1 and sum(result.created.values()) == 0
    assert "1977年1月" in finding.description
    assert extra.pk in set(finding.citations.values_list("material_id", flat=True))
    event = finding.events.last()
    assert event.action == EventAction.UPDATED and event.changes["rules"] == [["AGE-DISAGREE"], ["AGE-EARLIEST", "AGE-DISAGREE"]]


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


# --- one finding per subject, and what a re-run does with it ---------------------------------


def _birth_problem(campaign, **case_fields):
    """EARLIEST, DISAGREE and ALTERED on the birth date: the earliest material records
    another date, and the 干部履历表 (recording the current one) is altered."""
    case = planted_case(campaign, "AGE-EARLIEST", **case_fields)  # 干部履历表 records 1974.03
    cadre = case.dossier.cadre
    add_material(cadre, "年度考核登记表", "1996.12", code="3", recorded_birth_date="1975.03.12", altered=True)
    add_material(cadre, "干部任免审批表", "2001.05", code="4", recorded_birth_date="1975.03.12", altered=True)
    return case


def test_several_rules_on_one_subject_are_one_finding_citing_each_material_once():
    campaign = make_campaign()
    case = _birth_problem(campaign)
    result = detect_campaign(campaign_id=campaign.pk)
    finding = Discrepancy.objects.get(case=case)
    assert result.created == {"age": 1}
    assert (finding.subject, finding.rule, finding.rules) == ("出生日期", "AGE-EARLIEST", ["AGE-EARLIEST", "AGE-DISAGREE", "AGE-ALTERED"])
    assert finding.severity == Discrepancy.Severity.HIGH
    cited = list(finding.citations.values_list("material__title", flat=True))
    assert sorted(cited) == sorted(["干部履历表", "年度考核登记表", "干部任免审批表"])
    assert finding.description.endswith("（规则 AGE-EARLIEST、AGE-DISAGREE、AGE-ALTERED）")
    assert finding.events.get().comment == "系统比对（规则 AGE-EARLIEST、AGE-DISAGREE、AGE-ALTERED）发现"
    # A re-run keeps it single and changes nothing.
    result = detect_campaign(campaign_id=campaign.pk)
    assert Discrepancy.objects.filter(case=case).count() == 1 and result.updated == 0
    assert finding.events.count() == 1


def _dismiss(case, reason="阴阳历差异，已核实"):
    Discrepancy.objects.filter(case=case).update(state=State.DISMISSED, dismissed_reason=reason)
    return Discrepancy.objects.get(case=case)


def test_a_dismissal_holds_while_the_same_rules_fire_on_the_same_values():
    campaign = make_campaign()
    case = _birth_problem(campaign)
    detect_campaign(campaign_id=campaign.pk)
    dismissed = _dismiss(case)
    # A weeded material that recorded nothing of the birth date changes nothing.
    add_material(case.dossier.cadre, "体检表", "2010.01", code="10")
    result = detect_campaign(campaign_id=campaign.pk)
    finding = Discrepancy.objects.get(case=case)
    assert finding.state == State.DISMISSED and finding.version == dismissed.version
    assert sum(result.reopened.values()) == 0 and result.updated == 0
    assert finding.events.count() == dismissed.events.count()


def test_a_changed_value_makes_a_dismissed_finding_pending_again():
    campaign = make_campaign()
    case = planted_case(campaign, "AGE-EARLIEST")
    detect_campaign(campaign_id=campaign.pk)
    dismissed = _dismiss(case)
    Material.objects.filter(dossier=case.dossier, title="干部履历表").update(recorded_birth_date="1973.08")
    result = detect_campaign(campaign_id=campaign.pk)
    finding = Discrepancy.objects.get(case=case)
    assert finding.pk == dismissed.pk and Discrepancy.objects.filter(case=case).count() == 1
    assert finding.state == State.PENDING and finding.dismissed_reason == "" and finding.version == dismissed.version + 1
    assert "1973年8月" in finding.description
    assert list(finding.citations.values_list("recorded_value", flat=True)) == ["1973.08"]
    assert result.reopened == {"age": 1}
    event = finding.events.last()
    assert (event.action, event.from_state, event.to_state) == (EventAction.REOPENED, State.DISMISSED, State.PENDING)
    assert "原排除结论不再适用" in event.comment and event.changes["dismissed_reason"] == ["阴阳历差异，已核实", ""]


def test_a_new_rule_firing_makes_a_dismissed_finding_pending_again():
    campaign = make_campaign()
    case = planted_case(campaign, "AGE-EARLIEST")
    detect_campaign(campaign_id=campaign.pk)
    _dismiss(case)
    add_material(case.dossier.cadre, "年度考核登记表", "1996.12", code="3", recorded_birth_date="1975.03.12", altered=True)
    detect_campaign(campaign_id=campaign.pk)
    finding = Discrepancy.objects.get(case=case)
    assert finding.state == State.PENDING and finding.rules == ["AGE-EARLIEST", "AGE-DISAGREE", "AGE-ALTERED"]
    assert finding.events.last().changes["rules"] == [["AGE-EARLIEST"], ["AGE-EARLIEST", "AGE-DISAGREE", "AGE-ALTERED"]]


def test_a_dismissed_finding_whose_cause_is_gone_stays_dismissed():
    campaign = make_campaign()
    case = planted_case(campaign, "AGE-EARLIEST")
    detect_campaign(campaign_id=campaign.pk)
    _dismiss(case)
    Material.objects.filter(dossier=case.dossier, title="干部履历表").update(recorded_birth_date="1975-03-12")
    result = detect_campaign(campaign_id=campaign.pk)
    assert Discrepancy.objects.get(case=case).state == State.DISMISSED and sum(result.withdrawn.values()) == 0


def test_a_corrected_cause_withdraws_a_finding_of_several_rules():
    campaign = make_campaign()
    case = _birth_problem(campaign)
    detect_campaign(campaign_id=campaign.pk)
    cadre = case.dossier.cadre
    Material.objects.filter(dossier=cadre.dossier).update(altered=False)
    Material.objects.filter(dossier=cadre.dossier, title="干部履历表").update(recorded_birth_date="1975-03-12")
    result = detect_campaign(campaign_id=campaign.pk)
    finding = Discrepancy.objects.get(case=case)
    assert finding.state == State.WITHDRAWN and result.withdrawn == {"age": 1}
    assert finding.events.last().action == EventAction.WITHDRAWN


@pytest.mark.parametrize("state", [State.REGISTERED, State.RECTIFYING, State.DETERMINED, State.CORRECTED])
def test_a_confirmed_finding_is_never_touched(state):
    campaign = make_campaign()
    case = planted_case(campaign, "AGE-EARLIEST")
    detect_campaign(campaign_id=campaign.pk)
    Discrepancy.objects.filter(case=case).update(state=state)
    before = Discrepancy.objects.filter(case=case).values().get()
    add_material(case.dossier.cadre, "年度考核登记表", "1996.12", code="3", recorded_birth_date="1975.03.12", altered=True)
    detect_campaign(campaign_id=campaign.pk)
    assert Discrepancy.objects.filter(case=case).values().get() == before


# --- findings stored before one finding per subject (migration 0004) -------------------------


def _legacy(case, rule, old_subject="", state=State.PENDING, **fields):
    from audits.detection.rules import category_of

    return Discrepancy.objects.create(
        case=case,
        source=Discrepancy.Source.SYSTEM,
        category=category_of(rule),
        rule=rule,
        rules=[rule],
        subject=f"{rule}:{old_subject}",
        state=state,
        description=f"旧的系统比对问题（规则 {rule}）",
        **fields,
    )


def test_a_rerun_withdraws_legacy_pending_findings_and_registers_one_per_subject():
    campaign = make_campaign()
    case = _birth_problem(campaign)
    old = [_legacy(case, "AGE-EARLIEST", "x"), _legacy(case, "AGE-DISAGREE"), _legacy(case, "AGE-ALTERED", "17")]
    result = detect_campaign(campaign_id=campaign.pk)
    for row in old:
        row.refresh_from_db()
        assert row.state == State.WITHDRAWN and row.events.get().action == EventAction.WITHDRAWN
    new = Discrepancy.objects.get(case=case, state=State.PENDING)
    assert new.subject == "出生日期" and new.rules == ["AGE-EARLIEST", "AGE-DISAGREE", "AGE-ALTERED"]
    assert result.withdrawn == {"age": 3} and result.created == {"age": 1}
    # And the next run is steady.
    result = detect_campaign(campaign_id=campaign.pk)
    assert sum(result.created.values()) == sum(result.withdrawn.values()) == result.updated == 0


def test_a_legacy_confirmed_finding_takes_the_new_subject_instead_of_a_duplicate():
    campaign = make_campaign()
    case = planted_case(campaign, "AGE-EARLIEST")
    confirmed = _legacy(case, "AGE-EARLIEST", state=State.REGISTERED)
    detect_campaign(campaign_id=campaign.pk)
    confirmed.refresh_from_db()
    assert Discrepancy.objects.filter(case=case).count() == 1
    assert (confirmed.subject, confirmed.state, confirmed.description) == ("出生日期", State.REGISTERED, "旧的系统比对问题（规则 AGE-EARLIEST）")
    assert confirmed.events.get().changes == {"subject": ["AGE-EARLIEST:", "出生日期"]}


def test_a_legacy_dismissal_holds_on_the_same_grounds_and_not_on_new_ones():
    campaign = make_campaign()
    same = planted_case(campaign, "AGE-EARLIEST")
    resume = material(same.dossier.cadre, "干部履历表")
    kept = _legacy(same, "AGE-EARLIEST", state=State.DISMISSED, current_value="1975.03.12", dismissed_reason="阴阳历差异")
    kept.citations.create(material=resume, recorded_value="1974.03")
    grown = _birth_problem(campaign)
    lapsed = _legacy(grown, "AGE-EARLIEST", state=State.DISMISSED, current_value="1975.03.12", dismissed_reason="阴阳历差异")
    lapsed.citations.create(material=material(grown.dossier.cadre, "干部履历表"), recorded_value="1974.03")
    detect_campaign(campaign_id=campaign.pk)
    kept.refresh_from_db()
    assert (kept.subject, kept.state) == ("出生日期", State.DISMISSED) and Discrepancy.objects.filter(case=same).count() == 1
    lapsed.refresh_from_db()
    assert (lapsed.subject, lapsed.state) == ("AGE-EARLIEST:", State.DISMISSED)
    assert Discrepancy.objects.get(case=grown, subject="出生日期").state == State.PENDING


def test_a_legacy_gap_finding_maps_to_its_pair_of_periods():
    campaign = make_campaign()
    case = planted_case(campaign, "EXP-GAP")
    confirmed = _legacy(case, "EXP-GAP", "2000-09", state=State.REGISTERED)
    detect_campaign(campaign_id=campaign.pk)
    confirmed.refresh_from_db()
    assert confirmed.subject == "经历衔接 1995.07—2000.09" and Discrepancy.objects.filter(case=case).count() == 1


# --- settled values and nested periods through the database -----------------------------------


def test_the_products_own_determination_sheet_settles_the_value():
    from audits.services.determination import SHEET_MATERIAL_CATEGORY, SHEET_MATERIAL_TITLE

    campaign = make_campaign()
    case = planted_case(campaign, "AGE-EARLIEST")  # 干部履历表 (1995) records 1974.03
    cadre = case.dossier.cadre
    add_material(cadre, SHEET_MATERIAL_TITLE, "2021.06.30", code=SHEET_MATERIAL_CATEGORY, recorded_birth_date="1975.03.12")
    detect_campaign(campaign_id=campaign.pk)
    assert not Discrepancy.objects.filter(case=case).exists()
    Cadre.objects.filter(pk=cadre.pk).update(birth_date="1974-03")  # the ID number now disagrees too (AGE-ID)
    detect_campaign(campaign_id=campaign.pk)
    finding = Discrepancy.objects.get(case=case, subject="出生日期")
    assert finding.rule == "AGE-EARLIEST" and "认定结论不一致" in finding.description


def test_a_nested_study_period_inside_a_post_raises_nothing():
    campaign = make_campaign()
    case = make_case(campaign, clean=False, work_start_date=d("2000.07"))
    cadre = case.dossier.cadre
    clean_dossier(cadre, periods=False)
    from .detection_data import add_period

    add_period(cadre, "2000.07", "2010.03", post="某县某局科员、副局长")
    add_period(cadre, "2005.09", "2008.07", post="其间：2005.09—2008.07在省委党校经济管理专业在职大学学习", kind="在职学习")
    add_period(cadre, "2010.03", post="某县某局局长")
    detect_campaign(campaign_id=campaign.pk)
    assert not Discrepancy.objects.filter(case=case).exists()
