"""The discrepancy register (问题登记): register, edit (never silently over someone else's edit)
and retract findings, with their cited materials and history."""

from __future__ import annotations

import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from archives.models import Material

from .. import access, workflow
from ..models import (
    AuditCase,
    Category,
    Discrepancy,
    DiscrepancyEvent,
    DiscrepancyMaterial,
)
from ..workflow import DiscrepancyAction
from .cases import _lock_case
from .common import _name

logger = logging.getLogger(__name__)

# --- the discrepancy register (问题登记) ----------------------------------------------


FINDING_FIELDS = ("category", "description", "current_value", "recorded_values", "proposed_value", "cause", "cause_detail", "correction_measure", "severity")


def _lock_case_for_findings(case: AuditCase, user) -> AuditCase:
    """The case, locked, when `user` may register or edit its findings now."""
    case = _lock_case(case.pk)
    access.require(access.may_edit_findings(user, case))
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


def record_state_change(discrepancy: Discrepancy, *, to_state: str, user, action: str, comment: str = "", changes=None, fields=()) -> DiscrepancyEvent:
    """Move a locked discrepancy to `to_state`: bump its version, save the state with the other
    `fields` the caller set, and append the history row."""
    from_state = discrepancy.state
    discrepancy.state = to_state
    discrepancy.version += 1
    discrepancy.save(update_fields=["state", "version", "updated_at", *fields])
    return _event(discrepancy, user=user, action=action, from_state=from_state, comment=comment, changes=changes)


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
    discrepancy.dismissed_reason = reason.strip()
    record_state_change(
        discrepancy, to_state=Discrepancy.State.DISMISSED, user=user, action=DiscrepancyAction.RETRACT, comment=reason.strip(), fields=["dismissed_reason"]
    )
    return discrepancy


@transaction.atomic
def discrepancy_reinstate(*, discrepancy: Discrepancy, user, reason: str, expected_version=None) -> Discrepancy:
    """恢复登记: the re-reviewer (or the chief at the check) overturns a dismissal or a retraction;
    the finding is registered again, the reason and the earlier dismissal kept in its history."""
    case = _lock_case(discrepancy.case_id)
    discrepancy = _lock_discrepancy(discrepancy, expected_version)
    access.require(access.may_reinstate(user, case, discrepancy))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("恢复已排除的问题必须说明理由")
    earlier = discrepancy.dismissed_reason
    discrepancy.dismissed_reason = ""
    filled = {}
    if discrepancy.source == Discrepancy.Source.SYSTEM:
        # Registered now, it takes the values the system knows, as a confirmed finding does.
        from .determination import known_values  # determination builds on this module

        discrepancy.case = case
        filled = known_values(discrepancy)
        for name, value in filled.items():
            setattr(discrepancy, name, value)
    record_state_change(
        discrepancy,
        to_state=Discrepancy.State.REGISTERED,
        user=user,
        action=DiscrepancyAction.REINSTATE,
        comment=reason,
        changes={"dismissed_reason": [earlier, ""]} | {name: ["", value] for name, value in filled.items()},
        fields=["dismissed_reason", *filled],
    )
    return discrepancy
