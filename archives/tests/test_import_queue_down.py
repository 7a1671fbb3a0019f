"""Imports with Redis down (issue 11, item 9): the upload and the confirmation say so in Chinese,
no 500; the file and the job are kept, waiting, and the uploader resubmits them once the queue
is back. Redis is a closed port here (conftest.QueueOutage), as when its server is down."""

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from archives.models import Cadre, ImportJob

from .import_helpers import ROSTER_HEADERS, build_xlsx, roster_row, sheet_rows

pytestmark = pytest.mark.django_db

QUEUE_DOWN = "任务队列（Redis）暂时无法连接"


@pytest.fixture
def client(client, django_capture_on_commit_callbacks):
    """A client whose requests run their on-commit callbacks (where tasks are queued), as in production."""
    original = client.request

    def request(**kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return original(**kwargs)

    client.request = request
    return client


def roster(*rows) -> bytes:
    return build_xlsx({"干部名册": sheet_rows(ROSTER_HEADERS, list(rows))})


def upload(client, content: bytes):
    file = SimpleUploadedFile("名册.xlsx", content)
    return client.post(reverse("archives:import_upload"), {"kind": "roster", "file": file}, follow=True)


def test_an_upload_with_redis_down_is_kept_and_resubmitted_when_it_is_back(client, archivist, queue_outage):
    client.force_login(archivist)
    content = roster(roster_row(1), roster_row(2))
    queue_outage.down()
    response = upload(client, content)
    assert response.status_code == 200
    page = response.content.decode()
    assert QUEUE_DOWN in page and "文件已保存，尚未校验" in page and "重新提交" in page
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.VALIDATING and job.task_id == "" and job.awaits_queue
    with job.file.open("rb") as fh:
        assert fh.read() == content
    assert job.file_sha256 == hashlib.sha256(content).hexdigest()

    # Still down: resubmitting says so again, and keeps the job waiting.
    response = client.post(reverse("archives:import_resubmit", args=[job.pk]), follow=True)
    assert response.status_code == 200 and QUEUE_DOWN in response.content.decode()
    job.refresh_from_db()
    assert job.awaits_queue

    queue_outage.up()
    client.post(reverse("archives:import_resubmit", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == ImportJob.Status.PREVIEWED and job.counts["new"] == 2 and not job.message


def test_a_confirmation_with_redis_down_imports_nothing_and_is_resubmitted(client, archivist, queue_outage):
    client.force_login(archivist)
    upload(client, roster(roster_row(1), roster_row(2), roster_row(3)))
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.PREVIEWED and job.task_id

    queue_outage.down()
    response = client.post(reverse("archives:import_confirm", args=[job.pk]), follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    assert QUEUE_DOWN in page and "尚未开始导入，未导入任何数据" in page
    job.refresh_from_db()
    assert job.status == ImportJob.Status.QUEUED and job.task_id == "" and job.awaits_queue
    assert not Cadre.objects.exists()

    queue_outage.up()
    client.post(reverse("archives:import_resubmit", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == ImportJob.Status.SUCCEEDED
    assert Cadre.objects.count() == 3


def test_only_a_job_waiting_for_the_queue_is_resubmitted_and_only_by_its_uploader(client, archivist, request):
    from archives.roles import Role
    from archives.tests.factories import UserFactory

    client.force_login(archivist)
    upload(client, roster(roster_row(1)))
    job = ImportJob.objects.get()
    response = client.post(reverse("archives:import_resubmit", args=[job.pk]), follow=True)
    assert "无需重新提交" in response.content.decode()
    other = UserFactory(username="archivist2", roles=[Role.ARCHIVIST])
    client.force_login(other)
    assert client.post(reverse("archives:import_resubmit", args=[job.pk])).status_code == 403
    assert client.get(reverse("archives:import_resubmit", args=[job.pk])).status_code == 405
