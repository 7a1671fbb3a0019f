"""The discrepancy page: its title follows the case's stage (问题核实 during the reviews, 问题整改
in rectification) and its history names the changed fields in the user's language."""

import pytest
from django.urls import reverse

from audits import services
from audits.models import AuditCase, CaseState, Category

pytestmark = pytest.mark.django_db


@pytest.fixture
def registered(case, auditor):
    return services.discrepancy_register(case=case, user=auditor, category=Category.AGE, description="出生日期不一致", current_value="1975.03.12")


@pytest.mark.parametrize(
    "state,title",
    [
        (CaseState.INITIAL_REVIEW, "问题核实"),
        (CaseState.RE_REVIEW, "问题核实"),
        (CaseState.RECTIFICATION, "问题整改"),
        (CaseState.CHIEF_CHECK, "问题"),
        (CaseState.CLOSED, "问题"),
    ],
)
def test_the_discrepancy_page_is_titled_after_the_stage(client, registered, auditor, state, title):
    AuditCase.objects.filter(pk=registered.case_id).update(state=state)
    client.force_login(auditor)
    html = client.get(reverse("audits:discrepancy_detail", args=[registered.pk])).content.decode()
    assert f'<h1 class="h4 mb-0">{title} <small' in html and f"<title>{title} · " in html
    assert "问题处理" not in html


def test_the_history_names_the_changed_fields_in_the_users_language(client, registered, auditor):
    services.discrepancy_update(discrepancy=registered, user=auditor, expected_version=0, current_value="1975.03", proposed_value="1974.03", cause="clerical")
    client.force_login(auditor)
    url = reverse("audits:discrepancy_detail", args=[registered.pk])
    html = client.get(url).content.decode()
    assert "<strong>修改</strong> 现有信息、拟认定值、原因" in html
    assert "current_value" not in html and "proposed_value" not in html
    # The case page's history says the same.
    assert "<strong>修改</strong> 现有信息、拟认定值、原因" in client.get(reverse("audits:case_detail", args=[registered.case_id])).content.decode()
    html = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Current information" in html and "Proposed value" in html and "current_value" not in html
