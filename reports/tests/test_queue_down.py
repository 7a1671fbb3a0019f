"""A large campaign's report with Redis down (issue 11, item 9): the job page says so in Chinese,
no 500, and offers to start again; once Redis is back, that works. Redis is a closed port here
(conftest.QueueOutage), as when its server is down."""

import pytest
from django.urls import reverse

from reports.models import ReportJob

from .factories import build_known_campaign

pytestmark = pytest.mark.django_db


def test_a_background_report_with_redis_down_says_so_and_can_be_started_again(client, chief, settings, queue_outage, django_capture_on_commit_callbacks):
    settings.REPORT_INLINE_MAX_CASES = 3
    campaign = build_known_campaign().campaign
    client.force_login(chief)
    generate = reverse("reports:generate", args=[campaign.pk, "workbook"])

    queue_outage.down()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(generate)
    job = ReportJob.objects.get()
    assert response.status_code == 302 and response.url == reverse("reports:job", args=[job.pk])
    job.refresh_from_db()
    assert job.status == ReportJob.Status.FAILED and job.task_id == ""
    page = client.get(response.url).content.decode()
    assert "任务队列（Redis）暂时无法连接，未开始生成" in page and "重新生成" in page and f'action="{generate}"' in page
    assert client.get(generate).status_code == 200  # the list of jobs still renders

    queue_outage.up()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(generate)
    again = ReportJob.objects.latest("pk")
    assert again.pk != job.pk and again.status == ReportJob.Status.SUCCEEDED
    assert client.get(reverse("reports:job_download", args=[again.pk])).content[:2] == b"PK"
