from celery import shared_task

from .imports.service import import_preview, import_run
from .models import ImportJob, Unit


@shared_task
def worker_ping() -> dict:
    """Round trip through broker, worker and database, for operators and tests."""
    return {"pong": True, "units": Unit.objects.count()}


# Acknowledged once done, not when received, and handed back to the broker when the worker
# process dies under them (killed, out of memory), so a lost worker loses no import: the next
# one runs it again, which the services make safe (README: Production). The task id counts the
# attempts.
@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True)
def import_preview_task(self, job_id: int) -> str:
    """Read and validate an uploaded workbook; the preview or the errors land on the job."""
    return import_preview(job=ImportJob.objects.get(pk=job_id), attempt=self.request.id or "").status


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True)
def import_run_task(self, job_id: int) -> str:
    """Apply a confirmed import, all or nothing, exactly once."""
    return import_run(job=ImportJob.objects.get(pk=job_id), attempt=self.request.id or "").status
