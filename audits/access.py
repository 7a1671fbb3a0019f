"""Who may do what to a case now: one named predicate per kind of act, used by the services
(which refuse), the views (which answer 403 to a form page the user may not use now) and the
templates (which offer only what the user may do). Each answers a Decision whose reason says,
in Chinese, why not.

Seeing a case at all (assignment, 回避) is `selectors.cases_visible_to`; these predicates come
after it and apply 回避 again, because services are called from commands and tasks too.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError

from archives.roles import Role, has_role
from archives.selectors import recused_cadre_ids

from .models import AuditCase, CaseState, Determination, Discrepancy


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str = ""

    def __bool__(self) -> bool:
        return self.allowed


ALLOWED = Decision(True)


def refuse(reason: str) -> Decision:
    return Decision(False, reason)


def require(decision: Decision) -> None:
    """In a service: refuse the act with the reason."""
    if not decision:
        raise ValidationError(decision.reason)


def require_page(decision: Decision) -> None:
    """In a view offering a form: 403 with the reason."""
    if not decision:
        raise PermissionDenied(decision.reason)


def _recused(user, case: AuditCase) -> Decision | None:
    if user is not None and case.dossier.cadre_id in recused_cadre_ids(user):
        return refuse("不能审核或处理本人或有回避关系亲属的档案")
    return None


def _reviewer(user, case: AuditCase) -> bool:
    return user is not None and user.pk in (case.initial_reviewer_id, case.re_reviewer_id)


def stage_reviewer_id(case: AuditCase) -> int | None:
    """The reviewer whose stage it is (初审 or 复审), or None."""
    return {CaseState.INITIAL_REVIEW: case.initial_reviewer_id, CaseState.RE_REVIEW: case.re_reviewer_id}.get(case.state)


def may_edit_findings(user, case: AuditCase) -> Decision:
    """问题登记: register, edit or retract findings, and confirm or dismiss system findings."""
    if (refused := _recused(user, case)) is not None:
        return refused
    if case.findings_frozen:
        return refuse("科长审核通过后问题登记已冻结，不能再修改")
    if case.state == CaseState.INITIAL_REVIEW:
        if case.initial_reviewer_id != getattr(user, "pk", None):
            return refuse("初审阶段只有本案卷的初审人可以登记或修改问题")
    elif case.state == CaseState.RE_REVIEW:
        if case.re_reviewer_id != getattr(user, "pk", None):
            return refuse("复审阶段只有本案卷的复审人可以登记或修改问题")
    else:
        return refuse(f"案卷处于“{case.get_state_display()}”阶段，不能登记或修改问题")
    return ALLOWED


def may_reinstate(user, case: AuditCase, discrepancy: Discrepancy | None = None) -> Decision:
    """复审 can overturn the initial review: the re-reviewer during re-review, or the chief during
    the check, puts a dismissed or retracted finding back on the register (with a reason)."""
    if (refused := _recused(user, case)) is not None:
        return refused
    if case.findings_frozen:
        return refuse("科长审核通过后问题登记已冻结，不能再修改")
    re_reviewer_now = case.state == CaseState.RE_REVIEW and case.re_reviewer_id == getattr(user, "pk", None)
    chief_now = case.state == CaseState.CHIEF_CHECK and has_role(user, Role.CHIEF)
    if not (re_reviewer_now or chief_now):
        return refuse("只有复审阶段的复审人或科长把关时的科长可以恢复已排除的问题")
    if discrepancy is not None and discrepancy.state != Discrepancy.State.DISMISSED:
        return refuse(f"该问题状态为“{discrepancy.get_state_display()}”，不是已排除的问题")
    return ALLOWED


def may_rectify(user, case: AuditCase, discrepancy: Discrepancy | None = None) -> Decision:
    """整改 steps (feedback, interviews, material requests, authentication, weeding): from the
    moment a problem is registered until it is settled, by the chief or the case's reviewers."""
    if (refused := _recused(user, case)) is not None:
        return refused
    if not (has_role(user, Role.CHIEF) or _reviewer(user, case)):
        return refuse("只有科长或本案卷的审核人员可以办理整改")
    if case.state == CaseState.CLOSED:
        return refuse("案卷已办结，不能再办理整改")
    if discrepancy is not None:
        if discrepancy.state == Discrepancy.State.PENDING:
            return refuse("系统比对发现须先核实确认，才能办理反馈、约谈或补充材料")
        if discrepancy.state not in Discrepancy.OPEN_STATES:
            return refuse(f"该问题状态为“{discrepancy.get_state_display()}”，不需要整改")
    return ALLOWED


def _determination_stage(case: AuditCase) -> Decision | None:
    if case.state == CaseState.CLOSED:
        return refuse("案卷已办结，不能再认定")
    if case.state != CaseState.RECTIFICATION:
        return refuse(f"案卷处于“{case.get_state_display()}”阶段；认定须在审核（含科长把关、领导抽查）通过后进行")
    return None


def may_propose(user, case: AuditCase, discrepancy: Discrepancy, *, active: Determination | None = None) -> Decision:
    """拟认定: one of the case's auditors, after the reviews, on an open problem with no proposal
    under way."""
    if (refused := _recused(user, case)) is not None:
        return refused
    if not has_role(user, Role.AUDITOR):
        return refuse("只有审核人员可以提出拟认定意见")
    if not _reviewer(user, case):
        return refuse("只有本案卷的审核人员可以提出拟认定意见")
    if (refused := _determination_stage(case)) is not None:
        return refused
    if discrepancy.state not in Discrepancy.OPEN_STATES:
        return refuse(f"该问题状态为“{discrepancy.get_state_display()}”，不能再提出认定")
    if active is not None:
        return refuse("该问题已有拟认定意见正在审核审批，退回后才能重新提出")
    return ALLOWED


def may_check_determination(user, case: AuditCase, determination: Determination) -> Decision:
    """科长审核: a chief other than the proposer, on a proposal awaiting the check."""
    if (refused := _recused(user, case)) is not None:
        return refused
    if not has_role(user, Role.CHIEF):
        return refuse("只有科长可以审核拟认定意见")
    if (refused := _determination_stage(case)) is not None:
        return refused
    if determination.status != Determination.Status.PROPOSED:
        return refuse(f"该认定意见状态为“{determination.get_status_display()}”，不能审核")
    if determination.proposed_by_id == user.pk:
        return refuse("提出拟认定意见的人不能审核自己的意见")
    return ALLOWED


def may_approve_determination(user, case: AuditCase, determination: Determination) -> Decision:
    """分管领导审批认定: a leader other than the proposer and the checker, after the check."""
    if (refused := _recused(user, case)) is not None:
        return refused
    if not has_role(user, Role.LEADER):
        return refuse("只有分管领导可以审批认定")
    if (refused := _determination_stage(case)) is not None:
        return refused
    if determination.status != Determination.Status.CHECKED:
        return refuse(f"该认定意见状态为“{determination.get_status_display()}”，须经科长审核后才能审批")
    if user.pk in (determination.proposed_by_id, determination.checked_by_id):
        return refuse("提出或审核认定意见的人不能审批同一认定")
    return ALLOWED


def may_return_determination(user, case: AuditCase, determination: Determination) -> Decision:
    """退回: the chief before the check, the leader before the approval."""
    if (refused := _recused(user, case)) is not None:
        return refused
    if (refused := _determination_stage(case)) is not None:
        return refused
    if determination.status == Determination.Status.PROPOSED:
        return ALLOWED if has_role(user, Role.CHIEF) else refuse("只有科长可以退回拟认定意见")
    if determination.status == Determination.Status.CHECKED:
        return ALLOWED if has_role(user, Role.LEADER) else refuse("只有分管领导可以退回已审核的认定意见")
    return refuse(f"该认定意见状态为“{determination.get_status_display()}”，不能退回")
