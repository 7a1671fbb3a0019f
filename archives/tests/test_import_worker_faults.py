"""A Celery worker killed (SIGKILL) in the middle of an import (issue 11, item 9): the import
tasks are acknowledged late and handed back when their worker dies, and import_run commits the
rows and the job's SUCCEEDED together, so the next worker finishes the import with nothing
duplicated and nothing lost. Real workers on Redis and the PostgreSQL test database; the import
stops in its write phase (new cadres written, updates not, nothing committed) through the
test-only pause of archives.imports.service._pause_for_tests, and is killed there."""

import os
import signal
import time

import pytest
from django.core.files.base import ContentFile

from archives.imports.service import import_confirm, import_file
from archives.models import AuditLogEntry, Cadre, CadreInfoChange, Dossier, ImportJob
from archives.tasks import import_run_task

from .import_helpers import ROSTER_HEADERS, build_xlsx, roster_row, sheet_rows, write

pytestmark = [pytest.mark.broker, pytest.mark.django_db(transaction=True)]

EXISTING, NEW = 40, 60


@pytest.fixture
def pause(tmp_path):
    """The folder where the import announces itself (`reached-<pid>`) and waits while `hold` exists."""
    folder = tmp_path / "pause"
    folder.mkdir()
    (folder / "hold").touch()
    return folder


def worker_env(settings, pause, *, visibility_timeout: int) -> dict:
    return {
        "DJANGO_MEDIA_ROOT": str(settings.MEDIA_ROOT),  # where this test stored the upload
        "DA_TEST_IMPORT_PAUSE_DIR": str(pause),
        "CELERY_VISIBILITY_TIMEOUT": str(visibility_timeout),
    }


def wait_for(predicate, *, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    pytest.fail(f"timed out after {seconds} s waiting for {what}")


def reached(pause) -> list[int]:
    """The processes that reached the middle of the import's write, in order."""
    markers = sorted(pause.glob("reached-*"), key=lambda p: p.stat().st_mtime)
    return [int(p.name.split("-", 1)[1]) for p in markers]


def confirmed_import(archivist, tmp_path) -> ImportJob:
    """40 cadres already in the database; a previewed roster that changes their 职级 (40 updates,
    one history row each) and adds 60 new ones; confirmed, so its run task is queued."""
    import_file(path=write(tmp_path / "first.xlsx", "roster", [roster_row(i) for i in range(1, EXISTING + 1)]), kind="roster", user=archivist)
    assert Cadre.objects.count() == EXISTING and not CadreInfoChange.objects.exists()
    rows = [roster_row(i, 职级="副科级") for i in range(1, EXISTING + 1)] + [roster_row(i) for i in range(EXISTING + 1, EXISTING + NEW + 1)]
    job = ImportJob(kind="roster", file_name="名册.xlsx", created_by=archivist, status=ImportJob.Status.PREVIEWED)
    job.file.save("roster.xlsx", ContentFile(build_xlsx({"干部名册": sheet_rows(ROSTER_HEADERS, rows)})))
    import_confirm(job=job, user=archivist)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.QUEUED and job.task_id
    return job


def assert_imported_exactly_once(job: ImportJob) -> None:
    job.refresh_from_db()
    assert job.status == ImportJob.Status.SUCCEEDED, job.message
    assert (job.counts["new"], job.counts["updated"]) == (NEW, EXISTING)
    assert job.message == f"导入完成：新增 {NEW} 条，更新 {EXISTING} 条，未变 0 条"
    assert Cadre.objects.count() == EXISTING + NEW
    assert Cadre.objects.values("id_number").distinct().count() == EXISTING + NEW
    assert Dossier.objects.count() == EXISTING + NEW
    assert set(Cadre.objects.values_list("rank", flat=True)) == {"副科级", "科员"}
    assert Cadre.objects.filter(rank="副科级").count() == EXISTING
    history = CadreInfoChange.objects.filter(source_ref=str(job.pk))
    assert history.count() == EXISTING and CadreInfoChange.objects.count() == EXISTING
    assert set(history.values_list("field", "old_value", "new_value")) == {("rank", "科员", "副科级")}
    # The import's audit log entry is written in the transaction that turns the job SUCCEEDED:
    # one entry, one success.
    assert AuditLogEntry.objects.filter(action=AuditLogEntry.Action.IMPORT, data__job=job.pk).count() == 1


def test_a_worker_killed_mid_import_leaves_nothing_and_the_next_worker_finishes_it_once(celery_workers, archivist, settings, tmp_path, pause):
    # Worker 1 takes the task and stops in the middle of the write.
    first = celery_workers.start(env=worker_env(settings, pause, visibility_timeout=4))
    job = confirmed_import(archivist, tmp_path)
    assert wait_for(lambda: reached(pause), seconds=60, what="the import's write phase") == [first.pid]
    job.refresh_from_db()
    assert job.status == ImportJob.Status.RUNNING
    assert Cadre.objects.count() == EXISTING  # written in its open transaction, not committed

    first.send_signal(signal.SIGKILL)
    assert first.wait(timeout=30) == -signal.SIGKILL
    (pause / "hold").unlink()

    # Nobody acknowledged the message: once its visibility timeout has passed, the next worker
    # puts it back in the queue and runs it, from the start.
    second = celery_workers.start(env=worker_env(settings, pause, visibility_timeout=4))
    wait_for(lambda: ImportJob.objects.get(pk=job.pk).is_finished, seconds=90, what="the import to finish on the second worker")
    assert reached(pause) == [first.pid, second.pid]
    assert_imported_exactly_once(job)

    # The same task delivered once more (a duplicate, a late redelivery) finds the job done.
    assert import_run_task.delay(job.pk).get(timeout=60) == ImportJob.Status.SUCCEEDED
    assert reached(pause) == [first.pid, second.pid]
    assert_imported_exactly_once(job)


def test_a_pool_process_killed_mid_import_is_rejected_back_to_the_queue(celery_workers, archivist, settings, tmp_path, pause):
    """The prefork pool's child dies (the OOM killer's way): reject_on_worker_lost hands the
    message back at once (with an hour's visibility timeout nothing else would), and the
    worker's next child runs it."""
    worker = celery_workers.start(pool="prefork", env=worker_env(settings, pause, visibility_timeout=3600))
    job = confirmed_import(archivist, tmp_path)
    [child] = wait_for(lambda: reached(pause), seconds=60, what="the import's write phase")
    assert child != worker.pid

    os.kill(child, signal.SIGKILL)
    (pause / "hold").unlink()
    wait_for(lambda: ImportJob.objects.get(pk=job.pk).is_finished, seconds=90, what="the import to finish in the next pool process")
    assert len(reached(pause)) == 2 and reached(pause)[0] == child
    assert_imported_exactly_once(job)
    assert worker.poll() is None
