"""The import tasks' bodies are safe to run again (issue 11, item 9): a redelivered run finds a
finished job and does nothing, takes up a job a dead worker left RUNNING and applies it once,
gives up after MAX_TASK_ATTEMPTS deliveries; of two runs at once only the first to commit
counts. (The real worker killed mid-import: test_import_worker_faults.py.)"""

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import connections

from archives.imports import service
from archives.imports.service import MAX_TASK_ATTEMPTS, import_preview, import_run
from archives.models import AuditLogEntry, Cadre, CadreInfoChange, ImportJob

from .import_helpers import ROSTER_HEADERS, build_xlsx, roster_row, sheet_rows

pytestmark = pytest.mark.django_db


def job_with(archivist, status, rows=3) -> ImportJob:
    job = ImportJob(kind="roster", file_name="名册.xlsx", created_by=archivist, status=status)
    job.file.save("roster.xlsx", ContentFile(build_xlsx({"干部名册": sheet_rows(ROSTER_HEADERS, [roster_row(i) for i in range(1, rows + 1)])})))
    return job


def imports_logged(job) -> int:
    return AuditLogEntry.objects.filter(action=AuditLogEntry.Action.IMPORT, summary__contains=job.file_name).count()


def test_a_redelivered_run_finds_the_job_done_and_does_nothing(archivist):
    job = job_with(archivist, ImportJob.Status.QUEUED)
    assert import_run(job=job, attempt="task-1").status == ImportJob.Status.SUCCEEDED
    finished = ImportJob.objects.get(pk=job.pk)
    again = import_run(job=ImportJob.objects.get(pk=job.pk), attempt="task-1")
    assert again.status == ImportJob.Status.SUCCEEDED
    assert (again.counts, again.message, again.finished_at) == (finished.counts, finished.message, finished.finished_at)
    assert again.counts["new"] == 3 and Cadre.objects.count() == 3
    assert imports_logged(job) == 1


def test_a_run_left_running_by_a_dead_worker_is_applied_once_by_the_next(archivist):
    job = job_with(archivist, ImportJob.Status.RUNNING)  # nothing of the dead run was committed
    assert import_run(job=job, attempt="task-2").status == ImportJob.Status.SUCCEEDED
    assert Cadre.objects.count() == 3 and imports_logged(job) == 1
    assert not CadreInfoChange.objects.exists()


@pytest.mark.parametrize(("status", "body"), [(ImportJob.Status.RUNNING, import_run), (ImportJob.Status.VALIDATING, import_preview)])
def test_a_task_redelivered_too_often_gives_up(archivist, status, body):
    job = job_with(archivist, status)
    cache.set(f"archives:imports:attempts:task-3-{status}", MAX_TASK_ATTEMPTS)
    outcome = body(job=job, attempt=f"task-3-{status}")
    assert outcome.status == ImportJob.Status.FAILED and "多次中断" in outcome.message
    assert not Cadre.objects.exists()


def test_a_preview_redelivered_after_the_confirmation_does_nothing(archivist):
    job = job_with(archivist, ImportJob.Status.QUEUED)
    assert import_preview(job=job, attempt="task-4").status == ImportJob.Status.QUEUED
    assert not ImportJob.objects.get(pk=job.pk).preview


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_of_two_runs_at_once_only_the_first_to_commit_counts(archivist, monkeypatch):
    """While this run is in its write phase, another run of the same job commits SUCCEEDED (on
    another connection, as another worker would): this run's final status update finds the job
    no longer RUNNING and rolls back every row it wrote."""
    job = job_with(archivist, ImportJob.Status.QUEUED)

    def the_other_run_finishes_first():
        other = connections.create_connection("default")
        try:
            with other.cursor() as cursor:
                cursor.execute("UPDATE archives_importjob SET status = 'succeeded', message = '另一次运行已完成' WHERE id = %s", [job.pk])
        finally:
            other.close()

    monkeypatch.setattr(service, "_pause_for_tests", the_other_run_finishes_first)
    outcome = import_run(job=job, attempt="task-5")
    assert (outcome.status, outcome.message) == (ImportJob.Status.SUCCEEDED, "另一次运行已完成")
    assert not Cadre.objects.exists() and imports_logged(job) == 0
