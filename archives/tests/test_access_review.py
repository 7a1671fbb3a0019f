"""Object-level access of the archives pages: an archivist never reaches their own or a
relative's dossier (not even through the registers), imports are the archive room's shared
work but only the uploader confirms or cancels one, and uploaded files are served only
through access-checked views."""

import datetime as dt

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from archives.imports import service as import_service
from archives.models import Cadre, DossierTransfer, DossierUse, ImportJob, MaterialReceipt, Recusal
from archives.roles import Role
from archives.services import dossier_record_use, dossier_transfer, material_receive
from archives.tests.factories import CadreFactory, UserFactory

from .import_helpers import ROSTER_HEADERS, build_xlsx, roster_row, sheet_rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def own_cadre(archivist):
    return CadreFactory(name="孙本人", user=archivist)


@pytest.fixture
def relative(archivist):
    cadre = CadreFactory(name="孙亲属")
    Recusal.objects.create(user=archivist, cadre=cadre, relation="配偶")
    return cadre


@pytest.fixture
def client(client, django_capture_on_commit_callbacks):
    """Requests run their on-commit callbacks (the eager import tasks), as in production."""
    original = client.request

    def request(**kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return original(**kwargs)

    client.request = request
    return client


@pytest.fixture
def other_archivist(db):
    return UserFactory(username="archivist_b", first_name="周管档", roles=[Role.ARCHIVIST])


def _dossier_pages(cadre):
    return [
        ("get", reverse("archives:cadre_detail", args=[cadre.pk])),
        ("get", reverse("archives:cadre_edit", args=[cadre.pk])),
        ("post", reverse("archives:cadre_edit", args=[cadre.pk])),
        ("get", reverse("archives:cadre_history", args=[cadre.pk])),
        ("get", reverse("archives:cadre_register_action", args=[cadre.pk, "material"])),
        ("post", reverse("archives:cadre_register_action", args=[cadre.pk, "lend"])),
        ("post", reverse("archives:dossier_return", args=[cadre.pk])),
    ]


@pytest.mark.parametrize("whose", ["own_cadre", "relative"])
def test_an_archivist_gets_404_on_every_page_of_their_own_or_a_relatives_dossier(client, request, archivist, whose):
    cadre = request.getfixturevalue(whose)
    client.force_login(archivist)
    for method, url in _dossier_pages(cadre):
        assert getattr(client, method)(url).status_code == 404, (method, url)
    assert not DossierUse.objects.exists()  # nothing was opened


def test_an_archivist_cannot_register_the_receipt_of_a_transfer_of_their_own_dossier(client, archivist, other_archivist, own_cadre):
    transfer = dossier_transfer(
        dossier=own_cadre.dossier,
        user=other_archivist,
        from_unit="某县",
        to_unit="某市",
        sent_on=dt.date(2026, 1, 5),
        method=DossierTransfer.Method.CONFIDENTIAL,
    )
    client.force_login(archivist)
    response = client.post(reverse("archives:transfer_receipt", args=[transfer.pk]), {"returned_on": "2026-01-20"})
    assert response.status_code == 404
    transfer.refresh_from_db()
    assert transfer.receipt_returned_on is None


def test_the_registers_leave_out_the_entries_of_an_archivists_own_and_relatives_dossiers(client, archivist, other_archivist, own_cadre, relative):
    stranger = CadreFactory(name="吴他人")
    for cadre in (own_cadre, relative, stranger):
        material_receive(
            dossier=cadre.dossier, user=other_archivist, material=None, material_title=f"{cadre.name}的处分决定", received_on=dt.date(2026, 1, 2), sender="纪委"
        )
        dossier_record_use(dossier=cadre.dossier, user=other_archivist, purpose=f"查阅{cadre.name}")
    client.force_login(archivist)
    receipts = client.get(reverse("archives:register", args=["receipts"])).content.decode()
    uses = client.get(reverse("archives:register", args=["uses"])).content.decode()
    assert "吴他人的处分决定" in receipts and "查阅吴他人" in uses
    for name in ("孙本人", "孙亲属"):
        assert name not in receipts and name not in uses
    # The colleague, who is not recused, keeps the whole register.
    client.force_login(other_archivist)
    assert "孙本人的处分决定" in client.get(reverse("archives:register", args=["receipts"])).content.decode()
    assert MaterialReceipt.objects.count() == 3


def test_the_overdue_transfer_warning_leaves_out_an_archivists_own_dossier(client, archivist, other_archivist, own_cadre):
    dossier_transfer(
        dossier=own_cadre.dossier,
        user=other_archivist,
        from_unit="某县",
        to_unit="某市",
        sent_on=dt.date(2020, 1, 5),
        method=DossierTransfer.Method.CONFIDENTIAL,
    )
    assert DossierTransfer.objects.get().receipt_overdue
    client.force_login(archivist)
    assert "孙本人" not in client.get(reverse("archives:register", args=["transfers"])).content.decode()
    client.force_login(other_archivist)
    assert "孙本人" in client.get(reverse("archives:register", args=["transfers"])).content.decode()


# --- imports: shared work, but the uploader confirms ------------------------------------------


def _upload(client, rows):
    content = build_xlsx({"干部名册": sheet_rows(ROSTER_HEADERS, rows)})
    file = SimpleUploadedFile("名册.xlsx", content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    client.post(reverse("archives:import_upload"), {"kind": "roster", "file": file})
    return ImportJob.objects.latest("pk")


def test_other_archivists_see_an_import_and_its_error_file_because_the_archive_room_shares_its_work(client, archivist, other_archivist):
    client.force_login(archivist)
    job = _upload(client, [roster_row(1, 职级="处长")])
    assert job.status == ImportJob.Status.INVALID and job.created_by == archivist
    client.force_login(other_archivist)
    assert client.get(reverse("archives:import_detail", args=[job.pk])).status_code == 200
    assert client.get(reverse("archives:import_status", args=[job.pk])).json()["status"] == ImportJob.Status.INVALID
    response = client.get(reverse("archives:import_errors_file", args=[job.pk]))
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]


def test_only_the_uploader_confirms_or_cancels_an_import(client, archivist, other_archivist):
    client.force_login(archivist)
    job = _upload(client, [roster_row(1)])
    assert job.status == ImportJob.Status.PREVIEWED
    client.force_login(other_archivist)
    page = client.get(reverse("archives:import_detail", args=[job.pk])).content.decode()
    assert reverse("archives:import_confirm", args=[job.pk]) not in page
    assert client.post(reverse("archives:import_confirm", args=[job.pk])).status_code == 403
    assert client.post(reverse("archives:import_cancel", args=[job.pk])).status_code == 403
    job.refresh_from_db()
    assert job.status == ImportJob.Status.PREVIEWED and not Cadre.objects.exists()


@pytest.mark.parametrize("action", [import_service.import_confirm, import_service.import_cancel])
def test_the_import_service_refuses_anyone_but_the_uploader(archivist, other_archivist, action):
    job = ImportJob.objects.create(kind=ImportJob.Kind.ROSTER, file_name="x.xlsx", created_by=archivist)
    with pytest.raises(import_service.ValidationError, match="只有上传该文件的管档人员"):
        action(job=job, user=other_archivist)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.PREVIEWED


def test_uploaded_files_are_never_served_from_media_url(client, archivist):
    client.force_login(archivist)
    job = _upload(client, [roster_row(1, 职级="处长")])
    assert job.file.name
    direct = f"/{settings.MEDIA_URL.strip('/')}/{job.file.name}"
    assert client.get(direct).status_code == 404
    page = client.get(reverse("archives:import_detail", args=[job.pk])).content.decode()
    assert settings.MEDIA_URL.strip("/") + "/" not in page
    assert reverse("archives:import_errors_file", args=[job.pk]) in page
