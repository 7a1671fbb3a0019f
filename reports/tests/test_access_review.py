"""Object-level access of the report downloads: a 认定表 shows one dossier's contents, so the
per-case sheet goes through the case's access check and is recorded in the 利用 register, and a
batch of 认定表 is built without the reader's own and relatives' cadres (and shown to nobody
else). The summary report is an aggregate document; the workbook's figures are too, but its rows
name cadres: they leave out the reader's own and relatives', and each dossier named counts as
opened."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from archives.models import DossierUse, Recusal
from audits.models import Discrepancy
from reports.models import DocumentKind, ReportDownload, ReportJob

from .factories import add, build_known_campaign
from .helpers import pdf_text

pytestmark = pytest.mark.django_db

SHEET_TITLE = "干部人事档案专项审核认定表"


@pytest.fixture
def built(chief):
    """The known campaign, where 甲 is the chief himself and 乙 the chief's relative."""
    built = build_known_campaign()
    own, relative = built.cases[0].dossier.cadre, built.cases[1].dossier.cadre
    own.user = chief
    own.save(update_fields=["user"])
    Recusal.objects.create(user=chief, cadre=relative, relation="配偶")
    return built


def test_a_chief_gets_404_for_the_sheet_of_their_own_or_a_relatives_case(client, chief, built):
    client.force_login(chief)
    for case in built.cases[:2]:
        assert client.get(reverse("reports:sheet_pdf", args=[case.pk])).status_code == 404
    assert not ReportDownload.objects.exists() and not DossierUse.objects.exists()


def test_a_leader_gets_404_for_the_sheet_of_their_own_case(client, leader):
    built = build_known_campaign()
    cadre = built.cases[2].dossier.cadre
    cadre.user = leader
    cadre.save(update_fields=["user"])
    client.force_login(leader)
    assert client.get(reverse("reports:sheet_pdf", args=[built.cases[2].pk])).status_code == 404


def test_a_sheet_for_an_unknown_case_is_404(client, chief, built):
    client.force_login(chief)
    assert client.get(reverse("reports:sheet_pdf", args=[max(c.pk for c in built.cases) + 1])).status_code == 404


def test_downloading_a_cases_sheet_records_a_use_of_its_dossier(client, chief, built):
    case = built.cases[2]
    client.force_login(chief)
    response = client.get(reverse("reports:sheet_pdf", args=[case.pk]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    row = DossierUse.objects.get()
    assert (row.dossier, row.user, row.kind) == (case.dossier, chief, DossierUse.Kind.VIEW)
    assert "认定表" in row.purpose and row.path == reverse("reports:sheet_pdf", args=[case.pk])


def test_the_batch_of_sheets_leaves_out_the_readers_own_and_relatives_cadres(client, chief, leader, built, tmp_path):
    client.force_login(chief)
    text = pdf_text(client.get(reverse("reports:sheets_pdf", args=[built.campaign.pk])).content, tmp_path, layout=True)
    assert text.count(SHEET_TITLE) == 5
    assert "姓名甲" not in text and "姓名乙" not in text
    for name in "丙丁戊己庚":
        assert f"姓名{name}" in text
    # Someone without a recusal in the campaign gets every sheet.
    client.force_login(leader)
    assert pdf_text(client.get(reverse("reports:sheets_pdf", args=[built.campaign.pk])).content, tmp_path, layout=True).count(SHEET_TITLE) == 7


def test_a_background_batch_of_sheets_is_built_for_and_shown_only_to_the_one_who_asked(
    client, chief, leader, built, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.REPORT_INLINE_MAX_CASES = 3
    client.force_login(chief)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("reports:generate", args=[built.campaign.pk, "sheets"]))
    job = ReportJob.objects.get()
    job.refresh_from_db()
    assert (job.kind, job.status, job.created_by) == (DocumentKind.SHEETS, ReportJob.Status.SUCCEEDED, chief)
    text = pdf_text(client.get(reverse("reports:job_download", args=[job.pk])).content, tmp_path, layout=True)
    assert text.count(SHEET_TITLE) == 5 and "姓名甲" not in text and "姓名乙" not in text

    client.force_login(leader)
    assert client.get(reverse("reports:job", args=[job.pk])).status_code == 404
    assert client.get(reverse("reports:job_download", args=[job.pk])).status_code == 404
    assert reverse("reports:job", args=[job.pk]) not in client.get(reverse("reports:generate", args=[built.campaign.pk, "sheets"])).content.decode()
    assert reverse("reports:job", args=[job.pk]) not in client.get(reverse("reports:dashboard", args=[built.campaign.pk])).content.decode()
    assert ReportDownload.objects.filter(user=leader).count() == 0


def test_aggregate_jobs_stay_shared_between_chief_and_leader(client, chief, leader, built):
    job = ReportJob.objects.create(campaign=built.campaign, kind=DocumentKind.WORKBOOK, created_by=chief)
    client.force_login(leader)
    assert client.get(reverse("reports:job", args=[job.pk])).status_code == 200


def test_report_pages_of_an_unknown_campaign_are_404(client, chief, built):
    client.force_login(chief)
    missing = built.campaign.pk + 1
    for name in ("dashboard", "summary_pdf", "sheets_pdf", "workbook", "settings"):
        assert client.get(reverse(f"reports:{name}", args=[missing])).status_code == 404, name
    assert client.get(reverse("reports:generate", args=[missing, "sheets"])).status_code == 404


def test_a_batch_of_sheets_records_a_use_of_every_dossier_in_it_and_no_other(client, chief, built):
    from archives.models import AuditLogEntry

    client.force_login(chief)
    assert client.get(reverse("reports:sheets_pdf", args=[built.campaign.pk])).status_code == 200
    rows = list(DossierUse.objects.order_by("serial"))
    shown = {case.dossier_id for case in built.cases[2:]}
    assert {row.dossier_id for row in rows} == shown  # not the chief's own nor the relative's
    assert [row.serial for row in rows] == list(range(1, len(shown) + 1))
    assert all(row.user == chief and "认定表" in row.purpose for row in rows)
    batch = AuditLogEntry.objects.get(action=AuditLogEntry.Action.DOSSIER_OPEN)
    assert sorted(batch.data["dossiers"]) == sorted(shown)


def test_the_workbook_leaves_out_the_readers_own_and_relatives_rows_and_records_the_others(client, chief):
    built = build_known_campaign()
    own, relative = built.cases[0].dossier.cadre, built.cases[2].dossier.cadre
    own.user = chief
    own.save(update_fields=["user"])
    Recusal.objects.create(user=chief, cadre=relative, relation="配偶")
    add(built.cases[0], "age", Discrepancy.State.REGISTERED, description="本人的问题")
    client.force_login(chief)
    book = load_workbook(io.BytesIO(client.get(reverse("reports:workbook", args=[built.campaign.pk])).content))
    names = {row[1] for row in book["问题登记表"].iter_rows(min_row=2, values_only=True)}
    assert names and own.name not in names and relative.name not in names
    opened = set(DossierUse.objects.filter(user=chief).values_list("dossier__cadre__name", flat=True))
    assert opened == names | {row[1] for sheet in ("已排除问题", "待核实疑点") for row in book[sheet].iter_rows(min_row=2, values_only=True)}
    client.get(reverse("reports:workbook", args=[built.campaign.pk]))
    assert DossierUse.objects.filter(user=chief).count() == len(opened)  # the same day: no second row
