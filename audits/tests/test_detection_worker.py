"""Detection through a real Celery worker on a real broker (PostgreSQL runs only)."""

import pytest
from django.core.cache import cache

from audits.detection import detect_after_import, detection_progress, detection_start
from audits.models import Discrepancy

from .detection_data import make_campaign, planted_case


def _drop_cached_celery_state():
    """Forget the result backend and the control mailbox's producer pool cached by earlier
    tests: the conftest fixture swaps broker and backend but these keep the old ones (a
    DisabledBackend, and pools it has closed), so a second broker test would fail."""
    from kombu import pools

    from dossier_audit.celery import app

    pools.reset()  # kombu's process-wide registry still holds the pools closed by the fixture
    app._backend_cache = None
    app._local.__dict__.pop("backend", None)
    app.control.mailbox.__dict__.pop("producer_pool", None)


@pytest.fixture
def _fresh_celery_state():
    _drop_cached_celery_state()
    yield
    _drop_cached_celery_state()


@pytest.fixture
def worker(_fresh_celery_state, celery_worker_process):
    return celery_worker_process


# serialized_rollback: a transactional test before this one flushed the rows that data
# migrations create (material categories, role groups); reload them.
pytestmark = [pytest.mark.broker, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


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
