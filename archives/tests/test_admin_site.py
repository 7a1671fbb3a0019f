"""The system administrator manages accounts, roles, units, recusals and the link between an
account and its own cadre record in the admin site, and never sees dossier contents there."""

import pytest

from archives.models import Cadre
from archives.tests.factories import CadreFactory, MaterialFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_admin(admin_user):
    admin_user.is_staff = True
    admin_user.save(update_fields=["is_staff"])
    return admin_user


def test_the_administrator_reaches_accounts_roles_units_and_recusals(client, staff_admin):
    client.force_login(staff_admin)
    for url in ["/admin/", "/admin/auth/user/", "/admin/auth/group/", "/admin/archives/unit/", "/admin/archives/recusal/"]:
        assert client.get(url).status_code == 200, url


def test_the_administrator_never_sees_dossier_contents(client, staff_admin):
    material = MaterialFactory()
    client.force_login(staff_admin)
    for url in [
        "/admin/archives/material/",
        f"/admin/archives/material/{material.pk}/change/",
        "/admin/archives/resumeperiod/",
        "/admin/archives/dossieruse/",
        "/admin/audits/discrepancy/",
    ]:
        assert client.get(url).status_code == 403, url
    page = client.get("/admin/archives/cadre/").content.decode()
    assert material.dossier.cadre.name in page
    assert str(material.dossier.cadre.birth_date) not in page


def test_the_administrator_links_an_account_to_its_cadre_and_sees_only_name_and_unit(client, staff_admin):
    cadre = CadreFactory()
    account = UserFactory(username="zhang")
    client.force_login(staff_admin)
    page = client.get(f"/admin/archives/cadre/{cadre.pk}/change/").content.decode()
    assert cadre.name in page and str(cadre.birth_date) not in page and cadre.id_number not in page
    response = client.post(f"/admin/archives/cadre/{cadre.pk}/change/", {"user": account.pk})
    assert response.status_code == 302
    cadre.refresh_from_db()
    assert cadre.user == account
    assert Cadre.objects.get(pk=cadre.pk).birth_date == cadre.birth_date  # nothing else changed
    assert client.get("/admin/archives/cadre/add/").status_code == 403


def test_the_demo_administrator_is_not_a_superuser():
    from io import StringIO

    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    call_command("seed_demo", cadres=5, stdout=StringIO())
    admin = get_user_model().objects.get(username="admin")
    assert admin.is_staff and not admin.is_superuser


def test_the_administrator_cannot_read_current_information_through_lookups_or_search(client, staff_admin):
    cadre = CadreFactory(name="查询对象")
    client.force_login(staff_admin)
    prefix = cadre.id_number[:10]
    for query in (
        f"id_number__startswith={prefix}",
        "id_number__regex=(",
        "party_join_date__isnull=True",
        f"birth_date__lt={cadre.birth_date}",
        "education=大学本科",
        f"pk={cadre.pk}&id_number__startswith={prefix}",
    ):
        response = client.get(f"/admin/archives/cadre/?{query}")
        assert response.status_code == 400, query
        assert cadre.id_number not in response.content.decode()
    found = client.get(f"/admin/archives/cadre/?q={prefix}").content.decode()
    assert "查询对象" not in found  # the search box does not match ID numbers
    assert "查询对象" in client.get("/admin/archives/cadre/?q=查询对象").content.decode()


def test_a_recusal_declared_after_assignment_releases_the_review(client, staff_admin, auditor, other_auditor):
    from archives.models import Recusal
    from audits.models import AuditCase, CaseState, CaseTransition
    from audits.tests.factories import AuditCaseFactory

    case = AuditCaseFactory(initial_reviewer=auditor, re_reviewer=other_auditor, campaign__sample_rate=0)
    client.force_login(staff_admin)
    response = client.post(
        "/admin/archives/recusal/add/",
        {"user": auditor.pk, "cadre": case.dossier.cadre_id, "relation": "配偶", "declared_at_0": "2026-12-01", "declared_at_1": "09:00:00"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Recusal.objects.filter(user=auditor, cadre=case.dossier.cadre).exists()
    case = AuditCase.objects.get(pk=case.pk)
    assert case.initial_reviewer is None and case.re_reviewer == other_auditor and case.state == CaseState.INITIAL_REVIEW
    row = CaseTransition.objects.filter(case=case).last()
    assert "须回避" in row.comment and "初审" in row.comment and row.actor == staff_admin
    client.force_login(auditor)
    assert client.get(f"/audits/cases/{case.pk}/").status_code == 404


def test_only_a_superuser_grants_superuser_status_roles_or_permissions(client, staff_admin):
    from django.contrib.auth.models import Group, Permission

    client.force_login(staff_admin)
    page = client.get(f"/admin/auth/user/{staff_admin.pk}/change/").content.decode()
    assert 'name="is_superuser"' not in page and 'name="groups"' not in page and 'name="user_permissions"' not in page
    archivists = Group.objects.get(name="管档人员")
    data = {
        "username": staff_admin.username,
        "first_name": "改名",
        "last_name": "",
        "email": "",
        "is_active": "on",
        "is_superuser": "on",
        "groups": [archivists.pk],
        "user_permissions": [Permission.objects.get(codename="view_material").pk],
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "00:00:00",
    }
    response = client.post(f"/admin/auth/user/{staff_admin.pk}/change/", data)
    assert response.status_code == 302
    staff_admin.refresh_from_db()
    assert staff_admin.first_name == "改名"
    assert not staff_admin.is_superuser and not staff_admin.groups.filter(name="管档人员").exists() and not staff_admin.user_permissions.exists()
    assert client.post(f"/admin/auth/group/{archivists.pk}/change/", {"name": "管档人员", "permissions": []}).status_code == 403


def test_account_changes_by_a_superuser_enter_the_audit_log(client, auditor):
    from django.contrib.auth.models import Group

    from archives.models import AuditLogEntry
    from archives.tests.factories import UserFactory

    root = UserFactory(username="root")
    root.is_superuser = root.is_staff = True
    root.save()
    client.force_login(root)
    chiefs = Group.objects.get(name="科长")
    page = client.get(f"/admin/auth/user/{auditor.pk}/change/").content.decode()
    assert 'name="groups"' in page
    data = {
        "username": auditor.username,
        "first_name": auditor.first_name,
        "last_name": auditor.last_name,
        "email": "",
        "is_active": "on",
        "groups": [g.pk for g in auditor.groups.all()] + [chiefs.pk],
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "00:00:00",
    }
    assert client.post(f"/admin/auth/user/{auditor.pk}/change/", data).status_code == 302
    entry = AuditLogEntry.objects.filter(action=AuditLogEntry.Action.ACCOUNT).order_by("seq").last()
    assert entry.data["account"] == auditor.username and "科长" in entry.data["changes"]["groups"][1]
    response = client.post(f"/admin/auth/user/{auditor.pk}/password/", {"password1": "another-long-pass-1", "password2": "another-long-pass-1"})
    assert response.status_code == 302
    assert AuditLogEntry.objects.filter(action=AuditLogEntry.Action.ACCOUNT).order_by("seq").last().data["changes"] == {"password": ["***", "***"]}
