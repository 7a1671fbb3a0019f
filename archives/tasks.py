from celery import shared_task

from .models import Unit


@shared_task
def worker_ping() -> dict:
    """Round trip through broker, worker and database, for operators and tests."""
    return {"pong": True, "units": Unit.objects.count()}
