"""Reads of the audits domain, and the one access check every case fetch goes through."""

from __future__ import annotations

from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy, pgettext

from archives.models import Material
from archives.roles import Role, has_role
from archives.selectors import cadre_dossier_contents, recused_cadre_ids

from . import sampling, workflow
from .models import (
    AuditCase,
    Campaign,
    CaseState,
    CaseTransition,
    Determination,
    Discrepancy,
    DiscrepancyEvent,
    DiscrepancyMaterial,
    Feedback,
    Interview,
    MaterialAuthentication,
    MaterialRequest,
)
from .timeline import build_timeline

# Non-workflow purposes a case may be fetched for (besides workflow.Action values).
FINDINGS = "findings"  # register or edit discrepancies (问题登记)
RECTIFY = "rectify"  # feedback, interviews, material requests, authentication, weeding
DETERMINE = "determine"  # 认定: proposed by the case's auditors, checked by the chief, approved by the leader
MANAGE = "manage"  # reassign, the chief's management

PURPOSE_ROLES = {
    FINDINGS: (Role.AUDITOR,),
    RECTIFY: (Role.AUDITOR, Role.CHIEF),
    DETERMINE: (Role.AUDITOR, Role.CHIEF, Role.LEADER),
    MANAGE: (Role.CHIEF,),
}

CASE_ROLES = (Role.AUDITOR, Role.CHIEF, Role.LEADER)


def cases_visible_to(user) -> QuerySet[AuditCase]:
    """Auditors: the cases assigned to them. Chief and leader: every case. Never one's own
    dossier or a relative's (回避)."""
    qs = AuditCase.objects.all()
    if not has_role(user, Role.CHIEF, Role.LEADER):
        if not has_role(user, Role.AUDITOR):
            return qs.none()
        qs = qs.filter(Q(initial_reviewer=user) | Q(re_reviewer=user))
    recused = recused_cadre_ids(user)
    if recused:
        qs = qs.exclude(dossier__cadre_id__in=recused)
    return qs


def get_case_for_user(user, pk: int, action: str | None = None) -> AuditCase:
    """The case, or 404 when the user may not see it; 403 when they may see it but their role
    may not take `action` (a workflow.Action or one of FINDINGS, RECTIFY, DETERMINE, MANAGE)."""
    try:
        case = cases_visible_to(user).select_related("campaign", "dossier__cadre__unit", "initial_reviewer", "re_reviewer").get(pk=pk)
    except AuditCase.DoesNotExist:
        raise Http404 from None
    if action is None:
        return case
    if action in workflow.ACTION_ROLES:
        role = workflow.ACTION_ROLES[action]
        if not has_role(user, role):
            raise PermissionDenied(f"{Role(role).label}才能进行“{workflow.action_label(action)}”")
        if role == Role.LEADER and not case.sampled:
            raise PermissionDenied("领导只抽查被抽中的案卷")
        if role == Role.AUDITOR and user.pk not in (case.initial_reviewer_id, case.re_reviewer_id):
            raise PermissionDenied("您不是本案卷的审核人员")
        return case
    roles = PURPOSE_ROLES.get(action)
    if roles is None:
        raise ValueError(f"unknown purpose {action!r}")
    if not has_role(user, *roles):
        raise PermissionDenied("您的角色不能进行此操作")
    if (
        action in (FINDINGS, RECTIFY, DETERMINE)
        and not has_role(user, Role.CHIEF, Role.LEADER)
        and user.pk not in (case.initial_reviewer_id, case.re_reviewer_id)
    ):
        raise PermissionDenied("您不是本案卷的审核人员")
    return case


def get_discrepancy_for_user(user, pk: int, action: str | None = None) -> Discrepancy:
    """A discrepancy through its case's access check."""
    try:
        case_id = Discrepancy.objects.values_list("case_id", flat=True).get(pk=pk)
    except Discrepancy.DoesNotExist:
        raise Http404 from None
    case = get_case_for_user(user, case_id, action)
    discrepancy = Discrepancy.objects.get(pk=pk)
    discrepancy.case = case
    return discrepancy


# --- queues and progress ------------------------------------------------------------------


def _case_list_qs(qs: QuerySet[AuditCase]) -> QuerySet[AuditCase]:
    return qs.select_related("campaign", "dossier__cadre__unit", "initial_reviewer", "re_reviewer").annotate(
        finding_count=Count("discrepancies", filter=Q(discrepancies__state__in=Discrepancy.COUNTED_STATES), distinct=True)
    )


QUEUES = {
    "mine": gettext_lazy("我的待办"),
    "initial": gettext_lazy("待初审"),
    "re_review": gettext_lazy("待复审"),
    "rectification": gettext_lazy("整改中"),
    "check": gettext_lazy("待科长把关"),
    "leader": gettext_lazy("待领导抽查"),
    "unassigned": gettext_lazy("待分配"),
    "all": gettext_lazy("全部"),
}


def queue_filter(user, queue: str) -> Q:
    if queue == "mine":
        return (
            Q(state=CaseState.INITIAL_REVIEW, initial_reviewer=user)
            | Q(state=CaseState.RE_REVIEW, re_reviewer=user)
            | (Q(state=CaseState.RECTIFICATION) & (Q(initial_reviewer=user) | Q(re_reviewer=user)))
        )
    if queue == "initial":
        return Q(state=CaseState.INITIAL_REVIEW, initial_reviewer=user) if not has_role(user, Role.CHIEF) else Q(state=CaseState.INITIAL_REVIEW)
    if queue == "re_review":
        return Q(state=CaseState.RE_REVIEW, re_reviewer=user) if not has_role(user, Role.CHIEF) else Q(state=CaseState.RE_REVIEW)
    if queue == "check":
        return Q(state=CaseState.CHIEF_CHECK)
    if queue == "leader":
        return Q(state=CaseState.LEADER_CHECK, sampled=True)
    if queue == "rectification":
        return Q(state=CaseState.RECTIFICATION)
    if queue == "unassigned":
        return Q(initial_reviewer__isnull=True, state=CaseState.INITIAL_REVIEW) | Q(
            re_reviewer__isnull=True, state__in=[CaseState.INITIAL_REVIEW, CaseState.RE_REVIEW]
        )
    return Q()


def case_queue(user, queue: str = "all", *, campaign: Campaign | None = None, state: str = "", q: str = "") -> QuerySet[AuditCase]:
    qs = cases_visible_to(user).filter(queue_filter(user, queue))
    if campaign is not None:
        qs = qs.filter(campaign=campaign)
    if state in CaseState.values:
        qs = qs.filter(state=state)
    if q:
        qs = qs.filter(Q(dossier__cadre__name__icontains=q.strip()) | Q(dossier__cadre__unit__full_name__icontains=q.strip()))
    return _case_list_qs(qs).order_by("campaign_id", "dossier__cadre__unit__full_name", "dossier__cadre__name", "pk")


def queue_counts(user) -> dict[str, int]:
    """Counts of each role's work queue, in one query."""
    base = cases_visible_to(user)
    aggregates = {}
    if has_role(user, Role.AUDITOR):
        aggregates["initial"] = Count("pk", filter=Q(state=CaseState.INITIAL_REVIEW, initial_reviewer=user))
        aggregates["re_review"] = Count("pk", filter=Q(state=CaseState.RE_REVIEW, re_reviewer=user))
        aggregates["my_rectification"] = Count("pk", filter=Q(state=CaseState.RECTIFICATION) & (Q(initial_reviewer=user) | Q(re_reviewer=user)))
    if has_role(user, Role.CHIEF):
        aggregates["check"] = Count("pk", filter=Q(state=CaseState.CHIEF_CHECK))
        aggregates["unassigned"] = Count("pk", filter=queue_filter(user, "unassigned"))
    if has_role(user, Role.CHIEF, Role.LEADER):
        aggregates["leader"] = Count("pk", filter=Q(state=CaseState.LEADER_CHECK, sampled=True))
        aggregates["rectification"] = Count("pk", filter=Q(state=CaseState.RECTIFICATION))
    if not aggregates:
        return {}
    return base.aggregate(**aggregates)


def campaign_progress(campaign_ids) -> dict[int, dict]:
    """Cases per stage for each campaign, in one query: {campaign_id: {state: n, 'total': n}}."""
    progress: dict[int, dict] = {pk: {state: 0 for state in CaseState.values} | {"total": 0} for pk in campaign_ids}
    rows = AuditCase.objects.filter(campaign_id__in=list(campaign_ids)).values("campaign_id", "state").annotate(n=Count("pk")).order_by()
    for row in rows:
        entry = progress[row["campaign_id"]]
        entry[row["state"]] = row["n"]
        entry["total"] += row["n"]
    for entry in progress.values():
        entry["stages"] = [(CaseState(state).label, state, entry[state]) for state in CaseState.values]
        entry["closed_percent"] = round(entry[CaseState.CLOSED] * 100 / entry["total"]) if entry["total"] else 0
    return progress


def campaigns_for(user) -> QuerySet[Campaign]:
    if has_role(user, Role.CHIEF, Role.LEADER):
        return Campaign.objects.select_related("created_by").order_by("-created_at", "-pk")
    return Campaign.objects.filter(Q(cases__initial_reviewer=user) | Q(cases__re_reviewer=user)).distinct().order_by("-created_at", "-pk")


def get_campaign_for_user(user, pk: int) -> Campaign:
    if not has_role(user, Role.CHIEF, Role.LEADER):
        raise Http404
    try:
        return Campaign.objects.select_related("created_by").get(pk=pk)
    except Campaign.DoesNotExist:
        raise Http404 from None


def sample_report(campaign: Campaign, user=None) -> dict:
    """The drawn sample, re-derived from the recorded seed, so anyone can verify it. Shown to
    `user`, it does not list their own or a relative's case (whether it was drawn because it has
    discrepancies would tell them about their own dossier); the check still covers them all."""
    if campaign.sample_seed is None:
        return {"drawn": False}
    case_ids = list(campaign.cases.values_list("pk", flat=True))
    random_ids = sampling.draw(case_ids, campaign.sample_rate, campaign.sample_seed)
    sampled = list(campaign.cases.filter(sampled=True).select_related("dossier__cadre__unit").order_by("pk"))
    hidden = recused_cadre_ids(user) if user is not None else set()
    return {
        "drawn": True,
        "seed": campaign.sample_seed,
        "at": campaign.sampled_at,
        "population": len(case_ids),
        "size": sampling.sample_size(len(case_ids), campaign.sample_rate),
        "cases": [(case, case.pk in random_ids) for case in sampled if case.dossier.cadre_id not in hidden],
        "reproduced": random_ids <= {case.pk for case in sampled},
    }


def overdue_material_requests(user) -> QuerySet[MaterialRequest]:
    """Open material requests past their due date, on cases the user can see."""
    return (
        MaterialRequest.objects.filter(state=MaterialRequest.State.OPEN, due_on__lt=timezone.localdate(), discrepancy__case__in=cases_visible_to(user))
        .select_related("discrepancy__case__dossier__cadre__unit", "created_by")
        .order_by("due_on", "pk")
    )


# --- the case page --------------------------------------------------------------------------


def case_page(case: AuditCase) -> dict:
    """Everything the case page shows, gathered in a fixed number of queries."""
    cadre = case.dossier.cadre
    contents = cadre_dossier_contents(cadre)
    transitions = list(CaseTransition.objects.filter(case=case).select_related("actor").order_by("at", "pk"))
    for row in transitions:
        row.action_label = workflow.history_label(row.action)
    return {
        "cadre": cadre,
        **contents,
        **case_findings(case),
        "transitions": transitions,
        "timeline": build_timeline(cadre, contents["materials"], contents["resume"]),
    }


def case_findings(case: AuditCase) -> dict:
    """The case's findings as the case page lists them (also the part of the page a confirm,
    dismiss, retract or reinstatement sends back in place), in a fixed number of queries."""
    discrepancies = list(
        case.discrepancies.select_related("created_by", "determined_by")
        .prefetch_related(
            Prefetch("citations", queryset=DiscrepancyMaterial.objects.select_related("material__category")),
            Prefetch("events", queryset=DiscrepancyEvent.objects.select_related("actor").order_by("at", "pk")),
            Prefetch("determinations", queryset=Determination.objects.order_by("proposed_at", "pk")),
        )
        .order_by("category", "pk")
    )
    for discrepancy in discrepancies:
        label_events(discrepancy.events.all())
    return {
        "discrepancies": discrepancies,
        # Pending system findings are shown (and decided) in their own card, not twice.
        "pending": [d for d in discrepancies if d.state == Discrepancy.State.PENDING],
        "registered": [d for d in discrepancies if d.state in Discrepancy.COUNTED_STATES],
        "set_aside": [d for d in discrepancies if d.state not in Discrepancy.COUNTED_STATES and d.state != Discrepancy.State.PENDING],
    }


# --- 下一卷: the next case of the user's queue -----------------------------------------------

# The order of the work queues (case_queue): the next case is the next row of the list.
QUEUE_ORDER = ("campaign_id", "dossier__cadre__unit__full_name", "dossier__cadre__name", "pk")


def _next_queue(user, case: AuditCase, state: str) -> Q | None:
    """The queue 下一卷 walks from a case in `state`: the user's own cases of that stage (their
    初审 or 复审, the chief's 科长把关, the leader's sampled 领导抽查), otherwise an auditor's 我的待办."""
    if state == CaseState.INITIAL_REVIEW and case.initial_reviewer_id == user.pk:
        return Q(state=CaseState.INITIAL_REVIEW, initial_reviewer=user)
    if state == CaseState.RE_REVIEW and case.re_reviewer_id == user.pk:
        return Q(state=CaseState.RE_REVIEW, re_reviewer=user)
    if state == CaseState.CHIEF_CHECK and has_role(user, Role.CHIEF):
        return queue_filter(user, "check")
    if state == CaseState.LEADER_CHECK and has_role(user, Role.LEADER):
        return queue_filter(user, "leader")
    if has_role(user, Role.AUDITOR):
        return queue_filter(user, "mine")
    return None


def next_case(user, case: AuditCase, *, state: str | None = None) -> dict | None:
    """The case after `case` in the user's queue of its stage (`state`: the stage it was in,
    when it has just left it), wrapping round to the first, and how many others are left;
    None when the user has no such queue. The order is the database's, as in the list."""
    queue = _next_queue(user, case, state or case.state)
    if queue is None:
        return None
    pks = list(cases_visible_to(user).filter(queue | Q(pk=case.pk)).order_by(*QUEUE_ORDER).values_list("pk", flat=True))
    here = pks.index(case.pk) if case.pk in pks else -1
    others = pks[here + 1 :] + pks[: max(here, 0)]
    if not others:
        return {"case": None, "remaining": 0}
    following = AuditCase.objects.select_related("dossier__cadre").get(pk=others[0])
    return {"case": following, "remaining": len(others)}


# Keys of a history row's changes that are not fields of the discrepancy.
_CHANGE_LABELS = {"citations": gettext_lazy("依据材料")}


def change_label(key: str) -> str:
    """The name a person reads for a changed field: the model field's verbose_name, in the
    language of the request (the codes stay in the history row)."""
    try:
        label = getattr(Discrepancy._meta.get_field(key), "verbose_name", None)  # a reverse relation has none
    except FieldDoesNotExist:
        label = None
    return str(label or _CHANGE_LABELS.get(key, key))


def _field_order(key: str) -> tuple[int, str]:
    names = [field.name for field in Discrepancy._meta.get_fields()]
    return (names.index(key) if key in names else len(names), key)


def label_events(events) -> list[DiscrepancyEvent]:
    """Labels for history rows in the user's language (their codes are open: detection adds
    its own): the action, the states, and the fields a row changed."""
    states = dict(Discrepancy.State.choices)
    try:
        from audits.detection.engine import EventAction

        detection_labels = dict(EventAction.choices)
    except ImportError:  # detection is a separate part; its labels are a nicety here
        detection_labels = {}
    separator = pgettext("list separator", "、")
    for event in events:
        event.action_label = detection_labels.get(event.action) or workflow.history_label(event.action)
        event.from_label = states.get(event.from_state, event.from_state)
        event.to_label = states.get(event.to_state, event.to_state)
        # A registration's changes are its first values, shown in the row itself.
        shown = event.changes if isinstance(event.changes, dict) and event.action != workflow.DiscrepancyAction.REGISTER else {}
        # In the model's field order: PostgreSQL's jsonb does not keep the keys' order.
        event.change_labels = separator.join(change_label(key) for key in sorted(shown, key=_field_order))
    return list(events)


def determinations_waiting(user) -> QuerySet[Determination]:
    """The determinations waiting for this user: the chief's to check, the leader's to approve,
    an auditor's returned to them (the latest proposal of a problem still open)."""
    visible = cases_visible_to(user)
    wanted = Q(pk__in=[])
    if has_role(user, Role.CHIEF):
        wanted |= Q(status=Determination.Status.PROPOSED)
    if has_role(user, Role.LEADER):
        wanted |= Q(status=Determination.Status.CHECKED)
    if has_role(user, Role.AUDITOR):
        wanted |= Q(status=Determination.Status.RETURNED, proposed_by=user, discrepancy__state__in=Discrepancy.OPEN_STATES) & ~Q(
            discrepancy__determinations__status__in=Determination.ACTIVE_STATUSES
        )
    return (
        Determination.objects.filter(wanted, discrepancy__case__in=visible.values("pk"))
        .select_related("discrepancy__case__dossier__cadre__unit", "discrepancy__case__campaign", "proposed_by", "checked_by", "returned_by")
        .order_by("proposed_at", "pk")
    )


def discrepancy_determinations(discrepancy: Discrepancy) -> list[Determination]:
    return list(
        discrepancy.determinations.select_related("proposed_by", "checked_by", "approved_by", "returned_by")
        .prefetch_related(Prefetch("basis", queryset=Material.objects.select_related("category")))
        .order_by("proposed_at", "pk")
    )


def discrepancy_page(discrepancy: Discrepancy) -> dict:
    return {
        "determinations": discrepancy_determinations(discrepancy),
        "citations": list(discrepancy.citations.select_related("material__category")),
        "events": label_events(discrepancy.events.select_related("actor").order_by("at", "pk")),
        "feedbacks": list(Feedback.objects.filter(discrepancy=discrepancy).select_related("created_by").order_by("round")),
        "interviews": list(Interview.objects.filter(discrepancy=discrepancy).select_related("created_by")),
        "requests": list(MaterialRequest.objects.filter(discrepancy=discrepancy).select_related("material", "created_by")),
        "authentications": list(MaterialAuthentication.objects.filter(discrepancy=discrepancy).select_related("material", "authenticated_by")),
    }
