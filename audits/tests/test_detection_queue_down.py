"""Starting detection with Redis down (issue 11, item 9): the campaign page says so in Chinese and
nothing is left saying "queued"; no 500 on the page, the start or the progress. Redis is a closed
port here (conftest.QueueOutage), as when its server is down: it holds the queue and the progress."""

import pytest
from django.urls import reverse

from audits.models import Discrepancy

from .detection_data import make_campaign, planted_case

pytestmark = pytest.mark.django_db

MESSAGE = "任务队列（Redis）暂时无法连接，系统比对未启动"


def test_starting_detection_with_redis_down_says_so_and_can_be_started_again(client, chief, queue_outage):
    campaign = make_campaign()
    planted_case(campaign, "EDU-UNVERIFIED")
    client.force_login(chief)
    page_url = reverse("audits:campaign_detail", args=[campaign.pk])
    start = reverse("audits:detection:detection_start", args=[campaign.pk])

    queue_outage.down()
    response = client.post(start, {"next": page_url}, follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    assert MESSAGE in page and "无法读取系统比对进度" in page and "运行系统比对" in page

    response = client.post(start, HTTP_ACCEPT="application/json")
    assert response.status_code == 503
    assert response.json()["status"] == "failed" and MESSAGE in response.json()["message"]
    progress = client.get(reverse("audits:detection:detection_progress", args=[campaign.pk]))
    assert progress.status_code == 200 and progress.json()["status"] == "unavailable"
    assert not Discrepancy.objects.exists()

    queue_outage.up()
    state = client.post(start, HTTP_ACCEPT="application/json").json()
    assert state["status"] == "done" and state["result"]["created_total"] == 1
