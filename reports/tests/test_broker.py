import time

import pytest
from django.urls import reverse

from reports.models import ReportDownload, ReportJob

from .factories import build_known_campaign


@pytest.fixture
def shared_media(settings, monkeypatch):
    """The worker process writes where this test reads."""
    monkeypatch.setenv("DJANGO_MEDIA_ROOT", str(settings.MEDIA_ROOT))


@pytest.mark.broker
def test_a_real_worker_generates_a_large_campaigns_report(shared_media, celery_worker_process, client, chief, settings):
    settings.REPORT_INLINE_MAX_CASES = 2
    campaign = build_known_campaign().campaign
    client.force_login(chief)
    assert client.get(reverse("reports:workbook", args=[campaign.pk])).status_code == 302
    client.post(reverse("reports:generate", args=[campaign.pk, "workbook"]))
    job = ReportJob.objects.get()
    deadline = time.monotonic() + 60
    status = {}
    while time.monotonic() < deadline:
        status = client.get(reverse("reports:job", args=[job.pk]), {"format": "json"}).json()
        if status["status"] in ("succeeded", "failed"):
            break
        time.sleep(0.5)
    assert status["status"] == "succeeded", status
    download = client.get(status["download_url"])
    assert download.content[:2] == b"PK"
    assert ReportDownload.objects.get().job_id == job.pk
