"""Creating campaigns, assigning reviewers, and drawing the leader's sample."""

from decimal import Decimal
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from archives.models import Recusal
from archives.roles import Role
from archives.tests.factories import CadreFactory, UnitFactory, UserFactory
from audits import sampling, services
from audits.models import AuditCase, Campaign, CaseTransition
from audits.tests.factories import DiscrepancyFactory
from audits.workflow import CaseEvent

pytestmark = pytest.mark.django_db


def test_it_creates_one_case_per_dossier_in_the_units_in_scope(chief, auditor, other_auditor):
    county = UnitFactory(name="某县")
    bureau = UnitFactory(name="财政局", parent=county)
    elsewhere = UnitFactory(name="外县")
    inside = [CadreFactory(unit=county), CadreFactory(unit=bureau)]
    CadreFactory(unit=elsewhere)

    campaign = services.campaign_create(name="2026年专项审核", created_by=chief, units=[county], auditors=[auditor, other_auditor])

    assert {c.dossier.cadre_id for c in campaign.cases.all()} == {c.pk for c in inside}
    assert set(campaign.auditors.all()) == {auditor, other_auditor}
    assert campaign.created_by == chief


def test_it_balances_initial_reviews_and_crosses_re_reviews(chief, auditor, other_auditor):
    CadreFactory.create_batch(6)
    campaign = services.campaign_create(name="批次", created_by=chief, auditors=[auditor, other_auditor])

    cases = list(campaign.cases.all())
    assert sum(c.initial_reviewer == auditor for c in cases) == 3
    assert sum(c.initial_reviewer == other_auditor for c in cases) == 3
    for case in cases:
        assert case.re_reviewer is not None
        assert case.re_reviewer != case.initial_reviewer


def test_it_never_assigns_an_auditors_own_dossier_or_a_relatives(chief, auditor, other_auditor, third_auditor):
    own = CadreFactory(user=auditor)
    relative = CadreFactory()
    Recusal.objects.create(user=auditor, cadre=relative, relation="配偶")
    CadreFactory.create_batch(4)

    campaign = services.campaign_create(name="批次", created_by=chief, auditors=[auditor, other_auditor, third_auditor])

    for case in campaign.cases.filter(dossier__cadre__in=[own, relative]):
        assert auditor not in (case.initial_reviewer, case.re_reviewer)


def test_it_avoids_an_auditor_of_the_cadres_own_unit_when_another_is_available(chief, auditor, other_auditor, third_auditor):
    unit = UnitFactory(name="教育局")
    CadreFactory(unit=unit, user=auditor)
    colleagues = CadreFactory.create_batch(3, unit=unit)

    campaign = services.campaign_create(name="批次", created_by=chief, auditors=[auditor, other_auditor, third_auditor])

    for case in campaign.cases.filter(dossier__cadre__in=colleagues):
        assert auditor not in (case.initial_reviewer, case.re_reviewer)


def test_with_no_auditors_cases_wait_unassigned(chief):
    CadreFactory.create_batch(2)
    campaign = services.campaign_create(name="批次", created_by=chief)
    assert campaign.cases.count() == 2
    assert not campaign.cases.filter(initial_reviewer__isnull=False).exists()


def test_default_auditors_are_every_user_with_the_auditor_role(chief, auditor, other_auditor):
    CadreFactory()
    campaign = services.campaign_create(name="批次", created_by=chief)
    assert set(campaign.auditors.all()) == {auditor, other_auditor}


def test_it_leaves_an_assignment_row_in_each_cases_history(chief, auditor, other_auditor):
    CadreFactory()
    campaign = services.campaign_create(name="批次", created_by=chief, auditors=[auditor, other_auditor])
    row = CaseTransition.objects.get(case__campaign=campaign)
    assert row.action == CaseEvent.ASSIGN
    assert row.actor == chief
    assert "初审" in row.comment and "复审" in row.comment


def test_it_refuses_campaign_creation_by_an_auditor(auditor):
    with pytest.raises(ValidationError, match="只有科长"):
        services.campaign_create(name="批次", created_by=auditor)


@pytest.mark.parametrize("rate", ["1.5", "-0.1", "abc"])
def test_it_refuses_a_sample_rate_outside_0_to_1(chief, rate):
    with pytest.raises(ValidationError):
        services.campaign_create(name="批次", created_by=chief, sample_rate=rate)


def test_it_refuses_a_non_auditor_as_staff(chief, archivist):
    with pytest.raises(ValidationError, match="不是审核人员"):
        services.campaign_create(name="批次", created_by=chief, auditors=[archivist])


def test_assign_pending_fills_cases_created_without_auditors(chief):
    CadreFactory.create_batch(3)
    campaign = services.campaign_create(name="批次", created_by=chief)
    a = UserFactory(username="late_a", roles=[Role.AUDITOR])
    b = UserFactory(username="late_b", roles=[Role.AUDITOR])

    assert services.campaign_assign_pending(campaign=campaign, user=chief) == 3

    for case in campaign.cases.all():
        assert {case.initial_reviewer, case.re_reviewer} == {a, b}
        assert case.version == 1


# --- the command --------------------------------------------------------------------------


def test_create_campaign_command_prints_the_id_alone_on_the_last_line(auditor, other_auditor):
    unit = UnitFactory(name="水利局")
    CadreFactory.create_batch(2, unit=unit)
    CadreFactory()
    out = StringIO()
    call_command("create_campaign", "命令批次", "--unit", "水利局", "--auditor", auditor.username, "--sample-rate", "0.2", stdout=out)

    campaign = Campaign.objects.get(pk=int(out.getvalue().strip().splitlines()[-1]))
    assert campaign.name == "命令批次"
    assert campaign.sample_rate == Decimal("0.2")
    assert campaign.cases.count() == 2
    assert list(campaign.auditors.all()) == [auditor]


def test_create_campaign_command_refuses_an_unknown_unit():
    with pytest.raises(CommandError, match="找不到单位"):
        call_command("create_campaign", "批次", "--unit", "不存在的单位", stdout=StringIO())


def test_create_campaign_command_refuses_an_unknown_user():
    with pytest.raises(CommandError, match="nobody"):
        call_command("create_campaign", "批次", "--auditor", "nobody", stdout=StringIO())


# --- the leader's sample ------------------------------------------------------------------


def test_the_sample_is_reproducible_from_its_seed():
    ids = list(range(1, 101))
    assert sampling.draw(ids, Decimal("0.1"), 42) == sampling.draw(list(reversed(ids)), Decimal("0.1"), 42)
    assert len(sampling.draw(ids, Decimal("0.1"), 42)) == 10
    assert sampling.sample_size(5, Decimal("0.1")) == 1
    assert sampling.sample_size(5, Decimal("0")) == 0


def test_drawing_the_sample_records_the_seed_and_marks_the_cases(chief, auditor, other_auditor):
    CadreFactory.create_batch(20)
    campaign = services.campaign_create(name="批次", created_by=chief, auditors=[auditor, other_auditor], sample_rate=Decimal("0.1"))

    sampled = services.campaign_draw_sample(campaign=campaign, user=chief, seed=12345)

    campaign.refresh_from_db()
    assert campaign.sample_seed == 12345 and campaign.sampled_at
    assert sampled == sampling.draw(campaign.cases.values_list("pk", flat=True), campaign.sample_rate, 12345)
    assert set(AuditCase.objects.filter(sampled=True).values_list("pk", flat=True)) == sampled
    assert CaseTransition.objects.filter(action=CaseEvent.SAMPLED).count() == 2


def test_forced_inclusion_samples_every_case_with_discrepancies(chief, auditor, other_auditor):
    CadreFactory.create_batch(10)
    campaign = services.campaign_create(name="批次", created_by=chief, auditors=[auditor, other_auditor], sample_rate=0, force_sample_with_discrepancies=True)
    with_findings = list(campaign.cases.all()[:3])
    for case in with_findings:
        DiscrepancyFactory(case=case)

    sampled = services.campaign_draw_sample(campaign=campaign, user=chief, seed=1)

    assert sampled == {c.pk for c in with_findings}


def test_it_refuses_drawing_the_sample_twice(chief):
    campaign = services.campaign_create(name="批次", created_by=chief)
    services.campaign_draw_sample(campaign=campaign, user=chief, seed=7)
    with pytest.raises(ValidationError, match="不能重新抽取"):
        services.campaign_draw_sample(campaign=campaign, user=chief, seed=8)


def test_it_refuses_drawing_the_sample_by_a_leader(leader, chief):
    campaign = services.campaign_create(name="批次", created_by=chief)
    with pytest.raises(ValidationError, match="只有科长"):
        services.campaign_draw_sample(campaign=campaign, user=leader)
