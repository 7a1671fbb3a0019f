"""Access, downloads recorded, narrative editing, background generation of large campaigns."""

import pytest
from django.urls import reverse

from reports.models import DocumentKind, ReportDownload, ReportJob, ReportSettings

from .factories import build_known_campaign

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign():
    return build_known_campaign().campaign


def _urls(campaign):
    case = campaign.cases.first()
    return [
        reverse("reports:summary_pdf", args=[campaign.pk]),
        reverse("reports:dashboard", args=[campaign.pk]),
        reverse("reports:workbook", args=[campaign.pk]),
        reverse("reports:sheets_pdf", args=[campaign.pk]),
        reverse("reports:sheet_pdf", args=[case.pk]),
        reverse("reports:campaign_list"),
    ]


def test_the_summary_pdf_lives_at_the_documented_path(campaign):
    assert reverse("reports:summary_pdf", args=[campaign.pk]) == f"/reports/campaigns/{campaign.pk}/summary.pdf"


@pytest.mark.parametrize("who", ["chief", "leader"])
def test_chief_and_leader_get_every_report(request, client, campaign, who):
    client.force_login(request.getfixturevalue(who))
    for url in _urls(campaign):
        response = client.get(url)
        assert response.status_code == 200, url


@pytest.mark.parametrize("who", ["auditor", "archivist", "outsider"])
def test_other_roles_are_refused(request, client, campaign, who):
    client.force_login(request.getfixturevalue(who))
    for url in _urls(campaign):
        assert client.get(url).status_code == 403, url
    assert not ReportDownload.objects.exists()


def test_anonymous_users_are_sent_to_login(client, campaign):
    for url in _urls(campaign):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_a_download_is_recorded_with_who_what_and_when(client, leader, campaign):
    client.force_login(leader)
    response = client.get(reverse("reports:summary_pdf", args=[campaign.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert "attachment" in response["Content-Disposition"]
    entry = ReportDownload.objects.get()
    assert (entry.user, entry.kind, entry.campaign, entry.size) == (leader, DocumentKind.SUMMARY, campaign, len(response.content))
    assert entry.file_name.endswith(".pdf") and entry.at


def test_a_sheet_download_records_the_case(client, chief, campaign):
    client.force_login(chief)
    case = campaign.cases.first()
    client.get(reverse("reports:sheet_pdf", args=[case.pk]))
    client.get(reverse("reports:workbook", args=[campaign.pk]))
    kinds = dict(ReportDownload.objects.values_list("kind", "case"))
    assert kinds == {DocumentKind.SHEET: case.pk, DocumentKind.WORKBOOK: None}


def test_the_dashboard_shows_the_selector_figures_and_vendored_chartjs(client, chief, campaign):
    client.force_login(chief)
    html = client.get(reverse("reports:dashboard", args=[campaign.pk])).content.decode()
    assert 'data-stat="total">7<' in html
    assert 'data-stat="consistent">1<' in html
    assert 'data-stat="discrepancies">8<' in html
    assert 'data-stat="pending">1<' in html  # the unverified system finding, apart
    assert "vendor/chartjs/chart.umd.min.js" in html
    assert "js/dashboard.js" in html
    assert "http://" not in html and "https://" not in html
    assert 'id="dashboard-data"' in html


def test_only_the_chief_edits_the_narrative(client, chief, leader, campaign):
    url = reverse("reports:settings", args=[campaign.pk])
    client.force_login(leader)
    assert client.get(url).status_code == 403
    client.force_login(chief)
    page = client.get(url).content.decode()
    assert "（一）明确责任分工" in page  # starts from the default wording
    response = client.post(
        url,
        {
            "title": "总结",
            "addressee": "市委组织部",
            "issuing_unit": "某县委组织部",
            "report_date": "2024-12-20",
            "opening": "开头",
            "practices": "做法",
            "problems": "问题",
        },
    )
    assert response.status_code == 302
    row = ReportSettings.objects.get(campaign=campaign)
    assert (row.addressee, row.practices, row.updated_by) == ("市委组织部", "做法", chief)


def test_a_large_campaign_is_generated_in_the_background(client, chief, campaign, settings, django_capture_on_commit_callbacks):
    settings.REPORT_INLINE_MAX_CASES = 3
    client.force_login(chief)
    response = client.get(reverse("reports:summary_pdf", args=[campaign.pk]))
    assert response.status_code == 302
    generate = reverse("reports:generate", args=[campaign.pk, "summary"])
    assert response.url == generate
    assert client.get(generate).status_code == 200
    assert not ReportDownload.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(generate)  # eager here: the task runs on commit
    job = ReportJob.objects.get()
    assert response.url == reverse("reports:job", args=[job.pk])
    job.refresh_from_db()
    assert job.status == ReportJob.Status.SUCCEEDED
    status = client.get(reverse("reports:job", args=[job.pk]), {"format": "json"}).json()
    assert status["progress"] == 100
    assert status["download_url"] == reverse("reports:job_download", args=[job.pk])
    assert "下载" in client.get(reverse("reports:job", args=[job.pk])).content.decode()
    download = client.get(status["download_url"])
    assert download.content.startswith(b"%PDF")
    entry = ReportDownload.objects.get()
    assert (entry.user, entry.job, entry.kind) == (chief, job, DocumentKind.SUMMARY)


def test_a_batch_of_sheets_beyond_the_inline_limit_is_a_job_with_progress(client, chief, campaign, settings, django_capture_on_commit_callbacks):
    settings.REPORT_SHEETS_INLINE_MAX_CASES = 5  # the known campaign has 7 cases
    client.force_login(chief)
    assert client.get(reverse("reports:summary_pdf", args=[campaign.pk])).content.startswith(b"%PDF")  # the summary stays inline
    response = client.get(reverse("reports:sheets_pdf", args=[campaign.pk]))
    assert response.status_code == 302 and response.url == reverse("reports:generate", args=[campaign.pk, "sheets"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(response.url)
    job = ReportJob.objects.get(kind=DocumentKind.SHEETS)
    job.refresh_from_db()
    assert job.status == ReportJob.Status.SUCCEEDED and job.progress_total == 7
    assert client.get(reverse("reports:job_download", args=[job.pk])).content.startswith(b"%PDF")


def test_the_job_pages_are_for_chief_and_leader_only(client, auditor, campaign, settings):
    job = ReportJob.objects.create(campaign=campaign, kind=DocumentKind.WORKBOOK)
    client.force_login(auditor)
    assert client.get(reverse("reports:job", args=[job.pk])).status_code == 403
    assert client.get(reverse("reports:job_download", args=[job.pk])).status_code == 403
    assert client.post(reverse("reports:generate", args=[campaign.pk, "summary"])).status_code == 403


def test_nav_and_home_link_to_reports_for_chief(client, chief):
    client.force_login(chief)
    html = client.get(reverse("home")).content.decode()
    assert reverse("reports:campaign_list") in html
