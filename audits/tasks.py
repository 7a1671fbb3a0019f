"""Background jobs of the audits app: thin, they take ids and call one service."""

from celery import shared_task


@shared_task(bind=True)
def detect_cases_task(self, case_ids: list[int], user_id: int | None = None, campaign_id: int | None = None) -> dict:
    """Run automatic detection over the given audit cases (or a whole campaign)."""
    from audits.detection.services import detection_run_for_task

    return detection_run_for_task(task=self, case_ids=case_ids, user_id=user_id, campaign_id=campaign_id)
