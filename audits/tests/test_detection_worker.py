"""Detection through a real Celery worker on a real broker (PostgreSQL runs only)."""

import pytest
from django.core.cache import cache

from audits.detection import detect_after_import, detection_progress, detection_start
from audits.models import Discrepancy

from .detection_data import make_campaign, planted_case


@pytest.fixture
def worker(celery_worker_process):
    return celery_worker_process


pytestmark = [pytest.mark.broker, pytest.mark.django_db(transaction=True)]


def test_a_campaign_run_goes_through_the_worker(worker, chief):
    cache.clear()
    campaign = make_campaign()
    cases = [planted_case(campaign, rule) for rule in ("AGE-EARLIEST", "EDU-UNVERIFIED", "EXP-GAP")]
    state = detection_start(campaign=campaign, user=chief)
    assert state["task_id"]
    from celery.result import AsyncResult

    from dossier_audit.celery import app

    result = AsyncResult(state["task_id"], app=app).get(timeout=60)
    assert result["created_total"] == 3
    progress = detection_progress(campaign_id=campaign.pk, task_id=state["task_id"])
    assert progress["status"] == "done" and progress["result"]["created_total"] == 3
    assert {d.rule for d in Discrepancy.objects.filter(case__in=cases)} == {"AGE-EARLIEST", "EDU-UNVERIFIED", "EXP-GAP"}
    events = Discrepancy.objects.get(case=cases[0]).events.get()
    assert events.actor == chief


def test_detect_after_import_goes_through_the_worker(worker):
    campaign = make_campaign()
    case = planted_case(campaign, "AGE-EARLIEST")
    async_result = detect_after_import(dossier_ids=[case.dossier_id])
    assert async_result is not None
    assert async_result.get(timeout=60)["created_total"] == 1
    assert Discrepancy.objects.filter(case=case, rule="AGE-EARLIEST").exists()
