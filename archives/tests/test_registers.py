import datetime as dt

import pytest
from django.urls import reverse

from archives.dates import PartialDate
from archives.models import Dossier, DossierTransfer, DossierUse, Material, MaterialCategory, MaterialReceipt, MaterialSendOut
from archives.tests.factories import CadreFactory

pytestmark = pytest.mark.django_db


def test_an_archivist_files_a_material_and_its_receipt_is_registered(client, archivist):
    cadre = CadreFactory()
    client.force_login(archivist)
    response = client.post(
        reverse("archives:cadre_register_action", args=[cadre.pk, "material"]),
        {
            "category": MaterialCategory.objects.get(code="6").pk,
            "title": "入党申请书",
            "formed_date": "1998.05",
            "pages": 3,
            "recorded_party_date": "",
            "sender": "本人补交",
            "received_on": "2026-11-20",
        },
    )
    assert response.status_code == 302
    material = Material.objects.get(dossier=cadre.dossier)
    assert material.formed_date == PartialDate(1998, 5)
    receipt = MaterialReceipt.objects.get()
    assert (receipt.material, receipt.sender, receipt.pages, receipt.serial) == (material, "本人补交", 3, 1)
    assert receipt.recorded_by == archivist


def test_a_bad_date_is_refused_in_chinese_and_nothing_is_written(client, archivist):
    cadre = CadreFactory()
    client.force_login(archivist)
    response = client.post(
        reverse("archives:cadre_register_action", args=[cadre.pk, "material"]),
        {"category": MaterialCategory.objects.get(code="6").pk, "title": "入党申请书", "formed_date": "1998.13", "sender": "本人", "received_on": "2026-11-20"},
    )
    assert response.status_code == 200
    assert "不是有效日期" in response.content.decode()
    assert not Material.objects.exists() and not MaterialReceipt.objects.exists()


def test_sending_out_a_material_is_registered(client, archivist):
    cadre = CadreFactory()
    client.force_login(archivist)
    client.post(
        reverse("archives:cadre_register_action", args=[cadre.pk, "sendout"]),
        {"material_title": "他人材料", "sent_on": "2026-11-01", "recipient": "某县教育局", "reason": "误归档"},
    )
    entry = MaterialSendOut.objects.get()
    assert (entry.recipient, entry.handled_by, entry.dossier) == ("某县教育局", archivist.get_full_name(), cadre.dossier)


def test_lending_needs_approval_and_the_return_closes_the_loan(client, archivist):
    cadre = CadreFactory()
    client.force_login(archivist)
    url = reverse("archives:cadre_register_action", args=[cadre.pk, "lend"])
    assert client.post(url, {"borrower": "县纪委 王某", "purpose": "案件查阅", "approval": ""}).status_code == 200
    assert client.post(url, {"borrower": "县纪委 王某", "purpose": "案件查阅", "approval": "赵部长"}).status_code == 302
    cadre.dossier.refresh_from_db()
    assert cadre.dossier.custody == Dossier.Custody.LENT
    response = client.post(url, {"borrower": "另一人", "purpose": "查阅", "approval": "赵部长"})
    assert "不能借出" in response.content.decode()
    assert client.get(reverse("archives:dossier_return", args=[cadre.pk])).status_code == 405
    client.post(reverse("archives:dossier_return", args=[cadre.pk]))
    cadre.dossier.refresh_from_db()
    assert cadre.dossier.custody == Dossier.Custody.IN_STORE
    loan = DossierUse.objects.get(kind=DossierUse.Kind.BORROW)
    assert loan.returned_on is not None and loan.approval == "赵部长"


def test_a_transfer_tracks_its_receipt_and_flags_it_after_a_month(client, archivist):
    cadre = CadreFactory()
    client.force_login(archivist)
    client.post(
        reverse("archives:cadre_register_action", args=[cadre.pk, "transfer"]),
        {"to_unit": "某市委组织部", "sent_on": (dt.date.today() - dt.timedelta(days=40)).isoformat(), "method": "confidential"},
    )
    transfer = DossierTransfer.objects.get()
    assert transfer.receipt_overdue
    page = client.get(reverse("archives:register", args=["transfers"])).content.decode()
    assert "超过一个月未退回回执" in page
    client.post(reverse("archives:transfer_receipt", args=[transfer.pk]), {"returned_on": dt.date.today().isoformat()})
    transfer.refresh_from_db()
    assert not transfer.receipt_overdue
    client.post(reverse("archives:transfer_receipt", args=[transfer.pk]), {"returned_on": dt.date.today().isoformat()})
    assert DossierTransfer.objects.get().receipt_returned_on == dt.date.today()


@pytest.mark.parametrize("fixture", ["auditor", "chief", "leader"])
def test_other_roles_cannot_write_registers(client, request, fixture):
    cadre = CadreFactory()
    client.force_login(request.getfixturevalue(fixture))
    assert client.get(reverse("archives:cadre_register_action", args=[cadre.pk, "lend"])).status_code == 403
    assert client.post(reverse("archives:dossier_return", args=[cadre.pk])).status_code == 403
