"""Writes of the audits domain: one keyword-only function per business action.

Every workflow action has the same shape (CONVENTIONS.md, "Business actions"): inside one
transaction, lock the case row, check the table (workflow.py) and the separation-of-duties
rules, change the state with save(update_fields=…), bump `version`, append a CaseTransition,
and schedule notifications with transaction.on_commit.

Lock order, to stay free of deadlocks: campaign → case → discrepancy → other rows.
"""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from archives import services as archive_services
from archives.audit_log import audit_log_append
from archives.models import AuditLogEntry, Cadre, CadreInfoChange, Dossier, Material, Recusal, Unit
from archives.roles import Role, has_role
from archives.selectors import recused_cadre_ids

from . import sampling, workflow
from .models import (
    AuditCase,
    Campaign,
    CaseState,
    CaseTransition,
    Category,
    Discrepancy,
    DiscrepancyEvent,
    DiscrepancyMaterial,
    Feedback,
    Interview,
    MaterialAuthentication,
    MaterialRequest,
)
from .workflow import Action, CaseEvent, DiscrepancyAction

logger = logging.getLogger(__name__)

DEFAULT_SAMPLE_RATE = Decimal("0.1")


def _name(user) -> str:
    if user is None:
        return "系统"
    return user.get_full_name() or user.username


# --- people: who may review which dossier ----------------------------------------------


@dataclass
class _Reviewer:
    """An auditor as assignment sees them: their unit and the cadres they must not review."""

    user: object
    unit_id: int | None = None
    excluded: set = field(default_factory=set)

    @property
    def pk(self):
        return self.user.pk


def auditor_users():
    """Every active user holding the auditor role."""
    return get_user_model().objects.filter(groups__name=Role.AUDITOR, is_active=True).distinct().order_by("pk")


def _reviewers(users) -> list[_Reviewer]:
    """Own cadre (and unit) and declared relatives of each user, in two queries."""
    users = list(users)
    profiles = {u.pk: _Reviewer(user=u) for u in users}
    for user_id, cadre_id, unit_id in Cadre.objects.filter(user__in=users).values_list("user_id", "pk", "unit_id"):
        profiles[user_id].unit_id = unit_id
        profiles[user_id].excluded.add(cadre_id)
    for user_id, cadre_id in Recusal.objects.filter(user__in=users).values_list("user_id", "cadre_id"):
        profiles[user_id].excluded.add(cadre_id)
    return list(profiles.values())


def _pick(candidates: list[_Reviewer], cadre_unit_id, load: dict) -> _Reviewer | None:
    """The least-loaded candidate, preferring one from another unit than the cadre's."""
    if not candidates:
        return None
    return min(candidates, key=lambda r: (r.unit_id is not None and r.unit_id == cadre_unit_id, load.get(r.pk, 0), r.pk))


def _assign(case: AuditCase, cadre_id: int, cadre_unit_id: int, reviewers: list[_Reviewer], load_initial: dict, load_re: dict) -> None:
    """Fill in whichever reviewer the case lacks: balanced, crossed, never one's own or a relative's."""
    eligible = [r for r in reviewers if cadre_id not in r.excluded]
    if case.initial_reviewer_id is None and case.state == CaseState.INITIAL_REVIEW:
        candidates = [r for r in eligible if r.pk != case.re_reviewer_id]
        chosen = _pick(candidates, cadre_unit_id, load_initial)
        if chosen:
            case.initial_reviewer = chosen.user
            load_initial[chosen.pk] = load_initial.get(chosen.pk, 0) + 1
    if case.re_reviewer_id is None and case.state in (CaseState.INITIAL_REVIEW, CaseState.RE_REVIEW):
        candidates = [r for r in eligible if r.pk != case.initial_reviewer_id]
        chosen = _pick(candidates, cadre_unit_id, load_re)
        if chosen:
            case.re_reviewer = chosen.user
            load_re[chosen.pk] = load_re.get(chosen.pk, 0) + 1


def _assignment_comment(case: AuditCase) -> str:
    initial = _name(case.initial_reviewer) if case.initial_reviewer_id else "待分配"
    re = _name(case.re_reviewer) if case.re_reviewer_id else "待分配"
    return f"初审：{initial}；复审：{re}"


def _require_role(user, *roles, doing: str) -> None:
    if user is None or not has_role(user, *roles):
        names = "或".join(str(Role(r).label) for r in roles)
        raise ValidationError(f"只有{names}可以{doing}")


def _refuse_recused(user, case: AuditCase) -> None:
    if user is not None and case.dossier.cadre_id in recused_cadre_ids(user):
        raise ValidationError("不能审核或处理本人或有回避关系亲属的档案")


# --- campaigns ---------------------------------------------------------------------------


def _as_unit(value) -> Unit:
    if isinstance(value, Unit):
        return value
    try:
        return Unit.objects.get(pk=int(value))
    except (TypeError, ValueError, Unit.DoesNotExist):
        pass
    match = list(Unit.objects.filter(full_name=value)) or list(Unit.objects.filter(name=value))
    if len(match) != 1:
        raise ValidationError(f"找不到单位“{value}”" if not match else f"单位名称“{value}”不唯一，请写全称（如 上级/本级）")
    return match[0]


@transaction.atomic
def campaign_create(
    *,
    name,
    created_by,
    units=(),
    auditors=(),
    deadline=None,
    sample_rate=DEFAULT_SAMPLE_RATE,
    force_sample_with_discrepancies=False,
) -> Campaign:
    """A campaign over every dossier (or those of the units given, sub-units included), one
    audit case each, reviewers assigned among `auditors` (default: every auditor)."""
    if created_by is not None:
        _require_role(created_by, Role.CHIEF, Role.ADMIN, doing="创建专项审核批次")
    name = (name or "").strip()
    if not name:
        raise ValidationError("请填写批次名称")
    try:
        rate = Decimal(str(sample_rate))
    except InvalidOperation:
        raise ValidationError(f"抽查比例“{sample_rate}”不是数字") from None
    if not Decimal(0) <= rate <= Decimal(1):
        raise ValidationError("领导抽查比例须在 0 到 1 之间（如 0.1 表示 10%）")
    rate = rate.quantize(Decimal("0.001"))
    unit_objs = [_as_unit(u) for u in units]
    staff = list(auditors) or list(auditor_users())
    for user in staff:
        if not has_role(user, Role.AUDITOR):
            raise ValidationError(f"{_name(user)}不是审核人员，不能参加审核")

    campaign = Campaign.objects.create(
        name=name,
        deadline=deadline,
        sample_rate=rate,
        force_sample_with_discrepancies=force_sample_with_discrepancies,
        created_by=created_by,
    )
    campaign.units.set(unit_objs)
    campaign.auditors.set(staff)

    dossiers = Dossier.objects.select_related("cadre").order_by("cadre__unit__full_name", "cadre__name", "pk")
    if unit_objs:
        unit_ids = {pk for unit in unit_objs for pk in unit.descendant_ids()}
        dossiers = dossiers.filter(cadre__unit_id__in=unit_ids)
    reviewers = _reviewers(staff)
    load_initial: dict = {}
    load_re: dict = {}
    cases = []
    for dossier in dossiers:
        case = AuditCase(campaign=campaign, dossier=dossier)
        _assign(case, dossier.cadre_id, dossier.cadre.unit_id, reviewers, load_initial, load_re)
        cases.append(case)
    AuditCase.objects.bulk_create(cases, batch_size=500)
    now = timezone.now()
    CaseTransition.objects.bulk_create(
        [
            CaseTransition(
                case=case,
                actor=created_by,
                role=Role.CHIEF if created_by is not None else "",
                action=CaseEvent.ASSIGN,
                from_state="",
                to_state=case.state,
                comment=_assignment_comment(case),
                at=now,
            )
            for case in cases
        ],
        batch_size=500,
    )
    logger.info("campaign %s created with %d cases", campaign.pk, len(cases))
    return campaign


@transaction.atomic
def campaign_assign_pending(*, campaign: Campaign, user) -> int:
    """Assign reviewers to the cases still waiting for one; returns how many cases changed."""
    _require_role(user, Role.CHIEF, doing="分配审核任务")
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    staff = list(campaign.auditors.all())
    if not staff:
        staff = list(auditor_users())
        campaign.auditors.set(staff)
    if not staff:
        raise ValidationError("系统中还没有审核人员，请先为用户分配“审核人员”角色")
    reviewers = _reviewers(staff)
    assigned = AuditCase.objects.filter(campaign=campaign)
    load_initial: dict = {}
    load_re: dict = {}
    for initial_id, re_id in assigned.values_list("initial_reviewer_id", "re_reviewer_id"):
        if initial_id:
            load_initial[initial_id] = load_initial.get(initial_id, 0) + 1
        if re_id:
            load_re[re_id] = load_re.get(re_id, 0) + 1
    waiting = (
        AuditCase.objects.select_for_update(of=("self",))
        .filter(campaign=campaign, state__in=[CaseState.INITIAL_REVIEW, CaseState.RE_REVIEW])
        .filter(Q(initial_reviewer__isnull=True, state=CaseState.INITIAL_REVIEW) | Q(re_reviewer__isnull=True))
        .select_related("dossier__cadre", "initial_reviewer", "re_reviewer")
        .order_by("pk")
    )
    changed = 0
    for case in waiting:
        before = (case.initial_reviewer_id, case.re_reviewer_id)
        _assign(case, case.dossier.cadre_id, case.dossier.cadre.unit_id, reviewers, load_initial, load_re)
        if (case.initial_reviewer_id, case.re_reviewer_id) == before:
            continue
        case.version += 1
        case.save(update_fields=["initial_reviewer", "re_reviewer", "version"])
        CaseTransition.objects.create(
            case=case, actor=user, role=Role.CHIEF, action=CaseEvent.ASSIGN, from_state=case.state, to_state=case.state, comment=_assignment_comment(case)
        )
        changed += 1
    return changed


def _cases_with_counted_findings(campaign: Campaign) -> set[int]:
    return set(Discrepancy.objects.filter(case__campaign=campaign, state__in=Discrepancy.COUNTED_STATES).values_list("case_id", flat=True).distinct())


def _draw_sample(campaign: Campaign, user, seed: int | None) -> set[int]:
    """Draw the campaign's sample (campaign row already locked); returns the sampled case ids."""
    if seed is None:
        seed = random.SystemRandom().randrange(10**8, 10**12)
    case_ids = list(AuditCase.objects.filter(campaign=campaign).values_list("pk", flat=True))
    drawn = sampling.draw(case_ids, campaign.sample_rate, seed)
    forced = _cases_with_counted_findings(campaign) - drawn if campaign.force_sample_with_discrepancies else set()
    campaign.sample_seed = seed
    campaign.sampled_at = timezone.now()
    campaign.save(update_fields=["sample_seed", "sampled_at"])
    # Sampling is not a workflow step: `version` stays, so open forms on other cases stay valid.
    AuditCase.objects.filter(pk__in=drawn | forced).update(sampled=True)
    states = dict(AuditCase.objects.filter(pk__in=drawn | forced).values_list("pk", "state"))
    CaseTransition.objects.bulk_create(
        [
            CaseTransition(
                case_id=pk,
                actor=user,
                role=Role.CHIEF,
                action=CaseEvent.SAMPLED,
                from_state=states[pk],
                to_state=states[pk],
                comment=f"随机抽中（随机种子 {seed}）" if pk in drawn else "有问题的案卷按规定全部抽查",
            )
            for pk in sorted(drawn | forced)
        ]
    )
    return drawn | forced


@transaction.atomic
def campaign_draw_sample(*, campaign: Campaign, user, seed: int | None = None) -> set[int]:
    """Draw the leader's spot-check sample once, with a recorded seed anyone can re-run."""
    _require_role(user, Role.CHIEF, doing="抽取领导抽查样本")
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.sample_seed is not None:
        raise ValidationError(f"本批次已于{timezone.localtime(campaign.sampled_at):%Y-%m-%d %H:%M}抽样（随机种子 {campaign.sample_seed}），不能重新抽取")
    return _draw_sample(campaign, user, seed)


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


def _apply(case: AuditCase, *, user, action: str, comment: str = "") -> AuditCase:
    """Check and take one step on a locked case."""
    role = _acting_role(user, action)
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


# --- the discrepancy register (问题登记) ----------------------------------------------


FINDING_FIELDS = ("category", "description", "current_value", "recorded_values", "proposed_value", "cause", "cause_detail", "correction_measure", "severity")


def _lock_case_for_findings(case: AuditCase, user) -> AuditCase:
    """The case, locked, when `user` may register or edit its findings now."""
    case = _lock_case(case.pk)
    _refuse_recused(user, case)
    if case.findings_frozen:
        raise ValidationError("科长审核通过后问题登记已冻结，不能再修改")
    if case.state == CaseState.INITIAL_REVIEW:
        if case.initial_reviewer_id != user.pk:
            raise ValidationError("初审阶段只有本案卷的初审人可以登记或修改问题")
    elif case.state == CaseState.RE_REVIEW:
        if case.re_reviewer_id != user.pk:
            raise ValidationError("复审阶段只有本案卷的复审人可以登记或修改问题")
    else:
        raise ValidationError(f"案卷处于“{case.get_state_display()}”阶段，不能登记或修改问题")
    return case


def recorded_value_of(material: Material, category: str) -> str:
    """The value a material records for a discrepancy category (empty when it records none)."""
    value = {
        Category.AGE: material.recorded_birth_date,
        Category.WORK: material.recorded_work_start_date,
        Category.PARTY: material.recorded_party_date,
        Category.EDUCATION: material.recorded_education,
    }.get(category)
    return str(value) if value else ""


def _clean_citations(case: AuditCase, category: str, citations) -> list[tuple[Material, str]]:
    cleaned = []
    for item in citations or ():
        material, value = item if isinstance(item, tuple | list) else (item, "")
        if material.dossier_id != case.dossier_id:
            raise ValidationError(f"材料“{material.title}”不属于本档案")
        if material.weeded_at:
            raise ValidationError(f"材料“{material.title}”已剔除，不能作为依据")
        cleaned.append((material, (value or "").strip() or recorded_value_of(material, category)))
    return cleaned


def _citations_text(citations: list[tuple[Material, str]]) -> str:
    return "；".join(f"《{m.title}》（{m.formed_date}）：{value or '未记载'}" for m, value in citations)


def _validate_finding(values: dict) -> None:
    if values.get("category") not in Category.values:
        raise ValidationError("请选择问题类别（年龄、工龄、党龄、学历学位、经历）")
    if not (values.get("description") or "").strip():
        raise ValidationError("请填写问题描述")
    if values.get("cause") and values["cause"] not in Discrepancy.Cause.values:
        raise ValidationError("原因不在规定的类别中")
    if values.get("severity") and values["severity"] not in Discrepancy.Severity.values:
        raise ValidationError("严重程度不在规定的类别中")


def _event(discrepancy: Discrepancy, *, user, action: str, from_state: str = "", comment: str = "", changes=None) -> DiscrepancyEvent:
    return DiscrepancyEvent.objects.create(
        discrepancy=discrepancy,
        actor=user,
        action=action,
        from_state=from_state,
        to_state=discrepancy.state,
        comment=comment,
        changes=changes or {},
    )


@transaction.atomic
def discrepancy_register(
    *,
    case: AuditCase,
    user,
    category,
    description,
    current_value="",
    citations=(),
    recorded_values="",
    proposed_value="",
    cause="",
    cause_detail="",
    correction_measure="",
    severity=Discrepancy.Severity.NORMAL,
) -> Discrepancy:
    """逐一登记: one discrepancy with its evidence materials and the values they record."""
    case = _lock_case_for_findings(case, user)
    values = {
        "category": category,
        "description": (description or "").strip(),
        "current_value": current_value or "",
        "proposed_value": proposed_value or "",
        "cause": cause or "",
        "cause_detail": cause_detail or "",
        "correction_measure": correction_measure or "",
        "severity": severity or Discrepancy.Severity.NORMAL,
    }
    _validate_finding(values)
    cited = _clean_citations(case, category, citations)
    values["recorded_values"] = recorded_values or _citations_text(cited)
    discrepancy = Discrepancy(case=case, source=Discrepancy.Source.MANUAL, state=Discrepancy.State.REGISTERED, created_by=user, **values)
    discrepancy.full_clean(exclude=["materials"])
    discrepancy.save()
    DiscrepancyMaterial.objects.bulk_create([DiscrepancyMaterial(discrepancy=discrepancy, material=m, recorded_value=v) for m, v in cited])
    changes = {k: v for k, v in values.items() if v}
    changes["materials"] = [m.pk for m, _ in cited]
    _event(discrepancy, user=user, action=DiscrepancyAction.REGISTER, changes=changes)
    return discrepancy


def _lock_discrepancy(discrepancy: Discrepancy, expected_version) -> Discrepancy:
    locked = Discrepancy.objects.select_for_update().get(pk=discrepancy.pk)
    if expected_version is not None and int(expected_version) != locked.version:
        last = locked.events.select_related("actor").order_by("-at", "-pk").first()
        who = f"{_name(last.actor)}于{timezone.localtime(last.at):%Y-%m-%d %H:%M}{workflow.history_label(last.action)}" if last else "其他人修改"
        raise ValidationError(f"该问题刚刚已被{who}，您的修改没有保存，以免覆盖对方的修改。请查看最新内容后重新修改。", code="stale")
    return locked


@transaction.atomic
def discrepancy_update(*, discrepancy: Discrepancy, user, expected_version, citations=None, **fields) -> Discrepancy:
    """Edit a registered discrepancy; an edit made by someone else meanwhile is never overwritten."""
    unknown = set(fields) - set(FINDING_FIELDS)
    if unknown:
        raise ValidationError(f"不能修改的字段：{'、'.join(sorted(unknown))}")
    case = _lock_case_for_findings(discrepancy.case, user)
    discrepancy = _lock_discrepancy(discrepancy, expected_version)
    if discrepancy.state == Discrepancy.State.PENDING:
        raise ValidationError("系统比对发现须先核实确认，才能修改")
    if discrepancy.state != Discrepancy.State.REGISTERED:
        raise ValidationError(f"该问题状态为“{discrepancy.get_state_display()}”，不能修改")
    values = {name: getattr(discrepancy, name) for name in FINDING_FIELDS}
    values.update({k: (v or "") for k, v in fields.items()})
    values["description"] = values["description"].strip()
    _validate_finding(values)
    changes = {}
    for name in FINDING_FIELDS:
        old, new = getattr(discrepancy, name), values[name]
        if old != new:
            changes[name] = [old, new]
            setattr(discrepancy, name, new)
    if citations is not None:
        cited = _clean_citations(case, values["category"], citations)
        before = {c.material_id: c.recorded_value for c in discrepancy.citations.all()}
        after = {m.pk: v for m, v in cited}
        if before != after:
            discrepancy.citations.all().delete()
            DiscrepancyMaterial.objects.bulk_create([DiscrepancyMaterial(discrepancy=discrepancy, material=m, recorded_value=v) for m, v in cited])
            changes["materials"] = [sorted(before), sorted(after)]
            if "recorded_values" not in fields:
                new_text = _citations_text(cited)
                if new_text != discrepancy.recorded_values:
                    changes["recorded_values"] = [discrepancy.recorded_values, new_text]
                    discrepancy.recorded_values = new_text
    if not changes:
        return discrepancy
    discrepancy.version += 1
    discrepancy.full_clean(exclude=["materials"])
    discrepancy.save(update_fields=[*[n for n in changes if n != "materials"], "version", "updated_at"])
    _event(discrepancy, user=user, action=DiscrepancyAction.EDIT, from_state=discrepancy.state, changes=changes)
    return discrepancy


@transaction.atomic
def discrepancy_retract(*, discrepancy: Discrepancy, user, reason: str, expected_version=None) -> Discrepancy:
    """撤回: a registered discrepancy found to be no discrepancy at all, with the reason."""
    _lock_case_for_findings(discrepancy.case, user)
    discrepancy = _lock_discrepancy(discrepancy, expected_version)
    if discrepancy.state != Discrepancy.State.REGISTERED:
        raise ValidationError(f"该问题状态为“{discrepancy.get_state_display()}”，不能撤回")
    if not (reason or "").strip():
        raise ValidationError("撤回登记必须说明理由")
    from_state = discrepancy.state
    discrepancy.state = Discrepancy.State.DISMISSED
    discrepancy.dismissed_reason = reason.strip()
    discrepancy.version += 1
    discrepancy.save(update_fields=["state", "dismissed_reason", "version", "updated_at"])
    _event(discrepancy, user=user, action=DiscrepancyAction.RETRACT, from_state=from_state, comment=reason.strip())
    return discrepancy


# --- rectification (整改) ---------------------------------------------------------------


RECTIFIABLE_STATES = (Discrepancy.State.REGISTERED, Discrepancy.State.DETERMINED)


def _lock_for_rectification(discrepancy: Discrepancy, user, *, chief_only: bool = False, expected_version=None) -> tuple[AuditCase, Discrepancy]:
    """Case and discrepancy, locked, when `user` may take a rectification step on it now."""
    if chief_only:
        _require_role(user, Role.CHIEF, doing="认定和纠正")
    case = _lock_case(discrepancy.case_id)
    _refuse_recused(user, case)
    if not has_role(user, Role.CHIEF) and user.pk not in (case.initial_reviewer_id, case.re_reviewer_id):
        raise ValidationError("只有科长或本案卷的审核人员可以办理整改")
    if case.state == CaseState.CLOSED:
        raise ValidationError("案卷已办结，不能再办理整改")
    if case.state != CaseState.RECTIFICATION:
        raise ValidationError(f"案卷处于“{case.get_state_display()}”阶段，审核通过后才能整改")
    discrepancy = _lock_discrepancy(discrepancy, expected_version)
    if discrepancy.state not in RECTIFIABLE_STATES:
        raise ValidationError(f"该问题状态为“{discrepancy.get_state_display()}”，不需要整改")
    return case, discrepancy


@transaction.atomic
def feedback_create(*, discrepancy: Discrepancy, user, sent_on, content: str) -> Feedback:
    """信息反馈: tell the cadre about the discrepancy (one more round)."""
    _, discrepancy = _lock_for_rectification(discrepancy, user)
    if not (content or "").strip():
        raise ValidationError("请填写反馈内容")
    last = discrepancy.feedbacks.order_by("-round").first()
    row = Feedback.objects.create(discrepancy=discrepancy, round=(last.round + 1) if last else 1, sent_on=sent_on, content=content.strip(), created_by=user)
    _event(discrepancy, user=user, action=DiscrepancyAction.FEEDBACK, from_state=discrepancy.state, comment=f"第{row.round}轮：{row.content}")
    return row


@transaction.atomic
def feedback_record_reply(*, feedback: Feedback, user, reply: str, reply_text: str = "", replied_on=None) -> Feedback:
    """The cadre's reply to one round of feedback: agrees or disputes, with what they said."""
    _, discrepancy = _lock_for_rectification(feedback.discrepancy, user)
    feedback = Feedback.objects.select_for_update().get(pk=feedback.pk)
    if feedback.reply:
        raise ValidationError(f"第{feedback.round}轮反馈已登记答复；如有新的意见，请发起新一轮反馈")
    if reply not in (Feedback.Reply.AGREES, Feedback.Reply.DISPUTES):
        raise ValidationError("请选择本人意见：无异议或有异议")
    if reply == Feedback.Reply.DISPUTES and not (reply_text or "").strip():
        raise ValidationError("本人有异议时，请记录其理由")
    feedback.reply = reply
    feedback.reply_text = (reply_text or "").strip()
    feedback.replied_on = replied_on or timezone.localdate()
    feedback.save(update_fields=["reply", "reply_text", "replied_on"])
    _event(
        discrepancy,
        user=user,
        action=DiscrepancyAction.FEEDBACK_REPLY,
        from_state=discrepancy.state,
        comment=f"第{feedback.round}轮：{feedback.get_reply_display()}{'，' + feedback.reply_text if feedback.reply_text else ''}",
    )
    return feedback


@transaction.atomic
def interview_record(*, discrepancy: Discrepancy, user, held_on, participants: str, minutes: str) -> Interview:
    """约谈: record a talk with the cadre."""
    _, discrepancy = _lock_for_rectification(discrepancy, user)
    if not (participants or "").strip() or not (minutes or "").strip():
        raise ValidationError("请填写约谈参加人员和约谈记录")
    row = Interview.objects.create(discrepancy=discrepancy, held_on=held_on, participants=participants.strip(), minutes=minutes.strip(), created_by=user)
    _event(discrepancy, user=user, action=DiscrepancyAction.INTERVIEW, from_state=discrepancy.state, comment=f"{held_on} 约谈（{row.participants}）")
    return row


@transaction.atomic
def material_request_create(*, discrepancy: Discrepancy, user, method: str, requested_material: str, due_on, requested_from: str = "") -> MaterialRequest:
    """电话催补 / 专人查补: ask for a missing material, with a due date."""
    _, discrepancy = _lock_for_rectification(discrepancy, user)
    if method not in MaterialRequest.Method.values:
        raise ValidationError("补充材料的方式只能是电话催补或专人查补")
    if not (requested_material or "").strip():
        raise ValidationError("请填写所需材料")
    row = MaterialRequest.objects.create(
        discrepancy=discrepancy,
        method=method,
        requested_material=requested_material.strip(),
        requested_from=(requested_from or "").strip(),
        due_on=due_on,
        created_by=user,
    )
    _event(
        discrepancy,
        user=user,
        action=DiscrepancyAction.MATERIAL_REQUEST,
        from_state=discrepancy.state,
        comment=f"{row.get_method_display()}：{row.requested_material}，限{due_on}前",
    )
    return row


@transaction.atomic
def material_request_receive(
    *,
    request: MaterialRequest,
    user,
    category,
    title: str,
    formed_date,
    received_on,
    sender: str,
    pages=None,
    recorded_birth_date=None,
    recorded_work_start_date=None,
    recorded_party_date=None,
    recorded_education: str = "",
    note: str = "",
) -> Material:
    """The requested material arrives: it enters the dossier and the receipt register."""
    _, discrepancy = _lock_for_rectification(request.discrepancy, user)
    request = MaterialRequest.objects.select_for_update().get(pk=request.pk)
    if request.state != MaterialRequest.State.OPEN:
        raise ValidationError("该补充材料已登记收到")
    if not (sender or "").strip():
        raise ValidationError("请填写送交单位或个人")
    dossier = discrepancy.case.dossier
    material = Material(
        dossier=dossier,
        category=category,
        title=(title or "").strip(),
        formed_date=formed_date,
        pages=pages,
        recorded_birth_date=recorded_birth_date,
        recorded_work_start_date=recorded_work_start_date,
        recorded_party_date=recorded_party_date,
        recorded_education=recorded_education or "",
        note=note or f"整改补充（问题{discrepancy.pk}）",
    )
    material.full_clean()
    material.save()
    archive_services.material_receive(
        dossier=dossier, user=user, material=material, material_title=material.title, received_on=received_on, sender=sender.strip(), pages=pages
    )
    request.state = MaterialRequest.State.RECEIVED
    request.material = material
    request.received_on = received_on
    request.save(update_fields=["state", "material", "received_on"])
    _event(
        discrepancy,
        user=user,
        action=DiscrepancyAction.MATERIAL_RECEIVED,
        from_state=discrepancy.state,
        comment=f"收到{material.citation()}，送交：{sender.strip()}",
        changes={"material": material.pk, "request": request.pk},
    )
    return material


@transaction.atomic
def material_authenticate(*, discrepancy: Discrepancy, user, material: Material, result: str, note: str = "") -> MaterialAuthentication:
    """鉴别: record whether a material (usually one just received) is genuine."""
    case, discrepancy = _lock_for_rectification(discrepancy, user)
    if material.dossier_id != case.dossier_id:
        raise ValidationError("只能鉴别本档案的材料")
    if result not in MaterialAuthentication.Result.values:
        raise ValidationError("请选择鉴别结论")
    if result != MaterialAuthentication.Result.AUTHENTIC and not (note or "").strip():
        raise ValidationError("材料存疑或虚假时，请写明鉴别意见")
    row = MaterialAuthentication.objects.create(discrepancy=discrepancy, material=material, result=result, note=(note or "").strip(), authenticated_by=user)
    _event(
        discrepancy,
        user=user,
        action=DiscrepancyAction.AUTHENTICATE,
        from_state=discrepancy.state,
        comment=f"{material.citation()}：{row.get_result_display()}{'，' + row.note if row.note else ''}",
        changes={"material": material.pk, "result": result},
    )
    return row


@transaction.atomic
def discrepancy_weed_material(*, discrepancy: Discrepancy, user, material: Material, reason: str, approved_by: str):
    """剔除: a material that must not be filed leaves the dossier, with reason and approval."""
    case, discrepancy = _lock_for_rectification(discrepancy, user)
    if material.dossier_id != case.dossier_id:
        raise ValidationError("只能剔除本档案的材料")
    entry = archive_services.material_weed(material=material, user=user, reason=reason or "", approved_by=approved_by or "")
    _event(
        discrepancy,
        user=user,
        action=DiscrepancyAction.WEED,
        from_state=discrepancy.state,
        comment=f"剔除{material.citation()}，原因：{reason.strip()}，批准人：{approved_by.strip()}",
        changes={"material": material.pk, "weeding_serial": entry.serial},
    )
    return entry


def _close_if_resolved(case: AuditCase, user) -> None:
    """A case in rectification closes by itself when its last open discrepancy is resolved."""
    if case.state == CaseState.RECTIFICATION and not _has_open_findings(case):
        _apply(case, user=user, action=Action.CLOSE, comment="全部问题已认定或纠正，自动办结")


# Which current-information field a category's correction usually touches.
CORRECTION_FIELD = {
    Category.AGE: "birth_date",
    Category.WORK: "work_start_date",
    Category.PARTY: "party_join_date",
    Category.EDUCATION: "education",
}
CORRECTABLE_FIELDS = (
    "birth_date",
    "work_start_date",
    "party_join_date",
    "education",
    "degree",
    "school",
    "major",
    "study_mode",
    "verification_number",
)


def _correct(case: AuditCase, discrepancy: Discrepancy, user, changes: dict, note: str) -> list[CadreInfoChange]:
    if not changes:
        raise ValidationError("请填写要纠正的现有信息")
    values = {}
    for name, raw in changes.items():
        if name not in CORRECTABLE_FIELDS:
            raise ValidationError(f"不能通过整改修改的字段：{name}")
        values[name] = Cadre._meta.get_field(name).to_python(raw) if isinstance(raw, str) else raw
    rows = archive_services.cadre_update(
        cadre=case.dossier.cadre,
        user=user,
        source=CadreInfoChange.Source.RECTIFICATION,
        source_ref=f"问题{discrepancy.pk}",
        note=(note or "").strip() or f"依据认定值“{discrepancy.determined_value}”纠正",
        **values,
    )
    if not rows:
        raise ValidationError("纠正后的信息与现有信息相同；无需纠正的问题只需认定")
    from_state = discrepancy.state
    discrepancy.state = Discrepancy.State.CORRECTED
    discrepancy.corrected_at = timezone.now()
    discrepancy.version += 1
    discrepancy.save(update_fields=["state", "corrected_at", "version", "updated_at"])
    _event(
        discrepancy,
        user=user,
        action=DiscrepancyAction.CORRECT,
        from_state=from_state,
        comment=(note or "").strip(),
        changes={row.field: [row.old_value, row.new_value] for row in rows},
    )
    return rows


@transaction.atomic
def discrepancy_determine(
    *, discrepancy: Discrepancy, user, determined_value: str, expected_version=None, comment: str = "", correction: dict | None = None
) -> Discrepancy:
    """认定: the section chief fixes the determined value (by, at) on the evidence and, when
    current information must change, corrects it in the same step (`correction`: field → value).
    The case closes by itself once every counted discrepancy is determined or corrected."""
    case, discrepancy = _lock_for_rectification(discrepancy, user, chief_only=True, expected_version=expected_version)
    if discrepancy.state != Discrepancy.State.REGISTERED:
        raise ValidationError("该问题已经认定")
    value = (determined_value or "").strip()
    if not value:
        raise ValidationError("请填写认定值")
    from_state = discrepancy.state
    discrepancy.determined_value = value
    discrepancy.determined_by = user
    discrepancy.determined_at = timezone.now()
    discrepancy.state = Discrepancy.State.DETERMINED
    discrepancy.version += 1
    discrepancy.save(update_fields=["determined_value", "determined_by", "determined_at", "state", "version", "updated_at"])
    _event(
        discrepancy, user=user, action=DiscrepancyAction.DETERMINE, from_state=from_state, comment=(comment or "").strip(), changes={"determined_value": value}
    )
    if correction:
        _correct(case, discrepancy, user, correction, comment)
    _close_if_resolved(case, user)
    return discrepancy


@transaction.atomic
def discrepancy_correct(*, discrepancy: Discrepancy, user, changes: dict, expected_version=None, note: str = "") -> list[CadreInfoChange]:
    """纠正: change the cadre's current information after the determination (while the case is
    still in rectification); the old value stays in the cadre's history."""
    case, discrepancy = _lock_for_rectification(discrepancy, user, chief_only=True, expected_version=expected_version)
    if discrepancy.state != Discrepancy.State.DETERMINED:
        raise ValidationError("问题须先认定，才能纠正现有信息")
    rows = _correct(case, discrepancy, user, changes, note)
    _close_if_resolved(case, user)
    return rows
