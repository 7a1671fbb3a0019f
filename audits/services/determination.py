"""认定 (DOMAIN.md, workflow step 6): the auditor proposes a determined value with its basis
(拟认定), the section chief checks it, the leader approves it (分管领导审批认定). Only the
approval settles the discrepancy and corrects current information; when the case's last open
problem is settled, the approved 专项审核认定表 is filed into the dossier (category 5) with a
接收 register entry, so later campaigns see those values as settled."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from archives import services as archive_services
from archives.dates import DateParseError, PartialDate
from archives.models import Cadre, CadreInfoChange, Education, Material, MaterialCategory

from .. import access
from ..models import AuditCase, CaseState, Category, Determination, Discrepancy
from ..workflow import Action, DiscrepancyAction
from .cases import _lock_case
from .common import _name
from .findings import _event, _lock_discrepancy, record_state_change

# The current-information field each category's determined value corrects.
CORRECTION_FIELD = {
    Category.AGE: "birth_date",
    Category.WORK: "work_start_date",
    Category.PARTY: "party_join_date",
    Category.EDUCATION: "education",
}
DATE_CATEGORIES = (Category.AGE, Category.WORK, Category.PARTY)
# The Material field recording each category's value.
RECORDED_FIELD = {
    Category.AGE: "recorded_birth_date",
    Category.WORK: "recorded_work_start_date",
    Category.PARTY: "recorded_party_date",
    Category.EDUCATION: "recorded_education",
}

SHEET_MATERIAL_TITLE = "干部人事档案专项审核认定表"
SHEET_MATERIAL_CATEGORY = "5"  # 政审、审计和审核材料


@dataclass(frozen=True)
class DeterminationRule:
    """What the rules of DOMAIN.md make the basis of a category's determination, for one dossier."""

    text: str  # the rule, as the form shows it
    reference: PartialDate | None = None  # the value the rule points to (None: no such record)
    reference_text: str = ""  # where it is recorded: 《材料》（形成日期）：value
    needs_approval_to_depart: bool = False


RULE_TEXT = {
    Category.AGE: "出生日期以档案中本人最早填写的材料记载为认定基础（组通字〔2006〕41号）；以其他日期认定的，须写明理由并有批复。",
    Category.WORK: "参加工作时间原则上以最早的招工、派遣、报到材料和转正定级表记载为准，不作改动；改动须写明理由并有批复。",
    Category.PARTY: "入党时间以入党志愿书所载支部大会通过其为预备党员的时间为准；以其他时间认定的，须写明理由并有批复。",
    Category.EDUCATION: "学历学位以学信网电子注册备案表、学历认证报告、党校证书等认证材料为准，不能证明的按能证明的学历认定。",
    Category.EXPERIENCE: "每段经历须有相应材料证明；缺少证明的，向本人或原单位收集后认定。",
}


def _settling_material(materials: list[Material], field: str) -> Material | None:
    """An earlier determination filed in the dossier (category 5, 认定 in its title) settles the
    value it records (DETECTION_RULES.md): the latest such material wins."""
    settled = [m for m in materials if m.category.code.split("-")[0] == SHEET_MATERIAL_CATEGORY and "认定" in m.title and getattr(m, field)]
    return max(settled, key=lambda m: m.formed_date.sort_key()) if settled else None


def determination_rule(discrepancy: Discrepancy) -> DeterminationRule:
    """The rule of the discrepancy's category and, for dates, the record it makes the basis."""
    category = discrepancy.category
    text = RULE_TEXT.get(category, "")
    if category not in DATE_CATEGORIES:
        return DeterminationRule(text=text)
    field = RECORDED_FIELD[category]
    materials = [
        m for m in Material.objects.filter(dossier_id=discrepancy.case.dossier_id, weeded_at__isnull=True).select_related("category") if getattr(m, field)
    ]
    basis = _settling_material(materials, field)
    label = "已有认定结论"
    if basis is None and category == Category.PARTY:
        basis = next((m for m in sorted(materials, key=lambda m: m.formed_date.sort_key()) if "入党志愿书" in m.title), None)
        label = "入党志愿书记载"
    elif basis is None and materials:
        basis = min(materials, key=lambda m: (m.formed_date.sort_key(), m.pk))
        label = "最早记载"
    if basis is None:
        return DeterminationRule(text=text, needs_approval_to_depart=True)
    value = getattr(basis, field)
    return DeterminationRule(
        text=text, reference=value, reference_text=f"{label}：《{basis.title}》（{basis.formed_date}）：{value}", needs_approval_to_depart=True
    )


def determination_default_value(discrepancy: Discrepancy) -> str:
    """What the 拟认定 form starts from: the value the rule points to (dates), the current
    education, or the résumé's periods one per line (经历)."""
    if discrepancy.category in DATE_CATEGORIES:
        reference = determination_rule(discrepancy).reference
        return str(reference) if reference else ""
    cadre = discrepancy.case.dossier.cadre
    if discrepancy.category == Category.EDUCATION:
        return cadre.education
    return "\n".join(f"{p.start}—{p.end or '至今'} {p.unit_and_post}" for p in cadre.resume_periods.order_by("start"))


def known_values(finding: Discrepancy) -> dict[str, str]:
    """The values a system finding takes into the register (confirmed, or reinstated after a
    dismissal), so the auditor does not type what the system knows: 现有信息 (the finding's own,
    else the cadre's current information of its category) and 拟认定值 (the value the
    determination rule points to, as the 拟认定 form proposes it). Only empty fields are filled;
    a value that does not fit the field is left to the auditor (经历: the whole résumé is no
    single value)."""
    values = {}
    if not finding.current_value:
        field = CORRECTION_FIELD.get(finding.category)
        current = getattr(finding.case.dossier.cadre, field) if field else None
        if current:
            values["current_value"] = str(current)
    if not finding.proposed_value and finding.category != Category.EXPERIENCE:
        proposed = determination_default_value(finding)
        if proposed and len(proposed) <= Discrepancy._meta.get_field("proposed_value").max_length:
            values["proposed_value"] = proposed
    return values


def clean_value(category: str, value: str) -> str:
    """The determined value in its canonical form, or a refusal saying what is expected."""
    value = (value or "").strip()
    if not value:
        raise ValidationError("请填写认定值")
    if category in DATE_CATEGORIES:
        try:
            return str(PartialDate.parse(value))
        except DateParseError as exc:
            raise ValidationError(f"认定值应为日期，如 1975.03 或 1975.03.12：{exc}") from None
    if category == Category.EDUCATION and value not in Education.values:
        raise ValidationError(f"学历的认定值应为：{'、'.join(Education.values)}")
    return value


def _lock_for_determination(discrepancy: Discrepancy, user, expected_version=None) -> tuple[AuditCase, Discrepancy]:
    case = _lock_case(discrepancy.case_id)
    discrepancy = _lock_discrepancy(discrepancy, expected_version)
    return case, discrepancy


def _lock_determination(determination: Determination, user) -> tuple[AuditCase, Discrepancy, Determination]:
    case, discrepancy = _lock_for_determination(determination.discrepancy, user)
    return case, discrepancy, Determination.objects.select_for_update().get(pk=determination.pk)


@transaction.atomic
def determination_propose(
    *,
    discrepancy: Discrepancy,
    user,
    value: str,
    basis,
    justification: str = "",
    approval_number: str = "",
    approval_issuer: str = "",
    approval_date: dt.date | None = None,
    note: str = "",
    expected_version=None,
) -> Determination:
    """拟认定: one of the case's auditors proposes the value and the materials it rests on."""
    case, discrepancy = _lock_for_determination(discrepancy, user, expected_version)
    active = discrepancy.determinations.filter(status__in=Determination.ACTIVE_STATUSES).first()
    access.require(access.may_propose(user, case, discrepancy, active=active))
    value = clean_value(discrepancy.category, value)
    materials = list(basis or ())
    if not materials:
        raise ValidationError("请选择认定依据：至少一份档案材料")
    for material in materials:
        if material.dossier_id != case.dossier_id:
            raise ValidationError(f"材料“{material.title}”不属于本档案")
        if material.weeded_at:
            raise ValidationError(f"材料“{material.title}”已剔除，不能作为认定依据")
    rule = determination_rule(discrepancy)
    departs = rule.reference is not None and not PartialDate.parse(value).matches(rule.reference)
    justification = (justification or "").strip()
    approval = [(approval_number or "").strip(), (approval_issuer or "").strip()]
    if departs:
        missing = [
            label
            for label, present in (("理由说明", justification), ("批复文号", approval[0]), ("批复机关", approval[1]), ("批复日期", approval_date))
            if not present
        ]
        if missing:
            raise ValidationError(
                f"认定值 {value} 与{rule.reference_text.split('：', 1)[0]}（{rule.reference}）不一致。{rule.text}请填写：{'、'.join(missing)}。"
            )
    elif rule.reference is None and rule.needs_approval_to_depart and not justification:
        raise ValidationError("档案中没有记载该项的材料，请在理由说明中写明认定的根据")
    determination = Determination.objects.create(
        discrepancy=discrepancy,
        value=value,
        field=CORRECTION_FIELD.get(discrepancy.category, ""),
        rule_reference=rule.reference_text,
        departs_from_rule=departs,
        justification=justification,
        approval_number=approval[0],
        approval_issuer=approval[1],
        approval_date=approval_date,
        proposed_by=user,
        proposal_note=(note or "").strip(),
    )
    determination.basis.set(materials)
    discrepancy.proposed_value = value
    changes = {"value": value, "basis": [m.pk for m in materials], "determination": determination.pk}
    if determination.approval_text:
        changes["approval"] = determination.approval_text
    comment = f"拟认定为 {value}；依据：" + "、".join(f"《{m.title}》" for m in materials)
    _step(discrepancy, user=user, action=DiscrepancyAction.PROPOSE, comment=comment, changes=changes, fields=["proposed_value"])
    return determination


def _step(discrepancy: Discrepancy, *, user, action: str, comment: str = "", changes=None, fields=()) -> None:
    """A rectification step on a locked discrepancy: the first one moves 已登记 to 整改中."""
    if discrepancy.state == Discrepancy.State.REGISTERED:
        record_state_change(discrepancy, to_state=Discrepancy.State.RECTIFYING, user=user, action=action, comment=comment, changes=changes, fields=fields)
        return
    if fields:
        discrepancy.version += 1
        discrepancy.save(update_fields=[*fields, "version", "updated_at"])
    _event(discrepancy, user=user, action=action, from_state=discrepancy.state, comment=comment, changes=changes)


@transaction.atomic
def determination_check(*, determination: Determination, user, opinion: str = "") -> Determination:
    """科长审核: the chief agrees with the proposal and sends it to the leader for approval."""
    case, discrepancy, determination = _lock_determination(determination, user)
    access.require(access.may_check_determination(user, case, determination))
    determination.status = Determination.Status.CHECKED
    determination.checked_by = user
    determination.checked_at = timezone.now()
    determination.check_opinion = (opinion or "").strip() or "同意"
    determination.save(update_fields=["status", "checked_by", "checked_at", "check_opinion"])
    _step(discrepancy, user=user, action=DiscrepancyAction.CHECK_DETERMINATION, comment=determination.check_opinion)
    return determination


@transaction.atomic
def determination_return(*, determination: Determination, user, reason: str) -> Determination:
    """退回: the chief (before the check) or the leader (before approval) sends the proposal back
    to the auditors, with the reason."""
    case, discrepancy, determination = _lock_determination(determination, user)
    access.require(access.may_return_determination(user, case, determination))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("退回必须填写理由")
    determination.status = Determination.Status.RETURNED
    determination.returned_by = user
    determination.returned_at = timezone.now()
    determination.return_reason = reason
    determination.save(update_fields=["status", "returned_by", "returned_at", "return_reason"])
    _step(discrepancy, user=user, action=DiscrepancyAction.RETURN_DETERMINATION, comment=reason)
    return determination


@transaction.atomic
def determination_approve(*, determination: Determination, user, opinion: str = "") -> Determination:
    """分管领导审批认定: the value is determined; current information is corrected when it differs
    (the old value kept in the cadre's history); the case closes once nothing is open, and the
    认定表 is filed into the dossier."""
    case, discrepancy, determination = _lock_determination(determination, user)
    access.require(access.may_approve_determination(user, case, determination))
    now = timezone.now()
    determination.status = Determination.Status.APPROVED
    determination.approved_by = user
    determination.approved_at = now
    determination.approval_opinion = (opinion or "").strip() or "同意"
    determination.save(update_fields=["status", "approved_by", "approved_at", "approval_opinion"])

    discrepancy.determined_value = determination.value
    discrepancy.determined_by = user
    discrepancy.determined_at = now
    record_state_change(
        discrepancy,
        to_state=Discrepancy.State.DETERMINED,
        user=user,
        action=DiscrepancyAction.DETERMINE,
        comment=determination.approval_opinion,
        changes={"determined_value": determination.value, "determination": determination.pk},
        fields=["determined_value", "determined_by", "determined_at"],
    )
    if determination.field:
        _correct_current_information(case, discrepancy, determination, user)
    _close_if_resolved(case, user)
    return determination


def _correct_current_information(case: AuditCase, discrepancy: Discrepancy, determination: Determination, user) -> None:
    cadre = case.dossier.cadre
    field = Cadre._meta.get_field(determination.field)
    new = field.to_python(determination.value)
    old = getattr(cadre, determination.field)
    if old is not None and old != "" and str(old) == str(new):
        return
    rows = archive_services.cadre_update(
        cadre=cadre,
        user=user,
        source=CadreInfoChange.Source.RECTIFICATION,
        source_ref=f"问题{discrepancy.pk}",
        note=f"依据审批的认定值“{determination.value}”纠正",
        **{determination.field: new},
    )
    if rows:
        discrepancy.corrected_at = timezone.now()
        record_state_change(
            discrepancy,
            to_state=Discrepancy.State.CORRECTED,
            user=user,
            action=DiscrepancyAction.CORRECT,
            changes={row.field: [row.old_value, row.new_value] for row in rows},
            fields=["corrected_at"],
        )


def _close_if_resolved(case: AuditCase, user) -> None:
    """The case closes by itself when its last open problem is settled; the 认定表 is filed."""
    from .cases import _apply, _has_open_findings

    if case.state != CaseState.RECTIFICATION or _has_open_findings(case):
        return
    _apply(case, user=user, action=Action.CLOSE, comment="全部问题已认定，自动办结", consequence=True)
    file_determination_sheet(case=case, user=user)


def file_determination_sheet(*, case: AuditCase, user) -> Material | None:
    """归档: the approved 专项审核认定表 enters the dossier as a category-5 material dated the
    approval day and recording the determined values, with a 接收 register entry."""
    approved = list(
        Determination.objects.filter(discrepancy__case=case, status=Determination.Status.APPROVED).select_related("discrepancy").order_by("approved_at", "pk")
    )
    if not approved:
        return None
    day = timezone.localdate(approved[-1].approved_at)
    recorded = {}
    for determination in approved:
        category = determination.discrepancy.category
        if category in DATE_CATEGORIES:
            recorded[RECORDED_FIELD[category]] = PartialDate.parse(determination.value)
        elif category == Category.EDUCATION:
            recorded["recorded_education"] = determination.value
    category = MaterialCategory.objects.get(code=SHEET_MATERIAL_CATEGORY)
    material, created = Material.objects.get_or_create(
        dossier=case.dossier,
        category=category,
        title=SHEET_MATERIAL_TITLE,
        formed_date=PartialDate(day.year, day.month, day.day),
        defaults={"pages": 1, "note": f"{case.campaign.name}：经分管领导审批，本人确认后归档", **recorded},
    )
    if created:
        archive_services.material_receive(
            dossier=case.dossier,
            user=user,
            material=material,
            material_title=material.title,
            received_on=day,
            sender=f"专项审核（{case.campaign.name}）",
            pages=1,
            received_by=_name(user),
        )
    return material
