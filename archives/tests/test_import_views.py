"""The import pages: templates, upload, preview, confirm, progress, history; and access rules."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from archives.models import Cadre, CadreInfoChange, ImportJob
from archives.tasks import import_run_task

from .import_helpers import ROSTER_HEADERS, build_xlsx, roster_row, sheet_rows
from .test_import_hostile import OLE_MAGIC

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(client, django_capture_on_commit_callbacks):
    """A client whose requests run their on-commit callbacks (the eager tasks), as in production."""
    original = client.request

    def request(**kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return original(**kwargs)

    client.request = request
    return client


def upload(client, kind, rows, name="名册.xlsx"):
    content = build_xlsx({"干部名册": sheet_rows(ROSTER_HEADERS, rows)})
    file = SimpleUploadedFile(name, content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    return client.post(reverse("archives:import_upload"), {"kind": kind, "file": file})


@pytest.mark.parametrize("kind", ["roster", "materials", "resume"])
def test_an_archivist_downloads_each_template(client, archivist, kind):
    client.force_login(archivist)
    response = client.get(f"/archives/templates/{kind}.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content))
    sheet = book.worksheets[0]
    headers = [c.value for c in sheet[1]]
    assert "身份证号" in headers
    assert any(c.value for c in sheet[2])  # the example row
    assert max(sheet.column_dimensions[letter].width for letter in "ABCDE") >= 20  # widths set, not defaults
    notes = book["填写说明"]
    text = " ".join(str(c.value) for row in notes.iter_rows() for c in row if c.value)
    assert "1975.03" in text and "1975年3月12日" in text
    dated = [c for c in sheet[1] if c.value in ("出生日期", "形成日期", "起始时间")]
    assert dated and "1975.03" in dated[0].comment.text


def test_the_roster_template_imports_as_it_is(client, archivist, tmp_path):
    client.force_login(archivist)
    content = client.get("/archives/templates/roster.xlsx").content
    response = client.post(reverse("archives:import_upload"), {"kind": "roster", "file": SimpleUploadedFile("t.xlsx", content)})
    job = ImportJob.objects.get()
    assert response.status_code == 302 and job.status == ImportJob.Status.PREVIEWED, job.errors


@pytest.mark.parametrize("role", ["auditor", "chief", "leader", "outsider"])
def test_other_roles_get_403_on_every_import_page(client, request, role):
    client.force_login(request.getfixturevalue(role))
    job = ImportJob.objects.create(kind="roster", file_name="x.xlsx")
    for url in [
        "/archives/templates/roster.xlsx",
        reverse("archives:import_index"),
        reverse("archives:import_detail", args=[job.pk]),
        reverse("archives:import_status", args=[job.pk]),
        reverse("archives:import_errors_file", args=[job.pk]),
    ]:
        assert client.get(url).status_code == 403, url
    for url in [reverse("archives:import_upload"), reverse("archives:import_confirm", args=[job.pk]), reverse("archives:import_cancel", args=[job.pk])]:
        assert client.post(url).status_code == 403, url


def test_anonymous_users_are_sent_to_login(client):
    for url in ["/archives/templates/roster.xlsx", reverse("archives:import_index"), reverse("archives:import_status", args=[1])]:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/"), url


def test_an_unknown_template_is_404(client, archivist):
    client.force_login(archivist)
    assert client.get("/archives/templates/salaries.xlsx").status_code == 404


def test_action_views_are_post_only(client, archivist):
    client.force_login(archivist)
    job = ImportJob.objects.create(kind="roster", file_name="x.xlsx", status=ImportJob.Status.PREVIEWED)
    for url in [reverse("archives:import_upload"), reverse("archives:import_confirm", args=[job.pk]), reverse("archives:import_cancel", args=[job.pk])]:
        assert client.get(url).status_code == 405


def test_upload_previews_then_confirm_imports(client, archivist):
    client.force_login(archivist)
    response = upload(client, "roster", [roster_row(1), roster_row(2, 单位="某县/宣传部")])
    job = ImportJob.objects.get()
    assert response["Location"] == reverse("archives:import_detail", args=[job.pk])
    assert job.status == ImportJob.Status.PREVIEWED and job.created_by == archivist
    assert job.counts["new"] == 2 and job.counts["units_new"] == 3
    assert not Cadre.objects.exists()  # nothing written before confirmation
    page = client.get(response["Location"]).content.decode()
    assert "确认导入" in page and "干部1" in page and "第2行" in page and "某县/宣传部" in page

    response = client.post(reverse("archives:import_confirm", args=[job.pk]))
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == ImportJob.Status.SUCCEEDED and job.progress_percent == 100
    assert Cadre.objects.count() == 2
    page = client.get(reverse("archives:import_detail", args=[job.pk])).content.decode()
    assert "导入完成" in page


def test_a_previewed_update_shows_old_and_new_values(client, archivist, tmp_path):
    client.force_login(archivist)
    upload(client, "roster", [roster_row(1)])
    client.post(reverse("archives:import_confirm", args=[ImportJob.objects.get().pk]))
    upload(client, "roster", [roster_row(1, 职级="副科级")], name="second.xlsx")
    job = ImportJob.objects.latest("pk")
    assert job.counts["updated"] == 1
    page = client.get(reverse("archives:import_detail", args=[job.pk])).content.decode()
    assert "科员" in page and "副科级" in page
    client.post(reverse("archives:import_confirm", args=[job.pk]))
    change = CadreInfoChange.objects.get()
    assert (change.field, change.source_ref, change.changed_by) == ("rank", str(job.pk), archivist)


def test_a_job_is_confirmed_only_once(client, archivist):
    client.force_login(archivist)
    upload(client, "roster", [roster_row(1)])
    job = ImportJob.objects.get()
    client.post(reverse("archives:import_confirm", args=[job.pk]))
    response = client.post(reverse("archives:import_confirm", args=[job.pk]), follow=True)
    assert "不能确认导入" in response.content.decode()


def test_cancel_writes_nothing(client, archivist):
    client.force_login(archivist)
    upload(client, "roster", [roster_row(1)])
    job = ImportJob.objects.get()
    client.post(reverse("archives:import_cancel", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == ImportJob.Status.CANCELLED and not Cadre.objects.exists()


def test_invalid_upload_shows_every_error_and_offers_the_file_back(client, archivist):
    client.force_login(archivist)
    upload(client, "roster", [roster_row(1, 职级="处长"), roster_row(2, 出生日期="1975.02.30")])
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.INVALID and job.error_count == 2
    page = client.get(reverse("archives:import_detail", args=[job.pk])).content.decode()
    assert "处长" in page and "1975.02.30" in page and "下载带错误说明的文件" in page
    assert "确认导入" not in page
    response = client.get(reverse("archives:import_errors_file", args=[job.pk]))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content))["干部名册"]
    assert sheet["A1"].value == "错误说明" and "职级" in sheet["A2"].value and "出生日期" in sheet["A3"].value
    assert client.post(reverse("archives:import_confirm", args=[job.pk])).status_code == 302
    assert not Cadre.objects.exists()


def test_a_hostile_upload_is_refused_with_a_message(client, archivist):
    client.force_login(archivist)
    file = SimpleUploadedFile("secret.xlsx", OLE_MAGIC + b"\x00" * 600 + "EncryptedPackage".encode("utf-16-le"))
    response = client.post(reverse("archives:import_upload"), {"kind": "roster", "file": file}, follow=True)
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.FAILED
    assert "设置了打开密码" in response.content.decode()


def test_the_status_view_reports_progress_as_json(client, archivist):
    client.force_login(archivist)
    job = ImportJob.objects.create(kind="roster", file_name="x.xlsx", status=ImportJob.Status.RUNNING, progress_done=30, progress_total=120, phase="写入数据库")
    data = client.get(reverse("archives:import_status", args=[job.pk])).json()
    assert data | {"counts": None} == {
        "id": job.pk,
        "status": "running",
        "status_display": "导入中",
        "phase": "写入数据库",
        "done": 30,
        "total": 120,
        "percent": 25,
        "finished": False,
        "message": "",
        "counts": None,
    }
    page = client.get(reverse("archives:import_detail", args=[job.pk])).content.decode()
    assert "import_progress.js" in page and 'data-status-url="/archives/imports/' in page and 'data-width="25"' in page


def test_past_imports_are_listed_with_who_when_file_counts_and_outcome(client, archivist, django_assert_max_num_queries):
    client.force_login(archivist)
    upload(client, "roster", [roster_row(1)], name="第一批.xlsx")
    client.post(reverse("archives:import_confirm", args=[ImportJob.objects.get().pk]))
    upload(client, "roster", [roster_row(2, 职级="x")], name="第二批.xlsx")
    with django_assert_max_num_queries(10):
        page = client.get(reverse("archives:import_index")).content.decode()
    assert "第一批.xlsx" in page and "第二批.xlsx" in page and "孙管档" in page
    assert "已完成" in page and "数据有误" in page and "1 处错误" in page


def test_the_nav_and_home_link_to_imports(client, archivist):
    client.force_login(archivist)
    page = client.get("/").content.decode()
    assert page.count(reverse("archives:import_index")) >= 2


@pytest.fixture
def worker_media(settings, monkeypatch):
    """The worker process must read uploads from this test's MEDIA_ROOT: requested before
    celery_worker_process, it puts it in the environment the worker starts with."""
    monkeypatch.setenv("DJANGO_MEDIA_ROOT", str(settings.MEDIA_ROOT))


@pytest.mark.broker
def test_a_real_worker_runs_an_import(worker_media, celery_worker_process, archivist):
    """Through Redis and a worker process, on the test database."""
    import time

    from django.core.files.base import ContentFile

    job = ImportJob(kind="roster", file_name="r.xlsx", created_by=archivist, status=ImportJob.Status.QUEUED)
    job.file.save("r.xlsx", ContentFile(build_xlsx({"干部名册": sheet_rows(ROSTER_HEADERS, [roster_row(1), roster_row(2)])})))
    import_run_task.delay(job.pk)
    # Poll the job as the page does (the result backend may be cached from eager tests).
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.is_finished:
            break
        time.sleep(0.2)
    assert job.status == ImportJob.Status.SUCCEEDED and job.progress_percent == 100
    assert Cadre.objects.count() == 2


@pytest.mark.parametrize(
    ("kind", "header", "note"),
    [("roster", "全日制毕业时间", "比对参加工作时间"), ("materials", "记载教育类别", "全日制或在职"), ("resume", "经历类型", "其间")],
)
def test_each_template_has_its_new_column_with_a_note(client, archivist, kind, header, note):
    client.force_login(archivist)
    book = load_workbook(io.BytesIO(client.get(f"/archives/templates/{kind}.xlsx").content))
    cell = next(c for c in book.worksheets[0][1] if c.value == header)
    assert note in cell.comment.text
    text = " ".join(str(c.value) for row in book["填写说明"].iter_rows() for c in row if c.value)
    assert header in text and note in text


def test_the_resume_template_imports_as_it_is_once_its_cadre_exists(client, archivist):
    from archives.imports.formats import EXAMPLE_ID
    from archives.models import ResumePeriod
    from archives.tests.factories import CadreFactory

    CadreFactory(id_number=EXAMPLE_ID)
    client.force_login(archivist)
    content = client.get("/archives/templates/resume.xlsx").content
    client.post(reverse("archives:import_upload"), {"kind": "resume", "file": SimpleUploadedFile("t.xlsx", content)})
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.PREVIEWED, job.errors
    client.post(reverse("archives:import_confirm", args=[job.pk]))
    assert ResumePeriod.objects.get().kind == "任职"


def test_the_preview_lists_the_lines_read_as_nested(client, archivist):
    from .import_helpers import RESUME_HEADERS, id_for, resume_row

    client.force_login(archivist)
    upload(client, "roster", [roster_row(1)])
    client.post(reverse("archives:import_confirm", args=[ImportJob.objects.get().pk]))
    rows = [resume_row(1, 终止时间=""), resume_row(1, 起始时间="1996.09", 终止时间="1998.07", 单位及职务="其间：参加省委党校函授大专学习")]
    content = build_xlsx({"干部经历": sheet_rows(RESUME_HEADERS, rows)})
    client.post(reverse("archives:import_upload"), {"kind": "resume", "file": SimpleUploadedFile("经历.xlsx", content)})
    job = ImportJob.objects.latest("pk")
    assert job.status == ImportJob.Status.PREVIEWED, job.errors
    page = client.get(reverse("archives:import_detail", args=[job.pk])).content.decode()
    assert "据“其间”判定为嵌套经历的行" in page
    assert f"第3行 ［在职学习，据“其间”判定］{id_for(1)} 1996.09—1998.07" in page
    assert "1 条经历未填经历类型" in page
