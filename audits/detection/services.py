"""Business actions of automatic detection: starting a run, following its progress, and the
auditor's confirm / dismiss of a system finding (HackSoft-style services, Zulip-style shape)."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from audits.models import AuditCase, CaseState

# Big IN lists are split so neither SQLite nor PostgreSQL hits its bound-parameter limit.
_ID_CHUNK = 5000


def _open_case_ids_for_dossiers(dossier_ids) -> list[int]:
    dossier_ids = sorted({int(pk) for pk in dossier_ids})
    case_ids: list[int] = []
    for start in range(0, len(dossier_ids), _ID_CHUNK):
        chunk = dossier_ids[start : start + _ID_CHUNK]
        case_ids += AuditCase.objects.filter(dossier_id__in=chunk).exclude(state=CaseState.CLOSED).values_list("pk", flat=True)
    return sorted(case_ids)


def _enqueue(*, case_ids=None, campaign_id=None, user=None):
    """Queue the detection task; inline when Celery is eager, after commit when it is not
    (a worker must not run before the rows it reads are committed)."""
    from audits.tasks import detect_cases_task

    kwargs = {"case_ids": case_ids, "user_id": getattr(user, "pk", None), "campaign_id": campaign_id}
    if _eager():
        return detect_cases_task.delay(**kwargs)
    holder = {}

    def send():
        holder["result"] = detect_cases_task.delay(**kwargs)

    transaction.on_commit(send)
    return holder.get("result")


def _eager() -> bool:
    from dossier_audit.celery import app

    return bool(app.conf.task_always_eager)


def detect_after_import(*, dossier_ids, user=None):
    """Run detection for every open (not closed) audit case of these dossiers.

    Called by the imports after they have written materials, résumés or current
    information. Returns the Celery result (None when no open case or when queued after
    the surrounding transaction commits)."""
    case_ids = _open_case_ids_for_dossiers(dossier_ids)
    if not case_ids:
        return None
    return _enqueue(case_ids=case_ids, user=user)


def detection_run_for_task(*, task, case_ids=None, user_id=None, campaign_id=None) -> dict:
    """The detection task's body (filled in by the engine)."""
    from .engine import run_detection

    return run_detection(case_ids=case_ids, campaign_id=campaign_id, user_id=user_id, task=task)
