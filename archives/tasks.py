from celery import shared_task

from .imports.service import import_preview, import_run
from .models import ImportJob, Unit


@shared_task
def worker_ping() -> dict:
    """Round trip through broker, worker and database, for operators and tests."""
    return {"pong": True, "units": Unit.objects.count()}


@shared_task
def import_preview_task(job_id: int) -> str:
    """Read and validate an uploaded workbook; the preview or the errors land on the job."""
    return import_preview(job=ImportJob.objects.get(pk=job_id)).status


@shared_task
def import_run_task(job_id: int) -> str:
    """Apply a confirmed import, all or nothing."""
    return import_run(job=ImportJob.objects.get(pk=job_id)).status
