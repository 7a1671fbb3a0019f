"""The review workflow on one case: each action locks the row, checks the transition table and
the separation of duties, moves the state and appends the history row."""

from __future__ import annotations

import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from archives.audit_log import audit_log_append
from archives.models import AuditLogEntry
from archives.roles import Role, has_role

from .. import workflow
from ..models import (
    AuditCase,
    Campaign,
    CaseState,
    CaseTransition,
    Discrepancy,
)
from ..workflow import Action, CaseEvent
from .campaigns import _assignment_comment, _draw_sample, _reviewers
from .common import _name, _refuse_recused, _require_role

logger = logging.getLogger(__name__)

# --- the workflow ------------------------------------------------------------------------


def _lock_case(pk: int) -> AuditCase:
    # of=("self",): lock only the case row, not the joined campaign, dossier or users.
    return AuditCase.objects.select_for_update(of=("self",)).select_related("campaign", "dossier__cadre", "initial_reviewer", "re_reviewer").get(pk=pk)


def _last_transition_text(case: AuditCase) -> str:
    last = case.transitions.select_related("actor").order_by("-at", "-pk").first()
    if last is None:
        return ""
    return f"{_name(last.actor)}于{timezone.localtime(last.at):%Y-%m-%d %H:%M}进行了“{workflow.history_label(last.action)}”"


def _check_version(case: AuditCase, expected_version) -> None:
    if expected_version is None or int(expected_version) == case.version:
        return
    happened = _last_transition_text(case) or "其他人已处理"
    raise ValidationError(
        f"该案卷刚刚已被处理：{happened}，现处于“{case.get_state_display()}”阶段。您的操作没有执行，请查看最新情况后再决定。",
        code="stale",
    )


def _has_open_findings(case: AuditCase) -> bool:
    return case.discrepancies.filter(state__in=Discrepancy.COUNTED_STATES).exclude(state__in=Discrepancy.RESOLVED_STATES).exists()


def _check_people(case: AuditCase, user, action: str) -> None:
    """Separation of duties: only the assigned person acts; nobody checks their own review."""
    if action == Action.SUBMIT_INITIAL:
        if case.initial_reviewer_id is None:
            raise ValidationError("本案卷尚未分配初审人，请科长先分配")
        if case.initial_reviewer_id != user.pk:
            raise ValidationError(f"只有本案卷的初审人（{_name(case.initial_reviewer)}）可以提交初审")
        if case.discrepancies.filter(state=Discrepancy.State.PENDING).exists():
            raise ValidationError("还有系统比对发现待核实，不能提交初审")
    elif action == Action.SUBMIT_RE_REVIEW:
        if case.re_reviewer_id is None:
            raise ValidationError("本案卷尚未分配复审人，请科长先分配")
        if case.re_reviewer_id == case.initial_reviewer_id or user.pk == case.initial_reviewer_id:
            raise ValidationError("初审人不能复审同一案卷，复审须由另一名审核人员交叉进行")
        if case.re_reviewer_id != user.pk:
            raise ValidationError(f"只有本案卷的复审人（{_name(case.re_reviewer)}）可以提交复审")
        if case.discrepancies.filter(state=Discrepancy.State.PENDING).exists():
            raise ValidationError("还有系统比对发现待核实，不能提交复审")
    elif action in (Action.CHIEF_APPROVE, Action.CHIEF_RETURN, Action.LEADER_APPROVE, Action.LEADER_RETURN):
        if user.pk in (case.initial_reviewer_id, case.re_reviewer_id):
            raise ValidationError("参加了本案卷初审或复审的人员不能把关或抽查本案卷")
        if action in (Action.LEADER_APPROVE, Action.LEADER_RETURN) and not case.sampled:
            raise ValidationError("该案卷未被抽中，不需要领导抽查")
    elif action == Action.CLOSE and _has_open_findings(case):
        raise ValidationError("还有问题尚未认定或纠正，不能办结")


def _acting_role(user, action: str) -> str:
    """The role the user acts in: the one the table asks for when they hold it."""
    wanted = workflow.ACTION_ROLES.get(action)
    if wanted and has_role(user, wanted):
        return wanted
    for role in (Role.CHIEF, Role.LEADER, Role.AUDITOR, Role.ARCHIVIST, Role.ADMIN):
        if has_role(user, role):
            return role
    return ""


def _notify(case_id: int, action: str, to_state: str) -> None:
    # The intranet has no mail; the work queues on the home page are the notification.
    # The log line is what an operator's monitoring would pick up.
    logger.info("case %s: %s → %s", case_id, action, to_state)


def _record_transition(case: AuditCase, *, user, role: str, action: str, from_state: str, comment: str = "") -> CaseTransition:
    row = CaseTransition.objects.create(case=case, actor=user, role=role, action=action, from_state=from_state, to_state=case.state, comment=comment)
    audit_log_append(
        actor=user,
        action=AuditLogEntry.Action.CASE_TRANSITION,
        obj=case,
        summary=f"案卷 {case.pk}：{workflow.history_label(action)}（{CaseState(from_state).label if from_state else '—'} → {case.get_state_display()}）",
        data={"role": role, "action": action, "from": from_state, "to": case.state},
    )
    transaction.on_commit(lambda: _notify(case.pk, action, case.state))
    return row


def _apply(case: AuditCase, *, user, action: str, comment: str = "", consequence: bool = False) -> AuditCase:
    """Check and take one step on a locked case. A `consequence` is a step that follows by
    itself from another person's action (closing once the leader approved the last
    determination): the table still decides where it leads, but not who may take it."""
    role = workflow.ACTION_ROLES[action] if consequence else _acting_role(user, action)
    from_state = case.state
    try:
        workflow.check(case.state, action, role)
    except workflow.TransitionRefused as exc:
        happened = _last_transition_text(case)
        if happened and workflow.role_for(case.state, action) is None and workflow.ACTION_ROLES.get(action) == role:
            # Someone moved the case on meanwhile: say who, not only that it is refused.
            raise ValidationError(f"{exc.messages[0]}（最近一次：{happened}）") from None
        raise
    _refuse_recused(user, case)
    _check_people(case, user, action)
    comment = (comment or "").strip()
    if action in workflow.REASON_REQUIRED and not comment:
        raise ValidationError("退回必须填写理由")

    now = timezone.now()
    fields = ["state", "version"]
    if action == Action.CHIEF_APPROVE:
        if case.campaign.force_sample_with_discrepancies and not case.sampled and case.discrepancies.filter(state__in=Discrepancy.COUNTED_STATES).exists():
            case.sampled = True
            fields.append("sampled")
            CaseTransition.objects.create(
                case=case, actor=user, role=role, action=CaseEvent.SAMPLED, from_state=from_state, to_state=from_state, comment="有问题的案卷按规定全部抽查"
            )
        case.chief_approved_at = now
        case.findings_frozen = True
        fields += ["chief_approved_at", "findings_frozen"]
    elif action == Action.SUBMIT_INITIAL:
        case.initial_reviewed_at = now
        fields.append("initial_reviewed_at")
    elif action == Action.SUBMIT_RE_REVIEW:
        case.re_reviewed_at = now
        fields.append("re_reviewed_at")
    elif action == Action.LEADER_APPROVE:
        case.leader_approved_at = now
        fields.append("leader_approved_at")
    elif action in workflow.UNFREEZES_FINDINGS:
        case.findings_frozen = False
        fields.append("findings_frozen")

    case.state = workflow.resolve(from_state, action, role, sampled=case.sampled, has_open_findings=_has_open_findings(case))
    if case.state == CaseState.CLOSED:
        case.closed_at = now
        fields.append("closed_at")
    case.version += 1
    case.save(update_fields=fields)
    _record_transition(case, user=user, role=role, action=action, from_state=from_state, comment=comment)
    return case


@transaction.atomic
def case_act(*, case: AuditCase, user, action: str, expected_version=None, comment: str = "") -> AuditCase:
    """Take one workflow step (`workflow.Action`) on a case; views call this."""
    if action == Action.CHIEF_APPROVE:
        # Campaign first (lock order): the first approval draws the sample if the chief has not.
        campaign = Campaign.objects.select_for_update().get(pk=case.campaign_id)
        if campaign.sample_seed is None and has_role(user, Role.CHIEF):
            _draw_sample(campaign, user, None)
    locked = _lock_case(case.pk)
    _check_version(locked, expected_version)
    return _apply(locked, user=user, action=action, comment=comment)


def case_submit_initial(*, case, user, expected_version=None, comment="") -> AuditCase:
    """初审完成: the initial reviewer hands the case to the cross re-reviewer."""
    return case_act(case=case, user=user, action=Action.SUBMIT_INITIAL, expected_version=expected_version, comment=comment)


def case_submit_re_review(*, case, user, expected_version=None, comment="") -> AuditCase:
    """复审完成: the re-reviewer hands the case to the section chief."""
    return case_act(case=case, user=user, action=Action.SUBMIT_RE_REVIEW, expected_version=expected_version, comment=comment)


def case_chief_approve(*, case, user, expected_version=None, comment="") -> AuditCase:
    """科长把关通过: findings frozen; on to the leader if sampled, else rectification or closed."""
    return case_act(case=case, user=user, action=Action.CHIEF_APPROVE, expected_version=expected_version, comment=comment)


def cases_chief_approve(*, case_ids, user, comment: str = "") -> tuple[list[AuditCase], list[tuple[str, str]]]:
    """科长批量审核通过: every case is approved by the same service as one at a time, each in its
    own transaction (all or nothing per case); returns the approved cases and, for the others,
    (cadre name, reason). Cases the user may not see are refused as not found."""
    from ..selectors import cases_visible_to

    visible = {c.pk: c for c in cases_visible_to(user).filter(pk__in=list(case_ids)).select_related("dossier__cadre")}
    approved, refused = [], []
    for pk in case_ids:
        case = visible.get(pk)
        if case is None:
            refused.append((f"案卷{pk}", "案卷不存在或无权查看"))
            continue
        try:
            approved.append(case_chief_approve(case=case, user=user, comment=comment))
        except ValidationError as exc:
            refused.append((case.dossier.cadre.name, "；".join(exc.messages)))
    return approved, refused


def case_chief_return(*, case, user, comment, expected_version=None) -> AuditCase:
    """科长退回复审, with a reason."""
    return case_act(case=case, user=user, action=Action.CHIEF_RETURN, expected_version=expected_version, comment=comment)


def case_leader_approve(*, case, user, expected_version=None, comment="") -> AuditCase:
    """领导抽查通过: on to rectification, or closed when there is nothing to rectify."""
    return case_act(case=case, user=user, action=Action.LEADER_APPROVE, expected_version=expected_version, comment=comment)


def case_leader_return(*, case, user, comment, expected_version=None) -> AuditCase:
    """领导抽查退回: back to re-review with a reason; the findings reopen."""
    return case_act(case=case, user=user, action=Action.LEADER_RETURN, expected_version=expected_version, comment=comment)


def case_close(*, case, user, expected_version=None, comment="") -> AuditCase:
    """办结: every counted discrepancy is determined or corrected."""
    return case_act(case=case, user=user, action=Action.CLOSE, expected_version=expected_version, comment=comment)


_UNCHANGED = object()


@transaction.atomic
def case_reassign(*, case: AuditCase, user, initial_reviewer=_UNCHANGED, re_reviewer=_UNCHANGED, expected_version=None, comment: str = "") -> AuditCase:
    """科长调整分工, under the same rules as automatic assignment."""
    _require_role(user, Role.CHIEF, doing="调整审核人员")
    case = _lock_case(case.pk)
    _check_version(case, expected_version)
    _refuse_recused(user, case)
    new_initial = case.initial_reviewer if initial_reviewer is _UNCHANGED else initial_reviewer
    new_re = case.re_reviewer if re_reviewer is _UNCHANGED else re_reviewer
    if new_initial != case.initial_reviewer and case.state != CaseState.INITIAL_REVIEW:
        raise ValidationError("初审已经完成，不能更换初审人")
    if new_re != case.re_reviewer and case.state not in (CaseState.INITIAL_REVIEW, CaseState.RE_REVIEW):
        raise ValidationError("复审已经完成，不能更换复审人")
    if new_initial == case.initial_reviewer and new_re == case.re_reviewer:
        raise ValidationError("审核人员没有变化")
    if new_initial is not None and new_re is not None and new_initial.pk == new_re.pk:
        raise ValidationError("初审人和复审人不能是同一人，复审须交叉进行")
    staff = list(case.campaign.auditors.all())
    cadre = case.dossier.cadre
    for person, label in ((new_initial, "初审人"), (new_re, "复审人")):
        if person is None:
            continue
        if not has_role(person, Role.AUDITOR):
            raise ValidationError(f"{_name(person)}不是审核人员，不能担任{label}")
        (profile,) = _reviewers([person])
        if cadre.pk in profile.excluded:
            raise ValidationError(f"{_name(person)}与该干部存在本人或亲属回避关系，不能担任{label}")
        if profile.unit_id is not None and profile.unit_id == cadre.unit_id:
            others = [r for r in _reviewers(staff) if r.pk not in (new_initial and new_initial.pk, new_re and new_re.pk)]
            if any(cadre.pk not in r.excluded and r.unit_id != cadre.unit_id for r in others):
                raise ValidationError(f"{_name(person)}与该干部同一单位，还有其他审核人员可以担任{label}，请另选")
    case.initial_reviewer = new_initial
    case.re_reviewer = new_re
    case.version += 1
    case.save(update_fields=["initial_reviewer", "re_reviewer", "version"])
    campaign_staff_ids = {u.pk for u in staff}
    case.campaign.auditors.add(*[p for p in (new_initial, new_re) if p is not None and p.pk not in campaign_staff_ids])
    note = _assignment_comment(case) + (f"。{comment.strip()}" if comment.strip() else "")
    _record_transition(case, user=user, role=Role.CHIEF, action=CaseEvent.REASSIGN, from_state=case.state, comment=note)
    return case


@transaction.atomic
def cases_release_recused_reviewer(*, reviewer, cadre_ids, reason: str, actor=None) -> list[AuditCase]:
    """A recusal (or a link to one's own cadre record) declared after assignment: the reviewer
    leaves every open review of those cadres' dossiers; each case waits in the chief's 待分配
    queue with the reason in its history. Reviews already done are history and stay."""
    released = []
    open_reviews = Q(initial_reviewer=reviewer, state=CaseState.INITIAL_REVIEW) | Q(
        re_reviewer=reviewer, state__in=[CaseState.INITIAL_REVIEW, CaseState.RE_REVIEW]
    )
    ids = list(AuditCase.objects.filter(open_reviews, dossier__cadre_id__in=list(cadre_ids)).values_list("pk", flat=True))
    for pk in ids:
        case = _lock_case(pk)
        roles = []
        fields = ["version"]
        if case.initial_reviewer_id == reviewer.pk and case.state == CaseState.INITIAL_REVIEW:
            case.initial_reviewer = None
            roles.append("初审")
            fields.append("initial_reviewer")
        if case.re_reviewer_id == reviewer.pk and case.state in (CaseState.INITIAL_REVIEW, CaseState.RE_REVIEW):
            case.re_reviewer = None
            roles.append("复审")
            fields.append("re_reviewer")
        if not roles:
            continue
        case.version += 1
        case.save(update_fields=fields)
        _record_transition(
            case,
            user=actor,
            role=Role.ADMIN if actor is not None else "",
            action=CaseEvent.REASSIGN,
            from_state=case.state,
            comment=f"{_name(reviewer)}须回避（{reason}），已取消其{'、'.join(roles)}分工，待科长重新分配",
        )
        released.append(case)
    return released
