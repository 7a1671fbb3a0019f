"""Campaigns: creation over the units in scope, balanced and crossed assignment of reviewers
(回避 respected), and the leader's reproducible spot-check sample."""

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

from archives.models import Cadre, Dossier, Recusal, Unit
from archives.roles import Role, has_role

from .. import sampling
from ..models import (
    AuditCase,
    Campaign,
    CaseState,
    CaseTransition,
    Discrepancy,
)
from ..workflow import CaseEvent
from .common import DEFAULT_SAMPLE_RATE, _name, _require_role

logger = logging.getLogger(__name__)

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
