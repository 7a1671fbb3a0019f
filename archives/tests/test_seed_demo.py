from io import StringIO

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command

from archives.models import Cadre, Material, ResumePeriod
from archives.roles import Role, user_roles
from audits.models import AuditCase, Campaign, Category, Discrepancy

pytestmark = pytest.mark.django_db


def seed(**options):
    out = StringIO()
    call_command("seed_demo", stdout=out, **options)
    return out.getvalue()


def test_it_builds_a_realistic_county_with_every_category_planted():
    output = seed(cadres=300, password="demo-pass-2026")
    assert Cadre.objects.count() == 300
    assert Material.objects.count() > 300 * 10
    assert ResumePeriod.objects.count() > 300 * 3
    assert Cadre.objects.filter(dossier__isnull=True).count() == 0
    campaign = Campaign.objects.get()
    assert AuditCase.objects.filter(campaign=campaign).count() == 300
    findings = Discrepancy.objects.filter(case__campaign=campaign, source=Discrepancy.Source.SYSTEM)
    assert set(findings.values_list("category", flat=True)) == set(Category.values)
    assert len(set(findings.values_list("rule", flat=True))) == 20  # every rule of DETECTION_RULES.md
    # Most cadres are clean: a demo where everything is wrong would teach nothing.
    assert findings.values("case").distinct().count() < 200
    for username in ["auditor1", "auditor2", "chief", "leader", "archivist", "admin"]:
        assert username in output
        assert authenticate(username=username, password="demo-pass-2026") is not None


def test_each_demo_user_has_its_role():
    seed(cadres=20)
    roles = {u.username: user_roles(u) for u in get_user_model().objects.all()}
    assert roles["auditor1"] == {Role.AUDITOR}
    assert roles["chief"] == {Role.CHIEF}
    assert roles["leader"] == {Role.LEADER}
    assert roles["archivist"] == {Role.ARCHIVIST}
    assert Role.ADMIN in roles["admin"]


def test_running_it_twice_duplicates_nothing_and_prints_working_passwords():
    seed(cadres=40)
    counts = (Cadre.objects.count(), Material.objects.count(), AuditCase.objects.count(), Discrepancy.objects.count())
    output = seed(cadres=40)
    assert (Cadre.objects.count(), Material.objects.count(), AuditCase.objects.count(), Discrepancy.objects.count()) == counts
    line = next(line for line in output.splitlines() if line.strip().startswith("leader"))
    password = line.split()[1]
    assert authenticate(username="leader", password=password) is not None


def test_the_first_auditor_is_kept_away_from_their_own_dossier():
    seed(cadres=120)
    auditor = get_user_model().objects.get(username="auditor1")
    own = Cadre.objects.get(user=auditor)
    assert not AuditCase.objects.filter(dossier__cadre=own, initial_reviewer=auditor).exists()
    assert not AuditCase.objects.filter(dossier__cadre=own, re_reviewer=auditor).exists()
