"""Business actions of automatic detection: starting a run, following its progress, and the
auditor's confirm / dismiss of a system finding (HackSoft-style services, Zulip-style shape)."""

from __future__ import annotations

import logging

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from archives.roles import Role, has_role
from archives.task_queue import BROKER_ERRORS, QueueUnavailable, enqueue
from audits import access
from audits.models import AuditCase, CaseState, Discrepancy
from audits.services.determination import known_values
from audits.services.findings import record_state_change

from .engine import EventAction

logger = logging.getLogger(__name__)

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
        holder["result"] = enqueue(detect_cases_task, **kwargs)

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
    """The detection task's body."""
    from .engine import run_detection

    return run_detection(case_ids=case_ids, campaign_id=campaign_id, user_id=user_id, task=task)


# --- starting a campaign run and following it ----------------------------------------------

PROGRESS_TIMEOUT = 24 * 3600
PHASE_LABELS = {"queued": "排队中", "loading": "读取数据", "checking": "逐卷比对", "saving": "保存结果", "done": "已完成", "failed": "失败"}
# Share of the bar given to each phase (loading and saving are single bulk steps).
_PHASE_SPAN = {"queued": (0, 0), "loading": (0, 10), "checking": (10, 90), "saving": (90, 99), "done": (100, 100)}


def _progress_key(campaign_id) -> str:
    return f"audits:detection:campaign:{campaign_id}"


def _percent(phase: str, done: int, total: int) -> int:
    low, high = _PHASE_SPAN.get(phase, (0, 0))
    if not total or high == low:
        return low
    return low + int((high - low) * min(done, total) / total)


def _state(phase: str, done: int = 0, total: int = 0, **extra) -> dict:
    return {
        "status": "done" if phase == "done" else ("failed" if phase == "failed" else "running"),
        "phase": phase,
        "phase_label": PHASE_LABELS.get(phase, phase),
        "done": done,
        "total": total,
        "percent": _percent(phase, done, total),
        **extra,
    }


class ProgressReporter:
    """Records a run's progress where the campaign page can read it: Django's cache (the
    eager path, same process) and, under a real worker, the Celery result backend."""

    def __init__(self, *, task=None, campaign_id=None):
        self.task = task
        self.campaign_id = campaign_id
        request = getattr(task, "request", None)
        self.task_id = getattr(request, "id", None)
        self.remote = bool(self.task_id) and not getattr(request, "is_eager", False)

    def _store(self, state: dict) -> None:
        state = {**state, "campaign_id": self.campaign_id, "task_id": self.task_id}
        if self.campaign_id is not None:
            cache.set(_progress_key(self.campaign_id), state, PROGRESS_TIMEOUT)
        if self.remote and state["status"] == "running":
            self.task.update_state(state="PROGRESS", meta=state)

    def __call__(self, done: int, total: int, phase: str) -> None:
        self._store(_state(phase, done, total))

    def finish(self, result: dict) -> None:
        self._store(_state("done", result["cases"], result["cases"], result=result, finished_at=timezone.now().isoformat()))


def _require_campaign_manager(user) -> None:
    if not has_role(user, Role.CHIEF, Role.LEADER):
        raise PermissionDenied("只有科长或分管领导可以启动系统比对")


def detection_start(*, campaign, user) -> dict:
    """Start detection over a campaign's open cases; returns the first progress state.

    Raises QueueUnavailable when the queue (Redis, which also holds the progress) is down:
    nothing was started and nothing is left saying "queued"."""
    _require_campaign_manager(user)
    key = _progress_key(campaign.pk)
    try:
        cache.set(key, {**_state("queued"), "campaign_id": campaign.pk, "task_id": None}, PROGRESS_TIMEOUT)
        async_result = _enqueue(campaign_id=campaign.pk, user=user)
    except (QueueUnavailable, *BROKER_ERRORS) as exc:
        try:
            cache.delete(key)
        except BROKER_ERRORS as again:
            logger.warning("detection progress of campaign %s not cleared (%s)", campaign.pk, again)
        raise QueueUnavailable(str(exc)) from exc
    state = detection_progress(campaign_id=campaign.pk)
    if async_result is not None:
        state = {**state, "task_id": async_result.id}
        if not _eager():
            # Under a real worker the cache of this process is not the worker's: remember the
            # task so the progress view can ask the result backend.
            cache.set(_progress_key(campaign.pk), {**_state("queued"), "campaign_id": campaign.pk, "task_id": async_result.id}, PROGRESS_TIMEOUT)
    return state


def detection_progress(*, campaign_id, task_id=None) -> dict:
    """Where the latest run over this campaign stands (``status`` idle/running/done/failed, or
    unavailable when the queue that holds it, Redis, cannot be reached)."""
    try:
        return _detection_progress(campaign_id=campaign_id, task_id=task_id)
    except BROKER_ERRORS as exc:
        logger.warning("detection progress of campaign %s unavailable (%s)", campaign_id, exc)
        return {"status": "unavailable", "phase": "unavailable", "phase_label": QUEUE_DOWN_PROGRESS, "percent": 0, "done": 0, "total": 0}


QUEUE_DOWN_PROGRESS = "任务队列（Redis）暂时无法连接，无法读取系统比对进度"


def _detection_progress(*, campaign_id, task_id=None) -> dict:
    state = cache.get(_progress_key(campaign_id))
    task_id = task_id or (state or {}).get("task_id")
    if task_id and not _eager() and (state is None or state.get("status") != "done"):
        from celery.result import AsyncResult

        from dossier_audit.celery import app

        remote = AsyncResult(task_id, app=app)
        if remote.state == "PROGRESS" and isinstance(remote.info, dict):
            state = remote.info
        elif remote.state == "SUCCESS" and isinstance(remote.result, dict):
            result = remote.result
            state = _state("done", result.get("cases", 0), result.get("cases", 0), result=result)
        elif remote.state == "FAILURE":
            state = _state("failed", message="比对任务失败，请稍后重试或联系系统管理员")
        elif state is None:
            state = _state("queued")
        if state.get("campaign_id") not in (None, campaign_id):
            state = None
    if state is None:
        return {"status": "idle", "phase": "idle", "phase_label": "尚未运行", "percent": 0, "done": 0, "total": 0}
    return state


# --- the auditor's decision on a system finding ---------------------------------------------


def _lock_for_decision(*, discrepancy, user, expected_version) -> tuple[AuditCase, Discrepancy]:
    """Lock case then finding (the case first, like the workflow services) and check that
    this user may decide on it now."""
    case = AuditCase.objects.select_for_update(of=("self",)).select_related("dossier__cadre").get(pk=discrepancy.case_id)
    locked = Discrepancy.objects.select_for_update().get(pk=discrepancy.pk)
    # Confirming or dismissing is 问题登记: the same predicate as registering a finding. Someone
    # who is not the reviewer of the current stage is refused outright (403), other refusals
    # (a frozen register, a case past the reviews) are explained on the page.
    decision = access.may_edit_findings(user, case)
    if not decision:
        in_review = case.state in (CaseState.INITIAL_REVIEW, CaseState.RE_REVIEW)
        if in_review and not case.findings_frozen and access.stage_reviewer_id(case) != user.pk:
            raise PermissionDenied(decision.reason)
        raise ValidationError(decision.reason)
    if locked.source != Discrepancy.Source.SYSTEM:
        raise ValidationError("只有系统比对发现的问题需要核实")
    if expected_version is not None and int(expected_version) != locked.version:
        raise ValidationError("该问题已被他人修改，请刷新页面后重试")
    if locked.state != Discrepancy.State.PENDING:
        raise ValidationError(f"该问题当前状态为“{locked.get_state_display()}”，不是待核实，不能再确认或排除")
    return case, locked


def discrepancy_confirm(*, discrepancy, user, expected_version=None) -> Discrepancy:
    """The auditor confirms a system finding: it becomes an ordinary registered discrepancy,
    with 现有信息 and 拟认定值 filled from what the system knows (``known_values``); the
    history row records them as changes."""
    with transaction.atomic():
        case, locked = _lock_for_decision(discrepancy=discrepancy, user=user, expected_version=expected_version)
        locked.case = case
        if locked.created_by_id is None:
            locked.created_by = user
        filled = known_values(locked)
        for name, value in filled.items():
            setattr(locked, name, value)
        record_state_change(
            locked,
            to_state=Discrepancy.State.REGISTERED,
            user=user,
            action=EventAction.CONFIRMED,
            comment="审核人员确认系统比对发现的问题",
            changes={name: ["", value] for name, value in filled.items()},
            fields=["created_by", *filled],
        )
    return locked


def discrepancy_dismiss(*, discrepancy, user, reason, expected_version=None) -> Discrepancy:
    """The auditor dismisses a system finding, with a reason. Detection leaves it dismissed while
    the same rules fire on the same values; when they change it is pending again, the reason
    kept in its history (``engine.reconcile``)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "排除系统比对发现的问题必须填写理由"})
    with transaction.atomic():
        _case, locked = _lock_for_decision(discrepancy=discrepancy, user=user, expected_version=expected_version)
        locked.dismissed_reason = reason
        record_state_change(locked, to_state=Discrepancy.State.DISMISSED, user=user, action=EventAction.DISMISSED, comment=reason, fields=["dismissed_reason"])
    return locked
