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
