"""Handing work to the background worker, and knowing when the queue (Redis) is down.

Every page that queues work (an import's preview or run, a detection run, a large report) goes
through ``enqueue``: with the broker unreachable it raises ``QueueUnavailable`` within about a
second (settings: the result backend's retry policy, connect timeouts) instead of a 500, and the
caller keeps what is needed to queue the work again and says so on the page.
"""

from __future__ import annotations

import logging

import kombu.exceptions
import redis
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)

# Publishing fails with kombu's OperationalError; subscribing to the result first (the Redis
# result backend does, before publishing) with redis-py's errors, or Celery's RuntimeError
# "Retry limit exceeded while trying to reconnect to the Celery result store backend".
BROKER_ERRORS = (kombu.exceptions.OperationalError, redis.exceptions.RedisError, ConnectionError, TimeoutError, RuntimeError)

QUEUE_DOWN = _("任务队列（Redis）暂时无法连接")


class QueueUnavailable(Exception):
    """The broker could not be reached: the task was not queued."""


def eager() -> bool:
    from dossier_audit.celery import app

    return bool(app.conf.task_always_eager)


def enqueue(task, *args, **kwargs):
    """``task.delay(*args, **kwargs)``; QueueUnavailable when the broker cannot take it. Eager
    (no REDIS_URL) the task runs here and its own exceptions propagate untouched."""
    if eager():
        return task.delay(*args, **kwargs)
    try:
        return task.delay(*args, **kwargs)
    except BROKER_ERRORS as exc:
        logger.error("task %s not queued: broker unreachable (%s: %s)", task.name, exc.__class__.__name__, exc)
        raise QueueUnavailable(str(exc)) from exc
