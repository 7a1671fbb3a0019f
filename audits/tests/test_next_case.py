"""下一卷: after submitting a case the reviewer goes on with the next case of the same stage (or
back to the queue when none is left), and the case page links to the next case of the user's queue."""

import re

import pytest
from django.urls import reverse

from archives.models import Cadre
from archives.tests.factories import CadreFactory
from audits.models import AuditCase, Campaign, CaseState, Discrepancy
from audits.tests.factories import AuditCaseFactory, DiscrepancyFactory
from audits.workflow import Action

pytestmark = pytest.mark.django_db
State = Discrepancy.State


def _case_url(case_id):
    return reverse("audits:case_detail", args=[case_id])


@pytest.fixture
def queue(auditor, other_auditor):
    """Three cases of one campaign in `auditor`'s initial review, in the list's order (by unit and
    name), and one in re-review."""
    campaign = Campaign.objects.create(name="批次", sample_rate=0)
    cases = [
        AuditCaseFactory(campaign=campaign, dossier=CadreFactory(name=name).dossier, initial_reviewer=auditor, re_reviewer=other_auditor)
        for name in ("甲一", "甲二", "甲三")
    ]
    Cadre.objects.filter(dossier__audit_cases__in=cases).update(unit=cases[0].dossier.cadre.unit)  # one unit: the names decide the order
    return sorted(cases, key=lambda c: c.dossier.cadre.name)  # SQLite compares names as Python does


def _submit(client, case):
    return client.post(reverse("audits:case_act", args=[case.pk, Action.SUBMIT_INITIAL]), {"version": case.version})


def test_after_submitting_the_next_case_of_the_same_stage_opens(client, queue, auditor):
    first, second, third = queue
    client.force_login(auditor)
    response = _submit(client, second)
    assert response.status_code == 302 and response.url == _case_url(third.pk)
    page = client.get(response.url).content.decode()
    assert f"{second.dossier.cadre.name}：已提交初审" in page and f"已打开下一卷：{third.dossier.cadre.name}" in page
    # At the end of the list it wraps round to the first one still waiting.
    third.refresh_from_db()
    response = _submit(client, third)
    assert response.url == _case_url(first.pk)


def test_after_the_last_case_of_the_stage_back_to_the_queue_with_a_message(client, case, auditor):
    client.force_login(auditor)
    response = _submit(client, case)
    assert response.status_code == 302 and response.url == reverse("audits:case_list") + "?queue=mine"
    page = client.get(response.url).content.decode()
    assert "已提交初审" in page and "您初审阶段的案卷已全部办完" in page


def test_a_refused_submission_stays_on_the_case(client, queue, auditor):
    client.force_login(auditor)
    DiscrepancyFactory(case=queue[0], state=State.PENDING, source=Discrepancy.Source.SYSTEM)
    response = _submit(client, queue[0])
    assert response.url == _case_url(queue[0].pk)
    assert AuditCase.objects.get(pk=queue[0].pk).state == CaseState.INITIAL_REVIEW


def test_the_re_reviewer_goes_on_with_their_next_re_review(client, queue, other_auditor):
    for case in queue:
        AuditCase.objects.filter(pk=case.pk).update(state=CaseState.RE_REVIEW)
    client.force_login(other_auditor)
    response = client.post(reverse("audits:case_act", args=[queue[0].pk, Action.SUBMIT_RE_REVIEW]), {"version": 0})
    assert response.url == _case_url(queue[1].pk)


def test_the_case_page_shows_the_next_case_link(client, queue, auditor, chief):
    first, second, third = queue
    client.force_login(auditor)
    html = client.get(_case_url(first.pk)).content.decode()
    assert re.search(rf'id="next-case" href="{_case_url(second.pk)}"[^>]*>下一卷：{second.dossier.cadre.name}', html)
    assert "本阶段还有 2 卷" in html
    html = client.get(_case_url(third.pk)).content.decode()
    assert f'id="next-case" href="{_case_url(first.pk)}"' in html
    # The chief has no initial-review queue of their own: no link.
    client.force_login(chief)
    assert 'id="next-case"' not in client.get(_case_url(first.pk)).content.decode()


def test_the_chief_at_the_check_walks_the_check_queue(client, queue, chief):
    for case in queue:
        AuditCase.objects.filter(pk=case.pk).update(state=CaseState.CHIEF_CHECK)
    client.force_login(chief)
    html = client.get(_case_url(queue[0].pk)).content.decode()
    assert f'id="next-case" href="{_case_url(queue[1].pk)}"' in html


def test_a_single_case_shows_no_next_case(client, case, auditor):
    client.force_login(auditor)
    html = client.get(_case_url(case.pk)).content.decode()
    assert re.search(r'<span [^>]*id="next-case" aria-disabled="true"', html) and "本阶段没有其他待办案卷" in html
