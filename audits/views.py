"""Pages of the audit: campaigns, work queues, the case page, the discrepancy register and
rectification. Action views are POST-only and thin: fetch through the access helper, bind
the form, call the service, redirect with a message."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from archives.listing import EXPORT_LIMIT, choice_order, export_query, list_page, sort_queryset, xlsx_response, xlsx_table
from archives.models import ImportJob, Material
from archives.registers import person_name
from archives.roles import Role, has_role, role_required, user_roles
from archives.services import dossier_record_use, list_export_record

from . import access, forms, selectors, services, workflow
from .detection.services import detection_start
from .models import CaseState, Determination, Discrepancy, Feedback, MaterialRequest

CASE_ROLES = (Role.AUDITOR, Role.CHIEF, Role.LEADER)


def _errors(exc: ValidationError) -> str:
    return "；".join(exc.messages)


def _form_errors(form) -> str:
    return "；".join(str(e) for errors in form.errors.values() for e in errors)


# --- home --------------------------------------------------------------------------------


@login_required
def home(request):
    """Each role's work queue (工作台)."""
    user = request.user
    context = {}
    if has_role(user, Role.ARCHIVIST):
        context["recent_imports"] = ImportJob.objects.select_related("created_by")[:5]
    if has_role(user, *CASE_ROLES):
        counts = selectors.queue_counts(user)
        context["queue_counts"] = counts
        overdue = selectors.overdue_material_requests(user)
        context["overdue_requests"] = list(overdue[:5])
        context["overdue_count"] = overdue.count()
        waiting = selectors.determinations_waiting(user)
        context["determinations_waiting"] = list(waiting[:5])
        context["determination_count"] = waiting.count()
        if has_role(user, Role.AUDITOR):
            context["my_cases"] = list(selectors.case_queue(user, "mine")[:10])
        if has_role(user, Role.CHIEF, Role.LEADER):
            campaigns = list(selectors.campaigns_for(user)[:5])
            progress = selectors.campaign_progress([c.pk for c in campaigns])
            context["campaigns"] = [(c, progress[c.pk]) for c in campaigns]
        if has_role(user, Role.CHIEF):
            context["check_cases"] = list(selectors.case_queue(user, "check")[:10])
        if has_role(user, Role.LEADER):
            context["leader_cases"] = list(selectors.case_queue(user, "leader")[:10])
    return render(request, "home.html", context)


# --- campaigns ---------------------------------------------------------------------------


@role_required(Role.CHIEF, Role.LEADER)
def campaign_list(request):
    page = Paginator(selectors.campaigns_for(request.user), 30).get_page(request.GET.get("page"))
    progress = selectors.campaign_progress([c.pk for c in page])
    return render(request, "audits/campaign_list.html", {"page": page, "rows": [(c, progress[c.pk]) for c in page]})


@role_required(Role.CHIEF)
def campaign_create(request):
    form = forms.CampaignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            campaign = services.campaign_create(created_by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("已新建批次“%(name)s”，共 %(count)s 个审核案卷") % {"name": campaign.name, "count": campaign.cases.count()})
            # A new campaign compares every dossier by itself (系统比对), in the background where
            # a worker runs; the campaign page shows its progress.
            detection_start(campaign=campaign, user=request.user)
            return redirect("audits:campaign_detail", pk=campaign.pk)
    return render(request, "audits/campaign_form.html", {"form": form})


@role_required(Role.CHIEF, Role.LEADER)
def campaign_detail(request, pk):
    campaign = selectors.get_campaign_for_user(request.user, pk)
    filters = forms.CaseFilterForm(request.GET or None)
    data = filters.cleaned_data if filters.is_valid() else {}
    cases = selectors.case_queue(request.user, "all", campaign=campaign, state=data.get("state", ""), q=data.get("q", ""))
    page = Paginator(cases, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "audits/campaign_detail.html",
        {
            "campaign": campaign,
            "progress": selectors.campaign_progress([campaign.pk])[campaign.pk],
            "sample": selectors.sample_report(campaign, request.user),
            "page": page,
            "filters": filters,
            "query": query.urlencode(),
            "units": list(campaign.units.all()),
            "auditors": list(campaign.auditors.all()),
            "unassigned": selectors.case_queue(request.user, "unassigned", campaign=campaign).count(),
        },
    )


@role_required(Role.CHIEF)
@require_POST
def campaign_draw_sample(request, pk):
    campaign = selectors.get_campaign_for_user(request.user, pk)
    try:
        sampled = services.campaign_draw_sample(campaign=campaign, user=request.user)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, _("已抽取领导抽查样本：%(count)s 个案卷") % {"count": len(sampled)})
    return redirect("audits:campaign_detail", pk=campaign.pk)


@role_required(Role.CHIEF)
@require_POST
def campaign_assign(request, pk):
    campaign = selectors.get_campaign_for_user(request.user, pk)
    try:
        changed = services.campaign_assign_pending(campaign=campaign, user=request.user)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, _("已为 %(count)s 个案卷分配审核人员") % {"count": changed} if changed else _("没有可以分配的案卷"))
    return redirect("audits:campaign_detail", pk=campaign.pk)


# --- cases -------------------------------------------------------------------------------


CASE_SORTS = {
    "name": ("dossier__cadre__name",),
    "unit": ("dossier__cadre__unit__full_name", "dossier__cadre__name"),
    "campaign": ("campaign_id", "dossier__cadre__unit__full_name", "dossier__cadre__name"),
    "state": ("state_order", "dossier__cadre__name"),
    "initial": ("initial_reviewer__first_name", "initial_reviewer__username", "dossier__cadre__name"),
    "re_review": ("re_reviewer__first_name", "re_reviewer__username", "dossier__cadre__name"),
    "findings": ("finding_count", "dossier__cadre__name"),
}
# Whether a case was drawn for the leader's spot-check is the chief's to know: the column, its
# sorting (an order would tell it too) and its export column are the chief's only.
SAMPLED_SORT = {"sampled": ("sampled", "dossier__cadre__name")}
CASE_DEFAULT_SORT = "campaign"


def _case_rows(request):
    """The case list's queue, filter and sorts, shared by the page and its export."""
    queue = request.GET.get("queue", "all")
    if queue not in selectors.QUEUES:
        queue = "all"
    filters = forms.CaseFilterForm(request.GET or None)
    data = filters.cleaned_data if filters.is_valid() else {}
    cases = selectors.case_queue(request.user, queue, state=data.get("state", ""), q=data.get("q", "")).annotate(
        state_order=choice_order("state", CaseState.values)
    )
    show_sampled = has_role(request.user, Role.CHIEF)
    sorts = CASE_SORTS | SAMPLED_SORT if show_sampled else CASE_SORTS
    return queue, filters, cases, sorts, show_sampled


@role_required(*CASE_ROLES)
def case_list(request):
    queue, filters, cases, sorts, show_sampled = _case_rows(request)
    context = list_page(request, cases, sorts=sorts, default_sort=CASE_DEFAULT_SORT)
    return render(
        request,
        "audits/case_list.html",
        {
            **context,
            "queue": queue,
            "queue_label": selectors.QUEUES[queue],
            "filters": filters,
            "queues": selectors.QUEUES,
            "batch": queue == "check" and has_role(request.user, Role.CHIEF),
            "show_sampled": show_sampled,
            "export_query": export_query(request),
        },
    )


@role_required(*CASE_ROLES)
@require_GET
def case_export(request):
    """The case list as filtered and sorted, all of it, to xlsx: the page's columns (抽查 for the
    chief only, as on the page). A list of cases opens no dossier: no 利用 rows."""
    queue, _filters, cases, sorts, show_sampled = _case_rows(request)
    cases, _sort = sort_queryset(cases, sorts, request.GET.get("sort"), CASE_DEFAULT_SORT)
    count = cases.count()
    if count > EXPORT_LIMIT:
        messages.error(request, _("共 %(n)s 卷，超过一次导出的上限 %(limit)s 条，请缩小查询范围") % {"n": count, "limit": EXPORT_LIMIT})
        return redirect(reverse("audits:case_list") + "?" + export_query(request))
    unassigned = _("待分配")
    headers = [(_("姓名"), 10), (_("单位"), 28), (_("职务"), 20), (_("批次"), 24), (_("阶段"), 10), (_("初审人"), 10), (_("复审人"), 10), (_("问题数"), 8)]
    if show_sampled:
        headers.append((_("抽查"), 6))
    yes = _("是")

    def rows():
        for c in cases.iterator(chunk_size=2000):
            cadre = c.dossier.cadre
            row = [
                cadre.name,
                cadre.unit.full_name,
                cadre.position,
                c.campaign.name,
                c.get_state_display(),
                person_name(c.initial_reviewer) or unassigned,
                person_name(c.re_reviewer) or unassigned,
                c.finding_count,
            ]
            if show_sampled:
                row.append(yes if c.sampled else "")
            yield row

    title = _("审核案卷（%(queue)s）") % {"queue": selectors.QUEUES[queue]}
    content = xlsx_table(title=title, headers=[h for h, _w in headers], rows=rows(), widths=[w for _h, w in headers])
    list_export_record(user=request.user, what=title, query=export_query(request), count=count)
    return xlsx_response(content, f"{title}_{timezone.localdate():%Y%m%d}.xlsx")


@role_required(Role.CHIEF)
@require_POST
def case_batch_approve(request):
    """科长批量审核通过: each selected case is approved on its own (checked, locked, recorded);
    the ones that cannot be are listed with the reason, the others pass."""
    ids = [int(pk) for pk in request.POST.getlist("case") if pk.isdigit()]
    if not ids:
        messages.error(request, _("请先勾选要审核通过的案卷"))
        return redirect(reverse("audits:case_list") + "?queue=check")
    approved, refused = services.cases_chief_approve(case_ids=ids, user=request.user, comment=request.POST.get("comment", ""))
    if approved:
        messages.success(request, _("已科长审核通过 %(n)s 卷") % {"n": len(approved)})
    for name, reason in refused:
        messages.error(request, _("%(name)s：未通过，%(reason)s") % {"name": name, "reason": reason})
    return redirect(reverse("audits:case_list") + "?queue=check")


def wants_fragment(request) -> bool:
    """An in-place request from the case page's script (static/js/case_findings.js), which
    sends the header htmx sends: it is answered with the part of the page that changed."""
    return request.headers.get("HX-Request") == "true"


def _findings_context(request, case) -> dict:
    return {
        "case": case,
        **selectors.case_findings(case),
        "can_edit_findings": bool(access.may_edit_findings(request.user, case)),
        "can_reinstate": bool(access.may_reinstate(request.user, case)),
        # Only a registered finding can still be edited or retracted (discrepancy_update).
        "editable_state": Discrepancy.State.REGISTERED,
    }


def case_findings_fragment(request, case_id, *, refused: bool = False):
    """The findings part of the case page (system findings, the register, the set-aside ones,
    their counts) read again after an action, with the action's message: the case page's script
    puts it in place of its own, so the page is neither reloaded nor moved. A refused action
    answers 400 with the same fragment, its reason in the message."""
    case = selectors.get_case_for_user(request.user, case_id)
    return render(request, "audits/_case_findings_fragment.html", _findings_context(request, case), status=400 if refused else 200)


def _case_context(request, case) -> dict:
    roles = user_roles(request.user)
    actions = []
    for action in workflow.allowed_actions(case.state, roles):
        role = workflow.ACTION_ROLES[action]
        if role == Role.AUDITOR:
            mine = case.initial_reviewer_id if action == workflow.Action.SUBMIT_INITIAL else case.re_reviewer_id
            if mine != request.user.pk:
                continue
        if role == Role.LEADER and not case.sampled:
            continue
        actions.append((action, workflow.action_label(action), action in workflow.REASON_REQUIRED))
    return {
        **selectors.case_page(case),
        **_findings_context(request, case),
        "actions": actions,
        "next_case": selectors.next_case(request.user, case),
        "can_rectify": bool(access.may_rectify(request.user, case)),
        "can_manage": has_role(request.user, Role.CHIEF) and case.state != CaseState.CLOSED,
        "reassign_form": forms.ReassignForm(initial={"version": case.version, "initial_reviewer": case.initial_reviewer, "re_reviewer": case.re_reviewer}),
        "show_sampling": has_role(request.user, Role.CHIEF, Role.LEADER),
    }


@role_required(*CASE_ROLES)
def case_detail(request, pk):
    case = selectors.get_case_for_user(request.user, pk)
    dossier_record_use(dossier=case.dossier, user=request.user, purpose=f"专项审核：{case.campaign.name}", path=request.path)
    return render(request, "audits/case_detail.html", _case_context(request, case))


# The stage a reviewer's submission leaves: the next case is taken from it.
SUBMIT_LEAVES = {workflow.Action.SUBMIT_INITIAL: CaseState.INITIAL_REVIEW, workflow.Action.SUBMIT_RE_REVIEW: CaseState.RE_REVIEW}


@role_required(*CASE_ROLES)
@require_POST
def case_act(request, pk, action):
    if action not in workflow.Action.values:
        raise Http404
    case = selectors.get_case_for_user(request.user, pk, action)
    form = forms.TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect("audits:case_detail", pk=case.pk)
    try:
        case = services.case_act(
            case=case, user=request.user, action=action, expected_version=form.cleaned_data["version"], comment=form.cleaned_data["comment"]
        )
    except ValidationError as exc:
        messages.error(request, _errors(exc))
        return redirect("audits:case_detail", pk=case.pk)
    left = SUBMIT_LEAVES.get(action)
    if left is None:
        messages.success(request, _("已%(action)s，案卷现处于“%(state)s”阶段") % {"action": workflow.action_label(action), "state": case.get_state_display()})
        return redirect("audits:case_detail", pk=case.pk)
    # After a submission the reviewer goes on with the next case of the same stage (下一卷).
    done = {"name": case.dossier.cadre.name, "action": workflow.action_label(action), "state": case.get_state_display()}
    messages.success(request, _("%(name)s：已%(action)s，该卷现处于“%(state)s”阶段") % done)
    following = selectors.next_case(request.user, case, state=left)
    if following is None or following["case"] is None:
        messages.info(request, _("您%(stage)s阶段的案卷已全部办完") % {"stage": CaseState(left).label})
        return redirect(reverse("audits:case_list") + "?queue=mine")
    messages.info(
        request,
        _("已打开下一卷：%(name)s（本阶段还有 %(count)s 卷）") % {"name": following["case"].dossier.cadre.name, "count": following["remaining"]},
    )
    return redirect("audits:case_detail", pk=following["case"].pk)


@role_required(Role.CHIEF)
@require_POST
def case_reassign(request, pk):
    case = selectors.get_case_for_user(request.user, pk, selectors.MANAGE)
    form = forms.ReassignForm(request.POST)
    if form.is_valid():
        try:
            services.case_reassign(
                case=case,
                user=request.user,
                initial_reviewer=form.cleaned_data["initial_reviewer"],
                re_reviewer=form.cleaned_data["re_reviewer"],
                expected_version=form.cleaned_data["version"],
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as exc:
            messages.error(request, _errors(exc))
        else:
            messages.success(request, _("已调整审核人员"))
    else:
        messages.error(request, _form_errors(form))
    return redirect("audits:case_detail", pk=case.pk)


# --- the discrepancy register ----------------------------------------------------------------


def _dossier_materials(case):
    return list(
        Material.objects.filter(dossier=case.dossier, weeded_at__isnull=True).select_related("category").order_by("category__order", "formed_date", "title")
    )


def _record_findings_form_use(request, case) -> None:
    # The finding form lists the dossier's materials and the values they record.
    dossier_record_use(dossier=case.dossier, user=request.user, purpose=f"专项审核问题登记：{case.campaign.name}", path=request.path)


@role_required(Role.AUDITOR)
def discrepancy_create(request, pk):
    case = selectors.get_case_for_user(request.user, pk, selectors.FINDINGS)
    access.require_page(access.may_edit_findings(request.user, case))
    materials = _dossier_materials(case)
    form = forms.DiscrepancyForm(request.POST or None, materials=materials, initial={"category": request.GET.get("category", "")})
    if request.method == "POST" and form.is_valid():
        try:
            discrepancy = services.discrepancy_register(case=case, user=request.user, citations=form.citations(), **form.finding_fields())
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("已登记问题"))
            return redirect(reverse("audits:case_detail", args=[case.pk]) + f"#discrepancy-{discrepancy.pk}")
    _record_findings_form_use(request, case)
    return render(request, "audits/discrepancy_form.html", {"form": form, "case": case, "cadre": case.dossier.cadre})


@role_required(Role.AUDITOR)
def discrepancy_edit(request, pk):
    discrepancy = selectors.get_discrepancy_for_user(request.user, pk, selectors.FINDINGS)
    case = discrepancy.case
    access.require_page(access.may_edit_findings(request.user, case))
    if discrepancy.state not in Discrepancy.OPEN_STATES:
        raise PermissionDenied(_("该问题状态为“%(state)s”，不能修改") % {"state": discrepancy.get_state_display()})
    materials = _dossier_materials(case)
    cited = {c.material_id: c.recorded_value for c in discrepancy.citations.all()}
    initial = {name: getattr(discrepancy, name) for name in services.FINDING_FIELDS} | {"version": discrepancy.version}
    form = forms.DiscrepancyForm(request.POST or None, materials=materials, cited=cited, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.discrepancy_update(
                discrepancy=discrepancy, user=request.user, expected_version=form.cleaned_data["version"], citations=form.citations(), **form.finding_fields()
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("已保存修改"))
            return redirect(reverse("audits:case_detail", args=[case.pk]) + f"#discrepancy-{discrepancy.pk}")
    _record_findings_form_use(request, case)
    return render(request, "audits/discrepancy_form.html", {"form": form, "case": case, "cadre": case.dossier.cadre, "discrepancy": discrepancy})


def _finding_with_reason(request, discrepancy, service, success: str):
    """Retract or reinstate a finding with a reason (the same form): call the service, then
    answer the case page's findings in place (fetch) or redirect to the finding."""
    form = forms.RetractForm(request.POST)
    refused = True
    if form.is_valid():
        try:
            service(discrepancy=discrepancy, user=request.user, reason=form.cleaned_data["reason"], expected_version=form.cleaned_data["version"])
        except ValidationError as exc:
            messages.error(request, _errors(exc))
        else:
            messages.success(request, success)
            refused = False
    else:
        messages.error(request, _form_errors(form))
    if wants_fragment(request):
        return case_findings_fragment(request, discrepancy.case_id, refused=refused)
    return redirect(reverse("audits:case_detail", args=[discrepancy.case_id]) + f"#discrepancy-{discrepancy.pk}")


@role_required(Role.AUDITOR)
@require_POST
def discrepancy_retract(request, pk):
    discrepancy = selectors.get_discrepancy_for_user(request.user, pk, selectors.FINDINGS)
    return _finding_with_reason(request, discrepancy, services.discrepancy_retract, _("已撤回该问题的登记"))


@role_required(Role.AUDITOR, Role.CHIEF)
@require_POST
def discrepancy_reinstate(request, pk):
    """恢复登记 of a dismissed or retracted finding (re-reviewer, or chief at the check)."""
    discrepancy = selectors.get_discrepancy_for_user(request.user, pk)
    return _finding_with_reason(request, discrepancy, services.discrepancy_reinstate, _("已恢复该问题的登记"))


# --- rectification -------------------------------------------------------------------------


def _rectification_forms(discrepancy, materials_qs, bound: dict | None = None) -> dict:
    bound = bound or {}
    return {
        "feedback_form": bound.get("feedback_form") or forms.FeedbackForm(),
        "interview_form": bound.get("interview_form") or forms.InterviewForm(),
        "request_form": bound.get("request_form") or forms.MaterialRequestForm(),
        "receive_form": bound.get("receive_form") or forms.ReceiveForm(),
        "reply_form": bound.get("reply_form") or forms.ReplyForm(),
        "authenticate_form": bound.get("authenticate_form") or forms.AuthenticateForm(materials=materials_qs),
        "weed_form": bound.get("weed_form") or forms.WeedForm(materials=materials_qs),
        "propose_form": bound.get("propose_form")
        or forms.ProposeDeterminationForm(
            materials=materials_qs,
            initial={
                "version": discrepancy.version,
                "value": discrepancy.proposed_value or services.determination_default_value(discrepancy),
                "basis": [c.material_id for c in discrepancy.citations.all()],
            },
        ),
        "decision_form": bound.get("decision_form") or forms.DeterminationDecisionForm(),
    }


def _materials_qs(case):
    return Material.objects.filter(dossier=case.dossier, weeded_at__isnull=True).select_related("category").order_by("category__order", "formed_date")


def _discrepancy_page_title(case) -> str:
    """The discrepancy page is named after what is done to a problem at the case's stage."""
    if case.state in (CaseState.INITIAL_REVIEW, CaseState.RE_REVIEW):
        return _("问题核实")
    if case.state == CaseState.RECTIFICATION:
        return _("问题整改")
    return _("问题")


def _render_discrepancy(request, discrepancy, status=200, **bound):
    """The discrepancy page (shown again with a refused form's errors): it shows the dossier's
    materials, so each showing is recorded in the 利用 register."""
    case = discrepancy.case
    user = request.user
    dossier_record_use(dossier=case.dossier, user=user, purpose=f"专项审核问题处理：{case.campaign.name}", path=request.path)
    page = selectors.discrepancy_page(discrepancy)
    active = next((d for d in page["determinations"] if d.status in Determination.ACTIVE_STATUSES), None)
    context = {
        "case": case,
        "cadre": case.dossier.cadre,
        "d": discrepancy,
        "page_title": _discrepancy_page_title(case),
        **page,
        **_rectification_forms(discrepancy, _materials_qs(case), bound),
        "active_determination": active,
        "determination_rule": services.determination_rule(discrepancy),
        "can_rectify": bool(access.may_rectify(user, case, discrepancy)),
        "can_propose": bool(access.may_propose(user, case, discrepancy, active=active)),
        "can_check": active is not None and bool(access.may_check_determination(user, case, active)),
        "can_approve": active is not None and bool(access.may_approve_determination(user, case, active)),
    }
    return render(request, "audits/discrepancy_detail.html", context, status=status)


@role_required(*CASE_ROLES)
def discrepancy_detail(request, pk):
    discrepancy = selectors.get_discrepancy_for_user(request.user, pk)
    return _render_discrepancy(request, discrepancy)


def _rectification_action(request, pk, form_name, form_class, call, success, purpose=selectors.RECTIFY, form_kwargs=None):
    """Shared body of the rectification POST views: bind, call the service, redirect;
    on a refusal, show the discrepancy page again with the errors on the form."""
    discrepancy = selectors.get_discrepancy_for_user(request.user, pk, purpose)
    form = form_class(request.POST, **(form_kwargs(discrepancy) if form_kwargs else {}))
    if form.is_valid():
        try:
            call(discrepancy, form.cleaned_data, form)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, success)
            return redirect("audits:discrepancy_detail", pk=discrepancy.pk)
    return _render_discrepancy(request, discrepancy, status=400, **{form_name: form})


def _materials_kwargs(discrepancy):
    return {"materials": _materials_qs(discrepancy.case)}


@role_required(Role.AUDITOR, Role.CHIEF)
@require_POST
def feedback_create(request, pk):
    return _rectification_action(
        request,
        pk,
        "feedback_form",
        forms.FeedbackForm,
        lambda d, data, f: services.feedback_create(discrepancy=d, user=request.user, **data),
        _("已登记信息反馈"),
    )


@role_required(Role.AUDITOR, Role.CHIEF)
@require_POST
def feedback_reply(request, pk, feedback_pk):
    def call(d, data, form):
        try:
            feedback = Feedback.objects.get(pk=feedback_pk, discrepancy=d)
        except Feedback.DoesNotExist:
            raise Http404 from None
        services.feedback_record_reply(feedback=feedback, user=request.user, **data)

    return _rectification_action(request, pk, "reply_form", forms.ReplyForm, call, _("已登记本人答复"))


@role_required(Role.AUDITOR, Role.CHIEF)
@require_POST
def interview_create(request, pk):
    return _rectification_action(
        request,
        pk,
        "interview_form",
        forms.InterviewForm,
        lambda d, data, f: services.interview_record(discrepancy=d, user=request.user, **data),
        _("已登记约谈"),
    )


@role_required(Role.AUDITOR, Role.CHIEF)
@require_POST
def material_request_create(request, pk):
    return _rectification_action(
        request,
        pk,
        "request_form",
        forms.MaterialRequestForm,
        lambda d, data, f: services.material_request_create(discrepancy=d, user=request.user, **data),
        _("已登记补充材料要求"),
    )


@role_required(Role.AUDITOR, Role.CHIEF)
@require_POST
def material_request_receive(request, pk, request_pk):
    def call(d, data, form):
        try:
            material_request = MaterialRequest.objects.get(pk=request_pk, discrepancy=d)
        except MaterialRequest.DoesNotExist:
            raise Http404 from None
        services.material_request_receive(request=material_request, user=request.user, **data)

    return _rectification_action(request, pk, "receive_form", forms.ReceiveForm, call, _("材料已归入档案，并记入《干部档案材料接收登记表》"))


@role_required(Role.AUDITOR, Role.CHIEF)
@require_POST
def material_authenticate(request, pk):
    return _rectification_action(
        request,
        pk,
        "authenticate_form",
        forms.AuthenticateForm,
        lambda d, data, f: services.material_authenticate(discrepancy=d, user=request.user, **data),
        _("已登记鉴别结论"),
        form_kwargs=_materials_kwargs,
    )


@role_required(Role.AUDITOR, Role.CHIEF)
@require_POST
def material_weed(request, pk):
    return _rectification_action(
        request,
        pk,
        "weed_form",
        forms.WeedForm,
        lambda d, data, f: services.discrepancy_weed_material(discrepancy=d, user=request.user, **data),
        _("材料已剔除，并记入剔除材料登记簿"),
        form_kwargs=_materials_kwargs,
    )


@role_required(Role.AUDITOR)
@require_POST
def determination_propose(request, pk):
    def call(d, data, form):
        services.determination_propose(
            discrepancy=d,
            user=request.user,
            value=data["value"],
            basis=data["basis"],
            justification=data["justification"],
            approval_number=data["approval_number"],
            approval_issuer=data["approval_issuer"],
            approval_date=data["approval_date"],
            note=data["note"],
            expected_version=data["version"],
        )

    return _rectification_action(
        request,
        pk,
        "propose_form",
        forms.ProposeDeterminationForm,
        call,
        _("已提出拟认定意见，待科长审核"),
        purpose=selectors.DETERMINE,
        form_kwargs=_materials_kwargs,
    )


@role_required(Role.CHIEF, Role.LEADER)
@require_POST
def determination_decide(request, pk):
    """科长审核 or 领导审批 of a proposed determination: agree (with an opinion) or return (with a reason)."""
    determination = get_object_or_404(Determination.objects.select_related("discrepancy"), pk=pk)
    discrepancy = selectors.get_discrepancy_for_user(request.user, determination.discrepancy_id, selectors.DETERMINE)
    form = forms.DeterminationDecisionForm(request.POST)
    if form.is_valid():
        opinion = form.cleaned_data["opinion"]
        try:
            if form.cleaned_data["decision"] == "return":
                services.determination_return(determination=determination, user=request.user, reason=opinion)
                done = _("已退回拟认定意见")
            elif determination.status == Determination.Status.PROPOSED:
                services.determination_check(determination=determination, user=request.user, opinion=opinion)
                done = _("已审核同意，待分管领导审批")
            else:
                services.determination_approve(determination=determination, user=request.user, opinion=opinion)
                done = _("已审批认定；认定值与现有信息不同的，现有信息已按认定值纠正")
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, done)
            return redirect("audits:discrepancy_detail", pk=discrepancy.pk)
    return _render_discrepancy(request, discrepancy, status=400, decision_form=form)


@role_required(*CASE_ROLES)
def determination_queue(request):
    """认定 waiting for this user: to check (chief), to approve (leader), returned (auditor)."""
    page = Paginator(selectors.determinations_waiting(request.user), 50).get_page(request.GET.get("page"))
    return render(request, "audits/determination_queue.html", {"page": page})


@role_required(*CASE_ROLES)
def overdue_requests(request):
    page = Paginator(selectors.overdue_material_requests(request.user), 50).get_page(request.GET.get("page"))
    return render(request, "audits/overdue_requests.html", {"page": page})
