"""The review workflow as a pure table: ``(state, action) -> (next state, role allowed)``.

No database access here: services look rows up and lock them, then ask this module
whether the step is allowed and where it leads. The separation-of-duties rules that need
people (initial reviewer ≠ re-reviewer, only the assigned person acts) live in the services,
because they need the case; everything that depends only on the state, the action and the
role lives here, so it can be tested as a table over every combination.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from archives.roles import Role

from .models import CaseState


class Action(models.TextChoices):
    SUBMIT_INITIAL = "submit_initial", _("提交初审")
    SUBMIT_RE_REVIEW = "submit_re_review", _("提交复审")
    CHIEF_APPROVE = "chief_approve", _("科长审核通过")
    CHIEF_RETURN = "chief_return", _("科长退回复审")
    LEADER_APPROVE = "leader_approve", _("领导抽查通过")
    LEADER_RETURN = "leader_return", _("领导抽查退回")
    CLOSE = "close", _("办结")


# Where an approval leads depends on facts of the case (sampled? open findings?), not on
# the table: APPROVED is resolved by `after_approval`.
APPROVED = "approved"


@dataclass(frozen=True)
class Step:
    next_state: str
    role: str


TABLE: dict[tuple[str, str], Step] = {
    (CaseState.INITIAL_REVIEW, Action.SUBMIT_INITIAL): Step(CaseState.RE_REVIEW, Role.AUDITOR),
    (CaseState.RE_REVIEW, Action.SUBMIT_RE_REVIEW): Step(CaseState.CHIEF_CHECK, Role.AUDITOR),
    (CaseState.CHIEF_CHECK, Action.CHIEF_APPROVE): Step(APPROVED, Role.CHIEF),
    (CaseState.CHIEF_CHECK, Action.CHIEF_RETURN): Step(CaseState.RE_REVIEW, Role.CHIEF),
    (CaseState.LEADER_CHECK, Action.LEADER_APPROVE): Step(APPROVED, Role.LEADER),
    (CaseState.LEADER_CHECK, Action.LEADER_RETURN): Step(CaseState.RE_REVIEW, Role.LEADER),
    (CaseState.RECTIFICATION, Action.CLOSE): Step(CaseState.CLOSED, Role.CHIEF),
}

# Actions whose comment (the reason) may not be empty.
REASON_REQUIRED = {Action.CHIEF_RETURN, Action.LEADER_RETURN}

# Actions that freeze or reopen the findings (问题登记).
FREEZES_FINDINGS = {Action.CHIEF_APPROVE}
UNFREEZES_FINDINGS = {Action.LEADER_RETURN}


class TransitionRefused(ValidationError):
    """A step the table does not allow; the message says why, in Chinese."""


def state_label(state: str) -> str:
    return str(CaseState(state).label) if state in CaseState.values else state


def action_label(action: str) -> str:
    return str(Action(action).label) if action in Action.values else action


def role_for(state: str, action: str) -> str | None:
    step = TABLE.get((state, action))
    return step.role if step else None


def allowed_actions(state: str, roles) -> list[str]:
    """Actions a holder of `roles` may take from `state` (for showing buttons)."""
    return [action for (from_state, action), step in TABLE.items() if from_state == state and step.role in set(roles)]


def check(state: str, action: str, role: str) -> str:
    """The next state (or APPROVED) when `role` may take `action` from `state`; else refuse."""
    if action not in Action.values:
        raise TransitionRefused(f"未知的操作：{action}")
    step = TABLE.get((state, action))
    if step is None:
        expected = [action_label(a) for (s, a) in TABLE if s == state]
        hint = f"当前可进行的操作：{'、'.join(expected)}" if expected else "该案卷已办结，不能再流转"
        raise TransitionRefused(f"案卷处于“{state_label(state)}”阶段，不能“{action_label(action)}”。{hint}")
    if step.role != role:
        raise TransitionRefused(f"“{action_label(action)}”只能由{Role(step.role).label}进行，{Role(role).label if role in Role.values else role}无权操作")
    return step.next_state


def after_approval(action: str, *, sampled: bool, has_open_findings: bool) -> str:
    """Where an approved case goes: the leader's sample, rectification, or closed."""
    if action == Action.CHIEF_APPROVE and sampled:
        return CaseState.LEADER_CHECK
    return CaseState.RECTIFICATION if has_open_findings else CaseState.CLOSED


def resolve(state: str, action: str, role: str, *, sampled: bool = False, has_open_findings: bool = False) -> str:
    """`check`, then resolve an approval to the concrete next state."""
    target = check(state, action, role)
    if target == APPROVED:
        return after_approval(action, sampled=sampled, has_open_findings=has_open_findings)
    return target


class CaseEvent(models.TextChoices):
    """History rows of a case that are not transitions of the table (the state stays)."""

    ASSIGN = "assign", _("分配审核人员")
    REASSIGN = "reassign", _("调整审核人员")
    SAMPLED = "sampled", _("抽中领导抽查")


class DiscrepancyAction(models.TextChoices):
    """What a DiscrepancyEvent records; detection adds its own (confirm, dismiss, withdraw)."""

    REGISTER = "register", _("登记")
    EDIT = "edit", _("修改")
    RETRACT = "retract", _("撤回登记")
    REINSTATE = "reinstate", _("恢复登记")
    FEEDBACK = "feedback", _("信息反馈")
    FEEDBACK_REPLY = "feedback_reply", _("本人答复")
    INTERVIEW = "interview", _("约谈")
    MATERIAL_REQUEST = "material_request", _("补充材料")
    MATERIAL_RECEIVED = "material_received", _("收到补充材料")
    AUTHENTICATE = "authenticate", _("材料鉴别")
    WEED = "weed", _("剔除材料")
    PROPOSE = "propose", _("拟认定")
    CHECK_DETERMINATION = "check_determination", _("科长审核认定")
    RETURN_DETERMINATION = "return_determination", _("退回认定")
    DETERMINE = "determine", _("审批认定")
    CORRECT = "correct", _("纠正现有信息")


def history_label(action: str) -> str:
    """A Chinese label for any action a history row may carry."""
    for choices in (Action, CaseEvent, DiscrepancyAction):
        if action in choices.values:
            return str(choices(action).label)
    return action


# Each action belongs to exactly one role, whatever the state.
ACTION_ROLES: dict[str, str] = {action: step.role for (_state, action), step in TABLE.items()}
