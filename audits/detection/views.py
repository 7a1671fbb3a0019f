"""Thin POST views for detection: start a campaign run, follow it, decide on a finding."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from archives.roles import Role, role_required
from archives.task_queue import QueueUnavailable
from audits.models import Discrepancy
from audits.selectors import get_campaign_for_user, get_discrepancy_for_user
from audits.views import case_findings_fragment, wants_fragment

from . import services
from .forms import ConfirmForm, DismissForm


def _get_finding_for_user(user, pk) -> Discrepancy:
    """A system finding through its case's access check (404 when the case is not visible)."""
    finding = get_discrepancy_for_user(user, pk)
    if finding.source != Discrepancy.Source.SYSTEM:
        raise Http404
    return finding


def _back(request, anchor: str = ""):
    """Back to the page the form was on (``next``, else the referer), at `anchor` when the
    address names no place of its own."""
    target = request.POST.get("next") or request.headers.get("referer") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return redirect(target if not anchor or "#" in target else f"{target}#{anchor}")
    return redirect("home")


def _answer(request, finding, *, refused: bool):
    """In place for the case page's script (the findings part of the page and the message);
    otherwise a redirect back to the list of findings still to decide."""
    if wants_fragment(request):
        return case_findings_fragment(request, finding.case_id, refused=refused)
    return _back(request, "system-findings")


def _error_text(exc: ValidationError) -> str:
    return "；".join(exc.messages)


@role_required(Role.AUDITOR, Role.CHIEF, Role.LEADER)
@require_POST
def discrepancy_confirm(request, pk):
    finding = _get_finding_for_user(request.user, pk)
    form = ConfirmForm(request.POST)
    version = form.cleaned_data.get("version") if form.is_valid() else None
    try:
        services.discrepancy_confirm(discrepancy=finding, user=request.user, expected_version=version)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
        return _answer(request, finding, refused=True)
    messages.success(request, _("已确认该问题，转为已登记问题。"))
    return _answer(request, finding, refused=False)


@role_required(Role.AUDITOR, Role.CHIEF, Role.LEADER)
@require_POST
def discrepancy_dismiss(request, pk):
    finding = _get_finding_for_user(request.user, pk)
    form = DismissForm(request.POST)
    if not form.is_valid():
        messages.error(request, "；".join(str(e) for errors in form.errors.values() for e in errors))
        return _answer(request, finding, refused=True)
    try:
        services.discrepancy_dismiss(discrepancy=finding, user=request.user, reason=form.cleaned_data["reason"], expected_version=form.cleaned_data["version"])
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
        return _answer(request, finding, refused=True)
    messages.success(request, _("已排除该问题。"))
    return _answer(request, finding, refused=False)


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("accept", "") or request.headers.get("x-requested-with") == "XMLHttpRequest"


@role_required(Role.CHIEF, Role.LEADER)
@require_POST
def detection_start(request, campaign_id):
    campaign = get_campaign_for_user(request.user, campaign_id)
    try:
        state = services.detection_start(campaign=campaign, user=request.user)
    except QueueUnavailable:
        message = _("任务队列（Redis）暂时无法连接，系统比对未启动，请稍后再试；如仍不行，请联系系统管理员。")
        if _wants_json(request):
            return JsonResponse(
                {"status": "failed", "phase": "failed", "phase_label": message, "message": message, "percent": 0, "done": 0, "total": 0}, status=503
            )
        messages.error(request, message)
        return _back(request)
    if _wants_json(request):
        return JsonResponse(state, status=202)
    if state.get("status") == "done":
        result = state.get("result", {})
        messages.success(
            request,
            _("系统比对完成：检查 %(cases)s 卷，新发现 %(created)s 个问题，撤销 %(withdrawn)s 个。")
            % {"cases": result.get("cases", 0), "created": result.get("created_total", 0), "withdrawn": result.get("withdrawn_total", 0)},
        )
    else:
        messages.info(request, _("系统比对已开始，完成后页面将显示结果。"))
    return _back(request)


@role_required(Role.CHIEF, Role.LEADER)
@require_GET
def detection_progress(request, campaign_id):
    campaign = get_campaign_for_user(request.user, campaign_id)
    # Only the run remembered for this campaign is reported: a task id from the query string
    # could name any task's result.
    return JsonResponse(services.detection_progress(campaign_id=campaign.pk))
