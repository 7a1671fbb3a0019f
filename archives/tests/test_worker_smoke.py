import pytest

from archives.tasks import worker_ping
from archives.tests.factories import UnitFactory


@pytest.mark.broker
def test_a_real_worker_runs_a_task_through_redis_on_the_test_database(celery_worker_process):
    UnitFactory(name="某县")
    result = worker_ping.delay()
    assert result.get(timeout=30) == {"pong": True, "units": 1}
