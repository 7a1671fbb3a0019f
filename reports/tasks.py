from celery import shared_task

from . import services


@shared_task
def generate_report(job_id: int) -> str:
    """Generate one queued report (ReportJob) in the background."""
    return services.report_job_run(job_id=job_id).status
