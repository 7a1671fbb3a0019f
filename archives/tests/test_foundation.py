import datetime as dt
import subprocess
import sys

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from archives.dates import PartialDate
from archives.models import CadreInfoChange, DossierTransfer, DossierUse, MaterialCategory, Unit
from archives.roles import Role
from archives.services import cadre_update, dossier_record_use, dossier_transfer, material_weed
from archives.tests.factories import CadreFactory, MaterialFactory, UnitFactory

pytestmark = pytest.mark.django_db


def test_the_migration_creates_the_five_roles_with_permissions():
    names = set(Group.objects.values_list("name", flat=True))
    assert set(Role.values) <= names
    archivist = Group.objects.get(name=Role.ARCHIVIST)
    assert archivist.permissions.filter(codename="change_cadre").exists()
    assert not archivist.permissions.filter(codename="change_dossieruse").exists()


def test_material_categories_are_data_with_1991_subclasses():
    codes = set(MaterialCategory.objects.values_list("code", flat=True))
    assert {str(n) for n in range(1, 11)} <= codes
    assert {"4-1", "4-2", "4-3", "4-4", "9-1", "9-2", "9-3", "9-4"} <= codes
    assert MaterialCategory.objects.get(code="9-2").parent.code == "9"


def test_login_page_is_in_chinese(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert "干部人事档案专项审核管理系统" in response.content.decode()
    assert 'lang="zh-hans"' in response.content.decode()


def test_anonymous_users_are_sent_to_login(client):
    response = client.get(reverse("archives:cadre_list"))
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


@pytest.mark.parametrize("fixture", ["auditor", "chief", "leader", "outsider"])
def test_only_archivists_reach_archivist_pages(client, request, fixture):
    cadre = CadreFactory()
    client.force_login(request.getfixturevalue(fixture))
    for url in [reverse("archives:cadre_list"), reverse("archives:cadre_create"), reverse("archives:register_index")]:
        assert client.get(url).status_code == 403
    assert client.get(reverse("archives:cadre_detail", args=[cadre.pk])).status_code == 403
    assert not DossierUse.objects.exists()


@pytest.mark.parametrize(
    ("fixture", "marker"),
    [("archivist", "管档工作"), ("admin_user", "系统管理"), ("outsider", "尚未分配角色")],
)
def test_each_role_lands_on_its_own_home_page(client, request, fixture, marker):
    client.force_login(request.getfixturevalue(fixture))
    response = client.get("/")
    assert response.status_code == 200
    assert marker in response.content.decode()


def test_opening_a_dossier_writes_a_usage_register_row(client, archivist):
    cadre = CadreFactory()
    client.force_login(archivist)
    response = client.get(reverse("archives:cadre_detail", args=[cadre.pk]))
    assert response.status_code == 200
    use = DossierUse.objects.get()
    assert use.dossier == cadre.dossier
    assert use.user == archivist
    assert use.kind == DossierUse.Kind.VIEW
    assert use.serial == 1
    client.get(reverse("archives:cadre_detail", args=[cadre.pk]))
    assert DossierUse.objects.count() == 1  # the same opening: same user, dossier and purpose, same day


def test_an_opening_is_the_first_view_per_user_purpose_and_window(archivist, auditor, settings):
    cadre = CadreFactory()
    first = dossier_record_use(dossier=cadre.dossier, user=archivist, purpose="查阅")
    assert dossier_record_use(dossier=cadre.dossier, user=archivist, purpose="查阅") is None
    assert dossier_record_use(dossier=cadre.dossier, user=archivist, purpose="整改") is not None  # another purpose
    assert dossier_record_use(dossier=cadre.dossier, user=auditor, purpose="查阅") is not None  # another user
    assert dossier_record_use(dossier=cadre.dossier, user=archivist, purpose="查阅", kind=DossierUse.Kind.BORROW) is not None  # a loan always counts
    # Yesterday's opening does not cover today's view.
    DossierUse.objects.filter(pk=first.pk).update(recorded_at=timezone.now() - dt.timedelta(days=1))
    assert dossier_record_use(dossier=cadre.dossier, user=archivist, purpose="查阅") is not None
    # A window in hours instead of the working day.
    settings.DOSSIER_USE_WINDOW_HOURS = 2
    DossierUse.objects.filter(purpose="整改").update(recorded_at=timezone.now() - dt.timedelta(hours=3))
    assert dossier_record_use(dossier=cadre.dossier, user=archivist, purpose="整改") is not None
    assert DossierUse.objects.count() == 6


def test_nobody_opens_their_own_dossier(client, archivist):
    cadre = CadreFactory(user=archivist)
    client.force_login(archivist)
    assert client.get(reverse("archives:cadre_detail", args=[cadre.pk])).status_code == 404
    assert cadre.name not in client.get(reverse("archives:cadre_list")).content.decode()
    assert not DossierUse.objects.exists()


def test_a_recused_relative_is_hidden(client, archivist):
    cadre = CadreFactory()
    archivist.recusals.create(cadre=cadre, relation="配偶")
    client.force_login(archivist)
    assert client.get(reverse("archives:cadre_detail", args=[cadre.pk])).status_code == 404


def test_cadre_list_searches_filters_and_paginates(client, archivist):
    county = UnitFactory(name="某县")
    bureau = UnitFactory(name="财政局", parent=county)
    CadreFactory(name="王小明", unit=bureau, rank="副科级")
    CadreFactory(name="李大海", unit=county, rank="科员")
    client.force_login(archivist)
    page = client.get(reverse("archives:cadre_list"), {"q": "小明"}).content.decode()
    assert "王小明" in page and "李大海" not in page
    page = client.get(reverse("archives:cadre_list"), {"unit": county.pk}).content.decode()
    assert "王小明" in page and "李大海" in page
    page = client.get(reverse("archives:cadre_list"), {"rank": "科员"}).content.decode()
    assert "王小明" not in page and "李大海" in page


def test_cadre_list_query_count_does_not_grow_with_rows(client, archivist, django_assert_max_num_queries):
    CadreFactory.create_batch(3)
    client.force_login(archivist)
    with django_assert_max_num_queries(12) as small:
        client.get(reverse("archives:cadre_list"))
    CadreFactory.create_batch(40)
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(reverse("archives:cadre_list"))


def test_creating_a_cadre_validates_in_chinese(client, archivist):
    unit = UnitFactory()
    client.force_login(archivist)
    data = {
        "name": "测试",
        "gender": "女",
        "id_number": "110105194912310021",
        "unit": unit.pk,
        "rank": "科员",
        "birth_date": "1949.12.31",
        "work_start_date": "1948.01",
    }
    response = client.post(reverse("archives:cadre_create"), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "校验码错误" in page
    data["id_number"] = "11010519491231002X"
    data["gender"] = "男"
    page = client.post(reverse("archives:cadre_create"), data).content.decode()
    assert "性别与身份证号不符" in page
    assert "参加工作时间早于出生日期" in page
    data["gender"] = "女"
    data["work_start_date"] = "1968.03"
    response = client.post(reverse("archives:cadre_create"), data)
    assert response.status_code == 302
    from archives.models import Cadre

    cadre = Cadre.objects.get(id_number="11010519491231002X")
    assert cadre.work_start_date == PartialDate(1968, 3)
    assert cadre.dossier is not None


def test_editing_current_information_keeps_the_old_value_in_history(client, archivist):
    cadre = CadreFactory(birth_date=PartialDate(1975, 3, 12))
    client.force_login(archivist)
    data = {
        "name": cadre.name,
        "gender": cadre.gender,
        "ethnicity": cadre.ethnicity,
        "id_number": cadre.id_number,
        "unit": cadre.unit.pk,
        "position": "副局长",
        "rank": "副科级",
        "birth_date": "1975.03.12",
        "work_start_date": "1995.07",
        "party_join_date": "",
        "education": "大学本科",
    }
    response = client.post(reverse("archives:cadre_edit", args=[cadre.pk]), data)
    assert response.status_code == 302, response.context["form"].errors
    changes = {c.field: (c.old_value, c.new_value) for c in CadreInfoChange.objects.filter(cadre=cadre)}
    assert changes["rank"] == ("科员", "副科级")
    assert changes["party_join_date"] == ("2000.06", "")
    assert "birth_date" not in changes
    assert all(c.changed_by == archivist and c.source == "manual" for c in CadreInfoChange.objects.all())


def test_cadre_update_records_who_and_from_where(archivist):
    cadre = CadreFactory()
    changes = cadre_update(cadre=cadre, user=archivist, source=CadreInfoChange.Source.RECTIFICATION, source_ref="问题7", birth_date=PartialDate(1974, 3))
    assert [(c.field, c.old_value, c.new_value, c.source_ref) for c in changes] == [("birth_date", "1975.03.12", "1974.03", "问题7")]
    cadre.refresh_from_db()
    assert cadre.birth_date == PartialDate(1974, 3)


def test_register_serials_are_per_register_and_increasing(archivist):
    cadre = CadreFactory()
    first = dossier_record_use(dossier=cadre.dossier, user=archivist, purpose="查阅")
    second = dossier_record_use(dossier=cadre.dossier, user=archivist, purpose="借阅审核", kind=DossierUse.Kind.BORROW)
    transfer = dossier_transfer(
        dossier=cadre.dossier, user=archivist, from_unit="某县", to_unit="某市", sent_on="2026-01-05", method=DossierTransfer.Method.CONFIDENTIAL
    )
    assert (first.serial, second.serial, transfer.serial) == (1, 2, 1)
    cadre.dossier.refresh_from_db()
    assert cadre.dossier.custody == "transferred"


def test_a_dossier_is_never_posted():
    from django.core.exceptions import ValidationError

    cadre = CadreFactory()
    with pytest.raises(ValidationError, match="严禁邮寄"):
        dossier_transfer(dossier=cadre.dossier, user=None, from_unit="甲", to_unit="乙", sent_on="2026-01-05", method="post")


def test_weeding_needs_reason_and_approval_and_is_registered(archivist):
    from django.core.exceptions import ValidationError

    material = MaterialFactory()
    with pytest.raises(ValidationError, match="批准"):
        material_weed(material=material, user=archivist, reason="重复材料", approved_by="")
    entry = material_weed(material=material, user=archivist, reason="重复材料", approved_by="赵科长")
    material.refresh_from_db()
    assert material.weeded_at is not None
    assert entry.material == material and entry.serial == 1


def test_admin_shows_registers_read_only(client, admin_user):
    admin_user.is_staff = admin_user.is_superuser = True
    admin_user.save()
    client.force_login(admin_user)
    cadre = CadreFactory()
    dossier_record_use(dossier=cadre.dossier, user=admin_user, purpose="测试")
    assert client.get("/admin/archives/dossieruse/").status_code == 200
    assert client.get("/admin/archives/dossieruse/add/").status_code == 403


def test_unit_full_name_follows_the_tree():
    county = Unit.objects.create(name="某县")
    bureau = Unit.objects.create(name="财政局", parent=county)
    assert bureau.full_name == "某县/财政局"
    assert set(county.descendant_ids()) == {county.pk, bureau.pk}


def test_healthz_reports_database_and_eager_queue(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"database": True, "task_queue": "eager", "broker": None, "status": "ok"}


def test_healthz_is_503_when_the_broker_is_unreachable(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["broker"] is False


def test_production_refuses_the_development_secret_key():
    code = "import dossier_audit.settings"
    env = {"DJANGO_DEBUG": "0", "PATH": "/usr/bin:/bin", "AUDIT_LOG_KEY": "k" * 40}  # required too (test_audit_log_tamper)
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False)  # noqa: S603
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr
    env["DJANGO_SECRET_KEY"] = "x" * 50
    assert subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, check=False).returncode == 0  # noqa: S603


def test_a_malformed_debug_flag_is_an_error_not_false():
    result = subprocess.run(
        [sys.executable, "-c", "import dossier_audit.settings"],
        env={"DJANGO_DEBUG": "yes", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "DJANGO_DEBUG" in result.stderr


def test_english_is_available(client, archivist):
    client.force_login(archivist)
    response = client.get("/", headers={"accept-language": "en"})
    assert response.status_code == 200


def test_a_batch_of_uses_continues_the_register_serials(archivist):
    from archives.services import dossier_record_uses

    cadres = CadreFactory.create_batch(3)
    dossier_record_use(dossier=cadres[0].dossier, user=archivist, purpose="查阅")
    assert dossier_record_uses(dossier_ids=[c.dossier.pk for c in cadres], user=archivist, purpose="批量") == 3
    assert list(DossierUse.objects.order_by("serial").values_list("serial", flat=True)) == [1, 2, 3, 4]
    assert dossier_record_use(dossier=cadres[1].dossier, user=archivist, purpose="查阅").serial == 5
