"""Response headers every page carries: a Content-Security-Policy that allows nothing inline
and nothing from elsewhere, and no-store on every page a logged-in user sees."""

import re

import pytest
from django.urls import reverse

from archives.tests.factories import CadreFactory, MaterialFactory
from audits.tests.factories import AuditCaseFactory, DiscrepancyFactory

pytestmark = pytest.mark.django_db

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", re.I)


@pytest.fixture
def pages(auditor, other_auditor, chief, leader, archivist):
    cadre = CadreFactory()
    MaterialFactory(dossier=cadre.dossier, title="招工登记表")
    case = AuditCaseFactory(dossier=cadre.dossier, initial_reviewer=auditor, re_reviewer=other_auditor, campaign__sample_rate=0)
    finding = DiscrepancyFactory(case=case)
    return [
        (auditor, reverse("home")),
        (auditor, reverse("audits:case_detail", args=[case.pk])),
        (auditor, reverse("audits:discrepancy_detail", args=[finding.pk])),
        (auditor, reverse("audits:discrepancy_create", args=[case.pk])),
        (chief, reverse("audits:campaign_detail", args=[case.campaign_id])),
        (chief, reverse("audits:campaign_list")),
        (chief, reverse("reports:dashboard", args=[case.campaign_id])),
        (chief, reverse("reports:settings", args=[case.campaign_id])),
        (leader, reverse("audits:determination_queue")),
        (archivist, reverse("archives:cadre_detail", args=[cadre.pk])),
        (archivist, reverse("archives:cadre_list")),
    ]


def test_every_page_has_a_strict_content_security_policy_and_nothing_inline(client, pages):
    for user, url in pages:
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200, url
        policy = response["Content-Security-Policy"]
        assert "default-src 'self'" in policy and "script-src 'self'" in policy and "style-src 'self'" in policy
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy and "frame-ancestors 'none'" in policy
        html = response.content.decode()
        assert 'style="' not in html, url
        assert "<style" not in html, url
        assert not INLINE_SCRIPT.search(html), url
        assert " onclick=" not in html and " onchange=" not in html and " onsubmit=" not in html, url


def test_pages_for_logged_in_users_are_never_stored(client, pages):
    for user, url in pages:
        client.force_login(user)
        assert client.get(url)["Cache-Control"] == "no-store", url


def test_the_login_page_has_the_policy_too(client):
    response = client.get(reverse("login"))
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert 'style="' not in response.content.decode()
