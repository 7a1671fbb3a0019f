"""Role home pages (工作台): each shows the counts of its pending work and the days left
before the campaigns' deadlines, in a number of queries that does not grow with the data."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from archives.models import DossierTransfer, ImportJob, Recusal
from archives.services import dossier_lend, dossier_transfer
from archives.tests.factories import CadreFactory
from audits.models import AuditCase, CaseState
from audits.tests.factories import AuditCaseFactory, CampaignFactory

pytestmark = pytest.mark.django_db


def test_an_auditors_home_shows_the_days_left_of_the_campaigns_with_their_work(client, auditor, other_auditor):
    today = timezone.localdate()
    soon = CampaignFactory(name="近期批次", deadline=today + dt.timedelta(days=5))
    later = CampaignFactory(name="远期批次", deadline=today + dt.timedelta(days=40))
    late = CampaignFactory(name="逾期批次", deadline=today - dt.timedelta(days=3))
    done = CampaignFactory(name="已办完批次", deadline=today + dt.timedelta(days=1))
    for campaign, n in [(soon, 2), (later, 1), (late, 1)]:
        for _ in range(n):
            AuditCaseFactory(campaign=campaign, initial_reviewer=auditor, re_reviewer=other_auditor)
    AuditCaseFactory(campaign=done, initial_reviewer=auditor, re_reviewer=other_auditor, state=CaseState.CLOSED)
    client.force_login(auditor)
    html = client.get(reverse("home")).content.decode()
    assert "近期批次 · 待办 2 卷" in html and "剩余 5 天" in html
    assert "剩余 40 天" in html and "已逾期 3 天" in html
    assert "已办完批次" not in html
    assert html.index("逾期批次") < html.index("近期批次") < html.index("远期批次")


def test_chief_and_leader_homes_show_pending_counts_and_days_left(client, chief, leader, auditor, other_auditor):
    campaign = CampaignFactory(name="本批", deadline=timezone.localdate())
    AuditCaseFactory(campaign=campaign, state=CaseState.CHIEF_CHECK, initial_reviewer=auditor, re_reviewer=other_auditor)
    AuditCaseFactory(campaign=campaign, state=CaseState.LEADER_CHECK, sampled=True, initial_reviewer=auditor, re_reviewer=other_auditor)
    client.force_login(chief)
    html = client.get(reverse("home")).content.decode()
    assert "今天截止" in html and "待科长把关" in html
    client.force_login(leader)
    html = client.get(reverse("home")).content.decode()
    assert "今天截止" in html
    stats = re.findall(r'<div class="display-6[^"]*">(\d+)</div><div class="small text-muted">([^<]+)</div>', html)
    assert ("1", "待领导抽查") in stats and ("0", "认定待审批") in stats


def test_the_archivists_home_counts_the_open_loops_without_own_or_relatives(client, archivist, other_auditor):
    long_ago = timezone.localdate() - dt.timedelta(days=45)
    for name in ["甲", "乙"]:
        dossier_transfer(dossier=CadreFactory(name=name).dossier, user=other_auditor, from_unit="某县", to_unit="某市", sent_on=long_ago, method="courier")
    recent = CadreFactory()
    dossier_transfer(dossier=recent.dossier, user=other_auditor, from_unit="某县", to_unit="某市", sent_on=timezone.localdate(), method="courier")
    relative = CadreFactory(name="亲属")
    Recusal.objects.create(user=archivist, cadre=relative, relation="配偶")
    dossier_transfer(dossier=relative.dossier, user=other_auditor, from_unit="某县", to_unit="某市", sent_on=long_ago, method="courier")
    dossier_lend(dossier=CadreFactory().dossier, user=other_auditor, borrower="县纪委", purpose="查阅", approval="部长")
    ImportJob.objects.create(kind=ImportJob.Kind.ROSTER, file_name="a.xlsx", created_by=archivist, status=ImportJob.Status.PREVIEWED)
    assert DossierTransfer.objects.count() == 4
    client.force_login(archivist)
    html = client.get(reverse("home")).content.decode()
    stats = dict((label, n) for n, label in re.findall(r'<div class="display-6[^"]*">(\d+)</div><div class="small text-muted">([^<]+)</div>', html))
    assert stats == {"回执逾期未退回": "2", "借出未归还": "1", "待确认的导入": "1"}


@pytest.mark.parametrize("who", ["auditor", "archivist"])
def test_home_pages_make_a_constant_number_of_queries(client, request, who, auditor, other_auditor, archivist, django_assert_max_num_queries):
    client.force_login(request.getfixturevalue(who))

    def fill(n):
        for _ in range(n):
            campaign = CampaignFactory(deadline=timezone.localdate())
            AuditCaseFactory(campaign=campaign, initial_reviewer=auditor, re_reviewer=other_auditor)
            dossier_transfer(dossier=CadreFactory().dossier, user=archivist, from_unit="某县", to_unit="某市", sent_on=dt.date(2020, 1, 1), method="courier")

    fill(1)
    with django_assert_max_num_queries(40) as few:
        client.get(reverse("home"))
    fill(8)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("home"))
    assert AuditCase.objects.count() == 9
